import { createHash } from 'node:crypto';
import { minimumBalance } from './amount';
import type { AssetRef, CreditAsset } from './assets';
import type { ResultCodes } from './result-codes';
import { toid } from './toid';

// The simulated network: account state plus the history Horizon serves. Every applied transaction
// closes a ledger of its own, so its paging token is toid(ledger, 1, 0) and its operations follow.

export type Trustline = {
  readonly asset: CreditAsset;
  balance: bigint;
  limit: bigint;
  lastModifiedLedger: number;
};

export type AccountEntry = {
  readonly id: string;
  /** XLM, in stroops. */
  balance: bigint;
  sequence: bigint;
  subentries: number;
  readonly trustlines: Map<string, Trustline>;
  lastModifiedLedger: number;
  /** Ledger and close time (unix seconds) of the last sequence bump; Horizon omits them before. */
  sequenceBumped: { ledger: number; time: bigint } | null;
};

export type LedgerHeader = Readonly<{
  sequence: number;
  closedAt: Date;
  hash: string;
  prevHash: string;
  successfulTransactionCount: number;
  failedTransactionCount: number;
  operationCount: number;
}>;

export type Muxed = Readonly<{ address: string; id: string }>;
/** An account as a transaction names it: the G… account, and the M… address if it used one. */
export type Party = Readonly<{ account: string; muxed: Muxed | null }>;

export type OperationBody =
  | Readonly<{ type: 'create_account'; funder: Party; account: string; startingBalance: bigint }>
  | Readonly<{ type: 'payment'; from: Party; to: Party; asset: AssetRef; amount: bigint }>
  | Readonly<{
      type: 'path_payment_strict_receive';
      from: Party;
      to: Party;
      /** What the destination received. */
      asset: AssetRef;
      amount: bigint;
      /** What the payer spent. */
      sourceAsset: AssetRef;
      sourceAmount: bigint;
      sourceMax: bigint;
      path: readonly AssetRef[];
    }>
  | Readonly<{
      type: 'path_payment_strict_send';
      from: Party;
      to: Party;
      asset: AssetRef;
      amount: bigint;
      sourceAsset: AssetRef;
      sourceAmount: bigint;
      destinationMin: bigint;
      path: readonly AssetRef[];
    }>
  | Readonly<{ type: 'change_trust'; trustor: Party; asset: CreditAsset; limit: bigint }>;

export type OperationRecord = Readonly<{
  id: bigint;
  /** The outer hash for a fee bump, as Horizon links operations. */
  transactionHash: string;
  ledger: number;
  closedAt: Date;
  transactionSuccessful: boolean;
  source: Party;
  body: OperationBody;
}>;

export type MemoRecord =
  | Readonly<{ type: 'none' }>
  | Readonly<{ type: 'text'; bytes: Uint8Array }>
  | Readonly<{ type: 'id'; id: string }>
  | Readonly<{ type: 'hash' | 'return'; bytes: Uint8Array }>;

export type FeeBumpRecord = Readonly<{
  innerHash: string;
  innerMaxFee: bigint;
  innerSignatures: readonly string[];
}>;

export type TransactionRecord = Readonly<{
  /** The hash of the envelope as submitted: the outer one for a fee bump. */
  hash: string;
  pagingToken: bigint;
  ledger: number;
  closedAt: Date;
  successful: boolean;
  source: Party;
  sourceSequence: bigint;
  feeAccount: Party;
  feeCharged: bigint;
  maxFee: bigint;
  envelopeXdr: string;
  resultXdr: string;
  /** Kept so a resubmitted failed envelope gets the same answer. */
  resultCodes: ResultCodes;
  memo: MemoRecord;
  /** base64, of the outer envelope for a fee bump. */
  signatures: readonly string[];
  feeBump: FeeBumpRecord | null;
  timeBounds: Readonly<{ minTime: bigint; maxTime: bigint }> | null;
  operations: readonly OperationRecord[];
}>;

