import {
  Account,
  Asset,
  Horizon,
  Keypair,
  Memo,
  MuxedAccount,
  NetworkError,
  NotFoundError,
  TransactionFailedError,
  Operation,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fixtureJson, fixtureText } from '../fixtures';
import { startFakeHorizon, type FakeHorizon, type FakeHorizonOptions } from './index';

// The fake is proven with stellar-sdk's own client: if Horizon.Server reads it, so will the
// adapter. Shapes are compared with the recorded Horizon responses in fixtures/stellar.

const fixture = (name: string): unknown => fixtureJson(`stellar/${name}`);

/** A JSON value's skeleton: the same keys, with each leaf replaced by its type. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, shape(field)]));
  }
  return typeof value;
}

const ResultCodes = z.object({
  transaction: z.string(),
  inner_transaction: z.string().optional(),
  operations: z.array(z.string()).optional(),
});
const ProblemBody = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  extras: z
    .object({ envelope_xdr: z.string(), result_xdr: z.string(), result_codes: ResultCodes })
    .partial()
    .optional(),
});
const PaymentRecord = z.object({
  id: z.string(),
  paging_token: z.string(),
  type: z.string(),
  transaction_hash: z.string(),
  transaction_successful: z.boolean(),
  asset_type: z.string().optional(),
  asset_code: z.string().optional(),
  asset_issuer: z.string().optional(),
  amount: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  to_muxed: z.string().optional(),
  to_muxed_id: z.string().optional(),
  account: z.string().optional(),
  funder: z.string().optional(),
  starting_balance: z.string().optional(),
  source_asset_type: z.string().optional(),
  source_amount: z.string().optional(),
});
const TransactionBody = z.object({
  id: z.string(),
  hash: z.string(),
  paging_token: z.string(),
  successful: z.boolean(),
  ledger: z.number(),
  source_account: z.string(),
  source_account_sequence: z.string(),
  fee_account: z.string(),
  fee_charged: z.string(),
  max_fee: z.string(),
  memo_type: z.string(),
  memo: z.string().optional(),
  memo_bytes: z.string().optional(),
  signatures: z.array(z.string()),
  envelope_xdr: z.string(),
  result_xdr: z.string(),
  fee_bump_transaction: z.object({ hash: z.string(), signatures: z.array(z.string()) }).optional(),
  inner_transaction: z
    .object({ hash: z.string(), max_fee: z.string(), signatures: z.array(z.string()) })
    .optional(),
});
/** A transaction as stellar-sdk hands it back: its `ledger` link shadows the field, kept as `ledger_attr`. */
const SdkTransaction = TransactionBody.omit({ ledger: true }).extend({ ledger_attr: z.number() });
const Page = z.object({
  _links: z.object({
    self: z.object({ href: z.string() }),
    next: z.object({ href: z.string() }),
    prev: z.object({ href: z.string() }),
  }),
  _embedded: z.object({ records: z.array(z.record(z.string(), z.unknown())) }),
});

let fake: FakeHorizon;
let server: Horizon.Server;
const extraFakes: FakeHorizon[] = [];

async function start(options: FakeHorizonOptions = {}): Promise<FakeHorizon> {
  const started = await startFakeHorizon(options);
  extraFakes.push(started);
  return started;
}

beforeEach(async () => {
  fake = await startFakeHorizon();
  server = new Horizon.Server(fake.url, { allowHttp: true });
});

afterEach(async () => {
  await fake.close();
  await Promise.all(extraFakes.splice(0).map((f) => f.close()));
});

async function funded(): Promise<Keypair> {
  const wallet = Keypair.random();
  await fake.friendbot(wallet.publicKey());
  return wallet;
}

async function getJson(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

/** The problem a rejected SDK call carries, parsed as Horizon's problem+json. */
async function refusal(
  call: Promise<unknown>,
): Promise<{ status: number; body: z.infer<typeof ProblemBody> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof NetworkError) {
      // Submissions keep Horizon's answer as response.data; call builders keep the body itself.
      const body = ProblemBody.parse(error.response.data ?? error.response);
      return { status: body.status, body };
    }
    throw error;
  }
  throw new Error('expected the call to be refused');
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function paymentTx(
  source: Horizon.AccountResponse,
  signer: Keypair,
  op: xdr.Operation,
  memo: Memo = Memo.none(),
): ReturnType<TransactionBuilder['build']> {
  const tx = new TransactionBuilder(source, { fee: '100', networkPassphrase: fake.networkPassphrase })
    .addOperation(op)
    .addMemo(memo)
    .setTimeout(60)
    .build();
  tx.sign(signer);
  return tx;
}

