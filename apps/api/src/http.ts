import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Mode } from '@kassa/core';
import { findKey, findPublishableKey, getCheckout, getMerchantSettings, pingDb } from '@kassa/db';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { StellarConfig } from '@kassa/providers';
import type { ApiDeps } from './deps';
import { Origin } from './handlers/settings.handler';
import { serveCheckoutStream } from './live/checkout-stream';
import { createLiveHub, type LiveHub } from './live/live-hub';
import { appRouter } from './router';
import { createContext } from './trpc';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The hosted page's policy; `frame-ancestors` is added per request (embedded or not). */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
];

/** The API origin: `/trpc`, `/health`, `/ready`, live status `/live/{id}`, the hosted page `/pay/{id}` and the widget's files. */
export function createApiServer(deps: ApiDeps): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: 64 * 1024,
    createContext: ({ req }) => createContext(deps, req),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        deps.log.error({ err: error.cause ?? error, path }, 'procedure failed');
      // A provider outage: the payer sees a 503; the operator needs the provider's own words.
      if (error.code === 'SERVICE_UNAVAILABLE')
        deps.log.warn({ path, reason: error.message }, 'provider unavailable');
    },
  });

  const hub = createLiveHub({ db: deps.db, log: deps.log });
  const server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      deps.log.debug(
        {
          method: req.method,
          url: req.url?.split('?')[0],
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    route(deps, trpc, hub, req, res).catch((error: unknown) => {
      deps.log.error({ err: error }, 'request failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'internal' }));
      else res.end();
    });
  });
  server.on('close', () => hub.close());
  return server;
}

async function route(
  deps: ApiDeps,
  trpc: ReturnType<typeof createHTTPHandler>,
  hub: LiveHub,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path.startsWith('/trpc/')) {
    trpc(req, res);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'text/plain', 'method not allowed');
  if (path === '/health') return send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
  if (path === '/ready') {
    const ready = await pingDb(deps.db);
    return send(
      res,
      ready ? 200 : 503,
      'application/json',
      JSON.stringify({ status: ready ? 'ready' : 'database unreachable' }),
    );
  }
  const live = /^\/live\/(pay_[0-9A-Za-z]{1,40})$/.exec(path);
  if (live?.[1] && req.method === 'GET') return serveCheckoutStream(deps, hub, live[1], req, res);
  const pay = /^\/pay\/(pay_[0-9A-Za-z]{1,40})$/.exec(path);
  if (pay?.[1])
    return servePayPage(deps, pay[1], new URL(req.url ?? '/', 'http://localhost').searchParams, res);
  if (path.startsWith('/widget/')) return serveWidgetFile(deps, path.slice('/widget/'.length), req, res);
  if (path === '/.well-known/stellar.toml' && deps.stellar?.config.signing) {
    return serveStellarToml(deps.stellar.config, res);
  }
  return send(res, 404, 'application/json', JSON.stringify({ error: 'not_found' }));
}

/**
 * SEP-1 stellar.toml on Kassa's own domain: wallets check a signed SEP-7 link against
 * URI_REQUEST_SIGNING_KEY here. Wallets fetch it cross-origin, as SEP-1 requires allowing.
 */
function serveStellarToml(config: StellarConfig, res: ServerResponse): void {
  const toml = [
    `NETWORK_PASSPHRASE="${config.networkPassphrase}"`,
    `ACCOUNTS=["${config.receivingAccount}"]`,
    `URI_REQUEST_SIGNING_KEY="${config.signing?.publicKey ?? ''}"`,
    '',
  ].join('\n');
  res.setHeader('access-control-allow-origin', '*');
  send(res, 200, 'text/plain; charset=utf-8', toml);
}

/**
 * The hosted checkout: the widget's page with this checkout's public config injected as JSON data.
 * With `?embed=1&key=pk_…&origin=…` (what the loader asks for) it is the same page for an iframe
 * on the merchant's site: only that origin may frame it, and only if the merchant allowed it.
 */
