import { lookup } from 'node:dns/promises';
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
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const EXCERPT_BYTES = 1024;

export type SendOptions = Readonly<{ timeoutMs: number; now: () => Date }>;

/**
 * One attempt: sign, POST, and report what happened. Never throws: a refused address, a timeout or
 * a connection error is an outcome like any status code. Redirects are not followed (a 3xx is a
 * failure), so a receiver cannot bounce a live webhook to a private address.
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
    if (delivery.mode === 'live') {
      const refusal = await refusePrivateDestination(delivery.url);
      if (refusal) return outcome({ error: refusal });
    }
    const headers = signWebhook({
      id: delivery.eventId,
      timestamp: startedAt,
      body: delivery.body,
      secrets: delivery.secrets,
    });
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Kassa-Webhooks/1' },
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text().catch(() => '');
    return outcome({ statusCode: response.status, responseExcerpt: text.slice(0, EXCERPT_BYTES) || null });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return outcome({ error: timedOut ? `timed out after ${options.timeoutMs} ms` : describe(error) });
  }
}

async function refusePrivateDestination(url: string): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const blocked = addresses.find(isPrivateAddress);
  return blocked ? `refused: ${host} resolves to a private address (${blocked})` : null;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
