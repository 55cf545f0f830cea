import {
  FeeBumpTransaction,
  Keypair,
  TransactionBuilder,
  type Transaction,
  type xdr,
} from '@stellar/stellar-sdk';
import { err, ok, type Result } from '../result';
import { BASE_FEE_STROOPS } from './amount';
import {
  availableBalance,
  closeLedger,
  latestLedger,
  type AccountEntry,
  type LedgerState,
  type MemoRecord,
  type OperationBody,
  type Party,
  type TransactionRecord,
} from './ledger';
import { applyOperation, describeOperation, successOf } from './operations';
import { partyOf } from './party';
import {
  resultCodes,
  succeeded,
  type EnvelopeOutcome,
  type OperationResult,
  type RejectCode,
  type ResultCodes,
  type TransactionOutcome,
} from './result-codes';
import { resultXdr } from './result-xdr';
import { toid } from './toid';

// POST /transactions as stellar-core and Horizon answer it. Refusals found while checking a
// transaction (bad sequence, bad signature, malformed operation…) leave no trace; a transaction that
// passes them goes into a ledger of its own, takes its fee and sequence number, and is recorded
// even if an operation then fails while applying (successful: false).

export type Submission =
  | Readonly<{ type: 'applied'; record: TransactionRecord }>
  /** The envelope (or the inner one of a recorded fee bump) was applied before: Horizon answers
   * with what it recorded then, under the hash that was submitted. */
  | Readonly<{ type: 'duplicate'; hash: string; record: TransactionRecord }>
  | Readonly<{ type: 'rejected'; resultXdr: string; resultCodes: ResultCodes }>
  | Readonly<{ type: 'malformed' }>;

export type SubmitContext = Readonly<{
  state: LedgerState;
  networkPassphrase: string;
  /** Close time of the ledger the transaction would go into. */
  closeTime: Date;
  /** For the fake's own issuers, whose secret keys it does not have. */
  skipSignatures?: boolean;
}>;

export function submitEnvelope(ctx: SubmitContext, envelopeXdr: string): Submission {
  let decoded: Transaction | FeeBumpTransaction;
  try {
    decoded = TransactionBuilder.fromXDR(envelopeXdr, ctx.networkPassphrase);
  } catch {
    return { type: 'malformed' };
  }
  const hash = hex(decoded.hash());
  const known = ctx.state.byHash.get(hash);
  if (known) return { type: 'duplicate', hash, record: known };
  return decoded instanceof FeeBumpTransaction
    ? submitFeeBump(ctx, decoded, hash, envelopeXdr)
    : submitPlain(ctx, decoded, hash, envelopeXdr);
}

function submitPlain(ctx: SubmitContext, tx: Transaction, hash: string, envelopeXdr: string): Submission {
  const operationCount = BigInt(tx.operations.length);
  const feeCharged = BASE_FEE_STROOPS * operationCount;
  const checker = signatureChecker(tx.hash(), tx.signatures, ctx.skipSignatures ?? false);
  const admitted = admit(ctx, tx, checker, BigInt(tx.fee));
  if (!admitted.ok) return rejected(feeCharged, { type: 'plain', outcome: admitted.error });
  return {
    type: 'applied',
    record: apply(ctx, {
      hash,
      envelopeXdr,
      tx,
      admitted: admitted.value,
      feeAccount: admitted.value.source,
      feeCharged,
      maxFee: BigInt(tx.fee),
      signatures: signaturesOf(tx),
      feeBump: null,
    }),
  };
}

