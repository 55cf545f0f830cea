import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, readBody } from '../http';
import { checkAdmin, checkApiKey, type AdminCredentials, type AuthHeaders } from './auth';
import type { CryptoSpec } from './cryptos';
import { isZero, mul, removeExponent, toPlain, ZERO } from './decimal';
import type { Json, JsonObject } from './json';
import { pyOptional, pyText, pyTraceback, pyTruthy, readDecimal, type PyFailure } from './python';
import type { TransactionRecord } from './records';
import { errorPage, errorResponse, jsonResponse, loginPage, type ApiResponse } from './responses';
import type { Store } from './store';

// SHKeeper's /api/v1 as Flask serves it (shkeeper/api_v1.py): the routes Kassa calls, each behind
// the same decorator SHKeeper puts on it.

/** Whether a wallet takes invoices: `disabled` is the admin's switch; `lagging` a node behind with DISABLE_CRYPTO_WHEN_LAGS set. */
export type Availability = 'online' | 'lagging' | 'disabled';

/** One call as the fake received it. */
export type RecordedRequest = Readonly<{
  method: string;
  /** Path without the query string. */
  path: string;
  query: Readonly<Record<string, string>>;
  headers: Readonly<{
    'x-shkeeper-api-key': string | null;
    authorization: string | null;
    'content-type': string | null;
  }>;
  body: string;
  status: number;
  /** The response body as sent. */
  response: string;
}>;

export type HandlerContext = Readonly<{
  store: Store;
  apiKey: string;
  admin: AdminCredentials;
  cryptos: ReadonlyMap<string, CryptoSpec>;
  availability(crypto: string): Availability;
  record(request: RecordedRequest): void;
}>;

type Call = Readonly<{
  params: readonly string[];
  query: URLSearchParams;
  body: string;
  auth: AuthHeaders;
}>;

type Route = Readonly<{
  method: 'GET' | 'POST';
  pattern: RegExp;
  auth: 'none' | 'api-key' | 'admin';
  handle(call: Call): ApiResponse;
}>;

const SEGMENT = '([^/]+)';

