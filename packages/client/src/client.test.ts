import { startTestApi, type TestApi } from '@kassa/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKassaClient, kassaErrorCode, type KassaClient } from './index';

let api: TestApi;
let kassa: KassaClient;

beforeAll(async () => {
  api = await startTestApi();
  const shop = await api.merchant('Client Shop');
  kassa = createKassaClient({ baseUrl: api.url, secretKey: shop.secretKey });
});
afterAll(async () => api.close());

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
  } catch (error) {
    return kassaErrorCode(error);
  }
  throw new Error('expected the call to fail');
}

describe('a merchant backend using the client', () => {
  it('creates a checkout, pays it in the sandbox and reads paid with its audit trail', async () => {
    const created = await kassa.checkouts.create.mutate({
      amount: '12.50',
      currency: 'USD',
      metadata: { orderId: 'A-1' },
    });
    expect(created).toMatchObject({
      status: 'pending',
      amountDue: { amount: '12.50', asset: 'USD' },
      metadata: { orderId: 'A-1' },
    });
    expect(created.checkoutUrl).toBe(`http://127.0.0.1:0/pay/${created.id}`);

    const paid = await kassa.sandbox.simulate.mutate({ checkoutId: created.id, outcome: 'pay' });
    expect(paid.status).toBe('paid');
    expect(paid.amountReceived).toEqual({ amount: '12.50', asset: 'USD' });

    const read = await kassa.checkouts.get.query({ id: created.id });
    expect(read.status).toBe('paid');
    const audit = await kassa.checkouts.audit.query({ id: created.id });
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({
      sequence: 1,
      from: 'pending',
      to: 'paid',
      cause: { source: 'sandbox', type: 'credit' },
    });
  });

  it('drives each sandbox outcome through the same intake', async () => {
    const outcomes = [
      ['pay_part', 'partially_paid'],
      ['overpay', 'overpaid'],
      ['fail', 'failed'],
      ['expire', 'expired'],
    ] as const;
    for (const [outcome, status] of outcomes) {
      const checkout = await kassa.checkouts.create.mutate({ amount: '10.00', currency: 'EUR' });
      const after = await kassa.sandbox.simulate.mutate({ checkoutId: checkout.id, outcome });
      expect(after.status, outcome).toBe(status);
    }
  });

  it('pays in parts until paid, every step in the audit trail', async () => {
    const checkout = await kassa.checkouts.create.mutate({ amount: '10.00', currency: 'USD' });
    const part = await kassa.sandbox.simulate.mutate({
      checkoutId: checkout.id,
      outcome: 'pay_part',
      amount: '3.33',
    });
    expect(part).toMatchObject({ status: 'partially_paid', amountRemaining: { amount: '6.67' } });
    const rest = await kassa.sandbox.simulate.mutate({ checkoutId: checkout.id, outcome: 'pay' });
    expect(rest).toMatchObject({
      status: 'paid',
      amountReceived: { amount: '10.00' },
      amountRemaining: { amount: '0.00' },
    });
    const audit = await kassa.checkouts.audit.query({ id: checkout.id });
    expect(audit.data.map((a) => a.to)).toEqual(['partially_paid', 'paid']);
  });

  it('prices line items exactly, in zero-decimal and 7-decimal assets too', async () => {
    const yen = await kassa.checkouts.create.mutate({
      currency: 'JPY',
      lineItems: [
        { name: 'Tea', quantity: 3, unitAmount: '450' },
        { name: 'Cup', quantity: 1, unitAmount: '1200' },
      ],
    });
    expect(yen.amountDue).toEqual({ amount: '2550', asset: 'JPY' });
    expect(yen.lineItems.map((l) => l.amount.amount)).toEqual(['1350', '1200']);
    const usdc = await kassa.checkouts.create.mutate({ amount: '0.0000001', currency: 'USDC:stellar' });
    expect(usdc.amountDue).toEqual({ amount: '0.0000001', asset: 'USDC:stellar' });
    expect(
      await codeOf(
        kassa.checkouts.create.mutate({
          amount: '1',
          currency: 'JPY',
          lineItems: [{ name: 'x', quantity: 1, unitAmount: '2' }],
        }),
      ),
    ).toBe('amount_invalid');
  });

  it('an idempotency key returns the same checkout for the same body and refuses a different one', async () => {
    const key = { context: { idempotencyKey: 'order-42' } };
    const first = await kassa.checkouts.create.mutate({ amount: '5.00', currency: 'USD' }, key);
    const again = await kassa.checkouts.create.mutate({ currency: 'USD', amount: '5.00' }, key);
    expect(again.id).toBe(first.id);
    expect(await codeOf(kassa.checkouts.create.mutate({ amount: '6.00', currency: 'USD' }, key))).toBe(
      'idempotency_conflict',
    );
  });

  it('concurrent requests with one idempotency key create one checkout', async () => {
    const key = { context: { idempotencyKey: 'race-1' } };
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        kassa.checkouts.create.mutate({ amount: '7.00', currency: 'USD' }, key),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });

  it('lists newest first with a cursor and filters by status', async () => {
    const other = await api.merchant('Lister');
    const lister = createKassaClient({ baseUrl: api.url, secretKey: other.secretKey });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await lister.checkouts.create.mutate({ amount: `${i + 1}.00`, currency: 'USD' })).id);
    await lister.sandbox.simulate.mutate({ checkoutId: ids[1]!, outcome: 'pay' });

    const page1 = await lister.checkouts.list.query({ limit: 2 });
    const page2 = await lister.checkouts.list.query({ limit: 2, cursor: page1.nextCursor });
    const page3 = await lister.checkouts.list.query({ limit: 2, cursor: page2.nextCursor });
    expect([...page1.data, ...page2.data, ...page3.data].map((c) => c.id)).toEqual([...ids].reverse());
    expect(page3.nextCursor).toBeNull();

    const paid = await lister.checkouts.list.query({ status: 'paid' });
    expect(paid.data.map((c) => c.id)).toEqual([ids[1]]);
    expect(await codeOf(lister.checkouts.list.query({ cursor: 'not-a-cursor' }))).toBe('input_invalid');
  });

  it('cancels a pending checkout once, and refuses to cancel a paid one', async () => {
    const open = await kassa.checkouts.create.mutate({ amount: '3.00', currency: 'USD' });
    expect((await kassa.checkouts.cancel.mutate({ id: open.id })).status).toBe('canceled');
    expect((await kassa.checkouts.cancel.mutate({ id: open.id })).status).toBe('canceled');
    expect((await kassa.checkouts.audit.query({ id: open.id })).data).toHaveLength(1);

    const paid = await kassa.checkouts.create.mutate({ amount: '3.00', currency: 'USD' });
    await kassa.sandbox.simulate.mutate({ checkoutId: paid.id, outcome: 'pay' });
    expect(await codeOf(kassa.checkouts.cancel.mutate({ id: paid.id }))).toBe('checkout_not_cancelable');
    expect((await kassa.checkouts.get.query({ id: paid.id })).status).toBe('paid');
  });

  it('says exactly what is wrong with an amount', async () => {
    const cases = [
      ['12.505', 'amount_invalid'],
      ['1e3', 'amount_invalid'],
      ['-5', 'amount_invalid'],
      [' 5', 'amount_invalid'],
      ['', 'amount_invalid'],
      ['0', 'amount_invalid'],
      ['99999999999999999', 'amount_invalid'],
    ] as const;
    for (const [amount, code] of cases) {
      expect(await codeOf(kassa.checkouts.create.mutate({ amount, currency: 'USD' })), amount).toBe(code);
    }
    expect(await codeOf(kassa.checkouts.create.mutate({ amount: '1', currency: 'USDC' }))).toBe(
      'asset_unknown',
    );
    expect(
      await codeOf(kassa.checkouts.create.mutate({ amount: '1', currency: 'USD', rails: ['card'] })),
    ).toBe('rail_unavailable');
  });

  it('a wrong key is refused', async () => {
    const stranger = createKassaClient({ baseUrl: api.url, secretKey: 'sk_test_not-a-real-key' });
    expect(await codeOf(stranger.checkouts.list.query({}))).toBe('unauthorized');
  });
});
