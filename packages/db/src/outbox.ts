import { asc, eq } from 'drizzle-orm';
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
