/** An expected outcome: a value or a small, typed error. Bugs throw instead. */
export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/** A broken invariant: a bug, never a user's mistake. */
export class InvariantError extends Error {
  override readonly name: string = 'InvariantError';
}

export function assertNever(value: never, what = 'value'): never {
  throw new InvariantError(`unhandled ${what}: ${JSON.stringify(value)}`);
}
