/**
 * Stripe webhook intake on PostgreSQL: the real receiver (`createWebhooksServer`, `POST /stripe`:
 * verify the signature over the raw body, store the event in `provider_inbox`, answer 200) takes
 * signed, real-shaped Stripe events from 16 concurrent senders over loopback. Measured: events
 * acknowledged per second and each acknowledgement's latency, against a raw INSERT of the same
 * bodies into the same table through the same `Db` (16 lanes, no HTTP, no verification).
 *
 * The senders run in a child process (this file, forked with KASSA_BENCH_STRIPE_SENDER=1), as
 * Stripe's are on another machine, so the receiver's event loop and its delay figure are its own.
 * On a 2-CPU machine the child competes with the receiver and PostgreSQL for the CPUs; senders in
 * the bench process measured 7–12% more acks/s, so the fork does not flatter the figure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '@kassa/api';
import { tables, type Db } from '@kassa/db';
import { createTestDb } from '@kassa/db/testing';
import { verifyStripeSignature } from '@kassa/providers';
import { createWebhooksServer } from '@kassa/webhooks';
import { sql } from 'drizzle-orm';
import { percent, say, table } from './report';
import { round, summarize, type LatencySummary } from './stats';

export const STRIPE_INTAKE_PLAN = {
  /** Events per round, for the intake and for the baseline alike. */
  events: 4000,
  /** Concurrent senders (keep-alive connections), and concurrent INSERT lanes for the baseline. */
  senders: 16,
  /** Alternating rounds (baseline, then intake); the table shows medians. */
  rounds: 3,
  /** One round of each first, not reported: JIT, connection pools, the table's first pages. */
  warmupEvents: 4000,
  /** After each intake round, this many already stored events are sent again (new signature). */
  duplicates: 16,
  fixture: 'packages/providers/fixtures/stripe/checkout.session.completed.json',
} as const;

export const STRIPE_INTAKE_GOALS = { ackVsInsert: 0.5, ackP99Ms: 20 } as const;

const FIXTURE = new URL(`../../${STRIPE_INTAKE_PLAN.fixture}`, import.meta.url);
const SENDER_ENV = 'KASSA_BENCH_STRIPE_SENDER';

export type IntakeRound = Readonly<{
  events: number;
  seconds: number;
  perSecond: number;
  /** Each request, from its write to the end of its 200 answer. */
  latency: LatencySummary;
  /** Redeliveries of stored events: all answered 200, no row added. */
  duplicatesSent: number;
  /** The receiver's (this process's) event-loop delay during the round. */
  serverLoopDelayP99Ms: number;
  serverLoopDelayMaxMs: number;
}>;

export type InsertRound = Readonly<{
  rows: number;
  seconds: number;
  perSecond: number;
  /** Each INSERT, from the call to its promise settling. */
  latency: LatencySummary;
}>;

export type StripeIntakeResult = Readonly<{
  serverVersion: string;
  bodyBytes: number;
  sender: 'forked child process';
  /** Medians of the rounds. */
  intakePerSecond: number;
  baselinePerSecond: number;
  ratio: number;
  /** Percentiles over every intake round's requests pooled; `roundP99Ms` shows each round's own. */
  latency: LatencySummary;
  roundP99Ms: readonly number[];
  /** Autovacuum and autoanalyze runs on `provider_inbox` during the part (warm-up included). */
  inboxAutovacuums: number;
  inboxAutoanalyzes: number;
  /** Diagnostic, one thread, no I/O: `verifyStripeSignature` on one event, and JSON.parse of its body. */
  verifyMicros: number;
  parseMicros: number;
  rounds: readonly Readonly<{ baseline: InsertRound; intake: IntakeRound }>[];
}>;

