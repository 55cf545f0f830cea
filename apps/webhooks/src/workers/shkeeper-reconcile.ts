import { firstSeen, paymentsAwaitingRail, storeInboxEvent, takeCursorLease, type Db } from '@kassa/db';
import { invoiceEvent, type EvmRail } from '@kassa/providers';

/** A payment can still land this long after its checkout closed; it is polled so it is seen as late. */
export const LATE_WINDOW_MS = 24 * 60 * 60_000;
/**
 * SHKeeper's read-back calls a transaction CONFIRMED at one block (its callback waits for the
 * wallet's confirmations). A transaction found only by reading back counts once it has been listed
 * this long, so a block that is reorganised away never pays.
 */
export const READ_BACK_AGE_MS = 10 * 60_000;

/**
 * Reads back from SHKeeper every invoice a payer may still be paying, and stores what it says in
 * the inbox: a lost callback still settles the checkout. Transactions already counted are
 * duplicates there (each counts once by its txid). One poller at a time, by a lease.
 */
export async function reconcileShkeeper(
  db: Db,
  rail: Pick<EvmRail, 'client'>,
  options: Readonly<{ holder: string; leaseMs: number; now: Date }>,
): Promise<{ busy: boolean; polled: number; added: number; failed: number }> {
  if (!(await takeCursorLease(db, 'shkeeper:invoices', options.holder, options.leaseMs))) {
    return { busy: true, polled: 0, added: 0, failed: 0 };
  }
  const paymentIds = await paymentsAwaitingRail(db, 'evm', options.now, LATE_WINDOW_MS);
  let added = 0;
  let failed = 0;
  for (const paymentId of paymentIds) {
    const invoice = await rail.client.invoice(paymentId);
    if (!invoice.ok) {
      failed++;
      continue;
    }
    if (!invoice.value) continue;
    const aged = [];
    for (const tx of invoice.value.txs) {
      const seen = await firstSeen(db, `shkeeper-tx:${tx.crypto}:${tx.txid}`, paymentId, options.now);
      if (tx.status === 'CONFIRMED' && options.now.getTime() - seen.getTime() >= READ_BACK_AGE_MS)
        aged.push(tx);
    }
    if (aged.length === 0) continue;
    const event = invoiceEvent({ ...invoice.value, txs: aged }, options.now);
    if (!(await storeInboxEvent(db, event, options.now)).duplicate) added++;
  }
  return { busy: false, polled: paymentIds.length, added, failed };
}
