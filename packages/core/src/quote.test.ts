import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAssetRegistry } from './assets';
import { formatAmount, moneyOf, parseAmount } from './money';
import { creditAtQuote, PAR, quoteAmount } from './quote';

const assets = createAssetRegistry({ chain: 'testnet' });
const asset = (id: string) => {
  const a = assets.resolve(id);
  if (!a.ok) throw new Error(id);
  return a.value;
};
const usd = asset('USD');
const usdc = asset('USDC:stellar');
const jpy = asset('JPY');

describe('paying a checkout in another asset at a quoted rate', () => {
  it('USD at par in USDC: 12.34 USD asks 12.3400000 USDC, and that much pays exactly 12.34', () => {
    const due = parseAmount(usd, '12.34');
    if (!due.ok) throw new Error('amount');
    const ask = quoteAmount(due.value, { payAsset: usdc, rate: PAR });
    expect(formatAmount(ask)).toBe('12.3400000');
    expect(formatAmount(creditAtQuote(ask, { payAsset: usdc, rate: PAR }, usd))).toBe('12.34');
  });

  it('dust below a cent counts for nothing; the payer is never asked for less than is due', () => {
    const quote = { payAsset: usdc, rate: PAR };
    expect(formatAmount(creditAtQuote(moneyOf(usdc, 123_399_999n), quote, usd))).toBe('12.33');
    expect(formatAmount(quoteAmount(moneyOf(jpy, 1000n), { payAsset: usdc, rate: '0.0066' }))).toBe(
      '151515.1515152',
    );
  });

  it('for any amount and rate, paying what was asked pays what is due, and one unit less does not', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 6 }),
        (minor, digits, scale) => {
          const rate = scale === 0 ? String(digits) : (digits / 10 ** scale).toFixed(scale);
          if (/^0(\.0*)?$/.test(rate)) return;
          const quote = { payAsset: usdc, rate };
          const due = moneyOf(usd, minor);
          const credited = creditAtQuote(quoteAmount(due, quote), quote, usd);
          expect(credited.minor >= due.minor).toBe(true);
          const lessOne = creditAtQuote(moneyOf(usdc, quoteAmount(due, quote).minor - 1n), quote, usd);
          expect(lessOne.minor < due.minor).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an exact quoted pair (50.01 USDT for 49.99 USD) credits exactly the amount due when exactly that is paid', () => {
    const usdt = asset('USDT:ethereum');
    const quote = { payAsset: usdt, rate: '0.9996', basis: { payMinor: '50010000', dueMinor: '4999' } };
    expect(formatAmount(creditAtQuote(moneyOf(usdt, 50_010_000n), quote, usd))).toBe('49.99');
    expect(formatAmount(creditAtQuote(moneyOf(usdt, 50_009_999n), quote, usd))).toBe('49.98');
    expect(formatAmount(creditAtQuote(moneyOf(usdt, 25_005_000n), quote, usd))).toBe('24.99');
  });
});
