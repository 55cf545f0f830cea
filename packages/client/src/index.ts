import type { AppRouter, KassaErrorCode } from '@kassa/api';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';

export type { AppRouter, KassaErrorCode };
export type { AmountView, CheckoutView, PublicCheckoutView } from '@kassa/api';

export type KassaClientOptions = Readonly<{
  /** The gateway's API origin, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** `sk_test_…` or `sk_live_…`. Server-side only: never ship it to a browser. */
  secretKey: string;
}>;

/** Per-call options: `{ context: { idempotencyKey } }` sends an `Idempotency-Key` header. */
export type KassaCallContext = Readonly<{ idempotencyKey?: string }>;

/**
 * The typed merchant client. Every procedure and its input and output types come from the server's
 * router type, so a wrong field fails to compile.
 *
 * ```ts
 * const kassa = createKassaClient({ baseUrl, secretKey });
 * const checkout = await kassa.checkouts.create.mutate(
 *   { amount: '12.50', currency: 'USD' },
 *   { context: { idempotencyKey: orderId } },
 * );
 * ```
 */
export function createKassaClient(options: KassaClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${options.baseUrl.replace(/\/+$/, '')}/trpc`,
        headers: ({ op }) => {
          const context = op.context as KassaCallContext;
          return {
            authorization: `Bearer ${options.secretKey}`,
            ...(context.idempotencyKey ? { 'idempotency-key': context.idempotencyKey } : {}),
          };
        },
      }),
    ],
  });
}
export type KassaClient = ReturnType<typeof createKassaClient>;

/** The stable error code of a failed call (`amount_invalid`, `not_found`, …), or null if it is not Kassa's. */
export function kassaErrorCode(error: unknown): KassaErrorCode | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null || !('kassaCode' in data)) return null;
  return typeof data.kassaCode === 'string' ? (data.kassaCode as KassaErrorCode) : null;
}
export { verifyWebhook, WebhookVerificationError, KassaWebhookEvent } from './verify-webhook';
export type {
  VerifyWebhookOptions,
  WebhookAmount,
  WebhookCheckout,
  WebhookEventType,
  WebhookVerificationErrorCode,
} from './verify-webhook';
