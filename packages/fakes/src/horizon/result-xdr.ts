import { Keypair, xdr } from '@stellar/stellar-sdk';
import { toSdkAsset } from './assets';
import type {
  EnvelopeOutcome,
  OperationResult,
  PathReceiveCode,
  PathSendCode,
  SimplePayment,
  TransactionOutcome,
} from './result-codes';

// `result_xdr` as stellar-core writes it. stellar-sdk decodes it after every submission (and on
// TransactionFailedError.getTransactionResult), so it must be real XDR, not a placeholder.

export function resultXdr(feeCharged: bigint, envelope: EnvelopeOutcome): string {
  const result =
    envelope.type === 'plain'
      ? outerResult(envelope.outcome)
      : feeBumpResult(envelope.innerHash, envelope.inner);
  return new xdr.TransactionResult({ feeCharged, result, ext: xdr.TransactionResultExt.v0() }).toXdr(
    'base64',
  );
}

function outerResult(outcome: TransactionOutcome): xdr.TransactionResultResult {
  const R = xdr.TransactionResultResult;
  switch (outcome.code) {
    case 'tx_success':
      return R.txSuccess(outcome.operations.map(operationResult));
    case 'tx_failed':
      return R.txFailed(outcome.operations.map(operationResult));
    case 'tx_too_early':
      return R.txTooEarly();
    case 'tx_too_late':
      return R.txTooLate();
    case 'tx_missing_operation':
      return R.txMissingOperation();
    case 'tx_bad_seq':
      return R.txBadSeq();
    case 'tx_bad_auth':
      return R.txBadAuth();
    case 'tx_insufficient_balance':
      return R.txInsufficientBalance();
    case 'tx_no_source_account':
      return R.txNoAccount();
    case 'tx_insufficient_fee':
      return R.txInsufficientFee();
    case 'tx_bad_auth_extra':
      return R.txBadAuthExtra();
    default: {
      const unexpected: never = outcome;
      return unexpected;
    }
  }
}

function feeBumpResult(innerHash: string, inner: TransactionOutcome): xdr.TransactionResultResult {
  // The inner result's fee is 0: the fee source of the bump paid, and that is the outer fee.
  const pair = new xdr.InnerTransactionResultPair({
    transactionHash: innerHash,
    result: new xdr.InnerTransactionResult({
      feeCharged: 0n,
      result: innerResult(inner),
      ext: xdr.InnerTransactionResultExt.v0(),
    }),
  });
  return inner.code === 'tx_success'
    ? xdr.TransactionResultResult.txFeeBumpInnerSuccess(pair)
    : xdr.TransactionResultResult.txFeeBumpInnerFailed(pair);
}

function innerResult(outcome: TransactionOutcome): xdr.InnerTransactionResultResult {
  const R = xdr.InnerTransactionResultResult;
  switch (outcome.code) {
    case 'tx_success':
      return R.txSuccess(outcome.operations.map(operationResult));
    case 'tx_failed':
      return R.txFailed(outcome.operations.map(operationResult));
    case 'tx_too_early':
      return R.txTooEarly();
    case 'tx_too_late':
      return R.txTooLate();
    case 'tx_missing_operation':
      return R.txMissingOperation();
    case 'tx_bad_seq':
      return R.txBadSeq();
    case 'tx_bad_auth':
      return R.txBadAuth();
    case 'tx_insufficient_balance':
      return R.txInsufficientBalance();
    case 'tx_no_source_account':
      return R.txNoAccount();
    case 'tx_insufficient_fee':
      return R.txInsufficientFee();
    case 'tx_bad_auth_extra':
      return R.txBadAuthExtra();
    default: {
      const unexpected: never = outcome;
      return unexpected;
    }
  }
}

function operationResult(result: OperationResult): xdr.OperationResult {
  const inner = (tr: xdr.OperationResultTr) => xdr.OperationResult.opInner(tr);
  const Tr = xdr.OperationResultTr;
  switch (result.kind) {
    case 'generic':
      return genericResult(result.code);
    case 'payment':
      return inner(Tr.payment(paymentResult(result.code)));
    case 'create_account':
      return inner(Tr.createAccount(createAccountResult(result.code)));
    case 'change_trust':
      return inner(Tr.changeTrust(changeTrustResult(result.code)));
    case 'path_payment_strict_receive':
      return inner(
        Tr.pathPaymentStrictReceive(
          result.code === 'op_success'
            ? xdr.PathPaymentStrictReceiveResult.pathPaymentStrictReceiveSuccess(
                new xdr.PathPaymentStrictReceiveResultSuccess({
                  offers: [],
                  last: simplePayment(result.delivered),
                }),
              )
            : strictReceiveFailure(result.code),
        ),
      );
    case 'path_payment_strict_send':
      return inner(
        Tr.pathPaymentStrictSend(
          result.code === 'op_success'
            ? xdr.PathPaymentStrictSendResult.pathPaymentStrictSendSuccess(
                new xdr.PathPaymentStrictSendResultSuccess({
                  offers: [],
                  last: simplePayment(result.delivered),
                }),
              )
            : strictSendFailure(result.code),
        ),
      );
    default: {
      const unexpected: never = result;
      return unexpected;
    }
  }
}

