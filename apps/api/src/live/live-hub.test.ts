import { applyObservation, getCheckout, type Db } from '@kassa/db';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Logger } from '../logger';
import { rawCall, startTestApi, type TestApi } from '../testing';
import { createLiveHub } from './live-hub';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

/** The test database, with its first `failures` selects failing and every select counted. */
function flakyDb(failures: number): { db: Db; selects: () => number } {
  let count = 0;
  const orm = new Proxy(api.db.orm, {
    get(target, property, receiver) {
      if (property === 'select') {
        count += 1;
        if (count <= failures) throw new Error('connection lost');
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { db: { ...api.db, orm }, selects: () => count };
}

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 2_000 });

it('wakes a payment’s subscribers, survives a failed poll and stops polling when nobody listens', async () => {
  const merchant = await api.merchant('Hub Shop');
  const created = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount: '5.00', currency: 'USD' },
    { authorization: `Bearer ${merchant.secretKey}` },
  );
  const id = (created.body as { result: { data: { id: string } } }).result.data.id;
  const { db, selects } = flakyDb(1);
  const warn = vi.fn();
  const hub = createLiveHub({ db, log: { warn } as unknown as Logger, intervalMs: 20 });
  const woken: string[] = [];
  const unsubscribe = hub.subscribe(id, () => woken.push(id));
  const otherUnsubscribe = hub.subscribe('pay_other', () => woken.push('pay_other'));
  try {
    await until(() => warn.mock.calls.length === 1);
    // Once started, every subscriber looks once: a change may have raced the start.
    await until(() => woken.length === 2);

    const checkout = await getCheckout(api.db.orm, id);
    await applyObservation(api.db, id, {
      source: 'sandbox',
      externalId: `hub-${id}`,
      occurredAt: new Date(),
      type: 'credit',
      txKey: `sandbox:hub-${id}`,
      amount: checkout!.payment.amountDue,
    });
    await until(() => woken.length === 3);
    expect(woken[2]).toBe(id);
  } finally {
    unsubscribe();
    otherUnsubscribe();
  }
  const idle = selects();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(selects()).toBe(idle);
  hub.close();
});
