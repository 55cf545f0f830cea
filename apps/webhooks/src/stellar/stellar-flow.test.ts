import { rawCall, startTestApi, type TestApi, type TestMerchant } from '@kassa/api/testing';
import {
  advanceCursor,
  drainInbox,
  getCheckout,
  readCursor,
  releaseCursorLease,
  tables,
  takeCursorLease,
} from '@kassa/db';
import type { StellarConfig, StellarRail } from '@kassa/providers';
import { startFakeHorizon, type FakeHorizon } from '@kassa/fakes/horizon';
import { Account, Asset, Keypair, Memo, Networks, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStellarWatcher } from '../workers/stellar-watcher';

let horizon: FakeHorizon;
let api: TestApi;
let shop: TestMerchant;
const receiving = Keypair.random();
const payer = Keypair.random();

beforeAll(async () => {
  horizon = await startFakeHorizon();
  await horizon.friendbot(receiving.publicKey());
  horizon.trust(receiving.publicKey(), 'USDC', horizon.issuers.USDC);
  horizon.trust(receiving.publicKey(), 'EURC', horizon.issuers.EURC);
  await horizon.friendbot(payer.publicKey());
  horizon.trust(payer.publicKey(), 'USDC', horizon.issuers.USDC);
  await horizon.issue(payer.publicKey(), 'USDC', '1000');
  const stellar: StellarConfig = {
    network: 'testnet',
    mode: 'test',
    networkPassphrase: Networks.TESTNET,
    horizonUrl: horizon.url,
    receivingAccount: receiving.publicKey(),
    signing: null,
  };
  api = await startTestApi({ stellar });
  shop = await api.merchant('Ledger Shop');
  const enabled = await rawCall(
    api.url,
    'settings.update',
    'mutation',
    { stablecoinsAtPar: true },
    merchant(),
  );
  expect(enabled.status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await horizon?.close();
});

const merchant = () => ({ authorization: `Bearer ${shop.secretKey}` });
const payerHeaders = () => ({ 'x-kassa-publishable-key': shop.publishableKey });
const data = <T>(res: { body: unknown }) => (res.body as { result: { data: T } }).result.data;
const kassaCode = (res: { body: unknown }) =>
  (res.body as { error?: { data: { kassaCode: string } } }).error?.data.kassaCode;

function rail(): StellarRail {
  if (!api.deps.stellar) throw new Error('no stellar rail');
  return api.deps.stellar;
}

type Instructions = {
  rail: 'stellar';
  destination: string;
  memo: string;
  memoType: string;
  amount: string;
  asset: { id: string; code: string; issuer: string | null };
  networkPassphrase: string;
  sep7Uri: string;
  qrSvg: string;
  expiresAt: string;
};

async function stellarCheckout(amount: string, currency: string): Promise<string> {
  const res = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount, currency, rails: ['stellar'] },
    merchant(),
  );
  expect(res.status).toBe(200);
  return data<{ id: string }>(res).id;
}

const choose = (checkoutId: string, asset?: string) =>
  rawCall(
    api.url,
    'checkout.selectRail',
    'mutation',
    { checkoutId, rail: 'stellar', ...(asset ? { asset } : {}) },
    payerHeaders(),
  );

async function instructionsFor(checkoutId: string): Promise<Instructions> {
  const res = await choose(checkoutId);
  expect(res.status).toBe(200);
  return data<Instructions>(res);
}

const confirm = (checkoutId: string, txHash: string) =>
  rawCall(api.url, 'checkout.confirmTransaction', 'mutation', { checkoutId, txHash }, payerHeaders());

/** A wallet pays: a real signed transaction through the fake's POST /transactions. */
function pay(
  amount: string,
  memo: Memo | undefined,
  asset: { code?: string; issuer?: string } = { code: 'USDC' },
) {
  return horizon.pay({
    from: payer,
    to: receiving.publicKey(),
    amount,
    ...(asset.code ? { assetCode: asset.code } : {}),
    ...(asset.issuer ? { assetIssuer: asset.issuer } : {}),
    ...(memo ? { memo } : {}),
  });
}

