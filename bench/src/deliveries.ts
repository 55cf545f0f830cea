/**
 * Webhook delivery on PostgreSQL: real worker processes (apps/webhooks' own entry point) send
 * outbox events to a local receiver. Two throughput scenarios, each against a same-run baseline of
 * signed POSTs sent by one process without the database: a receiver that answers 200 at once
 * (the worker's own cost per delivery: 4 workers against the baseline), and one that answers after
 * RECEIVER_DELAY_MS, as a merchant's server does (a worker bound by its attempts in flight: 4
 * workers against 1). Then commit-to-arrival latency while events are committed at a steady rate.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { MerchantId } from '@kassa/core';
import {
  applyObservation,
  createMerchant,
  createWebhookEndpoint,
  generateWebhookSecret,
  tables,
  type Db,
} from '@kassa/db';
import { createTestDb } from '@kassa/db/testing';
import { isNull, sql } from 'drizzle-orm';
import { newPayment, nextCredit } from './fixtures';
import { percent, say, table } from './report';
import type { SignedPostsReport, SignedPostsRequest } from './signed-posts';
import { round, summarize, type LatencySummary } from './stats';

/**
 * How long the receiver of the delayed scenario takes to answer each request. A merchant's endpoint
 * takes tens of milliseconds (its own work, a database write, the network), so in production a
 * worker waits on answers with its slots full, and more workers add slots: that is the scaling
 * this scenario shows. With an instant answer, worker processes compete for this machine's 2 CPUs
 * instead.
 */
export const RECEIVER_DELAY_MS = 50;

export const DELIVERY_PLAN = {
  /** Receiver answers at once: what a delivery costs the worker and the database. */
  instant: {
    endpoints: 10,
    /** Paid checkouts per throughput round: one checkout.paid event each, to every endpoint. */
    events: 200,
  },
  /**
   * Receiver answers after RECEIVER_DELAY_MS. 20 endpoints, so the cap of 4 attempts in flight per
   * endpoint (80 in all) stays above 4 workers' 64 slots and never becomes the limit measured.
   */
  delayed: { endpoints: 20, events: 80, delayMs: RECEIVER_DELAY_MS },
  workerCounts: [1, 4],
  /**
   * Rounds per worker count, worker counts taking turns (1, 4, 1, 4, ...) so a change in the
   * machine's load falls on both; the table shows each count's median round.
   */
  workerRounds: 3,
  /** The baseline takes a second or a few; the median of a few rounds steadies it on a busy machine. */
  baselineRounds: 3,
  /** Events committed at a steady rate while 4 workers run; 10 endpoints make each 10 deliveries. */
  steady: { workers: 4, seconds: 5, eventsPerSecond: [20, 50] },
  /** The delivery worker's defaults, which `apps/webhooks/src/main.ts` uses. */
  worker: { concurrency: 16, pollMs: 200 },
} as const;

/** Each goal is a ratio to a baseline measured in the same run, on the same machine. */
export const DELIVERY_GOALS = {
  /** Receiver answering at once: 4 workers' deliveries/s over the no-database baseline's. */
  instant4WorkersVsBaseline: 0.5,
  /** Receiver answering after RECEIVER_DELAY_MS: 4 workers' deliveries/s over 1 worker's. */
  delayed4WorkersVs1Worker: 2.5,
  commitToArrivalP99Ms: 1_000,
} as const;

type ScenarioName = 'instant' | 'delayed';

/** Each checkout is due 1.00 USD and paid by one credit of that amount. */
const AMOUNT_MINOR = 100n;
const WEBHOOKS_APP = fileURLToPath(new URL('../../apps/webhooks/', import.meta.url));

export type WorkerRun = Readonly<{
  workers: number;
  deliveries: number;
  /** From the moment the outbox is let go (every worker already running) to the last arrival. */
  seconds: number;
  perSecond: number;
  firstArrivalMs: number;
  /** Until every attempt is also recorded as delivered in the database. */
  recordedSeconds: number;
  /** Every round's deliveries/s; the other fields are the median round's. */
  roundsPerSecond: readonly number[];
}>;

