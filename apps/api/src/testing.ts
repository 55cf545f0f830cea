import type { AddressInfo } from 'node:net';
import type { Mode } from '@kassa/core';
import { createMerchant, issueKey } from '@kassa/db';
import { createTestDb, type TestDb } from '@kassa/db/testing';
import type { ShkeeperConfig, StellarConfig, StripeConfig } from '@kassa/providers';
import { createApiDeps, type ApiDeps } from './deps';
import { createApiServer } from './http';
import { createLogger } from './logger';

export type TestMerchant = Readonly<{ merchantId: string; secretKey: string; publishableKey: string }>;

export type TestApi = Readonly<{
  url: string;
  db: TestDb;
  deps: ApiDeps;
  merchant(name: string, mode?: Mode): Promise<TestMerchant>;
  close(): Promise<void>;
}>;

/** A real API server on a loopback port over a fresh database (PGlite, or PostgreSQL with DATABASE_URL). */
export async function startTestApi(
  options: {
    gatewayMode?: Mode;
    db?: TestDb;
    widgetDir?: string;
    stripe?: StripeConfig;
    stellar?: StellarConfig;
    shkeeper?: ShkeeperConfig;
    clock?: () => Date;
  } = {},
): Promise<TestApi> {
  const db = options.db ?? (await createTestDb());
  const deps = createApiDeps({
    db,
    log: createLogger('silent'),
    gatewayMode: options.gatewayMode ?? 'test',
    publicUrl: 'http://127.0.0.1:0',
    widgetDir: options.widgetDir ?? null,
    stripe: options.stripe ?? null,
    stellar: options.stellar ?? null,
    shkeeper: options.shkeeper ?? null,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = createApiServer(deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    db,
    deps,
    async merchant(name, mode = 'test') {
      const merchantId = await createMerchant(db.orm, name);
      const secretKey = await issueKey(db.orm, merchantId, 'secret', mode);
      const publishableKey = await issueKey(db.orm, merchantId, 'publishable', mode);
      return { merchantId, secretKey, publishableKey };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.db) await db.close();
    },
  };
}

/** A tRPC call over plain HTTP, the way curl would make it. */
export async function rawCall(
  url: string,
  procedure: string,
  kind: 'query' | 'mutation',
  input: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response =
    kind === 'query'
      ? await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(`${url}/trpc/${procedure}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(input),
        });
  return { status: response.status, body: await response.json() };
}
