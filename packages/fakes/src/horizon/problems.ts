import type { JsonObject } from './json';
import type { ResultCodes } from './result-codes';

// Horizon's problem+json bodies (stellar/go support/render/problem and Horizon's hProblem), with the
// texts Horizon sends. Clients branch on `type` and `status`; the texts are for humans.

export type Problem = Readonly<{ status: number; body: JsonObject }>;

function problem(name: string, title: string, status: number, detail: string, extras?: JsonObject): Problem {
  return {
    status,
    body: {
      type: `https://stellar.org/horizon-errors/${name}`,
      title,
      status,
      detail,
      ...(extras ? { extras } : {}),
    },
  };
}

export function notFound(): Problem {
  return problem(
    'not_found',
    'Resource Missing',
    404,
    'The resource at the url requested was not found.  This usually occurs for one of two reasons:  The url requested is not valid, or no data in our database could be found with the parameters provided.',
  );
}

export function beforeHistory(): Problem {
  return problem(
    'before_history',
    'Data Requested Is Before Recorded History',
    410,
    "This horizon instance is configured to only track a portion of the stellar network's latest history. This request is asking for results prior to the recorded history known to this horizon instance.",
  );
}

export function badRequest(invalidField: string, reason: string): Problem {
  return problem('bad_request', 'Bad Request', 400, 'The request you sent was invalid in some way.', {
    invalid_field: invalidField,
    reason,
  });
}

/** Friendbot's answer for an account that exists: bad_request with the reason as detail. */
export function alreadyFunded(): Problem {
  return problem('bad_request', 'Bad Request', 400, 'account already funded to starting balance');
}

export function notAcceptable(): Problem {
  return problem(
    'not_acceptable',
    'An acceptable response content-type could not be provided for this request',
    406,
    'The Accept header of your request did not match any of the supported media types: application/hal+json, application/json, text/event-stream (collections only).',
  );
}

export function unsupportedMediaType(): Problem {
  return problem(
    'unsupported_media_type',
    'Unsupported Media Type',
    415,
    'The request has an unsupported content type. Presently, the only supported content type is application/x-www-form-urlencoded.',
  );
}

export function transactionMalformed(envelopeXdr: string): Problem {
  return problem(
    'transaction_malformed',
    'Transaction Malformed',
    400,
    'Horizon could not decode the transaction envelope in this request. A transaction should be an XDR TransactionEnvelope struct encoded using base64.  The envelope read from this request is echoed in the `extras.envelope_xdr` field of this response for your convenience.',
    { envelope_xdr: envelopeXdr },
  );
}

export function transactionFailed(envelopeXdr: string, resultXdr: string, codes: ResultCodes): Problem {
  return problem(
    'transaction_failed',
    'Transaction Failed',
    400,
    'The transaction failed when submitted to the stellar network. The `extras.result_codes` field on this response contains further details.  Descriptions of each code can be found at: https://developers.stellar.org/api/errors/http-status-codes/horizon-specific/transaction-failed/',
    { envelope_xdr: envelopeXdr, result_xdr: resultXdr, result_codes: codes },
  );
}

export function serverError(): Problem {
  return problem(
    'server_error',
    'Internal Server Error',
    500,
    'An error occurred while processing this request.  This is usually due to a bug within the server software.  Trying this request again may succeed if the bug is transient, otherwise please report this issue to the issues tracker at: https://github.com/stellar/go/issues. Please include this response in your issue.',
  );
}
