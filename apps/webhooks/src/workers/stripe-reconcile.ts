import { advanceCursor, storeInboxEvent, takeCursorLease, type Db } from '@kassa/db';
import type { StripeRail } from '@kassa/providers';
import type { Logger } from 'pino';

/** How far back a first read (or a read after Stripe forgot the cursor) goes. */
export const RECONCILE_LOOKBACK_MS = 60 * 60_000;
/** Stripe keeps events this long. */
const STRIPE_RETENTION_MS = 30 * 24 * 60 * 60_000;

export type ReconcileOutcome = Readonly<{
  /** Another worker holds the lease: this one read nothing. */
  busy: boolean;
  read: number;
  /** Events that had not come as webhooks. */
  added: number;
}>;

export type ReconcileOptions = Readonly<{
  /** Who reads: one worker at a time per Stripe account mode, by a lease in the database. */
  holder: string;
  leaseMs: number;
  now: Date;
  lookbackMs?: number;
  log?: Pick<Logger, 'warn'>;
}>;

/**
 * Reads the card events Stripe raised since the stored cursor, oldest first, and stores each in
 * the inbox as if its webhook had come. Events that did come are already there (unique by id), so
 * this adds only the lost ones, and a webhook racing it stores the event once. The cursor moves
 * after each page is stored, so a crash re-reads at most one page (which the inbox dedupes).
 */
export async function reconcileStripe(
  db: Db,
  card: Pick<StripeRail, 'readEvents' | 'config'>,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const name = `stripe:events:${card.config.mode}`;
  const lease = await takeCursorLease(db, name, options.holder, options.leaseMs);
  if (!lease) return { busy: true, read: 0, added: 0 };
  const since = new Date(options.now.getTime() - (options.lookbackMs ?? RECONCILE_LOOKBACK_MS));
  let cursor = lease.cursor;
  let read = 0;
  let added = 0;
  for (;;) {
    let page = await card.readEvents(cursor, since);
    // Stripe keeps events 30 days: a cursor it forgot starts over from as far back as it keeps.
    if (!page.ok && page.error.code === 'cursor_unknown') {
      options.log?.warn({ cursor }, 'Stripe no longer knows the reconciliation cursor: reading back 30 days');
      page = await card.readEvents(null, new Date(options.now.getTime() - STRIPE_RETENTION_MS));
    }
    if (!page.ok) throw new Error(page.error.message);
    for (const event of page.value.events) {
      const stored = await storeInboxEvent(db, event, options.now);
      if (!stored.duplicate) added++;
    }
    read += page.value.events.length;
    const newest = page.value.events.at(-1);
    if (!newest) break;
    cursor = newest.eventId;
    // Lost the lease (paused past it): another worker carries on from the stored cursor.
    if (!(await advanceCursor(db, name, options.holder, cursor, options.leaseMs))) break;
    if (!page.value.hasMore) break;
  }
  return { busy: false, read, added };
}
