import { z } from 'zod';
import { toTrpcError } from '../../errors';
import { ListCheckoutsInput, listMerchantCheckouts } from '../../handlers/checkouts.handler';
import { createPayout, CreatePayoutInput, getMerchantPayout } from '../../handlers/payouts.handler';
import { merchantProcedure, router } from '../../trpc';
import { toPayoutView } from '../../views';

const ById = z.strictObject({ id: z.string().min(1).max(64) });

/** Payouts: tokens sent from the SHKeeper wallet, outgoing payments with their own audit trail. */
export const payoutsRouter = router({
  create: merchantProcedure.input(CreatePayoutInput).mutation(async ({ ctx, input }) => {
    const result = await createPayout(ctx.deps, ctx.merchant, input, ctx.idempotencyKey);
    if (!result.ok) throw toTrpcError(result.error);
    return toPayoutView(result.value);
  }),
  get: merchantProcedure.input(ById).query(async ({ ctx, input }) => {
    const result = await getMerchantPayout(ctx.deps, ctx.merchant, input.id);
    if (!result.ok) throw toTrpcError(result.error);
    return toPayoutView(result.value);
  }),
  list: merchantProcedure.input(ListCheckoutsInput).query(async ({ ctx, input }) => {
    const result = await listMerchantCheckouts(ctx.deps, ctx.merchant, input, 'out');
    if (!result.ok) throw toTrpcError(result.error);
    return { data: result.value.items.map(toPayoutView), nextCursor: result.value.nextCursor };
  }),
});
