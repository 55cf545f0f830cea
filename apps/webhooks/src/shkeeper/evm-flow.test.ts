import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from '@kassa/api/testing';
import { drainInbox, getCheckout, tables } from '@kassa/db';
import type { EvmRail, ShkeeperConfig } from '@kassa/providers';
import { startFakeShkeeper, type FakeShkeeper } from '@kassa/fakes/shkeeper';
import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhooksServer, type WebhooksServerDeps } from '../server';
import { advanceEscrowPayouts } from '../workers/escrow-payouts';
import { advancePayouts } from '../workers/payouts';
import { reconcileShkeeper } from '../workers/shkeeper-reconcile';

const API_KEY = 'kassa-test-shkeeper-key-0001';
const ADMIN = { user: 'kassa', password: 'escrow-admin-pass' };
let shkeeper: FakeShkeeper;
let api: TestApi;
let shop: TestMerchant;
let receiverUrl = '';
let closeReceiver: () => Promise<void>;
const receiverDeps: WebhooksServerDeps = { db: undefined as never, log: pino({ level: 'silent' }) };

beforeAll(async () => {
  shkeeper = await startFakeShkeeper({ apiKey: API_KEY, admin: ADMIN, retryEveryMs: 50 });
  // The receiver first: SHKeeper is told its URL when an invoice is made.
  const server = createWebhooksServer(receiverDeps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeReceiver = () => new Promise((resolve) => server.close(() => resolve()));
  api = await startTestApi({ shkeeper: config({}) });
  receiverDeps.db = api.db;
  receiverDeps.shkeeper = api.deps.evm;
  shop = await api.merchant('Token Shop');
});
afterAll(async () => {
  await closeReceiver?.();
  await api?.close();
  await shkeeper?.close();
});

function config(change: Partial<ShkeeperConfig>): ShkeeperConfig {
  return {
    url: shkeeper.url,
    apiKey: API_KEY,
    admin: ADMIN,
    legacyCallbacks: false,
    payoutFee: '10',
    mode: 'test',
    callbackUrl: `${receiverUrl}/shkeeper`,
    payoutCallbackUrl: `${receiverUrl}/shkeeper/payout`,
    ...change,
  };
}

const merchant = () => ({ authorization: `Bearer ${shop.secretKey}` });
const payerHeaders = () => ({ 'x-kassa-publishable-key': shop.publishableKey });
const data = <T>(res: { body: unknown }) => (res.body as { result: { data: T } }).result.data;
const kassaCode = (res: { body: unknown }) =>
  (res.body as { error?: { data: { kassaCode: string } } }).error?.data.kassaCode;

function rail(): EvmRail {
  if (!api.deps.evm) throw new Error('no evm rail');
  return api.deps.evm;
}

type Instructions = {
  rail: 'evm';
  address: string;
  amount: string;
  asset: { id: string; code: string; contract: string | null; decimals: number };
  network: string;
  uri: string;
  qrSvg: string;
};

async function tokenCheckout(amount: string): Promise<string> {
  const res = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount, currency: 'USD', rails: ['evm'] },
    merchant(),
  );
  expect(res.status).toBe(200);
  return data<{ id: string }>(res).id;
}

async function choose(checkoutId: string, asset: string): Promise<Instructions> {
  const res = await rawCall(
    api.url,
    'checkout.selectRail',
    'mutation',
    { checkoutId, rail: 'evm', asset },
    payerHeaders(),
  );
  expect(res.status).toBe(200);
  return data<Instructions>(res);
}

/** SHKeeper's callbacks delivered, and what the receiver stored applied, as the workers do. */
async function settle(): Promise<void> {
  await shkeeper.flush();
  const evm = rail();
  while ((await drainInbox(api.db, { shkeeper: (event) => evm.observe(event) })).length > 0);
}

const paymentOf = async (id: string) => {
  const checkout = await getCheckout(api.db.orm, id);
  if (!checkout) throw new Error(`no checkout ${id}`);
  return checkout.payment;
};

