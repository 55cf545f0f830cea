import { describeIssues, type InputIssue, type SchemaIssue } from '@kassa/core';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/** Stable, machine-readable error codes merchants can switch on. The human message may change. */
export type KassaErrorCode =
  | 'input_invalid'
  | 'amount_invalid'
  | 'asset_unknown'
  | 'line_items_invalid'
  | 'rail_unavailable'
  | 'provider_unavailable'
  | 'rail_not_allowed'
  | 'idempotency_conflict'
  | 'not_found'
  | 'unauthorized'
  | 'live_key_in_test_gateway'
  | 'checkout_not_cancelable'
  | 'sandbox_live_payment'
  | 'observation_rejected'
  | 'url_invalid'
  | 'rotation_in_progress'
  | 'rate_limited'
  | 'checkout_not_refundable'
  | 'payer_account_missing'
  | 'payer_no_trustline'
  | 'payer_underfunded'
  | 'transaction_invalid'
  | 'transaction_failed'
  | 'transaction_not_found'
  | 'transaction_not_for_checkout'
  | 'escrow_conflict'
  | 'destination_invalid'
  | 'insufficient_balance'
  | 'internal';

/** The one table from domain errors to tRPC (and so HTTP) codes. */
const TRPC_CODES: Readonly<Record<KassaErrorCode, TRPC_ERROR_CODE_KEY>> = {
  input_invalid: 'BAD_REQUEST',
  amount_invalid: 'BAD_REQUEST',
  asset_unknown: 'BAD_REQUEST',
  line_items_invalid: 'BAD_REQUEST',
  rail_unavailable: 'BAD_REQUEST',
  provider_unavailable: 'SERVICE_UNAVAILABLE',
  rail_not_allowed: 'BAD_REQUEST',
  idempotency_conflict: 'CONFLICT',
  not_found: 'NOT_FOUND',
  unauthorized: 'UNAUTHORIZED',
  live_key_in_test_gateway: 'FORBIDDEN',
  checkout_not_cancelable: 'PRECONDITION_FAILED',
  sandbox_live_payment: 'FORBIDDEN',
  observation_rejected: 'CONFLICT',
  url_invalid: 'BAD_REQUEST',
  rotation_in_progress: 'CONFLICT',
  rate_limited: 'TOO_MANY_REQUESTS',
  checkout_not_refundable: 'PRECONDITION_FAILED',
  payer_account_missing: 'PRECONDITION_FAILED',
  payer_no_trustline: 'PRECONDITION_FAILED',
  payer_underfunded: 'PRECONDITION_FAILED',
  transaction_invalid: 'BAD_REQUEST',
  transaction_failed: 'UNPROCESSABLE_CONTENT',
  transaction_not_found: 'NOT_FOUND',
  transaction_not_for_checkout: 'CONFLICT',
  escrow_conflict: 'CONFLICT',
  destination_invalid: 'BAD_REQUEST',
  insufficient_balance: 'PRECONDITION_FAILED',
  internal: 'INTERNAL_SERVER_ERROR',
};

export type KassaError = Readonly<{ code: KassaErrorCode; message: string }>;

export class KassaTrpcError extends TRPCError {
  readonly kassaCode: KassaErrorCode;
  constructor(error: KassaError, cause?: unknown) {
    super({ code: TRPC_CODES[error.code], message: error.message, cause });
    this.kassaCode = error.code;
  }
}

export function toTrpcError(error: KassaError): KassaTrpcError {
  return new KassaTrpcError(error);
}

/** The kassa code for any error tRPC is about to send. */
export function kassaCodeOf(error: TRPCError): KassaErrorCode {
  if (error instanceof KassaTrpcError) return error.kassaCode;
  switch (error.code) {
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
    case 'UNPROCESSABLE_CONTENT':
    case 'PAYLOAD_TOO_LARGE':
    case 'METHOD_NOT_SUPPORTED':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'input_invalid';
    case 'NOT_FOUND':
      return 'not_found';
    case 'UNAUTHORIZED':
      return 'unauthorized';
    case 'TOO_MANY_REQUESTS':
      return 'rate_limited';
    default:
      return 'internal';
  }
}

/**
 * The sentence (and, for a schema's findings, the issue list) of an `input_invalid` answer: never
 * zod's issue list as JSON in the message. Null when the error already carries its own sentence.
 */
export function describeInvalidInput(
  error: TRPCError,
  input: unknown,
  procedure: string | undefined,
): Readonly<{ message: string; issues?: readonly InputIssue[] }> | null {
  if (error instanceof KassaTrpcError) return null;
  const issues = schemaIssuesOf(error.cause);
  if (issues) return describeIssues(issues, input);
  if (error.cause instanceof SyntaxError) {
    return { message: `the input is not valid JSON (${error.cause.message})` };
  }
  switch (error.code) {
    case 'METHOD_NOT_SUPPORTED': {
      // tRPC: `Unsupported GET-request to mutation procedure at path "checkouts.create"`.
      const kind = /to (query|mutation|subscription) procedure/.exec(error.message)?.[1];
      if (!kind || !procedure) return null;
      return { message: `${procedure} is a ${kind}: call it with ${kind === 'mutation' ? 'POST' : 'GET'}` };
    }
    case 'PARSE_ERROR':
      return { message: 'the input is not valid JSON' };
    case 'PAYLOAD_TOO_LARGE':
      return { message: 'the request body is too large' };
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { message: 'send the input as JSON (content-type: application/json)' };
    default:
      return null;
  }
}

function schemaIssuesOf(cause: unknown): readonly SchemaIssue[] | null {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause)) return null;
  const { issues } = cause;
  return Array.isArray(issues) && issues.every(isSchemaIssue) ? issues : null;
}

function isSchemaIssue(value: unknown): value is SchemaIssue {
  return (
    typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string'
  );
}
