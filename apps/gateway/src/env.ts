import { ApiEnv } from '@kassa/api';
import { z } from 'zod';

export const GatewayEnv = ApiEnv.extend({
  /** Interface to listen on. The demo stays on loopback; set 0.0.0.0 behind a proxy or in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;

export function parseEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const parsed = GatewayEnv.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

export const isInteractive = (): boolean => process.stdout.isTTY;