describe('paying a checkout in stablecoins through SHKeeper', () => {
  it('USDT on BSC: the exact amount SHKeeper quoted, an EIP-681 link and QR code; paid once SHKeeper reports it', async () => {
    const id = await tokenCheckout('12.50');
    const pay = await choose(id, 'USDT:bsc');
    expect(pay).toMatchObject({
      rail: 'evm',
      amount: '12.500000000000000000',
      network: 'bsc',
      asset: { id: 'USDT:bsc', decimals: 18 },
    });
    expect(pay.address).toBe(shkeeper.invoice(id)?.addr);
    expect(pay.uri).toBe(
      `ethereum:${pay.asset.contract}@97/transfer?address=${pay.address}&uint256=12500000000000000000`,
    );
    expect(pay.qrSvg).toMatch(/^<svg/);
    shkeeper.send(pay.address, '12.5');
    await settle();
    expect((await paymentOf(id)).status).toBe('paid');
    // SHKeeper heard exactly 202 for it.
    const answered = shkeeper.callbacks().filter((c) => c.externalId === id);
    expect(answered.map((c) => c.status)).toContain(202);
  });

  it('Tron USDT gets the plain address; underpaid then topped up; SHKeeper’s "PAID when 5% short" is not paid here', async () => {
    const id = await tokenCheckout('100.00');
    const pay = await choose(id, 'USDT:tron');
    expect(pay.uri).toBe(pay.address);
    expect(pay.address).toMatch(/^T/);
    shkeeper.send(pay.address, '96');
    await settle();
    expect(shkeeper.invoice(id)?.status).toBe('PAID');
    const partly = await paymentOf(id);
    expect(partly.status).toBe('partially_paid');
    expect(partly.received.minor).toBe(9600n);
    shkeeper.send(pay.address, '4');
    await settle();
    expect((await paymentOf(id)).status).toBe('paid');
  });

  it('a merchant who tolerates 5% short gets paid at 96 of 100', async () => {
    const tolerant = await api.merchant('Tolerant Shop');
    const auth = { authorization: `Bearer ${tolerant.secretKey}` };
    await rawCall(api.url, 'settings.update', 'mutation', { underpaymentToleranceBps: 500 }, auth);
    const created = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '100.00', currency: 'USD', rails: ['evm'] },
      auth,
    );
    const view = data<{ id: string; underpaymentTolerance: { amount: string } }>(created);
    expect(view.underpaymentTolerance.amount).toBe('5.00');
    const pay = data<Instructions>(
      await rawCall(
        api.url,
        'checkout.selectRail',
        'mutation',
        { checkoutId: view.id, rail: 'evm', asset: 'USDT:tron' },
        {
          'x-kassa-publishable-key': tolerant.publishableKey,
        },
      ),
    );
    shkeeper.send(pay.address, '96');
    await settle();
    expect((await paymentOf(view.id)).status).toBe('paid');
  });

  it('overpaid is computed from the transactions, not from SHKeeper’s overpaid_fiat', async () => {
    const id = await tokenCheckout('49.99');
    const pay = await choose(id, 'USDT:ethereum');
    shkeeper.send(pay.address, '55');
    await settle();
    const payment = await paymentOf(id);
    expect(payment.status).toBe('overpaid');
    expect(payment.received.minor).toBe(5500n);
  });

  it('repeated and shuffled callbacks count each transaction once', async () => {
    const id = await tokenCheckout('30.00');
    const pay = await choose(id, 'USDC:ethereum');
    shkeeper.setCallbackOrder('shuffle');
    shkeeper.hold();
    for (const amount of ['10', '10', '10']) shkeeper.send(pay.address, amount);
    shkeeper.release();
    await settle();
    await settle();
    shkeeper.setCallbackOrder('fifo');
    const payment = await paymentOf(id);
    expect(payment.status).toBe('paid');
    expect(payment.received.minor).toBe(3000n);
  });

  it('switching token mid-checkout keeps the first address credited', async () => {
    const id = await tokenCheckout('20.00');
    const first = await choose(id, 'USDT:bsc');
    const second = await choose(id, 'USDC:tron');
    expect(second.address).not.toBe(first.address);
    shkeeper.send(first.address, '20');
    await settle();
    expect((await paymentOf(id)).status).toBe('paid');
  });

  it('a forged or stale callback gets 401 and is not stored; a fresh signed one is', async () => {
    const body = JSON.stringify({
      external_id: 'pay_forged0000000001',
      crypto: 'ETH-USDT',
      status: 'PAID',
      transactions: [],
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${receiverUrl}/shkeeper`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await post({ 'x-shkeeper-timestamp': String(now), 'x-shkeeper-signature': 'ab'.repeat(32) })).status,
    ).toBe(401);
    expect((await post({})).status).toBe(401);
    // The API key alone is not enough unless legacy callbacks are allowed.
    expect((await post({ 'x-shkeeper-api-key': API_KEY })).status).toBe(401);
    // Signed with the right key, but 301 s old, or from the future: a replay.
    for (const ts of [now - 301, now + 301]) {
      const signature = createHmac('sha256', API_KEY).update(`${ts}.${body}`).digest('hex');
      expect(
        (await post({ 'x-shkeeper-timestamp': String(ts), 'x-shkeeper-signature': signature })).status,
      ).toBe(401);
    }
    const fresh = createHmac('sha256', API_KEY).update(`${now}.${body}`).digest('hex');
    expect((await post({ 'x-shkeeper-timestamp': String(now), 'x-shkeeper-signature': fresh })).status).toBe(
      202,
    );
    // The payout callback (it releases escrow) takes only a signed one, never the API key alone.
    const payoutPost = (headers: Record<string, string>) =>
      fetch(`${receiverUrl}/shkeeper/payout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await payoutPost({ 'x-shkeeper-api-key': API_KEY })).status).toBe(401);
    expect(
      (await payoutPost({ 'x-shkeeper-timestamp': String(now), 'x-shkeeper-signature': 'cd'.repeat(32) }))
        .status,
    ).toBe(401);
    // Only the correctly signed one was stored.
    const rows = await api.db.orm
      .select()
      .from(tables.providerInbox)
      .where(eq(tables.providerInbox.provider, 'shkeeper'));
    expect(rows.filter((r) => r.body.includes('pay_forged'))).toHaveLength(1);
  });

  it('a lost callback is found by reading the invoice back', async () => {
    const id = await tokenCheckout('7.00');
    const pay = await choose(id, 'USDT:tron');
    shkeeper.hold();
    shkeeper.send(pay.address, '7');
    // Found by reading back, it counts only once it has been listed for a while (not one block).
    const first = await reconcileShkeeper(api.db, rail(), {
      holder: 'poller',
      leaseMs: 60_000,
      now: new Date(),
    });
    expect(first.added).toBe(0);
    const later = new Date(Date.now() + 11 * 60_000);
    const outcome = await reconcileShkeeper(api.db, rail(), {
      holder: 'poller',
      leaseMs: 60_000,
      now: later,
    });
    expect(outcome.added).toBeGreaterThanOrEqual(1);
    const evm = rail();
    while ((await drainInbox(api.db, { shkeeper: (event) => evm.observe(event) })).length > 0);
    expect((await paymentOf(id)).status).toBe('paid');
    shkeeper.release();
    await settle();
    expect((await paymentOf(id)).received.minor).toBe(700n);
  });

  it('a payment after the deadline is kept as late money, flagged for refund', async () => {
    const id = await tokenCheckout('5.00');
    const pay = await choose(id, 'USDT:bsc');
    await api.db.orm.execute(
      sql`update payments set expires_at = now() - interval '1 minute' where id = ${id}`,
    );
    shkeeper.send(pay.address, '5');
    await settle();
    const payment = await paymentOf(id);
    expect(payment.status).toBe('expired');
    expect(payment.lateReceived.minor).toBe(500n);
  });

  it('a token Kassa does not take is refused with the list it does', async () => {
    const id = await tokenCheckout('1.00');
    const res = await rawCall(
      api.url,
      'checkout.selectRail',
      'mutation',
      { checkoutId: id, rail: 'evm', asset: 'DAI:ethereum' },
      payerHeaders(),
    );
    expect(kassaCode(res)).toBe('rail_not_allowed');
  });
});

