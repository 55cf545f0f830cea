import { err, ok, type Result } from '@kassa/core';
import { z } from 'zod';

// What Kassa reads from Horizon, parsed with zod at the edge (PROVIDERS.md 3.2-3.4). Unknown fields
// are dropped; Horizon adds fields over time.

const Amount = z.string().regex(/^\d{1,12}\.\d{7}$/, 'a Horizon amount (7 decimals)');
/** Fees are strings in current Horizon and numbers in older docs and types: accept both. */
const Stroops = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

export const TransactionRecord = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  paging_token: z.string(),
  successful: z.boolean(),
  ledger: z.number().int(),
  created_at: z.string(),
  source_account: z.string(),
  fee_charged: Stroops.optional(),
  memo_type: z.enum(['none', 'text', 'id', 'hash', 'return']),
  memo: z.string().optional(),
  memo_bytes: z.string().optional(),
  envelope_xdr: z.string().optional(),
  fee_bump_transaction: z.object({ hash: z.string() }).optional(),
  inner_transaction: z.object({ hash: z.string() }).optional(),
});
export type TransactionRecord = z.infer<typeof TransactionRecord>;

export const PaymentRecord = z.object({
  id: z.string().regex(/^\d+$/),
  paging_token: z.string().regex(/^\d+$/),
  type: z.string(),
  transaction_hash: z.string().regex(/^[0-9a-f]{64}$/),
  transaction_successful: z.boolean(),
  created_at: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  /** create_account */
  account: z.string().optional(),
  starting_balance: Amount.optional(),
  asset_type: z.string().optional(),
  asset_code: z.string().optional(),
  asset_issuer: z.string().optional(),
  amount: Amount.optional(),
  /** Present with `join=transactions`. */
  transaction: TransactionRecord.optional(),
});
export type PaymentRecord = z.infer<typeof PaymentRecord>;

const Page = <T extends z.ZodType>(record: T) =>
  z.object({
    _embedded: z.object({ records: z.array(record) }),
    _links: z.object({ next: z.object({ href: z.string() }).optional() }).optional(),
  });

