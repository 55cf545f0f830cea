import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  asMerchantId,
  asPaymentId,
  createAssetRegistry,
  openPayment,
  parseAmount,
  type Checkout,
  type Payment,
} from '@kassa/core';
import fc from 'fast-check';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeConfig } from './config';
import { decodeStripeEvent, METADATA_EXPIRES_AT } from './events';
import { verifyStripeSignature } from './signature';
import { createStripeRail, sessionParams } from './stripe-rail';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'stripe');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const example = JSON.parse(fixture('signature-example.json')) as {
  secret: string;
  timestamp: number;
  header: string;
  header_with_rotation_and_v0: string;
};
const completedBody = fixture('checkout.session.completed.json');
const assets = createAssetRegistry({ chain: 'testnet' });
const stripe = new Stripe('sk_test_x');
const usdAsset = assets.resolve('USD');
if (!usdAsset.ok) throw new Error('no USD');
const usd = usdAsset.value;

describe('Stripe-Signature', () => {
  const body = Buffer.from(completedBody, 'utf8');
  const at = example.timestamp;

  it('accepts the fixture’s signature, also among rotated ones and beside v0', () => {
    expect(verifyStripeSignature(body, example.header, [example.secret], at).ok).toBe(true);
    expect(verifyStripeSignature(body, example.header_with_rotation_and_v0, [example.secret], at).ok).toBe(
      true,
    );
    // The secret being rotated in is listed first: the old one still verifies.
    expect(verifyStripeSignature(body, example.header, ['whsec_newSecret', example.secret], at).ok).toBe(
      true,
    );
  });

  it('agrees with stripe-node’s own signer for any body, secret and time', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.stringMatching(/^[0-9A-Za-z]{8,32}$/),
        fc.integer({ min: 1, max: 2e9 }),
        (text, key, t) => {
          const secret = `whsec_${key}`;
          const header = stripe.webhooks.generateTestHeaderString({ payload: text, secret, timestamp: t });
          expect(verifyStripeSignature(Buffer.from(text, 'utf8'), header, [secret], t).ok).toBe(true);
        },
      ),
    );
  });

  it('refuses a missing, malformed, stale, future, forged or tampered signature', () => {
    const cases: [Buffer, string | undefined, number, string][] = [
      [body, undefined, at, 'signature_missing'],
      [body, 'v1=abc', at, 'signature_malformed'],
      [body, `t=${at}`, at, 'signature_malformed'],
      [body, example.header, at + 301, 'signature_stale'],
      [body, example.header, at - 301, 'signature_stale'],
      [body, example.header.replace(/v1=./, 'v1=0'), at, 'signature_mismatch'],
      [Buffer.from(completedBody.replace('4999', '4998')), example.header, at, 'signature_mismatch'],
      [body, example.header.replace(`t=${at}`, `t=${at + 1}`), at, 'signature_mismatch'],
    ];
    for (const [raw, header, now, code] of cases) {
      expect(verifyStripeSignature(raw, header, [example.secret], now), `${header} at ${now}`).toMatchObject({
        ok: false,
        error: { code },
      });
    }
    expect(verifyStripeSignature(body, example.header, ['whsec_other'], at)).toMatchObject({ ok: false });
  });

  it('signs as the spec says: HMAC-SHA256 of "t.body" keyed with the whole whsec_ string', () => {
    const v1 = createHmac('sha256', example.secret).update(`${at}.${completedBody}`).digest('hex');
    expect(example.header).toBe(`t=${at},v1=${v1}`);
  });
});