describe('escrow: held, then released to the seller or refunded to the buyer, through SHKeeper payouts', () => {
  const SELLER = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
  const BUYER = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';

  async function fundedEscrow(amount: string): Promise<string> {
    const res = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount, currency: 'USD', rails: ['evm'], escrow: true },
      merchant(),
    );
    const id = data<{ id: string }>(res).id;
    const pay = await choose(id, 'USDT:ethereum');
    shkeeper.send(pay.address, amount);
    await settle();
    expect((await paymentOf(id)).escrowStatus).toBe('funded');
    return id;
  }
  const escrow = (action: 'release' | 'refund', checkoutId: string, destination: string) =>
    rawCall(api.url, `escrow.${action}`, 'mutation', { checkoutId, destination }, merchant());
  const advance = () =>
    advanceEscrowPayouts(api.db, rail(), { holder: 'escrow-worker', leaseMs: 60_000, now: new Date() });
  const payoutOf = (id: string) => shkeeper.payouts().filter((p) => p.externalId?.startsWith(id));

  it('release: one payout of everything received, to the seller; released when SHKeeper confirms it', async () => {
    const id = await fundedEscrow('40.00');
    const res = await escrow('release', id, SELLER.toLowerCase());
    expect(res.status).toBe(200);
    expect(data<{ escrow: string }>(res).escrow).toBe('releasing');
    // Asked again while under way: the same release, not a second payout; to another address: refused.
    expect((await escrow('release', id, SELLER)).status).toBe(200);
    expect(kassaCode(await escrow('release', id, BUYER))).toBe('escrow_conflict');
    const payouts = payoutOf(id);
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ crypto: 'ETH-USDT', destination: SELLER });
    expect(Number(payouts[0]?.amount)).toBe(40);
    shkeeper.completePayout(payouts[0]?.taskId ?? '', 'SUCCESS');
    await settle();
    expect((await paymentOf(id)).escrowStatus).toBe('released');
    const events = await api.db.orm
      .select({ type: tables.outbox.type })
      .from(tables.outbox)
      .where(eq(tables.outbox.paymentId, id))
      .orderBy(tables.outbox.sequence);
    expect(events.map((e) => e.type)).toEqual([
      'checkout.paid',
      'escrow.funded',
      'escrow.releasing',
      'escrow.released',
    ]);
  });

  it('release and refund fired together: exactly one wins, the other is a typed conflict', async () => {
    const id = await fundedEscrow('25.00');
    const answers = await Promise.all([escrow('release', id, SELLER), escrow('refund', id, BUYER)]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(answers.map(kassaCode).filter(Boolean)).toEqual(['escrow_conflict']);
    expect(payoutOf(id)).toHaveLength(1);
  });

  it('a failed payout (SHKeeper sends no failure callback) is found by the worker; a refund then goes through', async () => {
    const id = await fundedEscrow('15.00');
    await escrow('release', id, SELLER);
    const [first] = payoutOf(id);
    shkeeper.completePayout(first?.taskId ?? '', 'FAILURE', 'Have not enough tokens on fee account');
    await advance();
    expect((await paymentOf(id)).escrowStatus).toBe('failed');
    expect((await escrow('refund', id, BUYER)).status).toBe(200);
    const refund = payoutOf(id).find((p) => p.externalId?.includes('-refund-'));
    expect(refund).toMatchObject({ destination: BUYER });
    shkeeper.completePayout(refund?.taskId ?? '', 'SUCCESS');
    // The worker sees the success too, whether or not the callback arrives first.
    await advance();
    await settle();
    const payment = await paymentOf(id);
    expect(payment.escrowStatus).toBe('refunded');
    expect(payment.status).toBe('refunded');
    expect(payment.refunded.minor).toBe(1500n);
  });

  it('refuses a destination with a broken checksum, or on another network, and moves nothing', async () => {
    const id = await fundedEscrow('3.00');
    expect(kassaCode(await escrow('release', id, '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'))).toBe(
      'destination_invalid',
    );
    expect(kassaCode(await escrow('release', id, 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ'))).toBe(
      'destination_invalid',
    );
    expect(payoutOf(id)).toHaveLength(0);
    expect((await paymentOf(id)).escrowStatus).toBe('funded');
  });
});

describe('payouts: tokens sent from the SHKeeper wallet, as outgoing payments', () => {
  const TRON_DEST = 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ';
  const create = (body: Record<string, unknown>, idempotencyKey?: string) =>
    rawCall(api.url, 'payouts.create', 'mutation', body, {
      ...merchant(),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    });
  const advance = () =>
    advancePayouts(api.db, rail(), { holder: 'payout-worker', leaseMs: 60_000, now: new Date() });
  type PayoutView = {
    id: string;
    status: string;
    amount: { amount: string; asset: string };
    destination: string;
  };

  it('sent once per idempotency key; paid when SHKeeper confirms; payout.paid in its audit and events', async () => {
    shkeeper.fund('USDT', '1000');
    const body = { amount: '60.5', currency: 'USDT:tron', destination: TRON_DEST };
    const first = await create(body, 'payout-key-1');
    expect(first.status).toBe(200);
    const payout = data<PayoutView>(first);
    expect(payout).toMatchObject({
      status: 'processing',
      amount: { amount: '60.500000', asset: 'USDT:tron' },
      destination: TRON_DEST,
    });
    const again = data<PayoutView>(await create(body, 'payout-key-1'));
    expect(again.id).toBe(payout.id);
    expect(kassaCode(await create({ ...body, amount: '1' }, 'payout-key-1'))).toBe('idempotency_conflict');
    const sent = shkeeper.payouts().filter((p) => p.externalId === payout.id);
    expect(sent).toHaveLength(1);
    shkeeper.completePayout(sent[0]?.taskId ?? '', 'SUCCESS');
    // SHKeeper's callback says so, but its amount is rounded: the worker confirms by status, exactly.
    await settle();
    await advance();
    const got = data<PayoutView>(
      await rawCall(api.url, 'payouts.get', 'query', { id: payout.id }, merchant()),
    );
    expect(got.status).toBe('paid');
    const listed = data<{ data: PayoutView[] }>(
      await rawCall(api.url, 'payouts.list', 'query', {}, merchant()),
    );
    expect(listed.data.map((p) => p.id)).toContain(payout.id);
    // A payout is not a checkout, and the other way round.
    expect(kassaCode(await rawCall(api.url, 'checkouts.get', 'query', { id: payout.id }, merchant()))).toBe(
      'not_found',
    );
    const events = await api.db.orm
      .select({ type: tables.outbox.type })
      .from(tables.outbox)
      .where(eq(tables.outbox.paymentId, payout.id));
    expect(events.map((e) => e.type)).toEqual(['payout.paid']);
  });

  it('a failed payout is learnt by asking SHKeeper (it sends no failure callback)', async () => {
    const payout = data<PayoutView>(
      await create({ amount: '5', currency: 'USDT:tron', destination: TRON_DEST }),
    );
    const [task] = shkeeper.payouts().filter((p) => p.externalId === payout.id);
    shkeeper.completePayout(task?.taskId ?? '', 'FAILURE', 'Have not enough tokens on fee account');
    await advance();
    const got = data<PayoutView>(
      await rawCall(api.url, 'payouts.get', 'query', { id: payout.id }, merchant()),
    );
    expect(got.status).toBe('failed');
    const events = await api.db.orm
      .select({ type: tables.outbox.type })
      .from(tables.outbox)
      .where(eq(tables.outbox.paymentId, payout.id));
    expect(events.map((e) => e.type)).toEqual(['payout.failed']);
  });

  it('never more than the merchant’s own balance in the token, even when two payouts race for it', async () => {
    // This shop's Tron USDT so far: 100 + 7 received, 60.5 paid out, 5 failed (not counted).
    const balance = 107 - 60.5;
    const over = await create({
      amount: String(balance + 0.01),
      currency: 'USDT:tron',
      destination: TRON_DEST,
    });
    expect(kassaCode(over)).toBe('insufficient_balance');
    const half = String((balance / 2 + 1).toFixed(2));
    const racing = await Promise.all([
      create({ amount: half, currency: 'USDT:tron', destination: TRON_DEST }),
      create({ amount: half, currency: 'USDT:tron', destination: TRON_DEST }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 412]);
    // Another merchant has received nothing in this token: nothing to pay out.
    const other = await api.merchant('Empty Shop');
    const theirs = await rawCall(
      api.url,
      'payouts.create',
      'mutation',
      { amount: '1', currency: 'USDT:tron', destination: TRON_DEST },
      { authorization: `Bearer ${other.secretKey}` },
    );
    expect(kassaCode(theirs)).toBe('insufficient_balance');
  });

  it('a task whose item failed (payout/status stays in progress for good) is read from the task: failed', async () => {
    const payout = data<PayoutView>(
      await create({ amount: '2', currency: 'USDT:tron', destination: TRON_DEST }),
    );
    const [task] = shkeeper.payouts().filter((p) => p.externalId === payout.id);
    shkeeper.completePayout(task?.taskId ?? '', 'SUCCESS', undefined, { failedDestinations: [TRON_DEST] });
    await advance();
    const got = data<PayoutView>(
      await rawCall(api.url, 'payouts.get', 'query', { id: payout.id }, merchant()),
    );
    expect(got.status).toBe('failed');
  });

  it('refuses a bad destination, an unknown token or a zero amount, and sends nothing', async () => {
    const before = shkeeper.payouts().length;
    expect(kassaCode(await create({ amount: '1', currency: 'USDT:bsc', destination: TRON_DEST }))).toBe(
      'destination_invalid',
    );
    expect(
      kassaCode(
        await create({
          amount: '1',
          currency: 'USDT:bsc',
          destination: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD',
        }),
      ),
    ).toBe('destination_invalid');
    expect(kassaCode(await create({ amount: '1', currency: 'DAI:ethereum', destination: TRON_DEST }))).toBe(
      'asset_unknown',
    );
    expect(kassaCode(await create({ amount: '0', currency: 'USDT:tron', destination: TRON_DEST }))).toBe(
      'amount_invalid',
    );
    expect(shkeeper.payouts().length).toBe(before);
  });
});

describe('legacy SHKeeper (callbacks without a signature)', () => {
  it('accepts the API key only when allowed, and acts on the invoice read back, not on the callback', async () => {
    const legacy = await startFakeShkeeper({ apiKey: API_KEY, retryEveryMs: 50, signCallbacks: false });
    const legacyApi = await startTestApi({
      shkeeper: { ...config({ legacyCallbacks: true }), url: legacy.url },
    });
    const deps: WebhooksServerDeps = {
      db: legacyApi.db,
      log: pino({ level: 'silent' }),
      shkeeper: legacyApi.deps.evm,
    };
    const server = createWebhooksServer(deps);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const shopB = await legacyApi.merchant('Legacy Shop');
      const created = await rawCall(
        legacyApi.url,
        'checkouts.create',
        'mutation',
        { amount: '9.00', currency: 'USD', rails: ['evm'] },
        { authorization: `Bearer ${shopB.secretKey}` },
      );
      const id = data<{ id: string }>(created).id;
      // SHKeeper must call this receiver: the invoice is made with its URL.
      const evm = legacyApi.deps.evm;
      if (!evm) throw new Error('no evm rail');
      await evm.client.paymentRequest('USDT', {
        external_id: id,
        fiat: 'USD',
        amount: '9.00',
        callback_url: `${url}/shkeeper`,
      });
      await registerQuote(legacyApi, id);
      const invoice = legacy.invoice(id);
      if (!invoice) throw new Error('no invoice');
      legacy.send(invoice.addr, '9');
      await legacy.flush();
      expect(
        legacy
          .callbacks()
          .filter((c) => c.externalId === id)
          .map((c) => c.status),
      ).toContain(202);
      while ((await drainInbox(legacyApi.db, { shkeeper: (event) => evm.observe(event) })).length > 0);
      expect((await getCheckout(legacyApi.db.orm, id))?.payment.status).toBe('paid');
      // What was stored is SHKeeper's invoice as read back, not the unsigned callback's word.
      const rows = await legacyApi.db.orm
        .select()
        .from(tables.providerInbox)
        .where(eq(tables.providerInbox.provider, 'shkeeper'));
      expect(rows.every((r) => r.eventType === 'invoice.read')).toBe(true);
      // A wrong key is still refused.
      const forged = await fetch(`${url}/shkeeper`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shkeeper-api-key': 'wrong-key-0000' },
        body: JSON.stringify({ external_id: id }),
      });
      expect(forged.status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await legacyApi.close();
      await legacy.close();
    }
  });
});

/** The quote a payer's choice files (here the invoice was made by hand): USDT at SHKeeper's rate of 1. */
async function registerQuote(target: TestApi, paymentId: string): Promise<void> {
  const { registerRailRef } = await import('@kassa/db');
  const asset = target.deps.registries.testnet.resolve('USDT:tron');
  if (!asset.ok) throw new Error('no USDT:tron');
  await registerRailRef(target.db, {
    rail: 'evm',
    ref: `${paymentId}:USDT`,
    paymentId,
    quote: { payAsset: asset.value, rate: '1' },
    now: new Date(),
  });
}
