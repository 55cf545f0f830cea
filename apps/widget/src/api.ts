import {
  FINAL_STATUSES as CORE_FINAL_STATUSES,
  PAYMENT_STATUSES,
  RAILS,
  type PaymentStatus,
} from '@kassa/core';
import { httpUrlOrNull, type KassaConfig } from './config';
import { isDecimalString, type Amount } from './format-amount';
import { isFilledString, isRecord } from './guards';

// One list of statuses and rails for the whole house: core's (pure TypeScript, bundled here).
const STATUSES = PAYMENT_STATUSES;
export type CheckoutStatus = PaymentStatus;
/** Statuses after which nothing more happens on this page: live status and polling stop. */
export const FINAL_STATUSES: ReadonlySet<CheckoutStatus> = CORE_FINAL_STATUSES;
export type Rail = (typeof RAILS)[number];
export type SimulateOutcome = 'pay' | 'pay_part' | 'overpay' | 'fail' | 'expire';
export type LineItem = Readonly<{ name: string; quantity: number; unitAmount: Amount; amount: Amount }>;
export type CheckoutView = Readonly<{
  id: string;
  status: CheckoutStatus;
  mode: 'test' | 'live';
  merchantName: string;
  description: string | null;
  amountDue: Amount;
  amountReceived: Amount;
  amountRemaining: Amount;
  lineItems: readonly LineItem[];
  expiresAt: string;
  rails: readonly Rail[];
  successUrl: string | null;
  /** Where the payer starts again or gives up; offered when set. */
  cancelUrl: string | null;
  /** Grows with every change of the checkout; orders views that arrive out of order. */
  sequence?: number;
}>;

/**
 * `code` is the API's kassaCode (or `network`, `bad_response`, `http_<status>`); the page words it
 * in the payer's language (i18n.ts). `retryable` says whether asking again may help.
 */
export type ApiError = Readonly<{ code: string; retryable: boolean }>;
export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export function getCheckout(config: KassaConfig, signal?: AbortSignal): Promise<ApiResult<CheckoutView>> {
  const input = encodeURIComponent(JSON.stringify({ checkoutId: config.checkoutId }));
  const init = { method: 'GET', signal: signal ?? null };
  return callApi(config, `checkout.get?input=${input}`, init, parseCheckoutView);
}

/** The live status stream. EventSource cannot send headers, so the (public) key goes in the query. */
export function checkoutStreamUrl(config: KassaConfig): string {
  const key = encodeURIComponent(config.publishableKey);
  return `${config.apiUrl}/live/${encodeURIComponent(config.checkoutId)}?publishableKey=${key}`;
}

/** A `checkout` event's data: the same view `checkout.get` answers with, as JSON. */
export function parseStreamData(data: unknown): CheckoutView | null {
  if (typeof data !== 'string') return null;
  try {
    return parseCheckoutView(JSON.parse(data));
  } catch {
    return null;
  }
}

/** Whether `next` may replace `current` on screen: never a view older than the one shown. */
export function isNewerView(current: CheckoutView | null, next: CheckoutView): boolean {
  if (current?.sequence === undefined || next.sequence === undefined) return true;
  return next.sequence >= current.sequence;
}

/**
 * Opens the live status stream; null when the browser has no EventSource. On any error the stream
 * is closed and `onError` called once (the caller polls instead); it also closes itself after a
 * final status, before the server ends the connection. Returns the function that closes it.
 */
export function openCheckoutStream(
  config: KassaConfig,
  handlers: { onView(view: CheckoutView): void; onError(): void; onReconnecting?(): void },
): (() => void) | null {
  if (typeof EventSource === 'undefined') return null;
  const source = new EventSource(checkoutStreamUrl(config));
  let open = true;
  const close = () => {
    open = false;
    source.close();
  };
  source.addEventListener('checkout', (event) => {
    if (!open) return;
    const view = parseStreamData(event.data);
    if (!view) {
      close();
      handlers.onError();
      return;
    }
    if (FINAL_STATUSES.has(view.status)) close();
    handlers.onView(view);
  });
  source.addEventListener('error', () => {
    if (!open) return;
    // A dropped connection is retried by EventSource itself, resuming with Last-Event-ID; only a
    // stream the browser has given up on (refused, not found) sends the page to polling.
    if (source.readyState === EventSource.CONNECTING) {
      handlers.onReconnecting?.();
      return;
    }
    close();
    handlers.onError();
  });
  return close;
}

