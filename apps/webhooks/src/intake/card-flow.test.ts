import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from '@kassa/api/testing';
import {
  advanceCursor,
  drainInbox,
  getCheckout,
  openRailRefs,
  processInboxEvent,
  readCursor,
  registerRailRef,
  releaseCursorLease,
  storeInboxEvent,
  tables,
  takeCursorLease,
  type InboxEvent,
} from '@kassa/db';
import { asc, desc, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from '@kassa/fakes/stripe';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhooksServer } from '../server';
import { reconcileStripe } from '../workers/stripe-reconcile';

const SECRET = 'whsec_cardFlowSecret0123456789';

let fake: FakeStripe;
let api: TestApi;
let shop: TestMerchant;
let closeReceiver: () => Promise<void>;
let receiverUrl = '';

beforeAll(async () => {
  fake = await startFakeStripe();
  const { hostname, port } = new URL(fake.url);
  api = await startTestApi({
    stripe: {
      secretKey: 'sk_test_cardflow',
      mode: 'test',
      webhookSecrets: [SECRET],
      api: { host: hostname, port: Number(port), protocol: 'http' },
    },
  });
  const server = createWebhooksServer({
    db: api.db,
    log: pino({ level: 'silent' }),
    stripeSecrets: [SECRET],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stripe`;
  fake.setWebhook({ url: receiverUrl, secret: SECRET });
  closeReceiver = () => new Promise((resolve) => server.close(() => resolve()));
  shop = await api.merchant('Card Flow Shop');
});
afterAll(async () => {
  await closeReceiver?.();
  await api?.close();
  await fake?.close();
});

const merchant = (idempotencyKey?: string) => ({
  authorization: `Bearer ${shop.secretKey}`,
  ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
});
const payer = () => ({ 'x-kassa-publishable-key': shop.publishableKey });
const data = <T>(res: { body: unknown }) => (res.body as { result: { data: T } }).result.data;
const kassaCode = (res: { body: unknown }) =>
  (res.body as { error: { data: { kassaCode: string } } }).error.data.kassaCode;

async function cardCheckout(amount: string, currency: string): Promise<string> {
  const res = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount, currency, rails: ['card'] },
    merchant(),
  );
  expect(res.status).toBe(200);
  return data<{ id: string }>(res).id;
}

async function chooseCard(checkoutId: string) {
  return rawCall(api.url, 'checkout.selectRail', 'mutation', { checkoutId, rail: 'card' }, payer());
}

function card() {
  if (!api.deps.card) throw new Error('no card rail');
  return api.deps.card;
}

/** What the receiver took in becomes observations, as the worker does it. */
async function settle(): Promise<void> {
  await fake.flush();
  const rail = card();
  // Until nothing is due: a drain takes 50 events at a time.
  while ((await drainInbox(api.db, { stripe: (event) => rail.observe(event) })).length > 0);
}

const reconcileAs = (holder: string) => ({ holder, leaseMs: 60_000, now: new Date() });

const statusOf = async (id: string) => (await getCheckout(api.db.orm, id))?.payment.status;

describe('a card payment through Stripe (the fake)', () => {
  it('the payer gets one session for the exact amount, pays, and the checkout turns paid', async () => {
    const id = await cardCheckout('12.50', 'USD');
    const first = data<{ rail: string; redirectUrl: string; sessionId: string }>(await chooseCard(id));
    const again = data<{ sessionId: string }>(await chooseCard(id));
    // A second click (or a retry) is the same session, never a second charge.
    expect(again.sessionId).toBe(first.sessionId);
    expect(first.redirectUrl).toBe(`${fake.url}/c/pay/${first.sessionId}`);
    expect(fake.session(first.sessionId)).toMatchObject({
      amount_total: 1250,
      currency: 'usd',
      client_reference_id: id,
      metadata: { kassa_payment_id: id },
    });
    await fake.pay(first.sessionId);
    await settle();
    expect(await statusOf(id)).toBe('paid');
  });

  it("a newer session for the same checkout (a long checkout's next window) expires the one before", async () => {
    const id = await cardCheckout('7.00', 'USD');
    // The session an earlier window made, as Stripe holds it.
    const stripe = new Stripe('sk_test_cardflow', {
      host: new URL(fake.url).hostname,
      port: Number(new URL(fake.url).port),
      protocol: 'http',
    });
    const older = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'x' } }, quantity: 1 },
      ],
      client_reference_id: id,
      success_url: 'http://127.0.0.1/ok',
    });
    await registerRailRef(api.db, {
      rail: 'card',
      ref: older.id,
      paymentId: id,
      quote: null,
      now: new Date(),
    });
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    expect(sessionId).not.toBe(older.id);
    expect(fake.session(older.id)?.status).toBe('expired');
    expect(fake.session(sessionId)?.status).toBe('open');
    expect(await openRailRefs(api.db, id, 'card')).toEqual([sessionId]);
    expect(
      fake
        .requests()
        .find(
          (r) =>
            r.path === '/v1/checkout/sessions' &&
            r.body['client_reference_id'] === id &&
            r.method === 'POST' &&
            r.body['adaptive_pricing'],
        )?.body['adaptive_pricing'],
    ).toEqual({ enabled: 'false' });
  });

  it('a payer who leaves the card page for another rail cannot pay the card session as well', async () => {
    const res = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '5.00', currency: 'USD', rails: ['sandbox', 'card'] },
      merchant(),
    );
    const id = data<{ id: string }>(res).id;
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    const other = await rawCall(
      api.url,
      'checkout.selectRail',
      'mutation',
      { checkoutId: id, rail: 'sandbox' },
      payer(),
    );
    expect(other.status).toBe(200);
    expect(fake.session(sessionId)?.status).toBe('expired');
    // Stripe's expired event for it does not end the checkout: the payer is still paying.
    await settle();
    expect(await statusOf(id)).toBe('pending');
  });

  it('zero-decimal JPY goes as it is; a KWD amount Stripe cannot charge is refused with a clear code', async () => {
    const yen = await cardCheckout('1500', 'JPY');
    const session = data<{ sessionId: string }>(await chooseCard(yen));
    expect(fake.session(session.sessionId)).toMatchObject({ amount_total: 1500, currency: 'jpy' });
    const dinar = await cardCheckout('1.235', 'KWD');
    const refused = await chooseCard(dinar);
    expect(refused.status).toBe(400);
    expect(kassaCode(refused)).toBe('amount_invalid');
  });

  it('duplicated and reversed events still make one payment', async () => {
    const id = await cardCheckout('20.00', 'EUR');
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    fake.setSender({ duplicate: true, reorder: true });
    try {
      await fake.payLater(sessionId);
      await settle();
    } finally {
      fake.setSender({});
    }
    const checkout = await getCheckout(api.db.orm, id);
    expect(checkout?.payment.status).toBe('paid');
    expect(checkout?.payment.received.minor).toBe(2000n);
  });

  it('refunds: partial then the rest, idempotent, never more than was received', async () => {
    const id = await cardCheckout('12.50', 'USD');
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    await fake.pay(sessionId);
    await settle();

    const refund = (amount: string | undefined, key?: string) =>
      rawCall(
        api.url,
        'refunds.create',
        'mutation',
        { checkoutId: id, ...(amount ? { amount } : {}) },
        merchant(key),
      );
    const first = await refund('5.00', 'refund-1');
    expect(first.status).toBe(200);
    const replay = await refund('5.00', 'refund-1');
    expect(data<{ id: string }>(replay).id).toBe(data<{ id: string }>(first).id);
    expect(fake.refunds().filter((r) => r.metadata['kassa_payment_id'] === id)).toHaveLength(1);
    const conflict = await refund('6.00', 'refund-1');
    expect(kassaCode(conflict)).toBe('idempotency_conflict');
    await settle();
    expect(await statusOf(id)).toBe('partially_refunded');

    const tooMuch = await refund('7.51', 'refund-2');
    expect(tooMuch.status).toBe(400);
    expect(kassaCode(tooMuch)).toBe('amount_invalid');
    expect((await refund(undefined, 'refund-3')).status).toBe(200);
    await settle();
    const refunded = await getCheckout(api.db.orm, id);
    expect(refunded?.payment.status).toBe('refunded');
    expect(refunded?.payment.refunded.minor).toBe(1250n);
  });

  it('while Stripe cannot be reached the payer gets a 503 provider_unavailable, and nothing changes', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await startTestApi({
      stripe: {
        secretKey: 'sk_test_down',
        mode: 'test',
        webhookSecrets: [SECRET],
        api: { host: '127.0.0.1', port, protocol: 'http' },
      },
    });
    try {
      const downShop = await down.merchant('Down Shop');
      const created = await rawCall(
        down.url,
        'checkouts.create',
        'mutation',
        { amount: '5.00', currency: 'USD', rails: ['card'] },
        { authorization: `Bearer ${downShop.secretKey}` },
      );
      const id = data<{ id: string }>(created).id;
      const res = await rawCall(
        down.url,
        'checkout.selectRail',
        'mutation',
        { checkoutId: id, rail: 'card' },
        { 'x-kassa-publishable-key': downShop.publishableKey },
      );
      expect(res.status).toBe(503);
      expect(kassaCode(res)).toBe('provider_unavailable');
      expect((await getCheckout(down.db.orm, id))?.payment.status).toBe('pending');
    } finally {
      await down.close();
    }
  });

  it('escrow is refused on a card checkout: Kassa cannot move card money to a seller', async () => {
    const res = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '9.00', currency: 'USD', rails: ['card'], escrow: true },
      merchant(),
    );
    expect(res.status).toBe(400);
    expect(kassaCode(res)).toBe('rail_not_allowed');
  });

  it('a checkout not paid by card, or not paid at all, has nothing to refund', async () => {
    const id = await cardCheckout('3.00', 'USD');
    const res = await rawCall(api.url, 'refunds.create', 'mutation', { checkoutId: id }, merchant());
    expect(kassaCode(res)).toBe('checkout_not_refundable');
  });

  it('reconciliation takes in a payment whose webhook never came', async () => {
    const id = await cardCheckout('8.00', 'USD');
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    const target = { url: receiverUrl, secret: SECRET };
    fake.setWebhook(null);
    try {
      await fake.pay(sessionId);
      await settle();
      expect(await statusOf(id)).toBe('pending');
      const { added } = await reconcileStripe(api.db, card(), reconcileAs('worker-a'));
      expect(added).toBeGreaterThanOrEqual(1);
      await settle();
      expect(await statusOf(id)).toBe('paid');
    } finally {
      fake.setWebhook(target);
    }
  });

  it('a webhook and reconciliations racing for the same events leave one effect', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await cardCheckout('4.00', 'USD');
      const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
      await fake.pay(sessionId);
      ids.push(id);
    }
    // The webhooks go out while three reconciliations read the same events back.
    // Three workers that each believe they hold the lease (a lapsed one, say): still one effect.
    await Promise.all([
      fake.flush(),
      ...['race-a', 'race-b', 'race-c'].map((holder) =>
        reconcileStripe(api.db, card(), { ...reconcileAs(holder), leaseMs: 1 }),
      ),
    ]);
    await settle();
    for (const id of ids) {
      const checkout = await getCheckout(api.db.orm, id);
      expect(checkout?.payment.status).toBe('paid');
      expect(checkout?.payment.received.minor).toBe(400n);
    }
    const rows = await api.db.orm
      .select({ eventId: tables.providerInbox.eventId })
      .from(tables.providerInbox);
    const eventIds = rows.map((r) => r.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
  });

  it('one reconciler reads at a time; the next one goes on from the stored cursor, oldest first', async () => {
    // Whoever held the lease before lets go, as a stopping worker does.
    await releaseCursorLease(api.db, 'stripe:events:test', 'worker-a');
    const first = await reconcileStripe(api.db, card(), reconcileAs('worker-a'));
    expect(first.busy).toBe(false);
    expect(await reconcileStripe(api.db, card(), reconcileAs('worker-b'))).toMatchObject({
      busy: true,
      read: 0,
    });
    const cursor = await readCursor(api.db, 'stripe:events:test');
    expect(cursor).toBe(fake.events().at(-1)?.['id']);

    // 120 new events (a completed and an async success each; more than Stripe's page of 100)
    // while no webhook reaches Kassa.
    const target = { url: receiverUrl, secret: SECRET };
    fake.setWebhook(null);
    try {
      for (let i = 0; i < 60; i++) {
        const id = await cardCheckout('1.00', 'USD');
        const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
        await fake.payLater(sessionId);
      }
    } finally {
      fake.setWebhook(target);
    }
    const before = fake.requests().length;
    const next = await reconcileStripe(api.db, card(), reconcileAs('worker-a'));
    expect(next).toMatchObject({ busy: false, read: 120, added: 120 });
    // Two pages after the cursor, each asked for with `ending_before` (the page just newer).
    const reads = fake
      .requests()
      .slice(before)
      .filter((r) => r.path === '/v1/events');
    expect(reads.map((r) => r.query['ending_before'])).toEqual([cursor, expect.stringMatching(/^evt_/)]);
    expect(await readCursor(api.db, 'stripe:events:test')).toBe(fake.events().at(-1)?.['id']);
    // Stored oldest first: the inbox holds them in the order Stripe raised them.
    const inbox = await api.db.orm
      .select({ eventId: tables.providerInbox.eventId })
      .from(tables.providerInbox)
      .orderBy(asc(tables.providerInbox.id));
    const raised = fake.events().map((e) => e['id']);
    const stored = inbox.map((r) => r.eventId).filter((id) => raised.slice(-120).includes(id));
    expect(stored).toEqual(raised.slice(-120));
    await settle();
  });

  it('a cursor Stripe no longer knows starts over from the lookback instead of stalling', async () => {
    await releaseCursorLease(api.db, 'stripe:events:test', 'worker-a');
    await takeCursorLease(api.db, 'stripe:events:test', 'worker-c', 60_000);
    await advanceCursor(api.db, 'stripe:events:test', 'worker-c', 'evt_1NoLongerKeptByStripe00', 60_000);
    const outcome = await reconcileStripe(api.db, card(), reconcileAs('worker-c'));
    expect(outcome.busy).toBe(false);
    expect(outcome.read).toBeGreaterThan(0);
    expect(await readCursor(api.db, 'stripe:events:test')).toBe(fake.events().at(-1)?.['id']);
    await releaseCursorLease(api.db, 'stripe:events:test', 'worker-c');
  });
});

describe('after the payment: disputes and refunds made outside Kassa', () => {
  async function paidCheckout(amount: string): Promise<{ id: string; intent: string; sessionId: string }> {
    const id = await cardCheckout(amount, 'USD');
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    await fake.pay(sessionId);
    await settle();
    const intent = fake.session(sessionId)?.payment_intent;
    if (!intent) throw new Error('paid session without a payment intent');
    return { id, intent, sessionId };
  }

  const eventsOf = async (id: string) =>
    (
      await api.db.orm
        .select({ type: tables.outbox.type })
        .from(tables.outbox)
        .where(eq(tables.outbox.paymentId, id))
        .orderBy(asc(tables.outbox.sequence))
    ).map((r) => r.type);

  it('a chargeback flags the checkout and tells the merchant; its outcome follows', async () => {
    const { id, sessionId } = await paidCheckout('30.00');
    await fake.dispute(sessionId);
    await settle();
    const disputed = await rawCall(api.url, 'checkouts.get', 'query', { id }, merchant());
    expect(data<{ status: string; dispute: string }>(disputed)).toMatchObject({
      status: 'paid',
      dispute: 'open',
    });
    await fake.closeDispute(sessionId, 'lost');
    await settle();
    expect((await getCheckout(api.db.orm, id))?.payment.disputeStatus).toBe('lost');
    expect(await eventsOf(id)).toEqual(['checkout.paid', 'checkout.disputed', 'checkout.dispute_closed']);
  });

  it('a dispute that arrives before its payment waits in the inbox until the payment is known', async () => {
    const id = await cardCheckout('9.00', 'USD');
    const { sessionId } = data<{ sessionId: string }>(await chooseCard(id));
    const target = { url: receiverUrl, secret: SECRET };
    fake.setWebhook(null);
    await fake.pay(sessionId);
    fake.setWebhook(target);
    await fake.dispute(sessionId);
    await settle();
    const [waiting] = await api.db.orm
      .select()
      .from(tables.providerInbox)
      .where(eq(tables.providerInbox.eventType, 'charge.dispute.created'))
      .orderBy(desc(tables.providerInbox.id))
      .limit(1);
    expect(waiting?.processedAt).toBeNull();
    expect(waiting?.lastError).toMatch(/no payment has been credited/);
    // The lost payment event comes back through reconciliation; the dispute then applies.
    await releaseCursorLease(api.db, 'stripe:events:test', 'worker-a');
    await reconcileStripe(api.db, card(), reconcileAs('worker-a'));
    await settle();
    const rail = card();
    await drainInbox(
      api.db,
      { stripe: (event) => rail.observe(event) },
      { now: new Date(Date.now() + 120_000) },
    );
    const checkout = await getCheckout(api.db.orm, id);
    expect(checkout?.payment.status).toBe('paid');
    expect(checkout?.payment.disputeStatus).toBe('open');
  });

  it('a refund of a charge Kassa never made waits a while for its payment, then is set aside for the operator', async () => {
    const body = JSON.stringify({
      id: 'evt_foreignRefund0001',
      object: 'event',
      type: 'refund.created',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: {
        object: {
          object: 'refund',
          id: 're_foreign0001',
          amount: 500,
          currency: 'usd',
          status: 'succeeded',
          payment_intent: 'pi_notKassas0001',
          metadata: {},
        },
      },
    });
    const stored = await storeInboxEvent(api.db, {
      provider: 'stripe',
      eventId: 'evt_foreignRefund0001',
      eventType: 'refund.created',
      body,
    });
    const rail = card();
    const decoders = { stripe: (event: InboxEvent) => rail.observe(event) };
    const soon = await processInboxEvent(api.db, decoders, stored.id, new Date());
    expect(soon?.error).toMatch(/no payment has been credited by stripe:pi_notKassas0001 yet/);
    const later = await processInboxEvent(api.db, decoders, stored.id, new Date(Date.now() + 16 * 60_000));
    expect(later?.error).toMatch(/unattributed: no payment has been credited by stripe:pi_notKassas0001/);
    const [row] = await api.db.orm
      .select()
      .from(tables.providerInbox)
      .where(eq(tables.providerInbox.id, stored.id));
    expect(row?.processedAt).not.toBeNull();
  });

  it("a refund made in Stripe's dashboard counts; one that bounces is taken back and the merchant told", async () => {
    const { id, intent } = await paidCheckout('25.00');
    // As the dashboard does it: no Kassa metadata, only the payment intent.
    const stripe = new Stripe('sk_test_dashboard', {
      host: new URL(fake.url).hostname,
      port: Number(new URL(fake.url).port),
      protocol: 'http',
    });
    const refund = await stripe.refunds.create({ payment_intent: intent, amount: 1000 });
    await settle();
    const partly = await getCheckout(api.db.orm, id);
    expect(partly?.payment.status).toBe('partially_refunded');
    expect(partly?.payment.refunded.minor).toBe(1000n);

    await fake.failRefund(refund.id);
    await settle();
    const back = await getCheckout(api.db.orm, id);
    expect(back?.payment.status).toBe('paid');
    expect(back?.payment.refunded.minor).toBe(0n);
    expect(await eventsOf(id)).toEqual(['checkout.paid', 'refund.succeeded', 'refund.failed']);
  });
});
