import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount } from './format-amount';

const NBSP = '\u00a0';
const NNBSP = '\u202f';

describe('formatAmount', () => {
  it('formats fiat for en-US and de-DE', () => {
    expect(formatAmount({ amount: '1234567.50', asset: 'USD' }, 'en-US')).toBe('$1,234,567.50');
    expect(formatAmount({ amount: '1234567.50', asset: 'USD' }, 'de-DE')).toBe(`1.234.567,50${NBSP}$`);
    expect(formatAmount({ amount: '12.5', asset: 'EUR' }, 'de-DE')).toBe(`12,50${NBSP}€`);
    expect(formatAmount({ amount: '0', asset: 'USD' }, 'en-US')).toBe('$0.00');
  });

  it('formats zero-decimal JPY without adding a fraction, and keeps one if given', () => {
    expect(formatAmount({ amount: '1500', asset: 'JPY' }, 'en-US')).toBe('¥1,500');
    expect(formatAmount({ amount: '1500', asset: 'JPY' }, 'de-DE')).toBe(`1.500${NBSP}¥`);
    expect(formatAmount({ amount: '1500.5', asset: 'JPY' }, 'en-US')).toBe('¥1,500.5');
  });

  it('keeps every digit of 18-decimal token amounts', () => {
    const amount = { amount: '123456789012345678901234.123456789012345678', asset: 'USDT:bsc' };
    expect(formatAmount(amount, 'en-US')).toBe(
      `123,456,789,012,345,678,901,234.123456789012345678${NBSP}USDT`,
    );
    expect(formatAmount(amount, 'de-DE')).toBe(
      `123.456.789.012.345.678.901.234,123456789012345678${NBSP}USDT`,
    );
    expect(formatAmount({ amount: '0.000000000000000001', asset: 'ETH' }, 'en-US')).toBe(
      `0.000000000000000001${NBSP}ETH`,
    );
  });

  it('shows crypto as number and code, with the locale separators', () => {
    expect(formatAmount({ amount: '12.50', asset: 'USDC:stellar' }, 'en-US')).toBe(`12.50${NBSP}USDC`);
    expect(formatAmount({ amount: '1234.5000000', asset: 'USDC:stellar' }, 'de-DE')).toBe(
      `1.234,5000000${NBSP}USDC`,
    );
  });

  it('places the minus sign where the locale does', () => {
    expect(formatAmount({ amount: '-12.50', asset: 'USD' }, 'en-US')).toBe('-$12.50');
    expect(formatAmount({ amount: '-1234.5', asset: 'EUR' }, 'de-DE')).toBe(`-1.234,50${NBSP}€`);
    expect(formatAmount({ amount: '-1234.5', asset: 'JPY' }, 'en-US')).toBe('-¥1,234.5');
    expect(formatAmount({ amount: '-0.000000000000000001', asset: 'ETH' }, 'de-DE')).toBe(
      `-0,000000000000000001${NBSP}ETH`,
    );
  });

  it("follows the locale's grouping rules", () => {
    expect(formatAmount({ amount: '1234567.89', asset: 'INR' }, 'en-IN')).toBe('₹12,34,567.89');
    expect(formatAmount({ amount: '1234.5', asset: 'EUR' }, 'es-ES')).toBe(`1234,50${NBSP}€`);
    expect(formatAmount({ amount: '12345.5', asset: 'EUR' }, 'es-ES')).toBe(`12.345,50${NBSP}€`);
    expect(formatAmount({ amount: '1234567.5', asset: 'EUR' }, 'fr-FR')).toBe(
      `1${NNBSP}234${NNBSP}567,50${NBSP}€`,
    );
  });

  it('rejects strings that are not plain decimals', () => {
    for (const amount of ['', '1e5', '12.', '.5', ' 1', '+1', '1,5', 'NaN', 'Infinity']) {
      expect(() => formatAmount({ amount, asset: 'USD' }, 'en-US')).toThrow(RangeError);
    }
  });

  // Intl.NumberFormat formats decimal strings exactly (ES2023), so it is a digit-perfect oracle here.
  // The widget does not rely on it because older browsers round the string through a double.
  it('matches Intl string formatting and never drops a digit', () => {
    const locales = [
      'en-US',
      'de-DE',
      'en-IN',
      'es-ES',
      'fr-FR',
      'ja-JP',
      'de-CH',
      'he-IL',
      'ar-EG',
      'pt-BR',
    ];
    const assets = ['USD', 'EUR', 'JPY', 'INR', 'KWD', 'CHF', 'USDC:stellar', 'USDT:bsc', 'ETH'];
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,29})$/), fc.stringMatching(/^\d{0,18}$/))
      .map(
        ([negative, integer, fraction]) =>
          `${negative ? '-' : ''}${integer}${fraction ? `.${fraction}` : ''}`,
      );

    fc.assert(
      fc.property(
        decimal,
        fc.constantFrom(...locales),
        fc.constantFrom(...assets),
        (value, locale, asset) => {
          const fiat = asset.length === 3 && asset !== 'ETH';
          const style: Intl.NumberFormatOptions = fiat
            ? { style: 'currency', currency: asset, numberingSystem: 'latn' }
            : { numberingSystem: 'latn' };
          const minor = fiat
            ? new Intl.NumberFormat(locale, style).resolvedOptions().minimumFractionDigits!
            : 0;
          const given = value.split('.')[1]?.length ?? 0;
          const digits = Math.max(given, minor);
          const oracle = new Intl.NumberFormat(locale, {
            ...style,
            minimumFractionDigits: digits,
            maximumFractionDigits: digits,
          }).format(value as `${number}`);
          const expected = fiat ? oracle : `${oracle}${NBSP}${asset.split(':')[0]}`;

          const formatted = formatAmount({ amount: value, asset }, locale);
          expect(formatted).toBe(expected);
          expect(formatted.replace(/\D/g, '')).toBe(value.replace(/\D/g, '') + '0'.repeat(digits - given));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