export function createRequestHandler(ctx: HandlerContext) {
  const { store } = ctx;

  function enabled(name: string): CryptoSpec | undefined {
    return ctx.availability(name) === 'disabled' ? undefined : ctx.cryptos.get(name);
  }

  /** The checks payment_request and quote share, in SHKeeper's order. */
  function gateway(name: string): Readonly<{ spec: CryptoSpec } | { refusal: ApiResponse }> {
    const spec = enabled(name);
    if (!spec) return { refusal: errorResponse(`${name} payment gateway is unavailable`) };
    if (ctx.availability(name) === 'lagging') {
      return { refusal: errorResponse(`${name} payment gateway is unavailable because of lagging`) };
    }
    return { spec };
  }

  /** An exception inside a view that catches everything: 200 with message and traceback. */
  function exception(view: string, failure: PyFailure): ApiResponse {
    return jsonResponse(200, {
      status: 'error',
      message: failure.message,
      traceback: pyTraceback(view, failure),
    });
  }

  /** `@handle_request_error` on the payout views: any exception is a 500 with its message. */
  function payoutError(failure: PyFailure): ApiResponse {
    return errorResponse(failure.message, 500);
  }

  function listCrypto(): ApiResponse {
    const names = [...ctx.cryptos.keys()].filter((name) => ctx.availability(name) === 'online').sort();
    return jsonResponse(200, {
      status: 'success',
      crypto: names,
      crypto_list: names.map((name) => ({ name, display_name: ctx.cryptos.get(name)?.displayName ?? name })),
    });
  }

  function paymentRequest(call: Call): ApiResponse {
    const name = call.params[0] ?? '';
    const checked = gateway(name);
    if ('refusal' in checked) return checked.refusal;
    const body = forceJson(call.body);
    if (!body.ok) return exception('payment_request', body.failure);
    const invoice = store.paymentRequest(checked.spec, body.value);
    if (!invoice.ok) return exception('payment_request', invoice.error);
    const i = invoice.value;
    return jsonResponse(200, {
      status: 'success',
      id: i.id,
      exchange_rate: removeExponent(i.exchangeRate),
      amount: removeExponent(i.amountCrypto),
      wallet: i.addr,
      recalculate_after: 0,
      display_name: ctx.cryptos.get(i.crypto)?.displayName ?? i.crypto,
    });
  }

  function quote(call: Call): ApiResponse {
    const name = call.params[0] ?? '';
    const checked = gateway(name);
    if ('refusal' in checked) return checked.refusal;
    const body = forceJson(call.body);
    if (!body.ok) return exception('get_crypto_quote', body.failure);
    const fiat = pyOptional(body.value, 'fiat');
    const amountValue = pyOptional(body.value, 'amount');
    if (!pyTruthy(fiat) || !pyTruthy(amountValue)) {
      return errorResponse("'fiat' and 'amount' are required fields.");
    }
    const amount = readDecimal(amountValue);
    if (!amount.ok) return exception('get_crypto_quote', amount.error);
    const quoted = store.quote(checked.spec, pyText(fiat), amount.value);
    return quoted.ok ? jsonResponse(200, quoted.value) : exception('get_crypto_quote', quoted.error);
  }

  function txJson(tx: TransactionRecord): JsonObject {
    // SHKeeper lists every recorded transaction as CONFIRMED, enough confirmations or not.
    return {
      amount: removeExponent(tx.amountCrypto),
      crypto: tx.crypto,
      addr: tx.addr,
      txid: tx.txid,
      status: 'CONFIRMED',
    };
  }

  function invoices(call: Call): ApiResponse {
    const externalId = call.params[0];
    const found = store.invoices().filter((i) => externalId === undefined || i.externalId === externalId);
    return jsonResponse(200, {
      status: 'success',
      invoices: found.map((i) => ({
        txs: store.transactionsOf(i.id).map(txJson),
        external_id: i.externalId,
        balance_fiat: removeExponent(i.balanceFiat),
        fiat: i.fiat,
        amount_fiat: removeExponent(i.amountFiat),
        status: i.status,
      })),
    });
  }

  function txInfo(call: Call): ApiResponse {
    const [txid, externalId] = call.params;
    const tx = store
      .transactions()
      .find((t) => t.txid === txid && store.invoiceById(t.invoiceId)?.externalId === externalId);
    // `amount` here is the transaction's fiat value, not its crypto amount.
    const info: JsonObject = tx
      ? { crypto: tx.crypto, amount: removeExponent(tx.amountFiat), addr: tx.addr }
      : {};
    return jsonResponse(200, { status: 'success', info });
  }

  function transactions(call: Call): ApiResponse {
    const [crypto, addr] = call.params;
    const listed =
      crypto === undefined || addr === undefined
        ? store.transactions()
        : store.transactions().filter((t) => {
            const invoice = store.invoiceById(t.invoiceId);
            // SHKeeper matches the invoice by any of its addresses, then lists its txs in that crypto.
            return (
              t.crypto === crypto &&
              invoice !== undefined &&
              (invoice.addr === addr || invoice.addresses.some((a) => a.addr === addr))
            );
          });
    return jsonResponse(200, { status: 'success', transactions: listed.map(txJson) });
  }

  function payout(call: Call): ApiResponse {
    const body = forceJson(call.body);
    if (!body.ok) return payoutError(body.failure);
    const created = store.payout(call.params[0] ?? '', body.value);
    return created.ok ? jsonResponse(200, created.value) : payoutError(created.error);
  }

  function multipayout(call: Call): ApiResponse {
    const body = forceJson(call.body);
    if (!body.ok) return payoutError(body.failure);
    const outcome = store.multipayout(call.params[0] ?? '', body.value);
    return outcome.failure ? payoutError(outcome.failure) : jsonResponse(200, outcome.response);
  }

  function task(call: Call): ApiResponse {
    const [name = '', id = ''] = call.params;
    const spec = ctx.cryptos.get(name);
    // `Crypto.instances[crypto_name]` raises KeyError outside any handler: Flask's 500 page.
    if (!spec) return errorPage(500);
    const found = store.task(spec.backend, id);
    // Celery cannot tell an unknown task id from a queued one.
    if (!found) return jsonResponse(200, { status: 'PENDING', result: null });
    const result: Json =
      found.result === null || typeof found.result === 'string'
        ? found.result
        : found.result.map((r) => ({
            dest: r.dest,
            amount: r.amount,
            status: r.status,
            txids: [...r.txids],
            ...(r.message === undefined ? {} : { message: r.message }),
          }));
    return jsonResponse(200, { status: found.status, result });
  }

  function payoutStatus(call: Call): ApiResponse {
    const name = call.params[0] ?? '';
    const externalId = call.query.get('external_id');
    if (!externalId) return jsonResponse(400, { error: 'external_id is required' });
    const found = store.payouts().find((p) => p.externalId === externalId && p.crypto === name);
    if (!found) return jsonResponse(404, { error: 'Payout not found' });
    return jsonResponse(200, {
      id: found.id,
      external_id: found.externalId,
      crypto: found.crypto,
      status: found.status,
      amount: toPlain(found.amount),
      destination: found.destination,
      txid: found.txids[0] ?? null,
    });
  }

  function balance(call: Call): ApiResponse {
    const name = call.params[0] ?? '';
    const spec = enabled(name);
    if (!spec) return errorResponse(`Crypto ${name} is not enabled`);
    const amount = store.balance(name);
    const rate = store.rate(name) ?? ZERO;
    // SHKeeper sends the number 0, not a string, for an empty wallet.
    const amountCrypto: Json = isZero(amount) ? 0 : removeExponent(amount);
    return jsonResponse(200, {
      name,
      display_name: spec.displayName,
      amount_crypto: amountCrypto,
      rate: toPlain(rate),
      fiat: 'USD',
      amount_fiat: removeExponent(mul(amount, rate)),
      server_status: ctx.availability(name) === 'lagging' ? 'Sync In Progress (42 blocks behind)' : 'Synced',
    });
  }

  // Static first segments first: Werkzeug prefers them over a `<crypto_name>` placeholder.
  const routes: readonly Route[] = [
    { method: 'GET', pattern: /^\/crypto$/, auth: 'none', handle: listCrypto },
    { method: 'GET', pattern: /^\/invoices$/, auth: 'api-key', handle: invoices },
    { method: 'GET', pattern: new RegExp(`^/invoices/${SEGMENT}$`), auth: 'api-key', handle: invoices },
    {
      method: 'GET',
      pattern: new RegExp(`^/tx-info/${SEGMENT}/${SEGMENT}$`),
      auth: 'api-key',
      handle: txInfo,
    },
    { method: 'GET', pattern: /^\/transactions$/, auth: 'api-key', handle: transactions },
    {
      method: 'GET',
      pattern: new RegExp(`^/transactions/${SEGMENT}/${SEGMENT}$`),
      auth: 'api-key',
      handle: transactions,
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/${SEGMENT}/payment_request$`),
      auth: 'api-key',
      handle: paymentRequest,
    },
    { method: 'POST', pattern: new RegExp(`^/${SEGMENT}/quote$`), auth: 'api-key', handle: quote },
    {
      method: 'GET',
      pattern: new RegExp(`^/${SEGMENT}/payout/status$`),
      auth: 'api-key',
      handle: payoutStatus,
    },
    { method: 'POST', pattern: new RegExp(`^/${SEGMENT}/payout$`), auth: 'admin', handle: payout },
    { method: 'POST', pattern: new RegExp(`^/${SEGMENT}/multipayout$`), auth: 'admin', handle: multipayout },
    { method: 'GET', pattern: new RegExp(`^/${SEGMENT}/task/${SEGMENT}$`), auth: 'admin', handle: task },
    { method: 'GET', pattern: new RegExp(`^/${SEGMENT}/balance$`), auth: 'api-key', handle: balance },
  ];

  function dispatch(method: string, path: string, call: Omit<Call, 'params'>): ApiResponse {
    if (path === '/login' && method === 'GET') return loginPage();
    if (!path.startsWith('/api/v1/')) return errorPage(404);
    const rest = path.slice('/api/v1'.length);
    const allowed: string[] = [];
    for (const route of routes) {
      const match = route.pattern.exec(rest);
      if (!match) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params = decodeSegments(match.slice(1));
      if (!params) return errorPage(404);
      const refused =
        route.auth === 'api-key'
          ? checkApiKey(call.auth, ctx.apiKey)
          : route.auth === 'admin'
            ? checkAdmin(call.auth, ctx.admin)
            : null;
      return refused ?? route.handle({ ...call, params });
    }
    if (allowed.length > 0)
      return errorPage(405, { allow: [...new Set([...allowed, 'OPTIONS'])].join(', ') });
    return errorPage(404);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-shkeeper.invalid');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const headers = {
      'x-shkeeper-api-key': header(req, 'x-shkeeper-api-key'),
      authorization: header(req, 'authorization'),
      'content-type': header(req, 'content-type'),
    };
    const response = raw.ok
      ? dispatch(method, url.pathname, {
          query: url.searchParams,
          body: raw.value,
          auth: { apiKey: headers['x-shkeeper-api-key'], authorization: headers.authorization },
        })
      : errorPage(500);
    ctx.record({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: raw.ok ? raw.value : '',
      status: response.status,
      response: response.body,
    });
    res.writeHead(response.status, {
      'content-type': response.contentType,
      server: 'gunicorn',
      ...response.headers,
    });
    res.end(response.body);
  };
}

function decodeSegments(segments: readonly (string | undefined)[]): string[] | null {
  try {
    return segments.map((s) => decodeURIComponent(s ?? ''));
  } catch {
    return null;
  }
}

/** `request.get_json(force=True)`: any content type; a body that is not JSON raises BadRequest. */
function forceJson(body: string): { ok: true; value: Json } | { ok: false; failure: PyFailure } {
  try {
    return { ok: true, value: toJson(JSON.parse(body)) };
  } catch (cause) {
    const detail = body.trim() === '' ? 'Expecting value: line 1 column 1 (char 0)' : String(cause);
    return {
      ok: false,
      failure: {
        exception: 'werkzeug.exceptions.BadRequest',
        message: `400 Bad Request: Failed to decode JSON object: ${detail}`,
      },
    };
  }
}

function toJson(value: unknown): Json {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'string'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return null;
}
