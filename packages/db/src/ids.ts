import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz';
// Bytes at or above this bound are skipped so every letter is equally likely.
const BOUND = 256 - (256 % ALPHABET.length);

/** A random, prefixed id (`pay_…`): 22 letters of a 54-letter alphabet, about 126 bits. */
export function newId(prefix: string, length = 22): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < BOUND && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return prefix + out;
}