export type SteadyRun = LatencySummary &
  Readonly<{
    workers: number;
    eventsPerSecond: number;
    offeredPerSecond: number;
    deliveries: number;
    /** From the first commit to the last arrival. */
    deliveredPerSecond: number;
    /** How long after the last commit the last delivery arrived. */
    drainMs: number;
  }>;

export type BaselineRun = Readonly<{
  posts: number;
  seconds: number;
  perSecond: number;
  roundsPerSecond: readonly number[];
}>;

export type ScenarioResult = Readonly<{
  endpoints: number;
  events: number;
  /** How long the receiver waits before answering each request. */
  delayMs: number;
  /** The median of the rounds; each round sends `posts` and every one must be answered 200. */
  baseline: BaselineRun;
  workerRuns: readonly WorkerRun[];
}>;

export type DeliveryResult = Readonly<{
  serverVersion: string;
  instant: ScenarioResult;
  delayed: ScenarioResult;
  steady: readonly SteadyRun[];
  /** Requests for a (path, webhook-id) the receiver had already answered: at-least-once at work. */
  repeats: number;
}>;

/** Runs the whole section on a fresh PostgreSQL database of its own, dropped at the end. */
/**
 * Waits for PostgreSQL to be quiet: the earlier parts of the bench leave write-ahead log to flush
 * and tables for autovacuum, which would otherwise share the 2 CPUs with the workers measured here.
 */
async function settle(db: Db): Promise<void> {
  await db.query(sql`checkpoint`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [busy] = await db.query<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'`,
    );
    if (!busy?.n || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function benchDeliveries(): Promise<DeliveryResult> {
  const db = await createTestDb();
  const receiver = await startReceiver();
  try {
    if (!db.url) throw new Error('bench: webhook delivery needs PostgreSQL (DATABASE_URL)');
    const url = db.url;
    const [version] = await db.query<{ server_version: string }>(sql`show server_version`);

    const instant = await benchScenario(db, url, receiver, 'instant');
    const delayed = await benchScenario(db, url, receiver, 'delayed');

    const steady: SteadyRun[] = [];
    for (const eventsPerSecond of DELIVERY_PLAN.steady.eventsPerSecond) {
      const { workers, seconds } = DELIVERY_PLAN.steady;
      const { endpoints } = DELIVERY_PLAN.instant;
      process.stdout.write(
        `[deliveries] ${eventsPerSecond} events/s (${eventsPerSecond * endpoints} deliveries/s) for ${seconds} s, ${workers} workers ... `,
      );
      const run = await measureSteady(db, url, receiver, eventsPerSecond);
      steady.push(run);
      say(`commit to arrival p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`);
    }
    return {
      serverVersion: version?.server_version ?? 'unknown',
      instant,
      delayed,
      steady,
      repeats: receiver.repeats(),
    };
  } finally {
    await receiver.close();
    await db.close();
  }
}

/** One throughput scenario: rounds of 1 and 4 workers taking turns, then its baseline. */
async function benchScenario(
  db: Db,
  url: string,
  receiver: Receiver,
  name: ScenarioName,
): Promise<ScenarioResult> {
  const { endpoints, events } = DELIVERY_PLAN[name];
  const delayMs = name === 'delayed' ? DELIVERY_PLAN.delayed.delayMs : 0;
  const answer = delayMs > 0 ? `answers after ${delayMs} ms` : 'answers at once';
  await settle(db);
  const rounds = new Map<number, Omit<WorkerRun, 'roundsPerSecond'>[]>();
  for (let round = 0; round < DELIVERY_PLAN.workerRounds; round++) {
    for (const workers of DELIVERY_PLAN.workerCounts) {
      process.stdout.write(
        `[deliveries] ${name}: ${events} events x ${endpoints} endpoints, receiver ${answer}, ${workers} worker process(es), round ${round + 1} ... `,
      );
      // Each round starts from a vacuumed queue, as autovacuum keeps it in steady operation
      // (migration 0003); within a round nothing is vacuumed.
      await db.query(sql`vacuum analyze webhook_deliveries, outbox`);
      const run = await measureWorkers(db, url, receiver, name, workers, round);
      say(`${run.perSecond} per s`);
      rounds.set(workers, [...(rounds.get(workers) ?? []), run]);
    }
  }
  const workerRuns = DELIVERY_PLAN.workerCounts.map((workers): WorkerRun => {
    const runs = rounds.get(workers) ?? [];
    const median = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)];
    if (!median) throw new Error(`bench: no rounds with ${workers} workers`);
    return { ...median, roundsPerSecond: runs.map((r) => r.perSecond) };
  });

  const posts = workerRuns.at(-1)?.deliveries ?? 0;
  process.stdout.write(
    `[deliveries] ${name} baseline: ${posts} signed POSTs from one process, ${DELIVERY_PLAN.worker.concurrency} in flight, no database, ${DELIVERY_PLAN.baselineRounds} rounds ... `,
  );
  const baseline = await measureBaseline(db, receiver, name, posts);
  say(`${baseline.roundsPerSecond.join(', ')} per s`);
  return { endpoints, events, delayMs, baseline, workerRuns };
}

