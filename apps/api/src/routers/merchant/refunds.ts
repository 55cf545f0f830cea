import { formatAmount } from '@kassa/core';
import { toTrpcError } from '../../errors';
import { createRefund, CreateRefundInput } from '../../handlers/refunds.handler';
import { merchantProcedure, router } from '../../trpc';

export const refundsRouter = router({
  /** Full or partial refund; `status` is the provider's until its confirmation changes the checkout. */
  create: merchantProcedure.input(CreateRefundInput).mutation(async ({ ctx, input }) => {
    const result = await createRefund(ctx.deps, ctx.merchant, input, ctx.idempotencyKey);
    if (!result.ok) throw toTrpcError(result.error);
    const { id, status, amount } = result.value;
    return {
      id,
      checkoutId: input.checkoutId,
      status,
      amount: { amount: formatAmount(amount), asset: amount.asset.id },
    };
  }),
});
