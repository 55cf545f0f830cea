import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
/** The drizzle database, whichever engine is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Engine = 'pglite' | 'postgres';

export type Db = Readonly<{
  engine: Engine;
  orm: Database;
  /** Runs a statement and returns its rows, whichever driver answers. */
  query<T extends Record<string, unknown>>(statement: ReturnType<typeof sql>): Promise<T[]>;
  /**
   * `query` for a hot statement whose text repeats: PostgreSQL keeps it prepared on each
   * connection (parsed, described and planned once), so a call is one round trip with no planning.
   * Only for statements of a few shapes: each distinct text is one prepared statement per connection.
   */
  prepared<T extends Record<string, unknown>>(statement: ReturnType<typeof sql>): Promise<T[]>;
  close(): Promise<void>;
}>;

export type DbOptions = (
  { engine: 'postgres'; url: string; maxConnections?: number } | { engine: 'pglite'; dataDir: string | null }
) & {
  /** Sees every statement the ORM sends, with its parameters (the plan tests EXPLAIN them). */
  onQuery?: (query: string, params: readonly unknown[]) => void;
};

const dialect = new PgDialect();

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Opens the database and brings its schema up to date. PGlite (embedded, one process) by default,
 * in a data directory that survives restarts or in memory when `dataDir` is null; PostgreSQL
 * when a URL is given. Same migrations, same code, both engines.
 */
export async function createDb(options: DbOptions): Promise<Db> {
  const onQuery = options.onQuery;
  const config = { schema, ...(onQuery ? { logger: { logQuery: onQuery } } : {}) };
  if (options.engine === 'postgres') {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      // postgres.js returns numeric as a string, so amounts never pass through a float.
      onnotice: () => undefined,
    });
    const orm = drizzlePostgres(client, config) as unknown as Database;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder });
    return {
      engine: 'postgres',
      orm,
      query: async <T extends Record<string, unknown>>(statement: ReturnType<typeof sql>): Promise<T[]> => {
        const rows: unknown = await orm.execute(statement);
        return rows as T[];
      },
      prepared: async <T extends Record<string, unknown>>(
        statement: ReturnType<typeof sql>,
      ): Promise<T[]> => {
        const query = dialect.sqlToQuery(statement);
        const rows: unknown = await client.unsafe(query.sql, query.params as never[], { prepare: true });
        return rows as T[];
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  const orm = drizzlePglite(client, config) as unknown as Database;
  await migratePglite(drizzlePglite(client), { migrationsFolder });
  const query = async <T extends Record<string, unknown>>(
    statement: ReturnType<typeof sql>,
  ): Promise<T[]> => {
    const result: unknown = await orm.execute(statement);
    return (result as { rows: T[] }).rows;
  };
  return {
    engine: 'pglite',
    orm,
    query,
    // One process, one connection: nothing to keep prepared across calls that PGlite does not.
    prepared: query,
    close: () => client.close(),
  };
}

/** drizzle's execute answers with rows (postgres.js) or { rows } (PGlite). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** The database a process is configured for: PostgreSQL when a URL is given, else PGlite in `dataDir`. */
export function openDb(config: { databaseUrl: string | undefined; dataDir: string }): Promise<Db> {
  return config.databaseUrl
    ? createDb({ engine: 'postgres', url: config.databaseUrl })
    : createDb({ engine: 'pglite', dataDir: join(config.dataDir, 'pglite') });
}

/** True when the database answers a trivial query: what `/ready` reports. */
export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.query(sql`select 1 as one`);
    return true;
  } catch {
    return false;
  }
}
