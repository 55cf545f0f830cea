import { describeIssues } from '@kassa/core';
import { ShkeeperEnv, StellarEnv, StripeEnv } from '@kassa/providers';
import { z } from 'zod';

export const WebhooksEnv = z.object({
  /** 0 picks any free port. */
  WEBHOOKS_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  DATABASE_URL: z.url().optional(),
  KASSA_DATA_DIR: z.string().min(1).default('.kassa'),
  /** Whether test-mode webhooks may reach private addresses (localhost); refuse on a shared deployment. */
  KASSA_TEST_WEBHOOKS_PRIVATE: z.enum(['allow', 'refuse']).default('allow'),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KASSA_MODE: z.enum(['test', 'live']).default('test'),
  /** The API's public URL: its host is the SEP-7 origin domain (stellar.toml). */
  KASSA_PUBLIC_URL: z.url().optional(),
  ...StripeEnv.shape,
  ...StellarEnv.shape,
  ...ShkeeperEnv.shape,
  /** This receiver as SHKeeper reaches it (its callback URL). Defaults to http://127.0.0.1:WEBHOOKS_PORT. */
  KASSA_WEBHOOKS_PUBLIC_URL: z.url().optional(),
});
export type WebhooksEnv = z.infer<typeof WebhooksEnv>;

export function parseEnv(source: Record<string, string | undefined> = process.env): WebhooksEnv {
  const parsed = WebhooksEnv.safeParse(source);
  if (parsed.success) return parsed.data;
  // Sentences naming the key ("PORT must be a number"), never the value: it may be a secret.
  const { issues } = describeIssues(parsed.error.issues, source, { nameReceived: false });
  throw new Error(`invalid configuration:\n  ${issues.map((issue) => issue.message).join('\n  ')}`);
}
