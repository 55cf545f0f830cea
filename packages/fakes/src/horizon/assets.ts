import { Asset } from '@stellar/stellar-sdk';

export type CreditAsset = Readonly<{
  type: 'credit_alphanum4' | 'credit_alphanum12';
  code: string;
  issuer: string;
}>;
export type AssetRef = Readonly<{ type: 'native' }> | CreditAsset;

const NATIVE: AssetRef = { type: 'native' };

export type Network = 'testnet' | 'public';

export const NETWORK_PASSPHRASES: Readonly<Record<Network, string>> = {
  testnet: 'Test SDF Network ; September 2015',
  public: 'Public Global Stellar Network ; September 2015',
};

/** Circle's issuers as Kassa's asset registry has them; the fake creates these accounts itself. */
export const DEFAULT_ISSUERS: Readonly<Record<Network, Readonly<{ USDC: string; EURC: string }>>> = {
  testnet: {
    USDC: 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
    EURC: 'GB3Q6QDZYTHWT7E5PVS3W7FUT5GVAFC5KSZFFLPU25GO7VTC3NM2ZTVO',
  },
  public: {
    USDC: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
    EURC: 'GDHU6WRG4IEQXM5NZ4BMPKOXHW76MZM4Y2IEMFDVXBSDP6SJY4ITNPP2',
  },
};

export function creditAsset(code: string, issuer: string): CreditAsset {
  return { type: code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12', code, issuer };
}

export function assetFromSdk(asset: Asset): AssetRef {
  const issuer = asset.getIssuer();
  if (asset.isNative() || issuer === undefined) return NATIVE;
  return creditAsset(asset.getCode(), issuer);
}

export function toSdkAsset(asset: AssetRef): Asset {
  return asset.type === 'native' ? Asset.native() : new Asset(asset.code, asset.issuer);
}

/** Key of a trustline in an account's map: code and issuer, since anyone may issue a "USDC". */
export function trustlineKey(asset: CreditAsset): string {
  return `${asset.code}:${asset.issuer}`;
}

export function isIssuer(accountId: string, asset: AssetRef): boolean {
  return asset.type !== 'native' && asset.issuer === accountId;
}
