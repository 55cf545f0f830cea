import type { Asset, AssetError, AssetKind, Chain, Network } from './asset';
import { err, InvariantError, ok, type Result } from './result';

/** Resolves public asset ids (`USD`, `USDC:stellar`) to the assets of one chain. */
export type AssetRegistry = {
  readonly chain: Chain;
  resolve(id: string): Result<Asset, AssetError>;
  list(): readonly Asset[];
};

/**
 * ISO 4217 List One as published 2026-01-01: code -> exponent of the minor unit.
 * Left out on purpose: codes with no minor unit (precious metals XAU/XAG/XPT/XPD, bond-market units
 * XBA-XBD, XDR, XSU, XUA, the test code XTS, XXX) and withdrawn codes (ANG, BGN, CUC, HRK, SLL, ZWL).
 */
const ISO_4217_MINOR_UNITS = {
  AED: 2, // UAE Dirham
  AFN: 2, // Afghani
  ALL: 2, // Lek
  AMD: 2, // Armenian Dram
  AOA: 2, // Kwanza
  ARS: 2, // Argentine Peso
  AUD: 2, // Australian Dollar
  AWG: 2, // Aruban Florin
  AZN: 2, // Azerbaijan Manat
  BAM: 2, // Convertible Mark
  BBD: 2, // Barbados Dollar
  BDT: 2, // Taka
  BHD: 3, // Bahraini Dinar
  BIF: 0, // Burundi Franc
  BMD: 2, // Bermudian Dollar
  BND: 2, // Brunei Dollar
  BOB: 2, // Boliviano
  BOV: 2, // Mvdol
  BRL: 2, // Brazilian Real
  BSD: 2, // Bahamian Dollar
  BTN: 2, // Ngultrum
  BWP: 2, // Pula
  BYN: 2, // Belarusian Ruble
  BZD: 2, // Belize Dollar
  CAD: 2, // Canadian Dollar
  CDF: 2, // Congolese Franc
  CHE: 2, // WIR Euro
  CHF: 2, // Swiss Franc
  CHW: 2, // WIR Franc
  CLF: 4, // Unidad de Fomento
  CLP: 0, // Chilean Peso
  CNY: 2, // Yuan Renminbi
  COP: 2, // Colombian Peso
  COU: 2, // Unidad de Valor Real
  CRC: 2, // Costa Rican Colon
  CUP: 2, // Cuban Peso
  CVE: 2, // Cabo Verde Escudo
  CZK: 2, // Czech Koruna
  DJF: 0, // Djibouti Franc
  DKK: 2, // Danish Krone
  DOP: 2, // Dominican Peso
  DZD: 2, // Algerian Dinar
  EGP: 2, // Egyptian Pound
  ERN: 2, // Nakfa
  ETB: 2, // Ethiopian Birr
  EUR: 2, // Euro
  FJD: 2, // Fiji Dollar
  FKP: 2, // Falkland Islands Pound
  GBP: 2, // Pound Sterling
  GEL: 2, // Lari
  GHS: 2, // Ghana Cedi
  GIP: 2, // Gibraltar Pound
  GMD: 2, // Dalasi
  GNF: 0, // Guinean Franc
  GTQ: 2, // Quetzal
  GYD: 2, // Guyana Dollar
  HKD: 2, // Hong Kong Dollar
  HNL: 2, // Lempira
  HTG: 2, // Gourde
  HUF: 2, // Forint
  IDR: 2, // Rupiah
  ILS: 2, // New Israeli Sheqel
  INR: 2, // Indian Rupee
  IQD: 3, // Iraqi Dinar
  IRR: 2, // Iranian Rial
  ISK: 0, // Iceland Krona
  JMD: 2, // Jamaican Dollar
  JOD: 3, // Jordanian Dinar
  JPY: 0, // Yen
  KES: 2, // Kenyan Shilling
  KGS: 2, // Som
  KHR: 2, // Riel
  KMF: 0, // Comorian Franc
  KPW: 2, // North Korean Won
  KRW: 0, // Won
  KWD: 3, // Kuwaiti Dinar
  KYD: 2, // Cayman Islands Dollar
  KZT: 2, // Tenge
  LAK: 2, // Lao Kip
  LBP: 2, // Lebanese Pound
  LKR: 2, // Sri Lanka Rupee
  LRD: 2, // Liberian Dollar
  LSL: 2, // Loti
  LYD: 3, // Libyan Dinar
  MAD: 2, // Moroccan Dirham
  MDL: 2, // Moldovan Leu
  MGA: 2, // Malagasy Ariary
  MKD: 2, // Denar
  MMK: 2, // Kyat
  MNT: 2, // Tugrik
  MOP: 2, // Pataca
  MRU: 2, // Ouguiya
  MUR: 2, // Mauritius Rupee
  MVR: 2, // Rufiyaa
  MWK: 2, // Malawi Kwacha
  MXN: 2, // Mexican Peso
  MXV: 2, // Mexican Unidad de Inversion (UDI)
  MYR: 2, // Malaysian Ringgit
  MZN: 2, // Mozambique Metical
  NAD: 2, // Namibia Dollar
  NGN: 2, // Naira
  NIO: 2, // Cordoba Oro
  NOK: 2, // Norwegian Krone
  NPR: 2, // Nepalese Rupee
  NZD: 2, // New Zealand Dollar
  OMR: 3, // Rial Omani
  PAB: 2, // Balboa
  PEN: 2, // Sol
  PGK: 2, // Kina
  PHP: 2, // Philippine Peso
  PKR: 2, // Pakistan Rupee
  PLN: 2, // Zloty
  PYG: 0, // Guarani
  QAR: 2, // Qatari Rial
  RON: 2, // Romanian Leu
  RSD: 2, // Serbian Dinar
  RUB: 2, // Russian Ruble
  RWF: 0, // Rwanda Franc
  SAR: 2, // Saudi Riyal
  SBD: 2, // Solomon Islands Dollar
  SCR: 2, // Seychelles Rupee
  SDG: 2, // Sudanese Pound
  SEK: 2, // Swedish Krona
  SGD: 2, // Singapore Dollar
  SHP: 2, // Saint Helena Pound
  SLE: 2, // Leone
  SOS: 2, // Somali Shilling
  SRD: 2, // Surinam Dollar
  SSP: 2, // South Sudanese Pound
  STN: 2, // Dobra
  SVC: 2, // El Salvador Colon
  SYP: 2, // Syrian Pound
  SZL: 2, // Lilangeni
  THB: 2, // Baht
  TJS: 2, // Somoni
  TMT: 2, // Turkmenistan New Manat
  TND: 3, // Tunisian Dinar
  TOP: 2, // Pa'anga
  TRY: 2, // Turkish Lira
  TTD: 2, // Trinidad and Tobago Dollar
  TWD: 2, // New Taiwan Dollar
  TZS: 2, // Tanzanian Shilling
  UAH: 2, // Hryvnia
  UGX: 0, // Uganda Shilling
  USD: 2, // US Dollar
  USN: 2, // US Dollar (Next day)
  UYI: 0, // Uruguay Peso en Unidades Indexadas
  UYU: 2, // Peso Uruguayo
  UYW: 4, // Unidad Previsional
  UZS: 2, // Uzbekistan Sum
  VED: 2, // Bolivar Soberano (digital)
  VES: 2, // Bolivar Soberano
  VND: 0, // Dong
  VUV: 0, // Vatu
  WST: 2, // Tala
  XAD: 2, // Arab Accounting Dinar
  XAF: 0, // CFA Franc BEAC
  XCD: 2, // East Caribbean Dollar
  XCG: 2, // Caribbean Guilder
  XOF: 0, // CFA Franc BCEAO
  XPF: 0, // CFP Franc
  YER: 2, // Yemeni Rial
  ZAR: 2, // Rand
  ZMW: 2, // Zambian Kwacha
  ZWG: 2, // Zimbabwe Gold
} as const satisfies Readonly<Record<string, 0 | 2 | 3 | 4>>;