async function drain(): Promise<void> {
  const stellar = rail();
  while ((await drainInbox(api.db, { stellar: (event) => stellar.observe(event) })).length > 0);
}

const checkoutOf = async (id: string) => {
  const checkout = await getCheckout(api.db.orm, id);
  if (!checkout) throw new Error(`no checkout ${id}`);
  return checkout.payment;
};

async function inboxError(hash: string): Promise<string | null> {
  const [row] = await api.db.orm
    .select({ lastError: tables.providerInbox.lastError })
    .from(tables.providerInbox)
    .where(eq(tables.providerInbox.eventId, hash));
  return row?.lastError ?? null;
}

describe('paying a checkout on Stellar', () => {
  it('USD at par in USDC: a QR code and SEP-7 link with every field, paid, the hash in the audit trail', async () => {
    const id = await stellarCheckout('12.50', 'USD');
    const pay1 = await instructionsFor(id);
    expect(pay1).toMatchObject({
      rail: 'stellar',
      destination: receiving.publicKey(),
      memoType: 'id',
      amount: '12.5000000',
      asset: { id: 'USDC:stellar', code: 'USDC', issuer: horizon.issuers.USDC },
      networkPassphrase: Networks.TESTNET,
    });
    expect(pay1.memo).toMatch(/^\d+$/);
    expect(pay1.qrSvg).toMatch(/^<svg/);
    const uri = new URL(pay1.sep7Uri);
    expect(uri.protocol).toBe('web+stellar:');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      destination: receiving.publicKey(),
      amount: '12.5000000',
      asset_code: 'USDC',
      asset_issuer: horizon.issuers.USDC,
      memo: pay1.memo,
      memo_type: 'MEMO_ID',
      network_passphrase: Networks.TESTNET,
    });
    expect((await instructionsFor(id)).memo).toBe(pay1.memo);

    const hash = await pay('12.5000000', Memo.id(pay1.memo));
    const confirmed = await confirm(id, hash);
    expect(confirmed.status).toBe(200);
    expect(data<{ checkout: { status: string } }>(confirmed).checkout.status).toBe('paid');
    const audit = data<{ data: { cause: { externalId: string; source: string } }[] }>(
      await rawCall(api.url, 'checkouts.audit', 'query', { id }, merchant()),
    );
    expect(audit.data.map((a) => a.cause)).toContainEqual(
      expect.objectContaining({ source: 'stellar', externalId: hash }),
    );
  });

  it('a "USDC" from another issuer never pays, even with the right memo; it is kept for the operator', async () => {
    const id = await stellarCheckout('5.00', 'USD');
    const { memo } = await instructionsFor(id);
    const counterfeiter = Keypair.random();
    await horizon.friendbot(counterfeiter.publicKey());
    horizon.trust(payer.publicKey(), 'USDC', counterfeiter.publicKey());
    horizon.trust(receiving.publicKey(), 'USDC', counterfeiter.publicKey());
    await horizon.pay({
      from: counterfeiter,
      to: payer.publicKey(),
      amount: '50',
      assetCode: 'USDC',
      assetIssuer: counterfeiter.publicKey(),
    });
    const hash = await pay('5.0000000', Memo.id(memo), { code: 'USDC', issuer: counterfeiter.publicKey() });
    const res = await confirm(id, hash);
    expect(kassaCode(res)).toBe('transaction_not_for_checkout');
    expect((await checkoutOf(id)).status).toBe('pending');
    expect(await inboxError(hash)).toMatch(/unattributed: .*USDC issued by/);
  });

  it('a wrong memo or no memo pays nothing; the money is recorded as unattributed', async () => {
    const id = await stellarCheckout('3.00', 'USD');
    await instructionsFor(id);
    const wrong = await pay('3.0000000', Memo.id('12345'));
    expect(kassaCode(await confirm(id, wrong))).toBe('transaction_not_for_checkout');
    expect(await inboxError(wrong)).toMatch(/unattributed: no payment has stellar reference 12345/);
    const none = await pay('3.0000000', undefined);
    expect(kassaCode(await confirm(id, none))).toBe('transaction_not_for_checkout');
    expect(await inboxError(none)).toMatch(/unattributed: .*no memo/);
    expect((await checkoutOf(id)).status).toBe('pending');
  });

  it('underpaid, then topped up with what the new instructions ask: paid', async () => {
    const id = await stellarCheckout('12.50', 'USD');
    const { memo } = await instructionsFor(id);
    await confirm(id, await pay('5.0000000', Memo.id(memo)));
    expect((await checkoutOf(id)).status).toBe('partially_paid');
    const rest = await instructionsFor(id);
    expect(rest.amount).toBe('7.5000000');
    await confirm(id, await pay(rest.amount, Memo.id(memo)));
    const payment = await checkoutOf(id);
    expect(payment.status).toBe('paid');
    expect(payment.received.minor).toBe(1250n);
  });

  it('two payments that add up to what was asked pay exactly what was due, not a cent less', async () => {
    const id = await stellarCheckout('10.00', 'USD');
    const { memo } = await instructionsFor(id);
    await confirm(id, await pay('3.3333334', Memo.id(memo)));
    expect((await checkoutOf(id)).received.minor).toBe(333n);
    await confirm(id, await pay('6.6666666', Memo.id(memo)));
    const payment = await checkoutOf(id);
    expect(payment.status).toBe('paid');
    expect(payment.received.minor).toBe(1000n);
  });

  it('XLM sent to a USD checkout is real money that does not count, and the payer is told', async () => {
    const id = await stellarCheckout('1.00', 'USD');
    const { memo } = await instructionsFor(id);
    const res = await confirm(id, await pay('1', Memo.id(memo), {}));
    expect(kassaCode(res)).toBe('observation_rejected');
    expect(JSON.stringify(res.body)).toMatch(/asset_mismatch/);
    expect((await checkoutOf(id)).status).toBe('pending');
  });

  it('overpaid is overpaid; sub-cent dust does not count', async () => {
    const id = await stellarCheckout('10.00', 'USD');
    const { memo } = await instructionsFor(id);
    await confirm(id, await pay('10.0100009', Memo.id(memo)));
    const payment = await checkoutOf(id);
    expect(payment.status).toBe('overpaid');
    expect(payment.received.minor).toBe(1001n);
  });

  it('a hash replayed onto a second checkout pays only the first', async () => {
    const first = await stellarCheckout('2.00', 'USD');
    const second = await stellarCheckout('2.00', 'USD');
    const { memo } = await instructionsFor(first);
    await instructionsFor(second);
    const hash = await pay('2.0000000', Memo.id(memo));
    expect((await confirm(first, hash)).status).toBe(200);
    expect(kassaCode(await confirm(second, hash))).toBe('transaction_not_for_checkout');
    expect((await checkoutOf(first)).status).toBe('paid');
    expect((await checkoutOf(second)).status).toBe('pending');
    const credits = await api.db.orm
      .select()
      .from(tables.paymentCredits)
      .where(eq(tables.paymentCredits.txKey, `stellar:${hash}`));
    expect(credits.map((c) => c.paymentId)).toEqual([first]);
  });

  it('a Stellar-priced checkout is paid in exactly its asset; a fiat price is never offered XLM', async () => {
    const id = await stellarCheckout('25.5', 'XLM:stellar');
    const xlm = await instructionsFor(id);
    expect(xlm).toMatchObject({ amount: '25.5000000', asset: { id: 'XLM:stellar', issuer: null } });
    expect(kassaCode(await choose(id, 'USDC:stellar'))).toBe('rail_not_allowed');
    await confirm(id, await pay('25.5', Memo.id(xlm.memo), {}));
    expect((await checkoutOf(id)).status).toBe('paid');

    const usd = await stellarCheckout('1.00', 'USD');
    const refused = await choose(usd, 'XLM:stellar');
    expect(kassaCode(refused)).toBe('rail_not_allowed');
    expect(JSON.stringify(refused.body)).toMatch(/no exchange rate source/);
  });

  it('concurrent "I have paid" reports of one transaction count it once', async () => {
    const id = await stellarCheckout('4.00', 'USD');
    const { memo } = await instructionsFor(id);
    const hash = await pay('4.0000000', Memo.id(memo));
    const answers = await Promise.all(Array.from({ length: 6 }, () => confirm(id, hash)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    await drain();
    const payment = await checkoutOf(id);
    expect(payment.status).toBe('paid');
    expect(payment.received.minor).toBe(400n);
  });
});

