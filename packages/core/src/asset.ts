/** Where an asset lives. Fiat has no chain. */
export type Network = 'fiat' | 'stellar' | 'bsc' | 'ethereum' | 'tron';
/** Which chain of a network: the public one or its test network. Fiat is neither. */
export type Chain = 'mainnet' | 'testnet';
export type AssetKind = 'fiat' | 'native' | 'token';

/**
 * An asset is its code AND its issuer/contract AND its network, never a code alone:
 * anyone can issue a Stellar asset called "USDC".
 * `id` is the public name (`USD`, `USDC:stellar`); `chain` is null for fiat.
 */
export type Asset = Readonly<{
  id: string;
  code: string;
  kind: AssetKind;
  network: Network;
  chain: Chain | null;
  /** Stellar issuer (G...) or token contract (0x..., T...); null for fiat and native coins. */
  issuer: string | null;
  /** Exponent of the minor unit: 2 for USD, 0 for JPY, 7 for Stellar, 18 for BEP20 USDT. */
  decimals: number;
}>;

export function sameAsset(a: Asset, b: Asset): boolean {
  return (
    a.id === b.id &&
    a.network === b.network &&
    a.chain === b.chain &&
    a.issuer === b.issuer &&
    a.decimals === b.decimals
  );
}

export type AssetError = { readonly code: 'asset_unknown'; readonly message: string };
