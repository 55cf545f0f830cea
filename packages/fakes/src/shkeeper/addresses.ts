import { createHash, randomBytes } from 'node:crypto';
import { keccak256 } from './keccak';

// Deposit addresses and transaction ids shaped like the chains SHKeeper's backends run on, so an
// adapter that validates them (EIP-55 checksum, Tron base58check) sees the real thing.

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** Tron mainnet address prefix: every address starts with `T`. */
const TRON_VERSION = 0x41;

export type AddressFormat = 'evm' | 'tron';

export function newAddress(format: AddressFormat): string {
  return format === 'evm' ? toChecksumAddress(randomBytes(20).toString('hex')) : tronAddress(randomBytes(20));
}

/** EVM hashes carry `0x`; Tron's are bare hex. Both are 32 bytes. */
export function newTxid(format: AddressFormat): string {
  const hex = randomBytes(32).toString('hex');
  return format === 'evm' ? `0x${hex}` : hex;
}

/** EIP-55: a hex digit is upper case when the matching nibble of keccak256(lower-case hex) is ≥ 8. */
export function toChecksumAddress(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`fake SHKeeper: not an EVM address: ${address}`);
  const hash = Buffer.from(keccak256(Buffer.from(lower, 'ascii'))).toString('hex');
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const char = lower[i] ?? '';
    out += parseInt(hash[i] ?? '0', 16) >= 8 ? char.toUpperCase() : char;
  }
  return out;
}

/** Base58check of 0x41 ‖ 20-byte account id, checksum = first 4 bytes of sha256(sha256(payload)). */
export function tronAddress(accountId: Uint8Array): string {
  if (accountId.length !== 20) throw new Error('fake SHKeeper: a Tron account id is 20 bytes');
  const payload = Buffer.concat([Buffer.from([TRON_VERSION]), accountId]);
  return base58(Buffer.concat([payload, checksum(payload)]));
}

export function isTronAddress(address: string): boolean {
  const bytes = unbase58(address);
  if (!bytes || bytes.length !== 25 || bytes[0] !== TRON_VERSION) return false;
  return checksum(bytes.subarray(0, 21)).equals(bytes.subarray(21));
}

function checksum(payload: Uint8Array): Buffer {
  const once = createHash('sha256').update(payload).digest();
  return createHash('sha256').update(once).digest().subarray(0, 4);
}

function base58(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = (BASE58[Number(value % 58n)] ?? '') + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function unbase58(text: string): Buffer | null {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) return null;
    value = value * 58n + BigInt(digit);
  }
  const hex = value.toString(16);
  const body = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  const zeros = /^1*/.exec(text)?.[0].length ?? 0;
  return Buffer.concat([Buffer.alloc(zeros), value === 0n ? Buffer.alloc(0) : body]);
}
