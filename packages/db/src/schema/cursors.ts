import { pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns';

/**
 * Where a pulled source (Stripe's event list, a Stellar account's payments) was last read up to,
 * and which worker may read it now: one reader at a time, by a lease that lapses if it dies.
 */
export const railCursors = pgTable('rail_cursors', {
  /** What is read, e.g. `stripe:events:test` or `stellar:payments:G…`. */
  name: text('name').primaryKey(),
  /** The source's own position (an event id, a paging token); null before the first read. */
  cursor: text('cursor'),
  holder: text('holder'),
  leaseUntil: instant('lease_until'),
  updatedAt: instant('updated_at').notNull(),
});
