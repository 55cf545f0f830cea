import { err, ok, type Mode, type Result } from '@kassa/core';
import { z } from 'zod';

/** The card rail's settings, from the environment. Absent key = no card rail. */
export const StripeEnv = z.object({
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[0-9A-Za-z_]+$/, 'a Stripe secret or restricted key (sk_test_…, sk_live_…)')
    .optional(),
  /** One or more `whsec_…`, comma-separated: during a rotation both verify. */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()))
    .pipe(z.array(z.string().regex(/^whsec_[0-9A-Za-z]+$/, 'a whsec_… secret')).min(1))
    .optional(),
  /** Where the Stripe API is: absent = Stripe itself; the demo and tests point it at the fake. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
});
export type StripeEnv = z.infer<typeof StripeEnv>;

export type StripeConfig = Readonly<{
  secretKey: string;
  /** The mode of the key, so of the payments it can take. */
  mode: Mode;
  webhookSecrets: readonly string[];
  api: Readonly<{ host: string; port: number; protocol: 'http' | 'https' }> | null;
}>;

/**
 * The card rail's configuration, or null when no key is set. A key of the other mode than the
 * gateway allows is refused at start: a test gateway never takes live card money.
 */
export function stripeConfig(env: StripeEnv, gatewayMode: Mode): Result<StripeConfig | null, string> {
  if (!env.STRIPE_SECRET_KEY) {
    return env.STRIPE_WEBHOOK_SECRET || env.STRIPE_API_URL
      ? err(
          'STRIPE_WEBHOOK_SECRET or STRIPE_API_URL is set without STRIPE_SECRET_KEY: set all of the card rail or none',
        )
      : ok(null);
  }
  const mode: Mode = env.STRIPE_SECRET_KEY.includes('_live_') ? 'live' : 'test';
  if (mode === 'live' && gatewayMode === 'test') {
    return err('STRIPE_SECRET_KEY is a live key but KASSA_MODE is test: use a sk_test_ key');
  }
  if (!env.STRIPE_WEBHOOK_SECRET) {
    return err(
      'STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY: card payments are confirmed by webhooks',
    );
  }
  let api: StripeConfig['api'] = null;
  if (env.STRIPE_API_URL) {
    const url = new URL(env.STRIPE_API_URL);
    // A live key travels only to Stripe over TLS; reconciliation trusts what that host answers.
    if (mode === 'live' && url.protocol !== 'https:') {
      return err('STRIPE_API_URL must be https with a live key');
    }
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    api = { host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
  }
  return ok({ secretKey: env.STRIPE_SECRET_KEY, mode, webhookSecrets: env.STRIPE_WEBHOOK_SECRET, api });
}
