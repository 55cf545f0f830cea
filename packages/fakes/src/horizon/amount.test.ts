import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, MAX_INT64, parseAmount } from './amount';
import { afterLedger, ledgerOfToid, toid } from './toid';

describe('amounts', () => {
  it('round-trips every int64 stroop amount through Horizon’s 7-decimal string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_INT64 }), (stroops) => {
        const text = formatAmount(stroops);
        expect(text).toMatch(/^\d+\.\d{7}$/);
        expect(parseAmount(text)).toBe(stroops);
      }),
    );
  });

  it('reads what stellar-sdk and people write', () => {
    expect(parseAmount('25.5')).toBe(255_000_000n);
    expect(parseAmount('0.0000001')).toBe(1n);
    expect(parseAmount('922337203685.4775807')).toBe(MAX_INT64);
    for (const bad of ['', '-1', '1.', '.5', '1e3', '0.00000001', '922337203685.4775808', ' 1']) {
      expect(parseAmount(bad)).toBeNull();
    }
  });
});

describe('TOIDs', () => {
  it('puts the ledger in the top 32 bits and 1-based tx and op indexes below', () => {
    // From fixtures/stellar/transaction.usdc-text-memo.json: ledger 58213442, tx 5, op 1.
    expect(toid(58213442, 5, 1)).toBe(250024829577613313n);
    expect(ledgerOfToid(250024829577613312n)).toBe(58213442);
    expect(afterLedger(58213442) + 1n).toBe(toid(58213443, 0, 0));
  });
});
