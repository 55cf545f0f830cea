import { checkoutRouter } from './routers/checkout';
import { merchantCheckoutsRouter } from './routers/merchant/checkouts';
import { merchantSandboxRouter } from './routers/merchant/sandbox';
import { escrowRouter } from './routers/merchant/escrow';
import { payoutsRouter } from './routers/merchant/payouts';
import { refundsRouter } from './routers/merchant/refunds';
import { settingsRouter } from './routers/merchant/settings';
import { deliveriesRouter, webhookEndpointsRouter } from './routers/merchant/webhooks';
import { router } from './trpc';

export const appRouter = router({
  checkouts: merchantCheckoutsRouter,
  sandbox: merchantSandboxRouter,
  webhookEndpoints: webhookEndpointsRouter,
  deliveries: deliveriesRouter,
  settings: settingsRouter,
  refunds: refundsRouter,
  escrow: escrowRouter,
  payouts: payoutsRouter,
  checkout: checkoutRouter,
});

/** The API's shape, for the typed client (`import type` only: no server code reaches merchants). */
export type AppRouter = typeof appRouter;
