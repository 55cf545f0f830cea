import { listen, urlHost } from '../http';
import { createServer } from 'node:http';
import { err, ok, type Result } from '../result';
import Stripe from 'stripe';
import type { FormValue } from './form';
import { checkoutPageUrl, eventJson, type JsonObject } from './objects';
import { newId, nowSeconds, type RefundRecord, type SessionRecord } from './records';
import { createSender, type Delivery, type SenderBehaviour, type WebhookTarget } from './sender';
import { createRequestHandler, type RecordedRequest, type StoredEvent } from './server';
import { createStore, NO_REQUEST, type Completion, type RaisedEvent } from './store';

export type { Delivery, FormValue, RecordedRequest, SenderBehaviour };
export type { FormObject } from './form';
export type { Json, JsonObject } from './objects';
export { stripeSignatureHeader } from './signature';

export type FakeStripeOptions = Readonly<{
  /** Interface to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** Where events go, as a Stripe webhook endpoint would be configured. */
  webhook?: WebhookTarget;
  /** `api_version` on events; stripe-node's pinned version unless told. */
  apiVersion?: string;
}>;

/** A checkout session as the fake holds it now, in Stripe's field names. */
export type FakeSession = Readonly<{
  id: string;
  created: number;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Readonly<Record<string, string>>;
  payment_intent: string | null;
  payment_intent_data: Readonly<{ metadata: Readonly<Record<string, string>> }>;
  url: string | null;
  expires_at: number;
  success_url: string | null;
  cancel_url: string | null;
  customer_email: string | null;
  /** `line_items` exactly as the request sent them, parsed but not interpreted. */
  line_items: readonly FormValue[];
}>;

export type FakeRefund = Readonly<{
  id: string;
  created: number;
  amount: number;
  currency: string;
  payment_intent: string;
  charge: string;
  status: 'succeeded' | 'failed';
  reason: string | null;
  metadata: Readonly<Record<string, string>>;
}>;

export type FakeStripe = Readonly<{
  /** `http://127.0.0.1:PORT`; point stripe-node's `host`/`port`/`protocol` here. */
  url: string;
  setWebhook(target: WebhookTarget | null): void;
  /** How events raised from now on are delivered. */
  setSender(behaviour: SenderBehaviour): void;
  session(id: string): FakeSession | undefined;
  sessions(): FakeSession[];
  refunds(): FakeRefund[];
  /** Every `/v1` call received, oldest first. */
  requests(): RecordedRequest[];
  /** Every event raised, oldest first, as its JSON envelope (whether or not a webhook was set). */
  events(): JsonObject[];
  /** Card paid now: `checkout.session.completed` with `payment_status: paid`. */
  pay(sessionId: string): Promise<void>;
  /** Delayed method: `completed` (unpaid), then `checkout.session.async_payment_succeeded`. */
  payLater(sessionId: string): Promise<void>;
  /** Delayed method that fails: `completed` (unpaid), then `checkout.session.async_payment_failed`. */
  decline(sessionId: string): Promise<void>;
  /** `checkout.session.expired`, as when `expires_at` passes. */
  expire(sessionId: string): Promise<void>;
  /** `charge.dispute.created` for the session's charge. */
  dispute(sessionId: string): Promise<void>;
  /** `charge.dispute.closed`: the bank decided the session's dispute. */
  closeDispute(sessionId: string, outcome: 'won' | 'lost'): Promise<void>;
  /** A succeeded refund bounced (`refund.updated` to failed, then `refund.failed`). */
  failRefund(refundId: string): Promise<void>;
  /**
   * Runs `work` and delivers every event it raises (controls and API calls alike) as one group, so
   * `reorder` can turn, say, a payment and its refund around.
   */
  batch<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves once every queued event was delivered or gave up. */
  flush(): Promise<void>;
  deliveries(): Delivery[];
  close(): Promise<void>;
}>;

