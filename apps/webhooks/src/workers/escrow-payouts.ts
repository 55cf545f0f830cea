import { activeEscrowRequest } from '@kassa/core';
import {
  applyObservation,
  getCheckout,
  openRailRefs,
  paymentsWithEscrowUnderWay,
  PAYOUT_TASK,
  registerRailRef,
  takeCursorLease,
  type Db,
} from '@kassa/db';
import { escrowPayoutObservation, type EvmRail, type PayoutOutcome } from '@kassa/providers';

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
  rail: Pick<EvmRail, 'payoutOutcome' | 'sendPayout' | 'taskOutcome' | 'config'>,
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
    const polled = await rail.payoutOutcome(funds.crypto, request.payoutRef);
    if (!polled.ok) continue;
    if (polled.value === 'unknown') {
      // SHKeeper checks a payout's external id before it writes it down, so a send still in flight
      // is invisible: send again only when the first has surely failed to arrive.
      if (options.now.getTime() - request.occurredAt.getTime() < RESEND_AFTER_MS) continue;
      const resent = await rail.sendPayout(funds, request.destination, request.payoutRef);
      if (resent.ok) {
        sent++;
        await fileTask(db, id, resent.value.taskId, options.now);
      }
      continue;
    }
    const outcome =
      polled.value === 'in_progress' ? await taskOutcome(db, rail, funds.crypto, id) : polled.value;
    if (outcome === 'in_progress' || outcome === 'unknown') continue;
    const signal = escrowPayoutObservation(request.payoutRef, outcome, options.now, checkout.payment.mode);
    if (!signal || !('paymentId' in signal)) continue;
    const applied = await applyObservation(db, signal.paymentId, signal.observation, options.now);
    if (applied.type === 'changed') settled++;
  }
  return { busy: false, checked: ids.length, sent, settled };
}

/** Keeps a payout's SHKeeper task id, to read the task when payout/status cannot say. */
export async function fileTask(db: Db, paymentId: string, taskId: string | null, now: Date): Promise<void> {
  if (taskId) await registerRailRef(db, { rail: PAYOUT_TASK, ref: taskId, paymentId, quote: null, now });
}

/**
 * A payout SHKeeper's payout/status keeps "in progress": its newest task says how it really ended
 * (an item in error never leaves payout/status in progress otherwise).
 */
export async function taskOutcome(
  db: Db,
  rail: Pick<EvmRail, 'taskOutcome'>,
  crypto: string,
  paymentId: string,
): Promise<PayoutOutcome> {
  const taskId = (await openRailRefs(db, paymentId, PAYOUT_TASK)).at(-1);
  if (!taskId) return 'in_progress';
  const outcome = await rail.taskOutcome(crypto, taskId);
  return outcome.ok ? outcome.value : 'in_progress';
}