describe('the unsigned transaction round trip', () => {
  const build = (checkoutId: string, payerAccount: string) =>
    rawCall(
      api.url,
      'checkout.buildStellarTransaction',
      'mutation',
      { checkoutId, payerAccount },
      payerHeaders(),
    );
  const submit = (checkoutId: string, signedXdr: string) =>
    rawCall(
      api.url,
      'checkout.submitStellarTransaction',
      'mutation',
      { checkoutId, signedXdr },
      payerHeaders(),
    );
  const sign = (xdr: string, key: Keypair) => {
    const tx = TransactionBuilder.fromXDR(xdr, Networks.TESTNET);
    tx.sign(key);
    return tx.toXDR();
  };

  it('Kassa builds the payment, the payer signs it, Kassa submits it: paid, with the hash known before signing', async () => {
    const id = await stellarCheckout('9.99', 'USD');
    const built = data<{ xdr: string; networkPassphrase: string; hash: string }>(
      await build(id, payer.publicKey()),
    );
    expect(built.networkPassphrase).toBe(Networks.TESTNET);
    const res = await submit(id, sign(built.xdr, payer));
    expect(res.status).toBe(200);
    const answer = data<{ txHash: string; checkout: { status: string } }>(res);
    expect(answer.txHash).toBe(built.hash);
    expect(answer.checkout.status).toBe('paid');
  });

  it('refuses clearly: no such account, no trustline, too little money', async () => {
    const id = await stellarCheckout('1.00', 'USD');
    expect(kassaCode(await build(id, Keypair.random().publicKey()))).toBe('payer_account_missing');
    const poor = Keypair.random();
    await horizon.friendbot(poor.publicKey());
    expect(kassaCode(await build(id, poor.publicKey()))).toBe('payer_no_trustline');
    horizon.trust(poor.publicKey(), 'USDC', horizon.issuers.USDC);
    expect(kassaCode(await build(id, poor.publicKey()))).toBe('payer_underfunded');
  });

  it('a changed envelope is refused before it reaches the network; Horizon result codes come back in words', async () => {
    const id = await stellarCheckout('6.00', 'USD');
    const built = data<{ xdr: string }>(await build(id, payer.publicKey()));
    const { memo } = await instructionsFor(id);
    // The right memo and destination but another amount, asset or expiry: not the payment Kassa built.
    const account = horizon.account(payer.publicKey());
    const forged = (change: { amount?: string; asset?: Asset; maxTime?: number }) => {
      const tx = new TransactionBuilder(new Account(payer.publicKey(), account?.sequence ?? '0'), {
        fee: '100',
        networkPassphrase: Networks.TESTNET,
        timebounds: { minTime: 0, maxTime: change.maxTime ?? Math.floor(Date.now() / 1000) + 600 },
      })
        .addOperation(
          Operation.payment({
            destination: receiving.publicKey(),
            asset: change.asset ?? new Asset('USDC', horizon.issuers.USDC),
            amount: change.amount ?? '6.0000000',
          }),
        )
        .addMemo(Memo.id(memo))
        .build();
      tx.sign(payer);
      return tx.toXDR();
    };
    for (const change of [
      { amount: '5.9999999' },
      { asset: Asset.native() },
      { maxTime: Math.floor(Date.now() / 1000) + 86_400 * 30 },
    ]) {
      expect(kassaCode(await submit(id, forged(change)))).toBe('transaction_invalid');
    }
    expect(kassaCode(await submit(id, 'not xdr'))).toBe('transaction_invalid');
    // Unsigned by the payer: Horizon says tx_bad_auth.
    const wrongKey = await submit(id, sign(built.xdr, Keypair.random()));
    expect(kassaCode(wrongKey)).toBe('transaction_failed');
    expect(JSON.stringify(wrongKey.body)).toMatch(/tx_bad_auth/);
    // The payer's sequence moved on (another payment), so the built one is stale: tx_bad_seq.
    await pay('0.0000001', Memo.id(memo));
    const stale = await submit(id, sign(built.xdr, payer));
    expect(kassaCode(stale)).toBe('transaction_failed');
    expect(JSON.stringify(stale.body)).toMatch(/tx_bad_seq/);
  });
});