export function simulateCheckout(
  config: KassaConfig,
  outcome: SimulateOutcome,
): Promise<ApiResult<CheckoutView>> {
  return post(config, 'checkout.simulate', { outcome }, parseCheckoutView);
}

/** What the payer does once a rail is chosen; each rail's panel reads its own variant. */
export type PayInstructions =
  | Readonly<{
      rail: 'sandbox';
      /** The hosted page's link as a QR code (SVG the API rendered), to carry on on a phone. */
      handoff: { url: string; qrSvg: string } | null;
    }>
  /** Card: the payer continues on the card processor's page, then comes back here. */
  | Readonly<{ rail: 'card'; redirectUrl: string }>
  | StellarInstructions
  | EvmInstructions;

/** Stellar: any wallet pays `amount` of `asset` to `destination`, with `memo` (the checkout's number). */
export type StellarInstructions = Readonly<{
  rail: 'stellar';
  destination: string;
  /** A uint64 in decimal, of memo type ID; without it the payment cannot be matched. */
  memo: string;
  /** Exact, in the asset's 7 decimals. */
  amount: string;
  asset: Readonly<{ id: string; code: string; issuer: string | null }>;
  networkPassphrase: string;
  /** The SEP-7 link that opens a wallet with everything filled in; `qrSvg` is its QR code. */
  sep7Uri: string;
  qrSvg: string;
}>;

export type EvmNetwork = 'ethereum' | 'bsc' | 'tron';

/** A stablecoin invoice (SHKeeper): `amount` of one token, on one network, to `address`. */
export type EvmInstructions = Readonly<{
  rail: 'evm';
  address: string;
  /** Exact, in the token's decimals (18 on BNB Chain). */
  amount: string;
  asset: Readonly<{ id: string; code: string; contract: string | null }>;
  network: EvmNetwork;
  /** An EIP-681 transfer request, or (Tron, or a token without a contract) the address itself. */
  uri: string;
  qrSvg: string;
}>;

/** `asset` picks the token of a stablecoin invoice (`USDT:tron`); other rails send none. */
export function selectRail(
  config: KassaConfig,
  rail: Rail,
  asset?: string,
): Promise<ApiResult<PayInstructions>> {
  const input = asset === undefined ? { rail } : { rail, asset };
  return post(config, 'checkout.selectRail', input, parseInstructions);
}

export function parseInstructions(value: unknown): PayInstructions | null {
  if (!isRecord(value)) return null;
  if (value['rail'] === 'card') {
    const url = typeof value['redirectUrl'] === 'string' ? httpUrlOrNull(value['redirectUrl']) : null;
    return url ? { rail: 'card', redirectUrl: url } : null;
  }
  if (value['rail'] === 'stellar') return parseStellarInstructions(value);
  if (value['rail'] === 'evm') return parseEvmInstructions(value);
  if (value['rail'] !== 'sandbox') return null;
  const handoff = value['handoff'];
  if (handoff === undefined || handoff === null) return { rail: 'sandbox', handoff: null };
  if (!isRecord(handoff)) return null;
  const { url, qrSvg } = handoff;
  return typeof url === 'string' && isSvg(qrSvg) ? { rail: 'sandbox', handoff: { url, qrSvg } } : null;
}

function parseStellarInstructions(value: Record<string, unknown>): StellarInstructions | null {
  const { destination, memo, memoType, amount, asset, networkPassphrase, sep7Uri, qrSvg } = value;
  if (!isRecord(asset)) return null;
  const { id, code, issuer } = asset;
  // The link goes into an href: only a SEP-7 pay request, never another scheme.
  return isFilledString(destination) &&
    typeof memo === 'string' &&
    /^\d+$/.test(memo) &&
    memoType === 'id' &&
    typeof amount === 'string' &&
    isDecimalString(amount) &&
    isFilledString(id) &&
    isFilledString(code) &&
    (issuer === null || isFilledString(issuer)) &&
    isFilledString(networkPassphrase) &&
    typeof sep7Uri === 'string' &&
    sep7Uri.startsWith('web+stellar:pay?') &&
    isSvg(qrSvg)
    ? {
        rail: 'stellar',
        destination,
        memo,
        amount,
        asset: { id, code, issuer },
        networkPassphrase,
        sep7Uri,
        qrSvg,
      }
    : null;
}

