import type { AssetRef } from './assets';

// Result codes in Horizon's spelling (stellar/go services/horizon/internal/codes). Each operation
// kind has its own XDR result union, so each gets its own code union; result-xdr.ts maps them.

export type PaymentCode =
  | 'op_success'
  | 'op_malformed'
  | 'op_underfunded'
  | 'op_src_no_trust'
  | 'op_no_destination'
  | 'op_no_trust'
  | 'op_line_full';
export type CreateAccountCode =
  'op_success' | 'op_malformed' | 'op_underfunded' | 'op_low_reserve' | 'op_already_exists';
export type ChangeTrustCode =
  'op_success' | 'op_malformed' | 'op_no_issuer' | 'op_invalid_limit' | 'op_low_reserve';
export type PathReceiveCode = PaymentCode | 'op_over_source_max';
export type PathSendCode = PaymentCode | 'op_under_dest_min';
/** Codes of OperationResult itself, outside any operation's own union. */
export type GenericOperationCode = 'op_bad_auth' | 'op_no_source_account' | 'op_not_supported';

/** What a path payment's result reports as delivered. */
export type SimplePayment = Readonly<{ destination: string; asset: AssetRef; amount: bigint }>;

export type OperationResult =
  | Readonly<{ kind: 'payment'; code: PaymentCode }>
  | Readonly<{ kind: 'create_account'; code: CreateAccountCode }>
  | Readonly<{ kind: 'change_trust'; code: ChangeTrustCode }>
  | Readonly<{ kind: 'path_payment_strict_receive'; code: Exclude<PathReceiveCode, 'op_success'> }>
  | Readonly<{ kind: 'path_payment_strict_send'; code: Exclude<PathSendCode, 'op_success'> }>
  | Readonly<{
      kind: 'path_payment_strict_receive' | 'path_payment_strict_send';
      code: 'op_success';
      delivered: SimplePayment;
    }>
  | Readonly<{ kind: 'generic'; code: GenericOperationCode }>;

/** Transaction-level refusals: nothing is applied, no fee is taken, nothing is recorded. */
export type RejectCode =
  | 'tx_too_early'
  | 'tx_too_late'
  | 'tx_missing_operation'
  | 'tx_bad_seq'
  | 'tx_bad_auth'
  | 'tx_insufficient_balance'
  | 'tx_no_source_account'
  | 'tx_insufficient_fee'
  | 'tx_bad_auth_extra';

export type TransactionOutcome =
  | Readonly<{ code: 'tx_success' | 'tx_failed'; operations: readonly OperationResult[] }>
  | Readonly<{ code: RejectCode }>;

/** The result of an envelope: a plain transaction, or a fee bump wrapping an inner one. */
export type EnvelopeOutcome =
  | Readonly<{ type: 'plain'; outcome: TransactionOutcome }>
  | Readonly<{ type: 'fee_bump'; innerHash: string; inner: TransactionOutcome }>;

/** `extras.result_codes` of Horizon's transaction_failed problem. */
export type ResultCodes = Readonly<{
  transaction: string;
  inner_transaction?: string;
  operations?: readonly string[];
}>;

export function resultCodes(envelope: EnvelopeOutcome): ResultCodes {
  switch (envelope.type) {
    case 'plain':
      return {
        transaction: envelope.outcome.code,
        ...(operationCodes(envelope.outcome) ?? {}),
      };
    case 'fee_bump':
      return {
        transaction:
          envelope.inner.code === 'tx_success' ? 'tx_fee_bump_inner_success' : 'tx_fee_bump_inner_failed',
        inner_transaction: envelope.inner.code,
        ...(operationCodes(envelope.inner) ?? {}),
      };
    default: {
      const unexpected: never = envelope;
      return unexpected;
    }
  }
}

export function succeeded(envelope: EnvelopeOutcome): boolean {
  return (envelope.type === 'plain' ? envelope.outcome : envelope.inner).code === 'tx_success';
}

function operationCodes(outcome: TransactionOutcome): { operations: readonly string[] } | null {
  return 'operations' in outcome ? { operations: outcome.operations.map((op) => op.code) } : null;
}
