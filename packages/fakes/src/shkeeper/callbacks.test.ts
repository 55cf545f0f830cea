import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { shkeeperSignature, startFakeShkeeper, type FakeShkeeper, type FakeShkeeperOptions } from './index';
import { fixture, paymentRequest, startReceiver, type Receiver } from './testing';

const PAYMENT_ID = 'pay_01J8ZQ3V6W9K2M4N5P7R8S0T1U';
const FIXTURE_ADDR = '0x6f2Fc9D7205B7D9037dDE45B5f9e12B18EA07e27';
const TX1 = '0x518a10b13a708fd11aa98db88c625dd45130db6656ba822600b01d0c53c85078';
const TX2 = '0x9c3e2f0a7d41b8e65f0c1a2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f67';

const SignatureExample = z.object({
  api_key: z.string(),
  invoice_callback: z.object({
    body: z.string(),
    headers: z.object({ 'X-Shkeeper-Timestamp': z.string(), 'X-Shkeeper-Signature': z.string() }),
  }),
  payout_callback: z.object({
    body: z.string(),
    headers: z.object({ 'X-Shkeeper-Timestamp': z.string(), 'X-Shkeeper-Signature': z.string() }),
  }),
});

const Callback = z.object({
  external_id: z.string(),
  status: z.string(),
  paid: z.boolean(),
  overpaid_fiat: z.string(),
  transactions: z.array(z.object({ txid: z.string(), trigger: z.boolean() })),
});

