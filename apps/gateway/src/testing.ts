import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export type RunningGateway = Readonly<{ child: ChildProcess; output: () => string; apiUrl: string }>;

/** A free loopback port, for a process that must be told its port up front. */
export function freePort(): Promise<number> {
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

/** Gateways started by this test file, so a failed assertion cannot leave one running. */
const started = new Set<ChildProcess>();

/** Kills every gateway this file started that is still running; for `afterAll`. */
export function killLeftoverGateways(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

/**
 * The real gateway process, as `npm start` runs it (`node --import tsx`, so a SIGKILL reaches it),
 * on `dataDir` and free ports, with the demo page and the fake Stripe on any free port too.
 * Resolves once it printed that it is ready; throws with its output if it exits first.
 */
export async function spawnGateway(options: { dataDir: string; logLevel?: string }): Promise<RunningGateway> {
  const [port, webhooksPort] = [await freePort(), await freePort()];
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      ...process.env,
      KASSA_DATA_DIR: options.dataDir,
      PORT: String(port),
      WEBHOOKS_PORT: String(webhooksPort),
      DEMO_SITE_PORT: '0',
      STRIPE_FAKE_PORT: '0',
      HORIZON_FAKE_PORT: '0',
      STELLAR_WALLET_PORT: '0',
      SHKEEPER_FAKE_PORT: '0',
      LOG_LEVEL: options.logLevel ?? 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < 300 && !output.includes('Ctrl-C stops it'); i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!output.includes('Ctrl-C stops it')) {
    child.kill('SIGKILL');
    throw new Error(`gateway did not start in time: ${output}`);
  }
  return { child, output: () => output, apiUrl: `http://127.0.0.1:${port}` };
}
