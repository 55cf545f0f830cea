import { createServer, type IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeStripe, stripeSignatureHeader, type FakeStripe } from './index';

const SECRET = 'whsec_kassaFakeTestSecret0123456789abcdef';
const PAYMENT_ID = 'pay_01J8ZQ3V6W9K2M4N5P7R8S0T1U';

type Received = Readonly<{ body: string; headers: IncomingHttpHeaders }>;
type Receiver = Readonly<{
  url: string;
  received: Received[];
  /** Every body received, verified with stripe-node exactly as a webhook handler would. */
  events(): Stripe.Event[];
  close(): Promise<void>;
}>;

/** A webhook endpoint on this machine that answers with `statuses` in turn, then 200. */
async function startReceiver(statuses: readonly number[] = []): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(statuses[received.length - 1] ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver has no port');
  const verifier = new Stripe('sk_test_verifier');
  return {
    url: `http://127.0.0.1:${address.port}/webhooks/stripe`,
    received,
    events: () =>
      received.map((r) =>
        verifier.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), SECRET),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function client(fake: FakeStripe, key = 'sk_test_x'): Stripe {
  const { hostname, port } = new URL(fake.url);
  return new Stripe(key, { host: hostname, port, protocol: 'http', maxNetworkRetries: 0 });
}

function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [
      {
        price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: 'Coffee beans' } },
        quantity: 2,
      },
    ],
    success_url: 'https://shop.example/kassa/return?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.example/kassa/cancelled',
    client_reference_id: PAYMENT_ID,
    metadata: { kassa_payment_id: PAYMENT_ID },
    payment_intent_data: { metadata: { kassa_payment_id: PAYMENT_ID } },
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    ...overrides,
  };
}

function lineItem(currency: string, unitAmount: number, quantity = 1) {
  return [{ price_data: { currency, unit_amount: unitAmount, product_data: { name: 'Item' } }, quantity }];
}

async function stripeError(
  promise: Promise<unknown>,
): Promise<InstanceType<typeof Stripe.errors.StripeError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function sessionOf(event: Stripe.Event): Stripe.Checkout.Session {
  if (event.data.object.object !== 'checkout.session') throw new Error(`not a session: ${event.type}`);
  return event.data.object;
}

let fake: FakeStripe;
let receiver: Receiver;
let stripe: Stripe;

beforeEach(async () => {
  receiver = await startReceiver();
  fake = await startFakeStripe({ webhook: { url: receiver.url, secret: SECRET } });
  stripe = client(fake);
});

afterEach(async () => {
  await fake.close();
  await receiver.close();
});

