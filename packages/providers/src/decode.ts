import { err, type Result } from '@kassa/core';
import type { DecodeError } from './rail';

// What every rail's event decoder answers when an event cannot become observations.

/** Not the provider's shape: kept in the inbox with the reason; a retry cannot help. */
export function malformed(message: string): Result<never, DecodeError> {
  return err({ code: 'event_malformed', message });
}

/** Real money that names no payment: kept in the inbox for the operator, never dropped. */
export function unattributed(message: string): Result<never, DecodeError> {
  return err({ code: 'unattributed', message: `unattributed: ${message}` });
}

export const NOT_JSON = Symbol('not JSON');

/** The parsed body, or NOT_JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}
