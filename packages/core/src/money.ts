import { sameAsset, type Asset } from './asset';
import { err, InvariantError, ok, type Result } from './result';

/** An exact amount: an integer count of the asset's minor unit (cents, stroops, wei). */
export type Money = Readonly<{ asset: Asset; minor: bigint }>;

export type AmountErrorCode =
  | 'amount_empty'
  | 'amount_malformed'
  | 'amount_whitespace'
  | 'amount_exponent'
  | 'amount_sign'
  | 'amount_too_precise'
  | 'amount_too_large'
  | 'amount_zero';

/** Why a decimal string is not an amount; `message` is meant for the merchant or payer. */
export type AmountError = Readonly<{ code: AmountErrorCode; message: string }>;

/** Amounts whose absolute value reaches this many whole units are rejected as `amount_too_large`. */
export const MAX_WHOLE_UNITS = 10n ** 15n;

// ERC20 decimals are a uint8; anything beyond is a corrupt asset, and 10n ** huge would hang.
const MAX_DECIMALS = 255;

// Spaces of any kind plus invisible format characters (zero-width space/joiners, BOM, bidi marks):
// they arrive by copy-paste and must not silently change what was typed.
const WHITESPACE_LIKE = /[\s\p{Cf}]/u;
const EXPONENT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+$/;
// ASCII digits only: a full-width or Arabic-Indic digit is not something a merchant's system meant to send.
const DECIMAL = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/;

function decimalsOf(asset: Asset): number {
  const { decimals } = asset;
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new InvariantError(`asset ${asset.id} has invalid decimals ${String(decimals)}`);
  }
  return decimals;
}

function amountError(code: AmountErrorCode, message: string): Result<never, AmountError> {
  return err({ code, message });
}

/**
 * Parses a plain decimal string (`12`, `12.5`, `0.01`, `-3.20` with `allowNegative`) into exact minor
 * units, never through a JS number. Strict on purpose: exponents, grouping, signs, leading zeros,
 * whitespace and extra decimals are refused, never guessed at. Zero and negatives are refused unless
 * allowed.
 */
export function parseAmount(
  asset: Asset,
  input: string,
  options: { allowZero?: boolean; allowNegative?: boolean } = {},
): Result<Money, AmountError> {
  const decimals = decimalsOf(asset);
  const name = asset.id;
  // The type says string, but this is the edge: a JS caller may hand over a number.
  if (typeof input !== 'string') return amountError('amount_malformed', 'an amount must be a decimal string');
  if (input === '') return amountError('amount_empty', 'amount is empty');
  if (WHITESPACE_LIKE.test(input)) {
    return amountError('amount_whitespace', 'amount contains spaces or invisible characters');
  }
  if (EXPONENT.test(input)) {
    return amountError('amount_exponent', 'write the amount as plain digits, without an exponent like "1e3"');
  }
  const match = DECIMAL.exec(input);
  if (!match) {
    return amountError(
      'amount_malformed',
      'amount must be digits with an optional "." and fractional digits, like 12.50',
    );
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole.length > 1 && whole.startsWith('0')) {
    return amountError('amount_malformed', 'amount must not have leading zeros');
  }
  if (sign === '+') return amountError('amount_sign', 'amount must not start with "+"');
  if (sign === '-' && options.allowNegative !== true) {
    return amountError('amount_sign', 'amount must not be negative');
  }
  if (fraction.length > decimals) {
    return amountError(
      'amount_too_precise',
      decimals === 0
        ? `amount must have no decimals for ${name}`
        : `amount must have at most ${decimals} ${decimals === 1 ? 'decimal' : 'decimals'} for ${name}`,
    );
  }
  // The length test keeps BigInt() from chewing on a megabyte of digits.
  if (whole.length > String(MAX_WHOLE_UNITS).length || BigInt(whole) >= MAX_WHOLE_UNITS) {
    return amountError('amount_too_large', `amount must be less than ${String(MAX_WHOLE_UNITS)} ${name}`);
  }
  const magnitude = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (magnitude === 0n) {
    if (options.allowZero !== true) return amountError('amount_zero', 'amount must not be zero');
    if (sign === '-') return amountError('amount_sign', 'zero takes no sign');
  }
  return ok({ asset, minor: sign === '-' ? -magnitude : magnitude });
}

