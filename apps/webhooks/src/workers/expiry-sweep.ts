import { applyObservation, listExpiredOpenPayments, type Db } from '@kassa/db';

/**
 * Expires open checkouts whose time is up. The observation is dated at the checkout's own expiry,
 * not at the sweep, so a payment made just before it still counts however late the sweep runs.
 * Its id is fixed per payment: several sweepers racing apply it once.
 */
export async function sweepExpired(db: Db, now: Date, batch = 200): Promise<number> {
  const due = await listExpiredOpenPayments(db.orm, now, batch);
  let expired = 0;
  for (const { id, expiresAt } of due) {
    const result = await applyObservation(
      db,
      id,
      { type: 'expired', source: 'clock', externalId: `expire:${id}`, occurredAt: expiresAt },
      now,
    );
    if (result.type === 'changed') expired += 1;
  }
  return expired;
}
