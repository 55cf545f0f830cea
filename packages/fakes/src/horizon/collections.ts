import type { JsonObject } from './json';
import type { LedgerState, OperationRecord, TransactionRecord } from './ledger';
import { isPaymentLike, operationJson, transactionJson } from './records';

// The listable resources (/payments, /operations, /transactions, each also under /accounts/{id}
// and /transactions/{hash}), as records with their paging tokens, oldest first.

export type Collection =
  | Readonly<{ kind: 'operations'; paymentsOnly: boolean; matches(op: OperationRecord): boolean }>
  | Readonly<{ kind: 'transactions'; matches(tx: TransactionRecord): boolean }>;

export type Item = Readonly<{ token: bigint; json(base: string, joinTransactions: boolean): JsonObject }>;

/** Retained records of `collection`; failed transactions only when asked, as Horizon does. */
export function itemsOf(state: LedgerState, collection: Collection, includeFailed: boolean): Item[] {
  const retained = (ledger: number) => ledger >= state.elderLedger;
  switch (collection.kind) {
    case 'operations':
      return state.operations
        .filter(
          (op) =>
            retained(op.ledger) &&
            (includeFailed || op.transactionSuccessful) &&
            (!collection.paymentsOnly || isPaymentLike(op)) &&
            collection.matches(op),
        )
        .map((op) => ({
          token: op.id,
          json: (base, joinTransactions) => {
            const tx = joinTransactions ? state.byHash.get(op.transactionHash) : undefined;
            return operationJson(op, base, tx ? transactionJson(tx, base, op.transactionHash) : null);
          },
        }));
    case 'transactions':
      return state.transactions
        .filter((tx) => retained(tx.ledger) && (includeFailed || tx.successful) && collection.matches(tx))
        .map((tx) => ({ token: tx.pagingToken, json: (base) => transactionJson(tx, base) }));
    default: {
      const unexpected: never = collection;
      return unexpected;
    }
  }
}
