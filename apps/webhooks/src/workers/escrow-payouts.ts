import { activeEscrowRequest } from '@kassa/core';
import {
  applyObservation,
  getCheckout,
  paymentsWithEscrowUnderWay,
  takeCursorLease,
  type Db,
} from '@kassa/db';
import { escrowPayoutObservation, type EvmRail } from '@kassa/providers';

/** A payout SHKeeper has not heard of is sent again only this long after it was first asked for. */
export const RESEND_AFTER_MS = 10 * 60_000;

/**
 * Carries escrow payouts through: each release or refund under way is looked up at SHKeeper by its
 * payout ref. Never received (SHKeeper was down when it was asked): sent now, once, by that ref.
 * Done or failed: applied as a fact, since SHKeeper sends no failure callback at all and its success
 * callback may be lost. One worker at a time, by a lease.
 */
export async function advanceEscrowPayouts(
  db: Db,
  rail: Pick<EvmRail, 'payoutOutcome' | 'sendPayout' | 'config'>,
  options: Readonly<{ holder: string; leaseMs: number; now: Date }>,
): Promise<{ busy: boolean; checked: number; sent: number; settled: number }> {
  if (!(await takeCursorLease(db, 'shkeeper:escrow', options.holder, options.leaseMs))) {
    return { busy: true, checked: 0, sent: 0, settled: 0 };
  }
  let sent = 0;
  let settled = 0;
  const ids = await paymentsWithEscrowUnderWay(db);
  for (const id of ids) {
    const checkout = await getCheckout(db.orm, id);
    const request = checkout ? activeEscrowRequest(checkout.payment) : null;
    if (!checkout || !request || checkout.payment.mode !== rail.config.mode) continue;
    const funds = { crypto: request.payout.asset, amount: request.payout.amount };
    const outcome = await rail.payoutOutcome(funds.crypto, request.payoutRef);
    if (!outcome.ok) continue;
    if (outcome.value === 'unknown') {
      // SHKeeper checks a payout's external id before it writes it down, so a send still in flight
      // is invisible: send again only when the first has surely failed to arrive.
      if (options.now.getTime() - request.occurredAt.getTime() < RESEND_AFTER_MS) continue;
      if ((await rail.sendPayout(funds, request.destination, request.payoutRef)).ok) sent++;
      continue;
    }
    if (outcome.value === 'in_progress') continue;
    const signal = escrowPayoutObservation(
      request.payoutRef,
      outcome.value,
      options.now,
      checkout.payment.mode,
    );
    if (!signal || !('paymentId' in signal)) continue;
    const applied = await applyObservation(db, signal.paymentId, signal.observation, options.now);
    if (applied.type === 'changed') settled++;
  }
  return { busy: false, checked: ids.length, sent, settled };
}
