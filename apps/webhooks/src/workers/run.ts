import { drainInbox, purgeExpiredIdempotencyKeys, type Db, type InboxDecoder } from '@kassa/db';
import type { StripeRail } from '@kassa/providers';
import type { Logger } from 'pino';
import { startDeliveryWorker, type DeliveryWorkerOptions } from '../delivery/worker';
import { sweepExpired } from './expiry-sweep';
import { reconcileStripe } from './stripe-reconcile';

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
  /** The card rail, whose recent events are read back from Stripe every `reconcileEveryMs`. */
  card?: Pick<StripeRail, 'recentEvents'> | null;
  reconcileEveryMs?: number;
}): Workers {
  const intervalMs = deps.intervalMs ?? 1000;
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'workers' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastPurgeMs = 0;
  let lastReconcileMs = 0;
  const reconcileEveryMs = deps.reconcileEveryMs ?? 5 * 60_000;

  const round = async () => {
    // First, so what reconciliation finds is applied in the same round.
    if (deps.card && clock().getTime() - lastReconcileMs >= reconcileEveryMs) {
      lastReconcileMs = clock().getTime();
      try {
        const { read, added } = await reconcileStripe(deps.db, deps.card, clock());
        if (added > 0)
          log.warn({ read, added }, 'stripe events that never arrived as webhooks were taken in');
      } catch (error) {
        log.warn({ err: error }, 'stripe reconciliation failed; trying again next time');
      }
    }
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
