import { randomUUID } from 'node:crypto';
import {
  compareMoney,
  err,
  formatAmount,
  isPositive,
  ok,
  parseAmount,
  refundDue,
  subtractMoney,
  type Result,
} from '@kassa/core';
import { getCheckout, type MerchantKey } from '@kassa/db';
import type { StripeRefund } from '@kassa/providers';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';

export const CreateRefundInput = z.strictObject({
  checkoutId: z.string().min(1).max(64),
  /** Exact decimal in the checkout's currency; absent = everything not yet refunded. */
  amount: z.string().max(64).optional(),
});
export type CreateRefundInput = z.infer<typeof CreateRefundInput>;

const REFUNDABLE = new Set(['paid', 'overpaid', 'partially_refunded']);
/** Closed checkouts can still hold money (paid late, or before a cancel): that is owed back. */
const CLOSED = new Set(['expired', 'canceled', 'failed']);

/**
 * Gives money back to the payer through the rail that took it (cards: Stripe). Never more than
 * was received less what was refunded; the checkout's status follows when the provider confirms.
 * With an Idempotency-Key, the same key and amount are the same refund, however often sent.
 */
export async function createRefund(
  deps: ApiDeps,
  key: MerchantKey,
  input: CreateRefundInput,
  idempotencyKey: string | null,
): Promise<Result<StripeRefund, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, input.checkoutId, key);
  if (!checkout) return err({ code: 'not_found', message: `No checkout ${input.checkoutId}.` });
  const { payment } = checkout;
  const closed = CLOSED.has(payment.status);
  if (!REFUNDABLE.has(payment.status) && !(closed && isPositive(refundDue(payment)))) {
    return err({
      code: 'checkout_not_refundable',
      message: `A ${payment.status} checkout has nothing to refund.`,
    });
  }
  const refundable = closed ? refundDue(payment) : subtractMoney(payment.received, payment.refunded);
  let amount = refundable;
  if (input.amount !== undefined) {
    const parsed = parseAmount(payment.amountDue.asset, input.amount);
    if (!parsed.ok) return err({ code: 'amount_invalid', message: parsed.error.message });
    amount = parsed.value;
  }
  if (!isPositive(amount))
    return err({ code: 'amount_invalid', message: 'A refund must be more than zero.' });
  if (compareMoney(amount, refundable) === 'gt') {
    return err({
      code: 'amount_invalid',
      message: `At most ${formatAmount(refundable)} ${refundable.asset.id} can be refunded.`,
    });
  }
  const card = deps.card;
  if (!card || card.config.mode !== payment.mode) {
    return err({
      code: 'checkout_not_refundable',
      message: 'This checkout was not paid through a rail that refunds.',
    });
  }
  const refund = await card.refund(payment, amount, idempotencyKey ?? randomUUID());
  return refund.ok ? ok(refund.value) : err({ code: refund.error.code, message: refund.error.message });
}
