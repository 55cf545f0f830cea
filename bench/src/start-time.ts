/**
 * `npm start` on an installed and built checkout: seconds from launching `node scripts/run.mjs
 * start` (what `npm start` runs) to `demo.json` in the data directory, on PGlite. Two cases: a
 * fresh data directory (the first start after cloning and installing: migrations and the demo
 * merchant) and a restart over existing data. The baseline, in the same run, is the same start
 * made to install and build anyway (KASSA_FORCE_INSTALL=1 KASSA_FORCE_BUILD=1), which is what every
 * start did before the up-to-date checks. Each start is stopped with SIGTERM to its process group
 * once demo.json appears, and waited for.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { say, table } from './report';
import { round } from './stats';

export const START_GOALS = { installedStartToDemoJsonS: 10 } as const;
export const START_PLAN = { rounds: 3, command: 'node scripts/run.mjs start', engine: 'pglite' } as const;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Case = 'fresh data' | 'restart';
type Variant = 'as is' | 'forced install and build';

export type StartTimeResult = Readonly<{
  rounds: readonly Readonly<{ variant: Variant; case: Case; seconds: number }>[];
  medians: readonly Readonly<{ variant: Variant; case: Case; seconds: number }>[];
}>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** One start to demo.json, then a clean stop. */
async function timeStart(dataDir: string, variant: Variant): Promise<number> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    KASSA_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    WEBHOOKS_PORT: String(await freePort()),
    DEMO_SITE_PORT: '0',
    STRIPE_FAKE_PORT: '0',
    HORIZON_FAKE_PORT: '0',
    STELLAR_WALLET_PORT: '0',
    SHKEEPER_FAKE_PORT: '0',
    ...(variant === 'forced install and build' ? { KASSA_FORCE_INSTALL: '1', KASSA_FORCE_BUILD: '1' } : {}),
  };
  delete env['DATABASE_URL'];
  delete env['KASSA_BENCH_ONLY'];
  const demoFile = join(dataDir, 'demo.json');
  rmSync(demoFile, { force: true });
  const started = performance.now();
  let output = '';
  const child = spawn(process.execPath, ['scripts/run.mjs', 'start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  while (!existsSync(demoFile)) {
    if (child.exitCode !== null) throw new Error(`npm start exited before demo.json:\n${output}`);
    if (performance.now() - started > 120_000) throw new Error(`no demo.json after 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;
  process.kill(-child.pid!, 'SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`npm start did not stop cleanly (exit ${code}):\n${output}`);
  return seconds;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function benchStartTime(): Promise<StartTimeResult> {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-bench-start-'));
    dirs.push(dir);
    return dir;
  };
  try {
    say('[start] warming up: one start installs and builds what is missing and fills the tsx cache');
    await timeStart(freshDir(), 'as is');
    const rounds: { variant: Variant; case: Case; seconds: number }[] = [];
    for (let i = 0; i < START_PLAN.rounds; i++) {
      for (const variant of ['as is', 'forced install and build'] as const) {
        const dir = freshDir();
        for (const which of ['fresh data', 'restart'] as const) {
          const seconds = round(await timeStart(dir, variant), 2);
          rounds.push({ variant, case: which, seconds });
          say(`[start] round ${i + 1}, ${variant}, ${which}: ${seconds} s`);
        }
      }
    }
    const medians = (['as is', 'forced install and build'] as const).flatMap((variant) =>
      (['fresh data', 'restart'] as const).map((which) => ({
        variant,
        case: which,
        seconds: median(
          rounds.filter((r) => r.variant === variant && r.case === which).map((r) => r.seconds),
        ),
      })),
    );
    return { rounds, medians };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export function printStartTime(result: StartTimeResult): void {
  const of = (variant: Variant, which: Case) =>
    result.medians.find((m) => m.variant === variant && m.case === which)?.seconds ?? Number.NaN;
  say(`\n\`npm start\` to demo.json on PGlite, installed and built, median of ${START_PLAN.rounds}:\n`);
  say(
    table(
      [
        'case',
        'as is, s',
        'forced install + build, s',
        'ratio',
        `goal < ${START_GOALS.installedStartToDemoJsonS} s`,
      ],
      (['fresh data', 'restart'] as const).map((which) => {
        const asIs = of('as is', which);
        const forced = of('forced install and build', which);
        return [
          which,
          asIs.toFixed(2),
          forced.toFixed(2),
          `${(asIs / forced).toFixed(2)}x`,
          asIs < START_GOALS.installedStartToDemoJsonS ? 'met' : '**missed**',
        ];
      }),
    ),
  );
}
