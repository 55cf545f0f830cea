import { header, readBody } from '../http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { err, ok, type Result } from '../result';
import { validateSessionCreate } from './create-session';
import { field, parseForm, type FormObject, type FormValue } from './form';
import { checkoutPage, messagePage, type HostedAction } from './hosted-page';
import {
  chargeJson,
  errorJson,
  lineItemsListJson,
  paymentIntentJson,
  refundJson,
  type Json,
  type JsonObject,
  type StripeErrorSpec,
} from './objects';
import { invalid, readInteger, readString, readStringList } from './params';
import { newId, nowSeconds, type SessionRecord } from './records';
import { noSuchSession, type Completion, type RaisedEvent, type Store } from './store';

/** One API call as the fake received it. */
export type RecordedRequest = Readonly<{
  method: string;
  /** Path without the query string. */
  path: string;
  query: FormObject;
  headers: Readonly<{
    authorization: string | null;
    'idempotency-key': string | null;
    'stripe-version': string | null;
    'content-type': string | null;
  }>;
  /** The form body, parsed with Stripe's bracket nesting. */
  body: FormObject;
  status: number;
  requestId: string;
}>;

export type StoredEvent = Readonly<{ id: string; type: string; created: number; json: JsonObject }>;

export type HandlerContext = Readonly<{
  apiVersion: string;
  store: Store;
  raise(events: readonly RaisedEvent[]): void;
  events(): readonly StoredEvent[];
  /** Completes a session as the payer would and sends its events. */
  complete(sessionId: string, how: Completion): Result<void, string>;
  sessionCreated(session: SessionRecord): void;
  record(request: RecordedRequest): void;
}>;

type ApiResponse = Readonly<{ status: number; body: JsonObject; headers?: Readonly<Record<string, string>> }>;

type IdempotentResult = Readonly<{
  method: string;
  path: string;
  params: string;
  requestId: string;
  response: ApiResponse;
}>;

type ApiRequest = Readonly<{
  method: string;
  path: string;
  query: FormObject;
  body: FormObject;
  idempotencyKey: string | null;
  requestId: string;
}>;

const NO_API_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

