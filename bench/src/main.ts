/**
 * Kassa's benchmarks, one command: first the size of the widget's build output against a bare React
 * app (no database); then applyObservation throughput against a raw INSERT, and checkouts.create
 * latency at a fixed rate against GET /health, on PGlite and (with DATABASE_URL) on PostgreSQL; then,
 * on PostgreSQL only, webhook delivery by worker processes against plain signed POSTs, and Stripe
 * webhook intake against a raw INSERT of the same events. Figures are judged as ratios to a baseline
 * measured in the same run; and reads (lists, get, audit, deliveries, the expiry sweep) at 100,000 seeded
 * checkouts on each engine. KASSA_BENCH_ONLY=<part> (or the part as the first argument: `tsx src/main.ts
 * lists`) runs one part alone: size, start (the time `npm start` takes to demo.json), stripe-intake, lists,
 * throughput (applyObservation alone, on every engine).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { MerchantId } from '@kassa/core';
import { createDb, createMerchant, issueKey, type Db, type Engine } from '@kassa/db';
import { createTestDb } from '@kassa/db/testing';
import { sql } from 'drizzle-orm';
import { benchBundleSize, printBundleSize, SIZE_GOALS, SIZE_PLAN } from './bundle-size';
import { benchDeliveries, DELIVERY_GOALS, DELIVERY_PLAN, printDeliveries } from './deliveries';
import { createBaselineTable } from './fixtures';
import { benchLists, LISTS_GOALS, LISTS_PLAN, printLists, type ListsResult } from './lists';
import {
  createCheckoutEndpoint,
  healthEndpoint,
  measureLatency,
  startApi,
  type LatencyResult,
} from './latency';
import { percent, say, table } from './report';
import { benchStartTime, printStartTime, START_GOALS, START_PLAN } from './start-time';
import { round } from './stats';
import {
  benchStripeIntake,
  printStripeIntake,
  STRIPE_INTAKE_GOALS,
  STRIPE_INTAKE_PLAN,
} from './stripe-intake';
import { compare, measureApply, measureBaseline, type Comparison, type ThroughputRun } from './throughput';

const PLAN = {
  rounds: 3,
  oneLane: { baseline: 800, apply: 300 },
  eightLanes: { lanes: 8, baselinePerLane: 200, applyPerLane: 100 },
  /** Credits per payment before a lane moves on to a fresh one. */
  perPayment: 100,
  /** Diagnostic: one payment takes this many credits, to show how apply slows as its facts pile up. */
  hotPayment: 600,
  latency: { ratePerSecond: 200, roundMs: 5_000, rounds: 3, warmupMs: 3_000 },
} as const;

const GOALS = {
  applyVsInsertOnPostgres: 0.3,
  hotPaymentLastVsFirstTenth: 1.2,
  /** checkouts.create's p99 at most this many times /health's in the same run, and under createP99Ms. */
  createP99VsHealth: 4,
  createP99Ms: 15,
} as const;

type Throughput = { onePayment: Comparison; eightPayments: Comparison; hotPayment: ThroughputRun };

type EngineResult = Readonly<{
  engine: Engine;
  serverVersion: string;
  loadAverageBefore: number;
  /** Null when only the latency part runs. */
  throughput: Throughput | null;
  /** Null when only the throughput part runs. */
  latency: { health: LatencyResult; createCheckout: LatencyResult; p99VsHealth: number } | null;
}>;

async function openDb(engine: Engine): Promise<Db> {
  // createTestDb makes a fresh PostgreSQL database of its own from DATABASE_URL, dropped on close.
  return engine === 'pglite' ? createDb({ engine: 'pglite', dataDir: null }) : createTestDb();
}

const loadAverage = (): number => round(loadavg()[0] ?? 0);

