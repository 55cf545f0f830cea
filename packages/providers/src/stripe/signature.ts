import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@kassa/core';

export type StripeSignatureError = Readonly<{
  code: 'signature_missing' | 'signature_malformed' | 'signature_stale' | 'signature_mismatch';
  message: string;
}>;

const TOLERANCE_S = 300;

/**
 * Checks `Stripe-Signature` (`t=…,v1=…[,v1=…][,v0=…]`) over the raw body, before anything parses
 * it: HMAC-SHA256 of `t.body` keyed with the whole `whsec_…` string, any v1 against any configured
 * secret (rotation), compared in constant time. A timestamp more than 300 s away, in the past or
 * the future, is a replay.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds: number,
): Result<void, StripeSignatureError> {
  if (!header) return err({ code: 'signature_missing', message: 'no Stripe-Signature header' });
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const scheme = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (scheme === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (scheme === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || signatures.length === 0) {
    return err({
      code: 'signature_malformed',
      message: 'Stripe-Signature has no timestamp or no v1 signature',
    });
  }
  if (Math.abs(nowSeconds - timestamp) > TOLERANCE_S) {
    return err({
      code: 'signature_stale',
      message: 'Stripe-Signature timestamp is outside the 300 s window',
    });
  }
  const prefix = Buffer.from(`${timestamp}.`, 'utf8');
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(prefix).update(rawBody).digest();
    // Every candidate is compared, so the time taken does not tell which one came close.
    let matched = false;
    for (const candidate of signatures) matched = timingSafeEqual(expected, candidate) || matched;
    if (matched) return ok(undefined);
  }
  return err({ code: 'signature_mismatch', message: 'no Stripe-Signature v1 matches a configured secret' });
}
