import type { Asset, AssetRegistry } from '@kassa/core';

/**
 * Kassa's asset ids and SHKeeper's crypto names (PROVIDERS.md 2.2): the bare USDT and USDC are
 * TRC20 on Tron. Contracts and decimals come from Kassa's registry, never from SHKeeper.
 */
export const SHKEEPER_CRYPTOS: Readonly<Record<string, string>> = {
  'USDT:ethereum': 'ETH-USDT',
  'USDC:ethereum': 'ETH-USDC',
  'USDT:bsc': 'BNB-USDT',
  'USDC:bsc': 'BNB-USDC',
  'USDT:tron': 'USDT',
  'USDC:tron': 'USDC',
};

const ASSET_OF_CRYPTO: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SHKEEPER_CRYPTOS).map(([asset, crypto]) => [crypto, asset]),
);

export function assetOfCrypto(assets: AssetRegistry, crypto: string): Asset | null {
  const id = ASSET_OF_CRYPTO[crypto];
  if (!id) return null;
  const asset = assets.resolve(id);
  return asset.ok ? asset.value : null;
}

/**
 * A SHKeeper amount (a decimal string of at most 10 decimals that went through a binary float) in
 * the asset's minor units. Digits past the asset's precision are float noise: rounded half up.
 */
export function shkeeperAmountMinor(asset: Asset, amount: string): bigint | null {
  const match = /^(\d{1,30})(?:\.(\d{1,18}))?$/.exec(amount);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const kept = fraction.slice(0, asset.decimals).padEnd(asset.decimals, '0');
  const next = fraction.charAt(asset.decimals);
  const minor = BigInt(`${whole}${kept}`);
  return next !== '' && Number(next) >= 5 ? minor + 1n : minor;
}
