import { toTrpcError } from '../../errors';
import { simulateOutcome, SimulateInput } from '../../handlers/sandbox.handler';
import { merchantProcedure, router } from '../../trpc';
import { toCheckoutView } from '../../views';

export const merchantSandboxRouter = router({
  /** Test mode only: drive a checkout to an outcome through the sandbox rail. */
  simulate: merchantProcedure.input(SimulateInput).mutation(async ({ ctx, input }) => {
    if (ctx.merchant.mode !== 'test') {
      throw toTrpcError({ code: 'sandbox_live_payment', message: 'The sandbox is only for test keys.' });
    }
    const result = await simulateOutcome(ctx.deps, ctx.merchant, input);
    if (!result.ok) throw toTrpcError(result.error);
    return toCheckoutView(result.value, ctx.deps.publicUrl);
  }),
});
