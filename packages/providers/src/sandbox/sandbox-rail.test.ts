import {
  asMerchantId,
  asPaymentId,
  createAssetRegistry,
  formatAmount,
  openPayment,
  parseAmount,
  reduce,
  type Payment,
} from '@kassa/core';
import { describe, expect, it } from 'vitest';
import { createSandboxRail } from './sandbox-rail';

const registries = {
  testnet: createAssetRegistry({ chain: 'testnet' }),
  mainnet: createAssetRegistry({ chain: 'mainnet' }),
};
const sandbox = createSandboxRail(registries);
const now = new Date('2026-05-01T10:00:00Z');

function payment(amount: string, assetId = 'USD', mode: 'test' | 'live' = 'test'): Payment {
  const asset = registries.testnet.resolve(assetId);
  if (!asset.ok) throw new Error(assetId);
  const due = parseAmount(asset.value, amount);
  if (!due.ok) throw new Error(amount);
  return openPayment({
    id: asPaymentId('pay_sandbox00000000001'),
    merchantId: asMerchantId('mer_sandbox0000000001'),
    mode,
    amountDue: due.value,
    expiresAt: new Date(now.getTime() + 3600_000),
    escrow: false,
    now,
  });
}

/** Simulate, then decode the event as the inbox drain would, then reduce. */
function play(p: Payment, outcome: Parameters<typeof sandbox.simulate>[1]['outcome'], eventId: string) {
  const event = sandbox.simulate(p, { outcome }, now, eventId);
  if (!event.ok) throw new Error(event.error.message);
  const signals = sandbox.observe(event.value);
  if (!signals.ok) throw new Error(signals.error.message);
  expect(signals.value).toHaveLength(1);
  const t = reduce(p, signals.value[0]!.observation, now);
  if (t.type !== 'changed') throw new Error(t.type);
  return t.payment;
}

describe('sandbox rail', () => {
  it('each outcome becomes the observation a real provider event would', () => {
    expect(play(payment('10.00'), 'pay', 'e1').status).toBe('paid');
    const part = play(payment('10.00'), 'pay_part', 'e2');
    expect([part.status, formatAmount(part.received)]).toEqual(['partially_paid', '5.00']);
    const over = play(payment('10.00'), 'overpay', 'e3');
    expect([over.status, formatAmount(over.received)]).toEqual(['overpaid', '11.00']);
    expect(play(payment('10.00'), 'fail', 'e4').status).toBe('failed');
    expect(play(payment('10.00'), 'expire', 'e5').status).toBe('expired');
  });

  it('pays exactly the rest of a partly paid checkout, in any asset precision', () => {
    const part = play(payment('0.0000003', 'XLM:stellar'), 'pay_part', 'x1');
    expect(formatAmount(part.received)).toBe('0.0000001');
    const rest = play(part, 'pay', 'x2');
    expect([rest.status, formatAmount(rest.received)]).toEqual(['paid', '0.0000003']);
    // One minor unit due cannot be split: part of it is all of it.
    expect(play(payment('1', 'JPY'), 'pay_part', 'y1').status).toBe('paid');
  });

  it('refuses live payments', () => {
    const live = payment('10.00', 'USD', 'live');
    expect(sandbox.simulate(live, { outcome: 'pay' }, now, 'l1')).toMatchObject({
      ok: false,
      error: { code: 'sandbox_live_payment' },
    });
  });

  it('rejects a malformed stored event instead of guessing', () => {
    for (const body of [
      'not json',
      '{}',
      JSON.stringify({
        paymentId: 'pay_x',
        outcome: 'pay',
        amount: '1.00',
        asset: { id: 'NOPE', chain: null },
        txKey: 't',
        occurredAt: now.toISOString(),
      }),
    ]) {
      expect(
        sandbox.observe({ provider: 'sandbox', eventId: 'bad', eventType: 'sandbox.pay', body }),
      ).toMatchObject({ ok: false, error: { code: 'event_malformed' } });
    }
  });

  it('offers its outcomes as the payer’s instructions for test payments only', async () => {
    const context = { checkoutUrl: 'http://127.0.0.1:3000/pay/x', now: new Date() };
    const checkout = (p: ReturnType<typeof payment>) => ({
      payment: p,
      rails: ['sandbox' as const],
      description: null,
      metadata: {},
      successUrl: null,
      cancelUrl: null,
      lineItems: [],
    });
    expect(await sandbox.instructions(checkout(payment('1.00')), context)).toEqual({
      ok: true,
      value: { rail: 'sandbox', outcomes: ['pay', 'pay_part', 'overpay', 'fail', 'expire'] },
    });
    expect(await sandbox.instructions(checkout(payment('1.00', 'USD', 'live')), context)).toMatchObject({
      ok: false,
    });
  });
});