function genericResult(code: Extract<OperationResult, { kind: 'generic' }>['code']): xdr.OperationResult {
  switch (code) {
    case 'op_bad_auth':
      return xdr.OperationResult.opBadAuth();
    case 'op_no_source_account':
      return xdr.OperationResult.opNoAccount();
    case 'op_not_supported':
      return xdr.OperationResult.opNotSupported();
    default: {
      const unexpected: never = code;
      return unexpected;
    }
  }
}

function paymentResult(code: Extract<OperationResult, { kind: 'payment' }>['code']): xdr.PaymentResult {
  const R = xdr.PaymentResult;
  switch (code) {
    case 'op_success':
      return R.paymentSuccess();
    case 'op_malformed':
      return R.paymentMalformed();
    case 'op_underfunded':
      return R.paymentUnderfunded();
    case 'op_src_no_trust':
      return R.paymentSrcNoTrust();
    case 'op_no_destination':
      return R.paymentNoDestination();
    case 'op_no_trust':
      return R.paymentNoTrust();
    case 'op_line_full':
      return R.paymentLineFull();
    default: {
      const unexpected: never = code;
      return unexpected;
    }
  }
}

function createAccountResult(
  code: Extract<OperationResult, { kind: 'create_account' }>['code'],
): xdr.CreateAccountResult {
  const R = xdr.CreateAccountResult;
  switch (code) {
    case 'op_success':
      return R.createAccountSuccess();
    case 'op_malformed':
      return R.createAccountMalformed();
    case 'op_underfunded':
      return R.createAccountUnderfunded();
    case 'op_low_reserve':
      return R.createAccountLowReserve();
    case 'op_already_exists':
      return R.createAccountAlreadyExist();
    default: {
      const unexpected: never = code;
      return unexpected;
    }
  }
}

function changeTrustResult(
  code: Extract<OperationResult, { kind: 'change_trust' }>['code'],
): xdr.ChangeTrustResult {
  const R = xdr.ChangeTrustResult;
  switch (code) {
    case 'op_success':
      return R.changeTrustSuccess();
    case 'op_malformed':
      return R.changeTrustMalformed();
    case 'op_no_issuer':
      return R.changeTrustNoIssuer();
    case 'op_invalid_limit':
      return R.changeTrustInvalidLimit();
    case 'op_low_reserve':
      return R.changeTrustLowReserve();
    default: {
      const unexpected: never = code;
      return unexpected;
    }
  }
}

function strictReceiveFailure(
  code: Exclude<PathReceiveCode, 'op_success'>,
): xdr.PathPaymentStrictReceiveResult {
  const R = xdr.PathPaymentStrictReceiveResult;
  switch (code) {
    case 'op_malformed':
      return R.pathPaymentStrictReceiveMalformed();
    case 'op_underfunded':
      return R.pathPaymentStrictReceiveUnderfunded();
    case 'op_src_no_trust':
      return R.pathPaymentStrictReceiveSrcNoTrust();
    case 'op_no_destination':
      return R.pathPaymentStrictReceiveNoDestination();
    case 'op_no_trust':
      return R.pathPaymentStrictReceiveNoTrust();
    case 'op_line_full':
      return R.pathPaymentStrictReceiveLineFull();
    case 'op_over_source_max':
      return R.pathPaymentStrictReceiveOverSendmax();
    default: {
      const unexpected: never = code;
      return unexpected;
    }
  }
}

function strictSendFailure(code: Exclude<PathSendCode, 'op_success'>): xdr.PathPaymentStrictSendResult {
  const R = xdr.PathPaymentStrictSendResult;
  switch (code) {
    case 'op_malformed':
      return R.pathPaymentStrictSendMalformed();
    case 'op_underfunded':
      return R.pathPaymentStrictSendUnderfunded();
    case 'op_src_no_trust':
      return R.pathPaymentStrictSendSrcNoTrust();
    case 'op_no_destination':
      return R.pathPaymentStrictSendNoDestination();
    case 'op_no_trust':
      return R.pathPaymentStrictSendNoTrust();
    case 'op_line_full':
      return R.pathPaymentStrictSendLineFull();
    case 'op_under_dest_min':
      return R.pathPaymentStrictSendUnderDestmin();
    default: {
      const unexpected: never = code;
      return unexpected;
    }
  }
}

function simplePayment(delivered: SimplePayment): xdr.SimplePaymentResult {
  return new xdr.SimplePaymentResult({
    destination: Keypair.fromPublicKey(delivered.destination).xdrPublicKey(),
    asset: toSdkAsset(delivered.asset).toXdrObject(),
    amount: delivered.amount,
  });
}
