import {
  claimRound,
  fanOutEvents,
  recordAttempts,
  type AttemptNext,
  type AttemptOutcome,
  type Db,
  type DueDelivery,
} from '@kassa/db';
import type { Logger } from 'pino';
import { sendDelivery, type SendOptions } from './send';

export type DeliveryWorkerOptions = Readonly<{
  db: Db;
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
/**
 * Attempts that finish this close together are recorded in one statement (one commit, not one per
 * delivery); while a record is under way, those finishing meanwhile wait for the next one.
 */
const RECORD_COALESCE_MS = 2;

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

  const record = batchRecorder(options.db, dbClock);

  const attempt = async (delivery: DueDelivery) => {
    const outcome = await sendDelivery(delivery, {
      timeoutMs,
      now: () => options.clock?.() ?? new Date(),
      ...(options.privateInTest ? { privateInTest: options.privateInTest } : {}),
    });
    const next = await record(delivery, outcome);
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

  // Fan out every poll, and in a busy round only when the last claim saw events waiting: a worker
  // delivering flat out does not spend a statement per round on an empty outbox.
  let unpublished = true;

  /**
   * Claims due deliveries for the free slots; true when another round should follow at once: it
   * claimed some (more may be waiting), or it saw events waiting that it did not fan out.
   */
  const tick = async (poll: boolean): Promise<boolean> => {
    const fannedOut = poll || unpublished;
    if (fannedOut) await fanOutEvents(options.db, dbClock());
    const free = concurrency - inFlight.size;
    if (free <= 0) return false;
    const round = await claimRound(options.db, dbClock(), free, leaseMs);
    unpublished = round.unpublished;
    for (const delivery of round.deliveries) {
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
    return round.deliveries.length > 0 || (unpublished && !fannedOut);
  };

  // Rounds never overlap. After a round that claimed something the next runs at once; a finished
  // attempt frees a slot (and maybe an endpoint's share) and asks for a round; with nothing to
  // send the loop polls every pollMs.
  let ticking = false;
  let round: Promise<unknown> = Promise.resolve();
  const run = (poll: boolean) => {
    if (stopped || ticking) return;
    if (timer) clearTimeout(timer);
    ticking = true;
    round = tick(poll)
      .catch((error: unknown) => {
        log.error({ err: error }, 'delivery round failed; retrying next round');
        return false;
      })
      .then((claimed) => {
        ticking = false;
        if (claimed && inFlight.size < concurrency) schedule(0);
        else schedule(pollMs, true);
      });
  };
  let wakePending = false;
  const schedule = (delayMs: number, poll = false) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      wakePending = false;
      run(poll);
    }, delayMs);
  };
  // Attempts that finish close together share one round (one claim for several free slots).
  const wake = () => {
    if (!ticking && !wakePending) {
      wakePending = true;
      schedule(WAKE_COALESCE_MS);
    }
  };
  schedule(pollMs, true);

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

/**
 * Records finished attempts in batches: the first to finish waits RECORD_COALESCE_MS for others,
 * and at most one batch is written at a time. Each caller gets its own attempt's answer, or the
 * batch's error (its attempts then stay leased, and are sent again when the lease runs out).
 */
function batchRecorder(
  db: Db,
  clock: () => Date | undefined,
): (delivery: DueDelivery, outcome: AttemptOutcome) => Promise<AttemptNext> {
  type Waiting = {
    delivery: DueDelivery;
    outcome: AttemptOutcome;
    resolve: (next: AttemptNext) => void;
    reject: (error: unknown) => void;
  };
  let waiting: Waiting[] = [];
  let writing = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const batch = waiting;
    waiting = [];
    writing = true;
    void recordAttempts(db, batch, clock())
      .then(
        (answers) => batch.forEach((w, i) => w.resolve(answers[i] ?? 'superseded')),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        writing = false;
        if (waiting.length > 0) schedule();
      });
  };
  const schedule = () => {
    if (!writing && !timer) timer = setTimeout(flush, RECORD_COALESCE_MS);
  };
  return (delivery, outcome) =>
    new Promise<AttemptNext>((resolve, reject) => {
      waiting.push({ delivery, outcome, resolve, reject });
      schedule();
    });
}
