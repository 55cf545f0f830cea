import { applyObservation, getCheckout, payoutsUnderWay, takeCursorLease, type Db } from '@kassa/db';
import { payoutAmount, payoutSentSignal, SHKEEPER_CRYPTOS, type EvmRail } from '@kassa/providers';
import { fileTask, RESEND_AFTER_MS, taskOutcome } from './escrow-payouts';

/**
 * Carries merchants' payouts through: each one pending or sent is looked up at SHKeeper by its id.
 * Never received: sent now (its id keeps it once). Done: paid. Failed: failed (SHKeeper sends no
 * failure callback, so this is the only way to learn it). One worker at a time, by a lease.
 */
export async function advancePayouts(
  db: Db,
  rail: Pick<EvmRail, 'payoutOutcome' | 'sendPayout' | 'taskOutcome' | 'config'>,
  options: Readonly<{ holder: string; leaseMs: number; now: Date }>,
): Promise<{ busy: boolean; checked: number; changed: number }> {
  if (!(await takeCursorLease(db, 'shkeeper:payouts', options.holder, options.leaseMs))) {
    return { busy: true, checked: 0, changed: 0 };
  }
  let changed = 0;
  const ids = await payoutsUnderWay(db.orm);
  for (const id of ids) {
    const payout = await getCheckout(db.orm, id);
    if (!payout?.payoutDestination || payout.payment.mode !== rail.config.mode) continue;
    const { payment } = payout;
    const crypto = SHKEEPER_CRYPTOS[payment.amountDue.asset.id];
    if (!crypto) continue;
    const polled = await rail.payoutOutcome(crypto, id);
    if (!polled.ok) continue;
    const outcome = {
      value: polled.value === 'in_progress' ? await taskOutcome(db, rail, crypto, id) : polled.value,
    };
    if (outcome.value === 'in_progress') continue;
    const at = options.now;
    let applied;
    if (outcome.value === 'unknown') {
      // Not while a first send may still be in flight (SHKeeper's duplicate check is not atomic).
      if (options.now.getTime() - payment.createdAt.getTime() < RESEND_AFTER_MS) continue;
      const sent = await rail.sendPayout(
        { crypto, amount: payoutAmount(payment.amountDue) },
        payout.payoutDestination,
        id,
      );
      if (!sent.ok) continue;
      await fileTask(db, id, sent.value.taskId, at);
      applied = await applyObservation(
        db,
        id,
        { source: 'shkeeper', externalId: `payout-submitted:${id}`, occurredAt: at, type: 'seen' },
        at,
      );
    } else if (outcome.value === 'success') {
      const signal = payoutSentSignal(id, payment.amountDue, at, payment.mode);
      applied = await applyObservation(db, id, signal.observation, at);
    } else {
      applied = await applyObservation(
        db,
        id,
        {
          source: 'shkeeper',
          externalId: `payout-failed:${id}`,
          occurredAt: at,
          type: 'failed',
          reason: 'SHKeeper could not send the payout',
        },
        at,
      );
    }
    if (applied.type === 'changed') changed++;
  }
  return { busy: false, checked: ids.length, changed };
}
