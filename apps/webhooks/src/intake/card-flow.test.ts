import type { AddressInfo } from 'node:net';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from '@kassa/api/testing';
import { drainInbox, getCheckout, tables } from '@kassa/db';
import { startFakeStripe, type FakeStripe } from '@kassa/providers/stripe-fake';
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
  await drainInbox(api.db, { stripe: (event) => rail.observe(event) });
}

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
      const { added } = await reconcileStripe(api.db, card(), new Date());
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
    await Promise.all([fake.flush(), ...[0, 1, 2].map(() => reconcileStripe(api.db, card(), new Date()))]);
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
});