async function servePayPage(
  deps: ApiDeps,
  checkoutId: string,
  query: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const checkout = await getCheckout(deps.db.orm, checkoutId);
  const publishableKey = checkout
    ? await findPublishableKey(deps.db.orm, checkout.payment.merchantId, checkout.payment.mode)
    : null;
  if (!checkout || !publishableKey)
    return send(res, 404, 'text/plain; charset=utf-8', 'This payment link is not valid.');
  let parentOrigin: string | null = null;
  if (query.get('embed') === '1') {
    const embed = await embeddingOrigin(deps, checkout.payment, query);
    if (!embed.ok) {
      res.setHeader('content-security-policy', "frame-ancestors 'none'");
      res.setHeader('x-content-type-options', 'nosniff');
      return send(res, embed.status, 'text/plain; charset=utf-8', embed.message);
    }
    parentOrigin = embed.origin;
  }
  if (!deps.widgetDir)
    return send(res, 503, 'text/plain; charset=utf-8', 'The checkout page has not been built.');
  const template = await readFile(join(deps.widgetDir, 'index.html'), 'utf8');
  // JSON inside <script> must not be able to close the tag.
  const config = JSON.stringify({
    checkoutId,
    publishableKey,
    apiUrl: deps.publicUrl,
    ...(parentOrigin ? { parentOrigin } : {}),
  }).replace(/</g, '\\u003c');
  // A function replacement: `$&` and friends in the config must stay literal.
  const html = template.replace(
    '<!--kassa-config-->',
    () => `<script id="kassa-config" type="application/json">${config}</script>`,
  );
  res.setHeader(
    'content-security-policy',
    [...PAGE_CSP, `frame-ancestors ${parentOrigin ?? "'none'"}`].join('; '),
  );
  if (!parentOrigin) res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
  return send(res, 200, 'text/html; charset=utf-8', html);
}

type EmbedCheck = { ok: true; origin: string } | { ok: false; status: 403 | 404; message: string };

/**
 * Which page may frame this checkout: the origin the loader reports, if the key is one of this
 * checkout's merchant's publishable keys for its mode and the merchant allowed the origin (test mode
 * also allows loopback, for local development; live mode wants https). The
 * browser enforces it through `frame-ancestors`, so a page lying about its origin gets nothing.
 */
async function embeddingOrigin(
  deps: ApiDeps,
  payment: { merchantId: string; mode: Mode },
  query: URLSearchParams,
): Promise<EmbedCheck> {
  const key = await findKey(deps.db, query.get('key') ?? '');
  if (
    !key ||
    key.kind !== 'publishable' ||
    key.merchantId !== payment.merchantId ||
    key.mode !== payment.mode
  )
    return { ok: false, status: 404, message: 'This payment link is not valid.' };
  const origin = Origin.safeParse(query.get('origin') ?? '');
  if (!origin.success) return { ok: false, status: 403, message: 'The embedding page has no valid origin.' };
  const loopback = isLoopbackOrigin(origin.data);
  // Live money is framed only by https pages: on plain http anyone on the path could overlay it.
  if (payment.mode === 'live' && !loopback && !origin.data.startsWith('https:')) {
    return { ok: false, status: 403, message: 'A live checkout may only be embedded on an https page.' };
  }
  const settings = await getMerchantSettings(deps.db.orm, payment.merchantId);
  if (!(loopback && payment.mode === 'test') && !settings?.allowedOrigins.includes(origin.data)) {
    return {
      ok: false,
      status: 403,
      message: `This checkout may not be embedded on ${origin.data}. The merchant can allow it with settings.update({ allowedOrigins }).`,
    };
  }
  return { ok: true, origin: origin.data };
}

function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json']);
/** Gzipped widget files, made once per file version: the loader and the first load are sent small. */
const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();

async function serveWidgetFile(
  deps: ApiDeps,
  relative: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!deps.widgetDir) return send(res, 404, 'text/plain', 'not found');
  const root = normalize(deps.widgetDir + sep);
  const file = normalize(join(root, relative));
  if (!file.startsWith(root) || relative.includes('\0')) return send(res, 404, 'text/plain', 'not found');
  try {
    const [raw, info] = await Promise.all([readFile(file), stat(file)]);
    res.setHeader('x-content-type-options', 'nosniff');
    // Hashed assets never change; kassa.js keeps its name across releases, so it is kept briefly.
    res.setHeader(
      'cache-control',
      relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    let body: Buffer = raw;
    if (COMPRESSIBLE.has(extname(file))) {
      res.setHeader('vary', 'accept-encoding');
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        let cached = gzipped.get(file);
        if (cached?.mtimeMs !== info.mtimeMs) {
          cached = { mtimeMs: info.mtimeMs, body: gzipSync(raw, { level: 9 }) };
          gzipped.set(file, cached);
        }
        res.setHeader('content-encoding', 'gzip');
        body = cached.body;
      }
    }
    return send(res, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body);
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.end(body);
}
