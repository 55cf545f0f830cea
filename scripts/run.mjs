#!/usr/bin/env node
// The README's commands, runnable on a fresh machine with only Node 20+ and npm: installs the
// workspace with a pinned pnpm (corepack is not relied on) and builds the widget, each only when
// out of date, then does the job.
//
// Every process started here runs in its own process group, and a stop signal (Ctrl-C, SIGTERM,
// SIGHUP) at any moment goes to that whole group: during the install or the build it ends them and
// nothing more is started; once the gateway runs, the gateway shuts down cleanly and its exit code
// is this script's. The gateway also has an IPC channel to this script and stops when it closes,
// so it never outlives it, even if this script is killed outright.
//
// Environment: KASSA_FORCE_INSTALL=1 / KASSA_FORCE_BUILD=1 install or build even when up to date.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = ['-y', 'pnpm@10.34.9'];
const windows = process.platform === 'win32';
const npx = windows ? 'npx.cmd' : 'npx';
// How long a stopped child may take to exit before its group is killed.
const GRACE_MS = 20_000;

const say = (line) => process.stderr.write(`kassa: ${line}\n`);

/** @type {import('node:child_process').ChildProcess | null} */
let current = null;
/** @type {NodeJS.Signals | null} */
let stopping = null;

function signalGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    // A negative pid is the child's whole process group: pnpm, the shells and tools under it.
    if (windows) child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

function stop(signal) {
  if (stopping) return; // npm forwards the terminal's Ctrl-C again: one stop is enough.
  stopping = signal;
  say(`stopping (${signal})`);
  if (!current) process.exit(128 + constants.signals[signal]);
  const child = current;
  // The gateway takes a stop only once its handlers are in place (it says so over IPC): before
  // that, a signal would kill it halfway through opening the database. It is passed on then.
  if (!awaitsReady.has(child)) signalGroup(child, signal);
  setTimeout(() => signalGroup(child, 'SIGKILL'), GRACE_MS).unref();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));

/** Children with an IPC channel that have not yet said they handle stop signals. */
const awaitsReady = new WeakSet();

/** Runs one step in its own process group; resolves with its exit code. */
function run(command, args, { ipc = false } = {}) {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', ...(ipc ? ['ipc'] : [])],
      detached: !windows,
      shell: windows,
    });
    current = child;
    if (ipc) {
      awaitsReady.add(child);
      child.on('message', (message) => {
        if (message?.kassa !== 'stoppable' || !awaitsReady.has(child)) return;
        awaitsReady.delete(child);
        if (stopping) signalGroup(child, stopping);
      });
    }
    child.once('error', rejectRun);
    child.once('exit', (code, signal) => {
      current = null;
      // Whatever the leader left behind in its group goes with it when we are stopping.
      if (stopping) signalGroup(child, 'SIGKILL');
      resolveRun(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
}

async function step(command, args) {
  const code = await run(command, args);
  if (stopping) {
    say('stopped before it was done');
    process.exit(128 + constants.signals[stopping]);
  }
  if (code !== 0) process.exit(code);
}

const pnpm = (args) => step(npx, [...PNPM, ...args]);

// --- up to date? -------------------------------------------------------------------------------

const mtimeOf = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
};

function workspacePackageDirs() {
  const dirs = [];
  for (const parent of ['packages', 'apps']) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json'))) {
        dirs.push(join(parent, entry.name));
      }
    }
  }
  if (existsSync(join(root, 'bench', 'package.json'))) dirs.push('bench');
  return dirs;
}

/**
 * Installed when pnpm's own record of the last install (node_modules/.pnpm/lock.yaml) is the
 * lockfile as it is now, and no package.json or workspace file changed since (.modules.yaml is
 * written by every install).
 */
function installIsUpToDate() {
  const installedAt = mtimeOf(join(root, 'node_modules', '.modules.yaml'));
  if (installedAt === null) return false;
  try {
    const installed = readFileSync(join(root, 'node_modules', '.pnpm', 'lock.yaml'));
    if (!installed.equals(readFileSync(join(root, 'pnpm-lock.yaml')))) return false;
  } catch {
    return false;
  }
  const manifests = [
    'package.json',
    'pnpm-workspace.yaml',
    '.npmrc',
    ...workspacePackageDirs().map((dir) => join(dir, 'package.json')),
  ];
  return manifests.every((file) => (mtimeOf(join(root, file)) ?? 0) <= installedAt);
}

const NOT_IN_BUNDLE = new Set(['node_modules', 'dist', 'e2e', 'coverage', '.turbo']);
const TEST_FILE = /\.test\.[cm]?[jt]sx?$/;

function newestFileIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || NOT_IN_BUNDLE.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestFileIn(path));
    else if (!TEST_FILE.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The widget and every workspace package it imports, directly or not (@kassa/client, @kassa/core, …). */
function widgetSourceDirs() {
  const byName = new Map(
    workspacePackageDirs().map((dir) => [
      JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).name,
      dir,
    ]),
  );
  const seen = new Set();
  const visit = (dir) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (String(version).startsWith('workspace:') && byName.has(name)) visit(byName.get(name));
    }
  };
  visit(join('apps', 'widget'));
  return [...seen];
}

/** Built when both outputs exist and are newer than every source and config file that goes into them. */
function widgetIsUpToDate() {
  const dist = join(root, 'apps', 'widget', 'dist');
  const outputs = ['index.html', 'kassa.js'].map((file) => mtimeOf(join(dist, file)));
  if (outputs.some((mtime) => mtime === null)) return false;
  const builtAt = Math.min(...outputs);
  const sources = Math.max(
    ...widgetSourceDirs().map((dir) => newestFileIn(join(root, dir))),
    mtimeOf(join(root, 'pnpm-lock.yaml')) ?? Infinity,
    mtimeOf(join(root, 'tsconfig.base.json')) ?? 0,
  );
  return sources < builtAt;
}

async function install() {
  if (process.env.KASSA_FORCE_INSTALL !== '1' && installIsUpToDate()) {
    say('dependencies are up to date');
    return;
  }
  say('installing dependencies (pnpm install --frozen-lockfile)');
  await pnpm(['install', '--frozen-lockfile']);
}

async function buildWidget() {
  if (process.env.KASSA_FORCE_BUILD !== '1' && widgetIsUpToDate()) {
    say('the widget is up to date');
    return;
  }
  say('building the widget');
  await pnpm(['--filter', '@kassa/widget', 'build', '--logLevel', 'warn']);
}

// --- the commands ------------------------------------------------------------------------------

const command = process.argv[2];
if (!['start', 'test', 'bench'].includes(command)) {
  process.stderr.write('usage: node scripts/run.mjs start|test|bench\n');
  process.exit(2);
}
await install();

switch (command) {
  case 'start': {
    await buildWidget();
    const gateway = join(root, 'apps', 'gateway', 'src', 'main.ts');
    say('starting the gateway');
    // node with tsx's loader: one process (the tsx command would add a second one around it).
    const code = await run(process.execPath, ['--import', 'tsx', gateway], { ipc: true });
    process.exit(code);
    break;
  }
  case 'test':
    await buildWidget();
    await pnpm(['exec', 'vitest', 'run', ...process.argv.slice(3)]);
    break;
  case 'bench':
    await pnpm(['--filter', '@kassa/bench', 'bench']);
    break;
}
