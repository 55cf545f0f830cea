export { createApiServer } from './http';
export { createApiDeps, type ApiDeps } from './deps';
export { parseEnv, ApiEnv } from './env';
export { createLogger, type Logger } from './logger';
export type { AppRouter } from './router';
export type { CheckoutView, PublicCheckoutView, AmountView } from './views';
export type { KassaErrorCode } from './errors';
export { createCheckout, type CreateCheckoutInput } from './handlers/checkouts.handler';
export { checkoutUrl } from './views';
