import { createHash } from 'node:crypto';
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Database, Tx } from './client';
import { idempotencyKeys } from './schema';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type IdempotencyScope = Readonly<{ merchantId: string; mode: string; key: string; operation: string }>;
export type IdempotencyHit = Readonly<{ resourceId: string; sameRequest: boolean }>;

/** A stable hash of a request body: keys sorted, so property order does not matter. */
export function hashRequest(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export async function findIdempotencyKey(
  db: Database | Tx,
  scope: IdempotencyScope,
  requestHash: string,
  now: Date,
): Promise<IdempotencyHit | null> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.merchantId, scope.merchantId),
        eq(idempotencyKeys.mode, scope.mode),
        eq(idempotencyKeys.key, scope.key),
        gt(idempotencyKeys.expiresAt, now),
      ),
    )
    .limit(1);
  if (!row) return null;
  return {
    resourceId: row.resourceId,
    sameRequest: row.requestHash === requestHash && row.operation === scope.operation,
  };
}

/** Records the key; false when another request took the same key first (the caller re-reads it). */
export async function claimIdempotencyKey(
  db: Database | Tx,
  scope: IdempotencyScope,
  requestHash: string,
  resourceId: string,
  now: Date,
): Promise<boolean> {
  // An expired key may be reused: drop the old record first.
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.merchantId, scope.merchantId),
        eq(idempotencyKeys.mode, scope.mode),
        eq(idempotencyKeys.key, scope.key),
        lte(idempotencyKeys.expiresAt, now),
      ),
    );
  const inserted = await db
    .insert(idempotencyKeys)
    .values({
      ...scope,
      requestHash,
      resourceId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return inserted.length === 1;
}

/** Drops keys past their 24 h; returns how many went. */
export async function purgeExpiredIdempotencyKeys(db: Database, now: Date): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.expiresAt, now))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
