import { createHmac } from 'node:crypto';

/**
 * `X-Shkeeper-Signature` (SHKeeper v2.5.16+): lowercase hex HMAC-SHA256 keyed with the wallet API
 * key (UTF-8) over `"<X-Shkeeper-Timestamp>."` followed by the raw body bytes.
 */
export function shkeeperSignature(
  input: Readonly<{ apiKey: string; timestamp: number; body: string }>,
): string {
  return createHmac('sha256', Buffer.from(input.apiKey, 'utf8'))
    .update(Buffer.concat([Buffer.from(`${input.timestamp}.`, 'ascii'), Buffer.from(input.body, 'utf8')]))
    .digest('hex');
}
