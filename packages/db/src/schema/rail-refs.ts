import type { Quote } from '@kassa/core';
import { index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { instant } from './columns';
import { payments } from './payments';

/**
 * A rail's own name for a payment: a Stellar memo, a Stripe Checkout Session. Unique per rail, so
 * a signal that carries only the reference (a ledger payment with a memo) finds its one payment.
 */
export const railRefs = pgTable(
  'rail_refs',
  {
    rail: text('rail').notNull(),
    ref: text('ref').notNull(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    /** When the payer pays in another asset than the checkout's (USDC for USD): the rate quoted. */
    quote: jsonb('quote').$type<Quote>(),
    createdAt: instant('created_at').notNull(),
    /** Set when the reference may no longer be used (a superseded Stripe session was expired). */
    closedAt: instant('closed_at'),
  },
  (t) => [primaryKey({ columns: [t.rail, t.ref] }), index('rail_refs_payment_idx').on(t.paymentId)],
);