describe('checkout sessions through stripe-node', () => {
  it('creates a session shaped like Stripe’s and reads it back', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'kassa-a' });

    expect(created.id).toMatch(/^cs_test_[0-9A-Za-z]{58}$/);
    expect(created).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 2500,
      amount_subtotal: 2500,
      currency: 'usd',
      client_reference_id: PAYMENT_ID,
      metadata: { kassa_payment_id: PAYMENT_ID },
      payment_intent: null,
      livemode: false,
      url: `${fake.url}/c/pay/${created.id}`,
    });
    expect(created.lastResponse.requestId).toMatch(/^req_/);

    const read = await stripe.checkout.sessions.retrieve(created.id);
    expect(read.id).toBe(created.id);
    expect(read.expires_at).toBe(created.expires_at);

    expect(fake.session(created.id)).toMatchObject({
      status: 'open',
      amount_total: 2500,
      success_url: 'https://shop.example/kassa/return?session={CHECKOUT_SESSION_ID}',
      payment_intent_data: { metadata: { kassa_payment_id: PAYMENT_ID } },
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: '1250', product_data: { name: 'Coffee beans' } },
          quantity: '2',
        },
      ],
    });
    const [post] = fake.requests();
    expect(post).toMatchObject({
      method: 'POST',
      path: '/v1/checkout/sessions',
      status: 200,
      headers: {
        authorization: 'Bearer sk_test_x',
        'idempotency-key': 'kassa-a',
        'stripe-version': Stripe.API_VERSION,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: { mode: 'payment', metadata: { kassa_payment_id: PAYMENT_ID } },
    });
  });

  it('answers 404 resource_missing for an unknown session', async () => {
    const error = await stripeError(stripe.checkout.sessions.retrieve('cs_test_nope'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
  });

  it('refuses requests without a test secret key', async () => {
    const live = await stripeError(
      client(fake, 'sk_live_abcdefghijklmnop').checkout.sessions.create(sessionParams()),
    );
    expect(live).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);

    const response = await fetch(`${fake.url}/v1/checkout/sessions/cs_test_x`);
    expect(response.status).toBe(401);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const body: unknown = await response.json();
    expect(body).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it.each([
    ['mode other than payment', { mode: 'subscription' as const }, 'mode', 'parameter_invalid_string_format'],
    ['uppercase currency', { line_items: lineItem('USD', 100) }, 'line_items[0][price_data][currency]', null],
    ['unknown currency', { line_items: lineItem('xyz', 100) }, 'line_items[0][price_data][currency]', null],
    [
      'negative unit_amount',
      { line_items: lineItem('usd', -1) },
      'line_items[0][price_data][unit_amount]',
      'parameter_invalid_integer',
    ],
    [
      'fractional unit_amount',
      { line_items: lineItem('usd', 12.5) },
      'line_items[0][price_data][unit_amount]',
      'parameter_invalid_integer',
    ],
    [
      'KWD not divisible by 10',
      { line_items: lineItem('kwd', 1005) },
      'line_items[0][price_data][unit_amount]',
      'invalid_charge_amount',
    ],
    [
      'expires_at under 30 minutes',
      { expires_at: Math.floor(Date.now() / 1000) + 29 * 60 },
      'expires_at',
      'parameter_invalid_integer',
    ],
    [
      'expires_at over 24 hours',
      { expires_at: Math.floor(Date.now() / 1000) + 25 * 3600 },
      'expires_at',
      'parameter_invalid_integer',
    ],
  ])('refuses %s as Stripe does', async (_name, overrides, param, code) => {
    const error = await stripeError(stripe.checkout.sessions.create(sessionParams(overrides)));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.param).toBe(param);
    if (code) expect(error.code).toBe(code);
    expect(error.type).toBe('StripeInvalidRequestError');
  });

  it('speaks the raw wire format: form bodies, `expand[]`, JSON refused, unknown URLs 404', async () => {
    const auth = { Authorization: 'Bearer sk_test_raw' };
    const form = new URLSearchParams({
      mode: 'payment',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '990',
      'line_items[0][price_data][product_data][name]': 'Tea',
      'line_items[0][quantity]': '1',
    });
    const created = await fetch(`${fake.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(created.status).toBe(200);
    const session = z.object({ id: z.string(), amount_total: z.number() }).parse(await created.json());
    expect(session.amount_total).toBe(990);
    await fake.pay(session.id);

    const read = await fetch(`${fake.url}/v1/checkout/sessions/${session.id}?expand[]=payment_intent`, {
      headers: auth,
    });
    expect(await read.json()).toMatchObject({
      payment_intent: { object: 'payment_intent', status: 'succeeded' },
    });

    const json = await fetch(`${fake.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ mode: 'payment' }),
    });
    expect(json.status).toBe(400);

    const nowhere = await fetch(`${fake.url}/v1/checkout/nothing`, { headers: auth });
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('wants line_items and refuses parameters Stripe does not know', async () => {
    const { line_items: _omitted, ...withoutItems } = sessionParams();
    const missing = await stripeError(stripe.checkout.sessions.create(withoutItems));
    expect(missing.param).toBe('line_items');
    expect(missing.code).toBe('parameter_missing');

    const typo = { ...sessionParams(), client_reference: PAYMENT_ID };
    const unknown = await stripeError(stripe.checkout.sessions.create(typo));
    expect(unknown.param).toBe('client_reference');
    expect(unknown.code).toBe('parameter_unknown');
    expect(fake.sessions()).toHaveLength(0);
  });

  it('passes zero-decimal and three-decimal amounts through unchanged', async () => {
    const yen = await stripe.checkout.sessions.create(
      sessionParams({ line_items: lineItem('jpy', 1234, 3) }),
    );
    expect(yen).toMatchObject({ currency: 'jpy', amount_total: 3702 });

    const dinar = await stripe.checkout.sessions.create(sessionParams({ line_items: lineItem('kwd', 5120) }));
    expect(dinar).toMatchObject({ currency: 'kwd', amount_total: 5120 });
  });

  it('replays an idempotent create and refuses the key with other parameters', async () => {
    const first = await stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'kassa-pay-1-create',
    });
    const again = await stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'kassa-pay-1-create',
    });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();

    const conflict = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ line_items: lineItem('usd', 999) }), {
        idempotencyKey: 'kassa-pay-1-create',
      }),
    );
    expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(conflict.statusCode).toBe(400);
    expect(fake.sessions()).toHaveLength(1);
  });

  it('expires an open session once, and expands the payment intent after payment', async () => {
    const open = await stripe.checkout.sessions.create(sessionParams());
    const expired = await stripe.checkout.sessions.expire(open.id);
    expect(expired).toMatchObject({ status: 'expired', url: null, payment_intent: null });
    const twice = await stripeError(stripe.checkout.sessions.expire(open.id));
    expect(twice).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);

    const paid = await stripe.checkout.sessions.create(sessionParams());
    await fake.pay(paid.id);
    const read = await stripe.checkout.sessions.retrieve(paid.id, { expand: ['payment_intent'] });
    expect(read).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
    const intent = read.payment_intent;
    if (typeof intent !== 'object' || intent === null) throw new Error('payment_intent was not expanded');
    expect(intent).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 2500,
      amount_received: 2500,
      metadata: { kassa_payment_id: PAYMENT_ID },
    });
    expect(intent.id).toMatch(/^pi_/);

    await fake.flush();
    expect(receiver.events().map((e) => e.type)).toEqual([
      'checkout.session.expired',
      'checkout.session.completed',
    ]);
    expect(receiver.events()[0]?.request).toMatchObject({ id: expect.stringMatching(/^req_/) as unknown });
  });
});

