import { createHash, randomBytes } from 'node:crypto';
import { asMerchantId, type MerchantId, type Mode } from '@kassa/core';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { jsonOf } from './checkouts';
import type { Database, Db } from './client';
import { newId } from './ids';
import { apiKeys, merchants } from './schema';
import type { MerchantSettings } from './schema/merchants';

export type KeyKind = 'secret' | 'publishable';
export type MerchantKey = Readonly<{
  merchantId: MerchantId;
  merchantName: string;
  mode: Mode;
  kind: KeyKind;
  /** The merchant's settings as of this call: read with the key, one query for both. */
  settings: MerchantSettings;
}>;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** `sk_test_…`, `pk_live_…`: the prefix tells the kind and the mode; the rest is 192 random bits. */
export function generateKey(kind: KeyKind, mode: Mode): string {
  return `${kind === 'secret' ? 'sk' : 'pk'}_${mode}_${randomBytes(24).toString('base64url')}`;
}

export async function createMerchant(db: Database, name: string, now = new Date()): Promise<MerchantId> {
  const id = newId('mer_');
  await db.insert(merchants).values({ id, name, createdAt: now });
  return asMerchantId(id);
}

/** Issues a key. The secret key is returned once and stored only as a hash. */
export async function issueKey(
  db: Database,
  merchantId: MerchantId,
  kind: KeyKind,
  mode: Mode,
  now = new Date(),
) {
  const key = generateKey(kind, mode);
  await db.insert(apiKeys).values({
    id: newId('key_'),
    merchantId,
    mode,
    kind,
    displayPrefix: kind === 'secret' ? key.slice(0, 12) : key,
    keyHash: hashKey(key),
    publishableKey: kind === 'publishable' ? key : null,
    createdAt: now,
  });
  return key;
}

/** The merchant a key belongs to, or null for an unknown or revoked key. */
export async function findKey(db: Db, key: string): Promise<MerchantKey | null> {
  // Every authenticated call runs this: one fixed text, kept prepared on PostgreSQL.
  const [row] = await db.prepared<{
    merchant_id: string;
    mode: Mode;
    kind: KeyKind;
    name: string;
    settings: unknown;
  }>(sql`
    select k.merchant_id, k.mode, k.kind, m.name, m.settings
    from ${apiKeys} k join ${merchants} m on m.id = k.merchant_id
    where k.key_hash = ${hashKey(key)} and k.revoked_at is null
    limit 1
  `);
  if (!row) return null;
  return {
    merchantId: asMerchantId(row.merchant_id),
    merchantName: row.name,
    mode: row.mode,
    kind: row.kind,
    settings: jsonOf(row.settings) as MerchantSettings,
  };
}

export async function getMerchantName(db: Database, merchantId: string): Promise<string | null> {
  const [row] = await db
    .select({ name: merchants.name })
    .from(merchants)
    .where(eq(merchants.id, merchantId))
    .limit(1);
  return row?.name ?? null;
}

/** The publishable key the hosted page hands to the widget for this merchant and mode. */
export async function findPublishableKey(
  db: Database,
  merchantId: string,
  mode: Mode,
): Promise<string | null> {
  const [row] = await db
    .select({ key: apiKeys.publishableKey })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.merchantId, merchantId),
        eq(apiKeys.mode, mode),
        eq(apiKeys.kind, 'publishable'),
        isNull(apiKeys.revokedAt),
      ),
    )
    .limit(1);
  return row?.key ?? null;
}

export type { MerchantSettings } from './schema/merchants';

export async function getMerchantSettings(
  db: Database,
  merchantId: string,
): Promise<MerchantSettings | null> {
  const [row] = await db
    .select({ settings: merchants.settings })
    .from(merchants)
    .where(eq(merchants.id, merchantId))
    .limit(1);
  return row?.settings ?? null;
}

/** Replaces the fields given, keeps the others; returns the settings as stored. */
export async function updateMerchantSettings(
  db: Database,
  merchantId: string,
  patch: Partial<MerchantSettings>,
): Promise<MerchantSettings | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ settings: merchants.settings })
      .from(merchants)
      .where(eq(merchants.id, merchantId))
      .for('update');
    if (!row) return null;
    const settings: MerchantSettings = { ...row.settings, ...patch };
    await tx.update(merchants).set({ settings }).where(eq(merchants.id, merchantId));
    return settings;
  });
}