async function measureWorkers(
  db: Db,
  url: string,
  receiver: Receiver,
  name: ScenarioName,
  workers: number,
  roundIndex: number,
): Promise<Omit<WorkerRun, 'roundsPerSecond'>> {
  const { endpoints, events } = DELIVERY_PLAN[name];
  // Each round its own merchant and receiver path: arrivals of one round never count for another.
  const label = `${name}-workers-${workers}-round-${roundIndex}`;
  const merchantId = await newShop(db, receiver, label, endpoints);
  for (let i = 0; i < events; i += 1) await pay(db, await newPayment(db, merchantId, AMOUNT_MINOR));
  const deliveries = (await outboxEvents(db, merchantId)).length * endpoints;
  const pool = startWorkerPool(url, workers);
  try {
    const releasedAt = await holdOutbox(db, pool.ready);
    await waitUntil(() => receiver.arrivals(label).size >= deliveries, 60_000, `${label}: every delivery`);
    const times = [...receiver.arrivals(label).values()];
    const seconds = (Math.max(...times) - releasedAt) / 1000;
    await waitUntil(() => allDelivered(db, merchantId, deliveries), 30_000, `${label}: attempts recorded`);
    return {
      workers,
      deliveries,
      seconds: round(seconds, 3),
      perSecond: Math.round(deliveries / seconds),
      firstArrivalMs: round(Math.min(...times) - releasedAt),
      recordedSeconds: round((performance.now() - releasedAt) / 1000, 3),
    };
  } finally {
    await pool.stop();
  }
}

async function measureBaseline(
  db: Db,
  receiver: Receiver,
  name: ScenarioName,
  posts: number,
): Promise<BaselineRun> {
  // A real event's body, shaped as the worker sends it (apps/webhooks builds it from the outbox row).
  const [event] = await db.query<{ type: string; sequence: number; payload: Record<string, unknown> }>(
    sql`select type, sequence, payload from outbox limit 1`,
  );
  if (!event) throw new Error('bench: no outbox event to copy a body from');
  const bodyTemplate = JSON.stringify({
    id: '{id}',
    type: event.type,
    createdAt: event.payload['occurredAt'],
    sequence: event.sequence,
    data: { checkout: event.payload['checkout'] },
  });
  const secret = generateWebhookSecret();
  const rounds: number[] = [];
  for (let r = 0; r < DELIVERY_PLAN.baselineRounds; r += 1) {
    const label = `${name}-baseline-${r}`;
    const report = await runSignedPosts({
      urls: Array.from({ length: DELIVERY_PLAN[name].endpoints }, (_, i) => receiver.url(`/${label}/ep${i}`)),
      count: posts,
      concurrency: DELIVERY_PLAN.worker.concurrency,
      secret,
      bodyTemplate,
    });
    const arrived = receiver.arrivals(label).size;
    if (report.failed > 0 || arrived !== posts) {
      throw new Error(`bench: baseline sent ${posts}, ${report.failed} failed, ${arrived} arrived`);
    }
    rounds.push(report.seconds);
  }
  const seconds = [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)] ?? Number.NaN;
  return {
    posts,
    seconds: round(seconds, 3),
    perSecond: Math.round(posts / seconds),
    roundsPerSecond: rounds.map((x) => Math.round(posts / x)),
  };
}

