import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type Db } from './client';

/**
 * A fresh, migrated database for one test file: PGlite in memory, or, when DATABASE_URL is set,
 * a new PostgreSQL database of its own (dropped on close) so test files never see each other's rows.
 */
export async function createTestDb(): Promise<Db> {
  const url = process.env['DATABASE_URL'];
  if (!url) return createDb({ engine: 'pglite', dataDir: null });
  const name = `kassa_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await createDb({ engine: 'postgres', url: target.toString(), maxConnections: 20 });
  return {
    ...db,
    close: async () => {
      await db.close();
      const cleanup = postgres(url, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export const testEngine = (): 'pglite' | 'postgres' => (process.env['DATABASE_URL'] ? 'postgres' : 'pglite');
