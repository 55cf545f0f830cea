/**
 * Build output size: the widget built as shipped (`pnpm --filter @kassa/widget build`), measured raw
 * and gzipped (node:zlib, level 9, each file on its own, as the API sends them to a browser that
 * accepts gzip). The loader is dist/kassa.js; the widget's first load is dist/index.html plus every
 * script, stylesheet and modulepreload it references, what a browser fetches before the checkout
 * can render. Each rail's panel is a chunk of its own, fetched when the payer shows interest in the
 * rail: listed apart, with the shared chunks it imports. Two baselines, built in the same run with
 * the same vite and @vitejs/plugin-react, render one heading: a bare React 19 app, and the same app
 * built with the widget's own vite config (its runtime, Preact through preact/compat). The builds
 * run in child processes, not in this one, so the bench process (which hosts the API in the
 * latency part) never loads vite.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { RAILS, type Rail } from '@kassa/core';
import { percent, say, table } from './report';
import { round } from './stats';

/** The loader's goal is a strict bound, the first load's an inclusive one (issue 13: <= 60 KB). */
export const SIZE_GOALS = { loaderGzipBytes: 3 * 1024, widgetFirstLoadGzipBytes: 60 * 1024 } as const;

export const SIZE_PLAN = {
  gzipLevel: 9,
  widgetBuild: 'npx -y pnpm@10.34.9 --filter @kassa/widget build',
  baseline: "createRoot(document.getElementById('root')).render(<h1>Hello</h1>)",
} as const;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WIDGET = join(ROOT, 'apps', 'widget');
const WIDGET_DIST = join(WIDGET, 'dist');
/** Under apps/widget so that react, preact, vite and the plugin resolve through its node_modules. Gitignored. */
const BASELINE_DIR = join(WIDGET, '.bench-baseline');
/** The widget page's own config: base, plugin and the react -> preact/compat aliases. */
const WIDGET_CONFIG = join(WIDGET, 'vite.config.ts');
/** The widget's page is built with this base (apps/widget/vite.config.ts); the API serves dist/ there. */
const BASE = '/widget/';
const PNPM = ['-y', 'pnpm@10.34.9'];
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

export type SizedFile = Readonly<{ file: string; rawBytes: number; gzipBytes: number }>;
export type Bundle = Readonly<{ files: readonly SizedFile[]; rawBytes: number; gzipBytes: number }>;

/** One rail's panel: its chunk, and the chunks it imports that the first load does not carry. */
export type PanelChunk = Readonly<{
  rail: Rail;
  chunk: SizedFile;
  shared: readonly string[];
  /** What choosing this rail first fetches: the chunk and its shared chunks, gzip. */
  onPickGzipBytes: number;
}>;

