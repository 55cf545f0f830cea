// SHKeeper's bytes on the wire come from three Python serializers; signatures cover the exact bytes,
// so the fake reproduces each one rather than using JSON.stringify as is.

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

type Style = Readonly<{ sortKeys: boolean; itemSeparator: string; keySeparator: string; asciiOnly: boolean }>;

/** Signed callbacks (v2.5.16+): `json.dumps(separators=(",", ":"), sort_keys=True, ensure_ascii=False)`. */
export function compactSortedJson(value: Json): string {
  return serialize(value, { sortKeys: true, itemSeparator: ',', keySeparator: ':', asciiOnly: false });
}

/** Legacy callbacks were `requests.post(json=...)`: Python's default `json.dumps`, in insertion order. */
export function pythonDefaultJson(value: Json): string {
  return serialize(value, { sortKeys: false, itemSeparator: ', ', keySeparator: ': ', asciiOnly: true });
}

/** Flask's JSON responses: compact, sorted keys, ASCII only, with a trailing newline. */
export function flaskJson(value: Json): string {
  return `${serialize(value, { sortKeys: true, itemSeparator: ',', keySeparator: ':', asciiOnly: true })}\n`;
}

function serialize(value: Json, style: Style): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`fake SHKeeper: ${value} is not an integer`);
    return String(value);
  }
  if (typeof value === 'string') return quote(value, style.asciiOnly);
  if (isArray(value)) return `[${value.map((item) => serialize(item, style)).join(style.itemSeparator)}]`;
  const keys = Object.keys(value);
  if (style.sortKeys) keys.sort();
  const members = keys.map(
    (key) => `${quote(key, style.asciiOnly)}${style.keySeparator}${serialize(value[key] ?? null, style)}`,
  );
  return `{${members.join(style.itemSeparator)}}`;
}

function isArray(value: Json): value is readonly Json[] {
  return Array.isArray(value);
}

function quote(text: string, asciiOnly: boolean): string {
  const quoted = JSON.stringify(text);
  // Python's ensure_ascii also escapes DEL and everything above it, as \uXXXX per UTF-16 unit.
  return asciiOnly
    ? quoted.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : quoted;
}
