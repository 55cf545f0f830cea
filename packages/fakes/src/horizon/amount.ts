// Stellar amounts are signed 64-bit integers of stroops; Horizon renders them with exactly seven
// decimals ("25.5000000"). The fake keeps bigint stroops and converts only at the edges.

export const STROOPS_PER_UNIT = 10_000_000n;
export const MAX_INT64 = 9_223_372_036_854_775_807n;
/** The base reserve every subentry and the account itself lock up: 0.5 XLM. */
export const BASE_RESERVE_STROOPS = 5_000_000n;
/** Network base fee per operation, in stroops. */
export const BASE_FEE_STROOPS = 100n;

/** `"25.5"` → 255000000n; null for anything that is not a non-negative amount of at most 7 decimals. */
export function parseAmount(text: string): bigint | null {
  const match = /^(\d{1,12})(?:\.(\d{1,7}))?$/.exec(text);
  if (!match) return null;
  const units = BigInt(match[1] ?? '0');
  const fraction = BigInt((match[2] ?? '').padEnd(7, '0'));
  const stroops = units * STROOPS_PER_UNIT + fraction;
  return stroops > MAX_INT64 ? null : stroops;
}

/** 255000000n → `"25.5000000"`. */
export function formatAmount(stroops: bigint): string {
  const sign = stroops < 0n ? '-' : '';
  const magnitude = stroops < 0n ? -stroops : stroops;
  const units = magnitude / STROOPS_PER_UNIT;
  const fraction = (magnitude % STROOPS_PER_UNIT).toString().padStart(7, '0');
  return `${sign}${units}.${fraction}`;
}

/** What an account must keep: (2 + subentries) × base reserve. */
export function minimumBalance(subentries: number): bigint {
  return (2n + BigInt(subentries)) * BASE_RESERVE_STROOPS;
}
