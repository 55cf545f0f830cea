import { createCheckout } from '@kassa/api';
import { startTestApi, type TestApi } from '@kassa/api/testing';
import {
  findKey,
  getCheckout,
  listAudit,
  drainInbox,
  storeInboxEvent,
  newId,
  type MerchantKey,
} from '@kassa/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from './expiry-sweep';

let api: TestApi;
let key: MerchantKey;

beforeAll(async () => {
  api = await startTestApi();
  const shop = await api.merchant('Worker Shop');
  const found = await findKey(api.db, shop.secretKey);
  if (!found) throw new Error('no key');
  key = found;
});
afterAll(async () => api.close());

async function newCheckout(expiresInSeconds = 60): Promise<string> {
  const created = await createCheckout(
    api.deps,
    key,
    { amount: '10.00', currency: 'USD', expiresInSeconds },
    null,
  );
  if (!created.ok) throw new Error(created.error.message);
  return created.value.payment.id;
}

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
const sandboxDecoders = () => ({ sandbox: api.deps.sandbox.observe.bind(api.deps.sandbox) });

describe('expiry sweep', () => {
  it('expires open checkouts whose time is up, once, however many sweepers race', async () => {
    const due = await newCheckout(60);
    const notYet = await newCheckout(3600);
    const counts = await Promise.all([
      sweepExpired(api.db, later(120)),
      sweepExpired(api.db, later(120)),
      sweepExpired(api.db, later(120)),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect((await getCheckout(api.db.orm, due))?.payment.status).toBe('expired');
    expect((await getCheckout(api.db.orm, notYet))?.payment.status).toBe('pending');
    const audit = await listAudit(api.db.orm, due);
    expect(audit.map((a) => [a.toStatus, a.cause.source])).toEqual([['expired', 'clock']]);
  });

  it('a payment made before expiry counts even when the sweep ran first', async () => {
    const id = await newCheckout(60);
    const checkout = await getCheckout(api.db.orm, id);
    await sweepExpired(api.db, later(120));
    // The provider reports a payment dated before the expiry, after the sweep.
    const paidAt = new Date(checkout!.payment.expiresAt.getTime() - 5_000);
    const event = api.deps.sandbox.simulate(checkout!.payment, { outcome: 'pay' }, paidAt, newId('sbx_'));
    if (!event.ok) throw new Error(event.error.message);
    await storeInboxEvent(api.db, event.value);
    await drainInbox(api.db, sandboxDecoders());
    expect((await getCheckout(api.db.orm, id))?.payment.status).toBe('paid');
  });
});

describe('inbox drain', () => {
  it('a redelivered provider event is stored once and concurrent workers apply it once', async () => {
    const id = await newCheckout(3600);
    const checkout = await getCheckout(api.db.orm, id);
    const event = api.deps.sandbox.simulate(
      checkout!.payment,
      { outcome: 'pay_part' },
      new Date(),
      newId('sbx_'),
    );
    if (!event.ok) throw new Error(event.error.message);
    const first = await storeInboxEvent(api.db, event.value);
    const again = await storeInboxEvent(api.db, event.value);
    expect(again).toEqual({ id: first.id, duplicate: true });

    const rounds = await Promise.all(Array.from({ length: 4 }, () => drainInbox(api.db, sandboxDecoders())));
    expect(rounds.flat().filter((d) => d.eventId === event.value.eventId)).toHaveLength(1);
    const after = await getCheckout(api.db.orm, id);
    expect(after?.payment.status).toBe('partially_paid');
    expect(await listAudit(api.db.orm, id)).toHaveLength(1);
  });

  it('a refused signal leaves the queue with its reason recorded', async () => {
    const id = await newCheckout(3600);
    const checkout = await getCheckout(api.db.orm, id);
    const event = api.deps.sandbox.simulate(checkout!.payment, { outcome: 'pay' }, new Date(), newId('sbx_'));
    if (!event.ok) throw new Error(event.error.message);
    // The same transaction, claimed for a second checkout: refused, and the operator can see why.
    const other = await newCheckout(3600);
    const body = JSON.parse(event.value.body) as Record<string, unknown>;
    await storeInboxEvent(api.db, event.value);
    await storeInboxEvent(api.db, {
      ...event.value,
      eventId: newId('sbx_'),
      body: JSON.stringify({ ...body, paymentId: other }),
    });
    const drained = await drainInbox(api.db, sandboxDecoders());
    expect(drained.map((d) => d.error)).toEqual([null, 'rejected: tx_already_claimed']);
    expect((await getCheckout(api.db.orm, other))?.payment.status).toBe('pending');
  });

  it('an undecodable event leaves the queue with its error and changes nothing', async () => {
    const stored = await storeInboxEvent(api.db, {
      provider: 'sandbox',
      eventId: newId('sbx_'),
      eventType: 'sandbox.pay',
      body: '{"nope":1}',
    });
    const drained = (await drainInbox(api.db, sandboxDecoders())).filter((d) => d.id === stored.id);
    expect(drained).toHaveLength(1);
    expect(drained[0]?.error).toMatch(/paymentId|expected/i);
    const again = await drainInbox(api.db, sandboxDecoders());
    expect(again.filter((d) => d.id === stored.id)).toHaveLength(0);
  });
});

describe('sandbox answers and workers together', () => {
  it('a simulated payment is in the answer even while a worker drains the inbox', async () => {
    const { rawCall } = await import('@kassa/api/testing');
    const shop = await api.merchant('Busy Shop');
    let draining = true;
    const worker = (async () => {
      while (draining) {
        await drainInbox(api.db, sandboxDecoders());
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    try {
      for (let i = 0; i < 10; i++) {
        const created = await rawCall(
          api.url,
          'checkouts.create',
          'mutation',
          { amount: '3.00', currency: 'USD' },
          { authorization: `Bearer ${shop.secretKey}` },
        );
        const id = (created.body as { result: { data: { id: string } } }).result.data.id;
        const paid = await rawCall(
          api.url,
          'sandbox.simulate',
          'mutation',
          { checkoutId: id, outcome: 'pay' },
          { authorization: `Bearer ${shop.secretKey}` },
        );
        expect(paid.body).toMatchObject({ result: { data: { status: 'paid' } } });
      }
    } finally {
      draining = false;
      await worker;
    }
  });
});
