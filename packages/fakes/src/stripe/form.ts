import { err, ok, type Result } from '../result';

/** A Stripe v1 request body as the server sees it: strings, hashes and lists, nothing typed yet. */
export type FormValue = string | FormValue[] | FormObject;
export type FormObject = { [key: string]: FormValue };

const MAX_DEPTH = 8;
const MAX_PAIRS = 2000;

/**
 * Parses `application/x-www-form-urlencoded` with Stripe's bracket nesting, the way stripe-node
 * writes it: `line_items[0][price_data][currency]=usd`, `metadata[k]=v`, `expand[0]=x` or
 * `expand[]=x`. Hashes whose keys are exactly 0..n-1 become lists, except under `metadata`, whose
 * keys are the caller's own strings.
 */
export function parseForm(body: string): Result<FormObject, string> {
  const root: FormObject = {};
  if (body === '') return ok(root);
  const pairs = body.split('&');
  if (pairs.length > MAX_PAIRS) return err(`more than ${MAX_PAIRS} parameters`);
  for (const pair of pairs) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const rawKey = at === -1 ? pair : pair.slice(0, at);
    const rawValue = at === -1 ? '' : pair.slice(at + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    if (key === null || value === null) return err(`malformed percent-encoding in ${JSON.stringify(rawKey)}`);
    const path = splitKey(key);
    if (!path.ok) return path;
    const placed = place(root, path.value, value, key);
    if (!placed.ok) return placed;
  }
  return ok(Object.fromEntries(Object.keys(root).map((k) => [k, finalize(root[k] ?? '', k)])));
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** `a[b][0][]` → ['a', 'b', '0', '']. */
function splitKey(key: string): Result<string[], string> {
  const open = key.indexOf('[');
  if (open === -1) return key === '' ? err('empty parameter name') : ok([key]);
  const head = key.slice(0, open);
  if (head === '') return err(`parameter name ${JSON.stringify(key)} starts with a bracket`);
  const path = [head];
  let rest = key.slice(open);
  while (rest !== '') {
    const match = /^\[([^[\]]*)\]/.exec(rest);
    if (!match) return err(`unbalanced brackets in ${JSON.stringify(key)}`);
    path.push(match[1] ?? '');
    rest = rest.slice(match[0].length);
  }
  if (path.length > MAX_DEPTH) return err(`${JSON.stringify(key)} is nested too deeply`);
  if (path.includes('__proto__')) return err(`${JSON.stringify(key)} is not a valid parameter name`);
  return ok(path);
}

function place(root: FormObject, path: string[], value: string, key: string): Result<void, string> {
  let container: FormObject | FormValue[] = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    const last = i === path.length - 1;
    if (Array.isArray(container)) {
      // Only `x[]=v` pushes; `x[][y]=v` has no meaning Stripe documents.
      if (segment !== '' || !last) return err(`${JSON.stringify(key)} mixes [] with nested keys`);
      container.push(value);
      return ok(undefined);
    }
    if (segment === '') return err(`${JSON.stringify(key)} has an empty key inside a hash`);
    const existing: FormValue | undefined = Object.hasOwn(container, segment)
      ? container[segment]
      : undefined;
    if (last) {
      if (existing !== undefined && typeof existing !== 'string') {
        return err(`${JSON.stringify(key)} is both a value and a hash`);
      }
      container[segment] = value;
      return ok(undefined);
    }
    const wantsList = path[i + 1] === '';
    if (existing === undefined) {
      const created: FormObject | FormValue[] = wantsList ? [] : {};
      container[segment] = created;
      container = created;
      continue;
    }
    if (typeof existing === 'string' || Array.isArray(existing) !== wantsList) {
      return err(`${JSON.stringify(key)} conflicts with an earlier parameter`);
    }
    container = existing;
  }
  return ok(undefined);
}

function finalize(value: FormValue, parentKey: string | null): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => finalize(item, null));
  const keys = Object.keys(value);
  const entries = keys.map((k): [string, FormValue] => [k, finalize(value[k] ?? '', k)]);
  const isList =
    parentKey !== 'metadata' &&
    keys.length > 0 &&
    keys.every((k) => /^(0|[1-9]\d*)$/.test(k)) &&
    keys
      .map(Number)
      .sort((a, b) => a - b)
      .every((n, index) => n === index);
  if (isList) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

export function isFormObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && !Array.isArray(value);
}

export function field(form: FormObject, key: string): FormValue | undefined {
  return Object.hasOwn(form, key) ? form[key] : undefined;
}
