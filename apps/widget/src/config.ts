import { isFilledString, isRecord } from './guards';

/**
 * What the page needs to load one checkout. The API writes it into `<script id="kassa-config">`;
 * `parentOrigin` is set when the page is embedded, naming the only page it may talk to.
 */
export type KassaConfig = Readonly<{
  checkoutId: string;
  publishableKey: string;
  apiUrl: string;
  parentOrigin?: string;
}>;

/**
 * Reads the config the API injected into the page. Under `vite dev` there is no API in front of the
 * page, so query params stand in: `?checkoutId=&publishableKey=&apiUrl=`. Null means a broken link.
 */
export function readConfig(doc: Document, search: string): KassaConfig | null {
  const element = doc.getElementById('kassa-config');
  if (element) return parseConfig(parseJson(element.textContent ?? ''));
  if (!import.meta.env.DEV) return null;
  const params = new URLSearchParams(search);
  return parseConfig({
    checkoutId: params.get('checkoutId'),
    publishableKey: params.get('publishableKey'),
    apiUrl: params.get('apiUrl'),
  });
}

export function parseConfig(value: unknown): KassaConfig | null {
  if (!isRecord(value)) return null;
  const { checkoutId, publishableKey, apiUrl, parentOrigin } = value;
  if (!isFilledString(checkoutId) || !isFilledString(publishableKey) || !isFilledString(apiUrl)) return null;
  const url = parseHttpUrl(apiUrl);
  if (!url) return null;
  if (parentOrigin !== undefined && typeof parentOrigin !== 'string') return null;
  const parent = parentOrigin === undefined ? null : parseHttpUrl(parentOrigin);
  if (parentOrigin !== undefined && (!parent || parent.origin !== parentOrigin)) return null;
  // `{apiUrl}/trpc/...` is built by concatenation, so drop a trailing slash once, here.
  return {
    checkoutId,
    publishableKey,
    apiUrl: url.href.replace(/\/+$/, ''),
    ...(parent ? { parentOrigin: parent.origin } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function parseHttpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** A URL from the merchant or the page as a link target: a web address only, never `javascript:`. */
export function httpUrlOrNull(value: string | null): string | null {
  return value === null ? null : (parseHttpUrl(value)?.href ?? null);
}
