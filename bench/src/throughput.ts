import type { MerchantId } from '@kassa/core';
import { applyObservation, type Db } from '@kassa/db';
import { insertBaselineRow, newPayment, nextCredit } from './fixtures';
import { round } from './stats';

export type ThroughputRun = Readonly<{
  lanes: number;
  operations: number;
  seconds: number;
  perSecond: number;
  /** Mean time of one operation, per tenth of each lane's sequence: shows whether it slows down as it goes. */
  meanMsByTenth: readonly number[];
}>;

/** One lane: a sequence of operations, each awaited before the next. Lanes run side by side. */
type Operation = (lane: number, index: number) => Promise<void>;

async function runLanes(lanes: number, perLane: number, operation: Operation): Promise<ThroughputRun> {
  const durations: number[][] = Array.from({ length: lanes }, () => []);
  const started = performance.now();
  await Promise.all(
    durations.map(async (laneDurations, lane) => {
      for (let index = 0; index < perLane; index += 1) {
        const t = performance.now();
        await operation(lane, index);
        laneDurations.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const operations = lanes * perLane;
  const meanMsByTenth = Array.from({ length: 10 }, (_, tenth) => {
    const from = Math.floor((tenth * perLane) / 10);
    const to = Math.floor(((tenth + 1) * perLane) / 10);
    const slice = durations.flatMap((d) => d.slice(from, to));
    return round(slice.reduce((sum, x) => sum + x, 0) / Math.max(1, slice.length));
  });
  return {
    lanes,
    operations,
    seconds: round(seconds, 3),
    perSecond: Math.round(operations / seconds),
    meanMsByTenth,
  };
}

/** The baseline: one autocommitted INSERT per observation, through the same Db object. */
export async function measureBaseline(db: Db, lanes: number, perLane: number): Promise<ThroughputRun> {
  return runLanes(lanes, perLane, () => insertBaselineRow(db, 'pay_baseline', nextCredit()));
}

/**
 * applyObservation: every lane owns a payment and applies one-cent credits to it one after another;
 * after `perPayment` credits it moves on to a fresh payment (created before the clock starts), so
 * a payment's facts grow to the same size whatever the run's length.
 */
export async function measureApply(
  db: Db,
  merchantId: MerchantId,
  lanes: number,
  perLane: number,
  perPayment: number,
): Promise<ThroughputRun> {
  const payments: string[][] = [];
  for (let lane = 0; lane < lanes; lane += 1) {
    const own: string[] = [];
    for (let i = 0; i < Math.ceil(perLane / perPayment); i += 1) own.push(await newPayment(db, merchantId));
    payments.push(own);
  }
  return runLanes(lanes, perLane, async (lane, index) => {
    const paymentId = payments[lane]?.[Math.floor(index / perPayment)];
    if (!paymentId) throw new Error('bench: no payment for this lane');
    const result = await applyObservation(db, paymentId, nextCredit());
    if (result.type !== 'changed') throw new Error(`bench: expected a change, got ${result.type}`);
  });
}

export type Comparison = Readonly<{
  lanes: number;
  /** Medians over the rounds; each round runs the baseline then applyObservation, back to back. */
  applyPerSecond: number;
  baselinePerSecond: number;
  ratio: number;
  rounds: readonly Readonly<{ baseline: ThroughputRun; apply: ThroughputRun }>[];
}>;

/** Interleaves baseline and apply rounds so a slow moment of the machine hits both, then takes medians. */
export async function compare(
  rounds: number,
  baseline: () => Promise<ThroughputRun>,
  apply: () => Promise<ThroughputRun>,
): Promise<Comparison> {
  const done: { baseline: ThroughputRun; apply: ThroughputRun }[] = [];
  for (let i = 0; i < rounds; i += 1) done.push({ baseline: await baseline(), apply: await apply() });
  const baselinePerSecond = median(done.map((r) => r.baseline.perSecond));
  const applyPerSecond = median(done.map((r) => r.apply.perSecond));
  return {
    lanes: done[0]?.apply.lanes ?? 0,
    applyPerSecond,
    baselinePerSecond,
    ratio: round(applyPerSecond / baselinePerSecond, 3),
    rounds: done,
  };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}
