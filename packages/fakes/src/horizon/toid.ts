// Horizon's ids and paging tokens are TOIDs: ledger sequence in the top 32 bits, the transaction's
// 1-based order in the ledger in the next 20, the operation's 1-based index in the last 12. They
// outgrow JavaScript numbers from ledger 2^21 on, so they are bigint here and decimal strings on the
// wire.

const TRANSACTION_SHIFT = 12n;
const LEDGER_SHIFT = 32n;

export function toid(ledger: number, transactionOrder: number, operationIndex: number): bigint {
  return (
    (BigInt(ledger) << LEDGER_SHIFT) |
    (BigInt(transactionOrder) << TRANSACTION_SHIFT) |
    BigInt(operationIndex)
  );
}

export function ledgerOfToid(id: bigint): number {
  return Number(id >> LEDGER_SHIFT);
}

/** The largest id inside `ledger`: where `cursor=now` starts, so anything in a later ledger follows. */
export function afterLedger(ledger: number): bigint {
  return toid(ledger + 1, 0, 0) - 1n;
}
