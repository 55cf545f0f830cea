import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '../result';
import { newAddress, newTxid } from './addresses';
import type { CryptoSpec } from './cryptos';
import { add, compare, dec, div, mul, quantize, stored, toPlain, ZERO, type Dec } from './decimal';
import type { Json } from './json';
import { isArray, pyOptional, pyText, pyTruthy, readDecimal, readKey, type PyFailure } from './python';
import type {
  InvoiceRecord,
  InvoiceStatus,
  PayoutRecord,
  TaskItem,
  TaskItemResult,
  TaskRecord,
  TransactionRecord,
} from './records';

// The fake's state and every transition SHKeeper makes on it, following shkeeper/models.py
// (Invoice.add, Transaction.add, Invoice.update_with_tx) and services/payout_service.py.

export type StoreConfig = Readonly<{
  cryptos: ReadonlyMap<string, CryptoSpec>;
  /** Fiat (USD) per coin. */
  rates: ReadonlyMap<string, Dec>;
  /** ExchangeRate.fee (PERCENT_FEE policy): added to the fiat amount before quoting. */
  feePercent: Dec;
  /** Wallet llimit/ulimit as fractions (0.95, 1.05). */
  lower: Dec;
  upper: Dec;
  now: () => Date;
}>;

export type StoreHooks = Readonly<{
  /** A transaction reached the wallet's confirmations: its callback is due. */
  transactionConfirmed(tx: TransactionRecord): void;
  /** A payout's transaction confirmed: SHKeeper marks it SUCCESS and queues the payout callback. */
  payoutSucceeded(payout: PayoutRecord): void;
  taskCreated(task: TaskRecord): void;
}>;

export type PayoutOutcome = Readonly<{ response: { [key: string]: Json }; failure: PyFailure | null }>;

/** The invoice's fee policy name as callbacks report it; the fake only has PERCENT_FEE. */
export const FEE_POLICY = 'PERCENT_FEE';
const CRYPTO_PRECISION = 8;
/** SQLite NUMERIC columns come back as 10-decimal Decimals. */
const PAYOUT_AMOUNT_SCALE = 10;
const HUNDRED = dec(100);

export type Store = ReturnType<typeof createStore>;

