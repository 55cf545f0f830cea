import {
  asPaymentId,
  createAssetRegistry,
  formatAmount,
  moneyOf,
  openPayment,
  parseAmount,
  type Asset,
  type Observation,
} from '@kassa/core';
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObservation } from './apply-observation';
import { getCheckout, insertCheckout, listAudit } from './checkouts';
import type { Db } from './client';
import { newId } from './ids';
import { createMerchant } from './merchants';
import { listPaymentEvents } from './outbox';
import { auditLog, outbox } from './schema';
import { createTestDb, testEngine } from './testing';

const assets = createAssetRegistry({ chain: 'testnet' });
const asset = (id: string): Asset => {
  const r = assets.resolve(id);
  if (!r.ok) throw new Error(id);
  return r.value;
};
const usd = asset('USD');
const T0 = new Date('2026-03-01T12:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let db: Db;
let merchantId: Awaited<ReturnType<typeof createMerchant>>;

beforeAll(async () => {
  db = await createTestDb();
  merchantId = await createMerchant(db.orm, 'Race Shop');
});
afterAll(async () => db.close());

async function newCheckout(due: string, a: Asset = usd): Promise<string> {
  const amount = parseAmount(a, due);
  if (!amount.ok) throw new Error(amount.error.message);
  const payment = openPayment({
    id: asPaymentId(newId('pay_')),
    merchantId,
    mode: 'test',
    amountDue: amount.value,
    expiresAt: at(30),
    escrow: false,
    now: T0,
  });
  await insertCheckout(db.orm, {
    payment,
    rails: ['sandbox'],
    description: null,
    metadata: {},
    successUrl: null,
    cancelUrl: null,
    lineItems: [],
  });
  return payment.id;
}

const credit = (paymentId: string, cents: bigint, minute: number, txKey = newId('tx_')): Observation => ({
  type: 'credit',
  source: 'sandbox',
  externalId: `${paymentId}:${txKey}`,
  occurredAt: at(minute),
  txKey,
  amount: moneyOf(usd, cents),
});

describe(`applyObservation (${testEngine()})`, () => {
  it('writes the payment, an audit row and the merchant event in one go', async () => {
    const id = await newCheckout('10.00');
    const result = await applyObservation(db, id, credit(id, 1000n, 1), at(2));
    expect(result.type).toBe('changed');
    const checkout = await getCheckout(db.orm, id);
    expect(checkout?.payment.status).toBe('paid');
    expect(formatAmount(checkout!.payment.received)).toBe('10.00');
    const audit = await listAudit(db.orm, id);
    expect(audit.map((a) => [a.fromStatus, a.toStatus, a.cause.type])).toEqual([
      ['pending', 'paid', 'credit'],
    ]);
    const events = await listPaymentEvents(db.orm, id);
    expect(events.map((e) => e.type)).toEqual(['checkout.paid']);
    expect(events[0]!.payload).toMatchObject({
      checkout: { id, status: 'paid', amountReceived: { amount: '10.00', asset: 'USD' } },
    });
  });

  it('the same observation twice commits nothing the second time', async () => {
    const id = await newCheckout('10.00');
    const o = credit(id, 400n, 1);
    expect((await applyObservation(db, id, o)).type).toBe('changed');
    expect((await applyObservation(db, id, o)).type).toBe('ignored');
    expect(await listAudit(db.orm, id)).toHaveLength(1);
    expect(await listPaymentEvents(db.orm, id)).toHaveLength(1);
  });

  it('a transaction pays at most one payment', async () => {
    const first = await newCheckout('10.00');
    const second = await newCheckout('10.00');
    const txKey = newId('tx_');
    expect((await applyObservation(db, first, credit(first, 1000n, 1, txKey))).type).toBe('changed');
    const again = await applyObservation(db, second, credit(second, 1000n, 1, txKey));
    expect(again).toMatchObject({ type: 'rejected', reason: 'tx_already_claimed' });
    const untouched = await getCheckout(db.orm, second);
    expect(untouched?.payment.status).toBe('pending');
    expect(await listAudit(db.orm, second)).toHaveLength(0);
  });

  it('two payments racing for one transaction: exactly one is paid by it, the other is told', async () => {
    for (let round = 0; round < 10; round += 1) {
      const first = await newCheckout('10.00');
      const second = await newCheckout('10.00');
      const txKey = newId('tx_');
      const results = await Promise.all([
        applyObservation(db, first, credit(first, 1000n, 1, txKey)),
        applyObservation(db, second, credit(second, 1000n, 1, txKey)),
      ]);
      expect(results.map((r) => r.type).sort()).toEqual(['changed', 'rejected']);
      const statuses = await Promise.all(
        [first, second].map(async (id) => (await getCheckout(db.orm, id))!.payment.status),
      );
      expect(statuses.sort()).toEqual(['paid', 'pending']);
    }
  });

  it('a fact dated before the last one is placed by the full fold; so is any fact after an upgrade', async () => {
    const id = await newCheckout('10.00');
    await applyObservation(db, id, credit(id, 400n, 20), at(21));
    await applyObservation(
      db,
      id,
      { type: 'expired', source: 'clock', externalId: `${id}:expire`, occurredAt: at(31) },
      at(31),
    );
    expect((await getCheckout(db.orm, id))!.payment.status).toBe('expired');
    // Paid before the expiry, heard of after it: the checkout was paid in time.
    const late = await applyObservation(db, id, credit(id, 600n, 25), at(40));
    expect(late.type).toBe('changed');
    const paid = (await getCheckout(db.orm, id))!.payment;
    expect([paid.status, formatAmount(paid.received), formatAmount(paid.lateReceived)]).toEqual([
      'paid',
      '10.00',
      '0.00',
    ]);
    expect(paid.facts).toHaveLength(3);

    // A payment stored before snapshots knew their last fact (migration 0009): folded in full.
    await db.query(sql`update payments set last_fact = null where id = ${id}`);
    const more = await applyObservation(db, id, credit(id, 100n, 45), at(46));
    expect(more.type).toBe('changed');
    const after = (await getCheckout(db.orm, id))!.payment;
    expect([after.status, formatAmount(after.received), formatAmount(after.lateReceived)]).toEqual([
      'overpaid',
      '11.00',
      '0.00',
    ]);
    const [row] = await db.query<{ fact_count: number; last_fact: unknown }>(
      sql`select fact_count, last_fact from payments where id = ${id}`,
    );
    expect(row?.fact_count).toBe(4);
    expect(row?.last_fact).not.toBeNull();
  });

  it('keeps 18-decimal token amounts exact beyond 64 bits', async () => {
    const bsc = asset('USDT:bsc');
    const id = await newCheckout('123456789.123456789012345678', bsc);
    const big = parseAmount(bsc, '123456789.123456789012345678');
    if (!big.ok) throw new Error('parse');
    const o: Observation = {
      type: 'credit',
      source: 'shkeeper',
      externalId: `${id}:big`,
      occurredAt: at(1),
      txKey: `0x${id}`,
      amount: big.value,
    };
    await applyObservation(db, id, o);
    const checkout = await getCheckout(db.orm, id);
    expect(formatAmount(checkout!.payment.received)).toBe('123456789.123456789012345678');
    expect(checkout!.payment.status).toBe('paid');
  });

  it('unknown payment is reported, not invented', async () => {
    expect(await applyObservation(db, 'pay_doesnotexist0000000', credit('x', 1n, 1))).toEqual({
      type: 'not_found',
    });
  });

  it('50 concurrent applications of shuffled, duplicated observations converge', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.nat(), { minLength: 50, maxLength: 50 }),
        async (cents, expireMinute, picks) => {
          const id = await newCheckout('10.00');
          const signals: Observation[] = [
            ...cents.map((c, i) => credit(id, BigInt(c), i * 7, `${id}-tx${i}`)),
            { type: 'seen', source: 'stripe', externalId: `${id}:seen`, occurredAt: at(1) },
            { type: 'expired', source: 'clock', externalId: `${id}:expire`, occurredAt: at(expireMinute) },
            {
              type: 'canceled',
              source: 'sandbox',
              externalId: `${id}:cancel`,
              occurredAt: at(expireMinute + 3),
            },
          ];
          // 50 deliveries: every signal at least once, the rest duplicates, in a random order (Fisher-Yates).
          const deliveries = Array.from(
            { length: 50 },
            (_, i) => signals[i < signals.length ? i : picks[i]! % signals.length]!,
          );
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = picks[i]! % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          const results = await Promise.all(deliveries.map((o) => applyObservation(db, id, o, at(90))));

          const expected = await replaySequentially(signals);
          const final = await getCheckout(db.orm, id);
          expect(final!.payment.status).toBe(expected.status);
          expect(formatAmount(final!.payment.received)).toBe(expected.received);
          expect(formatAmount(final!.payment.lateReceived)).toBe(expected.late);

          const changes = results.filter((r) => r.type === 'changed').length;
          const audits = await db.orm.select().from(auditLog).where(eq(auditLog.paymentId, id));
          expect(audits).toHaveLength(changes);
          expect(new Set(audits.map((a) => a.sequence)).size).toBe(audits.length);
          const events = await db.orm.select().from(outbox).where(eq(outbox.paymentId, id));
          const keys = events.map((e) => `${e.sequence}:${e.type}`);
          expect(new Set(keys).size).toBe(keys.length);
          expect(results.filter((r) => r.type === 'changed' || r.type === 'recorded')).toHaveLength(
            signals.length,
          );
        },
      ),
      { numRuns: testEngine() === 'postgres' ? 8 : 4 },
    );
  });
});

/** The same signals applied one by one in time order to a fresh payment: the reference answer. */
async function replaySequentially(signals: readonly Observation[]) {
  const id = await newCheckout('10.00');
  // The reference: one at a time, in the order they happened.
  const ordered = [...signals].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (const o of ordered) {
    const copy: Observation = {
      ...o,
      externalId: `ref:${o.externalId}`,
      ...(o.type === 'credit' ? { txKey: `ref:${o.txKey}` } : {}),
    };
    await applyObservation(db, id, copy, at(90));
  }
  const p = (await getCheckout(db.orm, id))!.payment;
  return { status: p.status, received: formatAmount(p.received), late: formatAmount(p.lateReceived) };
}
