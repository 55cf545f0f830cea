import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { AttemptOutcome, DueDelivery } from '@kassa/db';
import { signWebhook } from './sign';

/** Addresses a live webhook may never reach: loopback, private, link-local, CGNAT, multicast and the like. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked against the IPv4 rules by BlockList itself.
for (const [net, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  // Forms that carry an IPv4 address inside: NAT64, 6to4, IPv4-compatible.
  ['64:ff9b::', 96],
  ['2002::', 16],
  ['::', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const EXCERPT_BYTES = 1024;

export type SendOptions = Readonly<{
  timeoutMs: number;
  now: () => Date;
  /**
   * Test-mode endpoints may reach private addresses (a developer's localhost) unless the operator
   * refuses it, as a deployment shared by several merchants should. Live endpoints never may.
   */
  privateInTest?: 'allow' | 'refuse';
}>;

/**
 * One attempt: sign, POST, and report what happened. Never throws: a refused address, a timeout or
 * a connection error is an outcome like any status code. Redirects are not followed (a 3xx is a
 * failure). For live endpoints (and test ones, if the operator says so) the address is checked inside the connection's own DNS lookup, so a
 * name cannot resolve to a public address for a check and to a private one for the request.
 */
export async function sendDelivery(delivery: DueDelivery, options: SendOptions): Promise<AttemptOutcome> {
  const startedAt = options.now();
  const started = performance.now();
  const outcome = (fields: Partial<AttemptOutcome>): AttemptOutcome => ({
    startedAt,
    durationMs: Math.round(performance.now() - started),
    statusCode: null,
    error: null,
    responseExcerpt: null,
    ...fields,
  });
  try {
    const url = new URL(delivery.url);
    const headers = signWebhook({
      id: delivery.eventId,
      timestamp: startedAt,
      body: delivery.body,
      secrets: delivery.secrets,
    });
    const guarded = delivery.mode === 'live' || options.privateInTest === 'refuse';
    if (
      guarded &&
      isIP(url.hostname.replace(/^\[|\]$/g, '')) &&
      isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ''))
    ) {
      return outcome({ error: `refused: ${url.hostname} is a private address` });
    }
    const response = await post(url, delivery.body, headers, {
      timeoutMs: options.timeoutMs,
      ...(guarded ? { lookup: publicOnlyLookup } : {}),
    });
    return outcome({ statusCode: response.statusCode, responseExcerpt: response.excerpt || null });
  } catch (error) {
    return outcome({ error: describe(error) });
  }
}

type Lookup = NonNullable<RequestOptions['lookup']>;

/** dns.lookup, refusing any private address it resolves to. */
const publicOnlyLookup: Lookup = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const list = addresses;
    const blocked = list.find((a) => isPrivateAddress(a.address));
    if (blocked)
      return callback(
        new Error(`refused: ${hostname} resolves to a private address (${blocked.address})`),
        '',
        4,
      );
    if (options.all) return callback(null, list);
    const first = list[0];
    return first
      ? callback(null, first.address, first.family)
      : callback(new Error(`no address for ${hostname}`), '', 4);
  });
};

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; lookup?: Lookup },
): Promise<{ statusCode: number; excerpt: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'Kassa-Webhooks/1',
      },
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('response', (res) => {
      // Keep the first kilobyte for the merchant's delivery log; never buffer more than that.
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = () => {
        clearTimeout(timer);
        resolve({
          statusCode: res.statusCode ?? 0,
          excerpt: Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_BYTES),
        });
      };
      res.on('data', (chunk: Buffer) => {
        if (kept < EXCERPT_BYTES) chunks.push(chunk.subarray(0, EXCERPT_BYTES - kept));
        kept += chunk.length;
        if (kept >= EXCERPT_BYTES) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
