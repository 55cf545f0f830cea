import { createAssetRegistry, type AssetRegistry, type Chain, type Mode, type Rail } from '@kassa/core';
import type { Db } from '@kassa/db';
import {
  createEvmRail,
  createSandboxRail,
  createStellarRail,
  createStripeRail,
  type EvmRail,
  type RailAdapter,
  type SandboxRail,
  type ShkeeperConfig,
  type StellarConfig,
  type StellarRail,
  type StripeConfig,
  type StripeRail,
} from '@kassa/providers';
import type { Logger } from './logger';

/** Everything a handler needs, built once at start and passed down (no globals, no process.env). */
export type ApiDeps = Readonly<{
  db: Db;
  log: Logger;
  /** The gateway's mode: a test gateway refuses live keys, so it can never take real money. */
  gatewayMode: Mode;
  /** Test payments use test networks, live payments the public ones. */
  assets: Readonly<Record<Mode, AssetRegistry>>;
  registries: Readonly<Record<Chain, AssetRegistry>>;
  sandbox: SandboxRail;
  /** Rails that can take payments, per payment mode. */
  rails: Readonly<Record<Mode, ReadonlyMap<Rail, RailAdapter>>>;
  /** The card rail (Stripe), for what only it does (refunds); it is also in `rails`. */
  card: StripeRail | null;
  /** The Stellar rail, for what only it does (transactions built for the payer, "I have paid"). */
  stellar: StellarRail | null;
  /** The EVM stablecoin rail (SHKeeper). */
  evm: EvmRail | null;
  publicUrl: string;
  /** The built widget (apps/widget/dist), or null when it has not been built. */
  widgetDir: string | null;
  clock: () => Date;
}>;

export function createApiDeps(options: {
  db: Db;
  log: Logger;
  gatewayMode: Mode;
  publicUrl: string;
  widgetDir: string | null;
  clock?: () => Date;
  /** The card rail (Stripe) when configured; it takes payments of its key's mode. */
  stripe?: StripeConfig | null;
  /** The Stellar rail when configured; it takes payments of its network's mode. */
  stellar?: StellarConfig | null;
  /** The EVM stablecoin rail (SHKeeper) when configured; it takes payments of the gateway's mode. */
  shkeeper?: ShkeeperConfig | null;
}): ApiDeps {
  const registries = {
    testnet: createAssetRegistry({ chain: 'testnet' }),
    mainnet: createAssetRegistry({ chain: 'mainnet' }),
  };
  const sandbox = createSandboxRail(registries);
  const rails = {
    test: new Map<Rail, RailAdapter>([['sandbox', sandbox]]),
    live: new Map<Rail, RailAdapter>(),
  };
  const { stripe, stellar: stellarOptions, shkeeper, ...rest } = options;
  const card = stripe
    ? createStripeRail(stripe, stripe.mode === 'test' ? registries.testnet : registries.mainnet)
    : null;
  if (stripe && card) rails[stripe.mode].set('card', card);
  const stellar = stellarOptions
    ? createStellarRail(
        stellarOptions,
        stellarOptions.mode === 'test' ? registries.testnet : registries.mainnet,
      )
    : null;
  if (stellarOptions && stellar) rails[stellarOptions.mode].set('stellar', stellar);
  const evm = shkeeper
    ? createEvmRail(shkeeper, shkeeper.mode === 'test' ? registries.testnet : registries.mainnet)
    : null;
  if (shkeeper && evm) rails[shkeeper.mode].set('evm', evm);
  return {
    ...rest,
    clock: options.clock ?? (() => new Date()),
    registries,
    assets: { test: registries.testnet, live: registries.mainnet },
    sandbox,
    rails,
    card,
    stellar,
    evm,
  };
}