/**
 * Events committed at a steady rate (open loop: commit i is due at start + i / rate whatever
 * happened to earlier ones) while the workers run; latency is each delivery's arrival at the
 * receiver minus the moment its event's transaction returned.
 */
async function measureSteady(
  db: Db,
  url: string,
  receiver: Receiver,
  eventsPerSecond: number,
): Promise<SteadyRun> {
  const { workers, seconds } = DELIVERY_PLAN.steady;
  const label = `steady-${eventsPerSecond}`;
  const { endpoints } = DELIVERY_PLAN.instant;
  const merchantId = await newShop(db, receiver, label, endpoints);
  const paymentIds: string[] = [];
  for (let i = 0; i < eventsPerSecond * seconds; i += 1) {
    paymentIds.push(await newPayment(db, merchantId, AMOUNT_MINOR));
  }
  const pool = startWorkerPool(url, workers);
  try {
    await pool.ready;
    const committedAt = new Map<string, number>();
    const start = performance.now() + 20;
    const commits: Promise<void>[] = [];
    for (const [i, paymentId] of paymentIds.entries()) {
      const waitMs = start + (i * 1000) / eventsPerSecond - performance.now();
      if (waitMs > 0) await sleep(waitMs);
      commits.push(pay(db, paymentId).then(() => void committedAt.set(paymentId, performance.now())));
    }
    await Promise.all(commits);
    const lastCommit = Math.max(...committedAt.values());
    const events = await outboxEvents(db, merchantId);
    const deliveries = events.length * endpoints;
    await waitUntil(() => receiver.arrivals(label).size >= deliveries, 60_000, `${label}: every delivery`);
    const paymentOf = new Map(events.map((e) => [e.event_id, e.payment_id]));
    const arrivals = [...receiver.arrivals(label)];
    const latencies = arrivals.map(([key, at]) => {
      const committed = committedAt.get(paymentOf.get(key.split('|')[1] ?? '') ?? '');
      if (committed === undefined) throw new Error(`bench: no commit time for ${key}`);
      return at - committed;
    });
    const lastArrival = Math.max(...arrivals.map(([, at]) => at));
    await waitUntil(() => allDelivered(db, merchantId, deliveries), 30_000, `${label}: attempts recorded`);
    return {
      ...summarize(latencies),
      workers,
      eventsPerSecond,
      offeredPerSecond: eventsPerSecond * endpoints,
      deliveries,
      deliveredPerSecond: Math.round(deliveries / ((lastArrival - start) / 1000)),
      drainMs: round(lastArrival - lastCommit),
    };
  } finally {
    await pool.stop();
  }
}

/** A merchant of its own per round, with endpoints under `/<label>/` on the receiver. */
async function newShop(db: Db, receiver: Receiver, label: string, endpoints: number): Promise<MerchantId> {
  const merchantId = await createMerchant(db.orm, `Bench Hooks ${label}`);
  for (let i = 0; i < endpoints; i += 1) {
    await createWebhookEndpoint(
      db.orm,
      { merchantId, mode: 'test' },
      { url: receiver.url(`/${label}/ep${i}`), eventTypes: [], description: null },
    );
  }
  return merchantId;
}

async function pay(db: Db, paymentId: string): Promise<void> {
  const result = await applyObservation(db, paymentId, nextCredit(AMOUNT_MINOR));
  if (result.type !== 'changed') throw new Error(`bench: expected a change, got ${result.type}`);
}

const outboxEvents = (db: Db, merchantId: string) =>
  db.query<{ event_id: string; payment_id: string }>(
    sql`select event_id, payment_id from outbox where merchant_id = ${merchantId}`,
  );

