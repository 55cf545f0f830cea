import { resolve } from 'node:path';
import { createAssetRegistry } from '@kassa/core';
import { openDb, type InboxEvent } from '@kassa/db';
import {
  createEvmRail,
  createSandboxRail,
  createStellarRail,
  createStripeRail,
  shkeeperConfig,
  stellarConfig,
  stripeConfig,
} from '@kassa/providers';
import { pino } from 'pino';
import { parseEnv } from './env';
import { createWebhooksServer } from './server';
import { startWorkers } from './workers/run';

/**
 * The receiver and the workers alone, for deployments that run each app as its own process on one
 * PostgreSQL; any number of these can run side by side (leases, idempotent sweeps).
 */
async function main(): Promise<void> {
  const env = parseEnv();
  // Synchronous stdout: pino's asynchronous default hangs at exit on a broken pipe (see @kassa/api logger).
  const log = pino({ level: env.LOG_LEVEL }, pino.destination({ dest: 1, sync: true }));
  const db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: resolve(env.KASSA_DATA_DIR) });
  const sandbox = createSandboxRail({
    testnet: createAssetRegistry({ chain: 'testnet' }),
    mainnet: createAssetRegistry({ chain: 'mainnet' }),
  });
  const stripe = stripeConfig(env, env.KASSA_MODE);
  if (!stripe.ok) throw new Error(stripe.error);
  const registries = {
    test: createAssetRegistry({ chain: 'testnet' }),
    live: createAssetRegistry({ chain: 'mainnet' }),
  };
  const card = stripe.value ? createStripeRail(stripe.value, registries[stripe.value.mode]) : null;
  // The receiver never signs SEP-7 links, so it needs neither the signing key nor the API's domain.
  const stellarSettings = stellarConfig(
    { ...env, STELLAR_SIGNING_SECRET: undefined },
    env.KASSA_MODE,
    env.KASSA_PUBLIC_URL ?? 'http://127.0.0.1',
  );
  if (!stellarSettings.ok) throw new Error(stellarSettings.error);
  const stellar = stellarSettings.value
    ? createStellarRail(stellarSettings.value, registries[stellarSettings.value.mode])
    : null;
  const receiverUrl = env.KASSA_WEBHOOKS_PUBLIC_URL ?? `http://127.0.0.1:${env.WEBHOOKS_PORT}`;
  const shkeeper = shkeeperConfig(env, env.KASSA_MODE, receiverUrl);
  if (!shkeeper.ok) throw new Error(shkeeper.error);
  const evm = shkeeper.value ? createEvmRail(shkeeper.value, registries[shkeeper.value.mode]) : null;
  const server = createWebhooksServer({
    db,
    log,
    stripeSecrets: stripe.value?.webhookSecrets,
    shkeeper: evm,
  });
  server.listen(env.WEBHOOKS_PORT, env.HOST, () =>
    log.info({ port: env.WEBHOOKS_PORT, engine: db.engine }, 'receiver listening'),
  );
  const workers = startWorkers({
    db,
    log,
    decoders: {
      sandbox: (event) => sandbox.observe(event),
      ...(card ? { stripe: (event: InboxEvent) => card.observe(event) } : {}),
      ...(stellar ? { stellar: (event: InboxEvent) => stellar.observe(event) } : {}),
      ...(evm ? { shkeeper: (event: InboxEvent) => evm.observe(event) } : {}),
    },
    delivery: { privateInTest: env.KASSA_TEST_WEBHOOKS_PRIVATE },
    card,
    stellar,
    evm,
  });
  const shutdown = () => {
    server.closeAllConnections();
    server.close(
      () =>
        void workers
          .stop()
          .then(() => db.close())
          .then(() => process.exit(0)),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kassa webhooks failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
