import { describe, expect, it } from 'vitest';
import { parseDestination, parseEvmAddress, parseTronAddress } from './addresses';

describe('payout destinations', () => {
  it('EVM: EIP-55 checksums are checked when the case is mixed (the EIP’s own examples)', () => {
    for (const good of [
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
      '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
      '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
    ]) {
      expect(parseEvmAddress(good)).toEqual({ ok: true, value: good });
      expect(parseEvmAddress(good.toLowerCase())).toEqual({ ok: true, value: good });
    }
    expect(parseEvmAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toMatchObject({ ok: false });
    expect(parseEvmAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA')).toMatchObject({ ok: false });
  });

  it('Tron: base58check with version 0x41', () => {
    expect(parseTronAddress('TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ')).toMatchObject({ ok: true });
    expect(parseTronAddress('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toMatchObject({ ok: true });
    expect(parseTronAddress('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6s')).toMatchObject({ ok: false });
    expect(parseTronAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toMatchObject({ ok: false });
  });

  it('follows the network', () => {
    expect(parseDestination('bsc', 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ')).toMatchObject({ ok: false });
    expect(parseDestination('tron', 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ')).toMatchObject({ ok: true });
    expect(parseDestination('stellar', 'G')).toMatchObject({ ok: false });
  });
});
