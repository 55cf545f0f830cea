/**
 * Reads at scale: 100,000 checkouts seeded in bulk (several merchants, both modes, mixed statuses,
 * some with 60 audit rows, each event delivered once), then the merchant's reads over loopback HTTP,
 * one request at a time: checkouts.list (first page, by status and time, page 200 by cursor),
 * checkouts.get, checkouts.audit, deliveries.list, GET /health as the same-run floor; and the
 * expiry sweep, called as the worker calls it.
 */
import { performance } from 'node:perf_hooks';
import type { Engine } from '@kassa/db';
import { createDb, issueKey, type Db } from '@kassa/db';
import { createTestDb, seedPayments, type SeedPlan, type SeedResult } from '@kassa/db/testing';
import { sweepExpired } from '@kassa/webhooks';
import { sql } from 'drizzle-orm';
import { startApi, type ApiServer } from './latency';
import { say, table } from './report';
import { percentile } from './stats';

export const LISTS_PLAN = {
  seed: {
    payments: 100_000,
    merchants: 4,
    heavyEvery: 100,
    heavyCredits: 60,
    overdue: 2_000,
    chunk: 10_000,
    spanDays: 365,
  } satisfies SeedPlan,
  /** Requests per read, one at a time, after `warmup` unmeasured ones. */
  samples: 200,
  warmup: 20,
  deepPage: 200,
  sweepBatch: 200,
} as const;

export const LISTS_GOALS = { readP95Ms: 50 } as const;

export type ReadFigure = Readonly<{
  name: string;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Judged against the goal (the reads a merchant makes); the floor and the sweep are not. */
  judged: boolean;
}>;

export type ListsResult = Readonly<{
  engine: Engine;
  seedSeconds: number;
  rows: SeedResult['rows'];
  merchantRows: number;
  reads: readonly ReadFigure[];
}>;

const DAY_MS = 86_400_000;

function figure(name: string, samplesMs: readonly number[], judged: boolean): ReadFigure {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    name,
    samples: sorted.length,
    p50Ms: r(percentile(sorted, 50)),
    p95Ms: r(percentile(sorted, 95)),
    maxMs: r(sorted.at(-1) ?? Number.NaN),
    judged,
  };
}

type Client = Readonly<{ get<T>(path: string, input?: unknown): Promise<T> }>;

function clientOf(api: ApiServer, secretKey: string): Client {
  return {
    async get<T>(path: string, input?: unknown): Promise<T> {
      const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      const res = await fetch(`${api.baseUrl}${path}${query}`, {
        headers: { authorization: `Bearer ${secretKey}` },
      });
      const body = (await res.json()) as { result?: { data: T } };
      if (!res.ok || !body.result) throw new Error(`bench: GET ${path} answered ${res.status}`);
      return body.result.data;
    },
  };
}