export type BundleSizeResult = Readonly<{
  versions: Readonly<Record<'vite' | 'pluginReact' | 'react' | 'reactDom' | 'preact', string>>;
  loader: Bundle;
  widgetFirstLoad: Bundle;
  panels: readonly PanelChunk[];
  /** Files in the widget's dist/assets that index.html does not reference: the panels and their shared chunks. */
  widgetNotInFirstLoad: readonly SizedFile[];
  /** A bare React 19 app (react-dom/client), the widget page's plugin and base, no aliases. */
  reactBaselineFirstLoad: Bundle;
  /** The same app built with the widget page's own config, so on its runtime (Preact). */
  baselineFirstLoad: Bundle;
  /** Gzip bytes of the widget's first load over the bare app's on the same runtime. */
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

/** The chunks an ES chunk imports statically (rollup writes `from"./x.js"` and `import"./x.js"`). */
export function staticImports(code: string): string[] {
  const found = new Set<string>();
  for (const [, file] of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([\w.-]+\.js)["']/g)) {
    if (file) found.add(file);
  }
  return [...found];
}

/** Each rail's chunk (panels/{rail}.tsx, which rollup names `{rail}-{hash}.js`) and what it pulls in. */
function measurePanels(dist: string, firstLoad: Bundle): PanelChunk[] {
  const assets = readdirSync(join(dist, 'assets'));
  const inFirstLoad = new Set(firstLoad.files.map((f) => f.file));
  return RAILS.map((rail) => {
    const names = assets.filter((name) => new RegExp(`^${rail}-[\\w-]+\\.js$`).test(name));
    if (names.length !== 1 || !names[0])
      throw new Error(
        `bundle size: expected one chunk for the ${rail} panel in dist/assets, found ${names.length}`,
      );
    const chunk = sized(dist, join('assets', names[0]));
    if (inFirstLoad.has(chunk.file)) throw new Error(`bundle size: the ${rail} panel is in the first load`);
    const shared: SizedFile[] = [];
    const pending = staticImports(readFileSync(join(dist, chunk.file), 'utf8'));
    for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
      const file = join('assets', name);
      if (inFirstLoad.has(file) || shared.some((f) => f.file === file)) continue;
      shared.push(sized(dist, file));
      pending.push(...staticImports(readFileSync(join(dist, file), 'utf8')));
    }
    return {
      rail,
      chunk,
      shared: shared.map((f) => f.file),
      onPickGzipBytes: chunk.gzipBytes + shared.reduce((sum, f) => sum + f.gzipBytes, 0),
    };
  });
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

/**
 * The bare app, built by the widget's vite: with `react`, a config of its own that has the widget
 * page's plugin and base but no aliases (React 19 itself); with `widget`, the widget page's own
 * config (vite.config.ts, so its runtime).
 */
async function buildBaseline(config: 'react' | 'widget'): Promise<Bundle> {
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
    const configFile = config === 'react' ? join(dir, 'vite.config.mjs') : relative(WIDGET, WIDGET_CONFIG);
    await run(['--filter', '@kassa/widget', 'exec', 'vite', 'build', dir, '--config', configFile], ROOT);
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
  const panels = measurePanels(WIDGET_DIST, widgetFirstLoad);

  process.stdout.write('[size] building the baselines, a bare app on React 19 and on the widget config ... ');
  startedAt = Date.now();
  const reactBaselineFirstLoad = await buildBaseline('react');
  const baselineFirstLoad = await buildBaseline('widget');
  say(`${round((Date.now() - startedAt) / 1000, 1)} s`);

  return {
    versions: {
      vite: versionOf('vite'),
      pluginReact: versionOf('@vitejs/plugin-react'),
      react: versionOf('react'),
      reactDom: versionOf('react-dom'),
      preact: versionOf('preact'),
    },
    loader,
    widgetFirstLoad,
    panels,
    widgetNotInFirstLoad,
    reactBaselineFirstLoad,
    baselineFirstLoad,
    widgetVsBaseline: round(widgetFirstLoad.gzipBytes / baselineFirstLoad.gzipBytes),
    loaderVsGoal: round(loader.gzipBytes / SIZE_GOALS.loaderGzipBytes, 3),
    widgetVsGoal: round(widgetFirstLoad.gzipBytes / SIZE_GOALS.widgetFirstLoadGzipBytes, 3),
  };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export function printBundleSize(result: BundleSizeResult): void {
  const { vite, pluginReact, react, reactDom, preact } = result.versions;
  say(
    `\nbuild output in bytes, gzip level ${SIZE_PLAN.gzipLevel} per file (vite ${vite}, @vitejs/plugin-react ${pluginReact}, react ${react}, react-dom ${reactDom}, preact ${preact})`,
  );
  type Goal = { bytes: number; inclusive: boolean };
  const row = (what: string, b: Bundle, vsBaseline: string, goal: Goal | null) => {
    const met = goal && (goal.inclusive ? b.gzipBytes <= goal.bytes : b.gzipBytes < goal.bytes);
    return [
      what,
      String(b.files.length),
      String(b.rawBytes),
      String(b.gzipBytes),
      kib(b.gzipBytes),
      vsBaseline,
      goal === null ? '' : `gzip ${goal.inclusive ? '<=' : '<'} ${kib(goal.bytes)}`,
      goal === null ? '' : percent(b.gzipBytes / goal.bytes),
      goal === null ? '' : met ? 'met' : 'MISSED',
    ];
  };
  process.stdout.write(
    table(
      ['what', 'files', 'raw bytes', 'gzip bytes', 'gzip', 'vs baseline', 'goal', 'of goal', 'met/MISSED'],
      [
        row('bare React 19 app, first load', result.reactBaselineFirstLoad, '', null),
        row('baseline: bare app, widget config, first load', result.baselineFirstLoad, 'baseline', null),
        row('widget, first load', result.widgetFirstLoad, `x${result.widgetVsBaseline.toFixed(2)}`, {
          bytes: SIZE_GOALS.widgetFirstLoadGzipBytes,
          inclusive: true,
        }),
        row('loader, kassa.js', result.loader, '', { bytes: SIZE_GOALS.loaderGzipBytes, inclusive: false }),
      ],
    ),
  );
  say('\nrail panels, each fetched when the payer points at, tabs to or picks its rail');
  process.stdout.write(
    table(
      ['rail', 'chunk', 'raw bytes', 'gzip bytes', 'imports (not in first load)', 'gzip on first pick'],
      result.panels.map((p) => [
        p.rail,
        p.chunk.file,
        String(p.chunk.rawBytes),
        String(p.chunk.gzipBytes),
        p.shared.join(', '),
        String(p.onPickGzipBytes),
      ]),
    ),
  );
  say('\nfiles');
  const files = (what: string, list: readonly SizedFile[]) =>
    list.map((f) => [what, f.file, String(f.rawBytes), String(f.gzipBytes)]);
  process.stdout.write(
    table(
      ['build', 'file', 'raw bytes', 'gzip bytes'],
      [
        ...files('bare React 19 app', result.reactBaselineFirstLoad.files),
        ...files('baseline', result.baselineFirstLoad.files),
        ...files('widget', result.widgetFirstLoad.files),
        ...files('widget, not in first load', result.widgetNotInFirstLoad),
        ...files('loader', result.loader.files),
      ],
    ),
  );
}
