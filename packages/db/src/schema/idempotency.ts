import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { instant } from './columns';

/** Merchant idempotency keys: same key and same request give the same result for at least 24 h. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull(),
    mode: text('mode').notNull(),
    key: text('key').notNull(),
    operation: text('operation').notNull(),
    requestHash: text('request_hash').notNull(),
    resourceId: text('resource_id').notNull(),
    createdAt: instant('created_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.mode, t.key] })],
);
