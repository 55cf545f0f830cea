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
    // Random JSON, near-valid bodies for create, and real ids with wrong companions for the rest.
    const input =
      call.procedure === 'checkouts.create'
        ? fc.oneof(fc.jsonValue(), corruptedCreate)
        : fc.oneof(
            fc.jsonValue(),
            fc.record({ id: fc.jsonValue(), checkoutId: fc.jsonValue() }),
            fc.record({ checkoutId: fc.constant(existingId), outcome: fc.jsonValue(), rail: fc.jsonValue() }),
          );
    await fc.assert(
      fc.asyncProperty(input, async (body) => {
        const before = await rowFingerprint();
        const res = await rawCall(api.url, call.procedure, call.kind, body, headers);
        const after = await rowFingerprint();
        expect(after).toBe(before);
        if (res.status === 200) {
          // Only a read may succeed on random input (e.g. list with {}); it must not write.
          expect(call.kind).toBe('query');
          return;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body).toMatchObject({ error: { data: { kassaCode: expect.any(String) as string } } });
        expect((res.body as { error: { data: { kassaCode: string } } }).error.data.kassaCode).not.toBe(
          'internal',
        );
      }),
      { numRuns: 60 },
    );
  });
});