export function createStore(config: StoreConfig, hooks: StoreHooks) {
  const invoices: InvoiceRecord[] = [];
  const transactions: TransactionRecord[] = [];
  const payouts: PayoutRecord[] = [];
  const tasks = new Map<string, TaskRecord>();
  const balances = new Map<string, Dec>();

  function rate(fiat: string, crypto: string): Result<Dec, PyFailure> {
    const value = config.rates.get(crypto);
    if (fiat !== 'USD' || !value) {
      return err({
        exception: 'Exception',
        message: `Exchange rate src config for ${fiat}-${crypto} is not found`,
      });
    }
    return ok(value);
  }

  /** ExchangeRate.convert: (fiat + fee) / rate, rounded to the crypto's 8 decimals. */
  function convert(
    fiat: string,
    crypto: string,
    amountFiat: Dec,
  ): Result<{ amount: Dec; rate: Dec }, PyFailure> {
    const r = rate(fiat, crypto);
    if (!r.ok) return r;
    const fee = mul(amountFiat, div(config.feePercent, HUNDRED));
    return ok({ amount: quantize(div(add(amountFiat, fee), r.value), CRYPTO_PRECISION), rate: r.value });
  }

  /** ExchangeRate.get_orig_amount under PERCENT_FEE: the fiat amount before SHKeeper's fee. */
  function withoutFee(amountFiat: Dec): Dec {
    return div(mul(amountFiat, HUNDRED), add(HUNDRED, config.feePercent));
  }

  /** Invoice.add: create, or update the invoice with the same (external_id, callback_url, fiat). */
  function paymentRequest(spec: CryptoSpec, body: Json): Result<InvoiceRecord, PyFailure> {
    const externalId = readKey(body, 'external_id');
    if (!externalId.ok) return externalId;
    const callbackUrl = readKey(body, 'callback_url');
    if (!callbackUrl.ok) return callbackUrl;
    const fiatValue = readKey(body, 'fiat');
    if (!fiatValue.ok) return fiatValue;
    const amountValue = readKey(body, 'amount');
    if (!amountValue.ok) return amountValue;
    const amount = readDecimal(amountValue.value);
    if (!amount.ok) return amount;
    const fiat = pyText(fiatValue.value);
    const amountFiat = stored(amount.value);

    const existing = invoices.find(
      (i) =>
        i.externalId === pyText(externalId.value) &&
        i.callbackUrl === pyText(callbackUrl.value) &&
        i.fiat === fiat,
    );
    if (existing) {
      // The update re-quotes (with the old crypto first, as SHKeeper does) and never touches status.
      const requote = convert(fiat, existing.crypto, amountFiat);
      if (!requote.ok) return requote;
      let quote = requote.value;
      if (existing.crypto !== spec.name) {
        const switched = convert(fiat, spec.name, amountFiat);
        if (!switched.ok) return switched;
        quote = switched.value;
        existing.crypto = spec.name;
        existing.addr = addressFor(existing, spec);
      }
      existing.amountFiat = amountFiat;
      existing.amountCrypto = stored(quote.amount);
      existing.exchangeRate = stored(quote.rate);
      return ok(existing);
    }

    const quote = convert(fiat, spec.name, amountFiat);
    if (!quote.ok) return quote;
    const invoice: InvoiceRecord = {
      id: invoices.length + 1,
      externalId: pyText(externalId.value),
      callbackUrl: pyText(callbackUrl.value),
      fiat,
      crypto: spec.name,
      addr: '',
      addresses: [],
      amountFiat,
      amountCrypto: stored(quote.value.amount),
      exchangeRate: stored(quote.value.rate),
      balanceFiat: ZERO,
      balanceCrypto: ZERO,
      status: 'UNPAID',
    };
    invoice.addr = addressFor(invoice, spec);
    invoices.push(invoice);
    return ok(invoice);
  }

  /** Reuses the invoice's address for this crypto, or asks the wallet for a new one. */
  function addressFor(invoice: InvoiceRecord, spec: CryptoSpec): string {
    const known = invoice.addresses.find((a) => a.crypto === spec.name);
    if (known) return known.addr;
    const addr = newAddress(spec.format);
    invoice.addresses.push({ crypto: spec.name, addr });
    return addr;
  }

  /** POST /quote after its field checks: what an invoice for `amountFiat` would ask, without one. */
  function quote(
    spec: CryptoSpec,
    fiat: string,
    amountFiat: Dec,
  ): Result<{ [key: string]: Json }, PyFailure> {
    const converted = convert(fiat, spec.name, amountFiat);
    if (!converted.ok) return converted;
    return ok({
      status: 'success',
      fiat,
      amount_fiat: toPlain(amountFiat),
      crypto: spec.name,
      amount_crypto: toPlain(converted.value.amount),
      exchange_rate: toPlain(converted.value.rate),
    });
  }

  function invoiceByAddress(addr: string): { invoice: InvoiceRecord; crypto: string } | undefined {
    for (const invoice of invoices) {
      const found = invoice.addresses.find((a) => a.addr === addr);
      if (found) return { invoice, crypto: found.crypto };
    }
    return undefined;
  }

  /**
   * A payer's transaction as the wallet backend reports it (walletnotify): recorded and added to the
   * invoice balance at once (Invoice.update_with_tx), even before it has enough confirmations.
   */
  function receive(
    input: Readonly<{ addr: string; crypto: string; amount: Dec; txid: string | null; confirmed: boolean }>,
  ): Result<TransactionRecord, string> {
    const found = invoiceByAddress(input.addr);
    if (!found) return err(`${input.addr} is not related to any invoice`);
    const spec = config.cryptos.get(input.crypto);
    if (!spec) return err(`${input.crypto} is not enabled`);
    const { invoice } = found;
    const txid = input.txid ?? newTxid(spec.format);
    const duplicate = transactions.find(
      (t) => t.txid === txid && t.crypto === input.crypto && t.invoiceId === invoice.id,
    );
    // The backend notifies again on later confirmations; SHKeeper's unique key ignores the repeat.
    if (duplicate) return ok(duplicate);

    const amountCrypto = stored(input.amount);
    let fiatRate = invoice.exchangeRate;
    if (input.crypto !== invoice.crypto) {
      const current = rate(invoice.fiat, input.crypto);
      if (!current.ok) return err(current.error.message);
      fiatRate = current.value;
    }
    const tx: TransactionRecord = {
      id: transactions.length + 1,
      invoiceId: invoice.id,
      txid,
      crypto: input.crypto,
      // Transaction.addr: the invoice's address for the tx's crypto, else its current one.
      addr: invoice.addresses.find((a) => a.crypto === input.crypto)?.addr ?? invoice.addr,
      amountCrypto,
      amountFiat: stored(mul(amountCrypto, fiatRate)),
      createdAt: config.now(),
      confirmed: input.confirmed,
      acknowledged: false,
    };
    transactions.push(tx);
    credit(input.crypto, amountCrypto);

    invoice.balanceFiat = stored(add(invoice.balanceFiat, tx.amountFiat));
    // Other tokens count in fiat only (SHKeeper: "do not add different tokens").
    if (tx.crypto === invoice.crypto)
      invoice.balanceCrypto = stored(add(invoice.balanceCrypto, amountCrypto));
    invoice.status = statusOf(invoice);

    if (tx.confirmed) hooks.transactionConfirmed(tx);
    return ok(tx);
  }

  /** The 95/105 % thresholds, in fiat, on the cumulative balance. */
  function statusOf(invoice: InvoiceRecord): InvoiceStatus {
    if (compare(invoice.balanceFiat, mul(invoice.amountFiat, config.lower)) < 0) return 'PARTIAL';
    if (compare(invoice.balanceFiat, mul(invoice.amountFiat, config.upper)) < 0) return 'PAID';
    return 'OVERPAID';
  }

  function confirm(txid: string): Result<TransactionRecord, string> {
    const tx = transactions.find((t) => t.txid === txid);
    if (!tx) return err(`no transaction ${txid}`);
    if (tx.confirmed) return err(`transaction ${txid} is already confirmed`);
    tx.confirmed = true;
    hooks.transactionConfirmed(tx);
    return ok(tx);
  }

  function credit(crypto: string, amount: Dec): void {
    balances.set(crypto, add(balances.get(crypto) ?? ZERO, amount));
  }

  function validateCallbackUrl(value: Json): PyFailure | null {
    if (!pyTruthy(value)) return null;
    const text = pyText(value);
    let url: URL | null = null;
    try {
      url = new URL(text);
    } catch {
      url = null;
    }
    if (!url || !url.host) return { exception: 'ValueError', message: `Invalid callback_url: ${text}` };
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { exception: 'ValueError', message: `Invalid callback_url scheme: ${text}` };
    }
    return null;
  }

  function duplicateExternalId(crypto: string, request: Json): PyFailure | null {
    const externalId = pyOptional(request, 'external_id');
    if (!pyTruthy(externalId)) return null;
    const text = pyText(externalId);
    if (!payouts.some((p) => p.crypto === crypto && p.externalId === text)) return null;
    return { exception: 'ValueError', message: `Payout with this external_id already exists: ${text}` };
  }

  function createTask(spec: CryptoSpec, items: readonly TaskItem[]): TaskRecord {
    const task: TaskRecord = {
      id: randomUUID(),
      backend: spec.backend,
      crypto: spec.name,
      items,
      status: 'PENDING',
      result: null,
    };
    tasks.set(taskKey(spec.backend, task.id), task);
    hooks.taskCreated(task);
    return task;
  }

  function recordPayout(spec: CryptoSpec, request: Json, taskId: string): Result<PayoutRecord, PyFailure> {
    const destination = pyOptional(request, 'destination') ?? pyOptional(request, 'dest');
    const callbackUrl = pyOptional(request, 'callback_url');
    const invalid = validateCallbackUrl(callbackUrl);
    if (invalid) return err(invalid);
    const amountValue = readKey(request, 'amount');
    if (!amountValue.ok) return amountValue;
    const amount = readDecimal(amountValue.value);
    if (!amount.ok) return amount;
    const externalId = pyOptional(request, 'external_id');
    const payout: PayoutRecord = {
      id: payouts.length + 1,
      crypto: spec.name,
      destination: pyText(destination),
      amount: quantize(stored(amount.value), PAYOUT_AMOUNT_SCALE),
      callbackUrl: pyTruthy(callbackUrl) ? pyText(callbackUrl) : null,
      externalId: pyTruthy(externalId) ? pyText(externalId) : null,
      taskId,
      createdAt: config.now(),
      status: 'IN_PROGRESS',
      txids: [],
      error: null,
    };
    payouts.push(payout);
    return ok(payout);
  }

  /** PayoutService.single_payout: duplicate check, callback_url check, then the wallet's task. */
  function payout(cryptoName: string, body: Json): Result<{ [key: string]: Json }, PyFailure> {
    const spec = config.cryptos.get(cryptoName);
    if (!spec) return err({ exception: 'ValueError', message: `Unknown crypto: ${cryptoName}` });
    const duplicate = duplicateExternalId(spec.name, body);
    if (duplicate) return err(duplicate);
    const invalid = validateCallbackUrl(pyOptional(body, 'callback_url'));
    if (invalid) return err(invalid);
    const destination = readKey(body, 'destination');
    if (!destination.ok) return destination;
    const amountValue = readKey(body, 'amount');
    if (!amountValue.ok) return amountValue;
    const amount = readDecimal(amountValue.value);
    if (!amount.ok) return amount;
    const fee = readKey(body, 'fee');
    if (!fee.ok) return fee;

    const task = createTask(spec, [{ dest: pyText(destination.value), amount: toPlain(amount.value) }]);
    const recorded = recordPayout(spec, body, task.id);
    if (!recorded.ok) return recorded;
    const response: { [key: string]: Json } = { task_id: task.id };
    const externalId = pyOptional(body, 'external_id');
    if (pyTruthy(externalId)) response['external_id'] = externalId;
    return ok(response);
  }

  /**
   * PayoutService.multiple_payout. SHKeeper starts the wallet's task for the whole list *before*
   * checking each external_id, so a duplicate gives HTTP 500 while the task still pays everyone.
   */
  function multipayout(cryptoName: string, body: Json): PayoutOutcome {
    if (!isArray(body)) {
      return { response: {}, failure: { exception: 'ValueError', message: 'Expected an array of payouts' } };
    }
    const list = body;
    const spec = config.cryptos.get(cryptoName);
    if (!spec) {
      return { response: {}, failure: { exception: 'ValueError', message: `Unknown crypto: ${cryptoName}` } };
    }
    const items = list.map((item) => ({
      dest: pyText(pyOptional(item, 'dest')),
      amount: amountText(pyOptional(item, 'amount')),
    }));
    const task = createTask(spec, items);
    for (const item of list) {
      const duplicate = duplicateExternalId(spec.name, item);
      if (duplicate) return { response: {}, failure: duplicate };
      const recorded = recordPayout(spec, item, task.id);
      if (!recorded.ok) return { response: {}, failure: recorded.error };
    }
    const externalIds = list.map((item) => pyOptional(item, 'external_id')).filter((id) => pyTruthy(id));
    return { response: { task_id: task.id, external_ids: externalIds }, failure: null };
  }

  function amountText(value: Json): string {
    const parsed = readDecimal(value);
    return parsed.ok ? toPlain(parsed.value) : pyText(value);
  }

  /**
   * The wallet finished a task. SUCCESS records each item's txids on its payouts (matched by
   * destination, case-insensitively) and, once confirmed, marks them SUCCESS; an item with
   * `status: "error"` leaves its payout IN_PROGRESS, as SHKeeper does. FAILURE fails every payout.
   */
  function completeTask(
    taskId: string,
    outcome: Readonly<{
      status: 'SUCCESS' | 'FAILURE';
      message?: string;
      failedDestinations?: readonly string[];
    }>,
  ): Result<TaskRecord, string> {
    const task = [...tasks.values()].find((t) => t.id === taskId);
    if (!task) return err(`no payout task ${taskId}`);
    if (task.status !== 'PENDING') return err(`payout task ${taskId} is already ${task.status}`);
    const spec = config.cryptos.get(task.crypto);
    if (!spec) return err(`${task.crypto} is not enabled`);
    const owned = payouts.filter((p) => p.taskId === task.id);

    if (outcome.status === 'FAILURE') {
      const message = outcome.message ?? insufficientFunds(task);
      task.status = 'FAILURE';
      task.result = message;
      for (const p of owned) {
        p.status = 'FAIL';
        p.error = message;
      }
      return ok(task);
    }

    const failed = new Set((outcome.failedDestinations ?? []).map((d) => d.toLowerCase()));
    const results: TaskItemResult[] = task.items.map((item) =>
      failed.has(item.dest.toLowerCase())
        ? {
            dest: item.dest,
            amount: item.amount,
            status: 'error',
            txids: [],
            message: outcome.message ?? 'Transaction failed',
          }
        : { dest: item.dest, amount: item.amount, status: 'success', txids: [newTxid(spec.format)] },
    );
    task.status = 'SUCCESS';
    task.result = results;
    for (const item of results) {
      if (item.status !== 'success') continue;
      const paid = readDecimal(item.amount);
      if (paid.ok) credit(task.crypto, { units: -paid.value.units, scale: paid.value.scale });
    }
    const byDest = new Map(results.map((r) => [r.dest.toLowerCase(), r]));
    for (const p of owned) {
      const r = byDest.get(p.destination.toLowerCase());
      if (!r) continue;
      for (const txid of r.txids) if (!p.txids.includes(txid)) p.txids.push(txid);
      if (p.txids.length > 0 && p.status === 'IN_PROGRESS') {
        p.status = 'SUCCESS';
        hooks.payoutSucceeded(p);
      }
    }
    return ok(task);
  }

  /** The wording SHKeeper's wallet uses when it cannot pay (see fixtures/task.status.failure.json). */
  function insufficientFunds(task: TaskRecord): string {
    const need = task.items.reduce((sum, item) => {
      const amount = readDecimal(item.amount);
      return amount.ok ? add(sum, amount.value) : sum;
    }, ZERO);
    const have = balances.get(task.crypto) ?? ZERO;
    return `Have not enough tokens on fee account, need ${toPlain(need)} have ${toPlain(have)}`;
  }

  function canPay(task: TaskRecord): boolean {
    const need = task.items.reduce((sum, item) => {
      const amount = readDecimal(item.amount);
      return amount.ok ? add(sum, amount.value) : sum;
    }, ZERO);
    return compare(balances.get(task.crypto) ?? ZERO, need) >= 0;
  }

  return {
    paymentRequest,
    quote,
    receive,
    confirm,
    payout,
    multipayout,
    completeTask,
    canPay,
    insufficientFunds,
    withoutFee,
    fund: (crypto: string, amount: Dec) => credit(crypto, amount),
    balance: (crypto: string): Dec => balances.get(crypto) ?? ZERO,
    rate: (crypto: string): Dec | undefined => config.rates.get(crypto),
    feePercent: config.feePercent,
    upper: config.upper,
    invoices: (): readonly InvoiceRecord[] => invoices,
    invoiceById: (id: number) => invoices.find((i) => i.id === id),
    /** The newest invoice with that external_id (there can be several, one per callback_url and fiat). */
    latestInvoice: (externalId: string) => invoices.findLast((i) => i.externalId === externalId),
    invoiceByAddress,
    transactions: (): readonly TransactionRecord[] => transactions,
    transactionsOf: (invoiceId: number) => transactions.filter((t) => t.invoiceId === invoiceId),
    transactionById: (id: number) => transactions.find((t) => t.id === id),
    payouts: (): readonly PayoutRecord[] => payouts,
    payoutById: (id: number) => payouts.find((p) => p.id === id),
    task: (backend: string, id: string) => tasks.get(taskKey(backend, id)),
    tasks: (): readonly TaskRecord[] => [...tasks.values()],
  };
}

function taskKey(backend: string, id: string): string {
  return `${backend}/${id}`;
}
