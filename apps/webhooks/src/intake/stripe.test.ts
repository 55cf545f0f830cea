import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCheckout } from '@kassa/api';
import { startTestApi, type TestApi } from '@kassa/api/testing';
import { drainInbox, findKey, getCheckout, tables, type MerchantKey } from '@kassa/db';
import { createStripeRail, METADATA_EXPIRES_AT } from '@kassa/providers';
import { pino } from 'pino';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhooksServer } from '../server';

const SECRET = 'whsec_intakeTestSecret0123456789';
const OLD_SECRET = 'whsec_rotatedOutSecret987654321';
const FIXTURE = readFileSync(
  join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    '..',
    'packages',
    'providers',
    'fixtures',
    'stripe',
    'checkout.session.completed.json',
  ),
  'utf8',
);
const stripe = new Stripe('sk_test_x');
/** Events happen while the checkouts are open (they expire in an hour). */
const NOW_S = Math.floor(Date.now() / 1000);

let api: TestApi;
let key: MerchantKey;
let receiverUrl: string;
let closeReceiver: () => Promise<void>;
const rail = () =>
  createStripeRail(
    { secretKey: 'sk_test_x', mode: 'test', webhookSecrets: [SECRET], api: null },
    api.deps.assets.test,
  );

beforeAll(async () => {
  api = await startTestApi();
  const shop = await api.merchant('Card Shop');
  const found = await findKey(api.db, shop.secretKey);
  if (!found) throw new Error('no key');
  key = found;
  const server = createWebhooksServer({
    db: api.db,
    log: pino({ level: 'silent' }),
    stripeSecrets: [SECRET, OLD_SECRET],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stripe`;
  closeReceiver = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await closeReceiver();
  await api.close();
});

async function newCheckout(): Promise<{ id: string; expiresAtS: number }> {
  const created = await createCheckout(api.deps, key, { amount: '49.99', currency: 'USD' }, null);
  if (!created.ok) throw new Error(created.error.message);
  return {
    id: created.value.payment.id,
    expiresAtS: Math.floor(created.value.payment.expiresAt.getTime() / 1000),
  };
}

/** A real-shaped event about our checkout: the fixture with its ids, type and times changed. */
function event(
  checkout: { id: string; expiresAtS: number },
  type: string,
  fields: { id: string; created: number; payment_status?: string; status?: string; expires_at?: number },
): string {
  const json = JSON.parse(FIXTURE) as {
    id: string;
    type: string;
    created: number;
    data: { object: Record<string, unknown> & { metadata: Record<string, string> } };
  };
  json.id = fields.id;
  json.type = type;
  json.created = fields.created;
  const session = json.data.object;
  session['client_reference_id'] = checkout.id;
  // One payment intent per checkout: a transaction pays one payment only.
  session['payment_intent'] = `pi_${checkout.id.slice(4)}`;
  session.metadata = { kassa_payment_id: checkout.id, [METADATA_EXPIRES_AT]: String(checkout.expiresAtS) };
  if (fields.payment_status) session['payment_status'] = fields.payment_status;
  if (fields.status) session['status'] = fields.status;
  session['expires_at'] = fields.expires_at ?? checkout.expiresAtS;
  return JSON.stringify(json, null, 2);
}

async function post(body: string, signature: string | null): Promise<number> {
  const response = await fetch(receiverUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(signature ? { 'stripe-signature': signature } : {}),
    },
    body,
  });
  return response.status;
}

const sign = (payload: string, secret = SECRET, timestamp = Math.floor(Date.now() / 1000)) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
const inboxSize = async () => (await api.db.orm.select().from(tables.providerInbox)).length;
const drain = () => drainInbox(api.db, { stripe: (e) => rail().observe(e) });

describe('POST /stripe', () => {
  it('stores a verified event, acknowledges it, and a worker makes the checkout paid', async () => {
    const checkout = await newCheckout();
    const body = event(checkout, 'checkout.session.completed', { id: 'evt_paid_1', created: NOW_S });
    expect(await post(body, sign(body))).toBe(200);
    await drain();
    expect((await getCheckout(api.db.orm, checkout.id))?.payment.status).toBe('paid');
  });

  it('refuses forged, stale, future, tampered and unsigned events, and stores none of them', async () => {
    const checkout = await newCheckout();
    const body = event(checkout, 'checkout.session.completed', { id: 'evt_forged', created: NOW_S });
    const before = await inboxSize();
    const now = Math.floor(Date.now() / 1000);
    expect(await post(body, sign(body, 'whsec_attackerSecret'))).toBe(400);
    expect(await post(body, sign(body, SECRET, now - 301))).toBe(400);
    expect(await post(body, sign(body, SECRET, now + 301))).toBe(400);
    expect(await post(body.replace('"amount_total": 4999', '"amount_total": 1'), sign(body))).toBe(400);
    expect(await post(body, null)).toBe(400);
    expect(await post(body, 't=abc,v1=xyz')).toBe(400);
    expect(await inboxSize()).toBe(before);
    await drain();
    expect((await getCheckout(api.db.orm, checkout.id))?.payment.status).toBe('pending');
  });

  it('accepts the secret being rotated out as well', async () => {
    const checkout = await newCheckout();
    const body = event(checkout, 'checkout.session.completed', { id: 'evt_rotated', created: NOW_S });
    expect(await post(body, sign(body, OLD_SECRET))).toBe(200);
  });

  it('duplicated and reordered events converge: paid once, and an expiry after payment leaves it paid', async () => {
    const checkout = await newCheckout();
    const completed = event(checkout, 'checkout.session.completed', { id: 'evt_c', created: NOW_S });
    const expired = event(checkout, 'checkout.session.expired', {
      id: 'evt_e',
      created: NOW_S + 5,
      status: 'expired',
      payment_status: 'unpaid',
    });
    // The expiry arrives first, then the payment twice.
    for (const body of [expired, completed, completed]) expect(await post(body, sign(body))).toBe(200);
    await drain();
    const paid = await getCheckout(api.db.orm, checkout.id);
    expect(paid?.payment.status).toBe('paid');
    expect(paid?.payment.received.minor).toBe(4999n);
  });

  it('a delayed method: processing, then paid once for completed and async_payment_succeeded together', async () => {
    const checkout = await newCheckout();
    const submitted = event(checkout, 'checkout.session.completed', {
      id: 'evt_d1',
      created: NOW_S,
      payment_status: 'unpaid',
    });
    expect(await post(submitted, sign(submitted))).toBe(200);
    await drain();
    expect((await getCheckout(api.db.orm, checkout.id))?.payment.status).toBe('processing');
    const succeeded = event(checkout, 'checkout.session.async_payment_succeeded', {
      id: 'evt_d2',
      created: NOW_S + 9,
    });
    expect(await post(succeeded, sign(succeeded))).toBe(200);
    await drain();
    const paid = await getCheckout(api.db.orm, checkout.id);
    expect(paid?.payment.status).toBe('paid');
    expect(paid?.payment.received.minor).toBe(4999n);
  });

  it('an event from the live account never touches a test payment (and the reverse)', async () => {
    const checkout = await newCheckout();
    const body = event(checkout, 'checkout.session.completed', { id: 'evt_live_1', created: NOW_S }).replace(
      '"livemode": false',
      '"livemode": true',
    );
    expect(await post(body, sign(body))).toBe(200);
    const live = createStripeRail(
      { secretKey: 'sk_live_x', mode: 'live', webhookSecrets: [SECRET], api: null },
      api.deps.assets.live,
    );
    await drainInbox(api.db, { stripe: (e) => live.observe(e) });
    expect((await getCheckout(api.db.orm, checkout.id))?.payment.status).toBe('pending');
  });
});