describe('Stripe events as observations', () => {
  const decode = (body: string, mode: 'test' | 'live' = 'test') => decodeStripeEvent(body, assets, mode);
  const paymentId = asPaymentId('pay_01J8ZQ3V6W9K2M4N5P7R8S0T1U');

  it('completed and paid is a credit of the session total, keyed by the payment intent', () => {
    const decoded = decode(completedBody);
    expect(decoded.ok && decoded.value).toEqual([
      {
        paymentId,
        observation: {
          source: 'stripe',
          externalId: 'evt_1RvKq4LkdIwHu7ixQ2bM5n8T',
          occurredAt: new Date(1755000412 * 1000),
          type: 'credit',
          txKey: 'stripe:pi_3RvKq2LkdIwHu7ix1Xb9QmTz',
          amount: { asset: usd, minor: 4999n },
        },
        mode: 'test',
      },
    ]);
  });

  it('a delayed method: completed unpaid is processing, then succeeded credits once or failed fails', () => {
    const completedUnpaid = completedBody.replace('"payment_status": "paid"', '"payment_status": "unpaid"');
    expect(decode(completedUnpaid)).toMatchObject({ ok: true, value: [{ observation: { type: 'seen' } }] });
    const succeeded = decode(fixture('checkout.session.async_payment_succeeded.json'));
    expect(succeeded).toMatchObject({
      ok: true,
      value: [{ observation: { type: 'credit', txKey: 'stripe:pi_3RvKr9LkdIwHu7ix0Hc4YtWe' } }],
    });
    expect(decode(fixture('checkout.session.async_payment_failed.json'))).toMatchObject({
      ok: true,
      value: [{ observation: { type: 'failed' } }],
    });
  });

  it('a session expiring before its checkout does not end the checkout; one that lasted to it does', () => {
    const expired = fixture('checkout.session.expired.json');
    expect(decode(expired)).toEqual({ ok: true, value: [] });
    const json = JSON.parse(expired) as {
      data: { object: { metadata: Record<string, string>; expires_at: number } };
    };
    const session = json.data.object;
    session.metadata[METADATA_EXPIRES_AT] = String(session.expires_at);
    expect(decode(JSON.stringify(json))).toMatchObject({
      ok: true,
      value: [{ observation: { type: 'expired' } }],
    });
    session.metadata[METADATA_EXPIRES_AT] = String(session.expires_at + 3 * 86_400);
    expect(decode(JSON.stringify(json))).toEqual({ ok: true, value: [] });
  });

  it('ignores events of the other mode, of other sessions and of types Kassa does not act on', () => {
    expect(decode(completedBody, 'live')).toEqual({ ok: true, value: [] });
    expect(decode(completedBody.replace(/"pay_01J8ZQ3V6W9K2M4N5P7R8S0T1U"/g, '"order-17"'))).toEqual({
      ok: true,
      value: [],
    });
    expect(decode(fixture('charge.refunded.json'))).toEqual({ ok: true, value: [] });
  });

  const envelope = (type: string, object: Record<string, unknown>) =>
    JSON.stringify({
      id: `evt_${type.replace(/\W/g, '')}1`,
      object: 'event',
      type,
      created: 1755000500,
      livemode: false,
      data: { object },
    });
  const refundObject = (status: string, metadata: Record<string, string> = {}) => ({
    object: 'refund',
    id: 're_3RvKq2LkdIwHu7ix0a1b2c3d',
    amount: 1000,
    currency: 'usd',
    status,
    payment_intent: 'pi_3RvKq2LkdIwHu7ix1Xb9QmTz',
    metadata,
  });

  it("a refund made in Stripe's dashboard leads back through its payment intent; a failed one is taken back", () => {
    expect(decode(envelope('refund.created', refundObject('succeeded')))).toMatchObject({
      ok: true,
      value: [
        {
          creditTxKey: 'stripe:pi_3RvKq2LkdIwHu7ix1Xb9QmTz',
          observation: {
            type: 'refund',
            refundKey: 'stripe:re_3RvKq2LkdIwHu7ix0a1b2c3d',
            amount: { minor: 1000n },
          },
        },
      ],
    });
    expect(
      decode(envelope('refund.created', refundObject('succeeded', { kassa_payment_id: paymentId }))),
    ).toMatchObject({
      ok: true,
      value: [{ paymentId, observation: { type: 'refund' } }],
    });
    for (const status of ['failed', 'canceled']) {
      expect(decode(envelope('refund.failed', refundObject(status)))).toMatchObject({
        ok: true,
        value: [{ observation: { type: 'refund_failed', refundKey: 'stripe:re_3RvKq2LkdIwHu7ix0a1b2c3d' } }],
      });
    }
    expect(decode(envelope('refund.updated', refundObject('pending')))).toEqual({ ok: true, value: [] });
  });

  it('charge.refunded counts the refunds it embeds under their own keys; without them its refund events do', () => {
    const charge = JSON.parse(fixture('charge.refunded.json')) as {
      data: { object: Record<string, unknown> };
    };
    expect(decode(JSON.stringify(charge))).toEqual({ ok: true, value: [] });
    charge.data.object['refunds'] = { object: 'list', data: [refundObject('succeeded')] };
    expect(decode(JSON.stringify(charge))).toMatchObject({
      ok: true,
      value: [{ observation: { type: 'refund', refundKey: 'stripe:re_3RvKq2LkdIwHu7ix0a1b2c3d' } }],
    });
  });

  it('a dispute flags the payment its payment intent paid, open until won or lost', () => {
    const dispute = (status: string) => ({
      object: 'dispute',
      id: 'dp_1RvKq2LkdIwHu7ixAbCdEfGh',
      payment_intent: 'pi_3RvKq2LkdIwHu7ix1Xb9QmTz',
      status,
    });
    const cases = [
      ['charge.dispute.created', 'needs_response', 'open'],
      ['charge.dispute.created', 'warning_needs_response', 'open'],
      ['charge.dispute.closed', 'won', 'won'],
      ['charge.dispute.closed', 'warning_closed', 'won'],
      ['charge.dispute.closed', 'lost', 'lost'],
    ] as const;
    for (const [type, stripeStatus, status] of cases) {
      expect(decode(envelope(type, dispute(stripeStatus)))).toMatchObject({
        ok: true,
        value: [
          {
            creditTxKey: 'stripe:pi_3RvKq2LkdIwHu7ix1Xb9QmTz',
            observation: { type: 'dispute', disputeKey: 'stripe:dp_1RvKq2LkdIwHu7ixAbCdEfGh', status },
          },
        ],
      });
    }
    // A status Stripe adds later is kept in the inbox with a reason, not guessed at.
    expect(decode(envelope('charge.dispute.closed', dispute('something_new')))).toMatchObject({ ok: false });
  });

  it('refuses what is not a Stripe event', () => {
    for (const body of [
      '',
      'null',
      '{}',
      '{"id":"evt_1","object":"event"}',
      completedBody.replace('"usd"', '42'),
    ])
      expect(decode(body)).toMatchObject({ ok: false, error: { code: 'event_malformed' } });
  });
});

