import { err, ok, type Result } from '../result';
import { formatMinor, THREE_DECIMAL } from './currencies';
import type { SessionDraft } from './create-session';
import { threeDecimalError } from './create-session';
import type { FormObject } from './form';
import {
  chargeJson,
  disputeJson,
  refundJson,
  sessionJson,
  type EventRequest,
  type JsonObject,
  type StripeErrorSpec,
} from './objects';
import {
  invalid,
  missing,
  readInteger,
  readMetadata,
  readString,
  unknownParam,
  type ParamResult,
} from './params';
import {
  newId,
  type ChargeRecord,
  type DisputeRecord,
  type PaymentIntentRecord,
  type RefundRecord,
  type SessionRecord,
} from './records';

/** An event the fake has decided to send: its object is rendered now, as it is at this moment. */
export type RaisedEvent = Readonly<{
  type: string;
  object: JsonObject;
  previousAttributes?: JsonObject;
  request: EventRequest;
}>;

export const NO_REQUEST: EventRequest = { id: null, idempotency_key: null };

/** How the payer finishes checkout: card now, bank debit that clears later, bank debit that fails. */
export type Completion = 'paid' | 'paid_later' | 'declined';

const REFUND_PARAMS = new Set(
  (
    'amount charge currency customer expand instructions_email metadata origin payment_intent reason ' +
    'refund_application_fee reverse_transfer'
  ).split(' '),
);
const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

export type Store = ReturnType<typeof createStore>;

