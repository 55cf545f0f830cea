import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  checkoutUrl,
  createApiDeps,
  createApiServer,
  createCheckout,
  createLogger,
  type ApiDeps,
} from '@kassa/api';
import {
  findKey,
  getMerchantSettings,
  openDb,
  updateMerchantSettings,
  type InboxEvent,
  type MerchantKey,
} from '@kassa/db';
import { shkeeperConfig, stellarConfig, stripeConfig } from '@kassa/providers';
import { createWebhooksServer, startWorkers } from '@kassa/webhooks';
import { ensureDemoMerchant, writeDemoFile } from './demo';
import { createDemoSite } from './demo-site';
import { startDemoShkeeper } from './demo-shkeeper';
import { startDemoStellar } from './demo-stellar';
import { startDemoStripe } from './demo-stripe';
import { isInteractive, parseEnv } from './env';

/**
 * The single-process gateway: API, webhook receiver and workers over one database. This is how
 * the embedded (PGlite) mode runs, since PGlite is one database in one process.
 */
async function main(): Promise<void> {
  // A stop asked for while starting is kept and honoured once everything is up, so the database
  // is always closed cleanly (never killed halfway through opening it).
  let shutdown: ((reason: string) => void) | null = null;
  let stopAsked: string | null = null;
  const stop = (reason: string) => {
    if (shutdown) shutdown(reason);
    else stopAsked ??= reason;
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // Started by `npm start` (scripts/run.mjs) with an IPC channel: if that parent goes, however it
  // went, the gateway goes too rather than live on with no parent.
  if (process.connected) {
    process.on('disconnect', () => stop('parent exited'));
    process.send?.({ kassa: 'stoppable' });
  }

  const env = parseEnv();
  const log = createLogger(env.LOG_LEVEL, { pretty: isInteractive() });
  const dataDir = resolve(env.KASSA_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  const db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir });
  log.info({ engine: db.engine, dataDir: db.engine === 'pglite' ? dataDir : undefined }, 'database ready');

  const publicUrl = env.KASSA_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`;
  const widgetDir = join(
    dirname(createRequire(import.meta.url).resolve('@kassa/widget/package.json')),
    'dist',
  );
  // Cards: real Stripe when keys are configured; in a test gateway without them, the fake.
  const configured = stripeConfig(env, env.KASSA_MODE);
  if (!configured.ok) throw new Error(configured.error);
  const demoStripe =
    !configured.value && env.KASSA_MODE === 'test'
      ? await startDemoStripe('127.0.0.1', env.STRIPE_FAKE_PORT)
      : null;
  const stripe = configured.value ?? demoStripe?.config ?? null;
  // Stellar: the configured network when a receiving account is set; otherwise, in test, the fake ledger.
  const configuredStellar = stellarConfig(env, env.KASSA_MODE, publicUrl);
  if (!configuredStellar.ok) throw new Error(configuredStellar.error);
  const demoStellar =
    !configuredStellar.value && env.KASSA_MODE === 'test'
      ? await startDemoStellar('127.0.0.1', env.HORIZON_FAKE_PORT, env.STELLAR_WALLET_PORT)
      : null;
  const stellar = configuredStellar.value ?? demoStellar?.config ?? null;
  // Stablecoins: the configured SHKeeper; otherwise, in test, the fake one.
  const receiverUrl = env.KASSA_WEBHOOKS_PUBLIC_URL ?? `http://127.0.0.1:${env.WEBHOOKS_PORT}`;
  const configuredShkeeper = shkeeperConfig(env, env.KASSA_MODE, receiverUrl);
  if (!configuredShkeeper.ok) throw new Error(configuredShkeeper.error);
  const demoShkeeper =
    !configuredShkeeper.value && env.KASSA_MODE === 'test'
      ? await startDemoShkeeper('127.0.0.1', env.SHKEEPER_FAKE_PORT, receiverUrl)
      : null;
  const shkeeper = configuredShkeeper.value ?? demoShkeeper?.config ?? null;
  const deps = createApiDeps({
    db,
    log,
    gatewayMode: env.KASSA_MODE,
    publicUrl,
    widgetDir,
    stripe,
    stellar,
    shkeeper,
  });

  const api = await listen(createApiServer(deps), env.PORT, env.HOST);
  const receiver = await listen(
    createWebhooksServer({ db, log, stripeSecrets: stripe?.webhookSecrets, shkeeper: deps.evm }),
    env.WEBHOOKS_PORT,
    env.HOST,
  );
  const webhooksUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  if (demoStripe && stripe) {
    demoStripe.fake.setWebhook({ url: `${webhooksUrl}/stripe`, secret: stripe.webhookSecrets[0] ?? '' });
  }
  const workers = startWorkers({
    db,
    log,
    // Each rail decodes the events its provider sent.
    decoders: Object.fromEntries(
      [...deps.rails.test.values(), ...deps.rails.live.values()].map((rail) => [
        rail.provider,
        (event: InboxEvent) => rail.observe(event),
      ]),
    ),
    delivery: { privateInTest: env.KASSA_TEST_WEBHOOKS_PRIVATE },
    card: deps.card,
    stellar: deps.stellar,
    evm: deps.evm,
  });

  const demo = await ensureDemoMerchant(db, dataDir);
  const key = await findKey(db, demo.secretKey);
  // The demo shop takes USDC for its USD prices (a merchant opts in; the demo does for the ledger demo).
  if (key && (await getMerchantSettings(db.orm, key.merchantId))?.stablecoinsAtPar === undefined) {
    await updateMerchantSettings(db.orm, key.merchantId, { stablecoinsAtPar: true });
  }
  const checkoutUrl = key ? await createDemoCheckout(deps, key) : null;
  const site = await listen(
    createDemoSite({
      apiUrl: publicUrl,
      publishableKey: demo.publishableKey,
      defaultCheckoutId: checkoutUrl?.split('/pay/')[1] ?? null,
    }),
    env.DEMO_SITE_PORT,
    env.HOST,
  );
  const embedUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
  const demoFile = await writeDemoFile(dataDir, {
    apiUrl: publicUrl,
    webhooksUrl,
    secretKey: demo.secretKey,
    publishableKey: demo.publishableKey,
    fakes: {
      ...(demoStripe ? { stripe: demoStripe.fake.url } : {}),
      ...(demoStellar ? { horizon: demoStellar.horizon.url, stellarWallet: demoStellar.wallet.url } : {}),
      ...(demoShkeeper ? { shkeeper: demoShkeeper.fake.url } : {}),
    },
    ...(checkoutUrl ? { checkoutUrl } : {}),
    embedUrl,
  });
  log.info(
    { apiUrl: publicUrl, demoFile, mode: env.KASSA_MODE, demoCreated: demo.created },
    'Kassa is running',
  );
  // The keys go to the terminal for the developer, never into the log stream.
  process.stdout.write(
    [
      '',
      `  Kassa is running (${env.KASSA_MODE} mode, ${db.engine})`,
      `  API              ${publicUrl}`,
      `  Webhooks         ${webhooksUrl}`,
      `  Secret key       ${demo.secretKey}`,
      `  Publishable key  ${demo.publishableKey}`,
      `  Try a checkout   ${checkoutUrl ?? '(could not create one)'}`,
      `  Embedded         ${embedUrl}  (a merchant page with the script tag)`,
      ...(demoStripe ? [`  Fake Stripe      ${demoStripe.fake.url}  (cards, offline)`] : []),
      ...(demoStellar
        ? [
            `  Fake Horizon     ${demoStellar.horizon.url}  (a Stellar testnet ledger, offline)`,
            `  Test wallet      ${demoStellar.wallet.url}  (pays a checkout's SEP-7 link)`,
          ]
        : []),
      ...(demoShkeeper
        ? [`  Fake SHKeeper    ${demoShkeeper.fake.url}  (USDT/USDC offline; pay an invoice at /demo/send)`]
        : []),
      `  Saved to         ${demoFile}`,
      '  Ctrl-C stops it.',
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    void (async () => {
      await workers.stop();
      await Promise.all([
        close(api),
        close(receiver),
        close(site),
        demoStripe?.fake.close(),
        demoStellar?.wallet.close(),
        demoStellar?.horizon.close(),
        demoShkeeper?.fake.close(),
      ]);
      await db.close();
      log.info('stopped cleanly');
      process.exit(0);
    })();
  };
  if (stopAsked) shutdown(stopAsked);
}

/** A ready-to-open checkout, so the first thing a developer sees is a payment page. */
async function createDemoCheckout(deps: ApiDeps, key: MerchantKey): Promise<string | null> {
  const created = await createCheckout(
    deps,
    key,
    {
      currency: 'USD',
      description: 'Kassa demo order',
      lineItems: [
        { name: 'Organic cotton T-shirt', quantity: 2, unitAmount: '19.90' },
        { name: 'Sticker pack', quantity: 1, unitAmount: '4.50' },
      ],
      expiresInSeconds: 24 * 60 * 60,
    },
    null,
  );
  return created.ok ? checkoutUrl(deps.publicUrl, created.value.payment.id) : null;
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(server));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolveClose) => server.close(() => resolveClose()));
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad configuration): stderr is the one place left to say why.
  process.stderr.write(`kassa failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