async function allDelivered(db: Db, merchantId: string, deliveries: number): Promise<boolean> {
  const [row] = await db.query<{ delivered: number }>(
    sql`select count(*)::int as delivered from webhook_deliveries where merchant_id = ${merchantId} and status = 'delivered'`,
  );
  return row?.delivered === deliveries;
}

/**
 * Keeps every unpublished outbox row locked until `until` settles. Workers fan out with SKIP
 * LOCKED, so they find nothing before then: all have started, none gets a head start, and the
 * clock starts when the rows are let go. Returns that moment.
 */
async function holdOutbox(db: Db, until: Promise<void>): Promise<number> {
  await db.orm.transaction(async (tx) => {
    await tx
      .select({ id: tables.outbox.id })
      .from(tables.outbox)
      .where(isNull(tables.outbox.publishedAt))
      .for('update');
    await until;
  });
  return performance.now();
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(10);
  }
}

type Receiver = Readonly<{
  url(path: string): string;
  /** First arrival time (performance.now()) of each `path|webhook-id` under `/<label>/`. */
  arrivals(label: string): ReadonlyMap<string, number>;
  repeats(): number;
  close(): Promise<void>;
}>;

/**
 * A merchant's endpoint that answers 200 as soon as the body is in; under a `delayed-` label, after
 * RECEIVER_DELAY_MS more. Arrival is when the request comes in, whatever the delay.
 */
async function startReceiver(): Promise<Receiver> {
  const byLabel = new Map<string, Map<string, number>>();
  let repeats = 0;
  const server = createServer((req, res) => {
    const at = performance.now();
    const path = req.url ?? '/';
    const label = path.split('/')[1] ?? '';
    const key = `${path}|${String(req.headers['webhook-id'])}`;
    const seen = byLabel.get(label) ?? new Map<string, number>();
    byLabel.set(label, seen);
    if (seen.has(key)) repeats += 1;
    else seen.set(key, at);
    req.resume();
    const delayMs = label.startsWith('delayed-') ? RECEIVER_DELAY_MS : 0;
    req.on('end', () => (delayMs > 0 ? setTimeout(() => res.end(), delayMs) : res.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    arrivals: (label) => byLabel.get(label) ?? new Map(),
    repeats: () => repeats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every worker process the bench started and that has not exited yet. */
const running = new Set<ChildProcess>();
// Whatever happens to the bench (an uncaught error included), no worker outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
// A signal would end the bench without 'exit' handlers; exit instead, so the one above runs.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

type WorkerPool = Readonly<{ ready: Promise<void>; stop(): Promise<void> }>;

/**
 * n processes of apps/webhooks' entry point on the bench's database, as a deployment runs them,
 * with the delivery worker's defaults. `ready` settles once each has logged that it is listening
 * (its loops start just before). Node runs them directly (`--import tsx`), so each pid is the worker.
 */
function startWorkerPool(databaseUrl: string, n: number): WorkerPool {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: WEBHOOKS_APP,
      env: { ...process.env, DATABASE_URL: databaseUrl, WEBHOOKS_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return child;
  });
  const ready = Promise.all(children.map(listening)).then(() => undefined);
  // stop() may come first (the bench failed elsewhere); the exits it causes are not news then.
  ready.catch(() => undefined);
  const exit = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { ready, stop: async () => void (await Promise.all(children.map(exit))) };
}

/** Resolves on the worker's "receiver listening" log line; passes its warnings and errors on. */
function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(
      () => reject(new Error('bench: a webhooks worker did not start in 30 s')),
      30_000,
    );
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('"msg":"receiver listening"')) {
          clearTimeout(timeout);
          resolve();
        } else if (/"level":(4|5|6)0/.test(line)) {
          process.stderr.write(`[webhooks worker ${child.pid}] ${line}\n`);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`bench: a webhooks worker exited (${code}) before it was ready`));
    });
  });
}

