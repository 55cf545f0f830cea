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
  },
  (t) => [
    uniqueIndex('observations_source_external_unique').on(t.source, t.externalId),
    index('observations_payment_idx').on(t.paymentId),
  ],
);
