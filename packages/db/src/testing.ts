import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDb, type Db, type DbOptions } from './client';

/**
 * A fresh, migrated database for one test file: PGlite in memory, or, when DATABASE_URL is set,
 * a new PostgreSQL database of its own (dropped on close) so test files never see each other's rows.
 */
export type TestDb = Db &
  Readonly<{
    /** The database's URL on PostgreSQL (for other processes), null on PGlite. */ url: string | null;
  }>;

export async function createTestDb(options: Pick<DbOptions, 'onQuery'> = {}): Promise<TestDb> {
  const url = process.env['DATABASE_URL'];
  if (!url) return { ...(await createDb({ engine: 'pglite', dataDir: null, ...options })), url: null };
  const name = `kassa_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await createDb({ engine: 'postgres', url: target.toString(), maxConnections: 20, ...options });
  return {
    ...db,
    url: target.toString(),
    close: async () => {
      await db.close();
      const cleanup = postgres(url, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export const testEngine = (): 'pglite' | 'postgres' => (process.env['DATABASE_URL'] ? 'postgres' : 'pglite');

/** Row counts of every table a request could write to, as one comparable string. */
export async function rowFingerprint(db: Db): Promise<string> {
  const rows = await db.query<Record<string, unknown>>(sql`
    select (select count(*) from payments) as payments,
           (select coalesce(sum(sequence), 0) from payments) as sequences,
           (select count(*) from line_items) as line_items,
           (select count(*) from observations) as observations,
           (select count(*) from payment_credits) as credits,
           (select count(*) from audit_log) as audit,
           (select count(*) from outbox) as outbox,
           (select count(*) from idempotency_keys) as idempotency,
           (select count(*) from provider_inbox) as inbox,
           (select count(*) from merchants) as merchants,
           (select count(*) from api_keys) as api_keys`);
  return JSON.stringify(rows[0]);
}

export { seedPayments, type SeedPlan, type SeedProgress, type SeedResult, type SeededMerchant } from './seed';
