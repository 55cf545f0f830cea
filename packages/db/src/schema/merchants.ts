import { index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { instant } from './columns';

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Settings the merchant changes through `settings.update`; see MerchantSettings. */
  settings: jsonb('settings').$type<MerchantSettings>().notNull().default({ allowedOrigins: [] }),
  createdAt: instant('created_at').notNull(),
});

export type MerchantSettings = {
  /** Origins (`https://shop.example`) whose pages may embed this merchant's checkouts in an iframe. */
  allowedOrigins: string[];
  /**
   * A checkout priced in USD may be paid in USDC, and one in EUR in EURC, at par (Stellar). Absent
   * means no: a merchant opts in, since a stablecoin is not the currency itself.
   */
  stablecoinsAtPar?: boolean;
  /** Basis points of the amount due a payment may fall short and still count as paid (0 = exact). */
  underpaymentToleranceBps?: number;
};

/**
 * Secret keys are stored as a SHA-256 hash with a short readable prefix for display; publishable
 * keys are public by design (the widget sends them), so they are kept as they are.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    mode: text('mode', { enum: ['test', 'live'] }).notNull(),
    kind: text('kind', { enum: ['secret', 'publishable'] }).notNull(),
    /** For secret keys the first characters only (`sk_test_AbCd`); publishable keys in full. */
    displayPrefix: text('display_prefix').notNull(),
    /** SHA-256 hex of the whole key; the lookup path for secret and publishable keys alike. */
    keyHash: text('key_hash').notNull(),
    publishableKey: text('publishable_key'),
    createdAt: instant('created_at').notNull(),
    revokedAt: instant('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_unique').on(t.keyHash), index('api_keys_merchant_idx').on(t.merchantId)],
);
