import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { instant } from './columns';
import { payments } from './payments';

/** Observations that changed a payment; unique by source and the source's own id, so each takes effect once. */
export const observations = pgTable(
  'observations',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    type: text('type').notNull(),
    body: jsonb('body').notNull(),
    occurredAt: instant('occurred_at').notNull(),
    appliedAt: instant('applied_at').notNull(),
    /** core's `factKey`: the transaction or refund it reports, if any; its siblings are all a new fact's fold needs. */
    factKey: text('fact_key'),
  },
  (t) => [
    uniqueIndex('observations_source_external_unique').on(t.source, t.externalId),
    index('observations_payment_idx').on(t.paymentId),
    index('observations_fact_key_idx')
      .on(t.paymentId, t.factKey)
      .where(sql`fact_key is not null`),
  ],
);