type CryptoSpec = Readonly<{
  code: string;
  network: Exclude<Network, 'fiat'>;
  kind: Exclude<AssetKind, 'fiat'>;
  /** The same on both chains, so an amount means the same thing in a test and in production. */
  decimals: number;
  /** Default issuer/contract per chain; config overrides it (`issuers` option). */
  issuer: Readonly<Record<Chain, string | null>>;
}>;

/**
 * Crypto assets Kassa can take. Stellar issuers from PROVIDERS.md 3.1 (unconfirmed by Circle; the
 * testnet EURC issuer is the least certain). Mainnet token contracts are the canonical deployments.
 * Testnet contracts are community faucet tokens (no issuer publishes an official one except Circle's
 * Sepolia USDC): BSC testnet (chain 97) faucet tokens, Ethereum Sepolia, Tron Nile.
 */
const CRYPTO_ASSETS: readonly CryptoSpec[] = [
  { code: 'XLM', network: 'stellar', kind: 'native', decimals: 7, issuer: { mainnet: null, testnet: null } },
  {
    code: 'USDC',
    network: 'stellar',
    kind: 'token',
    decimals: 7,
    issuer: {
      mainnet: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
      testnet: 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
    },
  },
  {
    code: 'EURC',
    network: 'stellar',
    kind: 'token',
    decimals: 7,
    issuer: {
      mainnet: 'GDHU6WRG4IEQXM5NZ4BMPKOXHW76MZM4Y2IEMFDVXBSDP6SJY4ITNPP2',
      // Seen in a single public source (PROVIDERS.md 3.1): configure it if testnet EURC matters.
      testnet: 'GB3Q6QDZYTHWT7E5PVS3W7FUT5GVAFC5KSZFFLPU25GO7VTC3NM2ZTVO',
    },
  },
  // BEP20 stablecoins are Binance-Peg tokens with 18 decimals, unlike their 6-decimal ERC20 originals.
  {
    code: 'USDT',
    network: 'bsc',
    kind: 'token',
    decimals: 18,
    issuer: {
      mainnet: '0x55d398326f99059fF775485246999027B3197955',
      // BNB Chain testnet faucet "USDT" (18 decimals); not issued by Tether.
      testnet: '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd',
    },
  },
  {
    code: 'USDC',
    network: 'bsc',
    kind: 'token',
    decimals: 18,
    issuer: {
      mainnet: '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d',
      // BNB Chain testnet faucet "USDC" (18 decimals); not issued by Circle.
      testnet: '0x64544969ed7EBf5f083679233325356EbE738930',
    },
  },
  {
    code: 'USDT',
    network: 'ethereum',
    kind: 'token',
    decimals: 6,
    issuer: {
      mainnet: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
      // Tether has no official Sepolia token; this is the Aave faucet's 6-decimal USDT. Not established.
      testnet: '0xaA8E23Fb1079EA71e0a56F48a2aA51851D8433D0',
    },
  },
  {
    code: 'USDC',
    network: 'ethereum',
    kind: 'token',
    decimals: 6,
    issuer: {
      mainnet: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      testnet: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238', // Circle's Sepolia USDC
    },
  },
  {
    code: 'USDT',
    network: 'tron',
    kind: 'token',
    decimals: 6,
    issuer: {
      mainnet: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      // Nile testnet; several "USDT" tokens circulate there (also TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj). Not established.
      testnet: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
    },
  },
  {
    code: 'USDC',
    network: 'tron',
    kind: 'token',
    decimals: 6,
    issuer: {
      mainnet: 'TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8',
      // Nile testnet community token; Circle publishes none for Tron testnets. Not established.
      testnet: 'TEMVynQpntMqkPxP6wXTW2K7e4sM3cRmWz',
    },
  },
];