/** The fake's HTTP surface: Stripe's `/v1` API and the hosted checkout page under `/c/pay`. */
export function createRequestHandler(ctx: HandlerContext) {
  const idempotent = new Map<string, IdempotentResult>();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-stripe.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/v1/')) return api(req, res, url, method);
    const hosted = /^\/c\/pay\/([^/]+)(?:\/(pay|pay-later|decline))?$/.exec(url.pathname);
    if (hosted) return hostedPage(req, res, method, pathId(hosted[1]), action(hosted[2]));
    sendHtml(res, 404, messagePage('Not found', `Nothing at ${url.pathname}.`));
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const requestId = newId('req_', 14);
    const headers = {
      authorization: header(req, 'authorization'),
      'idempotency-key': header(req, 'idempotency-key'),
      'stripe-version': header(req, 'stripe-version'),
      'content-type': header(req, 'content-type'),
    };
    const raw = await readBody(req);
    const query = parseForm(url.search.slice(1));
    let body: Result<FormObject, string> = ok({});
    if (raw.ok && raw.value !== '') {
      const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      body =
        contentType === 'application/x-www-form-urlencoded'
          ? parseForm(raw.value)
          : err('Stripe v1 takes application/x-www-form-urlencoded request bodies, not JSON');
    }

    const response =
      raw.ok && query.ok && body.ok
        ? handleApi(
            {
              method,
              path: url.pathname,
              query: query.value,
              body: body.value,
              // Stripe ignores idempotency keys on GET and DELETE.
              idempotencyKey: method === 'POST' ? headers['idempotency-key'] : null,
              requestId,
            },
            headers.authorization,
          )
        : failure(invalid(unreadable(raw, query, body), null, null), requestId);

    ctx.record({
      method,
      path: url.pathname,
      query: query.ok ? query.value : {},
      headers,
      body: body.ok ? body.value : {},
      status: response.status,
      requestId,
    });
    res.writeHead(response.status, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, no-store',
      'Request-Id': requestId,
      'Stripe-Version': headers['stripe-version'] ?? ctx.apiVersion,
      ...(method === 'POST' && headers['idempotency-key']
        ? { 'Idempotency-Key': headers['idempotency-key'] }
        : {}),
      ...response.headers,
    });
    res.end(JSON.stringify(response.body, null, 2));
  }

  function handleApi(request: ApiRequest, authorization: string | null): ApiResponse {
    const denied = authenticate(authorization);
    if (denied) {
      return {
        ...failure(denied, request.requestId),
        headers: { 'WWW-Authenticate': 'Bearer realm="Stripe"' },
      };
    }
    const key = request.idempotencyKey;
    const params = canonical(request.body);
    if (key !== null) {
      const earlier = idempotent.get(key);
      if (earlier) return replay(earlier, request, key, params);
    }
    const response = dispatch(request);
    if (key !== null && response.status >= 200 && response.status < 300) {
      // Stripe saves a result once the endpoint ran; refused input is not saved and may be retried.
      idempotent.set(key, {
        method: request.method,
        path: request.path,
        params,
        requestId: request.requestId,
        response,
      });
    }
    return response;
  }

  function replay(earlier: IdempotentResult, request: ApiRequest, key: string, params: string): ApiResponse {
    if (earlier.method !== request.method || earlier.path !== request.path) {
      return failure(
        {
          status: 400,
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${earlier.method} ${earlier.path}' vs '${request.method} ${request.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
          code: null,
          param: null,
        },
        request.requestId,
      );
    }
    if (earlier.params !== params) {
      return failure(
        {
          status: 400,
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          code: null,
          param: null,
        },
        request.requestId,
      );
    }
    return {
      ...earlier.response,
      headers: {
        ...earlier.response.headers,
        'Idempotent-Replayed': 'true',
        'Original-Request': earlier.requestId,
      },
    };
  }

  function dispatch(request: ApiRequest): ApiResponse {
    const { method, path, requestId } = request;
    const eventRequest = { id: requestId, idempotency_key: request.idempotencyKey };
    let match: RegExpExecArray | null;

    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const draft = validateSessionCreate(request.body, nowSeconds());
      if (!draft.ok) return failure(draft.error, requestId);
      const session = ctx.store.createSession(draft.value, nowSeconds());
      ctx.sessionCreated(session);
      return renderSession(session, draft.value.expand, requestId);
    }
    if ((match = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path)) && method === 'GET') {
      const session = ctx.store.session(pathId(match[1]));
      if (!session) return failure(noSuchSession(match[1] ?? ''), requestId);
      const expand = readStringList(request.query, 'expand');
      if (!expand.ok) return failure(expand.error, requestId);
      return renderSession(session, expand.value ?? [], requestId);
    }
    if ((match = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(path)) && method === 'GET') {
      const session = ctx.store.session(pathId(match[1]));
      if (!session) return failure(noSuchSession(match[1] ?? ''), requestId);
      return { status: 200, body: lineItemsListJson(session) };
    }
    if ((match = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path)) && method === 'POST') {
      const id = pathId(match[1]);
      const expired = ctx.store.expire(id, eventRequest);
      if (!expired.ok) return failure(expired.error, requestId);
      ctx.raise(expired.value);
      const session = ctx.store.session(id);
      if (!session) return failure(noSuchSession(id), requestId);
      const expand = readStringList(request.body, 'expand');
      if (!expand.ok) return failure(expand.error, requestId);
      return renderSession(session, expand.value ?? [], requestId);
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const created = ctx.store.refund(request.body, eventRequest, nowSeconds());
      if (!created.ok) return failure(created.error, requestId);
      ctx.raise(created.value.events);
      return { status: 200, body: refundJson(created.value.refund) };
    }
    if ((match = /^\/v1\/refunds\/([^/]+)$/.exec(path)) && method === 'GET') {
      const refund = ctx.store.refundById(pathId(match[1]));
      if (!refund) return failure(noSuch('refund', match[1] ?? '', 'id'), requestId);
      return { status: 200, body: refundJson(refund) };
    }
    if ((match = /^\/v1\/payment_intents\/([^/]+)$/.exec(path)) && method === 'GET') {
      const intent = ctx.store.intent(pathId(match[1]));
      if (!intent) return failure(noSuch('payment_intent', match[1] ?? '', 'intent'), requestId);
      return { status: 200, body: paymentIntentJson(intent, ctx.store.charge(intent.chargeId)) };
    }
    if ((match = /^\/v1\/charges\/([^/]+)$/.exec(path)) && method === 'GET') {
      const charge = ctx.store.charge(pathId(match[1]));
      if (!charge) return failure(noSuch('charge', match[1] ?? '', 'charge'), requestId);
      return { status: 200, body: chargeJson(charge) };
    }
    if (method === 'GET' && path === '/v1/events') return listEvents(request.query, requestId);
    if ((match = /^\/v1\/events\/([^/]+)$/.exec(path)) && method === 'GET') {
      const id = pathId(match[1]);
      const event = ctx.events().find((e) => e.id === id);
      if (!event) return failure(noSuch('event', id, 'id'), requestId);
      return { status: 200, body: event.json };
    }
    return failure(
      {
        status: 404,
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        code: null,
        param: null,
      },
      requestId,
    );
  }

  function renderSession(session: SessionRecord, expand: readonly string[], requestId: string): ApiResponse {
    const json: Record<string, Json> = { ...ctx.store.renderSession(session) };
    for (const [index, path] of expand.entries()) {
      if (path === 'payment_intent') {
        const intent = session.paymentIntentId ? ctx.store.intent(session.paymentIntentId) : undefined;
        json['payment_intent'] = intent ? paymentIntentJson(intent, ctx.store.charge(intent.chargeId)) : null;
      } else if (path === 'line_items') {
        json['line_items'] = lineItemsListJson(session);
      } else {
        return failure(
          invalid(`This property cannot be expanded (${path}).`, `expand[${index}]`, null),
          requestId,
        );
      }
    }
    return { status: 200, body: json };
  }

  function listEvents(query: FormObject, requestId: string): ApiResponse {
    const limit = readInteger(query, 'limit', 'limit', { min: 1, max: 100 });
    if (!limit.ok) return failure(limit.error, requestId);
    const type = readString(query, 'type', 'type');
    if (!type.ok) return failure(type.error, requestId);
    const types = readStringList(query, 'types');
    if (!types.ok) return failure(types.error, requestId);
    const created = createdFilter(field(query, 'created'));
    if (!created.ok) return failure(created.error, requestId);
    const after = readString(query, 'starting_after', 'starting_after');
    if (!after.ok) return failure(after.error, requestId);
    const before = readString(query, 'ending_before', 'ending_before');
    if (!before.ok) return failure(before.error, requestId);

    const wanted = (eventType: string): boolean => {
      const patterns = [...(type.value !== null ? [type.value] : []), ...(types.value ?? [])];
      return (
        patterns.length === 0 ||
        patterns.some((p) => (p.endsWith('*') ? eventType.startsWith(p.slice(0, -1)) : eventType === p))
      );
    };
    // Newest first, as Stripe lists.
    let matching = [...ctx.events()].reverse().filter((e) => wanted(e.type) && created.value(e.created));
    const pageSize = limit.value ?? 10;
    let page: StoredEvent[];
    let hasMore: boolean;
    // A cursor must be an object Stripe still has; an unknown one is a 404, as Stripe answers.
    for (const cursor of [before.value, after.value]) {
      if (cursor !== null && !ctx.events().some((e) => e.id === cursor)) {
        return failure(
          noSuch('event', cursor, before.value === cursor ? 'ending_before' : 'starting_after'),
          requestId,
        );
      }
    }
    if (before.value !== null) {
      const at = matching.findIndex((e) => e.id === before.value);
      matching = at === -1 ? [] : matching.slice(0, at);
      page = matching.slice(Math.max(0, matching.length - pageSize));
      hasMore = matching.length > pageSize;
    } else {
      if (after.value !== null) {
        const at = matching.findIndex((e) => e.id === after.value);
        matching = at === -1 ? [] : matching.slice(at + 1);
      }
      page = matching.slice(0, pageSize);
      hasMore = matching.length > pageSize;
    }
    return {
      status: 200,
      body: { object: 'list', data: page.map((e) => e.json), has_more: hasMore, url: '/v1/events' },
    };
  }

  async function hostedPage(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    sessionId: string,
    requested: HostedAction | null,
  ): Promise<void> {
    await readBody(req);
    const session = ctx.store.session(sessionId);
    if (!session) return sendHtml(res, 404, messagePage('Not found', 'There is no such checkout session.'));
    if (requested === null) {
      if (method !== 'GET' && method !== 'HEAD')
        return sendHtml(res, 405, messagePage('Method not allowed', ''));
      return sendHtml(res, 200, checkoutPage(session));
    }
    if (method !== 'POST') return sendHtml(res, 405, messagePage('Method not allowed', 'Use the buttons.'));
    if (session.status !== 'open') {
      return sendHtml(
        res,
        409,
        messagePage('Checkout closed', `This checkout session is ${session.status}.`),
      );
    }
    const how: Completion =
      requested === 'pay' ? 'paid' : requested === 'pay-later' ? 'paid_later' : 'declined';
    const done = ctx.complete(sessionId, how);
    if (!done.ok) return sendHtml(res, 409, messagePage('Checkout closed', done.error));
    const next = requested === 'decline' ? session.cancelUrl : session.successUrl;
    if (next === null) {
      const title = requested === 'decline' ? 'Payment declined' : 'Payment submitted';
      return sendHtml(res, 200, messagePage(title, 'You can close this page.'));
    }
    // Stripe fills this template so the merchant's return page knows which session came back.
    res.writeHead(303, { Location: next.replaceAll('{CHECKOUT_SESSION_ID}', sessionId) });
    res.end();
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    route(req, res).catch(() => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(errorJson(apiError(), 'req_internal'), null, 2));
    });
  };
}