/** applyObservation against a raw INSERT, 1 and 8 lanes, then the 600-credit diagnostic. */
async function benchThroughput(db: Db, merchantId: MerchantId, tag: string): Promise<Throughput> {
  await createBaselineTable(db);
  const { lanes } = PLAN.eightLanes;
  say(`${tag} warming up`);
  await measureBaseline(db, lanes, 50);
  await measureApply(db, merchantId, lanes, 50, 50);

  const comparison = async (
    label: string,
    baseline: () => Promise<ThroughputRun>,
    apply: () => Promise<ThroughputRun>,
  ) => {
    process.stdout.write(`${tag} ${label}, ${PLAN.rounds} rounds ... `);
    const result = await compare(PLAN.rounds, baseline, apply);
    const rounds = result.rounds.map((r) => `${r.apply.perSecond}/${r.baseline.perSecond}`).join(', ');
    say(`apply/INSERT per s: ${rounds}`);
    return result;
  };
  const onePayment = await comparison(
    'applyObservation on 1 payment vs INSERT on 1 lane',
    () => measureBaseline(db, 1, PLAN.oneLane.baseline),
    () => measureApply(db, merchantId, 1, PLAN.oneLane.apply, PLAN.perPayment),
  );
  const eightPayments = await comparison(
    `applyObservation on ${lanes} payments in parallel vs INSERT on ${lanes} lanes`,
    () => measureBaseline(db, lanes, PLAN.eightLanes.baselinePerLane),
    () => measureApply(db, merchantId, lanes, PLAN.eightLanes.applyPerLane, PLAN.perPayment),
  );
  process.stdout.write(`${tag} applyObservation, 1 payment taking ${PLAN.hotPayment} credits ... `);
  const hotPayment = await measureApply(db, merchantId, 1, PLAN.hotPayment, PLAN.hotPayment);
  say(`${hotPayment.perSecond}/s`);
  return { onePayment, eightPayments, hotPayment };
}

type EngineParts = Readonly<{ throughput: boolean; latency: boolean }>;

async function benchEngine(engine: Engine, parts: EngineParts): Promise<EngineResult> {
  const tag = `[${engine}]`;
  const loadAverageBefore = loadAverage();
  say(`${tag} fresh database (load average ${loadAverageBefore})`);
  const db = await openDb(engine);
  try {
    const [version] = await db.query<{ server_version: string }>(sql`show server_version`);
    const merchantId = await createMerchant(db.orm, 'Bench Shop');
    const secretKey = await issueKey(db.orm, merchantId, 'secret', 'test');
    const base = {
      engine,
      serverVersion: version?.server_version ?? 'unknown',
      loadAverageBefore,
      throughput: parts.throughput ? await benchThroughput(db, merchantId, tag) : null,
    };
    if (!parts.latency) return { ...base, latency: null };

    const api = await startApi(db);
    try {
      const { ratePerSecond, roundMs, rounds, warmupMs } = PLAN.latency;
      const endpoints = [healthEndpoint(api), createCheckoutEndpoint(api, secretKey)];
      say(`${tag} HTTP warm-up, ${warmupMs / 1000} s per endpoint`);
      await measureLatency(endpoints, { ratePerSecond, roundMs: warmupMs, rounds: 1 });
      process.stdout.write(
        `${tag} GET /health and POST /trpc/checkouts.create at ${ratePerSecond}/s, ${rounds} rounds of ${roundMs / 1000} s each ... `,
      );
      const [health, createCheckout] = await measureLatency(endpoints, { ratePerSecond, roundMs, rounds });
      if (!health || !createCheckout) throw new Error('bench: missing latency result');
      say(
        `p99 per round (ms): /health ${health.roundP99Ms.join(', ')}; create ${createCheckout.roundP99Ms.join(', ')}`,
      );
      return {
        ...base,
        latency: { health, createCheckout, p99VsHealth: round(createCheckout.p99Ms / health.p99Ms) },
      };
    } finally {
      await api.close();
    }
  } finally {
    await db.close();
  }
}

