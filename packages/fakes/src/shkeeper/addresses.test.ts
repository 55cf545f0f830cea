import { describe, expect, it } from 'vitest';
import { isTronAddress, newAddress, newTxid, toChecksumAddress } from './addresses';
import { keccak256 } from './keccak';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('chain-shaped identifiers', () => {
  it('hashes with Keccak-256 as Ethereum does', () => {
    expect(hex(keccak256(new Uint8Array()))).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
    expect(hex(keccak256(Buffer.from('abc')))).toBe(
      '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    );
    // Longer than one 136-byte block, and exactly one block (padding in a block of its own).
    expect(hex(keccak256(Buffer.alloc(200, 0x61)))).toBe(
      '96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d',
    );
    expect(hex(keccak256(Buffer.alloc(136, 0x62)))).toBe(
      '121b76d0b19f3c2c7632310b92c54cddd59d16a6b5aafe84696426f10e5733bf',
    );
  });

  it.each([
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ])('checksums %s as EIP-55 does', (address) => {
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
  });

  it('makes Tron addresses that pass base58check, like the fixtures', () => {
    expect(isTronAddress('TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ')).toBe(true);
    expect(isTronAddress('TYtD9md7cHuB4P6kDd362jhcUGP7cJybF7')).toBe(true);
    expect(isTronAddress('TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGY')).toBe(false);
    for (let i = 0; i < 20; i++) {
      const address = newAddress('tron');
      expect(address).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/);
      expect(isTronAddress(address)).toBe(true);
    }
  });

  it('makes EVM addresses with a valid checksum and txids per chain', () => {
    const address = newAddress('evm');
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(toChecksumAddress(address)).toBe(address);
    expect(newTxid('evm')).toMatch(/^0x[0-9a-f]{64}$/);
    expect(newTxid('tron')).toMatch(/^[0-9a-f]{64}$/);
  });
});
