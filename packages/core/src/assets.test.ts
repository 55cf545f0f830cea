import { describe, expect, it } from 'vitest';
import type { Asset, Chain } from './asset';
import { createAssetRegistry, type AssetRegistry } from './assets';
import { InvariantError } from './result';

const chains: readonly Chain[] = ['mainnet', 'testnet'];
const mainnet = createAssetRegistry({ chain: 'mainnet' });
const testnet = createAssetRegistry({ chain: 'testnet' });

function resolve(registry: AssetRegistry, id: string): Asset {
  const result = registry.resolve(id);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const CRYPTO_IDS = [
  'XLM:stellar',
  'USDC:stellar',
  'EURC:stellar',
  'USDT:bsc',
  'USDC:bsc',
  'USDT:ethereum',
  'USDC:ethereum',
  'USDT:tron',
  'USDC:tron',
];

// PROVIDERS.md 3.1.
const CIRCLE_STELLAR = {
  'USDC:stellar': {
    mainnet: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
    testnet: 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
  },
  'EURC:stellar': {
    mainnet: 'GDHU6WRG4IEQXM5NZ4BMPKOXHW76MZM4Y2IEMFDVXBSDP6SJY4ITNPP2',
    testnet: 'GB3Q6QDZYTHWT7E5PVS3W7FUT5GVAFC5KSZFFLPU25GO7VTC3NM2ZTVO',
  },
} as const;

describe('fiat', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['CLP', 0],
    ['ISK', 0],
    ['XOF', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['OMR', 3],
    ['JOD', 3],
    ['IQD', 3],
    ['LYD', 3],
    ['TND', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('%s has %i decimals', (id, decimals) => {
    for (const registry of [mainnet, testnet]) {
      expect(resolve(registry, id).decimals).toBe(decimals);
    }
  });

  it('is fiat on either chain: no chain, no issuer, its own code as id', () => {
    for (const registry of [mainnet, testnet]) {
      expect(resolve(registry, 'USD')).toEqual({
        id: 'USD',
        code: 'USD',
        kind: 'fiat',
        network: 'fiat',
        chain: null,
        issuer: null,
        decimals: 2,
      });
    }
  });

  it('lists the active ISO 4217 currencies and no metals, test codes or withdrawn ones', () => {
    const fiat = mainnet.list().filter((a) => a.kind === 'fiat');
    expect(fiat.length).toBeGreaterThanOrEqual(150);
    for (const a of fiat) {
      expect(a.id).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(a.decimals);
    }
    for (const id of ['XAU', 'XAG', 'XDR', 'XTS', 'XXX', 'HRK', 'ANG', 'SLL', 'ZWL', 'CUC', 'BGN']) {
      expect(mainnet.resolve(id).ok).toBe(false);
    }
    for (const id of ['XCG', 'SLE', 'ZWG', 'VES', 'MRU', 'STN', 'CHF', 'CNY', 'INR', 'BRL', 'NGN']) {
      expect(mainnet.resolve(id).ok).toBe(true);
    }
  });
});

describe('crypto', () => {
  it.each([
    ['XLM:stellar', 7, 'native'],
    ['USDC:stellar', 7, 'token'],
    ['EURC:stellar', 7, 'token'],
    ['USDT:bsc', 18, 'token'],
    ['USDC:bsc', 18, 'token'],
    ['USDT:ethereum', 6, 'token'],
    ['USDC:ethereum', 6, 'token'],
    ['USDT:tron', 6, 'token'],
    ['USDC:tron', 6, 'token'],
  ])('%s has %i decimals on both chains', (id, decimals, kind) => {
    for (const chain of chains) {
      const a = resolve(createAssetRegistry({ chain }), id);
      expect(a.decimals).toBe(decimals);
      expect(a.kind).toBe(kind);
      expect(a.chain).toBe(chain);
      expect(a.network).toBe(id.split(':')[1]);
      expect(a.code).toBe(id.split(':')[0]);
      expect(a.issuer === null).toBe(kind === 'native');
    }
  });

  it('uses the Circle issuers of PROVIDERS.md, different on mainnet and testnet', () => {
    for (const [id, issuers] of Object.entries(CIRCLE_STELLAR)) {
      expect(resolve(mainnet, id).issuer).toBe(issuers.mainnet);
      expect(resolve(testnet, id).issuer).toBe(issuers.testnet);
      expect(issuers.mainnet).not.toBe(issuers.testnet);
    }
  });

  it.each([
    ['USDT:ethereum', '0xdAC17F958D2ee523a2206206994597C13D831ec7'],
    ['USDC:ethereum', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'],
    ['USDT:bsc', '0x55d398326f99059fF775485246999027B3197955'],
    ['USDC:bsc', '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d'],
    ['USDT:tron', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'],
    ['USDC:tron', 'TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8'],
  ])('%s uses the mainnet contract %s', (id, contract) => {
    expect(resolve(mainnet, id).issuer).toBe(contract);
    expect(resolve(testnet, id).issuer).not.toBe(contract);
  });

  it('uses Circle Sepolia USDC on testnet', () => {
    expect(resolve(testnet, 'USDC:ethereum').issuer).toBe('0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238');
  });

  it('has an issuer of the right shape for every token', () => {
    const shapes: Record<string, RegExp> = {
      stellar: /^G[A-Z2-7]{55}$/,
      bsc: /^0x[0-9a-fA-F]{40}$/,
      ethereum: /^0x[0-9a-fA-F]{40}$/,
      tron: /^T[1-9A-HJ-NP-Za-km-z]{33}$/,
    };
    for (const registry of [mainnet, testnet]) {
      for (const a of registry.list().filter((x) => x.kind === 'token')) {
        expect(a.issuer).toMatch(shapes[a.network]!);
      }
    }
  });
});

describe('registry', () => {
  it('lists every fiat currency and every crypto asset, once, for its chain', () => {
    for (const registry of [mainnet, testnet]) {
      const ids = registry.list().map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of CRYPTO_IDS) expect(ids).toContain(id);
      for (const a of registry.list()) {
        expect(resolve(registry, a.id)).toBe(a);
        expect(a.chain).toBe(a.kind === 'fiat' ? null : registry.chain);
      }
    }
  });

  it('answers asset_unknown, naming the id, for anything else', () => {
    for (const id of [
      'usd',
      'Usd',
      'USDC',
      'USDT',
      'XLM',
      'usdc:stellar',
      'USDC:Stellar',
      'USDC:polygon',
      '',
      ' USD',
      'USD ',
      'BTC',
      'constructor',
      '__proto__',
      'toString',
    ]) {
      const result = mainnet.resolve(id);
      expect(result).toEqual({
        ok: false,
        error: { code: 'asset_unknown', message: expect.stringContaining(`"${id}"`) as unknown },
      });
    }
  });

  it('keeps error messages short when the id is huge', () => {
    const result = mainnet.resolve('X'.repeat(100_000));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message.length).toBeLessThan(100);
  });

  it('takes issuer overrides from configuration, for that asset only', () => {
    const custom = createAssetRegistry({
      chain: 'testnet',
      issuers: { 'EURC:stellar': 'GCUSTOMEURCISSUER', 'USDT:tron': 'TCustomNileUsdt' },
    });
    expect(resolve(custom, 'EURC:stellar').issuer).toBe('GCUSTOMEURCISSUER');
    expect(resolve(custom, 'USDT:tron').issuer).toBe('TCustomNileUsdt');
    expect(resolve(custom, 'USDC:stellar')).toEqual(resolve(testnet, 'USDC:stellar'));
    expect(resolve(custom, 'EURC:stellar').decimals).toBe(7);
  });

  it('refuses overrides that cannot be right, at construction', () => {
    const bad: readonly Record<string, string>[] = [
      { 'USDC:polygon': '0x0' },
      { USD: 'x' },
      { 'XLM:stellar': 'GNATIVEHASNOISSUER' },
      { 'usdc:stellar': 'G' },
      { 'USDC:stellar': '' },
      { 'USDC:stellar': '   ' },
    ];
    for (const issuers of bad) {
      expect(() => createAssetRegistry({ chain: 'mainnet', issuers })).toThrow(InvariantError);
    }
  });

  it('hands out frozen assets, so no caller can change a shared one', () => {
    const a = resolve(mainnet, 'USDC:stellar');
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(mainnet.list())).toBe(true);
  });
});