describe('webhooks', () => {
  it('delivers pay() as a signed, pretty-printed event that stripe-node verifies', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    await fake.pay(created.id);
    await fake.flush();

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(delivery?.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(delivery?.body.startsWith('{\n  "id": "evt_')).toBe(true);

    const [event] = receiver.events();
    expect(event).toMatchObject({
      object: 'event',
      type: 'checkout.session.completed',
      livemode: false,
      pending_webhooks: 1,
      api_version: Stripe.API_VERSION,
      request: { id: null, idempotency_key: null },
    });
    expect(event?.id).toMatch(/^evt_/);
    const session = sessionOf(event!);
    expect(session).toMatchObject({
      id: created.id,
      status: 'complete',
      payment_status: 'paid',
      client_reference_id: PAYMENT_ID,
      metadata: { kassa_payment_id: PAYMENT_ID },
      amount_total: 2500,
      currency: 'usd',
    });
    expect(session.payment_intent).toMatch(/^pi_/);
    expect(fake.deliveries()).toEqual([{ eventId: event?.id, type: event?.type, status: 200, attempts: 1 }]);
  });

  it('signs exactly as stripe-node’s test helper does', () => {
    const payload = '{\n  "id": "evt_1",\n  "object": "event"\n}';
    const timestamp = 1755000413;
    expect(stripeSignatureHeader({ payload, secret: SECRET, timestamp })).toBe(
      stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp }),
    );
  });

  it('sends payLater and decline as completed (unpaid) followed by the async outcome', async () => {
    const later = await stripe.checkout.sessions.create(sessionParams());
    const declined = await stripe.checkout.sessions.create(sessionParams());
    await fake.payLater(later.id);
    await fake.decline(declined.id);
    await fake.flush();

    const events = receiver.events();
    expect(events.map((e) => [e.type, sessionOf(e).payment_status, sessionOf(e).id])).toEqual([
      ['checkout.session.completed', 'unpaid', later.id],
      ['checkout.session.async_payment_succeeded', 'paid', later.id],
      ['checkout.session.completed', 'unpaid', declined.id],
      ['checkout.session.async_payment_failed', 'unpaid', declined.id],
    ]);
    expect(fake.session(declined.id)).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
  });

  it('duplicates and reorders on request', async () => {
    const first = await stripe.checkout.sessions.create(sessionParams());
    fake.setSender({ duplicate: true });
    await fake.pay(first.id);
    await fake.flush();
    const [a, b] = receiver.events();
    expect(a?.id).toBe(b?.id);
    expect(receiver.received).toHaveLength(2);

    const second = await stripe.checkout.sessions.create(sessionParams());
    fake.setSender({ reorder: true });
    await fake.payLater(second.id);
    await fake.flush();
    expect(
      receiver
        .events()
        .slice(2)
        .map((e) => e.type),
    ).toEqual(['checkout.session.async_payment_succeeded', 'checkout.session.completed']);
  });

  it('reorders a whole batch: the refund arrives before the payment', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    fake.setSender({ reorder: true });
    await fake.batch(async () => {
      await fake.pay(created.id);
      const session = await stripe.checkout.sessions.retrieve(created.id);
      if (typeof session.payment_intent !== 'string') throw new Error('no payment intent');
      await stripe.refunds.create({ payment_intent: session.payment_intent });
    });
    await fake.flush();
    expect(receiver.events().map((e) => e.type)).toEqual([
      'refund.created',
      'charge.refunded',
      'checkout.session.completed',
    ]);
  });

  it('delays delivery and retries a failing endpoint three times', async () => {
    await receiver.close();
    receiver = await startReceiver([500, 503, 200, 500, 500, 500]);
    fake.setWebhook({ url: receiver.url, secret: SECRET });
    fake.setSender({ delayMs: 50 });

    const first = await stripe.checkout.sessions.create(sessionParams());
    const second = await stripe.checkout.sessions.create(sessionParams());
    await fake.pay(first.id);
    await fake.pay(second.id);
    expect(receiver.received).toHaveLength(0);
    await fake.flush();

    expect(fake.deliveries().map((d) => [d.status, d.attempts])).toEqual([
      [200, 3],
      [500, 3],
    ]);
    expect(receiver.events()).toHaveLength(6);
  });

  it('records events but delivers nothing without a webhook', async () => {
    fake.setWebhook(null);
    const created = await stripe.checkout.sessions.create(sessionParams());
    await fake.expire(created.id);
    await fake.flush();
    expect(receiver.received).toHaveLength(0);
    expect(fake.deliveries()).toMatchObject([
      { type: 'checkout.session.expired', status: null, attempts: 0 },
    ]);
    expect(fake.events()[0]).toMatchObject({ type: 'checkout.session.expired', pending_webhooks: 0 });
    await expect(fake.pay(created.id)).rejects.toThrow(/expired/);
  });

  it('sends charge.dispute.created for the session’s charge', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    await fake.pay(created.id);
    await fake.dispute(created.id);
    await fake.flush();
    const dispute = receiver.events()[1];
    expect(dispute?.type).toBe('charge.dispute.created');
    const object = dispute?.data.object;
    if (object?.object !== 'dispute') throw new Error('not a dispute');
    expect(object.payment_intent).toBe(fake.session(created.id)?.payment_intent);
    expect(object.charge).toMatch(/^ch_/);
    expect(object.amount).toBe(2500);
  });

  it('lists events for reconciliation', async () => {
    const since = Math.floor(Date.now() / 1000);
    const created = await stripe.checkout.sessions.create(sessionParams());
    await fake.payLater(created.id);
    const listed = await stripe.events.list({ type: 'checkout.session.completed', created: { gte: since } });
    expect(listed.data.map((e) => e.type)).toEqual(['checkout.session.completed']);
    const all = await stripe.events.list({ limit: 1 });
    expect(all.has_more).toBe(true);
    expect(all.data[0]?.type).toBe('checkout.session.async_payment_succeeded');
  });
});