/** The fake's state and every transition it allows; HTTP and the test controls both go through here. */
export function createStore(baseUrl: string) {
  const sessions = new Map<string, SessionRecord>();
  const intents = new Map<string, PaymentIntentRecord>();
  const charges = new Map<string, ChargeRecord>();
  const refunds = new Map<string, RefundRecord>();
  const disputes = new Map<string, DisputeRecord>();

  const renderSession = (s: SessionRecord) => sessionJson(s, baseUrl);

  function createSession(draft: SessionDraft, created: number): SessionRecord {
    const session: SessionRecord = {
      id: newId('cs_test_', 58),
      created,
      expiresAt: draft.expiresAt,
      currency: draft.currency,
      amountTotal: draft.amountTotal,
      lineItems: draft.lineItems.map((item) => ({
        ...item,
        id: newId('li_1'),
        priceId: newId('price_1'),
        productId: newId('prod_', 14),
      })),
      receivedLineItems: draft.receivedLineItems,
      clientReferenceId: draft.clientReferenceId,
      metadata: draft.metadata,
      paymentIntentMetadata: draft.paymentIntentMetadata,
      successUrl: draft.successUrl,
      cancelUrl: draft.cancelUrl,
      customerEmail: draft.customerEmail,
      locale: draft.locale,
      paymentMethodTypes: draft.paymentMethodTypes,
      status: 'open',
      paymentStatus: 'unpaid',
      paymentIntentId: null,
    };
    sessions.set(session.id, session);
    return session;
  }

  function complete(sessionId: string, how: Completion, now: number): Result<RaisedEvent[], string> {
    const session = sessions.get(sessionId);
    if (!session) return err(`no checkout session ${sessionId}`);
    if (session.status !== 'open') return err(`checkout session ${sessionId} is ${session.status}, not open`);

    const method = how === 'paid' ? 'card' : 'us_bank_account';
    const paymentMethodId = newId('pm_1');
    const chargeId = newId('ch_3');
    const intent: PaymentIntentRecord = {
      id: newId('pi_3'),
      created: now,
      sessionId,
      amount: session.amountTotal,
      currency: session.currency,
      metadata: session.paymentIntentMetadata,
      method,
      paymentMethodId,
      chargeId,
      status: how === 'paid' ? 'succeeded' : 'processing',
    };
    const charge: ChargeRecord = {
      id: chargeId,
      created: now,
      paymentIntentId: intent.id,
      amount: session.amountTotal,
      currency: session.currency,
      method,
      paymentMethodId,
      balanceTransactionId: newId('txn_3'),
      billingEmail: session.customerEmail ?? 'jenny.rosen@example.com',
      status: how === 'paid' ? 'succeeded' : 'pending',
      amountRefunded: 0,
      disputed: false,
    };
    intents.set(intent.id, intent);
    charges.set(charge.id, charge);
    session.status = 'complete';
    session.paymentIntentId = intent.id;
    session.paymentStatus = how === 'paid' ? 'paid' : 'unpaid';

    const events: RaisedEvent[] = [
      { type: 'checkout.session.completed', object: renderSession(session), request: NO_REQUEST },
    ];
    if (how === 'paid_later') {
      intent.status = 'succeeded';
      charge.status = 'succeeded';
      session.paymentStatus = 'paid';
      events.push({
        type: 'checkout.session.async_payment_succeeded',
        object: renderSession(session),
        request: NO_REQUEST,
      });
    }
    if (how === 'declined') {
      intent.status = 'requires_payment_method';
      charge.status = 'failed';
      events.push({
        type: 'checkout.session.async_payment_failed',
        object: renderSession(session),
        request: NO_REQUEST,
      });
    }
    return ok(events);
  }

  function expire(sessionId: string, request: EventRequest): Result<RaisedEvent[], StripeErrorSpec> {
    const session = sessions.get(sessionId);
    if (!session) return err(noSuchSession(sessionId));
    if (session.status !== 'open') {
      return err(
        invalid(
          `Only Checkout Sessions with a status in ["open"] can be expired. This session has status "${session.status}".`,
          null,
          null,
        ),
      );
    }
    session.status = 'expired';
    return ok([{ type: 'checkout.session.expired', object: renderSession(session), request }]);
  }

  function dispute(sessionId: string, now: number): Result<RaisedEvent[], string> {
    const session = sessions.get(sessionId);
    if (!session) return err(`no checkout session ${sessionId}`);
    const intent = session.paymentIntentId ? intents.get(session.paymentIntentId) : undefined;
    const charge = intent ? charges.get(intent.chargeId) : undefined;
    if (!intent || !charge || charge.status !== 'succeeded') {
      return err(`checkout session ${sessionId} has no successful charge to dispute`);
    }
    if (charge.disputed) return err(`charge ${charge.id} is already disputed`);
    charge.disputed = true;
    const record: DisputeRecord = {
      id: newId('dp_1'),
      created: now,
      chargeId: charge.id,
      paymentIntentId: intent.id,
      amount: charge.amount,
      currency: charge.currency,
      method: charge.method,
      status: 'needs_response',
    };
    disputes.set(record.id, record);
    return ok([{ type: 'charge.dispute.created', object: disputeJson(record), request: NO_REQUEST }]);
  }

  /** The bank sent a succeeded refund back (a closed card): Stripe says `refund.updated` then `refund.failed`. */
  function failRefund(refundId: string): Result<RaisedEvent[], string> {
    const refund = refunds.get(refundId);
    if (!refund) return err(`no refund ${refundId}`);
    if (refund.status !== 'succeeded') return err(`refund ${refundId} is ${refund.status}`);
    const charge = charges.get(refund.chargeId);
    if (!charge) throw new Error(`fake Stripe: refund ${refund.id} lost its charge`);
    const failed: RefundRecord = { ...refund, status: 'failed' };
    refunds.set(refund.id, failed);
    charge.amountRefunded -= refund.amount;
    return ok([
      {
        type: 'refund.updated',
        object: refundJson(failed),
        previousAttributes: { status: 'succeeded' },
        request: NO_REQUEST,
      },
      { type: 'refund.failed', object: refundJson(failed), request: NO_REQUEST },
    ]);
  }

  /** The bank decided the session's dispute: `charge.dispute.closed`. */
  function closeDispute(sessionId: string, outcome: 'won' | 'lost'): Result<RaisedEvent[], string> {
    const intentId = sessions.get(sessionId)?.paymentIntentId;
    const open = [...disputes.values()].find((d) => d.paymentIntentId === intentId);
    if (!intentId || !open) return err(`checkout session ${sessionId} has no dispute`);
    if (open.status !== 'needs_response') return err(`dispute ${open.id} is already ${open.status}`);
    const closed: DisputeRecord = { ...open, status: outcome };
    disputes.set(closed.id, closed);
    return ok([
      {
        type: 'charge.dispute.closed',
        object: disputeJson(closed),
        previousAttributes: { status: open.status },
        request: NO_REQUEST,
      },
    ]);
  }

  function refund(
    form: FormObject,
    request: EventRequest,
    now: number,
  ): ParamResult<Readonly<{ refund: RefundRecord; events: RaisedEvent[] }>> {
    const unknown = unknownParam(form, REFUND_PARAMS);
    if (unknown) return err(unknown);
    const target = refundTarget(form);
    if (!target.ok) return target;
    const { intent, charge, param } = target.value;

    if (charge.status !== 'succeeded') {
      return err(
        invalid(
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          param,
          null,
        ),
      );
    }
    if (charge.disputed) {
      return err(
        invalid(`Charge ${charge.id} has been charged back; cannot issue a refund.`, null, 'charge_disputed'),
      );
    }
    const remaining = charge.amount - charge.amountRefunded;
    if (remaining === 0) {
      return err(invalid(`Charge ${charge.id} has already been refunded.`, null, 'charge_already_refunded'));
    }
    const amount = readInteger(form, 'amount', 'amount', { min: 1 });
    if (!amount.ok) return amount;
    const refundAmount = amount.value ?? remaining;
    if (refundAmount > remaining) {
      return err(
        invalid(
          `Refund amount (${formatMinor(refundAmount, charge.currency)}) is greater than unrefunded amount ` +
            `on charge (${formatMinor(remaining, charge.currency)})`,
          'amount',
          'amount_too_large',
        ),
      );
    }
    if (THREE_DECIMAL.has(charge.currency) && refundAmount % 10 !== 0) {
      return err(threeDecimalError(charge.currency, refundAmount, 'amount'));
    }
    const reason = readString(form, 'reason', 'reason');
    if (!reason.ok) return reason;
    if (reason.value !== null && !REFUND_REASONS.has(reason.value)) {
      return err(
        invalid(
          'Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer',
          'reason',
          'parameter_invalid_string_format',
        ),
      );
    }
    const metadata = readMetadata(form, 'metadata', 'metadata');
    if (!metadata.ok) return metadata;

    const record: RefundRecord = {
      id: newId('re_3'),
      created: now,
      chargeId: charge.id,
      paymentIntentId: intent.id,
      amount: refundAmount,
      currency: charge.currency,
      metadata: metadata.value,
      reason: reason.value,
      method: charge.method,
      balanceTransactionId: newId('txn_3'),
      status: 'succeeded',
    };
    refunds.set(record.id, record);
    const before = {
      amount_refunded: charge.amountRefunded,
      refunded: charge.amountRefunded === charge.amount,
    };
    charge.amountRefunded += refundAmount;
    const refundedNow = charge.amountRefunded === charge.amount;
    // Stripe lists only the attributes that changed.
    const previousAttributes: JsonObject =
      before.refunded === refundedNow ? { amount_refunded: before.amount_refunded } : before;
    return ok({
      refund: record,
      events: [
        { type: 'charge.refunded', object: chargeJson(charge), previousAttributes, request },
        { type: 'refund.created', object: refundJson(record), request },
      ],
    });
  }

  function refundTarget(
    form: FormObject,
  ): ParamResult<Readonly<{ intent: PaymentIntentRecord; charge: ChargeRecord; param: string }>> {
    const intentId = readString(form, 'payment_intent', 'payment_intent');
    if (!intentId.ok) return intentId;
    const chargeId = readString(form, 'charge', 'charge');
    if (!chargeId.ok) return chargeId;
    if (intentId.value !== null) {
      const intent = intents.get(intentId.value);
      if (!intent) {
        return err(
          invalid(`No such payment_intent: '${intentId.value}'`, 'payment_intent', 'resource_missing'),
        );
      }
      const charge = charges.get(intent.chargeId);
      if (!charge) throw new Error(`fake Stripe: payment intent ${intent.id} lost its charge`);
      if (chargeId.value !== null && chargeId.value !== charge.id) {
        return err(invalid(`Charge ${chargeId.value} does not belong to ${intent.id}.`, 'charge', null));
      }
      return ok({ intent, charge, param: 'payment_intent' });
    }
    if (chargeId.value !== null) {
      const charge = charges.get(chargeId.value);
      if (!charge) return err(invalid(`No such charge: '${chargeId.value}'`, 'charge', 'resource_missing'));
      const intent = intents.get(charge.paymentIntentId);
      if (!intent) throw new Error(`fake Stripe: charge ${charge.id} lost its payment intent`);
      return ok({ intent, charge, param: 'charge' });
    }
    return err(missing('payment_intent'));
  }

  return {
    createSession,
    complete,
    expire,
    dispute,
    closeDispute,
    failRefund,
    refund,
    session: (id: string) => sessions.get(id),
    sessions: () => [...sessions.values()],
    intent: (id: string) => intents.get(id),
    charge: (id: string) => charges.get(id),
    refundById: (id: string) => refunds.get(id),
    refunds: () => [...refunds.values()],
    renderSession,
  };
}

export function noSuchSession(id: string): StripeErrorSpec {
  return {
    status: 404,
    type: 'invalid_request_error',
    message: `No such checkout.session: '${id}'`,
    param: 'session',
    code: 'resource_missing',
  };
}
