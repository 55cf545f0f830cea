import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rawCall, startTestApi, type TestApi } from '@kassa/api/testing';
import { claimDueDeliveries, fanOutEvents, recordAttempt, tables } from '@kassa/db';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDelivery } from './send';
import { startDeliveryWorker } from './worker';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

type Workers = { stop(signal?: NodeJS.Signals): Promise<void> };

/**
 * n workers: real processes (the receiver's own entry point) on PostgreSQL, where that is how Kassa
 * scales; on PGlite, which is one database in one process, n workers inside this process.
 */
function startWorkers(n: number): Workers {
  if (api.db.url) {
    const children: ChildProcess[] = Array.from({ length: n }, () =>
      // node with tsx as a loader is one process: a kill reaches the worker itself, not a wrapper.
      spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, DATABASE_URL: api.db.url ?? '', WEBHOOKS_PORT: '0', LOG_LEVEL: 'error' },
        stdio: 'ignore',
      }),
    );
    const exit = (child: ChildProcess, signal: NodeJS.Signals) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // A worker that does not stop in time (say its database is gone) is killed: none outlives the test.
        const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(escalate);
          resolve();
        });
        child.kill(signal);
      });
    return {
      stop: async (signal = 'SIGTERM') =>
        void (await Promise.all(children.map((child) => exit(child, signal)))),
    };
  }
  const workers = Array.from({ length: n }, () =>
    startDeliveryWorker({ db: api.db, log: pino({ level: 'silent' }), pollMs: 20 }),
  );
  return { stop: async () => void (await Promise.all(workers.map((w) => w.stop()))) };
}

/** Counts deliveries per (endpoint, webhook-id) and notices any that arrive while the same one is still in flight. */
async function startCountingReceiver(delayMs: number, hold?: (key: string) => boolean) {
  const seen = new Map<string, number>();
  const inFlight = new Set<string>();
  let concurrentDuplicates = 0;
  const server: Server = createServer((req, res) => {
    const key = `${req.url}|${String(req.headers['webhook-id'])}`;
    if (inFlight.has(key)) concurrentDuplicates += 1;
    inFlight.add(key);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    req.resume();
    if (hold?.(key)) return;
    setTimeout(() => {
      inFlight.delete(key);
      res.end('ok');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    seen,
    concurrentDuplicates: () => concurrentDuplicates,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const fanOut = (now: Date) => fanOutEvents(api.db, now);

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`delivery workers side by side (${process.env['DATABASE_URL'] ? '4 processes on PostgreSQL' : '4 workers on PGlite'})`, () => {
  it('1000 deliveries across 20 endpoints: each arrives, none twice at the same time', async () => {
    const shop = await api.merchant('Busy Hooks');
    const auth = { authorization: `Bearer ${shop.secretKey}` };
    const receiver = await startCountingReceiver(5);
    const workers = startWorkers(4);
    try {
      for (let i = 0; i < 20; i++) {
        expect(
          (
            await rawCall(
              api.url,
              'webhookEndpoints.create',
              'mutation',
              { url: receiver.url(`/ep${i}`) },
              auth,
            )
          ).status,
        ).toBe(200);
      }
      for (let i = 0; i < 50; i++) {
        const created = await rawCall(
          api.url,
          'checkouts.create',
          'mutation',
          { amount: '1.00', currency: 'USD' },
          auth,
        );
        const id = (created.body as { result: { data: { id: string } } }).result.data.id;
        await rawCall(api.url, 'sandbox.simulate', 'mutation', { checkoutId: id, outcome: 'pay' }, auth);
      }
      await waitFor(() => receiver.seen.size >= 1000, 60_000);
      expect(receiver.seen.size).toBe(1000);
      expect(receiver.concurrentDuplicates()).toBe(0);
      await waitFor(async () => {
        const rows = await api.db.orm
          .select({ status: tables.webhookDeliveries.status })
          .from(tables.webhookDeliveries)
          .where(eq(tables.webhookDeliveries.merchantId, shop.merchantId));
        return rows.length === 1000 && rows.every((r) => r.status === 'delivered');
      }, 20_000);
    } finally {
      await workers.stop();
      await receiver.close();
    }
  });

  it('a worker killed while its request is in flight loses nothing: the event goes out again with the same id', async () => {
    const shop = await api.merchant('Killed Hooks');
    const auth = { authorization: `Bearer ${shop.secretKey}` };
    let first: string | null = null;
    // The first request is never answered: the worker is killed while waiting for it.
    const receiver = await startCountingReceiver(0, (key) =>
      first === null ? ((first = key), true) : false,
    );
    await rawCall(api.url, 'webhookEndpoints.create', 'mutation', { url: receiver.url('/hook') }, auth);
    const created = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '1.00', currency: 'USD' },
      auth,
    );
    const id = (created.body as { result: { data: { id: string } } }).result.data.id;
    await rawCall(api.url, 'sandbox.simulate', 'mutation', { checkoutId: id, outcome: 'pay' }, auth);
    if (api.db.url) {
      // A real worker process, killed outright while its request hangs.
      const worker = startWorkers(1);
      await waitFor(() => first !== null, 20_000);
      await worker.stop('SIGKILL');
    } else {
      // PGlite lives in this process, so a worker cannot die apart from it: claim and send, never record.
      const now = new Date();
      await fanOut(now);
      const [claimed] = await claimDueDeliveries(api.db, now, 10, 60_000);
      void sendDelivery(claimed!, { timeoutMs: 60_000, now: () => new Date() });
      await waitFor(() => first !== null, 20_000);
    }
    try {
      const [row] = await api.db.orm
        .select()
        .from(tables.webhookDeliveries)
        .where(eq(tables.webhookDeliveries.merchantId, shop.merchantId));
      // Sent once, never recorded: still pending, held by the dead worker's lease.
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(await claimDueDeliveries(api.db, new Date(), 10, 60_000)).toHaveLength(0);
      // Once the lease has run out, another worker takes it.
      const afterLease = new Date(row!.lockedUntil!.getTime() + 1_000);
      const [retry] = await claimDueDeliveries(api.db, afterLease, 10, 60_000);
      expect(retry).toMatchObject({ deliveryId: row!.id, attempt: 2 });
      await recordAttempt(
        api.db,
        retry!,
        await sendDelivery(retry!, { timeoutMs: 5_000, now: () => new Date() }),
        afterLease,
      );
      const keys = [...receiver.seen.entries()];
      expect(keys).toHaveLength(1);
      expect(keys[0]![1]).toBe(2);
    } finally {
      await receiver.close();
    }
  });
});
