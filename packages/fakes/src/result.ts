// The fakes stand outside Kassa (they play the providers), so they depend on nothing of it, not
// even core: this is the same small Result shape, kept here on purpose.

/** An expected outcome: a value or a small, typed error. */
export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