function unreadable(
  raw: Result<string, string>,
  query: Result<FormObject, string>,
  body: Result<FormObject, string>,
): string {
  if (!raw.ok) return raw.error;
  if (!query.ok) return `Invalid query string: ${query.error}`;
  if (!body.ok) return `Invalid request body: ${body.error}`;
  return 'Invalid request';
}

/** An id from the path; a malformed escape stays as sent and simply matches nothing. */
function pathId(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}

function action(segment: string | undefined): HostedAction | null {
  return segment === 'pay' || segment === 'pay-later' || segment === 'decline' ? segment : null;
}

function authenticate(authorization: string | null): StripeErrorSpec | null {
  if (!authorization) return unauthorized(NO_API_KEY);
  let key: string | null = null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) key = bearer[1] ?? null;
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic)
    key =
      Buffer.from(basic[1] ?? '', 'base64')
        .toString('utf8')
        .split(':')[0] ?? null;
  if (!key) return unauthorized(NO_API_KEY);
  // The fake is test mode only: a live key here is a misconfiguration worth failing loudly on.
  if (!/^(sk|rk)_test_[0-9A-Za-z_]+$/.test(key)) {
    const shown = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : key;
    return unauthorized(`Invalid API Key provided: ${shown}`);
  }
  return null;
}

