import type { Checkout } from '@kassa/core';
import { sql } from 'drizzle-orm';
import { rowsOf, type Database, type Tx } from './client';
import { insertCheckout } from './checkouts';
import { claimIdempotencyKey, type IdempotencyScope } from './idempotency';

/**
 * What a merchant may pay out in one token: the token its own checkouts received (held escrows
 * excluded: that money belongs to a release or a refund), less its payouts in that token that have
 * not failed. SHKeeper keeps every merchant's money in one wallet; this keeps each to its own.
 */
export async function payoutBalance(
  db: Database | Tx,
  merchantId: string,
  mode: string,
  assetId: string,
): Promise<bigint> {
  const result = await db.execute(sql`
    select
      coalesce((
        select sum((o.body -> 'paid' ->> 'minor')::numeric)
        from payments p join observations o on o.payment_id = p.id
        where p.merchant_id = ${merchantId} and p.mode = ${mode} and p.direction = 'in' and not p.escrow
          and o.type = 'credit' and o.body -> 'paid' -> 'asset' ->> 'id' = ${assetId}
      ), 0)
      - coalesce((
        select sum(p.amount_due)
        from payments p
        where p.merchant_id = ${merchantId} and p.mode = ${mode} and p.direction = 'out'
          and p.asset_id = ${assetId} and p.status <> 'failed'
      ), 0) as available`);
  const [row] = rowsOf<{ available: string | number | bigint }>(result);
  return BigInt(String(row?.available ?? 0));
}

/**
 * Stores a new payout only if the merchant's balance in its token covers it. One payout per
 * merchant and token is decided at a time (a transaction-scoped advisory lock), so two racing
 * payouts cannot both spend the same money. `false`: the idempotency key was taken first.
 */
export async function createPayoutRecord(
  db: Database,
  payout: Checkout,
  idempotency: { scope: IdempotencyScope; requestHash: string; now: Date } | null,
): Promise<'created' | 'key_taken' | 'insufficient'> {
  const p = payout.payment;
  return db
    .transaction(async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`payout:${p.merchantId}:${p.mode}:${p.amountDue.asset.id}`}, 0))`,
      );
      if (idempotency) {
        const { scope, requestHash, now } = idempotency;
        if (!(await claimIdempotencyKey(tx, scope, requestHash, p.id, now))) return 'key_taken';
      }
      const available = await payoutBalance(tx, p.merchantId, p.mode, p.amountDue.asset.id);
      if (p.amountDue.minor > available) {
        // Undo the key too: nothing was created under it.
        throw new InsufficientBalance();
      }
      await insertCheckout(tx, payout);
      return 'created';
    })
    .catch((error: unknown) => {
      if (error instanceof InsufficientBalance) return 'insufficient' as const;
      throw error;
    });
}

class InsufficientBalance extends Error {}