describe('refunds', () => {
  it('refunds in parts, replays by key, and refuses more than what remains', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    await fake.pay(created.id);
    const paymentIntent = fake.session(created.id)?.payment_intent;
    if (!paymentIntent) throw new Error('no payment intent');

    const part = await stripe.refunds.create(
      { payment_intent: paymentIntent, amount: 1000, metadata: { kassa_refund_id: 'ref_1' } },
      { idempotencyKey: 'kassa-refund-1' },
    );
    expect(part).toMatchObject({
      object: 'refund',
      status: 'succeeded',
      amount: 1000,
      payment_intent: paymentIntent,
    });
    expect(part.id).toMatch(/^re_/);
    const replay = await stripe.refunds.create(
      { payment_intent: paymentIntent, amount: 1000, metadata: { kassa_refund_id: 'ref_1' } },
      { idempotencyKey: 'kassa-refund-1' },
    );
    expect(replay.id).toBe(part.id);
    expect(fake.refunds()).toHaveLength(1);

    const tooMuch = await stripeError(stripe.refunds.create({ payment_intent: paymentIntent, amount: 2000 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.code).toBe('amount_too_large');
    expect(tooMuch.param).toBe('amount');

    const rest = await stripe.refunds.create({ payment_intent: paymentIntent });
    expect(rest.amount).toBe(1500);
    const none = await stripeError(stripe.refunds.create({ payment_intent: paymentIntent, amount: 1 }));
    expect(none.code).toBe('charge_already_refunded');

    await fake.flush();
    const events = receiver.events().slice(1);
    expect(events.map((e) => e.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refunded',
      'refund.created',
    ]);
    const charges = events.flatMap((e) => (e.data.object.object === 'charge' ? [e.data.object] : []));
    expect(charges.map((c) => [c.amount_refunded, c.refunded, c.payment_intent])).toEqual([
      [1000, false, paymentIntent],
      [2500, true, paymentIntent],
    ]);
    expect(events[0]?.data.previous_attributes).toEqual({ amount_refunded: 0 });
    expect(events[0]?.request).toEqual({
      id: expect.stringMatching(/^req_/) as unknown,
      idempotency_key: 'kassa-refund-1',
    });
  });

  it('refuses refunds for an unknown or unpaid payment intent', async () => {
    const unknown = await stripeError(stripe.refunds.create({ payment_intent: 'pi_nope' }));
    expect(unknown.code).toBe('resource_missing');

    const created = await stripe.checkout.sessions.create(sessionParams());
    await fake.decline(created.id);
    const intent = fake.session(created.id)?.payment_intent ?? '';
    const unpaid = await stripeError(stripe.refunds.create({ payment_intent: intent }));
    expect(unpaid).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe('hosted checkout page', () => {
  it('shows the amount and escaped line items', async () => {
    const created = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [
          {
            price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: '<b>Beans & "Co"</b>' } },
            quantity: 2,
          },
        ],
      }),
    );
    const response = await fetch(created.url ?? '');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('25.00 USD');
    expect(html).toContain('&lt;b&gt;Beans &amp; &quot;Co&quot;&lt;/b&gt;');
    expect(html).not.toContain('<b>Beans');
    for (const label of ['Pay', 'Pay later (bank debit)', 'Decline'])
      expect(html).toContain(`>${label}</button>`);
  });

  it('Pay completes the session and redirects to success_url', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const response = await fetch(`${fake.url}/c/pay/${created.id}/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'action=pay',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`https://shop.example/kassa/return?session=${created.id}`);
    await fake.flush();
    const [event] = receiver.events();
    expect(event?.type).toBe('checkout.session.completed');
    expect(sessionOf(event!).payment_status).toBe('paid');

    const again = await fetch(`${fake.url}/c/pay/${created.id}/pay`, { method: 'POST', redirect: 'manual' });
    expect(again.status).toBe(409);
  });

  it('Decline redirects to cancel_url after the failed bank debit', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const response = await fetch(`${fake.url}/c/pay/${created.id}/decline`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://shop.example/kassa/cancelled');
    await fake.flush();
    expect(receiver.events().map((e) => e.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
  });
});
