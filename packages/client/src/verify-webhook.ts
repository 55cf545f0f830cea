import { createHmac, timingSafeEqual } from 'node:crypto';
import { DOMAIN_EVENT_TYPES } from '@kassa/core';
import { z } from 'zod';

/** The event types merchants receive: one list, kept in core beside the events themselves. */
export const WebhookEventType = z.enum(DOMAIN_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** An exact decimal string (`'12.50'`), never a float, and the asset it counts. */
export const WebhookAmount = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/), asset: z.string() });
export type WebhookAmount = z.infer<typeof WebhookAmount>;

export const WebhookCheckout = z.object({
  id: z.string(),
  mode: z.enum(['test', 'live']),
  status: z.string(),
  escrowStatus: z.string().nullable(),
  amountDue: WebhookAmount,
  amountReceived: WebhookAmount,
  lateReceived: WebhookAmount,
  amountRefunded: WebhookAmount,
});
export type WebhookCheckout = z.infer<typeof WebhookCheckout>;

// Not strict: fields Kassa adds later are dropped, not rejected, so older merchant code keeps working.
/** One event as Kassa delivers it. `sequence` orders a checkout's events when deliveries overtake each other. */
export const KassaWebhookEvent = z.object({
  id: z.string(),
  type: WebhookEventType,
  createdAt: z.string(),
  sequence: z.number().int(),
  data: z.object({ checkout: WebhookCheckout }),
});
export type KassaWebhookEvent = z.infer<typeof KassaWebhookEvent>;

export type WebhookVerificationErrorCode =
  'headers_missing' | 'signature_invalid' | 'timestamp_stale' | 'payload_malformed';

/** Why a webhook was refused. Answer it with a 4xx; Kassa retries, and a genuine event will verify. */
export class WebhookVerificationError extends Error {
  override readonly name: string = 'WebhookVerificationError';
  constructor(readonly code: WebhookVerificationErrorCode) {
    super(`webhook rejected: ${code}`);
  }
}

export type VerifyWebhookOptions = Readonly<{
  /** How far the `webhook-timestamp` may be from `now`, either way. Default 300. */
  toleranceSeconds?: number;
  now?: Date;
}>;

type HeaderRecord = Record<string, string | string[] | undefined>;

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function readHeader(headers: Headers | HeaderRecord, name: string): string[] {
  if (headers instanceof Headers) {
    const value = headers.get(name);
    return value === null ? [] : [value];
  }
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    values.push(...(typeof value === 'string' ? [value] : value));
  }
  return values;
}

function secretKey(secret: string): Buffer {
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!secret.startsWith(SECRET_PREFIX) || !BASE64.test(encoded) || encoded.length % 4 === 1) {
    // A configuration mistake, not a bad request: throw so it is not answered as a 4xx forever.
    throw new TypeError('the webhook secret must be the whsec_… value shown when the endpoint was created');
  }
  return Buffer.from(encoded, 'base64');
}

/**
 * Checks a Kassa webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`)
 * and returns its event, or throws `WebhookVerificationError`. Pass the body exactly as received:
 * parsed and re-serialised JSON no longer matches the signature.
 *
 * ```ts
 * app.post('/kassa/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
 *   let event: KassaWebhookEvent;
 *   try {
 *     event = verifyWebhook(req.body, req.headers, process.env.KASSA_WEBHOOK_SECRET!);
 *   } catch (error) {
 *     if (error instanceof WebhookVerificationError) return res.status(400).send(error.code);
 *     throw error;
 *   }
 *   // Deliveries repeat: deduplicate on event.id.
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: Headers | HeaderRecord,
  secret: string,
  options: VerifyWebhookOptions = {},
): KassaWebhookEvent {
  const key = secretKey(secret);
  const [id, ...extraIds] = readHeader(headers, 'webhook-id');
  const [timestamp, ...extraTimestamps] = readHeader(headers, 'webhook-timestamp');
  // Repeated signature headers are as good as one space-separated header.
  const signatures = readHeader(headers, 'webhook-signature').flatMap((value) => value.split(' '));
  if (
    !id ||
    !timestamp ||
    extraIds.length > 0 ||
    extraTimestamps.length > 0 ||
    !/^\d+$/.test(timestamp) ||
    signatures.every((s) => s === '')
  ) {
    throw new WebhookVerificationError('headers_missing');
  }

  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('timestamp_stale');
  }

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = Buffer.from(
    createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64'),
    'utf8',
  );
  // Every entry is compared in constant time and the loop never stops early; only the length of the
  // expected signature, which is public, can short-circuit a comparison.
  let matched = false;
  for (const entry of signatures) {
    if (!entry.startsWith('v1,')) continue;
    const given = Buffer.from(entry.slice('v1,'.length), 'utf8');
    const equal = given.length === expected.length && timingSafeEqual(given, expected);
    matched = equal || matched;
  }
  if (!matched) throw new WebhookVerificationError('signature_invalid');

  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody));
  } catch {
    throw new WebhookVerificationError('payload_malformed');
  }
  const parsed = KassaWebhookEvent.safeParse(json);
  if (!parsed.success) throw new WebhookVerificationError('payload_malformed');
  return parsed.data;
}
