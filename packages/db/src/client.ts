import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types, type QueryOptions, type Transaction } from '@electric-sql/pglite';
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
  await client.waitReady;
  const orm = drizzlePglite(withParsersOnce(client), config) as unknown as Database;
  await migratePglite(drizzlePglite(client), { migrationsFolder });
  // Straight to PGlite: the rows are what drizzle's execute answers (the same parsers), without
  // its per-call session and tracing work.
  const query = async <T extends Record<string, unknown>>(
    statement: ReturnType<typeof sql>,
  ): Promise<T[]> => {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    return (await client.query<T>(text, params)).rows;
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

/**
 * Types drizzle reads as text and parses itself (timestamps, intervals, dates, and arrays of
 * numeric, timestamp and date), as its PGlite driver asks on every query.
 */
const TEXT_TYPES = [
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
  types.INTERVAL,
  types.DATE,
  1231,
  1115,
  1185,
  1187,
  1182,
];

type Queryable = Pick<PGlite, 'query'>;

/**
 * drizzle hands PGlite those parsers with every query, and PGlite then copies its whole parser
 * table (an entry per array type, hundreds) into a new object for that one query: half the cost
 * of a short statement. Installed once on the client instead, the per-query copy is skipped and
 * every value reads the same.
 */
function withParsersOnce(client: PGlite): PGlite {
  for (const oid of TEXT_TYPES) client.parsers[oid] = (value: string) => value;
  return withoutQueryParsers(client, (target, property) =>
    property === 'transaction'
      ? <T>(callback: (tx: Transaction) => Promise<T>) =>
          client.transaction((tx) => callback(withoutQueryParsers(tx, () => undefined)))
      : undefined,
  );
}

/** `target` whose `query` drops per-query parsers (keeping the row mode); `other` may replace members. */
function withoutQueryParsers<T extends Queryable>(
  target: T,
  other: (target: T, property: string | symbol) => unknown,
): T {
  const query = (text: string, params?: unknown[], options?: QueryOptions) =>
    target.query(text, params, options?.rowMode === undefined ? undefined : { rowMode: options.rowMode });
  return new Proxy(target, {
    get(t, property) {
      if (property === 'query') return query;
      const replaced = other(t, property);
      if (replaced !== undefined) return replaced;
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
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