const EVM_NETWORKS: readonly EvmNetwork[] = ['ethereum', 'bsc', 'tron'];
const EVM_ADDRESS = /^0x[\dA-Fa-f]{40}$/;
const TRON_ADDRESS = /^T[1-9A-HJ-NP-Za-km-z]{33}$/;
const EIP681 = /^ethereum:(0x[\dA-Fa-f]{40})@\d+\/transfer\?address=(0x[\dA-Fa-f]{40})&uint256=\d+$/;

function parseEvmInstructions(value: Record<string, unknown>): EvmInstructions | null {
  const { address, amount, asset, network, uri, qrSvg } = value;
  if (!isRecord(asset) || !isOneOf(EVM_NETWORKS, network) || typeof uri !== 'string') return null;
  const { id, code, contract } = asset;
  // The link goes into an href: only a transfer of this token to the address shown, never another
  // scheme. Without a link, the QR code is of the address itself.
  const link = network === 'tron' ? null : EIP681.exec(uri);
  return typeof address === 'string' &&
    (network === 'tron' ? TRON_ADDRESS : EVM_ADDRESS).test(address) &&
    typeof amount === 'string' &&
    isDecimalString(amount) &&
    isFilledString(id) &&
    isFilledString(code) &&
    (contract === null || isFilledString(contract)) &&
    (uri === address || (link?.[1] === contract && link[2] === address)) &&
    isSvg(qrSvg)
    ? { rail: 'evm', address, amount, asset: { id, code, contract }, network, uri, qrSvg }
    : null;
}

function isSvg(value: unknown): value is string {
  return typeof value === 'string' && /^\s*<svg[\s>]/.test(value);
}

/** A Stellar transaction Kassa took in, and the checkout as it stands after it. */
export type StellarPaid = Readonly<{ txHash: string; checkout: CheckoutView }>;
/** A payment from the payer's own account, unsigned, for their wallet to sign. */
export type UnsignedStellarPayment = Readonly<{ xdr: string; networkPassphrase: string; hash: string }>;

/** "I have paid": Kassa reads the transaction from the ledger. */
export function confirmTransaction(config: KassaConfig, txHash: string): Promise<ApiResult<StellarPaid>> {
  return post(config, 'checkout.confirmTransaction', { txHash }, parseStellarPaid);
}

export function buildStellarTransaction(
  config: KassaConfig,
  payerAccount: string,
): Promise<ApiResult<UnsignedStellarPayment>> {
  return post(config, 'checkout.buildStellarTransaction', { payerAccount }, (value) => {
    if (!isRecord(value)) return null;
    const { xdr, networkPassphrase, hash } = value;
    return isFilledString(xdr) && isFilledString(networkPassphrase) && isFilledString(hash)
      ? { xdr, networkPassphrase, hash }
      : null;
  });
}

export function submitStellarTransaction(
  config: KassaConfig,
  signedXdr: string,
): Promise<ApiResult<StellarPaid>> {
  return post(config, 'checkout.submitStellarTransaction', { signedXdr }, parseStellarPaid);
}

function parseStellarPaid(value: unknown): StellarPaid | null {
  if (!isRecord(value) || !isFilledString(value['txHash'])) return null;
  const checkout = parseCheckoutView(value['checkout']);
  return checkout ? { txHash: value['txHash'], checkout } : null;
}

/** A checkout procedure (a tRPC mutation) for this page's checkout. */
function post<T>(
  config: KassaConfig,
  procedure: string,
  input: Record<string, string>,
  parse: (value: unknown) => T | null,
): Promise<ApiResult<T>> {
  return callApi(
    config,
    procedure,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutId: config.checkoutId, ...input }),
    },
    parse,
  );
}

