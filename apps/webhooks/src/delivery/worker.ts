import { claimDueDeliveries, fanOutEvents, recordAttempt, type Database } from '@kassa/db';
import type { Logger } from 'pino';
import { sendDelivery, type SendOptions } from './send';

export type DeliveryWorkerOptions = Readonly<{
  db: Database;
  log: Logger;
  /** Attempts in flight at once; a slow receiver holds one slot, never the others. */
  concurrency?: number;
  pollMs?: number;
  /** Longer than the timeout, so a live attempt's lease never runs out under it. */
  leaseMs?: number;
  timeoutMs?: number;
  privateInTest?: SendOptions['privateInTest'];
  /** For tests; without it the database's clock decides, the same for every worker process. */
  clock?: () => Date;
}>;

const WAKE_COALESCE_MS = 2;

export type DeliveryWorker = Readonly<{ stop(): Promise<void>; idle(): boolean }>;

/**
 * Fans new outbox events out to endpoints and sends due deliveries. Attempts run in a pool: the
 * loop claims only as many as there are free slots and never waits for a slow one to finish.
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const concurrency = options.concurrency ?? 16;
  const pollMs = options.pollMs ?? 200;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? timeoutMs + 50_000;
  const dbClock = () => options.clock?.();
  const log = options.log.child({ component: 'webhook-delivery' });
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const attempt = async (delivery: Awaited<ReturnType<typeof claimDueDeliveries>>[number]) => {
    const outcome = await sendDelivery(delivery, {
      timeoutMs,
      now: () => options.clock?.() ?? new Date(),
      ...(options.privateInTest ? { privateInTest: options.privateInTest } : {}),
    });
    const next = await recordAttempt(options.db, delivery, outcome, dbClock());
    const fields = {
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      attempt: delivery.attempt,
      statusCode: outcome.statusCode,
      ms: outcome.durationMs,
    };
    if (next === 'delivered') log.debug(fields, 'webhook delivered');
    else log.warn({ ...fields, error: outcome.error, next }, 'webhook attempt failed');
  };

  /** Claims due deliveries for the free slots; true when it claimed any (more may be waiting). */
  const tick = async (): Promise<boolean> => {
    await fanOutEvents(options.db, dbClock());
    const due = await claimDueDeliveries(options.db, dbClock(), concurrency - inFlight.size, leaseMs);
    for (const delivery of due) {
      const running = attempt(delivery)
        .catch((error: unknown) =>
          log.error(
            { err: error, eventId: delivery.eventId },
            'recording an attempt failed; the lease will retry it',
          ),
        )
        .finally(() => {
          inFlight.delete(running);
          wake();
        });
      inFlight.add(running);
    }
    return due.length > 0;
  };

  // Rounds never overlap. After a round that claimed something the next runs at once; a finished
  // attempt frees a slot (and maybe an endpoint's share) and asks for a round; with nothing to
  // send the loop polls every pollMs.
  let ticking = false;
  let round: Promise<unknown> = Promise.resolve();
  const run = () => {
    if (stopped || ticking) return;
    if (timer) clearTimeout(timer);
    ticking = true;
    round = tick()
      .catch((error: unknown) => {
        log.error({ err: error }, 'delivery round failed; retrying next round');
        return false;
      })
      .then((claimed) => {
        ticking = false;
        schedule(claimed && inFlight.size < concurrency ? 0 : pollMs);
      });
  };
  let wakePending = false;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      wakePending = false;
      run();
    }, delayMs);
  };
  // Attempts that finish close together share one round (one claim for several free slots).
  const wake = () => {
    if (!ticking && !wakePending) {
      wakePending = true;
      schedule(WAKE_COALESCE_MS);
    }
  };
  schedule(pollMs);

  return {
    idle: () => inFlight.size === 0,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A round under way may still claim deliveries: let it, then wait for what it started.
      await round.catch(() => undefined);
      await Promise.allSettled([...inFlight]);
    },
  };
}