/** Runs the whole section on a fresh PostgreSQL database of its own, dropped at the end. */
export async function benchStripeIntake(): Promise<StripeIntakeResult> {
  const { events, senders, rounds: roundCount, warmupEvents, duplicates } = STRIPE_INTAKE_PLAN;
  const db = await createTestDb();
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const receiver = await startReceiver(db, secret);
  const sender = startSender();
  try {
    if (!db.url) throw new Error('bench: the Stripe intake bench needs PostgreSQL (DATABASE_URL)');
    const [version] = await db.query<{ server_version: string }>(sql`show server_version`);
    const fixture = readFileSync(FIXTURE, 'utf8');
    // Every event of the part has an id of its own: evt_bench_0, evt_bench_1, ...
    let nextId = 0;
    const ids = (count: number) => {
      const first = nextId;
      nextId += count;
      return first;
    };
    // Every request of the reported intake rounds, for percentiles over all of them.
    const pooled: number[] = [];
    const intake = async (count: number, dups: number, report = true): Promise<IntakeRound> => {
      await freshInbox(db);
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const reply = await sender.send({
        url: receiver.url,
        secret,
        fixture,
        firstId: ids(count),
        count,
        senders,
        duplicates: dups,
      });
      loop.disable();
      const bad = reply.statuses.filter(([status]) => status !== 200);
      if (bad.length > 0) throw new Error(`bench: the receiver answered ${JSON.stringify(bad)}`);
      await expectRows(db, count, 'intake');
      if (report) pooled.push(...reply.latenciesMs);
      return {
        events: count,
        seconds: round(reply.seconds, 3),
        perSecond: Math.round(count / reply.seconds),
        latency: summarize(reply.latenciesMs),
        duplicatesSent: dups,
        serverLoopDelayP99Ms: round(loop.percentile(99) / 1e6),
        serverLoopDelayMaxMs: round(loop.max / 1e6),
      };
    };
    const baseline = async (count: number): Promise<InsertRound> => {
      await freshInbox(db);
      const first = ids(count);
      const bodies = Array.from({ length: count }, (_, i) => stripeEvent(fixture, `evt_bench_${first + i}`));
      const run = await insertLanes(db, bodies, senders);
      await expectRows(db, count, 'baseline');
      return {
        rows: count,
        seconds: round(run.seconds, 3),
        perSecond: Math.round(count / run.seconds),
        latency: summarize(run.latenciesMs),
      };
    };

    say(`[stripe-intake] warming up (${warmupEvents} events each way)`);
    await baseline(warmupEvents);
    await intake(warmupEvents, duplicates, false);
    process.stdout.write(
      `[stripe-intake] ${events} signed events, ${senders} senders, vs ${senders} INSERT lanes, ${roundCount} rounds ... `,
    );
    const rounds: { baseline: InsertRound; intake: IntakeRound }[] = [];
    for (let r = 0; r < roundCount; r += 1) {
      const b = await baseline(events);
      rounds.push({ baseline: b, intake: await intake(events, duplicates) });
    }
    say(
      `acks/INSERTs per s: ${rounds.map((r) => `${r.intake.perSecond}/${r.baseline.perSecond}`).join(', ')}`,
    );

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const intakePerSecond = median(rounds.map((r) => r.intake.perSecond));
    const baselinePerSecond = median(rounds.map((r) => r.baseline.perSecond));
    const sample = stripeEvent(fixture, 'evt_bench_sample');
    const diagnostics = costOfChecks(sample, secret);
    // The statistics are flushed asynchronously; this read may miss a run that just ended.
    const [stats] = await db.query<{ vacuums: number; analyzes: number }>(
      sql`select autovacuum_count::int as vacuums, autoanalyze_count::int as analyzes
          from pg_stat_user_tables where relname = 'provider_inbox'`,
    );
    return {
      serverVersion: version?.server_version ?? 'unknown',
      bodyBytes: Buffer.byteLength(sample),
      sender: 'forked child process',
      intakePerSecond,
      baselinePerSecond,
      ratio: round(intakePerSecond / baselinePerSecond, 4),
      latency: summarize(pooled),
      roundP99Ms: rounds.map((r) => r.intake.latency.p99Ms),
      inboxAutovacuums: stats?.vacuums ?? 0,
      inboxAutoanalyzes: stats?.analyzes ?? 0,
      ...diagnostics,
      rounds,
    };
  } finally {
    sender.stop();
    await receiver.close();
    await db.close();
  }
}

/**
 * Each round starts from an empty inbox: TRUNCATE leaves no dead rows (the table is new), the
 * CHECKPOINT keeps a timed one from landing inside a round, and no autovacuum worker is running
 * anywhere on the server when it starts. Autovacuum stays on as configured (migration 0003), so
 * one may still start within a round, as it would in operation; the result counts them.
 */