// tRPC v11 over plain HTTP: no transformer, no batching. Success is `{ result: { data } }`.
async function callApi<T>(
  config: KassaConfig,
  path: string,
  init: RequestInit & { headers?: Record<string, string> },
  parse: (value: unknown) => T | null,
): Promise<ApiResult<T>> {
  let status: number;
  let body: unknown;
  try {
    const response = await fetch(`${config.apiUrl}/trpc/${path}`, {
      ...init,
      headers: { ...init.headers, 'x-kassa-publishable-key': config.publishableKey },
    });
    status = response.status;
    body = await response.json().catch(() => null);
  } catch {
    return failure('network', true);
  }

  if (status < 200 || status > 299) return { ok: false, error: readError(body, status) };
  const view = isRecord(body) && isRecord(body['result']) ? parse(body['result']['data']) : null;
  return view ? { ok: true, value: view } : failure('bad_response', false);
}

// `{ error: { message, data: { kassaCode } } }`. The server's message is for developers (English,
// sometimes zod's JSON); the payer is told what the code means, in their language.
function readError(body: unknown, status: number): ApiError {
  const error = isRecord(body) ? body['error'] : undefined;
  const data = isRecord(error) ? error['data'] : undefined;
  const kassaCode = isRecord(data) ? data['kassaCode'] : undefined;
  const retryable = status >= 500 || status === 408 || status === 429;
  return { code: isFilledString(kassaCode) ? kassaCode : `http_${status}`, retryable };
}

function failure(code: string, retryable: boolean): { ok: false; error: ApiError } {
  return { ok: false, error: { code, retryable } };
}

/** Checks the API's answer by hand; null if any field is missing or malformed. */
export function parseCheckoutView(value: unknown): CheckoutView | null {
  if (!isRecord(value)) return null;
  const { id, status, mode, merchantName, description, expiresAt, successUrl, sequence } = value;
  const cancelUrl = value['cancelUrl'] ?? null;
  const amountDue = parseAmount(value['amountDue']);
  const amountReceived = parseAmount(value['amountReceived']);
  const amountRemaining = parseAmount(value['amountRemaining']);
  const lineItems = Array.isArray(value['lineItems']) ? value['lineItems'].map(parseLineItem) : null;
  if (
    !isFilledString(id) ||
    !isOneOf(STATUSES, status) ||
    (mode !== 'test' && mode !== 'live') ||
    typeof merchantName !== 'string' ||
    (description !== null && typeof description !== 'string') ||
    typeof expiresAt !== 'string' ||
    Number.isNaN(Date.parse(expiresAt)) ||
    (successUrl !== null && typeof successUrl !== 'string') ||
    (cancelUrl !== null && typeof cancelUrl !== 'string') ||
    !Array.isArray(value['rails']) ||
    !amountDue ||
    !amountReceived ||
    !amountRemaining ||
    !lineItems ||
    !lineItems.every((item) => item !== null) ||
    (sequence !== undefined && (typeof sequence !== 'number' || !Number.isInteger(sequence)))
  ) {
    return null;
  }
  // A rail this page does not know yet is skipped rather than breaking the page.
  const rails = value['rails'].filter((rail) => isOneOf(RAILS, rail));
  return {
    id,
    status,
    mode,
    merchantName,
    description,
    amountDue,
    amountReceived,
    amountRemaining,
    lineItems,
    expiresAt,
    rails,
    successUrl,
    cancelUrl,
    ...(sequence === undefined ? {} : { sequence }),
  };
}

function parseLineItem(value: unknown): LineItem | null {
  if (!isRecord(value)) return null;
  const { name, quantity } = value;
  const unitAmount = parseAmount(value['unitAmount']);
  const amount = parseAmount(value['amount']);
  if (typeof name !== 'string' || typeof quantity !== 'number' || !Number.isInteger(quantity)) return null;
  return unitAmount && amount ? { name, quantity, unitAmount, amount } : null;
}

function parseAmount(value: unknown): Amount | null {
  if (!isRecord(value)) return null;
  const { amount, asset } = value;
  return typeof amount === 'string' && isDecimalString(amount) && isFilledString(asset)
    ? { amount, asset }
    : null;
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return values.some((candidate) => candidate === value);
}
