import { describeIssues } from '@kassa/core';
import { ShkeeperEnv, StellarEnv, StripeEnv } from '@kassa/providers';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

export const ApiEnv = z.object({
  PORT: port.default(3000),
  WEBHOOKS_PORT: port.default(3001),
  DATABASE_URL: z.url().optional(),
  KASSA_DATA_DIR: z.string().min(1).default('.kassa'),
  KASSA_MODE: z.enum(['test', 'live']).default('test'),
  /** Where payers reach this API (hosted page links). Defaults to http://127.0.0.1:PORT. */
  KASSA_PUBLIC_URL: z.url().optional(),
  /** The built widget (apps/widget/dist) when the API runs on its own; the gateway finds it itself. */
  KASSA_WIDGET_DIR: z.string().min(1).optional(),
  /** Whether test-mode webhooks may reach private addresses (localhost); refuse on a shared deployment. */
  KASSA_TEST_WEBHOOKS_PRIVATE: z.enum(['allow', 'refuse']).default('allow'),
  /** Interface to listen on. The demo stays on loopback; set 0.0.0.0 behind a proxy or in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...StripeEnv.shape,
  ...StellarEnv.shape,
  ...ShkeeperEnv.shape,
  /** The webhook receiver as providers reach it (SHKeeper's callback URL). Defaults to http://127.0.0.1:WEBHOOKS_PORT. */
  KASSA_WEBHOOKS_PUBLIC_URL: z.url().optional(),
});
export type ApiEnv = z.infer<typeof ApiEnv>;

/** Parses the environment once at start; a bad value fails naming the key, never echoing the value. */
export function parseEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const parsed = ApiEnv.safeParse(source);
  if (parsed.success) return parsed.data;
  // Sentences naming the key ("PORT must be a number"), never the value: it may be a secret.
  const { issues } = describeIssues(parsed.error.issues, source, { nameReceived: false });
  throw new Error(`invalid configuration:\n  ${issues.map((issue) => issue.message).join('\n  ')}`);
}
