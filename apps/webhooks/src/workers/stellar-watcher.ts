import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { advanceCursor, releaseCursorLease, storeInboxEvent, takeCursorLease, type Db } from '@kassa/db';
import type { PaymentRecord, StellarRail } from '@kassa/providers';
import type { Logger } from 'pino';

export type StellarWatcher = Readonly<{ stop(): Promise<void> }>;

export type StellarWatcherOptions = Readonly<{
  db: Db;
  log: Logger;
  rail: Pick<StellarRail, 'config' | 'horizon' | 'transactionEvent'>;
  /** Who watches; one watcher per receiving account at a time, by a lease in the database. */
  holder?: string;
  leaseMs?: number;
  /** The first wait after a failure; doubles up to 30 s. */
  retryMs?: number;
}>;

const PAYMENT_TYPES = new Set(['payment', 'path_payment_strict_receive', 'path_payment_strict_send']);

/**
 * Watches the receiving account's payments on the ledger: pages from the stored cursor to catch up,
 * then follows Horizon's stream, reconnecting from the cursor whenever it ends. Every transaction
 * paying the account is stored in the inbox (which keeps it once) before the cursor moves past it,
 * so a restart resumes exactly where it stopped: nothing is lost and nothing counts twice.
 */
export function startStellarWatcher(options: StellarWatcherOptions): StellarWatcher {
  const { db, rail } = options;
  const account = rail.config.receivingAccount;
  const name = `stellar:payments:${account}`;
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const log = options.log.child({ component: 'stellar-watcher', account });
  const stopping = new AbortController();
  let failures = 0;

  /** Takes in what a payment record stands for, then moves the cursor past it; false = lease lost. */
  async function take(record: PaymentRecord): Promise<boolean> {
    if (record.transaction_successful && PAYMENT_TYPES.has(record.type) && record.to === account) {
      const event = await rail.transactionEvent(record.transaction_hash);
      if (!event.ok) throw new Error(`transaction ${record.transaction_hash}: ${event.error.message}`);
      const stored = await storeInboxEvent(db, event.value);
      if (!stored.duplicate) log.info({ tx: event.value.eventId }, 'ledger payment taken in');
    }
    return advanceCursor(db, name, holder, record.paging_token, leaseMs);
  }

  /**
   * Horizon answers an ascending read from a cursor older than its history by starting at the oldest
   * ledger it has, without a word (PROVIDERS.md's 410 is for descending reads). Say so loudly:
   * payments in the gap are only found by "I have paid" or a Horizon with full history.
   */
  async function warnOfHistoryGap(cursor: string): Promise<void> {
    if (!/^\d+$/.test(cursor)) return;
    const oldest = await rail.horizon.oldestLedger();
    if (oldest.ok && BigInt(cursor) >> 32n < BigInt(oldest.value)) {
      log.error(
        { cursor, oldestLedger: oldest.value },
        'the cursor is older than the history Horizon keeps: payments in between are not seen',
      );
    }
  }

  async function watchOnce(): Promise<void> {
    const lease = await takeCursorLease(db, name, holder, leaseMs);
    if (!lease) return sleep(leaseMs / 3, stopping.signal);
    // Nothing stored yet: start at the ledger's present (payments before Kassa watched come by "I have paid").
    let cursor = lease.cursor ?? 'now';
    await warnOfHistoryGap(cursor);
    // Catch up by paging: after downtime the stream alone would be a long replay.
    for (;;) {
      const page = await rail.horizon.payments(account, cursor);
      if (!page.ok) {
        if (page.error.code === 'before_history') {
          // Go on from the oldest ledger Horizon still has, not from now: only the gap is lost.
          const oldest = await rail.horizon.oldestLedger();
          if (!oldest.ok) throw new Error(oldest.error.message);
          log.error(
            { cursor, oldestLedger: oldest.value },
            'the stored cursor is older than Horizon keeps: payments in the gap need "I have paid"',
          );
          cursor = (BigInt(oldest.value) << 32n).toString();
          continue;
        }
        throw new Error(page.error.message);
      }
      for (const record of page.value) {
        if (!(await take(record))) return;
        cursor = record.paging_token;
      }
      if (page.value.length === 0 || stopping.signal.aborted) break;
    }
    if (cursor === 'now') {
      // Pin "now" to a real position and store it, so a restart does not skip what arrives meanwhile.
      const latest = await rail.horizon.latestPagingToken(account);
      if (!latest.ok) throw new Error(latest.error.message);
      cursor = latest.value;
      if (!(await advanceCursor(db, name, holder, cursor, leaseMs))) return;
    }
    // A stop asked for during the catch-up has already fired: listening for it now would wait forever.
    if (stopping.signal.aborted) return;
    // Follow the stream; the lease is renewed as records arrive and by a heartbeat while quiet.
    const streaming = new AbortController();
    const abort = () => streaming.abort();
    stopping.signal.addEventListener('abort', abort);
    const heartbeat = setInterval(() => {
      void advanceCursor(db, name, holder, cursor, leaseMs).then(
        (kept) => {
          if (!kept) streaming.abort();
        },
        () => streaming.abort(),
      );
    }, leaseMs / 3);
    try {
      const streamed = await rail.horizon.streamPayments(
        account,
        cursor,
        async (record) => {
          if (!(await take(record))) streaming.abort();
          cursor = record.paging_token;
        },
        streaming.signal,
      );
      if (!streamed.ok) throw new Error(streamed.error.message);
      failures = 0;
    } finally {
      clearInterval(heartbeat);
      stopping.signal.removeEventListener('abort', abort);
    }
  }

  const running = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await watchOnce();
      } catch (error) {
        failures++;
        const waitMs = Math.min(30_000, (options.retryMs ?? 1000) * 2 ** Math.min(failures - 1, 5));
        log.warn({ err: error, waitMs }, 'stellar watcher failed; trying again');
        await sleep(waitMs, stopping.signal);
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await running;
      await releaseCursorLease(db, name, holder).catch(() => undefined);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
