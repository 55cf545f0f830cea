import { bigserial, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { instant } from './columns';
import { payments } from './payments';

/** One row per state change, with the observation that caused it. Never updated, never deleted. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    sequence: integer('sequence').notNull(),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    causeSource: text('cause_source').notNull(),
    causeExternalId: text('cause_external_id').notNull(),
    causeType: text('cause_type').notNull(),
    /** Amounts before and after, as decimal strings. */
    changes: jsonb('changes').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [uniqueIndex('audit_payment_sequence_unique').on(t.paymentId, t.sequence)],
);
