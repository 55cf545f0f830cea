import { bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { instant } from './columns';
import { payments } from './payments';

/** Domain events written in the same transaction as the change; delivered to merchants later. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    eventId: text('event_id').notNull(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    merchantId: text('merchant_id').notNull(),
    sequence: integer('sequence').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: instant('created_at').notNull(),
    publishedAt: instant('published_at'),
  },
  (t) => [
    uniqueIndex('outbox_event_id_unique').on(t.eventId),
    uniqueIndex('outbox_payment_sequence_type_unique').on(t.paymentId, t.sequence, t.type),
    index('outbox_unpublished_idx').on(t.publishedAt, t.id),
  ],
);
