import { asc, eq, gt, inArray, max } from 'drizzle-orm';
import type { Database } from './client';
import { outbox } from './schema';

export type OutboxEvent = Readonly<{
  eventId: string;
  paymentId: string;
  merchantId: string;
  sequence: number;
  type: string;
  payload: unknown;
  createdAt: Date;
}>;

/** A payment's events in the order they happened. */
export async function listPaymentEvents(db: Database, paymentId: string): Promise<OutboxEvent[]> {
  return db
    .select({
      eventId: outbox.eventId,
      paymentId: outbox.paymentId,
      merchantId: outbox.merchantId,
      sequence: outbox.sequence,
      type: outbox.type,
      payload: outbox.payload,
      createdAt: outbox.createdAt,
    })
    .from(outbox)
    .where(eq(outbox.paymentId, paymentId))
    .orderBy(asc(outbox.sequence), asc(outbox.id));
}

/** The newest outbox row's id, 0 when there is none: where a tail of the outbox starts. */
export async function latestOutboxId(db: Database): Promise<bigint> {
  const [row] = await db.select({ id: max(outbox.id) }).from(outbox);
  return row?.id ?? 0n;
}

export type OutboxMark = Readonly<{ id: bigint; paymentId: string; sequence: number }>;

/** Outbox rows after `afterId`, oldest first: what a tail of the outbox reads each round. */
export async function listOutboxAfter(db: Database, afterId: bigint, limit: number): Promise<OutboxMark[]> {
  return db
    .select({ id: outbox.id, paymentId: outbox.paymentId, sequence: outbox.sequence })
    .from(outbox)
    .where(gt(outbox.id, afterId))
    .orderBy(asc(outbox.id))
    .limit(limit);
}

/**
 * Outbox rows by id. A tail uses it for ids it skipped: ids are taken at insert but become visible
 * at commit, so on PostgreSQL a lower id can appear after a higher one was read.
 */
export async function listOutboxByIds(db: Database, ids: readonly bigint[]): Promise<OutboxMark[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: outbox.id, paymentId: outbox.paymentId, sequence: outbox.sequence })
    .from(outbox)
    .where(inArray(outbox.id, [...ids]))
    .orderBy(asc(outbox.id));
}
