#!/usr/bin/env node
// The README's commands, runnable on a fresh machine with only Node 20+ and npm:
// installs the workspace with a pinned pnpm (corepack is not relied on), then does the job.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = ['-y', 'pnpm@10.34.9'];
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function pnpm(args) {
  const result = spawnSync(npx, [...PNPM, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const command = process.argv[2];
pnpm(['install', '--frozen-lockfile']);

switch (command) {
  case 'start': {
    pnpm(['--filter', '@kassa/widget', 'build', '--logLevel', 'warn']);
    const tsx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
    if (!existsSync(tsx)) throw new Error('tsx is missing after install');
    // Ctrl-C reaches the gateway directly (same process group); this wrapper only waits for it.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => {});
    const child = spawn(tsx, [join('apps', 'gateway', 'src', 'main.ts')], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    break;
  }
  case 'test':
    pnpm(['--filter', '@kassa/widget', 'build', '--logLevel', 'warn']);
    pnpm(['exec', 'vitest', 'run', ...process.argv.slice(3)]);
    break;
  case 'bench':
    pnpm(['--filter', '@kassa/bench', 'bench']);
    break;
  default:
    process.stderr.write('usage: node scripts/run.mjs start|test|bench\n');
    process.exit(2);
}
