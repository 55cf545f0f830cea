/**
 * Build output size: the widget built as shipped (`pnpm --filter @kassa/widget build`), measured raw
 * and gzipped (node:zlib, level 9, each file on its own, as a compressing server would send it;
 * Kassa's API itself sends them uncompressed). The loader is dist/kassa.js; the widget's first load
 * is dist/index.html plus every script, stylesheet and modulepreload it references, what a browser
 * fetches before the checkout can render. The baseline,
 * built in the same run with the same vite, @vitejs/plugin-react, react and react-dom, is a bare
 * React app that renders one heading. Both builds run in child processes, not in this one, so the
 * bench process (which hosts the API in the latency part) never loads vite.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { percent, say, table } from './report';
import { round } from './stats';

export const SIZE_GOALS = { loaderGzipBytes: 3 * 1024, widgetFirstLoadGzipBytes: 80 * 1024 } as const;

export const SIZE_PLAN = {
  gzipLevel: 9,
  widgetBuild: 'npx -y pnpm@10.34.9 --filter @kassa/widget build',
  baseline: "createRoot(document.getElementById('root')).render(<h1>Hello</h1>)",
} as const;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WIDGET = join(ROOT, 'apps', 'widget');
const WIDGET_DIST = join(WIDGET, 'dist');
/** Under apps/widget so that react, vite and the plugin resolve through its node_modules. Gitignored. */
const BASELINE_DIR = join(WIDGET, '.bench-baseline');
/** The widget's page is built with this base (apps/widget/vite.config.ts); the API serves dist/ there. */
const BASE = '/widget/';
const PNPM = ['-y', 'pnpm@10.34.9'];
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

export type SizedFile = Readonly<{ file: string; rawBytes: number; gzipBytes: number }>;
export type Bundle = Readonly<{ files: readonly SizedFile[]; rawBytes: number; gzipBytes: number }>;

export type BundleSizeResult = Readonly<{
  versions: Readonly<Record<'vite' | 'pluginReact' | 'react' | 'reactDom', string>>;
  loader: Bundle;
  widgetFirstLoad: Bundle;
  /** Files in the widget's dist/assets that index.html does not reference (lazy chunks, if any). */
  widgetNotInFirstLoad: readonly SizedFile[];
  baselineFirstLoad: Bundle;
  /** Gzip bytes of the widget's first load over the bare React app's. */
  widgetVsBaseline: number;
  loaderVsGoal: number;
  widgetVsGoal: number;
}>;

function sized(dir: string, file: string): SizedFile {
  const body = readFileSync(join(dir, file));
  return {
    file: relative(dir, join(dir, file)),
    rawBytes: body.length,
    gzipBytes: gzipSync(body, { level: SIZE_PLAN.gzipLevel }).length,
  };
}