describe('reading the network', () => {
  it('serves the root, fee stats and base fee as Horizon does', async () => {
    const root = await server.root();
    expect(root.network_passphrase).toBe('Test SDF Network ; September 2015');
    expect(root.history_latest_ledger).toBe(fake.latestLedger());
    expect(root.history_elder_ledger).toBeLessThanOrEqual(root.history_latest_ledger);
    expect(await server.fetchBaseFee()).toBe(100);
    const stats = await server.feeStats();
    expect(stats.last_ledger_base_fee).toBe('100');
    expect(stats.fee_charged.p99).toBe('100');
    expect(stats.max_fee.mode).toBe('100');
  });

  it('funds an account through friendbot, by control and over HTTP', async () => {
    const wallet = await funded();
    const account = await server.loadAccount(wallet.publicKey());
    expect(account.balances).toEqual([
      {
        balance: '10000.0000000',
        buying_liabilities: '0.0000000',
        selling_liabilities: '0.0000000',
        asset_type: 'native',
      },
    ]);
    // A new account's sequence is its ledger shifted into the top 32 bits: too big for a JS number.
    expect(BigInt(account.sequence)).toBe(BigInt(fake.latestLedger()) << 32n);
    expect(Number.isSafeInteger(Number(account.sequence))).toBe(false);

    const other = Keypair.random().publicKey();
    const answer = await getJson(`/friendbot?addr=${other}`);
    expect(answer.status).toBe(200);
    expect(TransactionBody.parse(answer.body).successful).toBe(true);
    const again = await getJson(`/friendbot?addr=${other}`);
    expect(again).toEqual({
      status: 400,
      body: {
        type: 'https://stellar.org/horizon-errors/bad_request',
        title: 'Bad Request',
        status: 400,
        detail: 'account already funded to starting balance',
      },
    });
  });

  it('answers unknown accounts and transactions with the not_found problem', async () => {
    const missing = await refusal(server.loadAccount(Keypair.random().publicKey()));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(fixture('problem.not_found.json'));
    await expect(server.transactions().transaction('ab'.repeat(32)).call()).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('bad requests', () => {
  it('answers them with Horizon problems', async () => {
    const account = Keypair.random().publicKey();
    const problemOf = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${fake.url}${path}`, init);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = ProblemBody.parse(await response.json());
      return `${response.status} ${body.type.replace('https://stellar.org/horizon-errors/', '')}`;
    };
    expect(await problemOf(`/accounts/${account}/payments?cursor=abc`)).toBe('400 bad_request');
    expect(await problemOf(`/accounts/${account}/payments?limit=201`)).toBe('400 bad_request');
    expect(await problemOf(`/accounts/${account}/payments?order=up`)).toBe('400 bad_request');
    expect(await problemOf('/accounts/not-an-account')).toBe('400 bad_request');
    expect(await problemOf('/no/such/route')).toBe('404 not_found');
    expect(await problemOf('/fee_stats', { headers: { Accept: 'text/event-stream' } })).toBe(
      '406 not_acceptable',
    );
    const post = (body: string, contentType = 'application/x-www-form-urlencoded') =>
      problemOf('/transactions', { method: 'POST', headers: { 'Content-Type': contentType }, body });
    expect(await post('')).toBe('400 bad_request');
    expect(await post('tx=AAAA')).toBe('400 transaction_malformed');
    expect(await post('{"tx":"AAAA"}', 'application/json')).toBe('415 unsupported_media_type');
  });
});

describe('submitting transactions', () => {
  it('applies a payment and serves the transaction with its memo', async () => {
    const payer = await funded();
    const merchant = await funded();
    const tx = paymentTx(
      await server.loadAccount(payer.publicKey()),
      payer,
      Operation.payment({ destination: merchant.publicKey(), asset: Asset.native(), amount: '25.5' }),
      Memo.text('kassa:inv_8R4KJ2'),
    );
    const submitted = await server.submitTransaction(tx);
    expect(submitted.successful).toBe(true);
    expect(submitted.hash).toBe(Buffer.from(tx.hash()).toString('hex'));
    expect(submitted.ledger).toBe(fake.latestLedger());

    const record = SdkTransaction.parse(await server.transactions().transaction(submitted.hash).call());
    expect(record).toMatchObject({
      id: submitted.hash,
      ledger_attr: submitted.ledger,
      successful: true,
      source_account: payer.publicKey(),
      fee_account: payer.publicKey(),
      fee_charged: '100',
      max_fee: '100',
      memo_type: 'text',
      memo: 'kassa:inv_8R4KJ2',
      memo_bytes: Buffer.from('kassa:inv_8R4KJ2').toString('base64'),
      envelope_xdr: tx.toXDR(),
    });
    // stellar-core's own result: fee 100, txSUCCESS, one successful payment (as in the fixtures).
    expect(record.result_xdr).toBe('AAAAAAAAAGQAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAA=');
    expect(fake.account(merchant.publicKey())?.balances.at(-1)?.balance).toBe('10025.5000000');
    expect(fake.account(payer.publicKey())?.balances.at(-1)?.balance).toBe('9974.4999900');
  });

  it('renders id, hash and return memos as Horizon does', async () => {
    const payer = await funded();
    const bytes = Buffer.alloc(32, 7);
    const cases = [
      [Memo.id('18446744073709551615'), 'id', '18446744073709551615'],
      [Memo.hash(bytes), 'hash', bytes.toString('base64')],
      [Memo.return(bytes), 'return', bytes.toString('base64')],
    ] as const;
    for (const [memo, memoType, rendered] of cases) {
      const hash = await fake.pay({ from: payer, to: fake.friendbotAccountId, amount: '1', memo });
      const body = TransactionBody.parse((await getJson(`/transactions/${hash}`)).body);
      expect(body).toMatchObject({ memo_type: memoType, memo: rendered });
      expect(body.memo_bytes).toBeUndefined();
    }
    const plain = await fake.pay({ from: payer, to: fake.friendbotAccountId, amount: '1' });
    const body = TransactionBody.parse((await getJson(`/transactions/${plain}`)).body);
    expect(body.memo_type).toBe('none');
    expect('memo' in body).toBe(false);
  });

  it('refuses a bad sequence number without recording anything', async () => {
    const payer = await funded();
    const account = await server.loadAccount(payer.publicKey());
    account.incrementSequenceNumber();
    const recorded = fake.transactions().length;
    const sequenceBefore = fake.account(payer.publicKey())?.sequence;
    const refused = await refusal(
      server.submitTransaction(
        paymentTx(
          account,
          payer,
          Operation.payment({ destination: fake.friendbotAccountId, asset: Asset.native(), amount: '1' }),
        ),
      ),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.type).toBe('https://stellar.org/horizon-errors/transaction_failed');
    expect(refused.body.extras?.result_codes).toEqual({ transaction: 'tx_bad_seq' });
    expect(fake.transactions()).toHaveLength(recorded);
    expect(fake.account(payer.publicKey())?.sequence).toBe(sequenceBefore);
  });

  it('refuses a signature by the wrong key or for another network', async () => {
    const payer = await funded();
    const op = Operation.payment({
      destination: fake.friendbotAccountId,
      asset: Asset.native(),
      amount: '1',
    });
    const wrongKey = await refusal(
      server.submitTransaction(paymentTx(await server.loadAccount(payer.publicKey()), Keypair.random(), op)),
    );
    expect(wrongKey.body.extras?.result_codes).toEqual({ transaction: 'tx_bad_auth' });

    const publicNetworkTx = new TransactionBuilder(await server.loadAccount(payer.publicKey()), {
      fee: '100',
      networkPassphrase: 'Public Global Stellar Network ; September 2015',
    })
      .addOperation(op)
      .setTimeout(60)
      .build();
    publicNetworkTx.sign(payer);
    const wrongNetwork = await refusal(server.submitTransaction(publicNetworkTx));
    expect(wrongNetwork.body.extras?.result_codes).toEqual({ transaction: 'tx_bad_auth' });
  });

  it('records an underfunded payment as failed: fee and sequence taken, no payment listed', async () => {
    const payer = await funded();
    const merchant = await funded();
    const account = await server.loadAccount(payer.publicKey());
    const sequenceBefore = BigInt(account.sequence);
    const tx = paymentTx(
      account,
      payer,
      Operation.payment({ destination: merchant.publicKey(), asset: Asset.native(), amount: '20000' }),
    );
    const refused = await refusal(server.submitTransaction(tx));
    expect(refused.body.extras?.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_underfunded'],
    });
    const result = xdr.TransactionResult.fromXdr(refused.body.extras?.result_xdr ?? '', 'base64');
    expect(result.result.type).toBe('txFailed');

    const hash = Buffer.from(tx.hash()).toString('hex');
    const record = SdkTransaction.parse(await server.transactions().transaction(hash).call());
    expect(record.successful).toBe(false);
    expect(fake.account(payer.publicKey())).toMatchObject({
      sequence: (sequenceBefore + 1n).toString(),
      balances: [{ balance: '9999.9999900' }],
    });
    const payments = await server.payments().forAccount(merchant.publicKey()).call();
    expect(payments.records.map((r) => r.transaction_hash)).not.toContain(hash);
    const withFailed = await getJson(`/accounts/${merchant.publicKey()}/payments?include_failed=true`);
    const records = Page.parse(withFailed.body)._embedded.records.map((r) => PaymentRecord.parse(r));
    expect(records.find((r) => r.transaction_hash === hash)?.transaction_successful).toBe(false);
  });

  it('answers a resubmitted envelope with the same record and applies it once', async () => {
    const payer = await funded();
    const merchant = await funded();
    const tx = paymentTx(
      await server.loadAccount(payer.publicKey()),
      payer,
      Operation.payment({ destination: merchant.publicKey(), asset: Asset.native(), amount: '5' }),
    );
    const first = await server.submitTransaction(tx);
    const second = await server.submitTransaction(tx);
    expect(second.hash).toBe(first.hash);
    expect(second.ledger).toBe(first.ledger);
    expect(fake.account(merchant.publicKey())?.balances.at(-1)?.balance).toBe('10005.0000000');
  });

  it('refuses a transaction past its time bounds by the fake clock', async () => {
    let clock = new Date('2025-08-12T12:00:00Z');
    const timed = await start({ now: () => clock });
    const timedServer = new Horizon.Server(timed.url, { allowHttp: true });
    const payer = Keypair.random();
    await timed.friendbot(payer.publicKey());
    const tx = new TransactionBuilder(await timedServer.loadAccount(payer.publicKey()), {
      fee: '100',
      networkPassphrase: timed.networkPassphrase,
      timebounds: { minTime: 0, maxTime: Math.floor(clock.getTime() / 1000) + 60 },
    })
      .addOperation(
        Operation.payment({ destination: timed.friendbotAccountId, asset: Asset.native(), amount: '1' }),
      )
      .build();
    tx.sign(payer);
    clock = new Date(clock.getTime() + 120_000);
    const refused = await refusal(timedServer.submitTransaction(tx));
    expect(refused.body.extras?.result_codes).toEqual({ transaction: 'tx_too_late' });
  });
});

describe('refusals stellar-core makes before a ledger', () => {
  it('reports result codes that stellar-sdk reads as TransactionFailedError', async () => {
    const payer = await funded();
    const tx = new TransactionBuilder(await server.loadAccount(payer.publicKey()), {
      fee: '50',
      networkPassphrase: fake.networkPassphrase,
    })
      .addOperation(
        Operation.payment({ destination: fake.friendbotAccountId, asset: Asset.native(), amount: '1' }),
      )
      .setTimeout(60)
      .build();
    tx.sign(payer);
    const error: unknown = await server.submitTransaction(tx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionFailedError);
    if (!(error instanceof TransactionFailedError)) return;
    expect(error.getResultCodes()).toEqual({ transaction: 'tx_insufficient_fee', operations: [] });
    expect(error.getTransactionResult()?.result.type).toBe('txInsufficientFee');
  });

  it('refuses an operation whose own source did not sign, without taking a fee', async () => {
    const payer = await funded();
    const other = await funded();
    const before = fake.account(payer.publicKey());
    const tx = paymentTx(
      await server.loadAccount(payer.publicKey()),
      payer,
      Operation.payment({
        destination: payer.publicKey(),
        asset: Asset.native(),
        amount: '1',
        source: other.publicKey(),
      }),
    );
    const refused = await refusal(server.submitTransaction(tx));
    expect(refused.body.extras?.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_bad_auth'],
    });
    expect(fake.account(payer.publicKey())).toEqual(before);
  });

  it('applies create_account with its own result codes', async () => {
    const funder = await funded();
    const existing = await funded();
    const create = async (destination: string, startingBalance: string) =>
      refusal(
        server.submitTransaction(
          paymentTx(
            await server.loadAccount(funder.publicKey()),
            funder,
            Operation.createAccount({ destination, startingBalance }),
          ),
        ),
      );
    expect((await create(existing.publicKey(), '5')).body.extras?.result_codes?.operations).toEqual([
      'op_already_exists',
    ]);
    expect((await create(Keypair.random().publicKey(), '0.5')).body.extras?.result_codes?.operations).toEqual(
      ['op_low_reserve'],
    );
    const fresh = Keypair.random().publicKey();
    await server.submitTransaction(
      paymentTx(
        await server.loadAccount(funder.publicKey()),
        funder,
        Operation.createAccount({ destination: fresh, startingBalance: '2' }),
      ),
    );
    const [created] = (await server.payments().forAccount(fresh).call()).records.map((r) =>
      PaymentRecord.parse(r),
    );
    expect(created).toMatchObject({
      type: 'create_account',
      funder: funder.publicKey(),
      account: fresh,
      starting_balance: '2.0000000',
    });
  });

  it('reports an inner failure of a fee bump with both codes', async () => {
    const payer = await funded();
    const sponsor = await funded();
    const account = await server.loadAccount(payer.publicKey());
    account.incrementSequenceNumber();
    const inner = paymentTx(
      account,
      payer,
      Operation.payment({ destination: sponsor.publicKey(), asset: Asset.native(), amount: '1' }),
    );
    const bump = TransactionBuilder.buildFeeBumpTransaction(sponsor, '200', inner, fake.networkPassphrase);
    bump.sign(sponsor);
    const refused = await refusal(server.submitTransaction(bump));
    expect(refused.body.extras?.result_codes).toEqual({
      transaction: 'tx_fee_bump_inner_failed',
      inner_transaction: 'tx_bad_seq',
    });
  });
});

describe('assets and trustlines', () => {
  it('takes a real change_trust, then issues the registry USDC to it', async () => {
    const merchant = await funded();
    const trust = paymentTx(
      await server.loadAccount(merchant.publicKey()),
      merchant,
      Operation.changeTrust({ asset: new Asset('USDC', fake.issuers.USDC) }),
    );
    const trusted = await server.submitTransaction(trust);
    const [changeTrust] = (await server.operations().forTransaction(trusted.hash).call()).records;
    expect(changeTrust).toMatchObject({
      type: 'change_trust',
      asset_code: 'USDC',
      trustee: fake.issuers.USDC,
      trustor: merchant.publicKey(),
    });
    const ledger = await server.ledgers().ledger(trusted.ledger).call();
    expect(ledger).toMatchObject({
      sequence: trusted.ledger,
      successful_transaction_count: 1,
      operation_count: 1,
    });
    await fake.issue(merchant.publicKey(), 'USDC', '19.99');
    const account = await server.loadAccount(merchant.publicKey());
    expect(account.subentry_count).toBe(1);
    expect(account.balances[0]).toMatchObject({
      asset_type: 'credit_alphanum4',
      asset_code: 'USDC',
      asset_issuer: 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
      balance: '19.9900000',
      limit: '922337203685.4775807',
    });
  });

  it('refuses USDC to an account without a trustline (op_no_trust)', async () => {
    const payer = await funded();
    const merchant = await funded();
    fake.trust(payer.publicKey(), 'USDC', fake.issuers.USDC);
    await fake.issue(payer.publicKey(), 'USDC', '50');
    await expect(fake.issue(merchant.publicKey(), 'USDC', '1')).rejects.toMatchObject({
      resultCodes: { transaction: 'tx_failed', operations: ['op_no_trust'] },
    });
    const refused = await refusal(
      server.submitTransaction(
        paymentTx(
          await server.loadAccount(payer.publicKey()),
          payer,
          Operation.payment({
            destination: merchant.publicKey(),
            asset: new Asset('USDC', fake.issuers.USDC),
            amount: '10',
          }),
        ),
      ),
    );
    expect(refused.body.extras?.result_codes).toEqual({
      transaction: 'tx_failed',
      operations: ['op_no_trust'],
    });
  });

  it('lets any issuer send its own "USDC", listed with its own issuer', async () => {
    const counterfeiter = await funded();
    const merchant = await funded();
    fake.trust(merchant.publicKey(), 'USDC', counterfeiter.publicKey());
    const hash = await fake.pay({
      from: counterfeiter,
      to: merchant.publicKey(),
      assetCode: 'USDC',
      assetIssuer: counterfeiter.publicKey(),
      amount: '100',
      memo: Memo.text('kassa:inv_FAKE'),
    });
    const page = await server.payments().forTransaction(hash).call();
    expect(page.records.map((r) => PaymentRecord.parse(r))).toEqual([
      expect.objectContaining({
        type: 'payment',
        asset_code: 'USDC',
        asset_issuer: counterfeiter.publicKey(),
        amount: '100.0000000',
        to: merchant.publicKey(),
      }),
    ]);
    expect(counterfeiter.publicKey()).not.toBe(fake.issuers.USDC);
  });

  it('pays a USDC amount out of XLM with a path payment at par', async () => {
    const payer = await funded();
    const merchant = await funded();
    fake.trust(merchant.publicKey(), 'USDC', fake.issuers.USDC);
    const hash = await fake.pay({
      from: payer,
      to: merchant.publicKey(),
      assetCode: 'USDC',
      amount: '12.5',
      payWith: {},
    });
    const [record] = (await server.payments().forTransaction(hash).call()).records.map((r) =>
      PaymentRecord.parse(r),
    );
    expect(record).toMatchObject({
      type: 'path_payment_strict_receive',
      asset_code: 'USDC',
      amount: '12.5000000',
      source_asset_type: 'native',
      source_amount: '12.5000000',
    });
  });

  it('names a muxed destination as Horizon does', async () => {
    const payer = await funded();
    const merchant = await funded();
    const muxed = new MuxedAccount(new Account(merchant.publicKey(), '0'), '4102876531');
    const hash = await fake.pay({ from: payer, to: muxed.accountId(), amount: '3' });
    const [record] = (await server.payments().forTransaction(hash).call()).records.map((r) =>
      PaymentRecord.parse(r),
    );
    expect(record).toMatchObject({
      to: merchant.publicKey(),
      to_muxed: muxed.accountId(),
      to_muxed_id: '4102876531',
    });
  });
});

describe('fee bumps', () => {
  it('serves a fee bump under its outer and inner hash', async () => {
    const payer = await funded();
    const sponsor = await funded();
    const merchant = await funded();
    const inner = paymentTx(
      await server.loadAccount(payer.publicKey()),
      payer,
      Operation.payment({ destination: merchant.publicKey(), asset: Asset.native(), amount: '7' }),
      Memo.id('4102876531'),
    );
    const bump = TransactionBuilder.buildFeeBumpTransaction(sponsor, '200', inner, fake.networkPassphrase);
    bump.sign(sponsor);
    const outerHash = Buffer.from(bump.hash()).toString('hex');
    const innerHash = Buffer.from(inner.hash()).toString('hex');

    const submitted = await server.submitTransaction(bump);
    expect(submitted.hash).toBe(outerHash);
    const byOuter = TransactionBody.parse((await getJson(`/transactions/${outerHash}`)).body);
    const byInner = TransactionBody.parse((await getJson(`/transactions/${innerHash}`)).body);
    for (const [record, asked] of [
      [byOuter, outerHash],
      [byInner, innerHash],
    ] as const) {
      expect(record).toMatchObject({
        id: asked,
        hash: asked,
        source_account: payer.publicKey(),
        fee_account: sponsor.publicKey(),
        fee_charged: '200',
        max_fee: '400',
        memo_type: 'id',
        memo: '4102876531',
        fee_bump_transaction: { hash: outerHash },
        inner_transaction: { hash: innerHash, max_fee: '100' },
      });
    }
    expect(byInner.signatures).toEqual(byInner.inner_transaction?.signatures);
    expect(byOuter.signatures).toEqual(byOuter.fee_bump_transaction?.signatures);
    const [payment] = (await server.payments().forTransaction(innerHash).call()).records;
    expect(payment?.transaction_hash).toBe(outerHash);
    expect(fake.account(sponsor.publicKey())?.balances.at(-1)?.balance).toBe('9999.9999800');
  });
});

describe('payments pages', () => {
  it('pages payments with join=transactions and follows next links to an empty page', async () => {
    const payer = await funded();
    const merchant = await funded();
    fake.trust(payer.publicKey(), 'USDC', fake.issuers.USDC);
    fake.trust(merchant.publicKey(), 'USDC', fake.issuers.USDC);
    await fake.issue(payer.publicKey(), 'USDC', '100');
    const memos = ['kassa:inv_1', 'kassa:inv_2', 'kassa:inv_3'];
    for (const memo of memos) {
      await fake.pay({
        from: payer,
        to: merchant.publicKey(),
        assetCode: 'USDC',
        amount: '19.99',
        memo: Memo.text(memo),
      });
    }

    const first = await server
      .payments()
      .forAccount(merchant.publicKey())
      .cursor('0')
      .limit(2)
      .join('transactions')
      .call();
    // The merchant's own funding comes first: create_account is a payment too.
    expect(PaymentRecord.parse(first.records[0]).type).toBe('create_account');
    const second = await first.next();
    const last = await second.next();
    expect(last.records).toEqual([]);
    const records = [...first.records, ...second.records];
    expect(records).toHaveLength(4);
    const tokens = records.map((r) => BigInt(r.paging_token));
    expect(tokens).toEqual([...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const joinedMemos = await Promise.all(
      records.slice(1).map(async (r) => z.object({ memo: z.string() }).parse(await r.transaction()).memo),
    );
    expect(joinedMemos).toEqual(memos);

    // The empty page still links onwards from where it stands.
    const empty = Page.parse(
      (await getJson(`/accounts/${merchant.publicKey()}/payments?cursor=${tokens.at(-1)}`)).body,
    );
    expect(empty._embedded.records).toEqual([]);
    expect(empty._links.next.href).toBe(
      `${fake.url}/accounts/${merchant.publicKey()}/payments?cursor=${tokens.at(-1)}&limit=10&order=asc`,
    );
  });

  it('renders a joined USDC payment with the same fields as recorded Horizon', async () => {
    const payer = await funded();
    const merchant = await funded();
    fake.trust(payer.publicKey(), 'USDC', fake.issuers.USDC);
    fake.trust(merchant.publicKey(), 'USDC', fake.issuers.USDC);
    await fake.issue(payer.publicKey(), 'USDC', '100');
    await fake.pay({
      from: payer,
      to: merchant.publicKey(),
      assetCode: 'USDC',
      amount: '19.99',
      memo: Memo.text('kassa:inv_8R4KJ2'),
    });

    const ours = Page.parse(
      (await getJson(`/accounts/${merchant.publicKey()}/payments?order=desc&limit=1&join=transactions`)).body,
    );
    const theirs = Page.parse(fixture('payments.page.join-transactions.json'));
    expect(shape(ours._embedded.records[0])).toEqual(shape(theirs._embedded.records[1]));
    expect(ours._embedded.records[0]).toMatchObject({ amount: '19.9900000', asset_code: 'USDC' });
  });

  it('serves a transaction with the same fields as recorded Horizon', async () => {
    const payer = await funded();
    const merchant = await funded();
    fake.trust(payer.publicKey(), 'USDC', fake.issuers.USDC);
    fake.trust(merchant.publicKey(), 'USDC', fake.issuers.USDC);
    await fake.issue(payer.publicKey(), 'USDC', '100');
    const hash = await fake.pay({
      from: payer,
      to: merchant.publicKey(),
      assetCode: 'USDC',
      amount: '19.99',
      memo: Memo.text('kassa:inv_8R4KJ2'),
    });
    const ours = await getJson(`/transactions/${hash}`);
    expect(shape(ours.body)).toEqual(shape(fixture('transaction.usdc-text-memo.json')));
    const empty = await getJson(`/accounts/${merchant.publicKey()}/payments?cursor=now`);
    expect(shape(empty.body)).toEqual(shape(fixture('payments.page.empty.json')));
  });

  it('answers 410 before_history for a descending query into forgotten history', async () => {
    const payer = await funded();
    const merchant = await funded();
    const hashes = [];
    for (const amount of ['1', '2', '3'])
      hashes.push(await fake.pay({ from: payer, to: merchant.publicKey(), amount }));
    const page = await server.payments().forAccount(merchant.publicKey()).cursor('0').call();
    const [funding, p1, p2, p3] = page.records.map((r) => r.paging_token);
    if (!funding || !p1 || !p2 || !p3) throw new Error('expected four payments');
    fake.forgetHistoryBefore(p2);

    const gone = await getJson(`/accounts/${merchant.publicKey()}/payments?cursor=${p1}&order=desc`);
    expect(gone).toEqual({ status: 410, body: fixture('problem.before_history.json') });
    // Ascending, Horizon starts at the oldest ledger it still has: the gap is silent.
    const resumed = await server.payments().forAccount(merchant.publicKey()).cursor(funding).call();
    expect(resumed.records.map((r) => r.paging_token)).toEqual([p2, p3]);
    await expect(
      server
        .transactions()
        .transaction(hashes[0] ?? '')
        .call(),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await server.root()).history_elder_ledger).toBe(Number(BigInt(p2) >> 32n));
  });

  it('with strictHistory, also refuses an ascending cursor into forgotten history', async () => {
    const strict = await start({ strictHistory: true });
    const strictServer = new Horizon.Server(strict.url, { allowHttp: true });
    const payer = Keypair.random();
    await strict.friendbot(payer.publicKey());
    const hash = await strict.pay({ from: payer, to: strict.friendbotAccountId, amount: '1' });
    const [old] = (await strictServer.payments().forAccount(payer.publicKey()).call()).records;
    const [kept] = (await strictServer.payments().forTransaction(hash).call()).records;
    strict.forgetHistoryBefore(kept?.paging_token ?? '');
    const refused = await refusal(
      strictServer
        .payments()
        .forAccount(payer.publicKey())
        .cursor(old?.paging_token ?? '')
        .call(),
    );
    expect(refused.status).toBe(410);
    expect(refused.body.type).toBe('https://stellar.org/horizon-errors/before_history');
  });
});

describe('streaming', () => {
  it('speaks Horizon SSE: hello, one event per record, byebye after `limit` records', async () => {
    const payer = await funded();
    const merchant = await funded();
    await fake.pay({ from: payer, to: merchant.publicKey(), amount: '1' });
    await fake.pay({ from: payer, to: merchant.publicKey(), amount: '2' });
    const response = await fetch(`${fake.url}/accounts/${merchant.publicKey()}/payments?cursor=0&limit=2`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const recorded = fixtureText('stellar/sse.payments.txt');
    expect(text.startsWith(recorded.slice(0, recorded.indexOf('\n\n') + 2))).toBe(true);
    expect(text.endsWith(recorded.slice(recorded.lastIndexOf('retry:')))).toBe(true);
    const events = [...text.matchAll(/^id: (\d+)\ndata: (.+)$/gm)];
    expect(events).toHaveLength(2);
    const [firstEvent] = events;
    expect(PaymentRecord.parse(JSON.parse(firstEvent?.[2] ?? '')).paging_token).toBe(firstEvent?.[1]);
  });

  it('lets Last-Event-ID override the cursor', async () => {
    const payer = await funded();
    const merchant = await funded();
    await fake.pay({ from: payer, to: merchant.publicKey(), amount: '1' });
    const [funding, payment] = (await server.payments().forAccount(merchant.publicKey()).call()).records;
    const response = await fetch(`${fake.url}/accounts/${merchant.publicKey()}/payments?cursor=0&limit=1`, {
      headers: { Accept: 'text/event-stream', 'Last-Event-ID': funding?.paging_token ?? '' },
    });
    expect([...(await response.text()).matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual([
      payment?.paging_token,
    ]);
  });

  it('streams a new payment to stellar-sdk and resumes after close from the last cursor', async () => {
    const payer = await funded();
    const merchant = await funded();
    const received: z.infer<typeof PaymentRecord>[] = [];
    const stop = server
      .payments()
      .forAccount(merchant.publicKey())
      .cursor('now')
      .stream({ onmessage: (record) => received.push(PaymentRecord.parse(record)) });
    try {
      await until(() => fake.openStreams() === 1, 'the stream to open');
      const first = await fake.pay({
        from: payer,
        to: merchant.publicKey(),
        amount: '1.5',
        memo: Memo.text('kassa:inv_1'),
      });
      await until(() => received.length === 1, 'the first payment');
      expect(received[0]).toMatchObject({
        transaction_hash: first,
        amount: '1.5000000',
        from: payer.publicKey(),
      });

      fake.endStreams();
      const streamRequests = () => fake.requests().filter((r) => r.streamed);
      await until(() => streamRequests().length === 2 && fake.openStreams() === 1, 'the client to reconnect');
      expect(streamRequests()[0]?.query['cursor']).toBe('now');
      expect(streamRequests()[1]?.query['cursor']).toBe(received[0]?.paging_token);

      const second = await fake.pay({ from: payer, to: merchant.publicKey(), amount: '2.5' });
      await until(() => received.length === 2, 'the second payment');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.map((r) => r.transaction_hash)).toEqual([first, second]);
    } finally {
      stop();
    }
  });

  it('ends streams after streamBatchMs, and the client comes back', async () => {
    const batched = await start({ streamBatchMs: 100 });
    const batchedServer = new Horizon.Server(batched.url, { allowHttp: true });
    const stop = batchedServer.payments().cursor('now').stream({});
    try {
      await until(() => batched.requests().filter((r) => r.streamed).length >= 2, 'a second connection');
    } finally {
      stop();
    }
  });
});
