import { err, ok, type Mode, type Result } from '@kassa/core';
import { z } from 'zod';

/** The EVM stablecoin rail's settings, from the environment. Absent URL = no EVM rail. */
export const ShkeeperEnv = z.object({
  SHKEEPER_URL: z.url({ protocol: /^https?$/ }).optional(),
  SHKEEPER_API_KEY: z.string().min(8).max(200).optional(),
  /** SHKeeper's admin login: payouts (escrow release and refund) need it. */
  SHKEEPER_ADMIN_USER: z.string().min(1).max(200).optional(),
  SHKEEPER_ADMIN_PASSWORD: z.string().min(1).max(200).optional(),
  /** Accept callbacks without HMAC headers (SHKeeper before 2.5.16), each confirmed by a read-back. */
  /** The `fee` SHKeeper's payout call takes (its network fee setting for the wallet); 10 as in its docs. */
  SHKEEPER_PAYOUT_FEE: z
    .string()
    .regex(/^\d{1,12}(\.\d{1,10})?$/)
    .default('10'),
  SHKEEPER_LEGACY_CALLBACKS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type ShkeeperEnv = z.infer<typeof ShkeeperEnv>;

export type ShkeeperConfig = Readonly<{
  /** Base URL, without `/api/v1`. */
  url: string;
  apiKey: string;
  admin: Readonly<{ user: string; password: string }> | null;
  legacyCallbacks: boolean;
  payoutFee: string;
  /** SHKeeper has no test mode of its own: the gateway's mode says which chains (testnets or not). */
  mode: Mode;
  /** Where SHKeeper posts invoice callbacks (the receiver's `/shkeeper`); fixed per payment. */
  callbackUrl: string;
  payoutCallbackUrl: string;
}>;

/**
 * The EVM rail's configuration, or null without SHKEEPER_URL. `receiverUrl` is the webhook
 * receiver as SHKeeper reaches it. A live gateway talks to SHKeeper over https only: the API key
 * travels in a header.
 */
export function shkeeperConfig(
  env: ShkeeperEnv,
  gatewayMode: Mode,
  receiverUrl: string,
): Result<ShkeeperConfig | null, string> {
  if (!env.SHKEEPER_URL) {
    return env.SHKEEPER_API_KEY || env.SHKEEPER_ADMIN_USER
      ? err('SHKEEPER_API_KEY or SHKEEPER_ADMIN_USER is set without SHKEEPER_URL')
      : ok(null);
  }
  if (!env.SHKEEPER_API_KEY) return err('SHKEEPER_API_KEY is required with SHKEEPER_URL');
  if (gatewayMode === 'live' && !env.SHKEEPER_URL.startsWith('https:')) {
    return err('SHKEEPER_URL must be https in a live gateway');
  }
  if (Boolean(env.SHKEEPER_ADMIN_USER) !== Boolean(env.SHKEEPER_ADMIN_PASSWORD)) {
    return err('SHKEEPER_ADMIN_USER and SHKEEPER_ADMIN_PASSWORD go together');
  }
  const receiver = receiverUrl.replace(/\/+$/, '');
  return ok({
    url: env.SHKEEPER_URL.replace(/\/+$/, ''),
    apiKey: env.SHKEEPER_API_KEY,
    admin:
      env.SHKEEPER_ADMIN_USER && env.SHKEEPER_ADMIN_PASSWORD
        ? { user: env.SHKEEPER_ADMIN_USER, password: env.SHKEEPER_ADMIN_PASSWORD }
        : null,
    legacyCallbacks: env.SHKEEPER_LEGACY_CALLBACKS,
    payoutFee: env.SHKEEPER_PAYOUT_FEE,
    mode: gatewayMode,
    callbackUrl: `${receiver}/shkeeper`,
    payoutCallbackUrl: `${receiver}/shkeeper/payout`,
  });
}
