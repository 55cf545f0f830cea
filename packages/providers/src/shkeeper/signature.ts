import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@kassa/core';

export const SHKEEPER_TOLERANCE_S = 300;

export type CallbackAuth =
  /** HMAC-verified (SHKeeper 2.5.16 and later): the body is SHKeeper's word. */
  | 'signed'
  /** Legacy API-key header only: anyone who learned the key could send it, so it is a hint to confirm. */
  | 'legacy';

export type CallbackRejection = Readonly<{
  code: 'signature_missing' | 'signature_invalid' | 'timestamp_stale' | 'api_key_invalid';
  message: string;
}>;

/**
 * Checks a SHKeeper callback before anything is parsed (PROVIDERS.md 2.4, 2.8): with
 * `X-Shkeeper-Signature`, HMAC-SHA256 keyed with the API key over `"<timestamp>." + raw body`,
 * within 300 s either way, compared in constant time. Without it, only in legacy mode, and then
 * by the API key header, also in constant time.
 */
export function verifyShkeeperCallback(
  input: Readonly<{
    /** The bytes as they came: the signature is over them, not over any re-encoding. */
    rawBody: Buffer;
    signature: string | null;
    timestamp: string | null;
    apiKeyHeader: string | null;
  }>,
  config: Readonly<{ apiKey: string; legacyCallbacks: boolean }>,
  now: Date,
): Result<CallbackAuth, CallbackRejection> {
  if (input.signature !== null || input.timestamp !== null) {
    if (!input.signature || !input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) {
      return err({ code: 'signature_invalid', message: 'X-Shkeeper-Signature needs X-Shkeeper-Timestamp' });
    }
    const ageS = Math.abs(Math.floor(now.getTime() / 1000) - Number(input.timestamp));
    if (ageS > SHKEEPER_TOLERANCE_S) {
      return err({ code: 'timestamp_stale', message: `timestamp ${ageS} s away from now` });
    }
    const expected = createHmac('sha256', config.apiKey)
      .update(`${input.timestamp}.`)
      .update(input.rawBody)
      .digest();
    const given = /^[0-9a-f]{64}$/i.test(input.signature) ? Buffer.from(input.signature, 'hex') : null;
    if (!given || !timingSafeEqual(given, expected)) {
      return err({ code: 'signature_invalid', message: 'X-Shkeeper-Signature does not match' });
    }
    return ok('signed');
  }
  if (!config.legacyCallbacks) {
    return err({
      code: 'signature_missing',
      message: 'unsigned callback and SHKEEPER_LEGACY_CALLBACKS is off',
    });
  }
  const key = Buffer.from(config.apiKey, 'utf8');
  const header = Buffer.from(input.apiKeyHeader ?? '', 'utf8');
  // Compare digests: equal lengths, so timingSafeEqual never leaks the key's length.
  const same = timingSafeEqual(
    createHmac('sha256', 'kassa').update(key).digest(),
    createHmac('sha256', 'kassa').update(header).digest(),
  );
  return same ? ok('legacy') : err({ code: 'api_key_invalid', message: 'X-Shkeeper-Api-Key does not match' });
}
