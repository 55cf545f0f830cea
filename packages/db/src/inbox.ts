import {
  addMoney,
  creditAtQuote,
  sameAsset,
  subtractMoney,
  sumMoney,
  type Mode,
  type Observation,
} from '@kassa/core';
import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { applyObservation, type ApplyResult } from './apply-observation';
import type { Db } from './client';
import { getCheckout } from './checkouts';
import { findRailRef, type RailRef } from './rail-refs';
import { paymentCredits, providerInbox } from './schema';

export type InboxEvent = Readonly<{ provider: string; eventId: string; eventType: string; body: string }>;
/** `mode`, when the rail knows it, must be the payment's: a test event never touches a live payment. */
export type DecodedSignal =
  | Readonly<{ paymentId: string; observation: Observation; mode?: Mode }>
  /** A provider object that carries no Kassa id (a dispute, a refund made in Stripe's dashboard):
   *  it belongs to the payment its transaction paid. */
  | Readonly<{ creditTxKey: string; observation: Observation; mode?: Mode }>
  /** Names its payment by a rail's reference (a Stellar memo); amounts may be in the quoted asset. */
  | Readonly<{ railRef: RailRef; observation: Observation; mode?: Mode }>;
/** Turns a stored event into observations; each rail supplies its own (db knows no provider). */
export type InboxDecoder = (
  event: InboxEvent,
) => { ok: true; value: readonly DecodedSignal[] } | { ok: false; error: { message: string } };

export type DrainedEvent = Readonly<{
  id: bigint;
  provider: string;
  eventId: string;
  results: readonly ApplyResult[];
  error: string | null;
}>;

const LEASE_MS = 60_000;
/** How long an event about a payment's transaction waits for that payment's credit to arrive. */
const CREDIT_WAIT_MS = 15 * 60_000;
const MAX_ATTEMPTS = 20;

/** Stores a verified event once; a redelivery of the same event id is recognised, not stored again. */
export async function storeInboxEvent(
  db: Db,
  event: InboxEvent,
  now = new Date(),
): Promise<{ id: bigint; duplicate: boolean }> {
  const inserted = await db.orm
    .insert(providerInbox)
    .values({ ...event, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: providerInbox.id });
  if (inserted[0]) return { id: inserted[0].id, duplicate: false };
  const [existing] = await db.orm
    .select({ id: providerInbox.id })
    .from(providerInbox)
    .where(and(eq(providerInbox.provider, event.provider), eq(providerInbox.eventId, event.eventId)));
  if (!existing) throw new Error('inbox event vanished between insert and select');
  return { id: existing.id, duplicate: true };
}

/**
 * Takes due events under a lease (`FOR UPDATE SKIP LOCKED`, so workers never share one), turns
 * each into observations and applies them. A worker that dies mid-way leaves the lease to expire;
 * the next one replays the event, and applyObservation makes the replay a no-op.
 */
export async function drainInbox(
  db: Db,
  decoders: Readonly<Record<string, InboxDecoder>>,
  options: { limit?: number; now?: Date } = {},
): Promise<DrainedEvent[]> {
  const now = options.now ?? new Date();
  const claimed = await claimEvents(db, now, options.limit ?? 50);
  const drained: DrainedEvent[] = [];
  for (const row of claimed) drained.push(await applyInboxEvent(db, decoders, row, now));
  return drained;
}

/**
 * Applies one stored event right away, without waiting for a worker: for a caller that must answer
 * with the outcome (the sandbox). A worker that takes the same event later replays it as a no-op.
 */
export async function processInboxEvent(
  db: Db,
  decoders: Readonly<Record<string, InboxDecoder>>,
  id: bigint,
  now = new Date(),
): Promise<DrainedEvent | null> {
  const [row] = await db.orm.select().from(providerInbox).where(eq(providerInbox.id, id));
  return row ? applyInboxEvent(db, decoders, row, now) : null;
}

type InboxRow = typeof providerInbox.$inferSelect;

