import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAssetRegistry } from '@kassa/core';
import { describe, expect, it } from 'vitest';
import { decodeStellarTransaction, stellarMemoFor, stellarTransactionEvent } from './events';
import { PaymentRecord, TransactionRecord } from './horizon';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'stellar');
const json = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const MERCHANT = 'GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR';
const USDC_PUBLIC = 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN';
const assets = createAssetRegistry({ chain: 'mainnet' });
const context = { receivingAccount: MERCHANT, assets, mode: 'live' as const };

const page = json('payments.page.join-transactions.json') as { _embedded: { records: unknown[] } };
const [xlmRecord, usdcRecord] = page._embedded.records.map((r) => PaymentRecord.parse(r));
if (!xlmRecord?.transaction || !usdcRecord?.transaction)
  throw new Error('fixture without joined transactions');
const xlmTx = TransactionRecord.parse(json('transaction.xlm-id-memo.json'));

/** The fixture's USDC payment, rewritten as needed, with its transaction carrying a Kassa memo. */
function usdcPayment(change: Partial<PaymentRecord> = {}, memo: Partial<TransactionRecord> = {}) {
  const tx = { ...usdcRecord!.transaction!, memo_type: 'id' as const, memo: '4102876531', ...memo };
  const { transaction: _joined, ...op } = usdcRecord!;
  return { tx, op: { ...op, ...change } };
}
/** `expect.stringMatching` is typed `any`; this names what it is. */
const stringMatching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;
const decode = (tx: TransactionRecord, ops: PaymentRecord[]) =>
  decodeStellarTransaction(stellarTransactionEvent(tx, ops).body, context);

describe('a ledger transaction as a payment', () => {
  it('real XLM with a Kassa memo is a credit for the payment that memo names, keyed by the hash', () => {
    expect(decode(xlmTx, [xlmRecord])).toMatchObject({
      ok: true,
      value: [
        {
          railRef: { rail: 'stellar', ref: '4102876531' },
          mode: 'live',
          observation: {
            source: 'stellar',
            type: 'credit',
            externalId: xlmTx.hash,
            txKey: `stellar:${xlmTx.hash}`,
            amount: { minor: 255_000_000n, asset: { id: 'XLM:stellar' } },
          },
        },
      ],
    });
  });

  it('USDC from Circle counts; a "USDC" from any other issuer never does, and is kept for the operator', () => {
    const real = usdcPayment();
    expect(decode(real.tx, [real.op])).toMatchObject({
      ok: true,
      value: [
        {
          observation: {
            amount: { minor: 199_900_000n, asset: { id: 'USDC:stellar', issuer: USDC_PUBLIC } },
          },
        },
      ],
    });
    const fake = usdcPayment({ asset_issuer: 'GDWUSKGGFDI4FRXK5EBTRECZSVQSSWJHHJOGH6JWG3AUMFFMQ435DIAG' });
    expect(decode(fake.tx, [fake.op])).toMatchObject({
      ok: false,
      error: { code: 'unattributed', message: stringMatching(/USDC issued by GDWUSK/) },
    });
  });

  it('money with no memo, or a memo Kassa never gave (text), is unattributed, not dropped', () => {
    const none = usdcPayment({}, { memo_type: 'none', memo: undefined });
    expect(decode(none.tx, [none.op])).toMatchObject({ ok: false, error: { code: 'unattributed' } });
    const text = usdcPayment({}, { memo_type: 'text', memo: 'kassa:inv_8R4KJ2' });
    expect(decode(text.tx, [text.op])).toMatchObject({
      ok: false,
      error: { code: 'unattributed', message: stringMatching(/text memo/) },
    });
  });

  it('sums the payments of one transaction; a path payment counts what arrived', () => {
    const a = usdcPayment({ id: '1', paging_token: '1', amount: '10.0000000' });
    const b = usdcPayment({
      id: '2',
      paging_token: '2',
      type: 'path_payment_strict_receive',
      amount: '2.5000000',
    });
    expect(decode(a.tx, [a.op, b.op])).toMatchObject({
      ok: true,
      value: [{ observation: { amount: { minor: 125_000_000n } } }],
    });
  });

  it('a failed transaction, or one that pays someone else, is no payment', () => {
    const failed = usdcPayment({}, { successful: false });
    expect(decode(failed.tx, [failed.op])).toEqual({ ok: true, value: [] });
    const elsewhere = usdcPayment({ to: 'GDWUSKGGFDI4FRXK5EBTRECZSVQSSWJHHJOGH6JWG3AUMFFMQ435DIAG' });
    expect(decode(elsewhere.tx, [elsewhere.op])).toEqual({ ok: true, value: [] });
    const merge = usdcPayment({ type: 'account_merge' });
    expect(decode(merge.tx, [merge.op])).toEqual({ ok: true, value: [] });
  });

  it('a fee-bump is keyed by its inner hash, so the outer and inner hash are one transaction', () => {
    const inner = 'b'.repeat(64);
    const bumped = usdcPayment(
      {},
      { fee_bump_transaction: { hash: usdcRecord.transaction_hash }, inner_transaction: { hash: inner } },
    );
    expect(stellarTransactionEvent(bumped.tx, [bumped.op]).eventId).toBe(inner);
    expect(decode(bumped.tx, [bumped.op])).toMatchObject({
      ok: true,
      value: [{ observation: { txKey: `stellar:${inner}` } }],
    });
  });

  it('gives each payment a memo of its own, the same every time it is asked', () => {
    const memos = new Set(
      Array.from({ length: 2000 }, (_, i) => stellarMemoFor(`pay_${i.toString().padStart(20, '0')}`)),
    );
    expect(memos.size).toBe(2000);
    expect(stellarMemoFor('pay_x')).toBe(stellarMemoFor('pay_x'));
    for (const memo of memos) expect(BigInt(memo) > 0n && BigInt(memo) < 2n ** 64n).toBe(true);
  });

  it('refuses what is not a transaction event', () => {
    for (const body of ['', '{}', '{"transaction":{},"payments":[]}']) {
      expect(decodeStellarTransaction(body, context)).toMatchObject({
        ok: false,
        error: { code: 'event_malformed' },
      });
    }
  });
});