function bundle(files: readonly SizedFile[]): Bundle {
  return {
    files,
    rawBytes: files.reduce((sum, f) => sum + f.rawBytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

/** The files index.html makes the browser fetch at once, as paths inside dist. */
export function firstLoadFiles(html: string): string[] {
  const files: string[] = [];
  const attribute = (tag: string, name: string) =>
    new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1] ?? null;
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const isScript = /^<script/i.test(tag);
    const rel = isScript ? null : (attribute(tag, 'rel')?.toLowerCase() ?? '');
    if (!isScript && rel !== 'stylesheet' && rel !== 'modulepreload') continue;
    const url = attribute(tag, isScript ? 'src' : 'href');
    if (url === null) continue; // an inline script
    if (!url.startsWith(BASE)) throw new Error(`bundle size: ${url} is not under ${BASE}`);
    const file = url.slice(BASE.length);
    if (!files.includes(file)) files.push(file);
  }
  return files;
}

function measureFirstLoad(dist: string): Bundle {
  const files = ['index.html', ...firstLoadFiles(readFileSync(join(dist, 'index.html'), 'utf8'))];
  for (const file of files) {
    if (!existsSync(join(dist, file)))
      throw new Error(`bundle size: ${file} is referenced but not in ${dist}`);
  }
  return bundle(files.map((file) => sized(dist, file)));
}

/** Runs a command; its output is shown only if it fails. */
function run(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(npx, [...PNPM, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      process.stdout.write(Buffer.concat(output));
      reject(new Error(`bundle size: pnpm ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

function versionOf(name: string): string {
  const manifest = JSON.parse(readFileSync(join(WIDGET, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The bare React app, built by the widget's vite with the widget's page config (base and plugin). */
async function buildBaseline(): Promise<Bundle> {
  rmSync(BASELINE_DIR, { recursive: true, force: true });
  mkdirSync(BASELINE_DIR);
  try {
    writeFileSync(
      join(BASELINE_DIR, 'index.html'),
      [
        '<!doctype html>',
        '<html lang="en">',
        '  <head>',
        '    <meta charset="utf-8" />',
        '    <title>Hello</title>',
        '    <script type="module" src="/main.jsx"></script>',
        '  </head>',
        '  <body>',
        '    <div id="root"></div>',
        '  </body>',
        '</html>',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(BASELINE_DIR, 'main.jsx'),
      `import { createRoot } from 'react-dom/client';\n\n${SIZE_PLAN.baseline};\n`,
    );
    writeFileSync(
      join(BASELINE_DIR, 'vite.config.mjs'),
      [
        "import react from '@vitejs/plugin-react';",
        "import { defineConfig } from 'vite';",
        '',
        `export default defineConfig({ plugins: [react()], base: '${BASE}', build: { outDir: 'dist' } });`,
        '',
      ].join('\n'),
    );
    const dir = relative(WIDGET, BASELINE_DIR);
    await run(
      ['--filter', '@kassa/widget', 'exec', 'vite', 'build', dir, '--config', join(dir, 'vite.config.mjs')],
      ROOT,
    );
    return measureFirstLoad(join(BASELINE_DIR, 'dist'));
  } finally {
    rmSync(BASELINE_DIR, { recursive: true, force: true });
  }
}

export async function benchBundleSize(): Promise<BundleSizeResult> {
  process.stdout.write(`[size] building the widget (${SIZE_PLAN.widgetBuild}) ... `);
  let startedAt = Date.now();
  await run(['--filter', '@kassa/widget', 'build'], ROOT);
  say(`${round((Date.now() - startedAt) / 1000, 1)} s`);
  const loader = bundle([sized(WIDGET_DIST, 'kassa.js')]);
  const widgetFirstLoad = measureFirstLoad(WIDGET_DIST);
  const loaded = new Set(widgetFirstLoad.files.map((f) => f.file));
  const widgetNotInFirstLoad = readdirSync(join(WIDGET_DIST, 'assets'))
    .map((name) => sized(WIDGET_DIST, join('assets', name)))
    .filter((f) => !loaded.has(f.file));

  process.stdout.write('[size] building the baseline, a bare React app ... ');
  startedAt = Date.now();
  const baselineFirstLoad = await buildBaseline();
  say(`${round((Date.now() - startedAt) / 1000, 1)} s`);

  return {
    versions: {
      vite: versionOf('vite'),
      pluginReact: versionOf('@vitejs/plugin-react'),
      react: versionOf('react'),
      reactDom: versionOf('react-dom'),
    },
    loader,
    widgetFirstLoad,
    widgetNotInFirstLoad,
    baselineFirstLoad,
    widgetVsBaseline: round(widgetFirstLoad.gzipBytes / baselineFirstLoad.gzipBytes),
    loaderVsGoal: round(loader.gzipBytes / SIZE_GOALS.loaderGzipBytes, 3),
    widgetVsGoal: round(widgetFirstLoad.gzipBytes / SIZE_GOALS.widgetFirstLoadGzipBytes, 3),
  };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export function printBundleSize(result: BundleSizeResult): void {
  const { vite, pluginReact, react, reactDom } = result.versions;
  say(
    `\nbuild output in bytes, gzip level ${SIZE_PLAN.gzipLevel} per file (vite ${vite}, @vitejs/plugin-react ${pluginReact}, react ${react}, react-dom ${reactDom})`,
  );
  const row = (what: string, b: Bundle, vsBaseline: string, goalBytes: number | null) => [
    what,
    String(b.files.length),
    String(b.rawBytes),
    String(b.gzipBytes),
    kib(b.gzipBytes),
    vsBaseline,
    goalBytes === null ? '' : `gzip < ${kib(goalBytes)}`,
    goalBytes === null ? '' : percent(b.gzipBytes / goalBytes),
    goalBytes === null ? '' : b.gzipBytes < goalBytes ? 'met' : 'MISSED',
  ];
  process.stdout.write(
    table(
      ['what', 'files', 'raw bytes', 'gzip bytes', 'gzip', 'vs baseline', 'goal', 'of goal', 'met/MISSED'],
      [
        row('baseline: bare React app, first load', result.baselineFirstLoad, 'baseline', null),
        row(
          'widget, first load',
          result.widgetFirstLoad,
          `x${result.widgetVsBaseline.toFixed(2)}`,
          SIZE_GOALS.widgetFirstLoadGzipBytes,
        ),
        row('loader, kassa.js', result.loader, '', SIZE_GOALS.loaderGzipBytes),
      ],
    ),
  );
  say('\nfiles');
  const files = (what: string, list: readonly SizedFile[]) =>
    list.map((f) => [what, f.file, String(f.rawBytes), String(f.gzipBytes)]);
  process.stdout.write(
    table(
      ['build', 'file', 'raw bytes', 'gzip bytes'],
      [
        ...files('baseline', result.baselineFirstLoad.files),
        ...files('widget', result.widgetFirstLoad.files),
        ...files('widget, not in first load', result.widgetNotInFirstLoad),
        ...files('loader', result.loader.files),
      ],
    ),
  );
}
