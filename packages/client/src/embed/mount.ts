// Browser code with no dependencies: it ends up in kassa.js, which merchants load on their pages.
// Its strings stay ASCII: a copy of kassa.js served without a charset is decoded as the page decides.

import { KASSA_MESSAGE_TYPES, type KassaMessageType } from './messages';

export { KASSA_MESSAGE_TYPES, type KassaMessageType };

/** An accepted message, holding only the fields Kassa defines. */
export type KassaMessage = Readonly<{
  type: KassaMessageType;
  checkoutId: string;
  status?: string;
  height?: number;
}>;

/** What the host page hears: every accepted message but `kassa:resize`, also dispatched as a DOM event. */
export type KassaEvent = Readonly<{
  type: Exclude<KassaMessageType, 'kassa:resize'>;
  checkoutId: string;
  status?: string;
}>;

export type KassaListener = (event: KassaEvent) => void;

export type MountOptions = Readonly<{
  /** `pay_…`, from the checkout your backend created. */
  checkoutId: string;
  /** `pk_test_…` or `pk_live_…`. Never a secret key. */
  publishableKey: string;
  /** The gateway's public origin, e.g. `https://pay.example.com`. */
  apiUrl: string;
  /** Every event, before the specific callback below. */
  onEvent?: KassaListener;
  onPaid?: KassaListener;
  onExpired?: KassaListener;
  onFailed?: KassaListener;
  onClosed?: KassaListener;
  /** The iframe's accessible name. Default `'Checkout'`. */
  title?: string;
}>;

export type KassaEmbed = Readonly<{
  /** Removes the iframe (or fallback), the message listener and the timer. Safe to call twice. */
  unmount(): void;
  iframe: HTMLIFrameElement;
}>;

/** Checked options: `apiUrl` without a trailing slash, `origin` the one messages must come from. */
export type EmbedTarget = Readonly<{
  checkoutId: string;
  publishableKey: string;
  apiUrl: string;
  origin: string;
}>;

/** Not part of the public contract: lets tests shorten the watchdog. */
export type MountInternals = Readonly<{ readyTimeoutMs?: number }>;

/** The fields of a `MessageEvent` that decide whether to trust it. */
export type MessageLike = Readonly<{ origin: string; source: unknown; data: unknown }>;
export type ExpectedSender = Readonly<{ origin: string; source: unknown; checkoutId: string }>;

const CHECKOUT_ID = /^pay_[0-9A-Za-z]{1,40}$/;
const PUBLISHABLE_KEY = /^pk_(test|live)_[A-Za-z0-9_-]{8,}$/;
const READY_TIMEOUT_MS = 15_000;
const MIN_HEIGHT_PX = 120;
const MAX_HEIGHT_PX = 4000;

/**
 * Checks what a page passes to `mount`. Throws a `TypeError` naming the bad option; the key itself
 * never appears in a message, so an error report cannot leak it.
 */
export function checkMountOptions(options: MountOptions): EmbedTarget {
  const { checkoutId, publishableKey, apiUrl } = options;
  if (typeof checkoutId !== 'string' || !CHECKOUT_ID.test(checkoutId)) {
    throw new TypeError('Kassa: checkoutId must be a checkout id like "pay_...".');
  }
  if (typeof publishableKey === 'string' && publishableKey.startsWith('sk_')) {
    throw new TypeError(
      'Kassa: publishableKey is a secret key. Never put a secret key in a page: anyone can read it. ' +
        'Use the publishable key (pk_...) here, and roll the secret key if this page was ever served.',
    );
  }
  if (typeof publishableKey !== 'string' || !PUBLISHABLE_KEY.test(publishableKey)) {
    throw new TypeError(
      'Kassa: publishableKey must be a publishable key like "pk_test_..." or "pk_live_...".',
    );
  }
  const url = typeof apiUrl === 'string' ? parseUrl(apiUrl) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError('Kassa: apiUrl must be an http(s) URL, e.g. "https://pay.example.com".');
  }
  // Paths are appended to apiUrl, so a query, a fragment or credentials would end up in the wrong place.
  if (url.search || url.hash || url.username || url.password) {
    throw new TypeError('Kassa: apiUrl must have no query, fragment or credentials.');
  }
  return { checkoutId, publishableKey, apiUrl: url.href.replace(/\/+$/, ''), origin: url.origin };
}

/**
 * The message the checkout iframe sent, or null for anything else: another origin, another window,
 * another checkout, an unknown type, or data not shaped as Kassa's.
 */
