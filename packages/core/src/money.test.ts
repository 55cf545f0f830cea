import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Asset } from './asset';
import { createAssetRegistry } from './assets';
import {
  addMoney,
  AssetMismatchError,
  compareMoney,
  formatAmount,
  isNegative,
  isPositive,
  isZero,
  MAX_WHOLE_UNITS,
  maxMoney,
  minMoney,
  moneyOf,
  multiplyMoney,
  parseAmount,
  subtractMoney,
  sumMoney,
  zeroOf,
  type AmountErrorCode,
  type Money,
} from './money';
import { InvariantError } from './result';

const mainnet = createAssetRegistry({ chain: 'mainnet' });
const testnet = createAssetRegistry({ chain: 'testnet' });

function asset(id: string, registry = mainnet): Asset {
  const result = registry.resolve(id);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const USD = asset('USD');
const EUR = asset('EUR');
const JPY = asset('JPY');
const KWD = asset('KWD');
const XLM = asset('XLM:stellar');
const USDT_BSC = asset('USDT:bsc');

// Fiat is the same on both chains; crypto differs by issuer and chain, so each chain's crypto counts.
const everyAsset: readonly Asset[] = [...mainnet.list(), ...testnet.list().filter((a) => a.chain !== null)];

const parseAny = (a: Asset, input: string) => parseAmount(a, input, { allowZero: true, allowNegative: true });

function minorOf(
  a: Asset,
  input: string,
  options?: { allowZero?: boolean; allowNegative?: boolean },
): bigint {
  const result = parseAmount(a, input, options);
  if (!result.ok) throw new Error(`${input}: ${result.error.code}`);
  expect(typeof result.value.minor).toBe('bigint');
  return result.value.minor;
}

function codeOf(a: Asset, input: string, options?: { allowZero?: boolean; allowNegative?: boolean }) {
  const result = parseAmount(a, input, options);
  return result.ok ? 'ok' : result.error.code;
}

/** Minor units strictly inside the accepted range for `a`. */
function minorUnits(a: Asset, options: { negative: boolean }) {
  const limit = MAX_WHOLE_UNITS * 10n ** BigInt(a.decimals) - 1n;
  return fc.oneof(
    fc.bigInt({ min: options.negative ? -limit : 0n, max: limit }),
    // Small values exercise the zero padding of the fractional part.
    fc.bigInt({ min: options.negative ? -1000n : 0n, max: 1000n }),
    fc.constantFrom(0n, 1n, limit, ...(options.negative ? [-1n, -limit] : [])),
  );
}

describe('parseAmount and formatAmount', () => {
  it.each([
    ['12', 1200n],
    ['12.5', 1250n],
    ['12.50', 1250n],
    ['0.01', 1n],
    ['0.50', 50n],
    ['1000000', 100_000_000n],
    ['999999999999999.99', 99_999_999_999_999_999n],
  ])('reads USD %s as %s cents', (input, minor) => {
    expect(minorOf(USD, input)).toBe(minor);
  });

  it('reads negatives and zero only when allowed', () => {
    expect(minorOf(USD, '-3.20', { allowNegative: true })).toBe(-320n);
    expect(minorOf(USD, '0', { allowZero: true })).toBe(0n);
    expect(minorOf(USD, '0.00', { allowZero: true })).toBe(0n);
    expect(codeOf(USD, '-3.20')).toBe('amount_sign');
    expect(codeOf(USD, '0')).toBe('amount_zero');
    expect(codeOf(USD, '0.00')).toBe('amount_zero');
    expect(codeOf(USD, '-0', { allowNegative: true })).toBe('amount_zero');
    expect(codeOf(USD, '-0.00', { allowNegative: true, allowZero: true })).toBe('amount_sign');
  });

  it('formats to the canonical form a merchant sees', () => {
    const money = (a: Asset, input: string) =>
      formatAmount(moneyOf(a, minorOf(a, input, { allowNegative: true })));
    expect(money(USD, '12.5')).toBe('12.50');
    expect(money(USD, '12')).toBe('12.00');
    expect(money(USD, '0.01')).toBe('0.01');
    expect(money(USD, '-3.2')).toBe('-3.20');
    expect(money(JPY, '1500')).toBe('1500');
    expect(money(KWD, '1.5')).toBe('1.500');
    expect(money(XLM, '25.5')).toBe('25.5000000');
    expect(money(USDT_BSC, '1')).toBe('1.000000000000000000');
    expect(money(USDT_BSC, '0.000000000000000001')).toBe('0.000000000000000001');
    expect(formatAmount(zeroOf(USD))).toBe('0.00');
    expect(formatAmount(zeroOf(JPY))).toBe('0');
    expect(formatAmount(moneyOf(USD, -1n))).toBe('-0.01');
  });

  it('reads 18-decimal amounts exactly, beyond what a float can hold', () => {
    expect(minorOf(USDT_BSC, '123456789.123456789123456789')).toBe(123_456_789_123_456_789_123_456_789n);
    expect(minorOf(USDT_BSC, '0.1')).toBe(100_000_000_000_000_000n);
  });

  describe.each(everyAsset.map((a) => [`${a.id} ${a.chain ?? 'fiat'}`, a] as const))('%s', (_label, a) => {
    it('round-trips canonical strings: format(parse(s)) === s and the minor units survive', () => {
      fc.assert(
        fc.property(minorUnits(a, { negative: true }), (minor) => {
          const canonical = formatAmount(moneyOf(a, minor));
          const parsed = parseAny(a, canonical);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(typeof parsed.value.minor).toBe('bigint');
          expect(parsed.value.minor).toBe(minor);
          expect(parsed.value.asset).toBe(a);
          expect(formatAmount(parsed.value)).toBe(canonical);
        }),
        { numRuns: 60 },
      );
    });

    it('refuses one decimal more than the asset has, even a zero', () => {
      const tooMany = '1.' + '0'.repeat(a.decimals + 1);
      expect(codeOf(a, tooMany)).toBe('amount_too_precise');
      expect(codeOf(a, '1.' + '0'.repeat(a.decimals) + '1')).toBe('amount_too_precise');
    });

    it('refuses amounts of MAX_WHOLE_UNITS or more', () => {
      expect(codeOf(a, String(MAX_WHOLE_UNITS))).toBe('amount_too_large');
      expect(codeOf(a, `-${String(MAX_WHOLE_UNITS)}`, { allowNegative: true })).toBe('amount_too_large');
      expect(codeOf(a, String(MAX_WHOLE_UNITS - 1n))).toBe('ok');
    });
  });

  it('reads shorter fractions as padded: parse then format gives the canonical form', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...everyAsset.filter((a) => a.decimals > 0)),
        fc.bigInt({ min: 0n, max: MAX_WHOLE_UNITS - 1n }),
        fc.nat(),
        fc.nat(),
        (a, whole, fractionSeed, lengthSeed) => {
          const length = 1 + (lengthSeed % a.decimals);
          const fraction = String(fractionSeed).padStart(length, '0').slice(-length);
          const input = `${String(whole)}.${fraction}`;
          const parsed = parseAny(a, input);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(formatAmount(parsed.value)).toBe(`${String(whole)}.${fraction.padEnd(a.decimals, '0')}`);
        },
      ),
    );
  });

  type Case = readonly [input: string, code: AmountErrorCode];
  const rejections: readonly Case[] = [
    ['', 'amount_empty'],
    // Whitespace and invisible characters, anywhere.
    [' 1', 'amount_whitespace'],
    ['1 ', 'amount_whitespace'],
    [' ', 'amount_whitespace'],
    ['1 000', 'amount_whitespace'],
    ['1\t', 'amount_whitespace'],
    ['\n1', 'amount_whitespace'],
    ['1\u00a0', 'amount_whitespace'], // no-break space
    ['1\u202f000', 'amount_whitespace'], // narrow no-break space, a French thousands separator
    ['1\u2009000', 'amount_whitespace'], // thin space
    ['1\u3000', 'amount_whitespace'], // ideographic space
    ['\u200b1', 'amount_whitespace'], // zero-width space
    ['1\u200d0', 'amount_whitespace'], // zero-width joiner
    ['\u2060100', 'amount_whitespace'], // word joiner
    ['\ufeff1', 'amount_whitespace'], // byte order mark
    ['\u202e01', 'amount_whitespace'], // right-to-left override
    ['1\u00ad0', 'amount_whitespace'], // soft hyphen
    // Exponents.
    ['1e3', 'amount_exponent'],
    ['1E-2', 'amount_exponent'],
    ['1.5e2', 'amount_exponent'],
    ['-1e3', 'amount_exponent'],
    ['.5e1', 'amount_exponent'],
    // Signs.
    ['+5', 'amount_sign'],
    ['-5', 'amount_sign'],
    ['+0.50', 'amount_sign'],
    // Shapes that are not a plain decimal.
    ['.5', 'amount_malformed'],
    ['5.', 'amount_malformed'],
    ['1,000', 'amount_malformed'],
    ['1,50', 'amount_malformed'],
    ['0x10', 'amount_malformed'],
    ['0b1', 'amount_malformed'],
    ['Infinity', 'amount_malformed'],
    ['-Infinity', 'amount_malformed'],
    ['NaN', 'amount_malformed'],
    ['--1', 'amount_malformed'],
    ['+-1', 'amount_malformed'],
    ['1-', 'amount_malformed'],
    ['1.2.3', 'amount_malformed'],
    ['1..2', 'amount_malformed'],
    ['.', 'amount_malformed'],
    ['-', 'amount_malformed'],
    ['e', 'amount_malformed'],
    ['1e', 'amount_malformed'],
    ['1_000', 'amount_malformed'],
    ['$5', 'amount_malformed'],
    ['5USD', 'amount_malformed'],
    ['007', 'amount_malformed'],
    ['00.50', 'amount_malformed'],
    ['-01', 'amount_malformed'],
    ['\uff11\uff12', 'amount_malformed'], // full-width digits
    ['1\uff10', 'amount_malformed'],
    ['\u0661\u0662', 'amount_malformed'], // Arabic-Indic digits
    ['\u0967', 'amount_malformed'], // Devanagari one
    ['\u22125', 'amount_malformed'], // minus sign, not hyphen-minus
    ['1\u00b70', 'amount_malformed'], // middle dot
    ['1\uff0e5', 'amount_malformed'], // full-width full stop
    // Precision and size.
    ['1.001', 'amount_too_precise'],
    ['1.000', 'amount_too_precise'],
    ['0.001', 'amount_too_precise'],
    ['1000000000000000', 'amount_too_large'],
    ['99999999999999999999999999999999', 'amount_too_large'],
    // Zero.
    ['0', 'amount_zero'],
    ['0.0', 'amount_zero'],
    ['0.00', 'amount_zero'],
  ];

  it.each(rejections)('refuses USD %j with %s', (input, code) => {
    const result = parseAmount(USD, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.message.length).toBeGreaterThan(0);
  });

  it('tells the merchant how many decimals an asset allows', () => {
    const message = (a: Asset, input: string) => {
      const result = parseAmount(a, input);
      return result.ok ? '' : result.error.message;
    };
    expect(message(USD, '1.001')).toBe('amount must have at most 2 decimals for USD');
    expect(message(KWD, '1.0001')).toBe('amount must have at most 3 decimals for KWD');
    expect(message(JPY, '1.5')).toBe('amount must have no decimals for JPY');
    expect(message(XLM, '1.00000001')).toBe('amount must have at most 7 decimals for XLM:stellar');
  });

  it('refuses any dot for a zero-decimal currency', () => {
    for (const input of ['1.0', '1.5', '1000.00', '0.0']) {
      expect(codeOf(JPY, input, { allowZero: true })).toBe('amount_too_precise');
    }
    expect(codeOf(JPY, '1.')).toBe('amount_malformed');
    expect(minorOf(JPY, '1500')).toBe(1500n);
  });

  it('refuses a non-string from an untyped caller instead of trusting a float', () => {
    expect(codeOf(USD, 12.5 as unknown as string)).toBe('amount_malformed');
  });

  it('never throws, and accepts exactly the strict decimal grammar, on arbitrary input', () => {
    const strict = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
    const alphabet = fc.constantFrom(...'0123456789.-+eE ,x\u00a0\u200b\uff11'.split(''));
    fc.assert(
      fc.property(
        fc.constantFrom(USD, JPY, KWD, XLM, USDT_BSC),
        fc.oneof(
          fc.string({ unit: alphabet, maxLength: 24 }),
          fc.string({ unit: 'grapheme', maxLength: 12 }),
        ),
        (a, input) => {
          const result = parseAny(a, input);
          const fraction = /\.([0-9]+)$/.exec(input)?.[1] ?? '';
          const whole = input.replace(/^-/, '').split('.')[0] ?? '';
          const accepted =
            strict.test(input) &&
            fraction.length <= a.decimals &&
            whole.length <= 15 &&
            !/^-(0|0\.0+)$/.test(input);
          expect(result.ok).toBe(accepted);
          if (!result.ok) return;
          expect(typeof result.value.minor).toBe('bigint');
          expect(parseAny(a, formatAmount(result.value))).toEqual(result);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('arithmetic', () => {
  const usd = (minor: bigint) => moneyOf(USD, minor);
  const cents = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });

  it('adds and subtracts exactly, as bigints', () => {
    fc.assert(
      fc.property(cents, cents, cents, (x, y, z) => {
        const [a, b, c] = [usd(x), usd(y), usd(z)];
        expect(addMoney(a, b)).toEqual(addMoney(b, a));
        expect(addMoney(addMoney(a, b), c)).toEqual(addMoney(a, addMoney(b, c)));
        expect(subtractMoney(addMoney(a, b), b)).toEqual(a);
        expect(addMoney(a, zeroOf(USD))).toEqual(a);
        for (const result of [
          addMoney(a, b),
          subtractMoney(a, b),
          multiplyMoney(a, y),
          sumMoney(USD, [a, b, c]),
        ]) {
          expect(typeof result.minor).toBe('bigint');
          expect(result.asset).toBe(USD);
        }
      }),
    );
  });

  it('keeps cents exact where floats drift', () => {
    expect(formatAmount(addMoney(usd(10n), usd(20n)))).toBe('0.30');
    const dimes = Array.from({ length: 10 }, () => usd(10n));
    expect(formatAmount(sumMoney(USD, dimes))).toBe('1.00');
  });

  it('compares without giving out a number', () => {
    fc.assert(
      fc.property(cents, cents, (x, y) => {
        const order = compareMoney(usd(x), usd(y));
        expect(order).toBe(x < y ? 'lt' : x > y ? 'gt' : 'eq');
        expect(minMoney(usd(x), usd(y)).minor).toBe(x < y ? x : y);
        expect(maxMoney(usd(x), usd(y)).minor).toBe(x > y ? x : y);
        expect(isZero(usd(x))).toBe(x === 0n);
        expect(isPositive(usd(x))).toBe(x > 0n);
        expect(isNegative(usd(x))).toBe(x < 0n);
      }),
    );
  });

  it('sums to zero for an empty list and multiplies by whole factors', () => {
    expect(sumMoney(USD, [])).toEqual(zeroOf(USD));
    expect(multiplyMoney(usd(1999n), 3n)).toEqual(usd(5997n));
    expect(multiplyMoney(usd(1999n), -1n)).toEqual(usd(-1999n));
    expect(() => multiplyMoney(usd(1n), 1.5 as unknown as bigint)).toThrow(InvariantError);
  });

  it('refuses to mix assets, with a typed error', () => {
    const usdcMainnet = asset('USDC:stellar');
    const usdcTestnet = asset('USDC:stellar', testnet);
    const usdcOtherIssuer = asset(
      'USDC:stellar',
      createAssetRegistry({
        chain: 'mainnet',
        issuers: { 'USDC:stellar': 'GFAKEISSUERFORTESTS' },
      }),
    );
    const pairs: readonly (readonly [Money, Money])[] = [
      [usd(1n), moneyOf(EUR, 1n)],
      [moneyOf(usdcMainnet, 1n), moneyOf(usdcTestnet, 1n)],
      [moneyOf(usdcMainnet, 1n), moneyOf(usdcOtherIssuer, 1n)],
      [moneyOf(asset('USDT:bsc'), 1n), moneyOf(asset('USDT:ethereum'), 1n)],
    ];
    for (const [a, b] of pairs) {
      for (const operation of [addMoney, subtractMoney, compareMoney, minMoney, maxMoney]) {
        expect(() => operation(a, b)).toThrow(AssetMismatchError);
      }
      expect(() => sumMoney(a.asset, [a, b])).toThrow(AssetMismatchError);
    }
    try {
      addMoney(usd(1n), moneyOf(EUR, 1n));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvariantError);
      expect(error).toBeInstanceOf(AssetMismatchError);
      expect((error as AssetMismatchError).code).toBe('asset_mismatch');
      expect((error as AssetMismatchError).message).toBe('cannot add USD and EUR');
    }
  });

  it('refuses a number where minor units belong', () => {
    expect(() => moneyOf(USD, 100 as unknown as bigint)).toThrow(InvariantError);
    expect(() => formatAmount({ asset: USD, minor: 100 as unknown as bigint })).toThrow(InvariantError);
  });

  it('refuses an asset with impossible decimals', () => {
    const broken: Asset = { ...USD, id: 'BROKEN', decimals: 2.5 };
    expect(() => parseAmount(broken, '1')).toThrow(InvariantError);
    expect(() => zeroOf({ ...USD, decimals: -1 })).toThrow(InvariantError);
  });
});
