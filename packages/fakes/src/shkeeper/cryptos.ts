import type { AddressFormat } from './addresses';

// SHKeeper's crypto names and display names (from its modules/cryptos/*.py). The bare `USDT` and
// `USDC` are TRC20 on Tron. `backend` is the wallet service behind a name: tokens on one chain share
// it, and with it their payout task ids.

export type CryptoSpec = Readonly<{
  name: string;
  displayName: string;
  format: AddressFormat;
  backend: string;
  /** Pegged to USD: the fake quotes 1 unless told otherwise. */
  stable: boolean;
}>;

const CATALOGUE: readonly CryptoSpec[] = [
  { name: 'ETH-USDT', displayName: 'ERC20 USDT', format: 'evm', backend: 'ethereum', stable: true },
  { name: 'ETH-USDC', displayName: 'ERC20 USDC', format: 'evm', backend: 'ethereum', stable: true },
  { name: 'ETH', displayName: 'Ethereum', format: 'evm', backend: 'ethereum', stable: false },
  { name: 'BNB-USDT', displayName: 'BEP20 USDT', format: 'evm', backend: 'bnb', stable: true },
  { name: 'BNB-USDC', displayName: 'BEP20 USDC', format: 'evm', backend: 'bnb', stable: true },
  { name: 'BNB', displayName: 'BNB', format: 'evm', backend: 'bnb', stable: false },
  { name: 'USDT', displayName: 'TRC20 USDT', format: 'tron', backend: 'tron', stable: true },
  { name: 'USDC', displayName: 'TRC20 USDC', format: 'tron', backend: 'tron', stable: true },
  { name: 'TRX', displayName: 'Tron TRX', format: 'tron', backend: 'tron', stable: false },
  {
    name: 'POLYGON-USDT',
    displayName: 'POLYGON ERC20 USDT',
    format: 'evm',
    backend: 'polygon',
    stable: true,
  },
  {
    name: 'POLYGON-USDC',
    displayName: 'POLYGON ERC20 USDC',
    format: 'evm',
    backend: 'polygon',
    stable: true,
  },
  { name: 'ARB-USDC', displayName: 'ARBITRUM ERC20 USDC', format: 'evm', backend: 'arbitrum', stable: true },
  { name: 'OP-USDT', displayName: 'OPTIMISM ERC20 USDT', format: 'evm', backend: 'optimism', stable: true },
  { name: 'OP-USDC', displayName: 'OPTIMISM ERC20 USDC', format: 'evm', backend: 'optimism', stable: true },
  {
    name: 'AVALANCHE-USDT',
    displayName: 'AVALANCHE ERC20 USDT',
    format: 'evm',
    backend: 'avalanche',
    stable: true,
  },
  {
    name: 'AVALANCHE-USDC',
    displayName: 'AVALANCHE ERC20 USDC',
    format: 'evm',
    backend: 'avalanche',
    stable: true,
  },
];

/** What the fake enables unless told: the stablecoins Kassa settles in. */
export const DEFAULT_CRYPTOS = ['ETH-USDT', 'ETH-USDC', 'BNB-USDT', 'BNB-USDC', 'USDT', 'USDC'] as const;

export function cryptoSpec(name: string): CryptoSpec | undefined {
  return CATALOGUE.find((spec) => spec.name === name);
}

export function knownCryptos(): readonly string[] {
  return CATALOGUE.map((spec) => spec.name);
}
