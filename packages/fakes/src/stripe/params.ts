import { err, ok, type Result } from '../result';
import { field, isFormObject, type FormObject } from './form';
import type { StripeErrorSpec } from './objects';

// Reading typed values out of a parsed form body, failing the way Stripe's API does: a 400
// `invalid_request_error` naming the parameter in bracket form (`line_items[0][quantity]`).

export type ParamResult<T> = Result<T, StripeErrorSpec>;

export function invalid(message: string, param: string | null, code: string | null): StripeErrorSpec {
  return { status: 400, type: 'invalid_request_error', message, param, code };
}

export function missing(param: string): StripeErrorSpec {
  return invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export function unknownParam(form: FormObject, known: ReadonlySet<string>): StripeErrorSpec | null {
  const unknown = Object.keys(form).find((key) => !known.has(key));
  if (unknown === undefined) return null;
  return invalid(`Received unknown parameter: ${unknown}`, unknown, 'parameter_unknown');
}

export function readString(form: FormObject, key: string, param: string): ParamResult<string | null> {
  const value = field(form, key);
  if (value === undefined) return ok(null);
  if (typeof value !== 'string')
    return err(invalid(`Invalid string: ${param} must be a string`, param, null));
  return ok(value);
}

export function readInteger(
  form: FormObject,
  key: string,
  param: string,
  bounds: Readonly<{ min: number; max?: number }>,
): ParamResult<number | null> {
  const value = field(form, key);
  if (value === undefined) return ok(null);
  if (typeof value !== 'string' || !/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    const shown = typeof value === 'string' ? value : 'a hash';
    return err(invalid(`Invalid integer: ${shown}`, param, 'parameter_invalid_integer'));
  }
  const n = Number(value);
  if (n < bounds.min) {
    return err(
      invalid(
        `This value must be greater than or equal to ${bounds.min}.`,
        param,
        'parameter_invalid_integer',
      ),
    );
  }
  if (bounds.max !== undefined && n > bounds.max) {
    return err(
      invalid(`This value must be less than or equal to ${bounds.max}.`, param, 'parameter_invalid_integer'),
    );
  }
  return ok(n);
}

/** `metadata[k]=v`. An empty value unsets a key, as on Stripe; `metadata=` alone means none. */
export function readMetadata(
  form: FormObject,
  key: string,
  param: string,
): ParamResult<Record<string, string>> {
  const value = field(form, key);
  if (value === undefined || value === '') return ok({});
  if (!isFormObject(value)) return err(invalid(`Invalid hash: ${param} must be a hash`, param, null));
  const metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      return err(invalid(`Invalid value for ${param}[${name}]: must be a string`, `${param}[${name}]`, null));
    }
    if (name.length > 40) {
      return err(invalid('Metadata keys can have up to 40 characters.', `${param}[${name}]`, null));
    }
    if (v.length > 500) {
      return err(invalid('Metadata values can have up to 500 characters.', `${param}[${name}]`, null));
    }
    if (v !== '') metadata[name] = v;
  }
  if (Object.keys(metadata).length > 50) {
    return err(invalid('Metadata can have up to 50 keys.', param, null));
  }
  return ok(metadata);
}

export function readHash(form: FormObject, key: string, param: string): ParamResult<FormObject | null> {
  const value = field(form, key);
  if (value === undefined) return ok(null);
  if (!isFormObject(value)) return err(invalid(`Invalid hash: ${param} must be a hash`, param, null));
  return ok(value);
}

export function readUrl(form: FormObject, key: string): ParamResult<string | null> {
  const value = readString(form, key, key);
  if (!value.ok || value.value === null) return value;
  // `{CHECKOUT_SESSION_ID}` is a Stripe template, not part of the address; it is filled on redirect.
  const candidate = value.value.replaceAll('{CHECKOUT_SESSION_ID}', 'cs_placeholder');
  let parsed: URL | null = null;
  try {
    parsed = new URL(candidate);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return err(invalid('Not a valid URL', key, 'url_invalid'));
  }
  return value;
}

export function readStringList(form: FormObject, key: string): ParamResult<string[] | null> {
  const value = field(form, key);
  if (value === undefined) return ok(null);
  if (!Array.isArray(value)) return err(invalid('Invalid array', key, null));
  const list: string[] = [];
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string') return err(invalid('Invalid string', `${key}[${index}]`, null));
    list.push(item);
  }
  return ok(list);
}
