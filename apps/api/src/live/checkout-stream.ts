import type { IncomingMessage, ServerResponse } from 'node:http';
import { FINAL_STATUSES } from '@kassa/core';
import { findKey, type MerchantKey } from '@kassa/db';
import type { ApiDeps } from '../deps';
import { getPublicCheckout } from '../handlers/public-checkout.handler';
import { takeToken } from '../rate-limit';
import { toPublicCheckoutView } from '../views';
import type { LiveHub } from './live-hub';

const KEEP_ALIVE_MS = 15_000;
/** How long EventSource waits before reconnecting after a dropped connection. */
const RETRY_MS = 3_000;

/**
 * `GET /live/{checkoutId}?publishableKey=pk_…`: the checkout's public view as server-sent events,
 * on connect and after every change, until it reaches a final status. EventSource cannot send
 * headers, so the publishable key (public by design) comes in the query.
 */
export async function serveCheckoutStream(
  deps: ApiDeps,
  hub: LiveHub,
  checkoutId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!takeToken(req.socket.remoteAddress ?? 'unknown', deps.clock().getTime())) {
    return refuse(res, 429, 'rate_limited');
  }
  const key = await publishableKey(deps, url.searchParams.get('publishableKey'));
  if (!key) return refuse(res, 404, 'not_found');
  const first = await getPublicCheckout(deps, key, checkoutId);
  if (!first.ok) return refuse(res, 404, 'not_found');
  const { payment } = first.value.checkout;
  const lastEventId = parseSequence(header(req, 'last-event-id') ?? url.searchParams.get('lastEventId'));
  if (lastEventId === payment.sequence && FINAL_STATUSES.has(payment.status)) {
    // The client has the final state already; 204 tells EventSource to stop reconnecting.
    res.statusCode = 204;
    res.end();
    return;
  }
  // What the client claims to have is trusted only when it is exactly the current state.
  return stream(deps, hub, key, checkoutId, lastEventId === payment.sequence ? lastEventId : null, req, res);
}

async function stream(
  deps: ApiDeps,
  hub: LiveHub,
  key: MerchantKey,
  checkoutId: string,
  alreadySent: number | null,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const log = deps.log.child({ paymentId: checkoutId });
  let lastSent = alreadySent;
  let ended = false;
  let checking: Promise<void> | null = null;
  let again = false;

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  write(`retry: ${RETRY_MS}\n\n`);

  // Subscribed before the read below: a change committed after that read still wakes this stream.
  const unsubscribe = hub.subscribe(checkoutId, () => void check());
  const keepAlive = setInterval(() => {
    write(': keep-alive\n\n');
    // A wake can be missed (a failed poll, a commit racing the hub's start): look anyway.
    void check();
  }, KEEP_ALIVE_MS);
  keepAlive.unref();
  res.on('close', end);
  if (req.socket.destroyed) return end();
  await check();

  function end(): void {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    unsubscribe();
    res.end();
  }

  function write(chunk: string): void {
    if (!ended) res.write(chunk);
  }

  /** Reads the checkout and sends it if its sequence moved; one read at a time, no wake lost. */
  function check(): Promise<void> {
    if (checking) {
      again = true;
      return checking;
    }
    checking = (async () => {
      do {
        again = false;
        if (ended) return;
        try {
          await sendIfChanged();
        } catch (error) {
          log.warn({ err: error }, 'live status read failed');
        }
      } while (again);
    })().finally(() => {
      checking = null;
    });
    return checking;
  }

  async function sendIfChanged(): Promise<void> {
    const result = await getPublicCheckout(deps, key, checkoutId);
    if (ended) return;
    if (!result.ok) return end();
    const view = toPublicCheckoutView(result.value.checkout, result.value.merchantName);
    if (lastSent === null || view.sequence > lastSent) {
      write(`id: ${view.sequence}\nevent: checkout\ndata: ${JSON.stringify(view)}\n\n`);
      lastSent = view.sequence;
    }
    if (FINAL_STATUSES.has(view.status)) end();
  }
}

/** The same rule as the widget's procedures: a publishable key this gateway accepts. */
async function publishableKey(deps: ApiDeps, presented: string | null): Promise<MerchantKey | null> {
  if (!presented || !/^pk_(test|live)_/.test(presented)) return null;
  const key = await findKey(deps.db, presented);
  if (!key || key.kind !== 'publishable') return null;
  if (key.mode === 'live' && deps.gatewayMode === 'test') return null;
  return key;
}

function parseSequence(value: string | null): number | null {
  if (value === null || !/^\d{1,9}$/.test(value.trim())) return null;
  return Number(value.trim());
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function refuse(res: ServerResponse, status: number, error: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error }));
}