/** `count` timed calls of `call(i)`, one at a time, after `warmup` untimed ones. */
async function timed(
  count: number,
  warmup: number,
  call: (i: number) => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await call(i);
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await call(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

async function openFresh(engine: Engine): Promise<Db> {
  return engine === 'pglite' ? createDb({ engine: 'pglite', dataDir: null }) : createTestDb();
}

export async function benchLists(engine: Engine): Promise<ListsResult> {
  const tag = `[${engine}]`;
  const db = await openFresh(engine);
  try {
    const { seed: plan, samples, warmup, deepPage, sweepBatch } = LISTS_PLAN;
    const now = new Date();
    say(
      `${tag} seeding ${plan.payments.toLocaleString('en')} checkouts in bulk (${plan.merchants} merchants, live and test)`,
    );
    const seedStart = performance.now();
    let reported = 0;
    const seed = await seedPayments(db, plan, now, ({ done, total }) => {
      const pct = Math.floor((done / total) * 100);
      if (pct < reported + 10 && done < total) return;
      reported = pct;
      const seconds = ((performance.now() - seedStart) / 1000).toFixed(1);
      say(
        `${tag}   ${String(pct).padStart(3)}%  ${done.toLocaleString('en')}/${total.toLocaleString('en')} checkouts, ${seconds} s`,
      );
    });
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    say(
      `${tag} seeded in ${seedSeconds} s: ${Object.entries(seed.rows)
        .map(([t, n]) => `${n.toLocaleString('en')} ${t}`)
        .join(', ')} (then ANALYZE)`,
    );

    // The merchant measured: one of several, in test mode (the API runs as a test gateway).
    const merchant = seed.merchants[1];
    if (!merchant) throw new Error('bench: no seeded merchant');
    const secretKey = await issueKey(db.orm, merchant.id, 'secret', 'test');
    const ids = async (where: ReturnType<typeof sql>, limit: number) =>
      (
        await db.query<{ id: string }>(sql`
          select id from payments where merchant_id = ${merchant.id} and mode = 'test' and direction = 'in' and ${where}
          order by md5(id) limit ${limit}`)
      ).map((r) => r.id);
    const [{ n: merchantRows } = { n: 0 }] = await db.query<{ n: number }>(
      sql`select count(*)::int as n from payments where merchant_id = ${merchant.id} and mode = 'test'`,
    );
    const anyIds = await ids(sql`true`, samples);
    const heavyIds = await ids(sql`sequence >= 50`, samples);
    if (anyIds.length === 0 || heavyIds.length === 0)
      throw new Error('bench: the measured merchant has no heavy payments');
    const pick = (list: readonly string[], i: number) => list[i % list.length] ?? '';

    const api = await startApi(db);
    try {
      const kassa = clientOf(api, secretKey);
      type Page = { data: { id: string }[]; nextCursor: string | null };
      const reads: ReadFigure[] = [];
      const measure = async (name: string, call: (i: number) => Promise<unknown>, judged = true) => {
        process.stdout.write(`${tag} ${name}, ${samples} requests ... `);
        const result = figure(name, await timed(samples, warmup, call), judged);
        say(`p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
        reads.push(result);
      };

      await measure('GET /health (floor)', () => fetch(`${api.baseUrl}/health`).then((r) => r.text()), false);
      await measure('checkouts.list, first page', () => kassa.get<Page>('/trpc/checkouts.list', {}));
      const filter = {
        status: 'paid',
        createdAfter: new Date(now.getTime() - 90 * DAY_MS).toISOString(),
        createdBefore: new Date(now.getTime() - 30 * DAY_MS).toISOString(),
      };
      await measure('checkouts.list, paid, 60-day window', () =>
        kassa.get<Page>('/trpc/checkouts.list', filter),
      );

      process.stdout.write(`${tag} walking to page ${deepPage} by cursor ... `);
      let cursor: string | null = null;
      const walkStart = performance.now();
      for (let page = 1; page < deepPage; page += 1) {
        const result: Page = await kassa.get<Page>('/trpc/checkouts.list', { cursor });
        if (!result.nextCursor) throw new Error(`bench: the list ended at page ${page}`);
        cursor = result.nextCursor;
      }
      say(`${((performance.now() - walkStart) / (deepPage - 1)).toFixed(2)} ms per page on the way`);
      const deep = cursor;
      await measure(`checkouts.list, page ${deepPage} by cursor`, async () => {
        const page = await kassa.get<Page>('/trpc/checkouts.list', { cursor: deep });
        if (page.data.length === 0) throw new Error('bench: empty deep page');
      });

      await measure('checkouts.get', (i) => kassa.get('/trpc/checkouts.get', { id: pick(anyIds, i) }));
      await measure(`checkouts.audit, ${plan.heavyCredits}+ rows`, (i) =>
        kassa.get('/trpc/checkouts.audit', { id: pick(heavyIds, i) }),
      );
      await measure('deliveries.list (50)', () => kassa.get('/trpc/deliveries.list', {}));

      // The sweep as its worker runs it: batches while payments are due, then the idle check.
      const batches = Math.ceil(plan.overdue / sweepBatch);
      process.stdout.write(`${tag} expiry sweep, ${batches} batches of ${sweepBatch} due ... `);
      const sweepMs: number[] = [];
      let expired = 0;
      for (let b = 0; b < batches; b += 1) {
        const start = performance.now();
        expired += await sweepExpired(db, now, sweepBatch);
        sweepMs.push(performance.now() - start);
      }
      if (expired !== plan.overdue) throw new Error(`bench: the sweep expired ${expired} of ${plan.overdue}`);
      const batch = figure(`expiry sweep, batch of ${sweepBatch} due`, sweepMs, false);
      say(`p50 ${batch.p50Ms} ms (${(batch.p50Ms / sweepBatch).toFixed(2)} ms per payment)`);
      reads.push(batch);
      await measure('expiry sweep, nothing due', () => sweepExpired(db, now, sweepBatch), false);
      return { engine, seedSeconds, rows: seed.rows, merchantRows, reads };
    } finally {
      await api.close();
    }
  } finally {
    await db.close();
  }
}

export function printLists(results: readonly ListsResult[]): void {
  const { seed, samples } = LISTS_PLAN;
  say(
    `\nreads at ${seed.payments.toLocaleString('en')} checkouts over loopback HTTP, one request at a time, ${samples} each (ms)`,
  );
  process.stdout.write(
    table(
      ['engine', 'read', 'p50', 'p95', 'max', `goal: p95 < ${LISTS_GOALS.readP95Ms}`],
      results.flatMap((r) =>
        r.reads.map((f) => [
          r.engine,
          f.name,
          f.p50Ms.toFixed(2),
          f.p95Ms.toFixed(2),
          f.maxMs.toFixed(2),
          f.judged ? (f.p95Ms < LISTS_GOALS.readP95Ms ? 'met' : 'MISSED') : '',
        ]),
      ),
    ),
  );
  for (const r of results) {
    say(
      `${r.engine}: seeded in ${r.seedSeconds} s; the measured merchant's test mode holds ${r.merchantRows.toLocaleString('en')} payments`,
    );
  }
}