export type LedgerState = {
  accounts: Map<string, AccountEntry>;
  readonly headers: LedgerHeader[];
  /** Ascending by paging token, as they were applied. */
  readonly transactions: TransactionRecord[];
  readonly operations: OperationRecord[];
  /** Outer and inner hashes both lead to the record, as on Horizon. */
  readonly byHash: Map<string, TransactionRecord>;
  /** Oldest ledger still served; older history answers 404 or 410. */
  elderLedger: number;
};

export type GenesisAccount = Readonly<{ id: string; balance: bigint }>;

export function createLedgerState(
  genesisLedger: number,
  closedAt: Date,
  accounts: readonly GenesisAccount[],
): LedgerState {
  const state: LedgerState = {
    accounts: new Map(),
    headers: [],
    transactions: [],
    operations: [],
    byHash: new Map(),
    elderLedger: genesisLedger,
  };
  state.headers.push(header(genesisLedger, closedAt, '0'.repeat(64), null));
  for (const account of accounts)
    state.accounts.set(account.id, newAccount(account.id, account.balance, genesisLedger));
  return state;
}

/** A fresh account as create_account leaves it: sequence = ledger << 32, no subentries. */
export function newAccount(id: string, balance: bigint, ledger: number): AccountEntry {
  return {
    id,
    balance,
    sequence: toid(ledger, 0, 0),
    subentries: 0,
    trustlines: new Map(),
    lastModifiedLedger: ledger,
    sequenceBumped: null,
  };
}

export function latestHeader(state: LedgerState): LedgerHeader {
  const latest = state.headers[state.headers.length - 1];
  if (!latest) throw new Error('fake Horizon: ledger has no genesis');
  return latest;
}

export function latestLedger(state: LedgerState): number {
  return latestHeader(state).sequence;
}

export function ledgerHeader(state: LedgerState, sequence: number): LedgerHeader | undefined {
  const first = state.headers[0];
  return first ? state.headers[sequence - first.sequence] : undefined;
}

/** Closes the next ledger, holding `transaction` or nothing. */
export function closeLedger(
  state: LedgerState,
  closedAt: Date,
  transaction: TransactionRecord | null,
): LedgerHeader {
  const previous = latestHeader(state);
  const closed = header(previous.sequence + 1, closedAt, previous.hash, transaction);
  state.headers.push(closed);
  if (transaction) {
    state.transactions.push(transaction);
    state.operations.push(...transaction.operations);
    state.byHash.set(transaction.hash, transaction);
    if (transaction.feeBump) state.byHash.set(transaction.feeBump.innerHash, transaction);
  }
  return closed;
}

export function availableBalance(account: AccountEntry): bigint {
  return account.balance - minimumBalance(account.subentries);
}

/** Every account an operation touches: Horizon's "participants", which decide /accounts/{id}/…. */
export function participants(operation: OperationRecord): readonly string[] {
  const body = operation.body;
  switch (body.type) {
    case 'create_account':
      return [operation.source.account, body.account];
    case 'payment':
    case 'path_payment_strict_receive':
    case 'path_payment_strict_send':
      return [operation.source.account, body.from.account, body.to.account];
    case 'change_trust':
      return [operation.source.account];
    default: {
      const unexpected: never = body;
      return unexpected;
    }
  }
}

function header(
  sequence: number,
  closedAt: Date,
  prevHash: string,
  transaction: TransactionRecord | null,
): LedgerHeader {
  const hash = createHash('sha256').update(`kassa-fake-horizon:${sequence}:${prevHash}`).digest('hex');
  return {
    sequence,
    closedAt,
    hash,
    prevHash,
    successfulTransactionCount: transaction?.successful ? 1 : 0,
    failedTransactionCount: transaction && !transaction.successful ? 1 : 0,
    operationCount: transaction?.operations.length ?? 0,
  };
}