export function readKassaMessage(event: MessageLike, expected: ExpectedSender): KassaMessage | null {
  // A detached iframe has no window; a null source must never match it.
  if (expected.source == null || event.source !== expected.source) return null;
  if (event.origin !== expected.origin) return null;
  const data = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const { source, type, checkoutId, status, height } = data as Record<string, unknown>;
  if (source !== 'kassa' || !isMessageType(type) || checkoutId !== expected.checkoutId) return null;
  if (status !== undefined && typeof status !== 'string') return null;
  if (height !== undefined && typeof height !== 'number') return null;
  if (type === 'kassa:resize' && !Number.isFinite(height)) return null;
  return {
    type,
    checkoutId,
    ...(status === undefined ? {} : { status }),
    ...(height === undefined ? {} : { height }),
  };
}

/**
 * Puts the checkout `checkoutId` in an iframe inside `element` and reports what happens to it:
 * through the callbacks, and as `kassa:*` DOM events that bubble from `element`.
 *
 * ```ts
 * const embed = mount(document.getElementById('pay')!, { checkoutId, publishableKey, apiUrl, onPaid });
 * ```
 */
export function mount(
  element: HTMLElement,
  options: MountOptions,
  internals: MountInternals = {},
): KassaEmbed {
  const target = checkMountOptions(options);
  const doc = element.ownerDocument;
  const win = doc.defaultView ?? window;

  const iframe = doc.createElement('iframe');
  iframe.src =
    `${target.apiUrl}/pay/${target.checkoutId}?embed=1` +
    `&key=${encodeURIComponent(target.publishableKey)}&origin=${encodeURIComponent(win.location.origin)}`;
  iframe.title = options.title ?? 'Checkout';
  iframe.setAttribute('allow', 'clipboard-write');
  iframe.setAttribute('loading', 'eager');
  iframe.style.cssText = 'width:100%;border:0;display:block;height:560px';

  let fallback: HTMLElement | null = null;
  let ready = false;

  function onMessage(event: MessageEvent) {
    const message = readKassaMessage(event, {
      origin: target.origin,
      source: iframe.contentWindow,
      checkoutId: target.checkoutId,
    });
    if (!message) return;
    if (message.type === 'kassa:resize') {
      const height = Math.round(Math.min(MAX_HEIGHT_PX, Math.max(MIN_HEIGHT_PX, message.height ?? 0)));
      iframe.style.height = `${height}px`;
      return;
    }
    if (message.type === 'kassa:ready') {
      ready = true;
      win.clearTimeout(timer);
      // A slow frame that answers after the fallback appeared still wins: it is the better experience.
      fallback?.remove();
      fallback = null;
      iframe.style.display = 'block';
    }
    const kassaEvent: KassaEvent = {
      type: message.type,
      checkoutId: message.checkoutId,
      ...(message.status === undefined ? {} : { status: message.status }),
    };
    notify(options.onEvent, kassaEvent);
    notify(listenerFor(options, kassaEvent.type), kassaEvent);
    element.dispatchEvent(new CustomEvent(kassaEvent.type, { detail: kassaEvent, bubbles: true }));
  }

  function showFallback() {
    if (ready || fallback) return;
    fallback = doc.createElement('div');
    fallback.className = 'kassa-fallback';
    const text = doc.createElement('p');
    text.textContent = 'The checkout could not be shown here.';
    const link = doc.createElement('a');
    link.href = `${target.apiUrl}/pay/${target.checkoutId}`;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = 'Open the checkout';
    fallback.append(text, link);
    iframe.style.display = 'none';
    element.append(fallback);
  }

  const timer = win.setTimeout(showFallback, internals.readyTimeoutMs ?? READY_TIMEOUT_MS);
  // Listen before the frame exists, so its first message cannot be missed.
  win.addEventListener('message', onMessage);
  element.append(iframe);

  return {
    iframe,
    unmount() {
      win.removeEventListener('message', onMessage);
      win.clearTimeout(timer);
      iframe.remove();
      fallback?.remove();
      fallback = null;
    },
  };
}

function listenerFor(options: MountOptions, type: KassaEvent['type']): KassaListener | undefined {
  switch (type) {
    case 'kassa:paid':
      return options.onPaid;
    case 'kassa:expired':
      return options.onExpired;
    case 'kassa:failed':
      return options.onFailed;
    case 'kassa:closed':
      return options.onClosed;
    default:
      return undefined;
  }
}

function isMessageType(value: unknown): value is KassaMessageType {
  return typeof value === 'string' && (KASSA_MESSAGE_TYPES as readonly string[]).includes(value);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

// One host callback that throws must not stop the others, nor the DOM event; it is still reported.
function notify(callback: KassaListener | undefined, event: KassaEvent) {
  if (!callback) return;
  try {
    callback(event);
  } catch (error) {
    if (typeof reportError === 'function') {
      reportError(error);
    } else {
      setTimeout(() => {
        throw error;
      });
    }
  }
}
