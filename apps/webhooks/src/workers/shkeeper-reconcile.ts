import { paymentsAwaitingRail, storeInboxEvent, takeCursorLease, type Db } from '@kassa/db';
import type { EvmRail } from '@kassa/providers';

/** A payment can still land this long after its checkout closed; it is polled so it is seen as late. */
export const LATE_WINDOW_MS = 24 * 60 * 60_000;

/**
 * Reads back from SHKeeper every invoice a payer may still be paying, and stores what it says in
 * the inbox: a lost callback still settles the checkout. Transactions already counted are
 * duplicates there (each counts once by its txid). One poller at a time, by a lease.
 */
export async function reconcileShkeeper(
  db: Db,
  rail: Pick<EvmRail, 'invoiceEvent'>,
  options: Readonly<{ holder: string; leaseMs: number; now: Date }>,
): Promise<{ busy: boolean; polled: number; added: number; failed: number }> {
  if (!(await takeCursorLease(db, 'shkeeper:invoices', options.holder, options.leaseMs))) {
    return { busy: true, polled: 0, added: 0, failed: 0 };
  }
  const paymentIds = await paymentsAwaitingRail(db, 'evm', options.now, LATE_WINDOW_MS);
  let added = 0;
  let failed = 0;
  for (const paymentId of paymentIds) {
    const event = await rail.invoiceEvent(paymentId, options.now);
    if (!event.ok) {
      failed++;
      continue;
    }
    if (event.value && !(await storeInboxEvent(db, event.value, options.now)).duplicate) added++;
  }
  return { busy: false, polled: paymentIds.length, added, failed };
}
