import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './testing';

// `npm start` is `node scripts/run.mjs start`: these drive that script itself, signal its process
// group the way a supervisor or a terminal would, and look for anything it left running.

const root = join(import.meta.dirname, '..', '..', '..');
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

type Started = Readonly<{
  child: ChildProcess;
  tag: string;
  dataDir: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}>;

async function startRun(
  extraEnv: Record<string, string>,
  dataDir = mkdtempSync(join(tmpdir(), 'kassa-run-')),
): Promise<Started> {
  dataDirs.push(dataDir);
  const [port, webhooksPort] = [await freePort(), await freePort()];
  // Every process started below inherits this variable: it finds them however they were reparented.
  const tag = `kassa-run-test-${randomUUID()}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    KASSA_RUN_TEST_TAG: tag,
    KASSA_DATA_DIR: dataDir,
    PORT: String(port),
    WEBHOOKS_PORT: String(webhooksPort),
    DEMO_SITE_PORT: '0',
    STRIPE_FAKE_PORT: '0',
    HORIZON_FAKE_PORT: '0',
    STELLAR_WALLET_PORT: '0',
    SHKEEPER_FAKE_PORT: '0',
    ...extraEnv,
  };
  delete env['DATABASE_URL']; // the demo on PGlite, as `npm start` runs on a fresh machine
  let output = '';
  const child = spawn(process.execPath, ['scripts/run.mjs', 'start'], {
    cwd: root,
    env,
    // Its own process group, as a terminal or a supervisor gives `npm start`.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, tag, dataDir, output: () => output, exited };
}

async function waitFor(started: Started, seen: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!seen()) {
    if (started.child.exitCode !== null) throw new Error(`exited before ${what}:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} in time:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const line = (started: Started, text: string) =>
  waitFor(started, () => started.output().includes(text), text);

/** Processes carrying the tag in their environment, or in the script's process group. */
function survivors(started: Started): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (environ.includes(started.tag) || pgrp === started.child.pid) {
        found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function signalAndCheck(started: Started, signal: NodeJS.Signals) {
  process.kill(-started.child.pid!, signal);
  const exit = await Promise.race([
    started.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running:\n${started.output()}`)), 30_000),
    ),
  ]);
  // What the group was running may take a moment to be reaped after its leader exits.
  let left = survivors(started);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = survivors(started);
  }
  expect(left, started.output()).toEqual([]);
  return exit;
}

describe('npm start stops whenever it is told to, leaving nothing behind', () => {
  it('during the install: the install ends and no gateway is started', async () => {
    const started = await startRun({ KASSA_FORCE_INSTALL: '1' });
    await line(started, 'kassa: installing dependencies');
    const exit = await signalAndCheck(started, 'SIGTERM');
    expect(exit).toEqual({ code: 128 + 15, signal: null });
    expect(started.output()).toContain('kassa: stopped before it was done');
    expect(started.output()).not.toContain('starting the gateway');
    expect(existsSync(join(started.dataDir, 'demo.json'))).toBe(false);
  });

  it('during the widget build (Ctrl-C): the build ends and no gateway is started', async () => {
    const started = await startRun({ KASSA_FORCE_BUILD: '1' });
    await line(started, 'kassa: building the widget');
    const exit = await signalAndCheck(started, 'SIGINT');
    expect(exit).toEqual({ code: 128 + 2, signal: null });
    expect(started.output()).not.toContain('starting the gateway');
  });

  let usedDataDir = '';

  it('once ready: the gateway shuts down cleanly and the exit is 0', async () => {
    const started = await startRun({});
    await waitFor(started, () => existsSync(join(started.dataDir, 'demo.json')), 'demo.json');
    await line(started, 'Ctrl-C stops it');
    const exit = await signalAndCheck(started, 'SIGTERM');
    expect(exit, started.output()).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('stopped cleanly');
    usedDataDir = started.dataDir;
  });

  it('while the gateway is starting: it finishes opening the database, then stops cleanly', async () => {
    const started = await startRun({}, usedDataDir);
    await line(started, 'kassa: starting the gateway');
    const exit = await signalAndCheck(started, 'SIGTERM');
    expect(exit, started.output()).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('stopped cleanly');
  });

  it('if run.mjs itself is killed outright, the gateway notices and stops too', async () => {
    const started = await startRun({}, usedDataDir);
    await line(started, 'Ctrl-C stops it');
    // SIGKILL cannot be forwarded: the gateway sees its IPC channel close instead.
    started.child.kill('SIGKILL');
    await started.exited;
    let left = survivors(started);
    for (let i = 0; i < 150 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = survivors(started);
    }
    expect(left, started.output()).toEqual([]);
  });
});
