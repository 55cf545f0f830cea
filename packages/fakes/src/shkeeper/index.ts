import { createServer } from 'node:http';
import { err, ok } from '../result';
import { listen, urlHost } from '../http';
import type { AdminCredentials } from './auth';
import { cryptoSpec, DEFAULT_CRYPTOS, type CryptoSpec } from './cryptos';
import { parseDecimal, removeExponent, toPlain, type Dec } from './decimal';
import { createDemoSendHandler, DEMO_SEND_PATH } from './demo-send';
import { compactSortedJson, pythonDefaultJson, type JsonObject } from './json';
import { createNotifier, type CallbackAttempt, type CallbackOrder, type OutgoingCallback } from './notifier';
import { invoiceNotification, payoutNotification, pythonDate } from './notifications';
import type { InvoiceStatus, PayoutRecord, PayoutStatus, TaskRecord, TransactionRecord } from './records';
import { createRequestHandler, type Availability, type RecordedRequest } from './server';
import { shkeeperSignature } from './signature';
import { createStore } from './store';

// A fake SHKeeper for tests and the offline demo: a real HTTP server speaking SHKeeper's /api/v1
// with its quirks (auth errors as HTTP 200, Basic admin auth on payouts, 500 on a duplicate payout
// external_id), and sending its callbacks (compact sorted JSON, HMAC headers, 202-only
// acknowledgement, retries). Point the adapter at `url` as at any SHKeeper:
//
//   const fake = await startFakeShkeeper({ retryEveryMs: 50 });
//   // adapter: POST `${fake.url}/api/v1/ETH-USDT/payment_request` with X-Shkeeper-Api-Key: fake.apiKey
//   fake.send({ externalId: 'pay_…', crypto: 'ETH-USDT' }, '49.99');
//   await fake.flush();

export type { AdminCredentials, Availability, CallbackAttempt, CallbackOrder, RecordedRequest };
export type { InvoiceStatus, PayoutStatus };
export { compactSortedJson } from './json';
export { shkeeperSignature } from './signature';

export type FakeShkeeperOptions = Readonly<{
  /** Interface to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** The wallets' shared API key; a random one unless told. */
  apiKey?: string;
  /** The admin login that payout routes take as HTTP Basic. */
  admin?: AdminCredentials;
  /** Enabled cryptos; the six stablecoins (ERC20, BEP20, TRC20 USDT and USDC) unless told. */
  cryptos?: readonly string[];
  /** USD per coin, as decimal strings; stablecoins default to '1', others must be given. */
  rates?: Readonly<Record<string, string>>;
  /** The wallet's partial/overpaid thresholds, as fractions of the invoice's fiat amount. */
  limits?: Readonly<{ lower: string; upper: string }>;
  /** SHKeeper's per-rate fee (PERCENT_FEE), added to the fiat amount before quoting; '0' unless told. */
  feePercent?: string;
  /** How often SHKeeper's scheduler re-sends unacknowledged callbacks: 60 s, as the real one. */
  retryEveryMs?: number;
  /** One callback attempt's timeout; SHKeeper's REQUESTS_NOTIFICATION_TIMEOUT is 30 s. */
  callbackTimeoutMs?: number;
  /** SHKeeper's ENABLE_PAYOUT_CALLBACK; on unless told. */
  payoutCallbacks?: boolean;
  /** SHKeeper's MAX_RETRIES: failed payout callback attempts before it gives up (7). */
  payoutCallbackAttempts?: number;
  /**
   * Finish payout tasks by themselves this long after they start: SUCCESS when the wallet holds
   * enough (what payers sent plus `fund`), FAILURE otherwise. Absent: tasks wait for `completePayout`.
   */
  payoutAutoCompleteMs?: number;
  /** false: a SHKeeper before v2.5.16, whose callbacks carry only X-Shkeeper-Api-Key and unsorted JSON. */
  signCallbacks?: boolean;
  /** The server's clock: transaction dates, callback timestamps. */
  now?: () => Date;
}>;

export type FakeTransaction = Readonly<{
  txid: string;
  crypto: string;
  addr: string;
  amountCrypto: string;
  /** At the invoice's exchange rate, or the current one for another crypto. */
  amountFiat: string;
  /** `YYYY-MM-DD HH:MM:SS`, as callbacks show it. */
  date: string;
  confirmed: boolean;
  /** A callback for it got 202. */
  acknowledged: boolean;
}>;

/** An invoice as SHKeeper holds it now; amounts formatted as SHKeeper prints them. */
export type FakeInvoice = Readonly<{
  id: number;
  externalId: string;
  callbackUrl: string;
  fiat: string;
  crypto: string;
  /** The deposit address for `crypto`. */
  addr: string;
  /** Every address the invoice was given, one per crypto it was requested in. */
  addresses: readonly Readonly<{ crypto: string; addr: string }>[];
  amountFiat: string;
  amountCrypto: string;
  exchangeRate: string;
  balanceFiat: string;
  balanceCrypto: string;
  status: InvoiceStatus;
  transactions: readonly FakeTransaction[];
}>;