const Balance = z.object({
  asset_type: z.string(),
  asset_code: z.string().optional(),
  asset_issuer: z.string().optional(),
  balance: Amount,
  limit: Amount.optional(),
  is_authorized: z.boolean().optional(),
});
export const AccountRecord = z.object({
  id: z.string(),
  sequence: z.string().regex(/^\d+$/),
  subentry_count: z.number().int().nonnegative(),
  balances: z.array(Balance),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

const FeeStats = z.object({
  last_ledger_base_fee: Stroops,
  fee_charged: z.object({ p50: Stroops }).optional(),
});

const Problem = z.object({
  type: z.string(),
  title: z.string().optional(),
  status: z.number().int(),
  detail: z.string().optional(),
  extras: z
    .object({
      result_codes: z
        .object({ transaction: z.string(), operations: z.array(z.string()).optional() })
        .optional(),
    })
    .optional(),
});

export type HorizonError = Readonly<{
  /** `unavailable`: Horizon down, slow or answering nonsense; asking again later may work. */
  code: 'not_found' | 'before_history' | 'transaction_failed' | 'unavailable';
  message: string;
  /** For `transaction_failed`: Stellar's result codes (`tx_bad_seq`, `op_underfunded`, …). */
  resultCodes?: Readonly<{ transaction: string; operations: readonly string[] }>;
}>;

export type Horizon = ReturnType<typeof createHorizon>;

const TIMEOUT_MS = 15_000;

/** A Horizon client over fetch: the same code talks to SDF's Horizon, a private one, or the fake. */
export function createHorizon(baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, '');

  async function get<T extends z.ZodType>(
    path: string,
    schema: T,
  ): Promise<Result<z.infer<T>, HorizonError>> {
    return request(
      `${base}${path}`,
      { headers: { accept: 'application/hal+json, application/json' } },
      schema,
    );
  }

  return {
    baseUrl: base,

    transaction: (hash: string) => get(`/transactions/${encodeURIComponent(hash)}`, TransactionRecord),

    /** The payment-like operations of one transaction (at most 100 operations in a transaction). */
    async transactionPayments(hash: string): Promise<Result<PaymentRecord[], HorizonError>> {
      const page = await get(
        `/transactions/${encodeURIComponent(hash)}/payments?limit=200`,
        Page(PaymentRecord),
      );
      return page.ok ? ok(page.value._embedded.records) : page;
    },

    account: (id: string) => get(`/accounts/${encodeURIComponent(id)}`, AccountRecord),

    /** The fee to offer per operation: the median charged lately, never below the network's base fee. */
    async feePerOperation(): Promise<Result<bigint, HorizonError>> {
      const stats = await get('/fee_stats', FeeStats);
      if (!stats.ok) return stats;
      const base = BigInt(stats.value.last_ledger_base_fee);
      const median = stats.value.fee_charged ? BigInt(stats.value.fee_charged.p50) : base;
      return ok(median > base ? median : base);
    },

    /** An account's payments after `cursor`, oldest first, with their transactions joined (memo!). */
    async payments(
      account: string,
      cursor: string,
      limit = 200,
    ): Promise<Result<PaymentRecord[], HorizonError>> {
      const query = new URLSearchParams({ cursor, order: 'asc', limit: String(limit), join: 'transactions' });
      const page = await get(
        `/accounts/${encodeURIComponent(account)}/payments?${query.toString()}`,
        Page(PaymentRecord),
      );
      return page.ok ? ok(page.value._embedded.records) : page;
    },

    /** The oldest ledger Horizon still has: a cursor from before it has a gap Horizon skips silently. */
    async oldestLedger(): Promise<Result<number, HorizonError>> {
      const root = await get('/', z.object({ history_elder_ledger: z.number().int() }));
      return root.ok ? ok(root.value.history_elder_ledger) : root;
    },

    /** Where the account's payments end now ("0" when it has none): a cursor that skips the past. */
    async latestPagingToken(account: string): Promise<Result<string, HorizonError>> {
      const query = new URLSearchParams({ order: 'desc', limit: '1' });
      const page = await get(
        `/accounts/${encodeURIComponent(account)}/payments?${query.toString()}`,
        Page(PaymentRecord),
      );
      if (!page.ok) return page.error.code === 'not_found' ? ok('0') : page;
      return ok(page.value._embedded.records[0]?.paging_token ?? '0');
    },

    /** Submits a signed envelope; Horizon answers when the ledger closed (or with result codes). */
    async submit(envelopeXdr: string): Promise<Result<TransactionRecord, HorizonError>> {
      return request(
        `${base}/transactions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ tx: envelopeXdr }).toString(),
        },
        TransactionRecord,
        60_000,
      );
    },

    /**
     * Streams an account's payments from `cursor` (server-sent events) until Horizon closes the
     * stream, `signal` aborts, or the connection drops. Resolves with the last cursor seen, so
     * the caller reconnects from there; every record goes through `onRecord` in order.
     */
    async streamPayments(
      account: string,
      cursor: string,
      onRecord: (record: PaymentRecord) => Promise<void>,
      signal: AbortSignal,
      /** Horizon sends no heartbeats: after this long without a record, reconnect (a dead link looks quiet). */
      idleMs = 60_000,
    ): Promise<Result<string, HorizonError>> {
      const query = new URLSearchParams({ cursor, join: 'transactions' });
      const local = new AbortController();
      const stop = () => local.abort();
      signal.addEventListener('abort', stop);
      let idle = setTimeout(stop, idleMs);
      const stillAlive = () => {
        clearTimeout(idle);
        idle = setTimeout(stop, idleMs);
      };
      let last = cursor;
      try {
        let response: Response;
        try {
          response = await fetch(
            `${base}/accounts/${encodeURIComponent(account)}/payments?${query.toString()}`,
            {
              headers: { accept: 'text/event-stream' },
              signal: local.signal,
            },
          );
        } catch (cause) {
          return local.signal.aborted ? ok(last) : unavailable(cause);
        }
        if (!response.ok || !response.body) return err(await problemOf(response));
        try {
          for await (const message of readEvents(response.body)) {
            stillAlive();
            if (message.event === 'close') break;
            if (message.event === 'open' || !message.data) continue;
            let json: unknown;
            try {
              json = JSON.parse(message.data);
            } catch {
              return err({ code: 'unavailable', message: 'Horizon streamed a record that is not JSON' });
            }
            const record = PaymentRecord.safeParse(json);
            if (!record.success) {
              return err({
                code: 'unavailable',
                message: `Horizon streamed an unexpected record: ${record.error.message}`,
              });
            }
            await onRecord(record.data);
            last = record.data.paging_token;
          }
        } catch (cause) {
          // Stopped, or quiet for too long: the caller reconnects from `last` either way.
          if (local.signal.aborted) return ok(last);
          return unavailable(cause);
        }
        return ok(last);
      } finally {
        clearTimeout(idle);
        signal.removeEventListener('abort', stop);
        local.abort();
      }
    },
  };
}

async function request<T extends z.ZodType>(
  url: string,
  init: RequestInit,
  schema: T,
  timeoutMs = TIMEOUT_MS,
): Promise<Result<z.infer<T>, HorizonError>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    return unavailable(cause);
  }
  if (!response.ok) return err(await problemOf(response));
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    return err({ code: 'unavailable', message: `Horizon answered ${url} with something that is not JSON` });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return err({
      code: 'unavailable',
      message: `Horizon answered in an unexpected shape: ${parsed.error.message}`,
    });
  }
  return ok(parsed.data);
}

async function problemOf(response: Response): Promise<HorizonError> {
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    // A proxy's HTML error page, say: the status is all there is.
  }
  const problem = Problem.safeParse(json);
  const detail = problem.success ? (problem.data.detail ?? problem.data.title ?? '') : '';
  const type = problem.success ? problem.data.type.split('/').at(-1) : undefined;
  if (response.status === 404) return { code: 'not_found', message: detail || 'not found on Horizon' };
  if (response.status === 410 || type === 'before_history') {
    return { code: 'before_history', message: detail || 'older than the history Horizon keeps' };
  }
  const codes = problem.success ? problem.data.extras?.result_codes : undefined;
  if (type === 'transaction_failed' && codes) {
    return {
      code: 'transaction_failed',
      message: detail || 'the transaction failed',
      resultCodes: { transaction: codes.transaction, operations: codes.operations ?? [] },
    };
  }
  return {
    code: 'unavailable',
    message: `Horizon answered ${response.status}${detail ? `: ${detail}` : ''}`,
  };
}

function unavailable(cause: unknown): Result<never, HorizonError> {
  const message = cause instanceof Error ? cause.message : String(cause);
  return err({ code: 'unavailable', message: `Horizon could not be reached: ${message}` });
}

type SseMessage = { event: string | null; data: string; id: string | null };

/** Server-sent events, as the spec frames them: fields per line, a blank line ends a message. */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let message: SseMessage = { event: null, data: '', id: null };
  let hasData = false;
  // A reader loop, not `for await`: ReadableStream is async-iterable only in some libs' typings.
  const reader = body.getReader();
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (hasData || message.event) yield message;
        message = { event: null, data: '', id: null };
        hasData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') {
        message.data = hasData ? `${message.data}\n${value}` : value;
        hasData = true;
      } else if (field === 'event') message.event = value;
      else if (field === 'id') message.id = value;
    }
  }
}
