import { createServer, type IncomingHttpHeaders } from 'node:http';
import { fixtureJson } from '../fixtures';
import type { FakeShkeeper } from './index';

// Helpers for the fake's own tests: a callback receiver, a raw HTTP client, the fixtures.

export function fixture(name: string): unknown {
  return fixtureJson(`shkeeper/${name}`);
}

export type Received = Readonly<{ body: string; headers: IncomingHttpHeaders; at: number }>;

export type Receiver = Readonly<{
  url: string;
  received: Received[];
  /** Resolves once `count` callbacks arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}>;

/** A callback endpoint answering `statuses` in turn, then `then` (202, SHKeeper's acknowledgement). */
export async function startReceiver(statuses: readonly number[] = [], then = 202): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() });
      res.writeHead(statuses[received.length - 1] ?? then);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver has no port');
  return {
    url: `http://127.0.0.1:${address.port}/webhooks/shkeeper`,
    received,
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${received.length} callbacks, wanted ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Answer = Readonly<{ status: number; headers: Headers; text: string; json: unknown }>;

export type CallOptions = Readonly<{
  apiKey?: string;
  basic?: Readonly<{ user: string; password: string }>;
  headers?: Readonly<Record<string, string>>;
  /** Sent as JSON unless a string. */
  body?: unknown;
}>;

/** One raw call to the fake's `/api/v1`, without following redirects, as an adapter should make it. */
export async function call(
  fake: FakeShkeeper,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== undefined) headers['X-Shkeeper-Api-Key'] = options.apiKey;
  if (options.basic) {
    headers['Authorization'] =
      `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${fake.url}/api/v1${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Invoice request helper: POST /{crypto}/payment_request with the fake's key. */
export function paymentRequest(
  fake: FakeShkeeper,
  crypto: string,
  body: Readonly<{ external_id: string; fiat?: string; amount: string; callback_url: string }>,
): Promise<Answer> {
  return call(fake, 'POST', `/${crypto}/payment_request`, {
    apiKey: fake.apiKey,
    body: { fiat: 'USD', ...body },
  });
}
