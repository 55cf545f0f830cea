import { resolve } from 'node:path';
import { openDb } from '@kassa/db';
import { shkeeperConfig, stellarConfig, stripeConfig } from '@kassa/providers';
import { createApiDeps } from './deps';
import { parseEnv } from './env';
import { createApiServer } from './http';
import { createLogger } from './logger';

/**
 * The API alone, for deployments that run each app as its own process on one PostgreSQL
 * (the single-process demo is apps/gateway). The hosted page needs KASSA_WIDGET_DIR.
 */
async function main(): Promise<void> {
  const env = parseEnv();
  const log = createLogger(env.LOG_LEVEL, { pretty: process.stdout.isTTY });
  const db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: resolve(env.KASSA_DATA_DIR) });
  const publicUrl = env.KASSA_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`;
  const stripe = stripeConfig(env, env.KASSA_MODE);
  if (!stripe.ok) throw new Error(stripe.error);
  const stellar = stellarConfig(env, env.KASSA_MODE, publicUrl);
  if (!stellar.ok) throw new Error(stellar.error);
  const receiverUrl = env.KASSA_WEBHOOKS_PUBLIC_URL ?? `http://127.0.0.1:${env.WEBHOOKS_PORT}`;
  const shkeeper = shkeeperConfig(env, env.KASSA_MODE, receiverUrl);
  if (!shkeeper.ok) throw new Error(shkeeper.error);
  const deps = createApiDeps({
    stripe: stripe.value,
    stellar: stellar.value,
    shkeeper: shkeeper.value,
    db,
    log,
    gatewayMode: env.KASSA_MODE,
    publicUrl,
    widgetDir: env.KASSA_WIDGET_DIR ?? null,
  });
  const server = createApiServer(deps);
  server.listen(env.PORT, env.HOST, () => log.info({ port: env.PORT, engine: db.engine }, 'api listening'));
  const shutdown = () => {
    server.closeAllConnections();
    server.close(() => void db.close().then(() => process.exit(0)));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kassa api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
