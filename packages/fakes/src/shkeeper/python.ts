import { err, ok, type Result } from '../result';
import { decimalFromJson, type Dec } from './decimal';
import type { Json, JsonObject } from './json';

// SHKeeper reads request bodies with `req["key"]`, `req.get("key")` and `Decimal(...)`; what those
// raise becomes the `message` of an error body. These fail with the same words for the same inputs.

/** What went wrong, as SHKeeper words it (`str(exception)`), and the exception's class. */
export type PyFailure = Readonly<{ exception: string; message: string }>;

/** `obj[key]`. */
export function readKey(obj: Json, key: string): Result<Json, PyFailure> {
  if (!isObject(obj)) return err({ exception: 'TypeError', message: notSubscriptable(obj) });
  if (!Object.hasOwn(obj, key)) return err({ exception: 'KeyError', message: `'${key}'` });
  return ok(obj[key] ?? null);
}

/** `obj.get(key)` on a dict body: null when absent. */
export function pyOptional(obj: Json, key: string): Json {
  return isObject(obj) ? (obj[key] ?? null) : null;
}

/** `Decimal(value)` for a JSON value. */
export function readDecimal(value: Json): Result<Dec, PyFailure> {
  if (typeof value === 'boolean') return ok({ units: value ? 1n : 0n, scale: 0 });
  if (value === null) {
    return err({ exception: 'TypeError', message: 'conversion from NoneType to Decimal is not supported' });
  }
  if (isArray(value))
    return err({ exception: 'ValueError', message: 'argument must be a sequence of length 3' });
  if (isObject(value)) {
    return err({ exception: 'TypeError', message: 'conversion from dict to Decimal is not supported' });
  }
  const parsed = decimalFromJson(value);
  return parsed
    ? ok(parsed)
    : err({ exception: 'decimal.InvalidOperation', message: "[<class 'decimal.ConversionSyntax'>]" });
}

/** Python truthiness, for `if not x` and `x or None`. */
export function pyTruthy(value: Json): boolean {
  if (value === null || value === false || value === 0 || value === '') return false;
  if (isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** How a JSON value lands in a String column. */
export function pyText(value: Json): string {
  if (typeof value === 'string') return value;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Only a traceback's last line tells a client anything; the rest only needs to look like one. */
export function pyTraceback(view: string, failure: PyFailure): string {
  return (
    'Traceback (most recent call last):\n' +
    `  File "/shkeeper.io/shkeeper/api_v1.py", line 1, in ${view}\n` +
    `${failure.exception}: ${failure.message}\n`
  );
}

export function isArray(value: Json): value is readonly Json[] {
  return Array.isArray(value);
}

export function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !isArray(value);
}

function notSubscriptable(value: Json): string {
  if (isArray(value)) return 'list indices must be integers or slices, not str';
  if (typeof value === 'string') return "string indices must be integers, not 'str'";
  if (typeof value === 'number')
    return `'${Number.isInteger(value) ? 'int' : 'float'}' object is not subscriptable`;
  if (typeof value === 'boolean') return "'bool' object is not subscriptable";
  return "'NoneType' object is not subscriptable";
}