describe('the ledger watcher', () => {
  const log = pino({ level: 'silent' });
  const cursorName = () => `stellar:payments:${receiving.publicKey()}`;

  async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const inboxHas = async (hash: string) =>
    (await api.db.orm.select().from(tables.providerInbox).where(eq(tables.providerInbox.eventId, hash)))
      .length > 0;

  it('sees payments as they happen, survives a restart mid-stream with no loss and no double count', async () => {
    const watcher = startStellarWatcher({
      db: api.db,
      log,
      rail: rail(),
      holder: 'watcher-1',
      leaseMs: 3000,
    });
    const ids: string[] = [];
    const hashes: string[] = [];
    try {
      await until(() => horizon.openStreams() === 1, 'the stream');
      for (let i = 0; i < 2; i++) {
        const id = await stellarCheckout('1.00', 'USD');
        const { memo } = await instructionsFor(id);
        ids.push(id);
        hashes.push(await pay('1.0000000', Memo.id(memo)));
      }
      await until(async () => (await Promise.all(hashes.map(inboxHas))).every(Boolean), 'the first payments');
      // Horizon ends a stream now and then: the watcher comes back from its cursor.
      horizon.endStreams();
      await until(() => horizon.openStreams() === 1, 'the reconnect');
    } finally {
      await watcher.stop();
    }
    const stoppedAt = await readCursor(api.db, cursorName());
    // While nobody watches, two more payments.
    for (let i = 0; i < 2; i++) {
      const id = await stellarCheckout('1.00', 'USD');
      const { memo } = await instructionsFor(id);
      ids.push(id);
      hashes.push(await pay('1.0000000', Memo.id(memo)));
    }
    const again = startStellarWatcher({ db: api.db, log, rail: rail(), holder: 'watcher-2', leaseMs: 3000 });
    try {
      await until(async () => (await Promise.all(hashes.map(inboxHas))).every(Boolean), 'the catch-up');
    } finally {
      await again.stop();
    }
    // The restart asked for exactly what came after the stored cursor.
    const resumed = horizon
      .requests()
      .find(
        (r) => r.path.endsWith('/payments') && r.query['cursor'] === stoppedAt && r.query['order'] === 'asc',
      );
    expect(resumed).toBeDefined();
    await drain();
    for (const id of ids) {
      const payment = await checkoutOf(id);
      expect(payment.status).toBe('paid');
      expect(payment.received.minor).toBe(100n);
    }
  });

  it('only one watcher per receiving account runs at a time', async () => {
    const a = startStellarWatcher({ db: api.db, log, rail: rail(), holder: 'pair-a', leaseMs: 3000 });
    const b = startStellarWatcher({ db: api.db, log, rail: rail(), holder: 'pair-b', leaseMs: 3000 });
    try {
      await until(() => horizon.openStreams() >= 1, 'a stream');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(horizon.openStreams()).toBe(1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('says so loudly when its cursor is older than the history Horizon keeps', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const id = await stellarCheckout('1.00', 'USD');
    const { memo } = await instructionsFor(id);
    await pay('1.0000000', Memo.id(memo));
    const latest = horizon.transactions().at(-1);
    if (!latest) throw new Error('no transaction');
    // Horizon drops the ledgers the stored cursor points into (say, a month of downtime).
    await takeCursorLease(api.db, cursorName(), 'gap-test', 3000);
    await advanceCursor(api.db, cursorName(), 'gap-test', '4294967296', 3000);
    await releaseCursorLease(api.db, cursorName(), 'gap-test');
    horizon.forgetHistoryBefore(latest.pagingToken);
    const watcher = startStellarWatcher({
      db: api.db,
      log: capture,
      rail: rail(),
      holder: 'gap-test',
      leaseMs: 3000,
    });
    try {
      await until(() => lines.some((l) => l.includes('older than the history Horizon keeps')), 'the warning');
    } finally {
      await watcher.stop();
    }
  });
});