describe('the Checkout Session Kassa asks for', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  const context = { checkoutUrl: 'https://pay.example/pay/pay_0123456789', now };
  function checkout(amount: string, currency: string, expiresInS = 3600): Checkout {
    const asset = assets.resolve(currency);
    if (!asset.ok) throw new Error(currency);
    const due = parseAmount(asset.value, amount);
    if (!due.ok) throw new Error(amount);
    const payment = {
      id: asPaymentId('pay_0123456789'),
      mode: 'test',
      status: 'pending',
      received: { asset: asset.value, minor: 0n },
      amountDue: due.value,
      expiresAt: new Date(now.getTime() + expiresInS * 1000),
    } as unknown as Payment;
    return {
      payment,
      rails: ['card'],
      description: 'Two mugs',
      metadata: {},
      successUrl: null,
      cancelUrl: null,
      lineItems: [],
    };
  }

  it('is only for an open checkout nothing was paid on yet', () => {
    const base = checkout('12.50', 'USD');
    for (const payment of [
      { ...base.payment, status: 'expired' },
      { ...base.payment, status: 'partially_paid', received: { ...base.payment.amountDue, minor: 100n } },
    ]) {
      expect(sessionParams({ ...base, payment } as Checkout, context)).toMatchObject({
        ok: false,
        error: { code: 'rail_not_allowed' },
      });
    }
  });

  it('charges the exact amount in minor units, JPY without decimals', () => {
    const usd = sessionParams(checkout('12.50', 'USD'), context);
    expect(usd.ok && usd.value.line_items?.[0]?.price_data).toMatchObject({
      currency: 'usd',
      unit_amount: 1250,
    });
    const jpy = sessionParams(checkout('1500', 'JPY'), context);
    expect(jpy.ok && jpy.value.line_items?.[0]?.price_data).toMatchObject({
      currency: 'jpy',
      unit_amount: 1500,
    });
  });

  it('takes three-decimal currencies in Stripe’s steps of 0.010 only, and refuses what Stripe cannot charge', () => {
    expect(sessionParams(checkout('1.230', 'KWD'), context).ok).toBe(true);
    expect(sessionParams(checkout('1.235', 'KWD'), context)).toMatchObject({
      ok: false,
      error: { code: 'amount_invalid' },
    });
    expect(sessionParams(checkout('1000000', 'USD'), context)).toMatchObject({
      ok: false,
      error: { code: 'amount_invalid' },
    });
    expect(sessionParams(checkout('10.00', 'USDC:stellar'), context)).toMatchObject({ ok: false });
    // ISO gives MGA two decimals, Stripe none: it would be charged 100 times over.
    expect(sessionParams(checkout('1000.00', 'MGA'), context)).toMatchObject({ ok: false });
  });

  it('expires with the checkout, within Stripe’s 30 min to 24 h, and links back to Kassa’s page', () => {
    const nowS = now.getTime() / 1000;
    const within = sessionParams(checkout('5.00', 'USD', 2 * 3600), context);
    expect(within.ok && within.value.expires_at).toBe(nowS + 2 * 3600);
    // Stripe keeps a session 30 min at least: a checkout closing sooner is not offered cards.
    expect(sessionParams(checkout('5.00', 'USD', 20 * 60), context)).toMatchObject({
      ok: false,
      error: { code: 'rail_not_allowed' },
    });
    const long = sessionParams(checkout('5.00', 'USD', 7 * 86_400), context);
    expect(long.ok && long.value.expires_at).toBeLessThanOrEqual(nowS + 24 * 3600);
    expect(within.ok && within.value).toMatchObject({
      mode: 'payment',
      client_reference_id: 'pay_0123456789',
      success_url: context.checkoutUrl,
      cancel_url: context.checkoutUrl,
      metadata: { kassa_payment_id: 'pay_0123456789' },
    });
  });
});

