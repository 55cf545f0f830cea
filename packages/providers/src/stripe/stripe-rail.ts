import { createHash } from 'node:crypto';
import {
  err,
  ok,
  type AssetRegistry,
  type Checkout,
  type Money,
  type Payment,
  type Result,
} from '@kassa/core';
import Stripe from 'stripe';
import type { PayInstructions, ProviderEvent, RailAdapter, RailContext, RailError } from '../rail';
import type { StripeConfig } from './config';
import { decodeStripeEvent, METADATA_EXPIRES_AT, METADATA_PAYMENT_ID } from './events';

/** Stripe keeps a Checkout Session open 30 min at least and 24 h at most. */
const MIN_SESSION_S = 30 * 60 + 60;
const MAX_SESSION_S = 24 * 60 * 60 - 60;
/** The largest amount Stripe charges in one payment, in minor units (99,999,999 for most currencies). */
const MAX_STRIPE_MINOR = 99_999_999n;
/** ISO 4217 three-decimal currencies: Stripe takes them in steps of 10 minor units. */
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);
/** Currencies whose Stripe minor unit differs from ISO 4217's; Kassa does not offer cards in them. */
const STRIPE_SPECIAL = new Set(['ISK', 'HUF', 'TWD', 'UGX', 'MGA']);

export type StripeRefund = Readonly<{ id: string; status: string; amount: Money }>;
export type RefundError = Readonly<{
  code: 'provider_unavailable' | 'amount_invalid' | 'idempotency_conflict' | 'checkout_not_refundable';
  message: string;
}>;

export type StripeEventPage = Readonly<{ events: readonly ProviderEvent[]; hasMore: boolean }>;
export type EventsError = Readonly<{
  /** `cursor_unknown`: Stripe no longer has the event read up to (it keeps 30 days). */
  code: 'provider_unavailable' | 'cursor_unknown';
  message: string;
}>;

/** A first read takes at most this many events, so a busy account cannot exhaust memory. */
const FIRST_READ_LIMIT = 10_000;

export type StripeRail = RailAdapter & {
  readonly config: StripeConfig;
  /**
   * Asks Stripe to give `amount` back for a card payment. The state changes only when Stripe's
   * refund event confirms it. The same `idempotencyKey` with the same amount is the same refund.
   */
  refund(payment: Payment, amount: Money, idempotencyKey: string): Promise<Result<StripeRefund, RefundError>>;
  /**
   * The events Kassa acts on that Stripe raised after the event `after`, oldest first, one page at
   * a time; with no `after`, every such event since `since` (a first read). What reconciliation
   * stores in the inbox when a webhook never came: read with the secret key over TLS, so they need
   * no signature, and the inbox dedupes them against webhooks by event id.
   */
  readEvents(after: string | null, since: Date): Promise<Result<StripeEventPage, EventsError>>;
  /**
   * Closes a session the payer must no longer use (a long checkout got a newer one). A session
   * already complete or expired is closed as far as Kassa cares; only an outage is an error.
   */
  expireSession(sessionId: string): Promise<Result<void, RailError>>;
};

/** The event types the card rail acts on (and asks Stripe to send). */
export const STRIPE_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;

