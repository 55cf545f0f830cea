import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { railCursors } from './schema';

/**
 * Takes (or renews) the lease on a pulled source's cursor for `holder`, if nobody else holds a live
 * one, and returns where reading stopped. The database's clock decides, so skewed worker clocks
 * never let two readers in at once.
 */
export async function takeCursorLease(
  db: Db,
  name: string,
  holder: string,
  leaseMs: number,
): Promise<{ cursor: string | null } | null> {
  const rows = await db.query<{ cursor: string | null }>(sql`
    insert into ${railCursors} (name, cursor, holder, lease_until, updated_at)
    values (${name}, null, ${holder}, now() + ${`${leaseMs} milliseconds`}::interval, now())
    on conflict (name) do update
      set holder = excluded.holder, lease_until = excluded.lease_until
      where ${railCursors.holder} = excluded.holder or ${railCursors.leaseUntil} is null
         or ${railCursors.leaseUntil} < now()
    returning cursor`);
  return rows[0] ? { cursor: rows[0].cursor } : null;
}

/** Moves the cursor on and extends the lease, only while `holder` still holds it; false means it was lost. */
export async function advanceCursor(
  db: Db,
  name: string,
  holder: string,
  cursor: string,
  leaseMs: number,
): Promise<boolean> {
  const rows = await db.query<{ name: string }>(sql`
    update ${railCursors}
    set cursor = ${cursor}, updated_at = now(), lease_until = now() + ${`${leaseMs} milliseconds`}::interval
    where name = ${name} and holder = ${holder} and lease_until >= now()
    returning name`);
  return rows.length > 0;
}

/** Gives the lease up at once (a clean stop), so another worker need not wait for it to lapse. */
export async function releaseCursorLease(db: Db, name: string, holder: string): Promise<void> {
  await db.query(sql`
    update ${railCursors} set holder = null, lease_until = null
    where name = ${name} and holder = ${holder}`);
}

/** The stored position, for operators and tests. */
export async function readCursor(db: Db, name: string): Promise<string | null> {
  const rows = await db.query<{ cursor: string | null }>(
    sql`select cursor from ${railCursors} where name = ${name}`,
  );
  return rows[0]?.cursor ?? null;
}