function printSummary(results: readonly EngineResult[]): void {
  const withThroughput = results.flatMap((r) =>
    r.throughput ? [{ engine: r.engine, ...r.throughput }] : [],
  );
  if (withThroughput.length > 0) printThroughput(withThroughput);
  if (results.some((r) => r.latency)) printLatency(results);
}

function printThroughput(results: readonly (Throughput & { engine: Engine })[]): void {
  say('\napplyObservation throughput (observations/s, median of rounds) vs one raw INSERT per observation');
  process.stdout.write(
    table(
      [
        'engine',
        'scenario',
        'apply/s',
        'INSERT/s',
        'ratio',
        `goal: >= ${percent(GOALS.applyVsInsertOnPostgres)} on PostgreSQL`,
      ],
      results.flatMap((r) =>
        (['onePayment', 'eightPayments'] as const).map((key) => {
          const t = r[key];
          const met = t.ratio >= GOALS.applyVsInsertOnPostgres ? 'met' : 'MISSED';
          return [
            r.engine,
            t.lanes === 1 ? '1 payment' : `${t.lanes} payments in parallel`,
            String(t.applyPerSecond),
            String(t.baselinePerSecond),
            percent(t.ratio),
            r.engine === 'postgres' ? met : 'n/a',
          ];
        }),
      ),
    ),
  );
  say(`\napplyObservation on one payment taking ${PLAN.hotPayment} credits (ms per apply)`);
  process.stdout.write(
    table(
      [
        'engine',
        'overall/s',
        'first tenth',
        'last tenth',
        'slowdown',
        `goal: <= x${GOALS.hotPaymentLastVsFirstTenth}`,
      ],
      results.map((r) => {
        const tenths = r.hotPayment.meanMsByTenth;
        const first = tenths[0] ?? Number.NaN;
        const last = tenths.at(-1) ?? Number.NaN;
        return [
          r.engine,
          String(r.hotPayment.perSecond),
          first.toFixed(2),
          last.toFixed(2),
          `x${(last / first).toFixed(2)}`,
          last / first <= GOALS.hotPaymentLastVsFirstTenth ? 'met' : 'MISSED',
        ];
      }),
    ),
  );
}

function printLatency(results: readonly EngineResult[]): void {
  const { ratePerSecond, roundMs, rounds } = PLAN.latency;
  say(
    `\nlatency at ${ratePerSecond} req/s over loopback HTTP, ${rounds} x ${roundMs / 1000} s per endpoint (ms from each request's due time)`,
  );
  process.stdout.write(
    table(
      [
        'engine',
        'endpoint',
        'p50',
        'p90',
        'p99',
        'max',
        'failed',
        'loop delay p99/max',
        'p99 vs /health',
        `goal: p99 <= x${GOALS.createP99VsHealth} /health and < ${GOALS.createP99Ms} ms`,
      ],
      results.flatMap((r) => {
        if (!r.latency) return [];
        const { health, createCheckout, p99VsHealth } = r.latency;
        const row = (name: string, l: LatencyResult, ratio: string, goal: string) => [
          r.engine,
          name,
          l.p50Ms.toFixed(2),
          l.p90Ms.toFixed(2),
          l.p99Ms.toFixed(2),
          l.maxMs.toFixed(2),
          String(l.failed),
          `${l.serverLoopDelayP99Ms.toFixed(1)}/${l.serverLoopDelayMaxMs.toFixed(1)}`,
          ratio,
          goal,
        ];
        return [
          row('GET /health', health, 'baseline', ''),
          row(
            'checkouts.create',
            createCheckout,
            `x${p99VsHealth}`,
            p99VsHealth <= GOALS.createP99VsHealth && createCheckout.p99Ms < GOALS.createP99Ms
              ? 'met'
              : 'MISSED',
          ),
        ];
      }),
    ),
  );
}

/** Parts that can run alone, with KASSA_BENCH_ONLY=<part>. */
const PARTS = ['size', 'start', 'stripe-intake', 'lists', 'throughput', 'latency', 'deliveries'] as const;

