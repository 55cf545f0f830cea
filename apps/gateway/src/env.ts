import { ApiEnv } from '@kassa/api';
import type { z } from 'zod';

/** The gateway runs the API and the receiver: the API's configuration covers both. */
export const GatewayEnv = ApiEnv;
export type GatewayEnv = z.infer<typeof GatewayEnv>;

export function parseEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const parsed = GatewayEnv.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

export const isInteractive = (): boolean => process.stdout.isTTY;
