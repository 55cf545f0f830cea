import {
  asMerchantId,
  asPaymentId,
  InvariantError,
  moneyOf,
  type PaymentSnapshot,
  type Checkout,
  type LineItem,
  type Mode,
  type Payment,
  type PaymentStatus,
  type Rail,
} from '@kassa/core';
import { and, asc, desc, eq, getTableColumns, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Database, Db, Tx } from './client';
import { decodeObservation } from './codec';
import { claimIdempotencyKey, type IdempotencyScope } from './idempotency';
import { auditLog, lineItems, observations, payments } from './schema';

/** A payment's row with its facts, which live in `observations` (see `paymentWithFacts`). */
type PaymentRow = typeof payments.$inferSelect & { facts: unknown };
type LineItemRow = typeof lineItems.$inferSelect;

/** A payment's columns and its facts in arrival order, as one JSON array per row. */
export const paymentWithFacts = {
  ...getTableColumns(payments),
  facts: sql<unknown>`coalesce((select jsonb_agg(o.body order by o.id) from ${observations} o where o.payment_id = payments.id), '[]'::jsonb)`,
};

/** jsonb from a raw SQL field: parsed by one driver, a string from the other. */
export function jsonOf(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function rowToPayment(row: PaymentRow): Payment {
  const { facts: raw, ...head } = row;
  const stored = jsonOf(raw);
  const facts = Array.isArray(stored) ? stored.map((f) => decodeObservation(f, row.asset)) : [];
  const { factCount: _count, lastFact: _last, ...payment } = rowToSnapshot(head);
  return { ...payment, facts };
}

/** A payment's row without its facts: the snapshot `foldOnto` folds one more fact onto. */
export function rowToSnapshot(row: typeof payments.$inferSelect): PaymentSnapshot {
  const asset = row.asset;
  const lastFact = jsonOf(row.lastFact);
  return {
    id: asPaymentId(row.id),
    merchantId: asMerchantId(row.merchantId),
    mode: row.mode,
    amountDue: moneyOf(asset, row.amountDue),
    expiresAt: row.expiresAt,
    escrow: row.escrow,
    direction: row.direction,
    underpaymentTolerance: moneyOf(asset, row.underpaymentTolerance),
    sequence: row.sequence,
    factCount: row.factCount,
    lastFact: lastFact === null || lastFact === undefined ? null : decodeObservation(lastFact, asset),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    status: row.status as PaymentStatus,
    escrowStatus: row.escrowStatus as Payment['escrowStatus'],
    received: moneyOf(asset, row.received),
    lateReceived: moneyOf(asset, row.lateReceived),
    refunded: moneyOf(asset, row.refunded),
    failureReason: row.failureReason,
    disputeStatus: row.disputeStatus,
  };
}

function toCheckout(row: PaymentRow, items: readonly LineItemRow[]): Checkout {
  const payment = rowToPayment(row);
  return {
    payment,
    rails: row.rails as Rail[],
    description: row.description,
    metadata: row.metadata,
    successUrl: row.successUrl,
    cancelUrl: row.cancelUrl,
    payoutDestination: row.payoutDestination,
    lineItems: items.map((item): LineItem => ({
      name: item.name,
      quantity: item.quantity,
      unitAmount: moneyOf(payment.amountDue.asset, item.unitAmount),
      amount: moneyOf(payment.amountDue.asset, item.amount),
    })),
  };
}

/**
 * A new payment's row as one fixed text (prepared on PostgreSQL when run through `Db.prepared`),
 * the values as parameters: checkouts.create runs it on every call.
 */
function paymentInsert(checkout: Checkout): SQL {
  const p = checkout.payment;
  return sql`
    insert into ${payments} (
      id, merchant_id, mode, asset_id, asset, amount_due, escrow, direction, underpayment_tolerance,
      payout_destination, rails, description, metadata, success_url, cancel_url, expires_at, created_at,
      status, received, late_received, refunded, escrow_status, failure_reason, dispute_status,
      sequence, updated_at
    ) values (
      ${p.id}, ${p.merchantId}, ${p.mode}, ${p.amountDue.asset.id}, ${JSON.stringify(p.amountDue.asset)}::jsonb,
      ${p.amountDue.minor.toString()}::numeric, ${p.escrow}, ${p.direction ?? 'in'},
      ${(p.underpaymentTolerance?.minor ?? 0n).toString()}::numeric, ${checkout.payoutDestination ?? null},
      ${JSON.stringify(checkout.rails)}::jsonb, ${checkout.description}, ${JSON.stringify(checkout.metadata)}::jsonb,
      ${checkout.successUrl}, ${checkout.cancelUrl}, ${p.expiresAt.toISOString()}::timestamptz,
      ${p.createdAt.toISOString()}::timestamptz, ${p.status}, ${p.received.minor.toString()}::numeric,
      ${p.lateReceived.minor.toString()}::numeric, ${p.refunded.minor.toString()}::numeric, ${p.escrowStatus},
      ${p.failureReason}, ${p.disputeStatus}, ${p.sequence}::int, ${p.updatedAt.toISOString()}::timestamptz
    )`;
}

export async function insertCheckout(tx: Tx | Database, checkout: Checkout): Promise<void> {
  const p = checkout.payment;
  await tx.execute(paymentInsert(checkout));
  // A payment is stored before anything is observed of it; its facts are rows of observations.
  if (p.facts.length > 0) throw new InvariantError('insertCheckout: a new payment has no facts');
  if (checkout.lineItems.length > 0) {
    await tx.insert(lineItems).values(
      checkout.lineItems.map((item, position) => ({
        paymentId: p.id,
        position,
        name: item.name,
        quantity: item.quantity,
        unitAmount: item.unitAmount.minor,
        amount: item.amount.minor,
      })),
    );
  }
}

/**
 * Stores a new checkout; with an idempotency key, the key and the checkout are written in one
 * transaction, so two racing requests with one key store one checkout. False when the key was
 * taken first by another request (the caller answers as that request did).
 */
export async function createCheckoutRecord(
  db: Db,
  checkout: Checkout,
  idempotency: { scope: IdempotencyScope; requestHash: string; now: Date } | null,
): Promise<boolean> {
  // Without a key or line items the checkout is one row: one autocommitted INSERT, no transaction.
  if (!idempotency && checkout.lineItems.length === 0) {
    if (checkout.payment.facts.length > 0)
      throw new InvariantError('insertCheckout: a new payment has no facts');
    await db.prepared(paymentInsert(checkout));
    return true;
  }
  return db.orm.transaction(async (tx) => {
    if (idempotency) {
      const { scope, requestHash, now } = idempotency;
      if (!(await claimIdempotencyKey(tx, scope, requestHash, checkout.payment.id, now))) return false;
    }
    await insertCheckout(tx, checkout);
    return true;
  });
}

async function withLineItems(db: Tx | Database, rows: readonly PaymentRow[]): Promise<Checkout[]> {
  if (rows.length === 0) return [];
  const items = await db
    .select()
    .from(lineItems)
    .where(
      inArray(
        lineItems.paymentId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(lineItems.paymentId), asc(lineItems.position));
  return rows.map((row) =>
    toCheckout(
      row,
      items.filter((item) => item.paymentId === row.id),
    ),
  );
}

/**
 * A checkout by id, visible only to its merchant in the key's mode (test data never mixes with
 * live). With a key, payouts are not checkouts (`getPayout` reads those); without one (workers),
 * any payment.
 */
export async function getCheckout(
  db: Tx | Database,
  id: string,
  scope?: { merchantId: string; mode: Mode },
  direction: 'in' | 'out' = 'in',
): Promise<Checkout | null> {
  const where = scope
    ? and(
        eq(payments.id, id),
        eq(payments.merchantId, scope.merchantId),
        eq(payments.mode, scope.mode),
        eq(payments.direction, direction),
      )
    : eq(payments.id, id);
  const rows = await db.select(paymentWithFacts).from(payments).where(where).limit(1);
  const [checkout] = await withLineItems(db, rows);
  return checkout ?? null;
}

/** A payout by id, for its merchant in the key's mode. */
export function getPayout(
  db: Tx | Database,
  id: string,
  scope: { merchantId: string; mode: Mode },
): Promise<Checkout | null> {
  return getCheckout(db, id, scope, 'out');
}

/** Payouts on their way (pending or sent, not yet confirmed): the payout worker's list. */
export async function payoutsUnderWay(db: Database, limit = 500): Promise<string[]> {
  const rows = await db
    .select({ id: payments.id })
    .from(payments)
    .where(
      // The predicate of payments_payouts_under_way_idx, as literals.
      sql`${payments.direction} = 'out' and ${payments.status} in ('pending', 'processing')`,
    )
    .orderBy(asc(payments.createdAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

export type ListCheckoutsQuery = Readonly<{
  merchantId: string;
  mode: Mode;
  limit: number;
  status?: PaymentStatus | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  /** The last item of the previous page: newest first, then by id. */
  after?: { createdAt: Date; id: string } | undefined;
  /** Checkouts (`in`, the default) or payouts (`out`). */
  direction?: 'in' | 'out';
}>;

export async function listCheckouts(db: Database, q: ListCheckoutsQuery): Promise<Checkout[]> {
  const filters: SQL[] = [
    eq(payments.merchantId, q.merchantId),
    eq(payments.mode, q.mode),
    eq(payments.direction, q.direction ?? 'in'),
  ];
  if (q.status) filters.push(eq(payments.status, q.status));
  if (q.createdAfter) filters.push(gte(payments.createdAt, q.createdAfter));
  if (q.createdBefore) filters.push(lte(payments.createdAt, q.createdBefore));
  if (q.after) {
    // A row comparison is one range of the list index: page 200 starts where page 199 ended,
    // never re-reading the pages before it.
    const createdAt = sql.param(q.after.createdAt, payments.createdAt);
    filters.push(sql`(${payments.createdAt}, ${payments.id}) < (${createdAt}::timestamptz, ${q.after.id})`);
  }
  const rows = await db
    .select(paymentWithFacts)
    .from(payments)
    .where(and(...filters))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(q.limit);
  return withLineItems(db, rows);
}

export type AuditRecord = Readonly<{
  sequence: number;
  fromStatus: string;
  toStatus: string;
  cause: Readonly<{ source: string; externalId: string; type: string }>;
  changes: unknown;
  at: Date;
}>;

export async function listAudit(db: Database, paymentId: string): Promise<AuditRecord[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(eq(auditLog.paymentId, paymentId))
    .orderBy(asc(auditLog.sequence));
  return rows.map((r) => ({
    sequence: r.sequence,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    cause: { source: r.causeSource, externalId: r.causeExternalId, type: r.causeType },
    changes: r.changes,
    at: r.at,
  }));
}

/** Open payments whose time is up, oldest first: the expiry sweep's work list. */
export async function listExpiredOpenPayments(
  db: Database,
  now: Date,
  limit: number,
): Promise<{ id: string; expiresAt: Date }[]> {
  return db
    .select({ id: payments.id, expiresAt: payments.expiresAt })
    .from(payments)
    .where(
      and(
        // The predicate of payments_expiry_sweep_idx, as literals.
        sql`${payments.status} in ('pending', 'partially_paid')`,
        lte(payments.expiresAt, now),
      ),
    )
    .orderBy(asc(payments.expiresAt))
    .limit(limit);
}