/** The card rail: a Stripe Checkout Session per payment, confirmed by verified Stripe webhooks. */
export function createStripeRail(config: StripeConfig, assets: AssetRegistry): StripeRail {
  const stripe = new Stripe(config.secretKey, {
    ...(config.api ?? {}),
    maxNetworkRetries: 2,
    timeout: 10_000,
    appInfo: { name: 'Kassa' },
  });

  return {
    rail: 'card',
    provider: 'stripe',
    config,

    async instructions(checkout, context): Promise<Result<PayInstructions, RailError>> {
      const params = sessionParams(checkout, context);
      if (!params.ok) return params;
      try {
        // The key follows the payment and the session's expiry: a retried create (a double click,
        // a crash after Stripe answered) gets the same session back, never a second one.
        const session = await stripe.checkout.sessions.create(params.value, {
          idempotencyKey: sessionIdempotencyKey(checkout, context.now),
        });
        if (!session.url) return unavailable('Stripe returned a session without a payment page');
        return ok({ rail: 'card', redirectUrl: session.url, sessionId: session.id });
      } catch (error) {
        // Refused parameters, keys or permissions are Kassa's or the operator's to fix, not an
        // outage; only connection, API and rate-limit errors are Stripe being unavailable.
        if (!isOutage(error)) return unavailable(`Stripe refused the session: ${describe(error)}`);
        return err({
          code: 'provider_unavailable',
          message: `Stripe could not be reached: ${describe(error)}`,
        });
      }
    },

    observe(event: ProviderEvent) {
      return decodeStripeEvent(event.body, assets, config.mode);
    },

    async readEvents(after, since) {
      const asProviderEvent = (event: Stripe.Event): ProviderEvent => ({
        provider: 'stripe',
        eventId: event.id,
        eventType: event.type,
        body: JSON.stringify(event),
      });
      try {
        if (after !== null) {
          // Stripe lists newest first; `ending_before` gives the page just newer than the cursor.
          const page = await stripe.events.list({
            types: [...STRIPE_EVENT_TYPES],
            ending_before: after,
            limit: 100,
          });
          return ok({ events: page.data.map(asProviderEvent).reverse(), hasMore: page.has_more });
        }
        const events: ProviderEvent[] = [];
        const list = stripe.events.list({
          types: [...STRIPE_EVENT_TYPES],
          created: { gte: Math.floor(since.getTime() / 1000) },
          limit: 100,
        });
        // Newest first: past the limit, the oldest are the ones left out (the inbox has most of them).
        for await (const event of list) {
          events.push(asProviderEvent(event));
          if (events.length >= FIRST_READ_LIMIT) break;
        }
        return ok({ events: events.reverse(), hasMore: false });
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing') {
          return err({ code: 'cursor_unknown', message: `Stripe no longer has event ${after ?? ''}` });
        }
        return err({
          code: 'provider_unavailable',
          message: `Stripe events could not be read: ${describe(error)}`,
        });
      }
    },

    async expireSession(sessionId) {
      try {
        await stripe.checkout.sessions.expire(sessionId);
        return ok(undefined);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError) return ok(undefined);
        return err({
          code: 'provider_unavailable',
          message: `Stripe could not be reached: ${describe(error)}`,
        });
      }
    },

    async refund(payment, amount, idempotencyKey) {
      const intent = paymentIntentOf(payment);
      if (!intent) {
        return err({ code: 'checkout_not_refundable', message: 'This checkout was not paid by card.' });
      }
      const minor = stripeMinor(amount);
      if (!minor.ok) return err({ code: 'amount_invalid', message: minor.error.message });
      try {
        const refund = await stripe.refunds.create(
          { payment_intent: intent, amount: minor.value, metadata: { [METADATA_PAYMENT_ID]: payment.id } },
          {
            idempotencyKey: `kassa_refund_${payment.id}_${createHash('sha256').update(idempotencyKey).digest('hex')}`,
          },
        );
        return ok({ id: refund.id, status: refund.status ?? 'pending', amount });
      } catch (error) {
        if (error instanceof Stripe.errors.StripeIdempotencyError) {
          return err({
            code: 'idempotency_conflict',
            message: 'This Idempotency-Key was used for another refund.',
          });
        }
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          return err({ code: 'amount_invalid', message: `Stripe refused the refund: ${error.message}` });
        }
        return err({
          code: 'provider_unavailable',
          message: `Stripe could not be reached: ${describe(error)}`,
        });
      }
    },
  };
}