/** SHKeeper's own verifier (services/webhook_hmac.py), written out: 300 s window both ways, constant time. */
function verifyShkeeperCallback(
  input: Readonly<{ apiKey: string; body: string; timestamp: string; signature: string; nowSeconds: number }>,
): boolean {
  const signature = input.signature.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  if (Math.abs(input.nowSeconds - Number(input.timestamp)) > 300) return false;
  const expected = createHmac('sha256', Buffer.from(input.apiKey, 'utf8'))
    .update(Buffer.from(`${input.timestamp}.`, 'ascii'))
    .update(Buffer.from(input.body, 'utf8'))
    .digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

let fake: FakeShkeeper | undefined;
let receiver: Receiver | undefined;
let clock = new Date('2025-08-12T12:31:07Z');

async function setup(options: FakeShkeeperOptions = {}, statuses: readonly number[] = []) {
  receiver = await startReceiver(statuses);
  fake = await startFakeShkeeper({ apiKey: 'kassa-fixture-apikey-7d1f0c', now: () => clock, ...options });
  const created = await paymentRequest(fake, 'ETH-USDT', {
    external_id: PAYMENT_ID,
    amount: '49.99',
    callback_url: receiver.url,
  });
  const wallet = z.object({ wallet: z.string() }).parse(created.json).wallet;
  return { fake, receiver, wallet };
}

/** The fixture body with this run's deposit address and callback URL. */
function expectedBody(name: string, wallet: string): unknown {
  return JSON.parse(JSON.stringify(fixture(name)).replaceAll(FIXTURE_ADDR, wallet));
}

afterEach(async () => {
  await fake?.close();
  await receiver?.close();
  fake = undefined;
  receiver = undefined;
  clock = new Date('2025-08-12T12:31:07Z');
});

describe('fake SHKeeper: payment callbacks', () => {
  it('posts compact JSON with sorted keys, byte for byte what SHKeeper signs', async () => {
    const { fake, receiver, wallet } = await setup();
    fake.send(wallet, '49.99', { txid: TX1 });
    await fake.flush();
    expect(receiver.received).toHaveLength(1);
    const example = SignatureExample.parse(fixture('signature-example.json'));
    const received = receiver.received[0]!;
    expect(received.body).toBe(example.invoice_callback.body.replaceAll(FIXTURE_ADDR, wallet));
    expect(JSON.parse(received.body)).toEqual(expectedBody('callback.paid.json', wallet));
  });

  it('signs with all three headers, verifiable as SHKeeper documents it', async () => {
    const { fake, receiver, wallet } = await setup({ now: () => new Date() });
    fake.send(wallet, '49.99');
    await fake.flush();
    const { headers, body } = receiver.received[0]!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-shkeeper-api-key']).toBe(fake.apiKey);
    const timestamp = headerText(headers['x-shkeeper-timestamp']);
    const signature = headerText(headers['x-shkeeper-signature']);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(verifyShkeeperCallback({ apiKey: fake.apiKey, body, timestamp, signature, nowSeconds })).toBe(
      true,
    );
    expect(verifyShkeeperCallback({ apiKey: 'another-key', body, timestamp, signature, nowSeconds })).toBe(
      false,
    );
    expect(
      verifyShkeeperCallback({ apiKey: fake.apiKey, body: `${body} `, timestamp, signature, nowSeconds }),
    ).toBe(false);
    expect(
      verifyShkeeperCallback({
        apiKey: fake.apiKey,
        body,
        timestamp,
        signature,
        nowSeconds: nowSeconds + 301,
      }),
    ).toBe(false);
  });

  it("matches the fixture's signatures with the fake's signer and the documented verifier", () => {
    const example = SignatureExample.parse(fixture('signature-example.json'));
    for (const callback of [example.invoice_callback, example.payout_callback]) {
      const timestamp = callback.headers['X-Shkeeper-Timestamp'];
      const signature = callback.headers['X-Shkeeper-Signature'];
      expect(
        shkeeperSignature({ apiKey: example.api_key, timestamp: Number(timestamp), body: callback.body }),
      ).toBe(signature);
      expect(
        verifyShkeeperCallback({
          apiKey: example.api_key,
          body: callback.body,
          timestamp,
          signature,
          nowSeconds: Number(timestamp) + 10,
        }),
      ).toBe(true);
    }
  });

  it('computes status in fiat with the 95/105 % limits and reports overpaid_fiat over the upper limit', async () => {
    const { fake, receiver, wallet } = await setup();
    fake.send(wallet, '30', { txid: TX1 });
    await fake.flush();
    expect(JSON.parse(receiver.received[0]!.body)).toEqual(expectedBody('callback.partial.json', wallet));

    clock = new Date('2025-08-12T12:44:51Z');
    fake.send(wallet, '25', { txid: TX2 });
    await fake.flush();
    // 55.00 on 49.99: "2.51" over 105 %, not the 5.01 over the amount.
    expect(JSON.parse(receiver.received[1]!.body)).toEqual(expectedBody('callback.overpaid.json', wallet));

    // Callbacks keep coming after OVERPAID, one per transaction.
    fake.send(wallet, '1');
    await fake.flush();
    expect(Callback.parse(JSON.parse(receiver.received[2]!.body))).toMatchObject({
      status: 'OVERPAID',
      overpaid_fiat: '3.51',
    });
  });

  it('calls up to 5 % short PAID', async () => {
    const { fake, receiver, wallet } = await setup();
    fake.send(wallet, '48', { txid: TX1 });
    await fake.flush();
    expect(JSON.parse(receiver.received[0]!.body)).toEqual(
      expectedBody('callback.paid-within-underpay-tolerance.json', wallet),
    );
    expect(fake.invoice(PAYMENT_ID)?.status).toBe('PAID');
  });

  it('honours custom limits', async () => {
    const { fake, wallet } = await setup({ limits: { lower: '1', upper: '1.01' } });
    fake.send(wallet, '49.98');
    expect(fake.invoice(PAYMENT_ID)?.status).toBe('PARTIAL');
    fake.send(wallet, '0.51');
    expect(fake.invoice(PAYMENT_ID)?.status).toBe('OVERPAID');
  });

  it('retries until it gets exactly 202', async () => {
    const { fake, receiver, wallet } = await setup({ retryEveryMs: 20 }, [200, 204]);
    const txid = fake.send(wallet, '49.99');
    await receiver.waitFor(3);
    await fake.flush();
    expect(fake.callbacks().map((c) => [c.attempt, c.status, c.acknowledged, c.txid])).toEqual([
      [1, 200, false, txid],
      [2, 204, false, txid],
      [3, 202, true, txid],
    ]);
    expect(fake.invoice(PAYMENT_ID)?.transactions[0]?.acknowledged).toBe(true);
    // Acknowledged: nothing more to send.
    await fake.flush();
    expect(receiver.received).toHaveLength(3);
  });

  it('keeps retrying an unreachable receiver, and flush() runs the retry now', async () => {
    const { fake, receiver, wallet } = await setup({}, [500, 500]);
    fake.send(wallet, '49.99');
    await fake.flush();
    await fake.flush();
    await fake.flush();
    expect(fake.callbacks().map((c) => c.status)).toEqual([500, 500, 202]);
    expect(receiver.received).toHaveLength(3);
  });

  it('sends legacy callbacks (before v2.5.16) with only the API key header and unsorted JSON', async () => {
    const { fake, receiver, wallet } = await setup({ signCallbacks: false });
    fake.send(wallet, '49.99', { txid: TX1 });
    await fake.flush();
    const { headers, body } = receiver.received[0]!;
    expect(headers['x-shkeeper-api-key']).toBe(fake.apiKey);
    expect(headers['x-shkeeper-timestamp']).toBeUndefined();
    expect(headers['x-shkeeper-signature']).toBeUndefined();
    expect(body.startsWith(`{"external_id": "${PAYMENT_ID}", "crypto": "ETH-USDT"`)).toBe(true);
    expect(JSON.parse(body)).toEqual(expectedBody('callback.paid.json', wallet));
  });

  it('sends one callback per transaction, each with its own trigger, in either order', async () => {
    const { fake, receiver } = await setup();
    fake.setCallbackOrder('shuffle');
    const orders = new Set<string>();
    for (let round = 0; round < 24 && orders.size < 2; round++) {
      const externalId = `pay_round_${round}`;
      const created = await paymentRequest(fake, 'BNB-USDT', {
        external_id: externalId,
        amount: '100',
        callback_url: receiver.url,
      });
      const wallet = z.object({ wallet: z.string() }).parse(created.json).wallet;
      const before = receiver.received.length;
      fake.hold();
      const first = fake.send(wallet, '40');
      const second = fake.send(wallet, '60');
      expect(receiver.received).toHaveLength(before);
      fake.release();
      await fake.flush();
      const bodies = receiver.received.slice(before).map((r) => Callback.parse(JSON.parse(r.body)));
      expect(bodies).toHaveLength(2);
      for (const body of bodies) {
        // Both carry the state at sending time: both transactions, PAID.
        expect(body).toMatchObject({ external_id: externalId, status: 'PAID', paid: true });
        expect(body.transactions.map((t) => t.txid)).toEqual([first, second]);
        expect(body.transactions.filter((t) => t.trigger)).toHaveLength(1);
      }
      const triggers = bodies.map((b) => b.transactions.find((t) => t.trigger)?.txid);
      expect(new Set(triggers)).toEqual(new Set([first, second]));
      orders.add(triggers[0] === first ? 'first-first' : 'second-first');
    }
    expect(orders.size).toBe(2);
  });

  it('counts an under-confirmed transaction at once but calls back only when it confirms', async () => {
    const { fake, receiver, wallet } = await setup();
    const txid = fake.send(wallet, '49.99', { confirmed: false });
    await fake.flush();
    expect(receiver.received).toHaveLength(0);
    expect(fake.invoice(PAYMENT_ID)).toMatchObject({ status: 'PAID', balanceFiat: '49.99' });
    fake.confirm(txid);
    await fake.flush();
    expect(receiver.received).toHaveLength(1);
    expect(Callback.parse(JSON.parse(receiver.received[0]!.body)).transactions[0]).toMatchObject({
      txid,
      trigger: true,
    });
  });

  it('credits a payment to an address of a crypto the invoice switched away from', async () => {
    const { fake, receiver, wallet } = await setup();
    await paymentRequest(fake, 'USDT', {
      external_id: PAYMENT_ID,
      amount: '49.99',
      callback_url: receiver.url,
    });
    fake.send(wallet, '49.99');
    await fake.flush();
    const body = z
      .object({
        crypto: z.string(),
        status: z.string(),
        balance_fiat: z.string(),
        balance_crypto: z.string(),
      })
      .parse(JSON.parse(receiver.received[0]!.body));
    expect(body).toEqual({ crypto: 'USDT', status: 'PAID', balance_fiat: '49.99', balance_crypto: '0' });
  });
});
