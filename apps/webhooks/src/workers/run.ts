import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  drainInbox,
  purgeExpiredIdempotencyKeys,
  releaseCursorLease,
  type Db,
  type InboxDecoder,
} from '@kassa/db';
import type { EvmRail, StellarRail, StripeRail } from '@kassa/providers';
import type { Logger } from 'pino';
import { startDeliveryWorker, type DeliveryWorkerOptions } from '../delivery/worker';
import { sweepExpired } from './expiry-sweep';
import { advanceEscrowPayouts } from './escrow-payouts';
import { advancePayouts } from './payouts';
import { reconcileShkeeper } from './shkeeper-reconcile';
import { startStellarWatcher } from './stellar-watcher';
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
  /** The card rail, whose events are read back from Stripe every `reconcileEveryMs` (one worker at a time). */
  card?: Pick<StripeRail, 'readEvents' | 'config'> | null;
  reconcileEveryMs?: number;
  /** The Stellar rail, whose receiving account is watched on the ledger (one watcher at a time). */
  stellar?: Pick<StellarRail, 'config' | 'horizon' | 'transactionEvent'> | null;
  /** The EVM rail (SHKeeper), whose open invoices are read back every `reconcileEveryMs`. */
  evm?: Pick<EvmRail, 'client' | 'payoutOutcome' | 'sendPayout' | 'taskOutcome' | 'config'> | null;
  /** How often escrow payouts under way are looked up at SHKeeper. */
  escrowEveryMs?: number;
}): Workers {
  const intervalMs = deps.intervalMs ?? 1000;
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ component: 'workers' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastPurgeMs = 0;
  const reconcileEveryMs = deps.reconcileEveryMs ?? 60_000;
  const card = deps.card;
  // Lost Stripe events are read back on their own timer, so a slow Stripe never holds up draining.
  const reconciler = card
    ? startPeriodic(
        reconcileEveryMs,
        async (holder, leaseMs) => {
          const outcome = await reconcileStripe(deps.db, card, { holder, leaseMs, now: clock(), log });
          if (outcome.added > 0)
            log.warn(outcome, 'stripe events that never arrived as webhooks were taken in');
        },
        log,
        { db: deps.db, leases: [`stripe:events:${card.config.mode}`] },
      )
    : null;
  const watcher = deps.stellar ? startStellarWatcher({ db: deps.db, log, rail: deps.stellar }) : null;
  const evm = deps.evm;
  const escrowPoller = evm
    ? startPeriodic(
        deps.escrowEveryMs ?? 5_000,
        async (holder, leaseMs) => {
          const outcome = await advanceEscrowPayouts(deps.db, evm, { holder, leaseMs, now: clock() });
          if (outcome.sent + outcome.settled > 0) log.info(outcome, 'escrow payouts advanced');
          const payouts = await advancePayouts(deps.db, evm, { holder, leaseMs, now: clock() });
          if (payouts.changed > 0) log.info(payouts, 'payouts advanced');
        },
        log,
        { db: deps.db, leases: ['shkeeper:escrow', 'shkeeper:payouts'] },
      )
    : null;
  const invoicePoller = evm
    ? startPeriodic(
        reconcileEveryMs,
        async (holder, leaseMs) => {
          const outcome = await reconcileShkeeper(deps.db, evm, { holder, leaseMs, now: clock() });
          if (outcome.added > 0)
            log.warn(outcome, 'shkeeper payments whose callback never came were taken in');
          if (outcome.failed > 0)
            log.warn(outcome, 'some shkeeper invoices could not be read; trying again next time');
        },
        log,
        { db: deps.db, leases: ['shkeeper:invoices'] },
      )
    : null;

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
    db: deps.db,
    log: deps.log,
    // Without a test clock the delivery worker goes by the database's.
    ...(deps.clock ? { clock: deps.clock } : {}),
  });

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([
        running,
        delivery.stop(),
        reconciler?.stop(),
        watcher?.stop(),
        invoicePoller?.stop(),
        escrowPoller?.stop(),
      ]);
    },
  };
}

/** Runs `work` every `everyMs` (first soon after start), never two rounds at once; errors are logged. */
function startPeriodic(
  everyMs: number,
  work: (holder: string, leaseMs: number) => Promise<void>,
  log: Logger,
  /** The leases `work` takes: given up on stop, so the next process need not wait for them to lapse. */
  owned: { db: Db; leases: readonly string[] },
): { stop(): Promise<void> } {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = 2 * everyMs + 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = work(holder, leaseMs)
        .catch((error: unknown) => log.warn({ err: error }, 'periodic work failed; trying again next time'))
        .finally(() => schedule(everyMs));
    }, delayMs);
  };
  schedule(Math.min(everyMs, 1000));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all(
        owned.leases.map((name) => releaseCursorLease(owned.db, name, holder).catch(() => undefined)),
      );
    },
  };
}
