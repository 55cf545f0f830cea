import {
  asPaymentId,
  createAssetRegistry,
  moneyOf,
  openPayment,
  type Asset,
  type MerchantId,
  type Observation,
} from '@kassa/core';
import { insertCheckout, newId, type Db } from '@kassa/db';
import { sql } from 'drizzle-orm';

const registry = createAssetRegistry({ chain: 'testnet' });
const resolved = registry.resolve('USD');
if (!resolved.ok) throw new Error('USD is not in the testnet registry');
export const usd: Asset = resolved.value;

/** All observations happen after this instant, one millisecond apart, long before any payment expires. */
const T0 = Date.parse('2026-03-01T12:00:00Z');
const FAR_FUTURE = new Date('2099-01-01T00:00:00Z');

/**
 * A test payment due 1,000,000.00 USD by default: a run's one-cent credits never pay it in full, so
 * every observation is a real change (partially_paid, received grows) with an audit row and an outbox event.
 */
export async function newPayment(
  db: Db,
  merchantId: MerchantId,
  amountDueMinor = 100_000_000n,
): Promise<string> {
  const id = newId('pay_');
  const payment = openPayment({
    id: asPaymentId(id),
    merchantId,
    mode: 'test',
    amountDue: moneyOf(usd, amountDueMinor),
    expiresAt: FAR_FUTURE,
    escrow: false,
    now: new Date(T0),
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
  return id;
}

let sequence = 0;

/** A sandbox credit (one cent by default) with a transaction and external id never used before. */
export function nextCredit(amountMinor = 1n): Observation {
  sequence += 1;
  const tag = `${process.pid}-${sequence}-${newId('', 8)}`;
  return {
    type: 'credit',
    source: 'sandbox',
    externalId: `bench-evt-${tag}`,
    occurredAt: new Date(T0 + sequence),
    txKey: `bench-tx-${tag}`,
    amount: moneyOf(usd, amountMinor),
  };
}

/** The baseline's scratch table: one row per observation, nothing else. */
export async function createBaselineTable(db: Db): Promise<void> {
  await db.query(sql`create table if not exists bench_baseline (
    id text primary key,
    payment_id text not null,
    body jsonb not null,
    created_at timestamptz not null
  )`);
}

/** The baseline: one plain INSERT (autocommit) carrying the same observation as a JSON body. */
export async function insertBaselineRow(db: Db, paymentId: string, observation: Observation): Promise<void> {
  const body = JSON.stringify({
    ...observation,
    amount: 'amount' in observation ? observation.amount.minor.toString() : null,
  });
  await db.query(
    sql`insert into bench_baseline (id, payment_id, body, created_at) values (${observation.externalId}, ${paymentId}, ${body}::jsonb, now())`,
  );
}
