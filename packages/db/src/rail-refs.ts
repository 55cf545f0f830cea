import type { Asset, Quote } from '@kassa/core';
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from './client';
import { payments, railRefs } from './schema';

export type RailRef = Readonly<{ rail: string; ref: string }>;

/** The rail_refs kind for SHKeeper payout tasks: a payout's task ids, newest last. */
export const PAYOUT_TASK = 'shkeeper-task';
export type ResolvedRailRef = Readonly<{ paymentId: string; quote: Quote | null; paymentAsset: Asset }>;

/**
 * Names a payment by a rail's reference. Registering the same reference for the same payment again
 * takes its newest quote; a reference another payment holds is refused (`taken`), never moved.
 */
export async function registerRailRef(
  db: Db,
  input: RailRef & { paymentId: string; quote: Quote | null; now: Date },
): Promise<{ ok: true } | { ok: false; error: 'taken' }> {
  await db.orm
    .insert(railRefs)
    .values({
      rail: input.rail,
      ref: input.ref,
      paymentId: input.paymentId,
      quote: input.quote,
      createdAt: input.now,
    })
    // Asked again (a re-quote): the payer now sees the newest quote, so money is credited at it.
    .onConflictDoUpdate({
      target: [railRefs.rail, railRefs.ref],
      set: { quote: input.quote },
      setWhere: eq(railRefs.paymentId, input.paymentId),
    });
  const owner = await findRailRef(db, input);
  return owner?.paymentId === input.paymentId ? { ok: true } : { ok: false, error: 'taken' };
}

/** The payment a rail's reference names, with the quote it was paid under and the payment's asset. */
export async function findRailRef(db: Db, ref: RailRef): Promise<ResolvedRailRef | null> {
  const [row] = await db.orm
    .select({ paymentId: railRefs.paymentId, quote: railRefs.quote, paymentAsset: payments.asset })
    .from(railRefs)
    .innerJoin(payments, eq(payments.id, railRefs.paymentId))
    .where(and(eq(railRefs.rail, ref.rail), eq(railRefs.ref, ref.ref)));
  return row ?? null;
}

/** A payment's references on a rail that are still in use, oldest first. */
export async function openRailRefs(db: Db, paymentId: string, rail: string): Promise<string[]> {
  const rows = await db.orm
    .select({ ref: railRefs.ref })
    .from(railRefs)
    .where(and(eq(railRefs.paymentId, paymentId), eq(railRefs.rail, rail), isNull(railRefs.closedAt)))
    .orderBy(railRefs.createdAt);
  return rows.map((r) => r.ref);
}

export async function closeRailRef(db: Db, ref: RailRef, now: Date): Promise<void> {
  await db.orm
    .update(railRefs)
    .set({ closedAt: now })
    .where(and(eq(railRefs.rail, ref.rail), eq(railRefs.ref, ref.ref)));
}

/**
 * Payments a rail was chosen for that may still receive money there: open ones, and ones closed
 * within `lateWindowMs` (a payment can land after the deadline and must be seen, as late money).
 */
export async function paymentsAwaitingRail(
  db: Db,
  rail: string,
  now: Date,
  lateWindowMs: number,
  limit = 500,
): Promise<string[]> {
  const rows = await db.orm
    .selectDistinct({ paymentId: railRefs.paymentId, expiresAt: payments.expiresAt })
    .from(railRefs)
    .innerJoin(payments, eq(payments.id, railRefs.paymentId))
    .where(
      and(
        eq(railRefs.rail, rail),
        or(
          inArray(payments.status, ['pending', 'processing', 'partially_paid']),
          gt(payments.expiresAt, new Date(now.getTime() - lateWindowMs)),
        ),
      ),
    )
    .orderBy(payments.expiresAt)
    .limit(limit);
  return rows.map((r) => r.paymentId);
}

/** Payments whose escrow payout is under way (releasing or refunding): the escrow worker's list. */
export async function paymentsWithEscrowUnderWay(db: Db, limit = 500): Promise<string[]> {
  const rows = await db.orm
    .select({ id: payments.id })
    .from(payments)
    // The predicate of payments_escrow_under_way_idx, as literals.
    .where(sql`${payments.escrowStatus} in ('releasing', 'refunding')`)
    .orderBy(payments.updatedAt)
    .limit(limit);
  return rows.map((r) => r.id);
}

/** When a rail's object (`ref`) was first seen for a payment: recorded on first sight, then read. */
export async function firstSeen(db: Db, ref: string, paymentId: string, now: Date): Promise<Date> {
  await db.orm
    .insert(railRefs)
    .values({ rail: 'seen', ref, paymentId, quote: null, createdAt: now })
    .onConflictDoNothing();
  const [row] = await db.orm
    .select({ createdAt: railRefs.createdAt })
    .from(railRefs)
    .where(and(eq(railRefs.rail, 'seen'), eq(railRefs.ref, ref)));
  return row?.createdAt ?? now;
}
