import { storeInboxEvent, type Db } from '@kassa/db';
import { callbackEvent, payoutCallbackEvent, verifyShkeeperCallback, type EvmRail } from '@kassa/providers';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { IntakeAnswer } from './stripe';

/** A callback carries the invoice's transactions; even a busy one is far below this. */
export const MAX_CALLBACK_BYTES = 256 * 1024;

const ExternalId = z.object({ external_id: z.string().min(1).max(64) });

export type ShkeeperHeaders = Readonly<{
  signature: string | null;
  timestamp: string | null;
  apiKey: string | null;
}>;

/**
 * `POST /shkeeper`: verify before parsing (HMAC when SHKeeper signs; the API key only in legacy
 * mode), store in the inbox, and only then answer exactly 202, the one status SHKeeper takes as
 * received. A legacy callback is only a hint: the invoice is read back from SHKeeper and that is
 * what is stored. Anything refused gets 401 and stores nothing.
 */
export async function receiveShkeeperCallback(
  deps: Readonly<{ db: Db; log: Logger; rail: Pick<EvmRail, 'config' | 'invoiceEvent'>; now: () => Date }>,
  rawBody: Buffer,
  headers: ShkeeperHeaders,
): Promise<IntakeAnswer> {
  const text = rawBody.toString('utf8');
  const now = deps.now();
  const auth = verifyShkeeperCallback(
    {
      rawBody,
      signature: headers.signature,
      timestamp: headers.timestamp,
      apiKeyHeader: headers.apiKey,
    },
    deps.rail.config,
    now,
  );
  if (!auth.ok) {
    deps.log.warn({ code: auth.error.code }, 'shkeeper callback refused');
    return { status: 401, body: { error: auth.error.code, message: auth.error.message } };
  }
  if (auth.value === 'signed') {
    const event = callbackEvent(text, now);
    if (!event.ok) return { status: 400, body: { error: event.error.code, message: event.error.message } };
    const stored = await storeInboxEvent(deps.db, event.value, now);
    deps.log.debug({ eventId: event.value.eventId, duplicate: stored.duplicate }, 'shkeeper callback stored');
    return { status: 202, body: {} };
  }
  let externalId: string;
  try {
    externalId = ExternalId.parse(JSON.parse(text)).external_id;
  } catch {
    return { status: 400, body: { error: 'event_malformed', message: 'not a SHKeeper callback' } };
  }
  const invoice = await deps.rail.invoiceEvent(externalId, now);
  // SHKeeper unreachable: not 202, so it sends the callback again and we read back again.
  if (!invoice.ok) return { status: 503, body: { error: 'provider_unavailable' } };
  if (invoice.value) await storeInboxEvent(deps.db, invoice.value, now);
  else deps.log.warn({ externalId }, 'legacy shkeeper callback for an invoice SHKeeper does not have');
  return { status: 202, body: {} };
}

/**
 * `POST /shkeeper/payout`: SHKeeper's word that a payout went through (an escrow release or
 * refund). It carries no API key, so only a signed one is taken; stored, then 202.
 */
export async function receiveShkeeperPayout(
  deps: Readonly<{ db: Db; log: Logger; rail: Pick<EvmRail, 'config'>; now: () => Date }>,
  rawBody: Buffer,
  headers: ShkeeperHeaders,
): Promise<IntakeAnswer> {
  const text = rawBody.toString('utf8');
  const now = deps.now();
  const auth = verifyShkeeperCallback(
    { rawBody, signature: headers.signature, timestamp: headers.timestamp, apiKeyHeader: null },
    { apiKey: deps.rail.config.apiKey, legacyCallbacks: false },
    now,
  );
  if (!auth.ok) {
    deps.log.warn({ code: auth.error.code }, 'shkeeper payout callback refused');
    return { status: 401, body: { error: auth.error.code, message: auth.error.message } };
  }
  const event = payoutCallbackEvent(text, now);
  if (!event.ok) return { status: 400, body: { error: event.error.code, message: event.error.message } };
  await storeInboxEvent(deps.db, event.value, now);
  return { status: 202, body: {} };
}