describe('configuration', () => {
  it('refuses a live key in a test gateway, and a key without webhook secrets', () => {
    expect(
      stripeConfig({ STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: ['whsec_a'] }, 'test').ok,
    ).toBe(false);
    expect(stripeConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' }, 'test').ok).toBe(false);
    // Half a configuration is a mistake, not "no card rail".
    expect(stripeConfig({ STRIPE_WEBHOOK_SECRET: ['whsec_a'] }, 'test').ok).toBe(false);
    // A live key goes to Stripe over TLS only.
    expect(
      stripeConfig(
        {
          STRIPE_SECRET_KEY: 'sk_live_abc',
          STRIPE_WEBHOOK_SECRET: ['whsec_a'],
          STRIPE_API_URL: 'http://10.0.0.5',
        },
        'live',
      ).ok,
    ).toBe(false);
    expect(stripeConfig({}, 'test')).toEqual({ ok: true, value: null });
    const fake = stripeConfig(
      {
        STRIPE_SECRET_KEY: 'sk_test_abc',
        STRIPE_WEBHOOK_SECRET: ['whsec_a', 'whsec_b'],
        STRIPE_API_URL: 'http://127.0.0.1:4242',
      },
      'test',
    );
    expect(fake).toEqual({
      ok: true,
      value: {
        secretKey: 'sk_test_abc',
        mode: 'test',
        webhookSecrets: ['whsec_a', 'whsec_b'],
        api: { host: '127.0.0.1', port: 4242, protocol: 'http' },
      },
    });
  });
});

describe('when Stripe is down', () => {
  it("the payer gets provider_unavailable (a 503 in the API) and the operator Stripe's request id", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(500, {
        'content-type': 'application/json',
        'request-id': 'req_outage123',
        'stripe-should-retry': 'false',
      });
      res.end(JSON.stringify({ error: { type: 'api_error', message: 'An unknown error occurred' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const rail = createStripeRail(
        {
          secretKey: 'sk_test_down',
          mode: 'test',
          webhookSecrets: ['whsec_x'],
          api: { host: '127.0.0.1', port, protocol: 'http' },
        },
        assets,
      );
      const now = new Date();
      const due = parseAmount(usd, '10.00');
      if (!due.ok) throw new Error('amount');
      const payment = openPayment({
        id: asPaymentId('pay_0123456789abcdef'),
        merchantId: asMerchantId('mer_0123456789abcdef'),
        mode: 'test',
        amountDue: due.value,
        expiresAt: new Date(now.getTime() + 3_600_000),
        escrow: false,
        now,
      });
      const checkout: Checkout = {
        payment,
        lineItems: [],
        rails: ['card'],
        description: null,
        metadata: {},
        successUrl: null,
        cancelUrl: null,
      };
      const result = await rail.instructions(checkout, { checkoutUrl: 'http://127.0.0.1/pay/x', now });
      expect(result).toMatchObject({ ok: false, error: { code: 'provider_unavailable' } });
      expect(!result.ok && result.error.message).toMatch(/req_outage123/);
      const events = await rail.readEvents('evt_1', now);
      expect(events).toMatchObject({ ok: false, error: { code: 'provider_unavailable' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