/**
 * The canonical decimal string: exactly `asset.decimals` fractional digits (none and no dot for 0),
 * `-` for negatives, no grouping. `parseAmount` reads it back to the same minor units.
 */
export function formatAmount(money: Money): string {
  const decimals = decimalsOf(money.asset);
  assertBigint(money.minor);
  const negative = money.minor < 0n;
  const digits = (negative ? -money.minor : money.minor).toString().padStart(decimals + 1, '0');
  const sign = negative ? '-' : '';
  if (decimals === 0) return sign + digits;
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function assertBigint(minor: unknown): asserts minor is bigint {
  // A JS number here would mean a float slipped in somewhere: stop before it loses a cent.
  if (typeof minor !== 'bigint')
    throw new InvariantError(`minor units must be a bigint, got ${typeof minor}`);
}

/** Money from minor units already known to be exact (a database row, a chain amount in stroops). */
export function moneyOf(asset: Asset, minor: bigint): Money {
  decimalsOf(asset);
  assertBigint(minor);
  return { asset, minor };
}

/** Zero of `asset`: the start of a sum, or an amount due once fully paid. */
export function zeroOf(asset: Asset): Money {
  return moneyOf(asset, 0n);
}

/** Arithmetic across two assets: always a bug upstream, since an amount never changes asset silently. */
export class AssetMismatchError extends InvariantError {
  override readonly name: string = 'AssetMismatchError';
  readonly code = 'asset_mismatch';
}

function assetLabel(asset: Asset): string {
  const where = [asset.chain, asset.issuer].filter((part) => part !== null).join(' ');
  return where === '' ? asset.id : `${asset.id} (${where})`;
}

function assertSameAsset(a: Asset, b: Asset, operation: string): void {
  if (!sameAsset(a, b)) {
    throw new AssetMismatchError(`cannot ${operation} ${assetLabel(a)} and ${assetLabel(b)}`);
  }
}

/** a + b; throws AssetMismatchError unless both are the same asset. */
export function addMoney(a: Money, b: Money): Money {
  assertSameAsset(a.asset, b.asset, 'add');
  return { asset: a.asset, minor: a.minor + b.minor };
}

/** a - b, possibly negative; throws AssetMismatchError unless both are the same asset. */
export function subtractMoney(a: Money, b: Money): Money {
  assertSameAsset(a.asset, b.asset, 'subtract');
  return { asset: a.asset, minor: a.minor - b.minor };
}

/** Orders two amounts of the same asset; a word rather than a number so nothing numeric leaks out. */
export function compareMoney(a: Money, b: Money): 'lt' | 'eq' | 'gt' {
  assertSameAsset(a.asset, b.asset, 'compare');
  if (a.minor < b.minor) return 'lt';
  return a.minor > b.minor ? 'gt' : 'eq';
}

export function isZero(m: Money): boolean {
  return m.minor === 0n;
}

export function isPositive(m: Money): boolean {
  return m.minor > 0n;
}

export function isNegative(m: Money): boolean {
  return m.minor < 0n;
}

/** The smaller amount; `a` on a tie. */
export function minMoney(a: Money, b: Money): Money {
  return compareMoney(a, b) === 'gt' ? b : a;
}

/** The larger amount; `a` on a tie. */
export function maxMoney(a: Money, b: Money): Money {
  return compareMoney(a, b) === 'lt' ? b : a;
}

/** Sums amounts of `asset`; the asset is explicit so an empty list still has one. */
export function sumMoney(asset: Asset, items: readonly Money[]): Money {
  let minor = 0n;
  for (const item of items) {
    assertSameAsset(asset, item.asset, 'sum');
    minor += item.minor;
  }
  return moneyOf(asset, minor);
}

/** Scales by a whole factor (a quantity); fractional rates belong to `allocate` or explicit rounding. */
export function multiplyMoney(m: Money, factor: bigint): Money {
  assertBigint(factor);
  return { asset: m.asset, minor: m.minor * factor };
}