function submitFeeBump(
  ctx: SubmitContext,
  bump: FeeBumpTransaction,
  hash: string,
  envelopeXdr: string,
): Submission {
  const inner = bump.innerTransaction;
  const innerHash = hex(inner.hash());
  const innerOperations = BigInt(inner.operations.length);
  const outerFee = BigInt(bump.fee);
  // A fee bump pays for its inner operations plus itself.
  const feeCharged = BASE_FEE_STROOPS * (innerOperations + 1n);
  const refuse = (code: RejectCode) => rejected(feeCharged, { type: 'plain', outcome: { code } });

  // Its fee rate must reach the network's and the inner transaction's own.
  if (outerFee < feeCharged || outerFee * innerOperations < BigInt(inner.fee) * (innerOperations + 1n)) {
    return refuse('tx_insufficient_fee');
  }
  const feeSource = partyOf(bump.feeSource);
  const feeAccount = feeSource ? ctx.state.accounts.get(feeSource.account) : undefined;
  if (!feeSource || !feeAccount) return refuse('tx_no_source_account');
  const outerChecker = signatureChecker(bump.hash(), bump.signatures, ctx.skipSignatures ?? false);
  if (!outerChecker.signedBy(feeSource.account)) return refuse('tx_bad_auth');
  if (availableBalance(feeAccount) < outerFee) return refuse('tx_insufficient_balance');

  const innerChecker = signatureChecker(inner.hash(), inner.signatures, ctx.skipSignatures ?? false);
  const admitted = admit(ctx, inner, innerChecker, null);
  if (!admitted.ok) return rejected(feeCharged, { type: 'fee_bump', innerHash, inner: admitted.error });
  if (!outerChecker.allUsed()) return refuse('tx_bad_auth_extra');

  return {
    type: 'applied',
    record: apply(ctx, {
      hash,
      envelopeXdr,
      tx: inner,
      admitted: admitted.value,
      feeAccount: feeSource,
      feeCharged,
      maxFee: outerFee,
      signatures: signaturesOf(bump),
      feeBump: { innerHash, innerMaxFee: BigInt(inner.fee), innerSignatures: signaturesOf(inner) },
    }),
  };
}

type AdmittedOperation = Readonly<{ source: Party; body: OperationBody }>;
type Admitted = Readonly<{
  source: Party;
  sourceAccount: AccountEntry;
  operations: readonly AdmittedOperation[];
}>;

/**
 * stellar-core's checks before a transaction may enter a ledger, in its order. `feeBid` is null for
 * the inner transaction of a fee bump, whose fee the bump pays.
 */
function admit(
  ctx: SubmitContext,
  tx: Transaction,
  checker: SignatureChecker,
  feeBid: bigint | null,
): Result<Admitted, TransactionOutcome> {
  const operationCount = BigInt(tx.operations.length);
  if (operationCount === 0n) return err({ code: 'tx_missing_operation' });
  const now = BigInt(Math.floor(ctx.closeTime.getTime() / 1000));
  const bounds = tx.timeBounds;
  if (bounds) {
    const minTime = BigInt(bounds.minTime);
    const maxTime = BigInt(bounds.maxTime);
    if (minTime > 0n && now < minTime) return err({ code: 'tx_too_early' });
    if (maxTime > 0n && now > maxTime) return err({ code: 'tx_too_late' });
  }
  if (feeBid !== null && feeBid < BASE_FEE_STROOPS * operationCount)
    return err({ code: 'tx_insufficient_fee' });
  const source = partyOf(tx.source);
  const sourceAccount = source ? ctx.state.accounts.get(source.account) : undefined;
  if (!source || !sourceAccount) return err({ code: 'tx_no_source_account' });
  if (BigInt(tx.sequence) !== sourceAccount.sequence + 1n) return err({ code: 'tx_bad_seq' });
  if (!checker.signedBy(source.account)) return err({ code: 'tx_bad_auth' });
  if (feeBid !== null && availableBalance(sourceAccount) < feeBid)
    return err({ code: 'tx_insufficient_balance' });

  const results: OperationResult[] = [];
  const operations: AdmittedOperation[] = [];
  for (const op of tx.operations) {
    const opSource = op.source === undefined ? source : partyOf(op.source);
    if (!opSource || !ctx.state.accounts.has(opSource.account)) {
      results.push({ kind: 'generic', code: 'op_no_source_account' });
      continue;
    }
    if (opSource.account !== source.account && !checker.signedBy(opSource.account)) {
      results.push({ kind: 'generic', code: 'op_bad_auth' });
      continue;
    }
    const body = describeOperation(op, opSource);
    if (!body.ok) {
      results.push(body.error);
      continue;
    }
    results.push(successOf(body.value));
    operations.push({ source: opSource, body: body.value });
  }
  if (operations.length < tx.operations.length) return err({ code: 'tx_failed', operations: results });
  if (!checker.allUsed()) return err({ code: 'tx_bad_auth_extra' });
  return ok({ source, sourceAccount, operations });
}

type Application = Readonly<{
  hash: string;
  envelopeXdr: string;
  tx: Transaction;
  admitted: Admitted;
  feeAccount: Party;
  feeCharged: bigint;
  maxFee: bigint;
  signatures: readonly string[];
  feeBump: TransactionRecord['feeBump'];
}>;

