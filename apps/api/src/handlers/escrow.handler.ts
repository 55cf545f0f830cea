import { activeEscrowRequest, err, ok, type Checkout, type Result } from '@kassa/core';
import { applyObservation, getCheckout, PAYOUT_TASK, registerRailRef, type MerchantKey } from '@kassa/db';
import { escrowFunds, escrowPayoutRef, parseDestination } from '@kassa/providers';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';

export const EscrowInput = z.strictObject({
  checkoutId: z.string().min(1).max(64),
  /** The seller's (release) or the buyer's (refund) address on the network the money came in on. */
  destination: z.string().min(1).max(120),
});
export type EscrowInput = z.infer<typeof EscrowInput>;

/**
 * Pays a funded escrow out: to the seller (release) or back to the buyer (refund), as a SHKeeper
 * payout of everything received, in the token it came in. Release and refund exclude each other:
 * the request is a fact applied under the payment's lock, so of two fired together exactly one
 * takes effect and the other gets `escrow_conflict`. Asking again for the same thing while it is
 * under way (or done) answers with the checkout as it is. The escrow becomes released or refunded
 * only when SHKeeper confirms the payout; a failed one can be asked again.
 */
export async function requestEscrowPayout(
  deps: ApiDeps,
  key: MerchantKey,
  direction: 'release' | 'refund',
  input: EscrowInput,
): Promise<Result<Checkout, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, input.checkoutId, key);
  if (!checkout) return err({ code: 'not_found', message: `No checkout ${input.checkoutId}.` });
  const { payment } = checkout;
  if (!payment.escrow) return err({ code: 'escrow_conflict', message: 'This checkout holds no escrow.' });
  const rail = deps.evm;
  if (!rail || rail.config.mode !== payment.mode) {
    return err({ code: 'rail_unavailable', message: 'Escrow payouts need the EVM rail (SHKeeper).' });
  }
  const active = activeEscrowRequest(payment);
  const underWay = direction === 'release' ? ['releasing', 'released'] : ['refunding', 'refunded'];
  if (active?.direction === direction && underWay.includes(payment.escrowStatus ?? '')) {
    // The same request again is the same request; another destination is not.
    if (active.destination.toLowerCase() === input.destination.toLowerCase()) return ok(checkout);
    return err({
      code: 'escrow_conflict',
      message: `This escrow is already being paid to ${active.destination}.`,
    });
  }

  const funds = escrowFunds(payment);
  if (!funds) {
    return err({
      code: 'escrow_conflict',
      message: 'This escrow holds nothing Kassa can pay out (nothing received, or several tokens).',
    });
  }
  const destination = parseDestination(funds.network, input.destination);
  if (!destination.ok) return err({ code: 'destination_invalid', message: destination.error });

  const attempt = payment.facts.filter((f) => f.type === 'escrow_requested').length + 1;
  const payoutRef = escrowPayoutRef(payment.id, direction, attempt);
  const applied = await applyObservation(
    deps.db,
    payment.id,
    {
      source: 'merchant',
      externalId: payoutRef,
      occurredAt: deps.clock(),
      type: 'escrow_requested',
      direction,
      payoutRef,
      destination: destination.value,
      payout: { asset: funds.crypto, amount: funds.amount },
    },
    deps.clock(),
  );
  if (applied.type !== 'changed') {
    return err({
      code: 'escrow_conflict',
      message: `The escrow is ${applied.type === 'not_found' ? 'gone' : (applied.payment.escrowStatus ?? 'not held')}: it cannot be ${direction === 'release' ? 'released' : 'refunded'} now.`,
    });
  }
  // Sent now; if SHKeeper cannot be reached, the escrow worker sends it (the payout ref keeps it once).
  const sent = await rail.sendPayout(funds, destination.value, payoutRef);
  if (sent.ok && sent.value.taskId) {
    await registerRailRef(deps.db, {
      rail: PAYOUT_TASK,
      ref: sent.value.taskId,
      paymentId: payment.id,
      quote: null,
      now: deps.clock(),
    });
  }
  if (!sent.ok && sent.error.code === 'provider_unavailable') {
    deps.log.warn(
      { payoutRef, reason: sent.error.message },
      'escrow payout not sent yet; the worker retries',
    );
  } else if (!sent.ok) {
    // SHKeeper refused it (credentials, a disabled token): failed, so it may be asked again.
    await applyObservation(
      deps.db,
      payment.id,
      {
        source: 'shkeeper',
        externalId: `payout-refused:${payoutRef}`,
        occurredAt: deps.clock(),
        type: 'escrow_failed',
        payoutRef,
        reason: sent.error.message,
      },
      deps.clock(),
    );
  }
  const after = await getCheckout(deps.db.orm, payment.id, key);
  return after ? ok(after) : err({ code: 'not_found', message: `No checkout ${input.checkoutId}.` });
}
