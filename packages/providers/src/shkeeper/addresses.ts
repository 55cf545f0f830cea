import { createHash } from 'node:crypto';
import { err, ok, type Result } from '@kassa/core';
import { keccak_256 } from '@noble/hashes/sha3.js';

// Where a payout may go, checked before money moves (a typo in an address is money lost).

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * An EVM address: 0x and 40 hex digits. Mixed case must carry a valid EIP-55 checksum (it exists to
 * catch typos); all lower or all upper case carries none. Returns the checksummed form.
 */
export function parseEvmAddress(value: string): Result<string, string> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return err('An EVM address is 0x and 40 hexadecimal digits.');
  const body = value.slice(2);
  const checksummed = eip55(body.toLowerCase());
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && `0x${body}` !== checksummed)
    return err('The address has a wrong EIP-55 checksum: check for a typo.');
  return ok(checksummed);
}

function eip55(lowerHex: string): string {
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(lowerHex))).toString('hex');
  let out = '0x';
  for (let i = 0; i < lowerHex.length; i++) {
    const c = lowerHex.charAt(i);
    out += parseInt(hash.charAt(i), 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** A Tron address: base58check of 0x41 and 20 bytes, written T…, with its 4-byte double-SHA-256 checksum. */
export function parseTronAddress(value: string): Result<string, string> {
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(value))
    return err('A Tron address starts with T and has 34 characters.');
  let n = 0n;
  for (const c of value) n = n * 58n + BigInt(BASE58.indexOf(c));
  const bytes = Buffer.from(n.toString(16).padStart(50, '0'), 'hex');
  if (bytes.length !== 25 || bytes[0] !== 0x41) return err('Not a Tron address.');
  const payload = bytes.subarray(0, 21);
  const check = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  if (!check.subarray(0, 4).equals(bytes.subarray(21)))
    return err('The Tron address has a wrong checksum: check for a typo.');
  return ok(value);
}

/** A payout destination on the asset's network. */
export function parseDestination(network: string, value: string): Result<string, string> {
  if (network === 'ethereum' || network === 'bsc') return parseEvmAddress(value);
  if (network === 'tron') return parseTronAddress(value);
  return err(`No payouts on ${network}.`);
}
