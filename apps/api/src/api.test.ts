import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from './testing';

let api: TestApi;
let alice: TestMerchant;
let bob: TestMerchant;

const bearer = (m: TestMerchant) => ({ authorization: `Bearer ${m.secretKey}` });
const publishable = (m: TestMerchant) => ({ 'x-kassa-publishable-key': m.publishableKey });

async function createFor(
  m: TestMerchant,
  body: object = { amount: '20.00', currency: 'USD' },
): Promise<string> {
  const res = await rawCall(api.url, 'checkouts.create', 'mutation', body, bearer(m));
  expect(res.status).toBe(200);
  return (res.body as { result: { data: { id: string } } }).result.data.id;
}

beforeAll(async () => {
  api = await startTestApi();
  alice = await api.merchant('Alice Shop');
  bob = await api.merchant('Bob Shop');
});
afterAll(async () => api.close());

describe('merchant isolation', () => {
  it('a merchant can never read or touch another merchant’s checkout', async () => {
    const id = await createFor(alice);
    for (const [procedure, kind, input] of [
      ['checkouts.get', 'query', { id }],
      ['checkouts.audit', 'query', { id }],
      ['checkouts.cancel', 'mutation', { id }],
      ['sandbox.simulate', 'mutation', { checkoutId: id, outcome: 'pay' }],
    ] as const) {
      const res = await rawCall(api.url, procedure, kind, input, bearer(bob));
      expect(res.status, procedure).toBe(404);
      expect(res.body).toMatchObject({ error: { data: { kassaCode: 'not_found' } } });
    }
    const list = await rawCall(api.url, 'checkouts.list', 'query', {}, bearer(bob));
    expect(JSON.stringify(list.body)).not.toContain(id);
    const mine = await rawCall(api.url, 'checkouts.get', 'query', { id }, bearer(alice));
    expect(mine.body).toMatchObject({ result: { data: { id, status: 'pending' } } });
  });

  it('the widget sees a checkout only with its own merchant’s publishable key, and no metadata', async () => {
    const id = await createFor(alice, {
      amount: '20.00',
      currency: 'USD',
      metadata: { internalRef: 'secret-ish' },
    });
    const own = await rawCall(api.url, 'checkout.get', 'query', { checkoutId: id }, publishable(alice));
    expect(own.body).toMatchObject({
      result: { data: { id, merchantName: 'Alice Shop', amountDue: { amount: '20.00', asset: 'USD' } } },
    });
    expect(JSON.stringify(own.body)).not.toContain('secret-ish');
    const other = await rawCall(api.url, 'checkout.get', 'query', { checkoutId: id }, publishable(bob));
    expect(other.status).toBe(404);
    const secretAsPublishable = await rawCall(
      api.url,
      'checkout.get',
      'query',
      { checkoutId: id },
      { 'x-kassa-publishable-key': alice.secretKey },
    );
    expect(secretAsPublishable.status).toBe(401);
  });

  it('a publishable key cannot call merchant procedures', async () => {
    const res = await rawCall(
      api.url,
      'checkouts.list',
      'query',
      {},
      { authorization: `Bearer ${alice.publishableKey}` },
    );
    expect(res.status).toBe(401);
  });
});

describe('the widget’s procedures', () => {
  it('selectRail returns the sandbox instructions for an allowed rail and refuses others', async () => {
    const id = await createFor(alice);
    const sandbox = await rawCall(
      api.url,
      'checkout.selectRail',
      'mutation',
      { checkoutId: id, rail: 'sandbox' },
      publishable(alice),
    );
    expect(sandbox.body).toMatchObject({
      result: { data: { rail: 'sandbox', outcomes: ['pay', 'pay_part', 'overpay', 'fail', 'expire'] } },
    });
    const card = await rawCall(
      api.url,
      'checkout.selectRail',
      'mutation',
      { checkoutId: id, rail: 'card' },
      publishable(alice),
    );
    expect(card.body).toMatchObject({ error: { data: { kassaCode: 'rail_not_allowed' } } });
  });

  it('the sandbox buttons pay a test checkout', async () => {
    const id = await createFor(alice);
    const paid = await rawCall(
      api.url,
      'checkout.simulate',
      'mutation',
      { checkoutId: id, outcome: 'pay' },
      publishable(alice),
    );
    expect(paid.body).toMatchObject({
      result: { data: { status: 'paid', amountRemaining: { amount: '0.00' } } },
    });
  });
});

