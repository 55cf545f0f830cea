import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from './testing';

let api: TestApi;
let shop: TestMerchant;

const auth = () => ({ authorization: `Bearer ${shop.secretKey}` });

type ErrorBody = {
  error: {
    message: string;
    data: {
      kassaCode: string;
      httpStatus: number;
      issues?: { field: string; path: (string | number)[]; code: string; message: string }[];
    };
  };
};

async function refused(procedure: string, kind: 'query' | 'mutation', input: unknown): Promise<ErrorBody> {
  const res = await rawCall(api.url, procedure, kind, input, auth());
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  const body = res.body as ErrorBody;
  expect(body.error.data.kassaCode).toBe('input_invalid');
  // Never zod's issue list as JSON, never a stack.
  expect(body.error.message).not.toMatch(/^\[|"code"|\n|at .*\.ts/);
  return body;
}

const create = (input: unknown) => refused('checkouts.create', 'mutation', input);

beforeAll(async () => {
  api = await startTestApi();
  shop = await api.merchant('Words Shop');
});
afterAll(async () => api.close());

describe('a bad input is told in a sentence naming the field', () => {
  it('a missing field is required', async () => {
    const body = await create({ amount: '12.50' });
    expect(body.error.message).toBe('currency is required');
    expect(body.error.data.issues).toEqual([
      { field: 'currency', path: ['currency'], code: 'invalid_type', message: 'currency is required' },
    ]);
  });

  it('a wrong type says what it must be and what came', async () => {
    expect((await create({ amount: 12.5, currency: 'USD' })).error.message).toBe(
      'amount must be a string, not a number',
    );
    expect((await create({ amount: '1', currency: 'USD', escrow: 'yes' })).error.message).toBe(
      'escrow must be true or false, not a string',
    );
    expect((await create('12.50 USD')).error.message).toBe('the input must be an object, not a string');
  });

  it('an unknown key is named, each on its own', async () => {
    const body = await create({ amount: '1', currency: 'USD', tip: '1', foo: 2 });
    expect(body.error.message).toBe("unknown field 'tip'; unknown field 'foo'");
    expect(body.error.data.issues?.map((issue) => [issue.code, issue.path])).toEqual([
      ['unrecognized_keys', ['tip']],
      ['unrecognized_keys', ['foo']],
    ]);
  });

  it('a bad enum lists what it may be', async () => {
    expect((await create({ amount: '1', currency: 'USD', rails: ['paypal'] })).error.message).toBe(
      "rails[0] must be one of 'sandbox', 'card', 'stellar', 'evm'",
    );
    expect(
      (await refused('sandbox.simulate', 'mutation', { checkoutId: 'pay_x', outcome: 'win' })).error.message,
    ).toBe("outcome must be one of 'pay', 'pay_part', 'overpay', 'fail', 'expire'");
  });

  it('a nested field is named by its path', async () => {
    const body = await create({
      currency: 'USD',
      lineItems: [
        { name: 'Tea', quantity: 1, unitAmount: '4.00' },
        { name: 'Cake', quantity: 0, unitAmount: '3.50', colour: 'red' },
      ],
    });
    expect(body.error.message).toBe(
      "lineItems[1].quantity must be at least 1; unknown field 'lineItems[1].colour'",
    );
    expect(body.error.data.issues?.[0]).toEqual({
      field: 'lineItems[1].quantity',
      path: ['lineItems', 1, 'quantity'],
      code: 'too_small',
      message: 'lineItems[1].quantity must be at least 1',
    });
  });

  it('several issues at once are all told, in order', async () => {
    const body = await create({
      currency: '',
      successUrl: 'ftp://shop.example/done',
      expiresInSeconds: 5,
      description: 'x'.repeat(1001),
      metadata: { 'order id': 1 },
    });
    expect(body.error.message).toBe(
      [
        'currency must not be empty',
        'description must be at most 1000 characters long',
        'metadata must be an object of at most 50 keys of letters, digits, _ . - (up to 40 long), each with a string value up to 500 long',
        'successUrl must be an http or https URL',
        'expiresInSeconds must be at least 60',
      ].join('; '),
    );
    expect(body.error.data.issues?.map((issue) => issue.field)).toEqual([
      'currency',
      'description',
      'metadata',
      'successUrl',
      'expiresInSeconds',
    ]);
  });

  it('a rule of the whole input, a refinement and a list item are sentences too', async () => {
    expect((await create({ currency: 'USD' })).error.message).toBe('give an amount or line items');
    expect(
      (await refused('settings.update', 'mutation', { allowedOrigins: ['shop', 'https://a.example/x'] }))
        .error.message,
    ).toBe(
      'allowedOrigins[0] must be an origin like https://shop.example; allowedOrigins[1] must be an origin (scheme, host and port only), like https://shop.example',
    );
    expect((await refused('checkouts.list', 'query', { limit: 1000 })).error.message).toMatch(
      /^limit must be at most \d+$/,
    );
  });

  it('an amount the currency cannot hold names the field (amount_invalid)', async () => {
    const res = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '1.001', currency: 'USD' },
      auth(),
    );
    expect(res.body).toMatchObject({
      error: {
        message: 'amount must have at most 2 decimals for USD',
        data: { kassaCode: 'amount_invalid' },
      },
    });
  });

  it('a body that is not JSON, or the wrong method, is told plainly', async () => {
    const notJson = await fetch(`${api.url}/trpc/checkouts.create`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{"amount": "1",',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as ErrorBody).error.message).toMatch(
      /^the input is not valid JSON \(.+\)$/,
    );
    const get = await fetch(`${api.url}/trpc/checkouts.create`, { headers: auth() });
    expect(((await get.json()) as ErrorBody).error.message).toBe(
      'checkouts.create is a mutation: call it with POST',
    );
  });

  it('nothing was changed by the bad calls', async () => {
    const list = await rawCall(api.url, 'checkouts.list', 'query', {}, auth());
    expect(list.body).toMatchObject({ result: { data: { data: [], nextCursor: null } } });
    const settings = await rawCall(api.url, 'settings.get', 'query', undefined, auth());
    expect(settings.body).toMatchObject({ result: { data: { allowedOrigins: [] } } });

    const made = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '5.00', currency: 'USD' },
      auth(),
    );
    const id = (made.body as { result: { data: { id: string } } }).result.data.id;
    expect(
      (await refused('checkouts.cancel', 'mutation', { id, reason: 'changed my mind' })).error.message,
    ).toBe("unknown field 'reason'");
    expect(
      (await refused('sandbox.simulate', 'mutation', { checkoutId: id, outcome: 'pay', amount: 5 })).error
        .message,
    ).toBe('amount must be a string, not a number');
    const after = await rawCall(api.url, 'checkouts.get', 'query', { id }, auth());
    expect(after.body).toMatchObject({ result: { data: { id, status: 'pending' } } });
    const audit = await rawCall(api.url, 'checkouts.audit', 'query', { id }, auth());
    // No change was recorded: a bad call never reaches the payment.
    expect(audit.body).toMatchObject({ result: { data: { data: [] } } });
  });
});
