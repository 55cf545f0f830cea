import { err, ok, type Checkout, type Result } from '@kassa/core';
import { getCheckout, processInboxEvent, storeInboxEvent, type MerchantKey } from '@kassa/db';
import {
  isStellarAccount,
  stellarMemoFor,
  type ProviderEvent,
  type StellarError,
  type StellarRail,
  type UnsignedPayment,
} from '@kassa/providers';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';
import { fileReference as fileRailReference, railContext } from './public-checkout.handler';

const CheckoutId = z.string().min(1).max(64);

export const BuildStellarTransactionInput = z.strictObject({
  checkoutId: CheckoutId,
  payerAccount: z.string().refine(isStellarAccount, 'a Stellar account id (G…)'),
  asset: z.string().max(32).optional(),
});
export type BuildStellarTransactionInput = z.infer<typeof BuildStellarTransactionInput>;

export const SubmitStellarTransactionInput = z.strictObject({
  checkoutId: CheckoutId,
  /** A signed TransactionEnvelope, base64 XDR; one payment is a few hundred bytes. */
  signedXdr: z.string().min(1).max(20_000),
  asset: z.string().max(32).optional(),
});
export type SubmitStellarTransactionInput = z.infer<typeof SubmitStellarTransactionInput>;

export const ConfirmTransactionInput = z.strictObject({
  checkoutId: CheckoutId,
  txHash: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a transaction hash (64 hex characters)'),
});
export type ConfirmTransactionInput = z.infer<typeof ConfirmTransactionInput>;

type StellarCheckout = Readonly<{ checkout: Checkout; rail: StellarRail }>;

/** The checkout, if the payer may pay it on Stellar through this gateway. */
async function stellarCheckout(
  deps: ApiDeps,
  key: MerchantKey,
  checkoutId: string,
): Promise<Result<StellarCheckout, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, checkoutId, key);
  if (!checkout) return err({ code: 'not_found', message: 'This checkout does not exist.' });
  if (!checkout.rails.includes('stellar')) {
    return err({ code: 'rail_not_allowed', message: 'This checkout cannot be paid on Stellar.' });
  }
  const rail = deps.stellar;
  if (!rail || rail.config.mode !== checkout.payment.mode) {
    return err({ code: 'rail_unavailable', message: 'The Stellar rail is not configured.' });
  }
  return ok({ checkout, rail });
}

/** Files the memo (and its quote) the same way choosing the rail does: a payer may skip that step. */
async function fileReference(
  deps: ApiDeps,
  key: MerchantKey,
  { checkout, rail }: StellarCheckout,
  asset: string | undefined,
) {
  const context = await railContext(deps, key, checkout, asset);
  const instructions = await rail.instructions(checkout, context);
  if (!instructions.ok) return instructions;
  const filed = await fileRailReference(deps, checkout, 'stellar', instructions.value.reference);
  return filed.ok ? ok(context) : filed;
}

/** An unsigned payment for the payer's wallet to sign: from their account, for what is due. */
export async function buildStellarTransaction(
  deps: ApiDeps,
  key: MerchantKey,
  input: BuildStellarTransactionInput,
): Promise<Result<UnsignedPayment, KassaError>> {
  const found = await stellarCheckout(deps, key, input.checkoutId);
  if (!found.ok) return found;
  const context = await fileReference(deps, key, found.value, input.asset);
  if (!context.ok) return context;
  const built = await found.value.rail.buildPayment(found.value.checkout, input.payerAccount, context.value);
  return built.ok ? built : err(kassaError(built.error));
}

/** The payer's signed payment: checked against what Kassa would build, submitted, and taken in. */
export async function submitStellarTransaction(
  deps: ApiDeps,
  key: MerchantKey,
  input: SubmitStellarTransactionInput,
): Promise<Result<{ txHash: string }, KassaError>> {
  const found = await stellarCheckout(deps, key, input.checkoutId);
  if (!found.ok) return found;
  const context = await fileReference(deps, key, found.value, input.asset);
  if (!context.ok) return context;
  const submitted = await found.value.rail.submitPayment(
    found.value.checkout,
    input.signedXdr,
    context.value,
  );
  if (!submitted.ok) return err(kassaError(submitted.error));
  if (submitted.value.event) await takeIn(deps, found.value.rail, submitted.value.event);
  return ok({ txHash: submitted.value.txHash });
}

/**
 * "I have paid": the payer (or merchant) names a transaction; Kassa reads it from the ledger and
 * applies it through the same verification as the watcher, so it works while the watcher is down.
 * A transaction that pays another checkout is still taken in (it is real money), but said so.
 */
export async function confirmTransaction(
  deps: ApiDeps,
  key: MerchantKey,
  input: ConfirmTransactionInput,
): Promise<Result<{ txHash: string }, KassaError>> {
  const found = await stellarCheckout(deps, key, input.checkoutId);
  if (!found.ok) return found;
  const event = await found.value.rail.transactionEvent(input.txHash);
  if (!event.ok) return err(kassaError(event.error));
  const taken = await takeIn(deps, found.value.rail, event.value);
  // Real money, but it did not count (XLM sent to a USD checkout, say): the payer must hear so.
  const refused = taken?.results.find((r) => r.type === 'rejected');
  if (refused?.type === 'rejected' && refused.payment.id === found.value.checkout.payment.id) {
    return err({
      code: 'observation_rejected',
      message: `This transaction does not pay this checkout (${refused.reason}).`,
    });
  }
  const memo = stellarMemoFor(found.value.checkout.payment.id);
  const decoded = found.value.rail.observe(event.value);
  const forThis = decoded.ok && decoded.value.some((s) => 'railRef' in s && s.railRef.ref === memo);
  if (!forThis) {
    return err({
      code: 'transaction_not_for_checkout',
      message: decoded.ok
        ? 'This transaction does not pay this checkout (its memo, destination or asset differ).'
        : decoded.error.message,
    });
  }
  return ok({ txHash: event.value.eventId });
}

/** Stored in the inbox (once, whoever reported it first) and applied at once. */
async function takeIn(deps: ApiDeps, rail: StellarRail, event: ProviderEvent) {
  const now = deps.clock();
  const stored = await storeInboxEvent(deps.db, event, now);
  return processInboxEvent(deps.db, { stellar: (e) => rail.observe(e) }, stored.id, now);
}

function kassaError(error: StellarError): KassaError {
  return { code: error.code, message: error.message };
}