describe('test and live never mix', () => {
  it('a test gateway refuses live keys', async () => {
    const live = await api.merchant('Live Shop', 'live');
    const res = await rawCall(api.url, 'checkouts.list', 'query', {}, bearer(live));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { data: { kassaCode: 'live_key_in_test_gateway' } } });
  });

  it('in a live gateway, a live key sees no test checkouts and cannot use the sandbox', async () => {
    const liveApi = await startTestApi({ gatewayMode: 'live', db: api.db });
    try {
      const testId = await createFor(alice);
      const { merchantId } = alice;
      const liveKey = await import('@kassa/db').then((db) =>
        db.issueKey(api.db.orm, merchantId as never, 'secret', 'live'),
      );
      const liveHeaders = { authorization: `Bearer ${liveKey}` };
      const read = await rawCall(liveApi.url, 'checkouts.get', 'query', { id: testId }, liveHeaders);
      expect(read.status).toBe(404);
      const sandbox = await rawCall(
        liveApi.url,
        'sandbox.simulate',
        'mutation',
        { checkoutId: testId, outcome: 'pay' },
        liveHeaders,
      );
      expect(sandbox.body).toMatchObject({ error: { data: { kassaCode: 'sandbox_live_payment' } } });
      // No live rail is configured yet, so a live checkout is refused with a clear reason.
      const create = await rawCall(
        liveApi.url,
        'checkouts.create',
        'mutation',
        { amount: '1.00', currency: 'USD' },
        liveHeaders,
      );
      expect(create.body).toMatchObject({ error: { data: { kassaCode: 'rail_unavailable' } } });
    } finally {
      await liveApi.close();
    }
  });
});

describe('errors a merchant can act on', () => {
  it('carry a tRPC code, a stable kassa code and a message, never a stack', async () => {
    const res = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '1.001', currency: 'USD' },
      bearer(alice),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: 'amount must have at most 2 decimals for USD',
        code: -32600,
        data: { code: 'BAD_REQUEST', httpStatus: 400, kassaCode: 'amount_invalid' },
      },
    });
    const unknownField = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '1', currency: 'USD', tip: '1' },
      bearer(alice),
    );
    expect(unknownField.body).toMatchObject({
      error: { data: { kassaCode: 'input_invalid', httpStatus: 400 } },
    });
    expect(JSON.stringify(unknownField.body)).not.toMatch(/stack|at .*\.ts/);
  });

  it('a bad Idempotency-Key, an oversized body or a special metadata key is a typed 4xx', async () => {
    const longKey = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '1.00', currency: 'USD' },
      { ...bearer(alice), 'idempotency-key': 'k'.repeat(6000) },
    );
    expect(longKey.status).toBe(400);
    expect(longKey.body).toMatchObject({ error: { data: { kassaCode: 'input_invalid' } } });
    const huge = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '1.00', currency: 'USD', description: 'x'.repeat(70_000) },
      bearer(alice),
    );
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: { data: { kassaCode: 'input_invalid' } } });
    const proto = await fetch(`${api.url}/trpc/checkouts.create`, {
      method: 'POST',
      headers: { ...bearer(alice), 'content-type': 'application/json' },
      body: '{"amount":"1.00","currency":"USD","metadata":{"__proto__":"x"}}',
    });
    expect(proto.status).toBe(400);
    const wrongMethod = await fetch(`${api.url}/trpc/checkouts.create`, { headers: bearer(alice) });
    expect(
      ((await wrongMethod.json()) as { error: { data: { kassaCode: string } } }).error.data.kassaCode,
    ).toBe('input_invalid');
  });

  it('a body that is not JSON is a 400', async () => {
    const res = await fetch(`${api.url}/trpc/checkouts.create`, {
      method: 'POST',
      headers: { ...bearer(alice), 'content-type': 'application/json' },
      body: '{"amount": "1",',
    });
    expect(res.status).toBe(400);
  });
});

describe('operator endpoints', () => {
  it('/health and /ready answer', async () => {
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const ready = await fetch(`${api.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('an unknown pay link is a 404', async () => {
    expect((await fetch(`${api.url}/pay/pay_doesnotexist000000`)).status).toBe(404);
  });
});
