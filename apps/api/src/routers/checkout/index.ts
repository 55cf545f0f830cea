import { SANDBOX_OUTCOMES } from '@kassa/providers';
import { z } from 'zod';
import { toTrpcError } from '../../errors';
import {
  getPublicCheckout,
  PublicCheckoutInput,
  selectRail,
  SelectRailInput,
} from '../../handlers/public-checkout.handler';
import { simulateOutcome } from '../../handlers/sandbox.handler';
import {
  buildStellarTransaction,
  BuildStellarTransactionInput,
  confirmTransaction,
  ConfirmTransactionInput,
  submitStellarTransaction,
  SubmitStellarTransactionInput,
} from '../../handlers/stellar.handler';
import { checkoutProcedure, router } from '../../trpc';
import { toPublicCheckoutView, type PublicCheckoutView } from '../../views';

const CheckoutStatusInput = z.strictObject({
  ...PublicCheckoutInput.shape,
  /** The sequence the caller shows already: the view comes back only if it moved past it. */
  afterSequence: z.number().int().min(0).optional(),
});

/** Public procedures for the payer's widget, by checkout id, with the merchant's publishable key. */
export const checkoutRouter = router({
  get: checkoutProcedure.input(PublicCheckoutInput).query(async ({ ctx, input }) => {
    const result = await getPublicCheckout(ctx.deps, ctx.merchant, input.checkoutId);
    if (!result.ok) throw toTrpcError(result.error);
    return toPublicCheckoutView(result.value.checkout, result.value.merchantName);
  }),
  /** Polling fallback for live status (`/live/{id}` is the stream). */
  status: checkoutProcedure
    .input(CheckoutStatusInput)
    .query(async ({ ctx, input }): Promise<{ changed: boolean; checkout: PublicCheckoutView | null }> => {
      const result = await getPublicCheckout(ctx.deps, ctx.merchant, input.checkoutId);
      if (!result.ok) throw toTrpcError(result.error);
      const view = toPublicCheckoutView(result.value.checkout, result.value.merchantName);
      const changed = input.afterSequence === undefined || view.sequence > input.afterSequence;
      return { changed, checkout: changed ? view : null };
    }),
  selectRail: checkoutProcedure.input(SelectRailInput).mutation(async ({ ctx, input }) => {
    const result = await selectRail(ctx.deps, ctx.merchant, input);
    if (!result.ok) throw toTrpcError(result.error);
    return result.value;
  }),
  /** An unsigned Stellar payment from the payer's account, for their wallet to sign. */
  buildStellarTransaction: checkoutProcedure
    .input(BuildStellarTransactionInput)
    .mutation(async ({ ctx, input }) => {
      const result = await buildStellarTransaction(ctx.deps, ctx.merchant, input);
      if (!result.ok) throw toTrpcError(result.error);
      return result.value;
    }),
  /** The payer's signed payment: checked, submitted to the network, taken in; answers with the checkout. */
  submitStellarTransaction: checkoutProcedure
    .input(SubmitStellarTransactionInput)
    .mutation(async ({ ctx, input }) => {
      const result = await submitStellarTransaction(ctx.deps, ctx.merchant, input);
      if (!result.ok) throw toTrpcError(result.error);
      return { txHash: result.value.txHash, checkout: await publicView(ctx, input.checkoutId) };
    }),
  /** "I have paid": the transaction is read from the ledger and verified like any the watcher sees. */
  confirmTransaction: checkoutProcedure.input(ConfirmTransactionInput).mutation(async ({ ctx, input }) => {
    const result = await confirmTransaction(ctx.deps, ctx.merchant, input);
    if (!result.ok) throw toTrpcError(result.error);
    return { txHash: result.value.txHash, checkout: await publicView(ctx, input.checkoutId) };
  }),
  /** The widget's sandbox buttons (test checkouts only). */
  simulate: checkoutProcedure
    .input(z.strictObject({ checkoutId: z.string().min(1).max(64), outcome: z.enum(SANDBOX_OUTCOMES) }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.merchant.mode !== 'test') {
        throw toTrpcError({ code: 'sandbox_live_payment', message: 'The sandbox only takes test payments.' });
      }
      const result = await simulateOutcome(ctx.deps, ctx.merchant, input);
      if (!result.ok) throw toTrpcError(result.error);
      return publicView(ctx, input.checkoutId);
    }),
});

async function publicView(
  ctx: { deps: Parameters<typeof getPublicCheckout>[0]; merchant: Parameters<typeof getPublicCheckout>[1] },
  checkoutId: string,
): Promise<PublicCheckoutView> {
  const view = await getPublicCheckout(ctx.deps, ctx.merchant, checkoutId);
  if (!view.ok) throw toTrpcError(view.error);
  return toPublicCheckoutView(view.value.checkout, view.value.merchantName);
}
