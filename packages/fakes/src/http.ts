import type { IncomingMessage, Server } from 'node:http';
import { err, ok, type Result } from './result';

// What the fakes (Stripe, Horizon, SHKeeper, the test wallet) share as HTTP servers.

const MAX_BODY_BYTES = 1024 * 1024;

/** Listens and resolves to the port (a free one for 0). */
export function listen(server: Server, port: number, host: string, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error(`${name}: no TCP address`));
      else resolve(address.port);
    });
  });
}

/** The address a client on this machine dials: a wildcard bind is reached on loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value.join(', ');
  return value ?? null;
}

/** The request body as text, up to 1 MiB (more is an error, read to the end so the socket stays usable). */
export function readBody(req: IncomingMessage): Promise<Result<string, string>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) resolve(err(`request body larger than ${MAX_BODY_BYTES} bytes`));
      else resolve(ok(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', () => resolve(err('request body could not be read')));
  });
}
