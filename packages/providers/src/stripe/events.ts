import {
  asPaymentId,
  assertNever,
  moneyOf,
  ok,
  type AssetRegistry,
  type DisputeStatus,
  type Mode,
  type PaymentId,
  type Observation,
  type Result,
} from '@kassa/core';
import { z } from 'zod';
import { malformed, NOT_JSON, parseJson } from '../decode';
import type { DecodeError, PaymentSignal } from '../rail';

/** Metadata Kassa puts on every session, so events lead back to the payment and its expiry. */
export const METADATA_PAYMENT_ID = 'kassa_payment_id';
export const METADATA_EXPIRES_AT = 'kassa_checkout_expires_at';
const PAYMENT_REF = /^pay_[0-9A-Za-z]{10,40}$/;

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
  payment_intent: z.union([z.string(), z.object({ id: z.string() }), z.null()]).optional(),
  metadata: z.record(z.string(), z.string()).nullable(),
});
type Refund = z.infer<typeof Refund>;
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'refund.failed']);

/** `refunds` is embedded only in old API versions or when expanded; `refund.*` events carry each one anyway. */
const RefundedCharge = z.object({
  object: z.literal('charge'),
  refunds: z.object({ data: z.array(z.unknown()) }).nullish(),
});

const Dispute = z.object({
  object: z.literal('dispute'),
  id: z.string().regex(/^dp_/),
  payment_intent: z.union([z.string(), z.object({ id: z.string() }), z.null()]),
  status: z.enum([
    'warning_needs_response',
    'warning_under_review',
    'warning_closed',
    'needs_response',
    'under_review',
    'won',
    'lost',
    'prevented',
  ]),
});
const DISPUTE_EVENTS = new Set(['charge.dispute.created', 'charge.dispute.updated', 'charge.dispute.closed']);

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
  const json = parseJson(body);
  if (json === NOT_JSON) return malformed('Stripe event body is not JSON');
  const event = StripeEvent.safeParse(json);
  if (!event.success) return malformed(`not a Stripe event: ${event.error.issues[0]?.message ?? ''}`);
  const { id, type, created, livemode, data } = event.data;
  if (livemode !== (mode === 'live')) return ok([]);
  const meta = { id, created, type };
  if (REFUND_EVENTS.has(type)) return decodeRefund(data.object, assets, meta, mode);
  if (type === 'charge.refunded') return decodeRefundedCharge(data.object, assets, meta, mode);
  if (DISPUTE_EVENTS.has(type)) return decodeDispute(data.object, meta, mode);
  if (!SESSION_EVENTS.has(type)) return ok([]);
  const parsed = Session.safeParse(data.object);
  if (!parsed.success)
    return malformed(`${type} without a valid session: ${parsed.error.issues[0]?.message ?? ''}`);
  const session = parsed.data;
  const paymentRef = session.client_reference_id ?? session.metadata?.[METADATA_PAYMENT_ID] ?? null;
  if (!paymentRef || !PAYMENT_REF.test(paymentRef)) return ok([]);

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
  const intent = idOf(session.payment_intent);
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
  // Expired early on purpose (Kassa closes a session when the payer picks another rail): the
  // session keeps its expires_at, but the event comes before it.
  if (base.occurredAt.getTime() < (checkoutExpiresAt - 60) * 1000) return null;
  return { ...base, type: 'expired' };
}

type EventMeta = Readonly<{ id: string; created: number; type: string }>;

/**
 * A refund once Stripe says how it ended, keyed by the refund so created, updated and failed events
 * count it once. Kassa's own refunds name the payment; one made in Stripe's dashboard leads back
 * through its payment intent. A pending refund changes nothing; a failed or canceled one no longer counts.
 */
function decodeRefund(
  object: unknown,
  assets: AssetRegistry,
  event: EventMeta,
  mode: Mode,
  externalId = event.id,
): Result<readonly PaymentSignal[], DecodeError> {
  const parsed = Refund.safeParse(object);
  if (!parsed.success) return malformed(`${event.type} without a valid refund`);
  const refund = parsed.data;
  const target = refundTarget(refund);
  if (!target) return ok([]);
  const base = { source: 'stripe' as const, externalId, occurredAt: new Date(event.created * 1000) };
  const refundKey = `stripe:${refund.id}`;
  if (refund.status === 'failed' || refund.status === 'canceled') {
    return ok([{ ...target, observation: { ...base, type: 'refund_failed', refundKey }, mode }]);
  }
  if (refund.status !== 'succeeded') return ok([]);
  const asset = assets.resolve(refund.currency.toUpperCase());
  if (!asset.ok || asset.value.kind !== 'fiat') return malformed(`${event.type}: unknown currency`);
  const observation: Observation = {
    ...base,
    type: 'refund',
    refundKey,
    amount: moneyOf(asset.value, BigInt(refund.amount)),
  };
  return ok([{ ...target, observation, mode }]);
}

function refundTarget(refund: Refund): { paymentId: PaymentId } | { creditTxKey: string } | null {
  const paymentRef = refund.metadata?.[METADATA_PAYMENT_ID];
  if (paymentRef && PAYMENT_REF.test(paymentRef)) return { paymentId: asPaymentId(paymentRef) };
  const intent = idOf(refund.payment_intent);
  return intent ? { creditTxKey: `stripe:${intent}` } : null;
}

/** Each refund the charge embeds, as its own refund event would say it (the same key, so counted once). */
function decodeRefundedCharge(
  object: unknown,
  assets: AssetRegistry,
  event: EventMeta,
  mode: Mode,
): Result<readonly PaymentSignal[], DecodeError> {
  const parsed = RefundedCharge.safeParse(object);
  if (!parsed.success) return malformed(`${event.type} without a valid charge`);
  const signals: PaymentSignal[] = [];
  for (const refund of parsed.data.refunds?.data ?? []) {
    const id = Refund.shape.id.safeParse((refund as { id?: unknown } | null)?.id);
    const decoded = decodeRefund(refund, assets, event, mode, `${event.id}:${id.success ? id.data : ''}`);
    if (!decoded.ok) return decoded;
    signals.push(...decoded.value);
  }
  return ok(signals);
}

/** A chargeback flags the payment its payment intent paid; a dispute carries no Kassa metadata. */
function decodeDispute(
  object: unknown,
  event: EventMeta,
  mode: Mode,
): Result<readonly PaymentSignal[], DecodeError> {
  const parsed = Dispute.safeParse(object);
  if (!parsed.success) return malformed(`${event.type} without a valid dispute`);
  const dispute = parsed.data;
  const intent = idOf(dispute.payment_intent);
  if (!intent) return ok([]);
  let status: DisputeStatus;
  switch (dispute.status) {
    case 'warning_needs_response':
    case 'warning_under_review':
    case 'needs_response':
    case 'under_review':
      status = 'open';
      break;
    // An inquiry closed without a chargeback, or one prevented, leaves the merchant the money.
    case 'warning_closed':
    case 'prevented':
    case 'won':
      status = 'won';
      break;
    case 'lost':
      status = 'lost';
      break;
    default:
      return assertNever(dispute.status, 'dispute status');
  }
  const observation: Observation = {
    source: 'stripe',
    externalId: event.id,
    occurredAt: new Date(event.created * 1000),
    type: 'dispute',
    disputeKey: `stripe:${dispute.id}`,
    status,
  };
  return ok([{ creditTxKey: `stripe:${intent}`, observation, mode }]);
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  return typeof ref === 'string' ? ref : (ref?.id ?? null);
}