export type FakePayout = Readonly<{
  id: number;
  crypto: string;
  externalId: string | null;
  destination: string;
  /** `str(Decimal)` as stored: `"120.5000000000"`. */
  amount: string;
  callbackUrl: string | null;
  taskId: string;
  status: PayoutStatus;
  txids: readonly string[];
  error: string | null;
}>;

export type FakeTask = Readonly<{
  id: string;
  crypto: string;
  status: TaskRecord['status'];
  items: readonly Readonly<{ dest: string; amount: string }>[];
}>;

export type SendTarget = string | Readonly<{ externalId: string; crypto: string }>;

export type SendOptions = Readonly<{
  /** Absent: a random hash in the chain's format. Repeating one is ignored, as SHKeeper does. */
  txid?: string;
  /**
   * false: seen with fewer confirmations than the wallet needs. SHKeeper already counts it in the
   * invoice's balance and status (and lists it as CONFIRMED), but sends no callback until `confirm`.
   */
  confirmed?: boolean;
  /** The token actually sent, when not the address's own (say USDC to a USDT address on Tron). */
  crypto?: string;
}>;

export type CompletePayoutOptions = Readonly<{
  /** On SUCCESS: items paying these destinations get `status: "error"` (their payouts stay IN_PROGRESS). */
  failedDestinations?: readonly string[];
}>;

export type FakeShkeeper = Readonly<{
  /**
   * `http://127.0.0.1:PORT`; the API is under `/api/v1`. A person plays the payer on the demo's page,
   * `/demo/send?address=…&amount=…`, which calls `send`.
   */
  url: string;
  apiKey: string;
  admin: AdminCredentials;
  /** A payer's transaction to an invoice address; its callback is queued when confirmed. Returns the txid. */
  send(target: SendTarget, amountCrypto: string, options?: SendOptions): string;
  /** The transaction reached the wallet's confirmations: its callback is queued. */
  confirm(txid: string): void;
  /** The newest invoice with this external_id. */
  invoice(externalId: string): FakeInvoice | undefined;
  invoices(): FakeInvoice[];
  payouts(): FakePayout[];
  tasks(): FakeTask[];
  /** The wallet finished a payout task. FAILURE's message defaults to SHKeeper's "not enough tokens" one. */
  completePayout(
    taskId: string,
    status: 'SUCCESS' | 'FAILURE',
    message?: string,
    options?: CompletePayoutOptions,
  ): void;
  /** Tops up a wallet (funds not tied to any invoice). */
  fund(crypto: string, amount: string): void;
  /** What the wallet holds, as GET /balance reports it. */
  balance(crypto: string): string;
  setAvailability(crypto: string, availability: Availability): void;
  /** Every callback POST attempt, oldest first. */
  callbacks(): CallbackAttempt[];
  /** Runs SHKeeper's scheduler now: every unacknowledged callback is tried once more. Resolves when done. */
  flush(): Promise<void>;
  /** How callbacks made ready together are sent: in order, or shuffled. */
  setCallbackOrder(order: CallbackOrder): void;
  /** Keeps new callbacks back until `release`, so several can go out together (shuffled if set so). */
  hold(): void;
  release(): void;
  /** Every API call received, oldest first. */
  requests(): RecordedRequest[];
  close(): Promise<void>;
}>;

const DEFAULT_RETRY_EVERY_MS = 60_000;
const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;
const DEFAULT_PAYOUT_CALLBACK_ATTEMPTS = 7;
/** requests' User-Agent, which is what SHKeeper's callbacks carry. */
const USER_AGENT = 'python-requests/2.32.3';

