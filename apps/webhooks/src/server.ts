import { createServer, type Server } from 'node:http';
import { pingDb, type Db } from '@kassa/db';
import type { Logger } from 'pino';

/**
 * The provider-webhook receiver. For now it answers health and readiness; each rail adds its
 * route (raw body -> verify -> inbox -> 2xx) when it lands.
 */
export function createWebhooksServer(deps: { db: Db; log: Logger }): Server {
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
    reply(404, { error: 'not_found' });
  });
}
