import { bigserial, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { instant } from './columns';

/** Verified provider events, stored before they are acknowledged; a worker drains them into observations. */
export const providerInbox = pgTable(
  'provider_inbox',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    body: text('body').notNull(),
    receivedAt: instant('received_at').notNull(),
    processedAt: instant('processed_at'),
    attempts: integer('attempts').notNull().default(0),
    /** A worker's lease: until then no other worker takes the event. */
    lockedUntil: instant('locked_until'),
    lastError: text('last_error'),
  },
  (t) => [
    uniqueIndex('provider_inbox_event_unique').on(t.provider, t.eventId),
    index('provider_inbox_pending_idx').on(t.processedAt, t.id),
  ],
);
