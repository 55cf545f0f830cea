import type { ApiError, ApiResult } from './api';

const TESTNET_PASSPHRASE = 'Test SDF Network ; September 2015';
const PUBLIC_PASSPHRASE = 'Public Global Stellar Network ; September 2015';

/** Which Stellar network a passphrase names; null for any other (futurenet, a private one). */
export function stellarNetwork(passphrase: string): 'testnet' | 'public' | null {
  if (passphrase === TESTNET_PASSPHRASE) return 'testnet';
  return passphrase === PUBLIC_PASSPHRASE ? 'public' : null;
}

/** A transaction hash as pasted: 64 hex characters, surrounding spaces forgiven; null otherwise. */
export function readTxHash(input: string): string | null {
  const hash = input.trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}

/** A Stellar account's shape (G and 55 base32 characters); the API checks its checksum. */
export function readStellarAccount(input: string): string | null {
  const account = input.trim();
  return /^G[A-Z2-7]{55}$/.test(account) ? account : null;
}

/** A signed envelope is base64; anything else (empty, the unsigned one's label) is refused here. */
export function readXdr(input: string): string | null {
  const xdr = input.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(xdr) ? xdr : null;
}

/** `GA5Z…KZVN`: enough to recognise an account at a glance; the full one goes where it is read out. */
export function shortAccount(account: string): string {
  return account.length > 12 ? `${account.slice(0, 4)}…${account.slice(-4)}` : account;
}

/** One form's submit: what the payer typed was refused before any call, the call failed, or it worked. */
export type Step<T> = { type: 'invalid' } | { type: 'failed'; error: ApiError } | { type: 'done'; value: T };

/** Reads the input first, so a malformed value never reaches the API. */
export async function runStep<T>(
  input: string,
  read: (input: string) => string | null,
  call: (value: string) => Promise<ApiResult<T>>,
): Promise<Step<T>> {
  const value = read(input);
  if (value === null) return { type: 'invalid' };
  const result = await call(value);
  return result.ok ? { type: 'done', value: result.value } : { type: 'failed', error: result.error };
}
