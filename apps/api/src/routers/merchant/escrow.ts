import { toTrpcError } from '../../errors';
import { EscrowInput, requestEscrowPayout } from '../../handlers/escrow.handler';
import { merchantProcedure, router } from '../../trpc';
import { toCheckoutView } from '../../views';

/** Escrow: pay the held money to the seller, or back to the buyer. */
export const escrowRouter = router({
  release: merchantProcedure.input(EscrowInput).mutation(async ({ ctx, input }) => {
    const result = await requestEscrowPayout(ctx.deps, ctx.merchant, 'release', input);
    if (!result.ok) throw toTrpcError(result.error);
    return toCheckoutView(result.value, ctx.deps.publicUrl);
  }),
  refund: merchantProcedure.input(EscrowInput).mutation(async ({ ctx, input }) => {
    const result = await requestEscrowPayout(ctx.deps, ctx.merchant, 'refund', input);
    if (!result.ok) throw toTrpcError(result.error);
    return toCheckoutView(result.value, ctx.deps.publicUrl);
  }),
});
