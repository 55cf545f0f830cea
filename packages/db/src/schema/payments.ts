import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { Asset } from '@kassa/core';
import { instant, minorUnits } from './columns';
import { merchants } from './merchants';

export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    mode: text('mode', { enum: ['test', 'live'] }).notNull(),
    status: text('status').notNull(),
    assetId: text('asset_id').notNull(),
    /** The whole asset as it was at creation (code, network, issuer, decimals): config may change later. */
    asset: jsonb('asset').$type<Asset>().notNull(),
    amountDue: minorUnits('amount_due').notNull(),
    received: minorUnits('received').notNull(),
    lateReceived: minorUnits('late_received').notNull(),
    refunded: minorUnits('refunded').notNull(),
    escrow: boolean('escrow').notNull(),
    /** `out` for payouts (money Kassa sends), `in` for checkouts. */
    direction: text('direction', { enum: ['in', 'out'] })
      .notNull()
      .default('in'),
    payoutDestination: text('payout_destination'),
    /** Short by up to this much still counts as paid: the merchant's tolerance when the checkout was made. */
    underpaymentTolerance: minorUnits('underpayment_tolerance')
      .notNull()
      .default(sql`0`),
    escrowStatus: text('escrow_status'),
    failureReason: text('failure_reason'),
    disputeStatus: text('dispute_status', { enum: ['open', 'won', 'lost'] }),
    sequence: integer('sequence').notNull(),
    /**
     * The state above is the fold of the payment's facts (rows of `observations`); these two make it
     * a snapshot that one more fact can be folded onto: how many facts, and the last in fold order
     * (JSON as in `observations.body`; null when none, or not known after an upgrade: refold).
     */
    factCount: integer('fact_count').notNull().default(0),
    lastFact: jsonb('last_fact'),
    rails: jsonb('rails').$type<string[]>().notNull(),
    description: text('description'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    successUrl: text('success_url'),
    cancelUrl: text('cancel_url'),
    expiresAt: instant('expires_at').notNull(),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [
    // A merchant's list, newest first, a page at a time: keyset cursors walk these backwards.
    index('payments_list_idx').on(t.merchantId, t.mode, t.direction, t.createdAt, t.id),
    index('payments_status_list_idx').on(t.merchantId, t.mode, t.direction, t.status, t.createdAt, t.id),
    // Partial indexes hold only the few rows a worker looks for; their queries spell the same
    // predicate with literals (not parameters), or a generic plan could not use them.
    index('payments_expiry_sweep_idx')
      .on(t.expiresAt)
      .where(sql`status in ('pending', 'partially_paid')`),
    index('payments_payouts_under_way_idx')
      .on(t.createdAt)
      .where(sql`direction = 'out' and status in ('pending', 'processing')`),
    index('payments_escrow_under_way_idx')
      .on(t.updatedAt)
      .where(sql`escrow_status in ('releasing', 'refunding')`),
  ],
);

export const lineItems = pgTable(
  'line_items',
  {
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: minorUnits('unit_amount').notNull(),
    amount: minorUnits('amount').notNull(),
  },
  (t) => [primaryKey({ columns: [t.paymentId, t.position] })],
);

/** A transaction pays at most one payment: the unique key is the transaction itself. */
export const paymentCredits = pgTable('payment_credits', {
  txKey: text('tx_key').primaryKey(),
  paymentId: text('payment_id')
    .notNull()
    .references(() => payments.id),
  amount: minorUnits('amount').notNull(),
  createdAt: instant('created_at').notNull(),
});
