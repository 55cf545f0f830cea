import { latestOutboxId, listOutboxAfter, listOutboxByIds, type Db, type OutboxMark } from '@kassa/db';
import type { Logger } from '../logger';

export type LiveHub = Readonly<{
  /** Calls `onChange` when an outbox row for this payment appears; returns the unsubscribe. */
  subscribe(paymentId: string, onChange: () => void): () => void;
  close(): void;
}>;

const BATCH = 500;
/** How long a skipped id is looked for: a transaction that took it may still commit. */
const GAP_WAIT_MS = 10_000;
const MAX_GAPS = 1_000;

/**
 * One tail of the `outbox` table per API process, shared by every live stream. Every state change
 * writes outbox rows in its own transaction, whichever process commits it, so reading the table
 * is enough on PGlite and PostgreSQL alike. It polls only while someone listens.
 */
export function createLiveHub(deps: { db: Db; log: Logger; intervalMs?: number }): LiveHub {
  const intervalMs = deps.intervalMs ?? 200;
  const subscribers = new Map<string, Set<() => void>>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastSeenId: bigint | null = null;
  /** Ids below `lastSeenId` not seen yet, with the time to stop looking for them. */
  const gaps = new Map<bigint, number>();
  let polling = false;
  let closed = false;
  /** Bumped on stop: a poll that started before must not touch the state of the next run. */
  let run = 0;

  function wake(paymentId: string): void {
    for (const onChange of subscribers.get(paymentId) ?? []) onChange();
  }

  function wakeAll(): void {
    for (const paymentId of subscribers.keys()) wake(paymentId);
  }

  function start(): void {
    if (timer || closed) return;
    timer = setInterval(() => void poll(), intervalMs);
    timer.unref();
  }

  function stop(): void {
    run += 1;
    if (timer) clearInterval(timer);
    timer = null;
    lastSeenId = null;
    gaps.clear();
  }

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    const current = run;
    const stale = () => current !== run;
    try {
      if (lastSeenId === null) {
        const latest = await latestOutboxId(deps.db.orm);
        if (stale()) return;
        lastSeenId = latest;
        // Whoever subscribed before this point may have read its checkout before a change that is
        // now below the starting id: one look each closes that window.
        wakeAll();
        return;
      }
      const rows = await listOutboxAfter(deps.db.orm, lastSeenId, BATCH);
      if (stale()) return;
      seen(rows);
      if (gaps.size > 0) {
        const now = Date.now();
        for (const [id, until] of gaps) if (until < now) gaps.delete(id);
        const late = await listOutboxByIds(deps.db.orm, [...gaps.keys()]);
        if (stale()) return;
        for (const row of late) gaps.delete(row.id);
        for (const paymentId of new Set(late.map((row) => row.paymentId))) wake(paymentId);
      }
    } catch (error) {
      deps.log.warn({ err: error }, 'live status poll failed; retrying');
    } finally {
      polling = false;
    }
  }

  function seen(rows: readonly OutboxMark[]): void {
    const until = Date.now() + GAP_WAIT_MS;
    let expected = (lastSeenId ?? 0n) + 1n;
    for (const row of rows) {
      for (let id = expected; id < row.id && gaps.size < MAX_GAPS; id++) gaps.set(id, until);
      expected = row.id + 1n;
      lastSeenId = row.id;
    }
    for (const paymentId of new Set(rows.map((row) => row.paymentId))) wake(paymentId);
  }

  return {
    subscribe(paymentId, onChange) {
      if (closed) return () => undefined;
      const set = subscribers.get(paymentId) ?? new Set();
      // A function can subscribe twice; each subscription is its own entry.
      const entry = () => onChange();
      set.add(entry);
      subscribers.set(paymentId, set);
      start();
      return () => {
        set.delete(entry);
        if (set.size === 0 && subscribers.get(paymentId) === set) subscribers.delete(paymentId);
        if (subscribers.size === 0) stop();
      };
    },
    close() {
      closed = true;
      subscribers.clear();
      stop();
    },
  };
}
