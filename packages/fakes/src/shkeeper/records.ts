import type { Dec } from './decimal';

// The fake's rows, mirroring SHKeeper's tables (Invoice, InvoiceAddress, Transaction, Payout,
// PayoutTx) plus the wallet backend's payout tasks. Amounts are as the database gives them back.

/** Only the first four are ever set by SHKeeper's payment flow. */
export type InvoiceStatus = 'UNPAID' | 'PARTIAL' | 'PAID' | 'OVERPAID';

export type InvoiceRecord = {
  readonly id: number;
  readonly externalId: string;
  readonly callbackUrl: string;
  readonly fiat: string;
  /** The crypto of the latest payment_request; `addr` is its address. */
  crypto: string;
  addr: string;
  /** Every address the invoice was ever given, one per crypto. All stay credited. */
  readonly addresses: { readonly crypto: string; readonly addr: string }[];
  amountFiat: Dec;
  amountCrypto: Dec;
  exchangeRate: Dec;
  balanceFiat: Dec;
  /** Only transactions in the invoice's current crypto. */
  balanceCrypto: Dec;
  status: InvoiceStatus;
};

export type TransactionRecord = {
  readonly id: number;
  readonly invoiceId: number;
  readonly txid: string;
  readonly crypto: string;
  readonly addr: string;
  readonly amountCrypto: Dec;
  readonly amountFiat: Dec;
  readonly createdAt: Date;
  /** Has the wallet's required confirmations: only then is a callback sent. */
  confirmed: boolean;
  /** A callback for it got 202. */
  acknowledged: boolean;
};

export type PayoutStatus = 'IN_PROGRESS' | 'SUCCESS' | 'FAIL';

export type PayoutRecord = {
  readonly id: number;
  readonly crypto: string;
  readonly destination: string;
  readonly amount: Dec;
  readonly callbackUrl: string | null;
  readonly externalId: string | null;
  readonly taskId: string;
  readonly createdAt: Date;
  status: PayoutStatus;
  txids: string[];
  /** FAILURE's message, as SHKeeper keeps it in `Payout.error`. */
  error: string | null;
};

export type TaskItem = Readonly<{ dest: string; amount: string }>;

export type TaskItemResult = Readonly<{
  dest: string;
  amount: string;
  status: 'success' | 'error';
  txids: readonly string[];
  message?: string;
}>;

/** A Celery task in the wallet backend: PENDING, then SUCCESS with per-item results or FAILURE with a message. */
export type TaskRecord = {
  readonly id: string;
  readonly backend: string;
  readonly crypto: string;
  readonly items: readonly TaskItem[];
  status: 'PENDING' | 'SUCCESS' | 'FAILURE';
  result: readonly TaskItemResult[] | string | null;
};
