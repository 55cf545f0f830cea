import { setTimeout as sleep } from 'node:timers/promises';
import { stripeSignatureHeader } from './signature';

export type WebhookTarget = Readonly<{ url: string; secret: string }>;

/** How events raised from now on are delivered. Each call to `setSender` replaces the last. */
export type SenderBehaviour = Readonly<{
  /** Send every event twice (Stripe may deliver an event more than once). */
  duplicate?: boolean;
  /** Wait this long before each delivery. */
  delayMs?: number;
  /** Send the events raised by one call (payLater's two, a refund's two, a `batch`) last first. */
  reorder?: boolean;
}>;

export type Delivery = Readonly<{
  eventId: string;
  type: string;
  /** HTTP status of the last attempt; null when nothing answered or no webhook was set. */
  status: number | null;
  attempts: number;
}>;

type DeliveryRecord = { -readonly [K in keyof Delivery]: Delivery[K] };

export type OutgoingEvent = Readonly<{ id: string; type: string; body: string }>;

// Real Stripe retries for days; a test wants the same shape in a fraction of a second.
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 100;
const ATTEMPT_TIMEOUT_MS = 10_000;

export type Sender = ReturnType<typeof createSender>;

/**
 * Delivers events one at a time, in the order they were queued, each signed the way Stripe signs
 * (a fresh timestamp per attempt). Never throws: every outcome ends up in `deliveries()`.
 */
export function createSender(initial: WebhookTarget | null) {
  let target = initial;
  let behaviour: SenderBehaviour = {};
  const deliveries: DeliveryRecord[] = [];
  let tail: Promise<void> = Promise.resolve();
  let held: OutgoingEvent[] | null = null;
  let holds = 0;
  let closed = false;
  const stop = new AbortController();

  function enqueue(events: readonly OutgoingEvent[]): void {
    if (held) {
      held.push(...events);
      return;
    }
    dispatch(events);
  }

  function dispatch(events: readonly OutgoingEvent[]): void {
    const to = target;
    const how = behaviour;
    const ordered = how.reorder ? [...events].reverse() : events;
    for (const event of ordered) {
      for (let copy = 0; copy < (how.duplicate ? 2 : 1); copy++) {
        const record: DeliveryRecord = { eventId: event.id, type: event.type, status: null, attempts: 0 };
        deliveries.push(record);
        if (!to || closed) continue;
        tail = tail.then(() => deliver(event, to, how.delayMs ?? 0, record));
      }
    }
  }

  async function deliver(
    event: OutgoingEvent,
    to: WebhookTarget,
    delayMs: number,
    record: DeliveryRecord,
  ): Promise<void> {
    try {
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: stop.signal });
      for (let attempt = 1; attempt <= ATTEMPTS && !closed; attempt++) {
        if (attempt > 1) await sleep(RETRY_DELAY_MS, undefined, { signal: stop.signal });
        record.attempts = attempt;
        record.status = await post(event, to);
        if (record.status !== null && record.status >= 200 && record.status < 300) return;
      }
    } catch {
      // Aborted by close(): the record keeps what happened so far.
    }
  }

  async function flush(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = tail;
      await seen;
    } while (seen !== tail);
  }

  async function post(event: OutgoingEvent, to: WebhookTarget): Promise<number | null> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(to.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Stripe-Signature': stripeSignatureHeader({ payload: event.body, secret: to.secret, timestamp }),
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          Accept: '*/*; q=0.5, application/xml',
          'Cache-Control': 'no-cache',
        },
        body: event.body,
        redirect: 'manual',
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return null;
    }
  }

  return {
    setTarget(next: WebhookTarget | null): void {
      target = next;
    },
    hasTarget: (): boolean => target !== null,
    setBehaviour(next: SenderBehaviour): void {
      behaviour = { ...next };
    },
    enqueue,
    /** Holds events until the matching `release`, then queues them as one group. */
    hold(): void {
      if (holds === 0) held = [];
      holds++;
    },
    release(): void {
      holds--;
      if (holds > 0 || !held) return;
      const group = held;
      held = null;
      dispatch(group);
    },
    flush,
    deliveries: (): Delivery[] => deliveries.map((d) => ({ ...d })),
    async close(): Promise<void> {
      closed = true;
      stop.abort();
      await flush();
    },
  };
}