/** Starts a local HTTP server that answers like Stripe's API and sends webhooks like Stripe. */
export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host, 'fake Stripe');
  const url = `http://${urlHost(host)}:${port}`;
  const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
  const sender = createSender(options.webhook ?? null);
  const store = createStore(url);
  const events: StoredEvent[] = [];
  const requests: RecordedRequest[] = [];
  const expiryTimers = new Map<string, NodeJS.Timeout>();

  function raise(raised: readonly RaisedEvent[]): void {
    const outgoing = raised.map((event) => {
      const stored: StoredEvent = {
        id: newId('evt_1'),
        type: event.type,
        created: nowSeconds(),
        json: {},
      };
      const json = eventJson({
        id: stored.id,
        type: event.type,
        apiVersion,
        created: stored.created,
        object: event.object,
        ...(event.previousAttributes ? { previousAttributes: event.previousAttributes } : {}),
        pendingWebhooks: sender.hasTarget() ? 1 : 0,
        request: event.request,
      });
      events.push({ ...stored, json });
      // Pretty-printed like Stripe's own webhook bodies; these exact bytes are signed.
      return { id: stored.id, type: event.type, body: JSON.stringify(json, null, 2) };
    });
    sender.enqueue(outgoing);
  }

  function stopExpiryTimer(sessionId: string): void {
    const timer = expiryTimers.get(sessionId);
    if (timer) clearTimeout(timer);
    expiryTimers.delete(sessionId);
  }

  /** Stripe expires an unpaid session at `expires_at` by itself; so does the fake. */
  function sessionCreated(session: SessionRecord): void {
    const timer = setTimeout(
      () => {
        expiryTimers.delete(session.id);
        const expired = store.expire(session.id, NO_REQUEST);
        if (expired.ok) raise(expired.value);
      },
      Math.max(0, session.expiresAt * 1000 - Date.now()),
    );
    timer.unref();
    expiryTimers.set(session.id, timer);
  }

  function complete(sessionId: string, how: Completion): Result<void, string> {
    const completed = store.complete(sessionId, how, nowSeconds());
    if (!completed.ok) return completed;
    stopExpiryTimer(sessionId);
    raise(completed.value);
    return ok(undefined);
  }

  function expire(sessionId: string): Result<void, string> {
    const expired = store.expire(sessionId, NO_REQUEST);
    if (!expired.ok) return err(expired.error.message);
    stopExpiryTimer(sessionId);
    raise(expired.value);
    return ok(undefined);
  }

  function dispute(sessionId: string): Result<void, string> {
    const disputed = store.dispute(sessionId, nowSeconds());
    if (!disputed.ok) return disputed;
    raise(disputed.value);
    return ok(undefined);
  }

  function raiseFrom(result: Result<RaisedEvent[], string>): Result<void, string> {
    if (!result.ok) return result;
    raise(result.value);
    return ok(undefined);
  }

  server.on(
    'request',
    createRequestHandler({
      apiVersion,
      store,
      raise,
      events: () => events,
      complete,
      sessionCreated,
      record: (request) => requests.push(request),
    }),
  );

  return {
    url,
    setWebhook: (target) => sender.setTarget(target),
    setSender: (behaviour) => sender.setBehaviour(behaviour),
    session: (id) => {
      const session = store.session(id);
      return session ? toFakeSession(session, url) : undefined;
    },
    sessions: () => store.sessions().map((s) => toFakeSession(s, url)),
    refunds: () => store.refunds().map(toFakeRefund),
    requests: () => [...requests],
    events: () => events.map((e) => structuredClone(e.json)),
    pay: (id) => settle(complete(id, 'paid')),
    payLater: (id) => settle(complete(id, 'paid_later')),
    decline: (id) => settle(complete(id, 'declined')),
    expire: (id) => settle(expire(id)),
    dispute: (id) => settle(dispute(id)),
    closeDispute: (id, outcome) => settle(raiseFrom(store.closeDispute(id, outcome))),
    failRefund: (id) => settle(raiseFrom(store.failRefund(id))),
    async batch(work) {
      sender.hold();
      try {
        return await work();
      } finally {
        sender.release();
      }
    },
    flush: () => sender.flush(),
    deliveries: () => sender.deliveries(),
    async close() {
      for (const timer of expiryTimers.values()) clearTimeout(timer);
      expiryTimers.clear();
      await sender.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The test controls reject like a failed assertion: calling pay() twice is a broken test. */
function settle(result: Result<void, string>): Promise<void> {
  return result.ok ? Promise.resolve() : Promise.reject(new Error(`fake Stripe: ${result.error}`));
}

function toFakeSession(s: SessionRecord, baseUrl: string): FakeSession {
  return {
    id: s.id,
    created: s.created,
    status: s.status,
    payment_status: s.paymentStatus,
    amount_total: s.amountTotal,
    currency: s.currency,
    client_reference_id: s.clientReferenceId,
    metadata: { ...s.metadata },
    payment_intent: s.paymentIntentId,
    payment_intent_data: { metadata: { ...s.paymentIntentMetadata } },
    url: s.status === 'open' ? checkoutPageUrl(baseUrl, s.id) : null,
    expires_at: s.expiresAt,
    success_url: s.successUrl,
    cancel_url: s.cancelUrl,
    customer_email: s.customerEmail,
    line_items: structuredClone(s.receivedLineItems),
  };
}

function toFakeRefund(r: RefundRecord): FakeRefund {
  return {
    id: r.id,
    created: r.created,
    amount: r.amount,
    currency: r.currency,
    payment_intent: r.paymentIntentId,
    charge: r.chargeId,
    status: r.status,
    reason: r.reason,
    metadata: { ...r.metadata },
  };
}