async function applyInboxEvent(
  db: Db,
  decoders: Readonly<Record<string, InboxDecoder>>,
  row: InboxRow,
  now: Date,
): Promise<DrainedEvent> {
  const done = (results: readonly ApplyResult[], error: string | null): DrainedEvent => ({
    id: row.id,
    provider: row.provider,
    eventId: row.eventId,
    results,
    error,
  });
  const decode = decoders[row.provider];
  const decoded = decode
    ? decode(row)
    : { ok: false as const, error: { message: `no decoder for ${row.provider}` } };
  const results: ApplyResult[] = [];
  const unattributed: string[] = [];
  if (decoded.ok) {
    try {
      for (const signal of decoded.value) {
        const target = await resolveSignal(db, signal, now, row.receivedAt);
        if (!target) {
          // Money no payment claims: kept here, with the reason, for the operator to look into.
          unattributed.push(`unattributed: no payment has ${describeRef(signal)}`);
          continue;
        }
        results.push(await applyObservation(db, target.paymentId, target.observation, now, signal.mode));
      }
    } catch (cause) {
      // Infrastructure fault: keep it queued; the next lease retries it.
      const error = cause instanceof Error ? cause.message : String(cause);
      await db.orm.update(providerInbox).set({ lastError: error }).where(eq(providerInbox.id, row.id));
      return done(results, error);
    }
  }
  // Decoded and applied, or undecodable (a retry cannot help): either way it leaves the queue,
  // with the reason a signal did not take effect kept for the operator.
  const error = decoded.ok ? describeRefusals(results, unattributed) : decoded.error.message;
  await db.orm
    .update(providerInbox)
    .set({ processedAt: now, lastError: error, lockedUntil: null })
    .where(eq(providerInbox.id, row.id));
  return done(results, error);
}

/** The payment a transaction paid, by the unique key every credit claims. */
export async function paymentOfCredit(db: Db, txKey: string): Promise<string | null> {
  const [row] = await db.orm
    .select({ paymentId: paymentCredits.paymentId })
    .from(paymentCredits)
    .where(eq(paymentCredits.txKey, txKey));
  return row?.paymentId ?? null;
}

/**
 * The payment a signal is about, and its observation in that payment's asset. Null when a rail
 * reference names no payment; throws (to retry) when a credit's payment is not known yet.
 */
async function resolveSignal(
  db: Db,
  signal: DecodedSignal,
  now: Date,
  receivedAt: Date,
): Promise<{ paymentId: string; observation: Observation } | null> {
  if ('paymentId' in signal) return signal;
  if ('creditTxKey' in signal) {
    const paymentId = await paymentOfCredit(db, signal.creditTxKey);
    if (paymentId) return { paymentId, observation: signal.observation };
    // Its payment's credit may still be on its way (events arrive in any order): retry for a while.
    // Long after, it is about money Kassa never took (the merchant's other Stripe charges).
    if (now.getTime() - receivedAt.getTime() < CREDIT_WAIT_MS) {
      throw new Error(`no payment has been credited by ${signal.creditTxKey} yet`);
    }
    return null;
  }
  const ref = await findRailRef(db, signal.railRef);
  if (!ref) return null;
  const o = signal.observation;
  // Paid in the quoted asset (USDC for a USD checkout): credited at the quoted rate, on the running
  // total, so two payments that add up to what was asked credit exactly what was due (rounding
  // each one down alone could leave a cent short).
  if (o.type === 'credit' && ref.quote && sameAsset(o.amount.asset, ref.quote.payAsset)) {
    const quote = ref.quote;
    const checkout = await getCheckout(db.orm, ref.paymentId);
    const before = (checkout?.payment.facts ?? []).flatMap((f) =>
      f.type === 'credit' && f.paid && f.txKey !== o.txKey && sameAsset(f.paid.asset, quote.payAsset)
        ? [f.paid]
        : [],
    );
    const paidBefore = sumMoney(quote.payAsset, before);
    const credited = subtractMoney(
      creditAtQuote(addMoney(paidBefore, o.amount), quote, ref.paymentAsset),
      creditAtQuote(paidBefore, quote, ref.paymentAsset),
    );
    return { paymentId: ref.paymentId, observation: { ...o, amount: credited, paid: o.amount } };
  }
  return { paymentId: ref.paymentId, observation: o };
}

function describeRef(signal: DecodedSignal): string {
  if ('railRef' in signal) return `${signal.railRef.rail} reference ${signal.railRef.ref}`;
  return 'creditTxKey' in signal ? `been credited by ${signal.creditTxKey}` : 'this reference';
}

function describeRefusals(results: readonly ApplyResult[], unattributed: readonly string[]): string | null {
  const refusals = [
    ...unattributed,
    ...results.flatMap((r) =>
      r.type === 'not_found' ? ['payment not found'] : r.type === 'rejected' ? [`rejected: ${r.reason}`] : [],
    ),
  ];
  return refusals.length > 0 ? refusals.join('; ') : null;
}

async function claimEvents(db: Db, now: Date, limit: number) {
  return db.orm.transaction(async (tx) => {
    const due = await tx
      .select({ id: providerInbox.id })
      .from(providerInbox)
      .where(
        and(
          isNull(providerInbox.processedAt),
          lt(providerInbox.attempts, MAX_ATTEMPTS),
          or(isNull(providerInbox.lockedUntil), lt(providerInbox.lockedUntil, now)),
        ),
      )
      .orderBy(asc(providerInbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(providerInbox)
      .set({ attempts: sql`${providerInbox.attempts} + 1`, lockedUntil: new Date(now.getTime() + LEASE_MS) })
      .where(
        inArray(
          providerInbox.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}
