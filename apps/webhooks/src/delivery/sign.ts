import { createHmac } from 'node:crypto';
import { InvariantError } from '@kassa/core';

export type WebhookSignatureHeaders = Readonly<{
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}>;

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function secretKey(secret: string): Buffer {
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Node's base64 decoder skips bad characters silently; a merchant's library would reject them, so
  // a malformed secret would sign with a key nobody else derives.
  if (!secret.startsWith(SECRET_PREFIX) || !BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new InvariantError('webhook secret is not whsec_<base64>');
  }
  return Buffer.from(encoded, 'base64');
}

/**
 * Standard Webhooks headers for one delivery attempt. During a rotation overlap every live secret
 * signs, so a merchant verifying with either the old or the new secret accepts the message.
 */
export function signWebhook(input: {
  id: string;
  timestamp: Date;
  body: string;
  secrets: readonly string[];
}): WebhookSignatureHeaders {
  if (input.secrets.length === 0) throw new InvariantError('no webhook secret to sign with');
  const seconds = Math.floor(input.timestamp.getTime() / 1000);
  if (!Number.isFinite(seconds)) throw new InvariantError('webhook timestamp is not a valid date');
  const signed = `${input.id}.${seconds}.${input.body}`;
  const signatures = input.secrets.map(
    (secret) => `v1,${createHmac('sha256', secretKey(secret)).update(signed, 'utf8').digest('base64')}`,
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signatures.join(' '),
  };
}