/** The baseline sender in a child process of its own, as each worker is. */
function runSignedPosts(spec: SignedPostsRequest): Promise<SignedPostsReport> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./signed-posts.ts', import.meta.url), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: SignedPostsReport | null = null;
    child.once('message', (message) => {
      report = message as SignedPostsReport;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      report ? resolve(report) : reject(new Error(`signed POST sender exited with ${code}`)),
    );
    child.send(spec);
  });
}

export function printDeliveries(result: DeliveryResult): void {
  const { concurrency, pollMs } = DELIVERY_PLAN.worker;
  const goals = DELIVERY_GOALS;
  say(`\nwebhook deliveries on PostgreSQL ${result.serverVersion}`);
  printScenario(
    result.instant,
    'receiver answers 200 at once',
    (r) => r.perSecond / result.instant.baseline.perSecond,
    `4 workers / baseline >= ${percent(goals.instant4WorkersVsBaseline)}`,
    goals.instant4WorkersVsBaseline,
    percent,
  );
  printScenario(
    result.delayed,
    `receiver answers 200 after ${result.delayed.delayMs} ms`,
    (r) => r.perSecond / (result.delayed.workerRuns.find((w) => w.workers === 1)?.perSecond ?? Number.NaN),
    `4 workers / 1 worker >= ${goals.delayed4WorkersVs1Worker}x`,
    goals.delayed4WorkersVs1Worker,
    (ratio) => `${ratio.toFixed(2)}x`,
  );
  say(
    `\ncommit to arrival at the receiver, events committed at a steady rate for ${DELIVERY_PLAN.steady.seconds} s (ms; includes the ${pollMs} ms poll)`,
  );
  process.stdout.write(
    table(
      [
        'workers',
        'offered/s',
        'delivered/s',
        'p50',
        'p90',
        'p99',
        'max',
        'drain after last commit',
        `goal: p99 < ${goals.commitToArrivalP99Ms}`,
      ],
      result.steady.map((r) => [
        String(r.workers),
        String(r.offeredPerSecond),
        String(r.deliveredPerSecond),
        r.p50Ms.toFixed(0),
        r.p90Ms.toFixed(0),
        r.p99Ms.toFixed(0),
        r.maxMs.toFixed(0),
        `${r.drainMs.toFixed(0)} ms`,
        goal(r.p99Ms < goals.commitToArrivalP99Ms),
      ]),
    ),
  );
  say(`requests repeated (same path and webhook-id): ${result.repeats}`);
  say(
    `(baselines: 1 process, ${concurrency} in flight, no database; each worker runs ${concurrency} in flight)`,
  );
}

/** One scenario's table; its goal is judged on the 4-worker row as `ratio(row) >= goalRatio`. */
function printScenario(
  scenario: ScenarioResult,
  receiver: string,
  ratio: (run: WorkerRun) => number,
  goalText: string,
  goalRatio: number,
  format: (ratio: number) => string,
): void {
  const { baseline } = scenario;
  say(`\n${scenario.events} paid checkouts x ${scenario.endpoints} endpoints, ${receiver}`);
  process.stdout.write(
    table(
      ['sender', 'deliveries', 'seconds', 'per s', 'vs baseline', 'rounds (per s)', `goal: ${goalText}`],
      [
        [
          'baseline: 1 process, no db',
          String(baseline.posts),
          baseline.seconds.toFixed(2),
          String(baseline.perSecond),
          'baseline',
          baseline.roundsPerSecond.join(', '),
          '',
        ],
        ...scenario.workerRuns.map((r) => [
          `${r.workers} worker process${r.workers === 1 ? '' : 'es'}`,
          String(r.deliveries),
          r.seconds.toFixed(2),
          String(r.perSecond),
          percent(r.perSecond / baseline.perSecond),
          r.roundsPerSecond.join(', '),
          r.workers === 4 ? `${format(ratio(r))}: ${goal(ratio(r) >= goalRatio)}` : '',
        ]),
      ],
    ),
  );
}

const goal = (met: boolean) => (met ? 'met' : 'MISSED');