async function freshInbox(db: Db): Promise<void> {
  await db.query(sql`truncate provider_inbox`);
  await db.query(sql`checkpoint`);
  const deadline = performance.now() + 30_000;
  for (;;) {
    const [busy] = await db.query<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'`,
    );
    if (!busy?.n || performance.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectRows(db: Db, expected: number, what: string): Promise<void> {
  const [row] = await db.query<{ rows: number; ids: number }>(
    sql`select count(*)::int as rows, count(distinct event_id)::int as ids from provider_inbox`,
  );
  if (row?.rows !== expected || row.ids !== expected) {
    throw new Error(`bench: ${what} should leave ${expected} inbox rows, found ${JSON.stringify(row)}`);
  }
}

/** The fixture with an id of its own, the rest unchanged, pretty-printed as Stripe sends it. */
function stripeEvent(fixture: string, id: string): string {
  const event = JSON.parse(fixture) as Record<string, unknown>;
  return JSON.stringify({ ...event, id }, null, 2);
}

/** Stripe's scheme: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with the whole whsec_ string. */
function stripeSignature(body: Buffer, secret: string, seconds: number): string {
  const mac = createHmac('sha256', secret).update(`${seconds}.`, 'utf8').update(body).digest('hex');
  return `t=${seconds},v1=${mac}`;
}

/** The baseline: `lanes` lanes, each INSERTing the next body as soon as its previous one returned. */
async function insertLanes(
  db: Db,
  bodies: readonly string[],
  lanes: number,
): Promise<{ seconds: number; latenciesMs: number[] }> {
  const rows = bodies.map((body) => {
    const { id, type } = JSON.parse(body) as { id: string; type: string };
    return { provider: 'stripe', eventId: id, eventType: type, body };
  });
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < rows.length; i = next++) {
        const t = performance.now();
        await db.orm.insert(tables.providerInbox).values({ ...rows[i]!, receivedAt: new Date() });
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

/** What the receiver computes before it touches the database, per event, on one thread. */
function costOfChecks(body: string, secret: string): { verifyMicros: number; parseMicros: number } {
  const raw = Buffer.from(body, 'utf8');
  const seconds = Math.floor(Date.now() / 1000);
  const header = stripeSignature(raw, secret, seconds);
  const repeat = 5_000;
  const time = (work: () => void) => {
    for (let i = 0; i < 500; i += 1) work();
    const t = performance.now();
    for (let i = 0; i < repeat; i += 1) work();
    return round(((performance.now() - t) * 1000) / repeat, 1);
  };
  return {
    verifyMicros: time(() => {
      if (!verifyStripeSignature(raw, header, [secret], seconds).ok) throw new Error('bench: bad signature');
    }),
    parseMicros: time(() => void JSON.parse(raw.toString('utf8'))),
  };
}

type Receiver = Readonly<{ url: string; close(): Promise<void> }>;

/** The real receiver, silent logger, on 127.0.0.1 and an ephemeral port, in this process. */
async function startReceiver(db: Db, secret: string): Promise<Receiver> {
  const server: Server = createWebhooksServer({ db, log: createLogger('silent'), stripeSecrets: [secret] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stripe`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- The senders, in a child process -------------------------------------------------------------

export type SendRequest = Readonly<{
  url: string;
  secret: string;
  /** The Stripe event every body is made from. */
  fixture: string;
  /** Body i has the id `evt_bench_<firstId + i>`. */
  firstId: number;
  count: number;
  senders: number;
  /** After the timed run, the first `duplicates` bodies again, signed anew; not timed. */
  duplicates: number;
}>;

export type SendReport = Readonly<{
  seconds: number;
  latenciesMs: number[];
  /** Each answer status and how many times it came, duplicates included. */
  statuses: [number, number][];
}>;

/**
 * Builds and signs every body first, opens the keep-alive connections, then starts the clock:
 * `senders` lanes, each POSTing the next event as soon as its previous one was answered.
 */
export async function sendStripeEvents(spec: SendRequest): Promise<SendReport> {
  const seconds = Math.floor(Date.now() / 1000);
  const bodies = Array.from({ length: spec.count }, (_, i) =>
    Buffer.from(stripeEvent(spec.fixture, `evt_bench_${spec.firstId + i}`), 'utf8'),
  );
  const signatures = bodies.map((body) => stripeSignature(body, spec.secret, seconds));
  const agent = new Agent({ keepAlive: true, maxSockets: spec.senders });
  const statuses = new Map<number, number>();
  const post = (body: Buffer, signature: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        spec.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': body.length,
            'stripe-signature': signature,
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  try {
    // One GET per sender, side by side, so every connection is open before the clock starts.
    const health = spec.url.replace(/\/stripe$/, '/health');
    await Promise.all(
      Array.from(
        { length: spec.senders },
        () =>
          new Promise<void>((resolve, reject) => {
            request(health, { agent }, (res) => res.resume().on('end', resolve))
              .on('error', reject)
              .end();
          }),
      ),
    );
    const latenciesMs: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: spec.senders }, async () => {
        for (let i = next++; i < bodies.length; i = next++) {
          const t = performance.now();
          count(await post(bodies[i]!, signatures[i]!));
          latenciesMs.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    // Stripe redelivers an event with the same body and a fresh signature.
    const again = Math.floor(Date.now() / 1000);
    for (const body of bodies.slice(0, spec.duplicates)) {
      count(await post(body, stripeSignature(body, spec.secret, again)));
    }
    return { seconds: elapsed, latenciesMs, statuses: [...statuses] };
  } finally {
    agent.destroy();
  }
}

type Sender = Readonly<{ send(spec: SendRequest): Promise<SendReport>; stop(): void }>;

/** One child process for the whole part, taking one request at a time. */
function startSender(): Sender {
  const child: ChildProcess = fork(new URL(import.meta.url), {
    env: { ...process.env, [SENDER_ENV]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: Error | null = null;
  child.once('exit', (code) => {
    exited = new Error(`bench: the Stripe event sender exited with ${code}`);
  });
  const send = (spec: SendRequest) =>
    new Promise<SendReport>((resolve, reject) => {
      if (exited) return reject(exited);
      const onExit = () => reject(exited ?? new Error('bench: the Stripe event sender exited'));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as SendReport);
      });
      child.send(spec);
    });
  return {
    send,
    stop: () => void child.kill('SIGTERM'),
  };
}

// As the forked child: one request in, one report out, as many times as asked.
if (process.env[SENDER_ENV] === '1' && process.send) {
  process.once('disconnect', () => process.exit(0));
  process.on('message', (spec: SendRequest) => {
    sendStripeEvents(spec)
      .then((report) => process.send?.(report))
      .catch((error: unknown) => {
        process.stderr.write(`Stripe event sender failed: ${String(error)}\n`);
        process.exit(1);
      });
  });
}

export function printStripeIntake(result: StripeIntakeResult): void {
  const { events, senders, rounds } = STRIPE_INTAKE_PLAN;
  say(
    `\nStripe webhook intake on PostgreSQL ${result.serverVersion}: ${events} signed checkout.session.completed events (${result.bodyBytes} bytes) per round, ${senders} concurrent senders in a child process, keep-alive loopback HTTP; median of ${rounds} rounds`,
  );
  process.stdout.write(
    table(
      [
        'what',
        'per s',
        'rounds (per s)',
        'vs baseline',
        `goal: >= ${percent(STRIPE_INTAKE_GOALS.ackVsInsert)}`,
      ],
      [
        [
          `baseline: INSERT into provider_inbox, ${senders} lanes, no HTTP`,
          String(result.baselinePerSecond),
          result.rounds.map((r) => r.baseline.perSecond).join(', '),
          'baseline',
          '',
        ],
        [
          'POST /stripe: verify + store + 200',
          String(result.intakePerSecond),
          result.rounds.map((r) => r.intake.perSecond).join(', '),
          percent(result.ratio),
          goal(result.ratio >= STRIPE_INTAKE_GOALS.ackVsInsert),
        ],
      ],
    ),
  );
  const l = result.latency;
  const loopP99 = Math.max(...result.rounds.map((r) => r.intake.serverLoopDelayP99Ms));
  const loopMax = Math.max(...result.rounds.map((r) => r.intake.serverLoopDelayMaxMs));
  say(`\nacknowledgement latency, ms from each request's write to its 200 (all ${rounds} rounds pooled)`);
  process.stdout.write(
    table(
      [
        'p50',
        'p90',
        'p99',
        'max',
        'p99 per round',
        'INSERT p50/p99',
        'loop delay p99/max',
        `goal: p99 < ${STRIPE_INTAKE_GOALS.ackP99Ms}`,
      ],
      [
        [
          l.p50Ms.toFixed(2),
          l.p90Ms.toFixed(2),
          l.p99Ms.toFixed(2),
          l.maxMs.toFixed(2),
          result.roundP99Ms.join(', '),
          result.rounds
            .map((r) => `${r.baseline.latency.p50Ms.toFixed(1)}/${r.baseline.latency.p99Ms.toFixed(1)}`)
            .join(', '),
          `${loopP99.toFixed(1)}/${loopMax.toFixed(1)}`,
          goal(l.p99Ms < STRIPE_INTAKE_GOALS.ackP99Ms),
        ],
      ],
    ),
  );
  say(
    `every answer was 200; each round left exactly ${events} inbox rows, with ${STRIPE_INTAKE_PLAN.duplicates} redeliveries of stored events answered 200 and not stored again`,
  );
  say(
    `autovacuum runs on provider_inbox during the part: ${result.inboxAutovacuums} vacuum, ${result.inboxAutoanalyzes} analyze`,
  );
  say(
    `per event on one thread, no I/O: verifyStripeSignature ${result.verifyMicros} µs, JSON.parse ${result.parseMicros} µs`,
  );
}

const goal = (met: boolean) => (met ? 'met' : 'MISSED');
