import type { Observation } from '@kassa/core';
import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { applyObservation, type ApplyResult } from './apply-observation';
import type { Db } from './client';
import { providerInbox } from './schema';

export type InboxEvent = Readonly<{ provider: string; eventId: string; eventType: string; body: string }>;
export type DecodedSignal = Readonly<{ paymentId: string; observation: Observation }>;
/** Turns a stored event into observations; each rail supplies its own (db knows no provider). */
export type InboxDecoder = (
  event: InboxEvent,
) => { ok: true; value: readonly DecodedSignal[] } | { ok: false; error: { message: string } };

export type DrainedEvent = Readonly<{
  id: bigint;
  provider: string;
  eventId: string;
  results: readonly ApplyResult[];
  error: string | null;
}>;

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 20;

/** Stores a verified event once; a redelivery of the same event id is recognised, not stored again. */
export async function storeInboxEvent(
  db: Db,
  event: InboxEvent,
  now = new Date(),
): Promise<{ id: bigint; duplicate: boolean }> {
  const inserted = await db.orm
    .insert(providerInbox)
    .values({ ...event, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: providerInbox.id });
  if (inserted[0]) return { id: inserted[0].id, duplicate: false };
  const [existing] = await db.orm
    .select({ id: providerInbox.id })
    .from(providerInbox)
    .where(and(eq(providerInbox.provider, event.provider), eq(providerInbox.eventId, event.eventId)));
  if (!existing) throw new Error('inbox event vanished between insert and select');
  return { id: existing.id, duplicate: true };
}

/**
 * Takes due events under a lease (`FOR UPDATE SKIP LOCKED`, so workers never share one), turns
 * each into observations and applies them. A worker that dies mid-way leaves the lease to expire;
 * the next one replays the event, and applyObservation makes the replay a no-op.
 */
export async function drainInbox(
  db: Db,
  decoders: Readonly<Record<string, InboxDecoder>>,
  options: { limit?: number; now?: Date; ids?: readonly bigint[] } = {},
): Promise<DrainedEvent[]> {
  const now = options.now ?? new Date();
  const claimed = await claimEvents(db, now, options.limit ?? 50, options.ids);
  const drained: DrainedEvent[] = [];
  for (const row of claimed) {
    const decode = decoders[row.provider];
    const decoded = decode
      ? decode(row)
      : { ok: false as const, error: { message: `no decoder for ${row.provider}` } };
    const results: ApplyResult[] = [];
    let error: string | null = decoded.ok ? null : decoded.error.message;
    if (decoded.ok) {
      try {
        for (const signal of decoded.value)
          results.push(await applyObservation(db, signal.paymentId, signal.observation, now));
      } catch (cause) {
        // Infrastructure fault: leave it for a retry after the lease.
        error = cause instanceof Error ? cause.message : String(cause);
        await db.orm.update(providerInbox).set({ lastError: error }).where(eq(providerInbox.id, row.id));
        drained.push({ id: row.id, provider: row.provider, eventId: row.eventId, results, error });
        continue;
      }
      const missing = results.find((r) => r.type === 'not_found');
      if (missing) error = 'payment not found';
    }
    // Done, or undecodable (retrying cannot help): either way it leaves the queue.
    await db.orm
      .update(providerInbox)
      .set({ processedAt: now, lastError: error, lockedUntil: null })
      .where(eq(providerInbox.id, row.id));
    drained.push({ id: row.id, provider: row.provider, eventId: row.eventId, results, error });
  }
  return drained;
}

async function claimEvents(db: Db, now: Date, limit: number, ids: readonly bigint[] | undefined) {
  return db.orm.transaction(async (tx) => {
    const due = await tx
      .select({ id: providerInbox.id })
      .from(providerInbox)
      .where(
        and(
          isNull(providerInbox.processedAt),
          lt(providerInbox.attempts, MAX_ATTEMPTS),
          or(isNull(providerInbox.lockedUntil), lt(providerInbox.lockedUntil, now)),
          ids ? inArray(providerInbox.id, [...ids]) : undefined,
        ),
      )
      .orderBy(asc(providerInbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(providerInbox)
      .set({ attempts: sql`${providerInbox.attempts} + 1`, lockedUntil: new Date(now.getTime() + LEASE_MS) })
      .where(
        inArray(
          providerInbox.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}