function apply(ctx: SubmitContext, application: Application): TransactionRecord {
  const { state } = ctx;
  const { admitted, tx } = application;
  const ledger = latestLedger(state) + 1;
  const closedAt = new Date(Math.floor(ctx.closeTime.getTime() / 1000) * 1000);

  // Fee and sequence number are taken whatever the operations do.
  const payer = state.accounts.get(application.feeAccount.account);
  if (!payer) throw new Error('fake Horizon: fee account vanished after admission');
  payer.balance -= application.feeCharged;
  payer.lastModifiedLedger = ledger;
  admitted.sourceAccount.sequence = BigInt(tx.sequence);
  admitted.sourceAccount.sequenceBumped = { ledger, time: BigInt(closedAt.getTime() / 1000) };
  admitted.sourceAccount.lastModifiedLedger = ledger;

  // Operations run on a copy that is kept only if every one of them succeeds.
  const working = structuredClone(state.accounts);
  const results = admitted.operations.map((op) => applyOperation({ accounts: working, ledger }, op.body));
  const outcome: TransactionOutcome = {
    code: results.every((r) => r.code === 'op_success') ? 'tx_success' : 'tx_failed',
    operations: results,
  };
  const envelope: EnvelopeOutcome = application.feeBump
    ? { type: 'fee_bump', innerHash: application.feeBump.innerHash, inner: outcome }
    : { type: 'plain', outcome };
  const successful = succeeded(envelope);
  if (successful) state.accounts = working;

  const record: TransactionRecord = {
    hash: application.hash,
    pagingToken: toid(ledger, 1, 0),
    ledger,
    closedAt,
    successful,
    source: admitted.source,
    sourceSequence: BigInt(tx.sequence),
    feeAccount: application.feeAccount,
    feeCharged: application.feeCharged,
    maxFee: application.maxFee,
    envelopeXdr: application.envelopeXdr,
    resultXdr: resultXdr(application.feeCharged, envelope),
    resultCodes: resultCodes(envelope),
    memo: memoOf(tx),
    signatures: application.signatures,
    feeBump: application.feeBump,
    timeBounds: tx.timeBounds
      ? { minTime: BigInt(tx.timeBounds.minTime), maxTime: BigInt(tx.timeBounds.maxTime) }
      : null,
    operations: admitted.operations.map((op, index) => ({
      id: toid(ledger, 1, index + 1),
      transactionHash: application.hash,
      ledger,
      closedAt,
      transactionSuccessful: successful,
      source: op.source,
      body: op.body,
    })),
  };
  closeLedger(state, closedAt, record);
  return record;
}

function rejected(feeCharged: bigint, envelope: EnvelopeOutcome): Submission {
  return {
    type: 'rejected',
    resultXdr: resultXdr(feeCharged, envelope),
    resultCodes: resultCodes(envelope),
  };
}

type SignatureChecker = Readonly<{
  /** Whether one of the signatures is the account's master key over the transaction hash. */
  signedBy(accountId: string): boolean;
  /** stellar-core refuses signatures nobody needed (tx_bad_auth_extra). */
  allUsed(): boolean;
}>;

function signatureChecker(
  hash: Uint8Array,
  signatures: readonly xdr.DecoratedSignature[],
  skip: boolean,
): SignatureChecker {
  const used = new Set<number>();
  return {
    signedBy(accountId) {
      if (skip) return true;
      const keypair = Keypair.fromPublicKey(accountId);
      const hint = keypair.signatureHint();
      let found = false;
      signatures.forEach((signature, index) => {
        if (
          sameBytes(signature.hint.toBytes(), hint) &&
          verifies(keypair, hash, signature.signature.toBytes())
        ) {
          used.add(index);
          found = true;
        }
      });
      return found;
    },
    allUsed: () => skip || used.size === signatures.length,
  };
}

function verifies(keypair: Keypair, hash: Uint8Array, signature: Uint8Array): boolean {
  try {
    return keypair.verify(hash, signature);
  } catch {
    return false;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function signaturesOf(tx: Transaction | FeeBumpTransaction): string[] {
  return tx.signatures.map((s) => Buffer.from(s.signature.toBytes()).toString('base64'));
}

function memoOf(tx: Transaction): MemoRecord {
  const { type, value } = tx.memo;
  switch (type) {
    case 'none':
      return { type: 'none' };
    case 'id':
      return { type: 'id', id: String(value) };
    case 'text':
      return { type: 'text', bytes: typeof value === 'string' ? Buffer.from(value, 'utf8') : toBytes(value) };
    case 'hash':
    case 'return':
      return { type, bytes: toBytes(value) };
    default: {
      const unexpected: never = type;
      return unexpected;
    }
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new Error('fake Horizon: memo value is not bytes');
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
