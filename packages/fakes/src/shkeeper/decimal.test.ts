import { describe, expect, it } from 'vitest';
import {
  add,
  compare,
  decimalFromNumber,
  div,
  mul,
  normalize,
  parseDecimal,
  quantize,
  removeExponent,
  stored,
  toPlain,
  type Dec,
} from './decimal';

function d(text: string): Dec {
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(`bad decimal ${text}`);
  return parsed;
}

// Expected values below were produced by CPython 3 with the same expressions SHKeeper uses.
describe('decimal, as SHKeeper computes and prints it', () => {
  it.each([
    ['49.99', '49.99'],
    ['30.00', '30'],
    ['0', '0'],
    ['0.1', '0.1'],
    ['2.675', '2.675'],
    ['-1.5', '-1.5'],
    ['1e-7', '0.0000001'],
    // More digits than a double holds: the float step shows.
    ['1.123456789012345678', '1.123456789'],
    ['12345678.1234567891', '12345678.1234567892'],
    ['123456789012.123456789', '123456789012.1234588623'],
    ['12345678901234567.89', '12345678901234568'],
    // An exact tie at the 11th decimal rounds half to even; just above a tie rounds up.
    ['0.00048828125', '0.0004882812'],
    ['0.00000000005', '0.0000000001'],
    ['0.00000000015', '0.0000000001'],
  ])('remove_exponent(Decimal(%s)) is %s', (input, expected) => {
    expect(removeExponent(d(input))).toBe(expected);
  });

  it('divides to 28 significant digits and keeps exact quotients short', () => {
    expect(toPlain(div(d('1'), d('3')))).toBe('0.3333333333333333333333333333');
    expect(toPlain(div(d('49.99'), d('3500.12')))).toBe('0.01428236746168702787333005726');
    expect(toPlain(div(d('10'), d('4')))).toBe('2.5');
    expect(toPlain(div(d('49.99'), d('1')))).toBe('49.99');
    expect(toPlain(div(d('4999'), d('102')))).toBe('49.00980392156862745098039216');
    expect(toPlain(div(d('-7'), d('2.5')))).toBe('-2.8');
    expect(toPlain(div(d('1'), d('0.0003')))).toBe('3333.333333333333333333333333');
  });

  it('adds and multiplies in a 28-digit context', () => {
    expect(toPlain(add(d('0.1'), d('0.2')))).toBe('0.3');
    expect(toPlain(mul(d('1.10'), d('2.0')))).toBe('2.200');
    expect(toPlain(add(d('99999999999999999999999999.99'), d('0.001')))).toBe(
      '99999999999999999999999999.99',
    );
    expect(toPlain(mul(d('120.5000000000'), d('0.999700')))).toBe('120.4638500000000000');
  });

  it('rounds half to even like round(Decimal, n)', () => {
    expect(toPlain(quantize(normalize(d('2.5105')), 2))).toBe('2.51');
    expect(toPlain(quantize(normalize(d('100')), 2))).toBe('100.00');
    expect(toPlain(quantize(d('0.005'), 2))).toBe('0.00');
    expect(toPlain(quantize(d('0.015'), 2))).toBe('0.02');
    expect(toPlain(quantize(div(d('49.99'), d('3500.12')), 8))).toBe('0.01428237');
  });

  it('prints str(Decimal) in plain or scientific form', () => {
    expect(toPlain(d('0.0000001'))).toBe('1E-7');
    expect(toPlain(d('0.000001'))).toBe('0.000001');
    expect(toPlain(d('120.5000000000'))).toBe('120.5000000000');
  });

  it('takes a JSON number at its exact binary value, as Decimal(float) does', () => {
    const value = decimalFromNumber(49.99);
    expect(value && toPlain(value)).toBe('49.99000000000000198951966012828052043914794921875');
    expect(decimalFromNumber(120)).toEqual({ units: 120n, scale: 0 });
  });

  it('round-trips a SQLite NUMERIC column with 10 decimals', () => {
    expect(toPlain(stored(d('120.5')))).toBe('120.5000000000');
    expect(compare(stored(d('49.99')), d('49.99'))).toBe(0);
  });

  it('rejects what Decimal() rejects', () => {
    expect(parseDecimal('abc')).toBeNull();
    expect(parseDecimal('1.2.3')).toBeNull();
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal(' 5. ')).toEqual({ units: 5n, scale: 0 });
  });
});