function unauthorized(message: string): StripeErrorSpec {
  return { status: 401, type: 'invalid_request_error', message, code: null, param: null };
}

function apiError(): StripeErrorSpec {
  return {
    status: 500,
    type: 'api_error',
    message: 'The fake Stripe failed unexpectedly.',
    code: null,
    param: null,
  };
}

function noSuch(object: string, id: string, param: string): StripeErrorSpec {
  return {
    status: 404,
    type: 'invalid_request_error',
    message: `No such ${object}: '${id}'`,
    param,
    code: 'resource_missing',
  };
}

function failure(error: StripeErrorSpec, requestId: string): ApiResponse {
  return { status: error.status, body: errorJson(error, requestId) };
}

function createdFilter(value: FormValue | undefined): Result<(created: number) => boolean, StripeErrorSpec> {
  if (value === undefined) return ok(() => true);
  if (typeof value === 'string') {
    const exact = readInteger({ created: value }, 'created', 'created', { min: 0 });
    if (!exact.ok) return exact;
    return ok((created) => created === exact.value);
  }
  if (Array.isArray(value)) return err(invalid('Invalid hash', 'created', null));
  const bounds: [string, (created: number, bound: number) => boolean][] = [
    ['gt', (c, b) => c > b],
    ['gte', (c, b) => c >= b],
    ['lt', (c, b) => c < b],
    ['lte', (c, b) => c <= b],
  ];
  const checks: ((created: number) => boolean)[] = [];
  for (const [name, test] of bounds) {
    const bound = readInteger(value, name, `created[${name}]`, { min: 0 });
    if (!bound.ok) return bound;
    const b = bound.value;
    if (b !== null) checks.push((created) => test(created, b));
  }
  return ok((created) => checks.every((check) => check(created)));
}

/** Parameters compared as Stripe compares them for idempotency: same values, any key order. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] ?? '')}`).join(',')}}`;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(html);
}
