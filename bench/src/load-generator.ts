/**
 * Open-loop load at a fixed rate, run in its own process (forked by latency.ts) so the client never
 * shares an event loop with the server it measures. Request i is due at start + i / rate whatever
 * happened to earlier ones, and its latency counts from that due time (no coordinated omission).
 */
import { Agent, request } from 'node:http';

export type LoadRequest = Readonly<{
  url: string;
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  body: string | null;
  ratePerSecond: number;
  durationMs: number;
  expectStatus: number;
}>;

export type LoadReport = Readonly<{
  sent: number;
  completed: number;
  failed: number;
  /** Request i's time from when it was due to its last response byte; null when it failed. */
  latenciesMs: (number | null)[];
  /** How late the generator fired requests, worst case: its own noise floor. */
  maxSendLagMs: number;
  elapsedMs: number;
}>;

export async function generateLoad(spec: LoadRequest): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round((spec.ratePerSecond * spec.durationMs) / 1000);
  const intervalMs = 1000 / spec.ratePerSecond;
  const latenciesMs: (number | null)[] = [];
  let completed = 0;
  let failed = 0;
  let sent = 0;
  let maxSendLagMs = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 20;

  const fire = (index: number, dueAt: number): Promise<void> =>
    new Promise((resolve) => {
      const req = request(spec.url, { method: spec.method, headers: spec.headers, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          if (res.statusCode === spec.expectStatus) {
            latenciesMs[index] = performance.now() - dueAt;
            completed += 1;
          } else {
            latenciesMs[index] = null;
            failed += 1;
          }
          resolve();
        });
      });
      req.on('error', () => {
        latenciesMs[index] = null;
        failed += 1;
        resolve();
      });
      req.end(spec.body ?? undefined);
    });

  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) {
      const dueAt = start + sent * intervalMs;
      maxSendLagMs = Math.max(maxSendLagMs, now - dueAt);
      pending.push(fire(sent, dueAt));
      sent += 1;
    }
    const nextDue = start + sent * intervalMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(pending);
  agent.destroy();
  return {
    sent,
    completed,
    failed,
    latenciesMs,
    maxSendLagMs,
    elapsedMs: performance.now() - start,
  };
}

// As a forked child: one request in, one report out, then exit.
if (process.send) {
  process.once('message', (spec: LoadRequest) => {
    generateLoad(spec)
      .then((report) => process.send?.(report, () => process.exit(0)))
      .catch((error: unknown) => {
        process.stderr.write(`load generator failed: ${String(error)}\n`);
        process.exit(1);
      });
  });
}
