import { storeInboxEvent, type Db } from '@kassa/db';
import type { StripeRail } from '@kassa/providers';

/** How far back a reconciliation reads: a webhook lost within this window is still caught. */
export const RECONCILE_LOOKBACK_MS = 60 * 60_000;

/**
 * Reads the card events Stripe raised recently and stores each in the inbox, as if its webhook had
 * come. Events that did come are already there (unique by id), so this adds only the lost ones, and
 * a webhook racing it stores the event once: one effect either way.
 */
export async function reconcileStripe(
  db: Db,
  card: Pick<StripeRail, 'recentEvents'>,
  now: Date,
  lookbackMs = RECONCILE_LOOKBACK_MS,
): Promise<{ read: number; added: number }> {
  const events = await card.recentEvents(new Date(now.getTime() - lookbackMs));
  if (!events.ok) throw new Error(events.error.message);
  let added = 0;
  for (const event of events.value) {
    const stored = await storeInboxEvent(db, event, now);
    if (!stored.duplicate) added++;
  }
  return { read: events.value.length, added };
}