/** Starts a local HTTP server that answers like SHKeeper and sends callbacks like SHKeeper. */
export async function startFakeShkeeper(options: FakeShkeeperOptions = {}): Promise<FakeShkeeper> {
  const now = options.now ?? (() => new Date());
  const apiKey = options.apiKey ?? `fake-shkeeper-${Math.random().toString(36).slice(2, 14)}`;
  const admin = options.admin ?? { user: 'admin', password: 'fake-shkeeper-password' };
  const sign = options.signCallbacks ?? true;
  const cryptos = enabledCryptos(options.cryptos ?? DEFAULT_CRYPTOS);
  const rates = exchangeRates(cryptos, options.rates ?? {});
  const availability = new Map<string, Availability>();
  const requests: RecordedRequest[] = [];
  const autoCompleteTimers = new Set<NodeJS.Timeout>();

  const notifier = createNotifier({
    retryEveryMs: options.retryEveryMs ?? DEFAULT_RETRY_EVERY_MS,
    timeoutMs: options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
    now,
  });

  const store = createStore(
    {
      cryptos,
      rates,
      feePercent: decimalOption('feePercent', options.feePercent ?? '0'),
      lower: decimalOption('limits.lower', options.limits?.lower ?? '0.95'),
      upper: decimalOption('limits.upper', options.limits?.upper ?? '1.05'),
      now,
    },
    {
      transactionConfirmed: (tx) => queueInvoiceCallback(tx),
      payoutSucceeded: (payout) => queuePayoutCallback(payout),
      taskCreated: (task) => scheduleAutoComplete(task),
    },
  );

  function signed(body: string, headers: Record<string, string>): OutgoingCallback['headers'] {
    if (!sign) return headers;
    const timestamp = Math.floor(now().getTime() / 1000);
    return {
      ...headers,
      'X-Shkeeper-Timestamp': String(timestamp),
      'X-Shkeeper-Signature': shkeeperSignature({ apiKey, timestamp, body }),
    };
  }

  /** Signed SHKeeper sends compact sorted JSON; older ones let requests serialize it. */
  function serialize(payload: JsonObject): string {
    return sign ? compactSortedJson(payload) : pythonDefaultJson(payload);
  }

  function queueInvoiceCallback(tx: TransactionRecord): void {
    const invoice = store.invoiceById(tx.invoiceId);
    if (!invoice) return;
    notifier.add({
      kind: 'invoice',
      externalId: invoice.externalId,
      txid: tx.txid,
      payoutId: null,
      maxFailures: null,
      render() {
        const body = serialize(invoiceNotification(store, tx));
        return {
          url: invoice.callbackUrl,
          body,
          headers: signed(body, {
            'User-Agent': USER_AGENT,
            'Content-Type': 'application/json',
            'X-Shkeeper-Api-Key': apiKey,
          }),
        };
      },
      acknowledged() {
        tx.acknowledged = true;
      },
    });
  }

  function queuePayoutCallback(payout: PayoutRecord): void {
    if (options.payoutCallbacks === false || payout.callbackUrl === null) return;
    const callbackUrl = payout.callbackUrl;
    notifier.add({
      kind: 'payout',
      externalId: payout.externalId,
      txid: payout.txids[0] ?? null,
      payoutId: payout.id,
      maxFailures: options.payoutCallbackAttempts ?? DEFAULT_PAYOUT_CALLBACK_ATTEMPTS,
      render() {
        const body = serialize(payoutNotification(store, payout));
        // Payout callbacks never carried the API key header.
        return {
          url: callbackUrl,
          body,
          headers: signed(body, { 'User-Agent': USER_AGENT, 'Content-Type': 'application/json' }),
        };
      },
      acknowledged() {},
    });
  }

  function scheduleAutoComplete(task: TaskRecord): void {
    const delay = options.payoutAutoCompleteMs;
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      autoCompleteTimers.delete(timer);
      if (task.status !== 'PENDING') return;
      const paid = store.canPay(task);
      store.completeTask(task.id, paid ? { status: 'SUCCESS' } : { status: 'FAILURE' });
    }, delay);
    timer.unref();
    autoCompleteTimers.add(timer);
  }

  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host, 'fake SHKeeper');
  const url = `http://${urlHost(host)}:${port}`;
  const handle = createRequestHandler({
    store,
    apiKey,
    admin,
    cryptos,
    availability: (crypto) => availability.get(crypto) ?? 'online',
    record: (request) => requests.push(request),
  });
  const demoSend = createDemoSendHandler({
    origin: url,
    send: (address, amount) =>
      store.invoiceByAddress(address)
        ? ok(send(address, amount))
        : err(`${address} is not the address of any invoice here.`),
  });
  server.on('request', (req, res) => {
    const demo = (req.url ?? '').split('?')[0] === DEMO_SEND_PATH;
    (demo ? demoSend(req, res) : handle(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  function send(target: SendTarget, amountCrypto: string, sendOptions: SendOptions = {}): string {
    const amount = parseDecimal(amountCrypto);
    if (!amount || amount.units <= 0n) fail(`send needs a positive decimal amount, not ${amountCrypto}`);
    const resolved = resolveTarget(target);
    const received = store.receive({
      addr: resolved.addr,
      crypto: sendOptions.crypto ?? resolved.crypto,
      amount,
      txid: sendOptions.txid ?? null,
      confirmed: sendOptions.confirmed ?? true,
    });
    if (!received.ok) fail(received.error);
    return received.value.txid;
  }

  function resolveTarget(target: SendTarget): { addr: string; crypto: string } {
    if (typeof target === 'string') {
      const found = store.invoiceByAddress(target);
      if (!found) fail(`${target} is not an address of any invoice`);
      return { addr: target, crypto: found.crypto };
    }
    const invoice = store.latestInvoice(target.externalId);
    if (!invoice) fail(`no invoice ${target.externalId}`);
    const address = invoice.addresses.find((a) => a.crypto === target.crypto);
    if (!address) fail(`invoice ${target.externalId} has no ${target.crypto} address: request one first`);
    return { addr: address.addr, crypto: target.crypto };
  }

  function snapshot(invoiceId: number): FakeInvoice | undefined {
    const i = store.invoiceById(invoiceId);
    if (!i) return undefined;
    return {
      id: i.id,
      externalId: i.externalId,
      callbackUrl: i.callbackUrl,
      fiat: i.fiat,
      crypto: i.crypto,
      addr: i.addr,
      addresses: i.addresses.map((a) => ({ ...a })),
      amountFiat: removeExponent(i.amountFiat),
      amountCrypto: removeExponent(i.amountCrypto),
      exchangeRate: removeExponent(i.exchangeRate),
      balanceFiat: removeExponent(i.balanceFiat),
      balanceCrypto: removeExponent(i.balanceCrypto),
      status: i.status,
      transactions: store.transactionsOf(i.id).map((t) => ({
        txid: t.txid,
        crypto: t.crypto,
        addr: t.addr,
        amountCrypto: removeExponent(t.amountCrypto),
        amountFiat: removeExponent(t.amountFiat),
        date: pythonDate(t.createdAt),
        confirmed: t.confirmed,
        acknowledged: t.acknowledged,
      })),
    };
  }

  return {
    url,
    apiKey,
    admin,
    send,
    confirm(txid) {
      const confirmed = store.confirm(txid);
      if (!confirmed.ok) fail(confirmed.error);
    },
    invoice(externalId) {
      const latest = store.latestInvoice(externalId);
      return latest ? snapshot(latest.id) : undefined;
    },
    invoices: () => store.invoices().flatMap((i) => snapshot(i.id) ?? []),
    payouts: () =>
      store.payouts().map((p) => ({
        id: p.id,
        crypto: p.crypto,
        externalId: p.externalId,
        destination: p.destination,
        amount: toPlain(p.amount),
        callbackUrl: p.callbackUrl,
        taskId: p.taskId,
        status: p.status,
        txids: [...p.txids],
        error: p.error,
      })),
    tasks: () =>
      store.tasks().map((t) => ({
        id: t.id,
        crypto: t.crypto,
        status: t.status,
        items: t.items.map((i) => ({ ...i })),
      })),
    completePayout(taskId, status, message, completeOptions = {}) {
      const done = store.completeTask(taskId, {
        status,
        ...(message === undefined ? {} : { message }),
        ...(completeOptions.failedDestinations
          ? { failedDestinations: completeOptions.failedDestinations }
          : {}),
      });
      if (!done.ok) fail(done.error);
    },
    fund(crypto, amount) {
      const value = parseDecimal(amount);
      if (!value || !cryptos.has(crypto)) fail(`cannot fund ${amount} ${crypto}`);
      store.fund(crypto, value);
    },
    balance: (crypto) => removeExponent(store.balance(crypto)),
    setAvailability(crypto, next) {
      if (!cryptos.has(crypto)) fail(`${crypto} is not one of the fake's cryptos`);
      availability.set(crypto, next);
    },
    callbacks: () => notifier.attempts(),
    flush: () => notifier.flush(),
    setCallbackOrder: (order) => notifier.setOrder(order),
    hold: () => notifier.hold(),
    release: () => notifier.release(),
    requests: () => [...requests],
    async close() {
      for (const timer of autoCompleteTimers) clearTimeout(timer);
      autoCompleteTimers.clear();
      await notifier.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function enabledCryptos(names: readonly string[]): Map<string, CryptoSpec> {
  const out = new Map<string, CryptoSpec>();
  for (const name of names) {
    const spec = cryptoSpec(name);
    if (!spec) fail(`unknown crypto ${name}`);
    out.set(name, spec);
  }
  return out;
}

function exchangeRates(cryptos: ReadonlyMap<string, CryptoSpec>, given: Readonly<Record<string, string>>) {
  const rates = new Map<string, Dec>();
  for (const spec of cryptos.values()) {
    const text = given[spec.name] ?? (spec.stable ? '1' : undefined);
    if (text === undefined) fail(`${spec.name} needs a rate (USD per coin)`);
    const rate = decimalOption(`rates.${spec.name}`, text);
    if (rate.units <= 0n) fail(`rate of ${spec.name} must be positive`);
    rates.set(spec.name, rate);
  }
  return rates;
}

function decimalOption(name: string, text: string): Dec {
  const value = parseDecimal(text);
  if (!value) fail(`${name} is not a decimal: ${text}`);
  return value;
}

/** Misuse of the test controls throws, like a failed assertion. */
function fail(message: string): never {
  throw new Error(`fake SHKeeper: ${message}`);
}
