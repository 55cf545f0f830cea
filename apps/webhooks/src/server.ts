import { createServer, type Server } from 'node:http';
import { pingDb, type Db } from '@kassa/db';
import type { Logger } from 'pino';
import type { EvmRail } from '@kassa/providers';
import { MAX_CALLBACK_BYTES, receiveShkeeperCallback, receiveShkeeperPayout } from './intake/shkeeper';
import { MAX_BODY_BYTES, readBody, receiveStripeEvent } from './intake/stripe';

export type WebhooksServerDeps = {
  db: Db;
  log: Logger;
  /** The card rail's webhook secrets; without them `/stripe` does not exist. */
  stripeSecrets?: readonly string[] | undefined;
  /** The EVM rail (SHKeeper); without it `/shkeeper` does not exist. */
  shkeeper?: Pick<EvmRail, 'config' | 'invoiceEvent'> | null | undefined;
  clock?: () => Date;
};

/**
 * The provider-webhook receiver: health, readiness, and one route per configured rail
 * (raw body -> verify -> inbox -> 2xx).
 */
export function createWebhooksServer(deps: WebhooksServerDeps): Server {
  const now = deps.clock ?? (() => new Date());
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const reply = (status: number, body: object) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/health') return reply(200, { status: 'ok' });
    if (req.method === 'GET' && path === '/ready') {
      pingDb(deps.db)
        .then((ready) => reply(ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' }))
        .catch((error: unknown) => {
          deps.log.error({ err: error }, 'readiness check failed');
          reply(503, { status: 'database unreachable' });
        });
      return;
    }
    if (path === '/stripe' && deps.stripeSecrets && deps.stripeSecrets.length > 0) {
      if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed' });
      const secrets = deps.stripeSecrets;
      readBody(req, MAX_BODY_BYTES)
        .then((body) =>
          body === null
            ? { status: 413, body: { error: 'too_large' } }
            : receiveStripeEvent(
                { db: deps.db, log: deps.log, secrets, now },
                body,
                typeof req.headers['stripe-signature'] === 'string'
                  ? req.headers['stripe-signature']
                  : undefined,
              ),
        )
        .then((answer) => reply(answer.status, answer.body))
        .catch((error: unknown) => {
          // Not stored: a 5xx makes Stripe send it again later.
          deps.log.error({ err: error }, 'stripe event could not be stored');
          if (!res.headersSent) reply(500, { error: 'internal' });
        });
      return;
    }
    if ((path === '/shkeeper' || path === '/shkeeper/payout') && deps.shkeeper) {
      if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed' });
      const rail = deps.shkeeper;
      const header = (name: string) => {
        const value = req.headers[name];
        return typeof value === 'string' ? value : null;
      };
      readBody(req, MAX_CALLBACK_BYTES)
        .then((body) =>
          body === null
            ? { status: 413, body: { error: 'too_large' } }
            : (path === '/shkeeper' ? receiveShkeeperCallback : receiveShkeeperPayout)(
                { db: deps.db, log: deps.log, rail, now },
                body,
                {
                  signature: header('x-shkeeper-signature'),
                  timestamp: header('x-shkeeper-timestamp'),
                  apiKey: header('x-shkeeper-api-key'),
                },
              ),
        )
        .then((answer) => reply(answer.status, answer.body))
        .catch((error: unknown) => {
          // Not stored: anything but 202 makes SHKeeper send it again.
          deps.log.error({ err: error }, 'shkeeper callback could not be stored');
          if (!res.headersSent) reply(500, { error: 'internal' });
        });
      return;
    }
    reply(404, { error: 'not_found' });
  });
}
