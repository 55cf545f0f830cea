import type { IncomingMessage } from 'node:http';
import { storeInboxEvent, type Db } from '@kassa/db';
import { verifyStripeSignature } from '@kassa/providers';
import type { Logger } from 'pino';
import { z } from 'zod';

/** Stripe's events are a few KB; anything far larger is not one. */
export const MAX_BODY_BYTES = 512 * 1024;

const Envelope = z.object({
  id: z.string().regex(/^evt_[0-9A-Za-z_]{1,250}$/),
  type: z.string().min(1).max(200),
});

export type IntakeAnswer = Readonly<{ status: number; body: Record<string, unknown> }>;

/**
 * `POST /stripe`: verify the signature over the raw bytes before anything reads them, store the
 * event in the inbox (unique by its id, so a redelivery is stored once), and only then say 2xx.
 * A worker turns it into observations later; a bad signature stores nothing.
 */
export async function receiveStripeEvent(
  deps: { db: Db; log: Logger; secrets: readonly string[]; now: () => Date },
  rawBody: Buffer,
  signature: string | undefined,
): Promise<IntakeAnswer> {
  const verified = verifyStripeSignature(
    rawBody,
    signature,
    deps.secrets,
    Math.floor(deps.now().getTime() / 1000),
  );
  if (!verified.ok) {
    deps.log.warn({ code: verified.error.code }, 'stripe event refused');
    return { status: 400, body: { error: verified.error.code, message: verified.error.message } };
  }
  const text = rawBody.toString('utf8');
  let envelope: z.infer<typeof Envelope>;
  try {
    envelope = Envelope.parse(JSON.parse(text));
  } catch {
    return { status: 400, body: { error: 'event_malformed', message: 'not a Stripe event' } };
  }
  const stored = await storeInboxEvent(
    deps.db,
    { provider: 'stripe', eventId: envelope.id, eventType: envelope.type, body: text },
    deps.now(),
  );
  deps.log.debug(
    { eventId: envelope.id, type: envelope.type, duplicate: stored.duplicate },
    'stripe event stored',
  );
  return { status: 200, body: { received: true } };
}

/** The request body as bytes, refusing more than `limit`. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