// An id comes from outside; a megabyte of it must not end up in an error message.
function clip(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}...` : id;
}

function cryptoId(spec: CryptoSpec): string {
  return `${spec.code}:${spec.network}`;
}

/**
 * Builds the assets of one chain: every ISO 4217 currency plus the crypto assets, with `issuers`
 * (crypto id -> issuer/contract) replacing default issuers. A bad override is a configuration bug and
 * throws, so it fails at startup rather than at the first payment.
 */
export function createAssetRegistry(options: {
  chain: Chain;
  issuers?: Readonly<Record<string, string>>;
}): AssetRegistry {
  const { chain } = options;
  const overrides = new Map(Object.entries(options.issuers ?? {}));
  const byId = new Map<string, Asset>();

  for (const [code, decimals] of Object.entries(ISO_4217_MINOR_UNITS)) {
    byId.set(
      code,
      Object.freeze({ id: code, code, kind: 'fiat', network: 'fiat', chain: null, issuer: null, decimals }),
    );
  }

  for (const spec of CRYPTO_ASSETS) {
    const id = cryptoId(spec);
    const override = overrides.get(id);
    if (override !== undefined && spec.kind !== 'token') {
      throw new InvariantError(`issuer override for ${id}: a native coin has no issuer`);
    }
    if (override !== undefined && override.trim() === '') {
      throw new InvariantError(`issuer override for ${id} is empty`);
    }
    overrides.delete(id);
    byId.set(
      id,
      Object.freeze({
        id,
        code: spec.code,
        kind: spec.kind,
        network: spec.network,
        chain,
        issuer: override ?? spec.issuer[chain],
        decimals: spec.decimals,
      }),
    );
  }

  if (overrides.size > 0) {
    throw new InvariantError(
      `issuer override for an unknown crypto asset: ${[...overrides.keys()].join(', ')}`,
    );
  }

  const all: readonly Asset[] = Object.freeze([...byId.values()]);
  return {
    chain,
    resolve(id) {
      const asset = byId.get(id);
      return asset ? ok(asset) : err({ code: 'asset_unknown', message: `unknown asset "${clip(id)}"` });
    },
    list: () => all,
  };
}
