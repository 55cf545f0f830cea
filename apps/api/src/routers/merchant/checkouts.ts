import { z } from 'zod';
import { toTrpcError } from '../../errors';
import {
  cancelCheckout,
  checkoutAudit,
  createCheckout,
  CreateCheckoutInput,
  getMerchantCheckout,
  ListCheckoutsInput,
  listMerchantCheckouts,
} from '../../handlers/checkouts.handler';
import { merchantProcedure, router } from '../../trpc';
import { toAuditView, toCheckoutView } from '../../views';

const ById = z.strictObject({ id: z.string().min(1).max(64) });

export const merchantCheckoutsRouter = router({
  create: merchantProcedure.input(CreateCheckoutInput).mutation(async ({ ctx, input }) => {
    const result = await createCheckout(ctx.deps, ctx.merchant, input, ctx.idempotencyKey);
    if (!result.ok) throw toTrpcError(result.error);
    return toCheckoutView(result.value, ctx.deps.publicUrl);
  }),
  get: merchantProcedure.input(ById).query(async ({ ctx, input }) => {
    const result = await getMerchantCheckout(ctx.deps, ctx.merchant, input.id);
    if (!result.ok) throw toTrpcError(result.error);
    return toCheckoutView(result.value, ctx.deps.publicUrl);
  }),
  list: merchantProcedure.input(ListCheckoutsInput).query(async ({ ctx, input }) => {
    const result = await listMerchantCheckouts(ctx.deps, ctx.merchant, input);
    if (!result.ok) throw toTrpcError(result.error);
    return {
      data: result.value.items.map((c) => toCheckoutView(c, ctx.deps.publicUrl)),
      nextCursor: result.value.nextCursor,
    };
  }),
  cancel: merchantProcedure.input(ById).mutation(async ({ ctx, input }) => {
    const result = await cancelCheckout(ctx.deps, ctx.merchant, input.id);
    if (!result.ok) throw toTrpcError(result.error);
    return toCheckoutView(result.value, ctx.deps.publicUrl);
  }),
  audit: merchantProcedure.input(ById).query(async ({ ctx, input }) => {
    const result = await checkoutAudit(ctx.deps, ctx.merchant, input.id);
    if (!result.ok) throw toTrpcError(result.error);
    return { data: result.value.map(toAuditView) };
  }),
});
