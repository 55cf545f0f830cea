import { describeIssues } from '@kassa/core';
import { ApiEnv } from '@kassa/api';
import { z } from 'zod';

/** The gateway runs the API and the receiver: the API's configuration covers both, plus the demo page. */
export const GatewayEnv = ApiEnv.extend({
  /** The demo merchant page that embeds a checkout (its own origin: http://localhost:PORT). 0 = any free port. */
  DEMO_SITE_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** The demo's fake Stripe, when no STRIPE_SECRET_KEY is set in test mode. 0 = any free port. */
  STRIPE_FAKE_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  /** The demo's fake Horizon and test wallet, when no STELLAR_RECEIVING_ACCOUNT is set in test mode. */
  HORIZON_FAKE_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  STELLAR_WALLET_PORT: z.coerce.number().int().min(0).max(65535).default(3005),
  /** The demo's fake SHKeeper, when no SHKEEPER_URL is set in test mode. */
  SHKEEPER_FAKE_PORT: z.coerce.number().int().min(0).max(65535).default(3006),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;

export function parseEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const parsed = GatewayEnv.safeParse(source);
  if (parsed.success) return parsed.data;
  // Sentences naming the key ("PORT must be a number"), never the value: it may be a secret.
  const { issues } = describeIssues(parsed.error.issues, source, { nameReceived: false });
  throw new Error(`invalid configuration:\n  ${issues.map((issue) => issue.message).join('\n  ')}`);
}

export const isInteractive = (): boolean => process.stdout.isTTY;
