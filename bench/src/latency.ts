import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApiDeps, createApiServer, createLogger } from '@kassa/api';
import type { Db } from '@kassa/db';
import type { LoadReport, LoadRequest } from './load-generator';
import { round, summarize, type LatencySummary } from './stats';

export type ApiServer = Readonly<{ baseUrl: string; close(): Promise<void> }>;

/** The real API (silent logger) on 127.0.0.1, an ephemeral port, in this process. */
export async function startApi(db: Db): Promise<ApiServer> {
  const deps = createApiDeps({
    db,
    log: createLogger('silent'),
    gatewayMode: 'test',
    publicUrl: 'http://127.0.0.1',
    widgetDir: null,
  });
  const server = createApiServer(deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export type Endpoint = Readonly<Pick<LoadRequest, 'url' | 'method' | 'headers' | 'body' | 'expectStatus'>>;

export const healthEndpoint = (api: ApiServer): Endpoint => ({
  url: `${api.baseUrl}/health`,
  method: 'GET',
  headers: {},
  body: null,
  expectStatus: 200,
});

export const createCheckoutEndpoint = (api: ApiServer, secretKey: string): Endpoint => ({
  url: `${api.baseUrl}/trpc/checkouts.create`,
  method: 'POST',
  headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ amount: '12.50', currency: 'USD' }),
  expectStatus: 200,
});

/** Runs the load generator in a child process (same tsx loader, inherited execArgv) and waits for its report. */
function runGenerator(spec: LoadRequest): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./load-generator.ts', import.meta.url), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: LoadReport | null = null;
    child.once('message', (message) => {
      report = message as LoadReport;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      report ? resolve(report) : reject(new Error(`load generator exited with ${code}`)),
    );
    child.send(spec);
  });
}

export type LatencyResult = LatencySummary &
  Readonly<{
    sent: number;
    failed: number;
    /** p99 of each round on its own: how much the figure moves from one run to the next. */
    roundP99Ms: readonly number[];
    /** How late the generator fired requests, worst case: its own noise floor. */
    maxSendLagMs: number;
    /** The server's event-loop delay meanwhile (its process runs PGlite too): worst round's p99, and max. */
    serverLoopDelayP99Ms: number;
    serverLoopDelayMaxMs: number;
  }>;

type Plan = Readonly<{ ratePerSecond: number; roundMs: number; rounds: number }>;

/**
 * Each round loads every endpoint in turn for `roundMs` at the same fixed rate; the percentiles pool
 * all rounds. Interleaving keeps a noisy moment of the machine from landing on one endpoint only.
 */
export async function measureLatency(endpoints: readonly Endpoint[], plan: Plan): Promise<LatencyResult[]> {
  const runs = endpoints.map(() => ({
    samples: [] as number[],
    roundP99Ms: [] as number[],
    sent: 0,
    failed: 0,
    maxSendLagMs: 0,
    loopP99Ms: 0,
    loopMaxMs: 0,
  }));
  for (let r = 0; r < plan.rounds; r += 1) {
    for (const [i, endpoint] of endpoints.entries()) {
      const run = runs[i];
      if (!run) continue;
      // A fresh monitor per round: re-enabling one would count the pause in between as a delay.
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const report = await runGenerator({
        ...endpoint,
        ratePerSecond: plan.ratePerSecond,
        durationMs: plan.roundMs,
      });
      loop.disable();
      const samples = report.latenciesMs.filter((x): x is number => x !== null);
      run.samples.push(...samples);
      run.roundP99Ms.push(summarize(samples).p99Ms);
      run.sent += report.sent;
      run.failed += report.failed;
      run.maxSendLagMs = Math.max(run.maxSendLagMs, report.maxSendLagMs);
      run.loopP99Ms = Math.max(run.loopP99Ms, loop.percentile(99) / 1e6);
      run.loopMaxMs = Math.max(run.loopMaxMs, loop.max / 1e6);
    }
  }
  return runs.map((run) => ({
    ...summarize(run.samples),
    sent: run.sent,
    failed: run.failed,
    roundP99Ms: run.roundP99Ms,
    maxSendLagMs: round(run.maxSendLagMs),
    serverLoopDelayP99Ms: round(run.loopP99Ms),
    serverLoopDelayMaxMs: round(run.loopMaxMs),
  }));
}