/** The session for a checkout: its exact line items in minor units, and its expiry as far as Stripe allows. */
export function sessionParams(
  checkout: Checkout,
  context: RailContext,
): Result<Stripe.Checkout.SessionCreateParams & { expires_at: number }, RailError> {
  const { payment } = checkout;
  // A card session charges the whole amount due: only for an open checkout nothing was paid on yet.
  if (payment.status !== 'pending' || payment.received.minor !== 0n) {
    return err({
      code: 'rail_not_allowed',
      message: `A ${payment.status} checkout cannot be paid by card now.`,
    });
  }
  const asset = payment.amountDue.asset;
  if (asset.kind !== 'fiat' || STRIPE_SPECIAL.has(asset.code)) {
    return err({ code: 'rail_not_allowed', message: `Cards are not offered for ${asset.id} checkouts.` });
  }
  const items =
    checkout.lineItems.length > 0
      ? checkout.lineItems.map((item) => ({
          name: item.name,
          quantity: item.quantity,
          unit: item.unitAmount,
        }))
      : [{ name: checkout.description ?? 'Order', quantity: 1, unit: payment.amountDue }];
  const lineItems: Stripe.Checkout.SessionCreateParams.LineItem[] = [];
  for (const item of items) {
    const unitAmount = stripeMinor(item.unit);
    if (!unitAmount.ok) return unitAmount;
    lineItems.push({
      quantity: item.quantity,
      price_data: {
        currency: asset.code.toLowerCase(),
        unit_amount: unitAmount.value,
        product_data: { name: item.name },
      },
    });
  }
  const nowS = Math.floor(context.now.getTime() / 1000);
  const checkoutExpiresS = Math.floor(payment.expiresAt.getTime() / 1000);
  // Stripe keeps a session open 30 min at least: a checkout closing sooner is not offered cards.
  if (checkoutExpiresS - nowS < MIN_SESSION_S) {
    return err({ code: 'rail_not_allowed', message: 'This checkout closes too soon to pay by card.' });
  }
  // Within Stripe's window; a checkout that outlives 24 h gets a session per hour it is asked for.
  const expiresAt =
    checkoutExpiresS - nowS > MAX_SESSION_S ? sessionWindowEnd(nowS, checkoutExpiresS) : checkoutExpiresS;
  return ok({
    mode: 'payment',
    line_items: lineItems,
    client_reference_id: payment.id,
    metadata: { [METADATA_PAYMENT_ID]: payment.id, [METADATA_EXPIRES_AT]: String(checkoutExpiresS) },
    payment_intent_data: { metadata: { [METADATA_PAYMENT_ID]: payment.id } },
    // The payer pays the checkout's currency: a converted amount would not be what Kassa counts.
    adaptive_pricing: { enabled: false },
    expires_at: expiresAt,
    // Back to Kassa's page either way: it shows the status live, then hands over to the merchant.
    success_url: context.checkoutUrl,
    cancel_url: context.checkoutUrl,
  });
}

/** Long checkouts get one session per 12 h window, each open to the end of the next window. */
const WINDOW_S = 12 * 3600;
function sessionWindowEnd(nowS: number, checkoutExpiresS: number): number {
  return Math.min(checkoutExpiresS, (Math.floor(nowS / WINDOW_S) + 2) * WINDOW_S - 60);
}

/**
 * The same for every request about the same checkout (in the same 12 h window when it outlives
 * a session), so a double click or a retry after a crash gets the one session back from Stripe.
 */
function sessionIdempotencyKey(checkout: Checkout, now: Date): string {
  const checkoutExpiresS = Math.floor(checkout.payment.expiresAt.getTime() / 1000);
  const nowS = Math.floor(now.getTime() / 1000);
  const window = checkoutExpiresS - nowS > MAX_SESSION_S ? `w${Math.floor(nowS / WINDOW_S)}` : 'once';
  // v2 since the parameters changed (adaptive_pricing): Stripe refuses a key reused with others.
  return `kassa_${checkout.payment.id}_session_v2_${window}`;
}

/**
 * An amount as Stripe's integer minor units. The conversion to a JS number is exact: it happens
 * only below Stripe's own maximum, far inside the safe-integer range.
 */
function stripeMinor(amount: Money): Result<number, RailError> {
  if (amount.minor > MAX_STRIPE_MINOR) {
    return err({
      code: 'amount_invalid',
      message: 'The amount is above what Stripe charges in one payment.',
    });
  }
  if (THREE_DECIMAL.has(amount.asset.code) && amount.minor % 10n !== 0n) {
    return err({
      code: 'amount_invalid',
      message: `Stripe charges ${amount.asset.code} in steps of 0.010; this amount cannot be paid by card.`,
    });
  }
  return ok(Number(amount.minor));
}

/** The payment intent a card payment was credited by (`stripe:pi_…`), if any. */
function paymentIntentOf(payment: Payment): string | null {
  for (const fact of payment.facts) {
    if (fact.type === 'credit' && fact.source === 'stripe' && fact.txKey.startsWith('stripe:pi_')) {
      return fact.txKey.slice('stripe:'.length);
    }
  }
  return null;
}

function isOutage(error: unknown): boolean {
  return (
    !(error instanceof Stripe.errors.StripeError) ||
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError
  );
}

/** A Stripe failure as an operator needs it: what happened, and Stripe's request id to quote to support. */
function describe(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return error.requestId ? `${error.message} (Stripe request ${error.requestId})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function unavailable(message: string): Result<never, RailError> {
  return err({ code: 'rail_unavailable', message });
}
