import { createAssetRegistry } from '@kassa/core';
import { rowFingerprint as fingerprint } from '@kassa/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from './testing';

let api: TestApi;
let shop: TestMerchant;
let existingId: string;

beforeAll(async () => {
  api = await startTestApi();
  shop = await api.merchant('Fuzz Shop');
  const res = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount: '5.00', currency: 'USD' },
    { authorization: `Bearer ${shop.secretKey}` },
  );
  existingId = (res.body as { result: { data: { id: string } } }).result.data.id;
});
afterAll(async () => api.close());

const rowFingerprint = () => fingerprint(api.db);

const registry = createAssetRegistry({ chain: 'testnet' });
const RAIL_NAMES = new Set(['sandbox', 'card', 'stellar', 'evm']);

/** Could this value be accepted for this field? Such cases are not fuzz: they would rightly create a checkout. */
function mightBeValid(field: string, value: unknown): boolean {
  switch (field) {
    case 'amount':
      return typeof value === 'string' && /^[0-9]+(\.[0-9]{1,2})?$/.test(value);
    case 'currency':
      return typeof value === 'string' && registry.resolve(value).ok;
    case 'rails':
      return (
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => typeof v === 'string' && RAIL_NAMES.has(v))
      );
    case 'metadata':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string')
      );
    case 'expiresInSeconds':
      return Number.isInteger(value);
    case 'successUrl':
      return typeof value === 'string' && URL.canParse(value);
    case 'escrow':
      return typeof value === 'boolean';
    case 'description':
      return typeof value === 'string';
    default:
      return false;
  }
}

const corruptedCreate = fc
  .record({
    field: fc.constantFrom(
      'amount',
      'currency',
      'lineItems',
      'rails',
      'metadata',
      'expiresInSeconds',
      'successUrl',
      'escrow',
      'unexpected',
    ),
    value: fc.jsonValue(),
  })
  .filter(({ field, value }) => !mightBeValid(field, value))
  .map(({ field, value }) => ({ amount: '1.00', currency: 'USD', [field]: value }));

const OUTCOMES = new Set(['pay', 'pay_part', 'overpay', 'fail', 'expire']);
const notAn = (allowed: Set<string>) =>
  fc.jsonValue().filter((v) => !(typeof v === 'string' && allowed.has(v)));
const badAmount = fc.jsonValue().filter((v) => !mightBeValid('amount', v));
const unknownId = fc.oneof(
  fc.jsonValue(),
  fc.string().map((s) => `pay_${s}`),
);
const withExtra = (body: Record<string, unknown>) =>
  fc.record({ extra: fc.jsonValue() }).map((x) => ({ ...body, ...x }));

/** Near-valid bodies per procedure: right shape, one thing wrong, so the handlers are reached. */
const nearValid: Record<string, () => fc.Arbitrary<unknown>> = {
  'checkouts.create': () => corruptedCreate,
  'checkouts.get': () => fc.oneof(fc.record({ id: unknownId }), withExtra({ id: existingId })),
  'checkouts.audit': () => fc.oneof(fc.record({ id: unknownId }), withExtra({ id: existingId })),
  'checkouts.cancel': () => fc.oneof(fc.record({ id: unknownId }), withExtra({ id: existingId })),
  'checkouts.list': () =>
    fc.oneof(
      fc.record({ limit: fc.jsonValue() }),
      fc.record({ cursor: fc.string() }),
      fc.record({ status: fc.jsonValue() }),
      fc.record({ createdAfter: fc.jsonValue() }),
    ),
  'sandbox.simulate': () =>
    fc.oneof(
      fc.record({ checkoutId: fc.constant(existingId), outcome: notAn(OUTCOMES) }),
      fc.record({ checkoutId: fc.constant(existingId), outcome: fc.constant('pay'), amount: badAmount }),
      fc.record({ checkoutId: unknownId, outcome: fc.constant('pay') }),
    ),
  'checkout.get': () => fc.oneof(fc.record({ checkoutId: unknownId }), withExtra({ checkoutId: existingId })),
  'checkout.selectRail': () =>
    fc.oneof(
      fc.record({ checkoutId: fc.constant(existingId), rail: notAn(new Set(['sandbox'])) }),
      fc.record({ checkoutId: unknownId, rail: fc.constant('sandbox') }),
    ),
  'checkout.simulate': () =>
    fc.oneof(
      fc.record({ checkoutId: fc.constant(existingId), outcome: notAn(OUTCOMES) }),
      fc.record({ checkoutId: unknownId, outcome: fc.constant('pay') }),
    ),
};

type Call = Readonly<{ procedure: string; kind: 'query' | 'mutation'; auth: 'secret' | 'publishable' }>;
const CALLS: readonly Call[] = [
  { procedure: 'checkouts.create', kind: 'mutation', auth: 'secret' },
  { procedure: 'checkouts.get', kind: 'query', auth: 'secret' },
  { procedure: 'checkouts.list', kind: 'query', auth: 'secret' },
  { procedure: 'checkouts.cancel', kind: 'mutation', auth: 'secret' },
  { procedure: 'checkouts.audit', kind: 'query', auth: 'secret' },
  { procedure: 'sandbox.simulate', kind: 'mutation', auth: 'secret' },
  { procedure: 'checkout.get', kind: 'query', auth: 'publishable' },
  { procedure: 'checkout.selectRail', kind: 'mutation', auth: 'publishable' },
  { procedure: 'checkout.simulate', kind: 'mutation', auth: 'publishable' },
];

describe('fuzz: random JSON at every procedure', () => {
  it.each(CALLS)('$procedure answers a typed 4xx (or a plain read) and changes no row', async (call) => {
    const headers =
      call.auth === 'secret'
        ? { authorization: `Bearer ${shop.secretKey}` }
        : { 'x-kassa-publishable-key': shop.publishableKey };
    const input = fc.oneof(fc.jsonValue(), nearValid[call.procedure]!());
    await fc.assert(
      fc.asyncProperty(input, async (body) => {
        const before = await rowFingerprint();
        const res = await rawCall(api.url, call.procedure, call.kind, body, headers);
        const after = await rowFingerprint();
        expect(after).toBe(before);
        if (res.status === 200) {
          // Only a read may succeed on random input (list with {}, selectRail for an allowed rail).
          expect(call.kind === 'query' || call.procedure === 'checkout.selectRail').toBe(true);
          return;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body).toMatchObject({ error: { data: { kassaCode: expect.any(String) as string } } });
        expect((res.body as { error: { data: { kassaCode: string } } }).error.data.kassaCode).not.toBe(
          'internal',
        );
      }),
      { numRuns: 80 },
    );
  });
});
