import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Asset } from './asset';
import { allocate } from './allocate';
import { createAssetRegistry } from './assets';
import { formatAmount, moneyOf, type Money } from './money';
import { InvariantError } from './result';

const registry = createAssetRegistry({ chain: 'mainnet' });

function asset(id: string): Asset {
  const result = registry.resolve(id);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const USD = asset('USD');
const JPY = asset('JPY');
const USDT_BSC = asset('USDT:bsc');

const minors = (parts: readonly Money[]) => parts.map((p) => p.minor);

const weightsArb = fc
  .array(fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 10n ** 20n })), {
    minLength: 1,
    maxLength: 12,
  })
  .filter((ws) => ws.some((w) => w > 0n));
const totalArb = fc.oneof(
  fc.bigInt({ min: -(10n ** 36n), max: 10n ** 36n }),
  fc.bigInt({ min: -50n, max: 50n }),
);

describe('allocate', () => {
  it('splits a bill with the leftover cent going to the earliest parts', () => {
    expect(minors(allocate(moneyOf(USD, 100n), [1n, 1n, 1n]))).toEqual([34n, 33n, 33n]);
    expect(minors(allocate(moneyOf(USD, 200n), [1n, 1n, 1n]))).toEqual([67n, 67n, 66n]);
    expect(minors(allocate(moneyOf(USD, 1n), [1n, 1n, 1n]))).toEqual([1n, 0n, 0n]);
    // 1.5 and 3.5: equal remainders, so the earlier part takes the cent.
    expect(minors(allocate(moneyOf(USD, 5n), [3n, 7n]))).toEqual([2n, 3n]);
  });

  it('gives the leftover to the largest remainder, not just the first part', () => {
    // Exact shares 0.3 / 0.7 / 0.0 of 1: the 0.7 part takes the cent.
    expect(minors(allocate(moneyOf(USD, 1n), [3n, 7n, 0n]))).toEqual([0n, 1n, 0n]);
    // 10 over 1:1:1:1 -> 2.5 each: ties go to the two earliest.
    expect(minors(allocate(moneyOf(JPY, 10n), [1n, 1n, 1n, 1n]))).toEqual([3n, 3n, 2n, 2n]);
  });

  it('mirrors the positive case for negative totals (refunds)', () => {
    expect(minors(allocate(moneyOf(USD, -100n), [1n, 1n, 1n]))).toEqual([-34n, -33n, -33n]);
    expect(minors(allocate(moneyOf(USD, -1n), [3n, 7n, 0n]))).toEqual([0n, -1n, 0n]);
  });

  it('splits zero into zeros and gives zero-weight parts nothing', () => {
    expect(minors(allocate(moneyOf(USD, 0n), [1n, 2n]))).toEqual([0n, 0n]);
    expect(minors(allocate(moneyOf(USD, 999n), [0n, 1n, 0n]))).toEqual([0n, 999n, 0n]);
  });

  it('splits 18-decimal amounts exactly', () => {
    const total = moneyOf(USDT_BSC, 10n ** 18n);
    const parts = allocate(total, [1n, 1n, 1n]);
    expect(parts.map(formatAmount)).toEqual([
      '0.333333333333333334',
      '0.333333333333333333',
      '0.333333333333333333',
    ]);
  });

  it('refuses weights that cannot be split over', () => {
    const total = moneyOf(USD, 100n);
    expect(() => allocate(total, [])).toThrow(InvariantError);
    expect(() => allocate(total, [0n, 0n])).toThrow(InvariantError);
    expect(() => allocate(total, [1n, -1n, 2n])).toThrow(InvariantError);
    expect(() => allocate(total, [1 as unknown as bigint])).toThrow(InvariantError);
  });

  it('always sums to the total, each part within one minor unit of its exact share', () => {
    fc.assert(
      fc.property(totalArb, weightsArb, (minor, weights) => {
        const total = moneyOf(USD, minor);
        const parts = allocate(total, weights);
        const weightSum = weights.reduce((a, b) => a + b, 0n);
        expect(parts).toHaveLength(weights.length);
        expect(parts.reduce((sum, p) => sum + p.minor, 0n)).toBe(minor);
        parts.forEach((part, i) => {
          const weight = weights[i]!;
          expect(typeof part.minor).toBe('bigint');
          expect(part.asset).toBe(USD);
          // |part - total * w / W| < 1, scaled by W to stay in integers: floor or ceil of the share.
          const error = part.minor * weightSum - minor * weight;
          expect(error < weightSum && error > -weightSum).toBe(true);
          if (weight === 0n) expect(part.minor).toBe(0n);
        });
      }),
    );
  });

  it('rounds up exactly the largest remainders, earlier index first on ties', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), weightsArb, (minor, weights) => {
        const parts = allocate(moneyOf(USD, minor), weights);
        const weightSum = weights.reduce((a, b) => a + b, 0n);
        const info = weights.map((w, i) => ({
          i,
          remainder: (minor * w) % weightSum,
          up: parts[i]!.minor * weightSum > minor * w,
        }));
        for (const up of info.filter((x) => x.up)) {
          for (const down of info.filter((x) => !x.up && x.remainder > 0n)) {
            expect(up.remainder > down.remainder || (up.remainder === down.remainder && up.i < down.i)).toBe(
              true,
            );
          }
        }
      }),
    );
  });

  it('is the negation of the positive split for a negative total', () => {
    fc.assert(
      fc.property(totalArb, weightsArb, (minor, weights) => {
        const positive = minors(allocate(moneyOf(USD, minor < 0n ? -minor : minor), weights));
        const negative = minors(allocate(moneyOf(USD, minor < 0n ? minor : -minor), weights));
        expect(negative).toEqual(positive.map((m) => -m));
      }),
    );
  });

  it('gives equal weights parts that differ by at most one unit', () => {
    fc.assert(
      fc.property(totalArb, fc.integer({ min: 1, max: 20 }), (minor, n) => {
        const parts = minors(
          allocate(
            moneyOf(USD, minor),
            Array.from({ length: n }, () => 1n),
          ),
        );
        const max = parts.reduce((a, b) => (a > b ? a : b));
        const min = parts.reduce((a, b) => (a < b ? a : b));
        expect(max - min <= 1n).toBe(true);
      }),
    );
  });
});
