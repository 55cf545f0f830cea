import {
  asPaymentId,
  err,
  moneyOf,
  ok,
  type AssetRegistry,
  type Mode,
  type Observation,
  type Result,
} from '@kassa/core';
import { z } from 'zod';
import type { DecodeError, PaymentSignal } from '../rail';

/** Metadata Kassa puts on every session, so events lead back to the payment and its expiry. */
export const METADATA_PAYMENT_ID = 'kassa_payment_id';
export const METADATA_EXPIRES_AT = 'kassa_checkout_expires_at';

const StripeEvent = z.object({
  id: z.string().regex(/^evt_/),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int().positive(),
  livemode: z.boolean(),
  data: z.object({ object: z.unknown() }),
});

const Session = z.object({
  object: z.literal('checkout.session'),
  id: z.string().regex(/^cs_/),
  client_reference_id: z.string().nullable(),
  metadata: z.record(z.string(), z.string()).nullable(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() }), z.null()]),
  amount_total: z.number().int().nonnegative().nullable(),
  currency: z
    .string()
    .regex(/^[a-z]{3}$/)
    .nullable(),
  status: z.enum(['open', 'complete', 'expired']),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  expires_at: z.number().int().positive(),
});
type Session = z.infer<typeof Session>;

const Refund = z.object({
  object: z.literal('refund'),
  id: z.string().regex(/^re_/),
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[a-z]{3}$/),
  status: z.string().nullable(),
  metadata: z.record(z.string(), z.string()).nullable(),
});
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated']);

const SESSION_EVENTS = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

/**
 * A verified Stripe event as observations about Kassa payments. Events of the other mode, of
 * sessions Kassa did not make, and of types Kassa does not act on decode to nothing (they stay in
 * the inbox as they came). Pure: the inbox may replay an event any number of times.
 */
export function decodeStripeEvent(
  body: string,
  assets: AssetRegistry,
  mode: Mode,
): Result<readonly PaymentSignal[], DecodeError> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return malformed('Stripe event body is not JSON');
  }
  const event = StripeEvent.safeParse(json);
  if (!event.success) return malformed(`not a Stripe event: ${event.error.issues[0]?.message ?? ''}`);
  const { id, type, created, livemode, data } = event.data;
  if (livemode !== (mode === 'live')) return ok([]);
  if (REFUND_EVENTS.has(type)) return decodeRefund(data.object, assets, { id, created, type }, mode);
  if (!SESSION_EVENTS.has(type)) return ok([]);
  const parsed = Session.safeParse(data.object);
  if (!parsed.success)
    return malformed(`${type} without a valid session: ${parsed.error.issues[0]?.message ?? ''}`);
  const session = parsed.data;
  const paymentRef = session.client_reference_id ?? session.metadata?.[METADATA_PAYMENT_ID] ?? null;
  if (!paymentRef || !/^pay_[0-9A-Za-z]{10,40}$/.test(paymentRef)) return ok([]);

  const base = { source: 'stripe' as const, externalId: id, occurredAt: new Date(created * 1000) };
  let observation: Observation | null | undefined;
  switch (type) {
    case 'checkout.session.completed':
      // Paid by card now; a delayed method (bank debit) was only submitted: processing.
      observation =
        session.payment_status === 'paid'
          ? credit(session, assets, base)
          : session.payment_status === 'unpaid'
            ? { ...base, type: 'seen' }
            : null;
      break;
    case 'checkout.session.async_payment_succeeded':
      observation = credit(session, assets, base);
      break;
    case 'checkout.session.async_payment_failed':
      observation = { ...base, type: 'failed', reason: 'card: the delayed payment failed' };
      break;
    default:
      observation = sessionExpiry(session, base);
  }
  if (observation === undefined) return malformed(`${type}: the session has no amount in a known currency`);
  return ok(observation ? [{ paymentId: asPaymentId(paymentRef), observation, mode }] : []);
}

/**
 * The credit a paid session makes: its total in its currency, as one transaction (the payment
 * intent), so completed and async_payment_succeeded for the same payment count once.
 */
function credit(
  session: Session,
  assets: AssetRegistry,
  base: Pick<Observation, 'source' | 'externalId' | 'occurredAt'>,
): Observation | undefined {
  if (session.amount_total === null || session.currency === null) return undefined;
  const asset = assets.resolve(session.currency.toUpperCase());
  if (!asset.ok || asset.value.kind !== 'fiat') return undefined;
  const intent =
    typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
  return {
    ...base,
    type: 'credit',
    txKey: `stripe:${intent ?? session.id}`,
    amount: moneyOf(asset.value, BigInt(session.amount_total)),
  };
}

/**
 * A session can expire before its checkout does (Stripe keeps sessions at most 24 h): only a
 * session that lasted until the checkout's own expiry means the checkout is over.
 */
function sessionExpiry(
  session: Session,
  base: Pick<Observation, 'source' | 'externalId' | 'occurredAt'>,
): Observation | null {
  const checkoutExpiresAt = Number(session.metadata?.[METADATA_EXPIRES_AT]);
  if (!Number.isInteger(checkoutExpiresAt) || session.expires_at < checkoutExpiresAt - 60) return null;
  return { ...base, type: 'expired' };
}

/**
 * A refund Kassa asked for, once Stripe says it succeeded: money back to the payer, keyed by the
 * refund so created and updated events count it once. Pending or failed refunds change nothing.
 */
function decodeRefund(
  object: unknown,
  assets: AssetRegistry,
  event: { id: string; created: number; type: string },
  mode: Mode,
): Result<readonly PaymentSignal[], DecodeError> {
  const parsed = Refund.safeParse(object);
  if (!parsed.success) return malformed(`${event.type} without a valid refund`);
  const refund = parsed.data;
  const paymentRef = refund.metadata?.[METADATA_PAYMENT_ID];
  if (refund.status !== 'succeeded' || !paymentRef || !/^pay_[0-9A-Za-z]{10,40}$/.test(paymentRef))
    return ok([]);
  const asset = assets.resolve(refund.currency.toUpperCase());
  if (!asset.ok || asset.value.kind !== 'fiat') return malformed(`${event.type}: unknown currency`);
  const observation: Observation = {
    source: 'stripe',
    externalId: event.id,
    occurredAt: new Date(event.created * 1000),
    type: 'refund',
    refundKey: `stripe:${refund.id}`,
    amount: moneyOf(asset.value, BigInt(refund.amount)),
  };
  return ok([{ paymentId: asPaymentId(paymentRef), observation, mode }]);
}

function malformed(message: string): Result<never, DecodeError> {
  return err({ code: 'event_malformed', message });
}