function onlyPart(): (typeof PARTS)[number] | null {
  const only = process.argv[2] ?? process.env['KASSA_BENCH_ONLY'];
  if (!only) return null;
  const part = PARTS.find((p) => p === only);
  if (!part) throw new Error(`KASSA_BENCH_ONLY=${only}: no such part (known: ${PARTS.join(', ')})`);
  return part;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const only = onlyPart();
  const hasPostgres = Boolean(process.env['DATABASE_URL']);
  const allEngines: Engine[] = hasPostgres ? ['pglite', 'postgres'] : ['pglite'];
  const engines: Engine[] = !only || only === 'throughput' || only === 'latency' ? allEngines : [];
  if ((only === 'stripe-intake' || only === 'deliveries') && !hasPostgres) {
    throw new Error(`KASSA_BENCH_ONLY=${only} measures PostgreSQL: set DATABASE_URL`);
  }
  if (only) say(`KASSA_BENCH_ONLY=${only}: only that part runs.`);
  else if (engines.length === 1) {
    say(
      'DATABASE_URL is not set: PGlite only, and no webhook delivery or Stripe intake bench (set it to benchmark PostgreSQL and worker processes too).',
    );
  }
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}`);
  if (loadAverage() > machine.cpus / 2) {
    say(
      `warning: load average ${loadAverage()} before the run; other work on this machine skews the figures.`,
    );
  }

  // No database: two vite builds in child processes, before the database parts start.
  const bundleSize = !only || only === 'size' ? await benchBundleSize() : null;
  if (bundleSize) printBundleSize(bundleSize);
  // `npm start` itself, in child processes on PGlite, before the database parts start.
  const startTime = !only || only === 'start' ? await benchStartTime() : null;
  if (startTime) printStartTime(startTime);
  const results: EngineResult[] = [];
  for (const engine of engines) {
    results.push(
      await benchEngine(engine, { throughput: only !== 'latency', latency: !only || only === 'latency' }),
    );
  }
  if (results.length > 0) printSummary(results);
  // Delivery workers scale as processes sharing one PostgreSQL; PGlite lives inside one process.
  const deliveries = (!only && hasPostgres) || only === 'deliveries' ? await benchDeliveries() : null;
  if (deliveries) printDeliveries(deliveries);
  // The receiver's verify + store + 2xx against a raw INSERT of the same events, on PostgreSQL.
  const stripeIntake = only === 'stripe-intake' || (!only && hasPostgres) ? await benchStripeIntake() : null;
  if (stripeIntake) printStripeIntake(stripeIntake);
  // Reads at 100k checkouts, on every engine there is, each on a fresh database of its own.
  const lists: ListsResult[] = [];
  if (!only || only === 'lists') for (const engine of allEngines) lists.push(await benchLists(engine));
  if (lists.length > 0) printLists(lists);

  // A run of one part writes a file of its own, so it does not replace the last full run's.
  const file = only ? `latest-${only}.json` : 'latest.json';
  const out = new URL(`../results/${file}`, import.meta.url);
  mkdirSync(new URL('.', out), { recursive: true });
  const seconds = round((Date.now() - startedAt.getTime()) / 1000, 1);
  const report = {
    startedAt: startedAt.toISOString(),
    seconds,
    machine,
    only,
    plan: {
      ...PLAN,
      deliveries: DELIVERY_PLAN,
      bundleSize: SIZE_PLAN,
      startTime: START_PLAN,
      stripeIntake: STRIPE_INTAKE_PLAN,
      lists: LISTS_PLAN,
    },
    goals: {
      ...GOALS,
      deliveries: DELIVERY_GOALS,
      bundleSize: SIZE_GOALS,
      startTime: START_GOALS,
      stripeIntake: STRIPE_INTAKE_GOALS,
      lists: LISTS_GOALS,
    },
    bundleSize,
    startTime,
    results,
    deliveries,
    stripeIntake,
    lists,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  say(`\nresults written to bench/results/${file} (${seconds} s)`);
}

await main();
