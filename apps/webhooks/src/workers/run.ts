import { drainInbox, purgeExpiredIdempotencyKeys, type Db, type InboxDecoder } from '@kassa/db';
import type { Logger } from 'pino';
import { startDeliveryWorker, type DeliveryWorkerOptions } from '../delivery/worker';
import { sweepExpired } from './expiry-sweep';

export type Workers = Readonly<{ stop(): Promise<void> }>;

/**
 * Runs the background loops: drain the provider inbox, expire checkouts, drop old idempotency keys,
 * and deliver merchant webhooks. Each loop waits for its
 * previous round to finish, so a slow round never overlaps the next.
 */
export function startWorkers(deps: {
  db: Db;
  log: Logger;
  decoders: Readonly<Record<string, InboxDecoder>>;
  intervalMs?: number;
  clock?: () => Date;
  delivery?: Omit<DeliveryWorkerOptions, 'db' | 'log' | 'clock'>;
}): Workers {
  const intervalMs = deps.intervalMs ?? 1000;
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'workers' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastPurgeMs = 0;

  const round = async () => {
    const drained = await drainInbox(deps.db, deps.decoders, { now: clock() });
    if (drained.length > 0) log.info({ events: drained.length }, 'inbox drained');
    for (const failed of drained.filter((d) => d.error)) {
      log.warn(
        { provider: failed.provider, eventId: failed.eventId, error: failed.error },
        'inbox event not applied',
      );
    }
    const expired = await sweepExpired(deps.db, clock());
    if (expired > 0) log.info({ expired }, 'checkouts expired');
    // Housekeeping needs no hurry: once a minute.
    if (clock().getTime() - lastPurgeMs >= 60_000) {
      lastPurgeMs = clock().getTime();
      const purged = await purgeExpiredIdempotencyKeys(deps.db.orm, clock());
      if (purged > 0) log.info({ purged }, 'expired idempotency keys removed');
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round()
        .catch((error: unknown) => log.error({ err: error }, 'worker round failed; retrying next round'))
        .finally(schedule);
    }, intervalMs);
  };
  schedule();
  const delivery = startDeliveryWorker({
    ...deps.delivery,
    db: deps.db.orm,
    log: deps.log,
    // Without a test clock the delivery worker goes by the database's.
    ...(deps.clock ? { clock: deps.clock } : {}),
  });

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([running, delivery.stop()]);
    },
  };
}
