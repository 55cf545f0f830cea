import { err, ok, parseAmount, type Checkout, type Result } from '@kassa/core';
import { getCheckout, newId, processInboxEvent, storeInboxEvent, type MerchantKey } from '@kassa/db';
import { SANDBOX_OUTCOMES } from '@kassa/providers';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';

export const SimulateInput = z.strictObject({
  checkoutId: z.string().min(1).max(64),
  outcome: z.enum(SANDBOX_OUTCOMES),
  /** For pay / pay_part / overpay: the exact amount to move, in the checkout's currency. */
  amount: z.string().max(64).optional(),
});
export type SimulateInput = z.infer<typeof SimulateInput>;

/**
 * Plays the sandbox provider for a test checkout. The simulated event goes through the intake
 * every real rail uses (inbox, decode, applyObservation), drained right away so the caller sees
 * the outcome in the answer.
 */
export async function simulateOutcome(
  deps: ApiDeps,
  scope: Pick<MerchantKey, 'merchantId' | 'mode'>,
  input: SimulateInput,
): Promise<Result<Checkout, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, input.checkoutId, scope);
  if (!checkout) return err({ code: 'not_found', message: `No checkout ${input.checkoutId}.` });
  if (!checkout.rails.includes('sandbox')) {
    return err({ code: 'rail_not_allowed', message: 'This checkout does not allow the sandbox rail.' });
  }
  let amount;
  if (input.amount !== undefined) {
    const parsed = parseAmount(checkout.payment.amountDue.asset, input.amount);
    if (!parsed.ok) return err({ code: 'amount_invalid', message: parsed.error.message });
    amount = parsed.value;
  }
  const now = deps.clock();
  const event = deps.sandbox.simulate(
    checkout.payment,
    { outcome: input.outcome, amount },
    now,
    newId('sbx_'),
  );
  if (!event.ok)
    return err({
      code: event.error.code === 'amount_invalid' ? 'amount_invalid' : 'sandbox_live_payment',
      message: event.error.message,
    });

  const stored = await storeInboxEvent(deps.db, event.value, now);
  const processed = await processInboxEvent(
    deps.db,
    { sandbox: (e) => deps.sandbox.observe(e) },
    stored.id,
    now,
  );
  const refused = processed?.results.find((r) => r.type === 'rejected');
  if (refused?.type === 'rejected') {
    return err({
      code: 'observation_rejected',
      message: `The payment refused this signal: ${refused.reason}.`,
    });
  }
  if (!processed || processed.error)
    throw new Error(`sandbox event not applied: ${processed?.error ?? 'vanished'}`);
  deps.log.info({ paymentId: checkout.payment.id, outcome: input.outcome }, 'sandbox outcome simulated');
  const updated = await getCheckout(deps.db.orm, input.checkoutId, scope);
  return updated ? ok(updated) : err({ code: 'not_found', message: `No checkout ${input.checkoutId}.` });
}
