// SHKeeper's callback sender. A callback is acknowledged only by HTTP 202; anything else (200 and
// 204 included), a refused connection or a timeout is a failure, retried on every scheduler run:
// invoice callbacks forever, payout callbacks up to a cap. Attempts go out one at a time.

export type CallbackKind = 'invoice' | 'payout';

/** How callbacks made ready together (one tick, one `release`, one synchronous burst) are ordered. */
export type CallbackOrder = 'fifo' | 'shuffle';

/** One POST as it was rendered at the moment of sending. */
export type OutgoingCallback = Readonly<{
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
}>;

export type CallbackAttempt = Readonly<{
  kind: CallbackKind;
  /** Invoice callbacks: the invoice's external_id. Payout callbacks: the payout's (may be null). */
  externalId: string | null;
  /** Invoice callbacks: the transaction that triggered it. */
  txid: string | null;
  /** Payout callbacks: SHKeeper's payout id. */
  payoutId: number | null;
  /** 1 for the first try of this callback. */
  attempt: number;
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The receiver's HTTP status; null when nothing answered. */
  status: number | null;
  /** Why nothing answered (refused, timed out). */
  error: string | null;
  acknowledged: boolean;
  at: Date;
}>;

export type CallbackSource = Readonly<{
  kind: CallbackKind;
  externalId: string | null;
  txid: string | null;
  payoutId: number | null;
  /** Failed attempts after which SHKeeper stops trying; null: never stops. */
  maxFailures: number | null;
  render(): OutgoingCallback;
  acknowledged(): void;
}>;

type Entry = {
  readonly source: CallbackSource;
  attempts: number;
  failures: number;
  done: boolean;
  held: boolean;
  queued: boolean;
};

export type NotifierOptions = Readonly<{
  retryEveryMs: number;
  timeoutMs: number;
  now: () => Date;
}>;

export type Notifier = ReturnType<typeof createNotifier>;

export function createNotifier(options: NotifierOptions) {
  const entries: Entry[] = [];
  const attempts: CallbackAttempt[] = [];
  const queue: Entry[] = [];
  let burst: Entry[] = [];
  let order: CallbackOrder = 'fifo';
  let holding = false;
  let draining: Promise<void> | null = null;
  let closed = false;
  const stop = new AbortController();
  const timer = setInterval(() => enqueue(due()), options.retryEveryMs);
  timer.unref();

  function add(source: CallbackSource): void {
    const entry: Entry = { source, attempts: 0, failures: 0, done: false, held: holding, queued: false };
    entries.push(entry);
    if (entry.held) return;
    // Callbacks raised in one synchronous burst (two transactions at once) are ordered as one group.
    burst.push(entry);
    if (burst.length === 1) {
      queueMicrotask(() => {
        const group = burst;
        burst = [];
        enqueue(group);
      });
    }
  }

  function due(): Entry[] {
    return entries.filter((e) => !e.done && !e.held && !e.queued && !burst.includes(e));
  }

  function enqueue(group: readonly Entry[]): void {
    if (closed || group.length === 0) return;
    const ordered = order === 'shuffle' ? shuffled(group) : group;
    for (const entry of ordered) {
      entry.queued = true;
      queue.push(entry);
    }
    kick();
  }

  function kick(): void {
    if (draining) return;
    draining = drain().finally(() => {
      draining = null;
      if (queue.length > 0 && !closed) kick();
    });
  }

  async function drain(): Promise<void> {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      entry.queued = false;
      if (entry.done || closed) continue;
      try {
        await attempt(entry);
      } catch {
        // A callback that cannot even be rendered is a bug in the fake; drop it rather than wedge the queue.
        entry.done = true;
      }
    }
  }

  async function attempt(entry: Entry): Promise<void> {
    const outgoing = entry.source.render();
    entry.attempts++;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(outgoing.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    const acknowledged = status === 202;
    attempts.push({
      kind: entry.source.kind,
      externalId: entry.source.externalId,
      txid: entry.source.txid,
      payoutId: entry.source.payoutId,
      attempt: entry.attempts,
      url: outgoing.url,
      headers: outgoing.headers,
      body: outgoing.body,
      status,
      error,
      acknowledged,
      at: options.now(),
    });
    if (acknowledged) {
      entry.done = true;
      entry.source.acknowledged();
      return;
    }
    entry.failures++;
    const max = entry.source.maxFailures;
    if (max !== null && entry.failures >= max) entry.done = true;
  }

  async function idle(): Promise<void> {
    await Promise.resolve();
    while (draining) await draining;
  }

  return {
    add,
    setOrder(next: CallbackOrder): void {
      order = next;
    },
    /** Keeps new callbacks back until `release`. */
    hold(): void {
      holding = true;
    },
    /** Sends everything held, as one group in the current order. */
    release(): void {
      holding = false;
      const held = entries.filter((e) => e.held);
      for (const entry of held) entry.held = false;
      enqueue(held);
    },
    /** Runs the scheduler now: every unacknowledged callback is tried once more; resolves when sent. */
    async flush(): Promise<void> {
      await Promise.resolve();
      enqueue(due());
      await idle();
    },
    idle,
    attempts: (): CallbackAttempt[] => [...attempts],
    pending: (): number => entries.filter((e) => !e.done).length,
    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      stop.abort();
      queue.length = 0;
      await idle();
    },
  };
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) continue;
    out[i] = b;
    out[j] = a;
  }
  return out;
}
