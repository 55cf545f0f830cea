import { compare, mul, normalize, quantize, removeExponent, sub, toPlain, ZERO } from './decimal';
import type { JsonObject } from './json';
import type { InvoiceRecord, PayoutRecord, TransactionRecord } from './records';
import { FEE_POLICY, type Store } from './store';

// Callback bodies, built when each attempt is made (as SHKeeper's send_notification does), so a
// retry carries the invoice as it is then. Keys are in SHKeeper's insertion order, which only the
// legacy (unsorted) serializer shows.

/** The invoice callback for `tx`: the whole invoice, every transaction, `trigger` on this one. */
export function invoiceNotification(store: Store, tx: TransactionRecord): JsonObject {
  const invoice = store.invoiceById(tx.invoiceId);
  if (!invoice) throw new Error(`fake SHKeeper: transaction ${tx.txid} lost its invoice`);
  const transactions = store.transactionsOf(invoice.id).map((t) => {
    const withoutFee = store.withoutFee(t.amountFiat);
    return {
      txid: t.txid,
      date: pythonDate(t.createdAt),
      amount_crypto: removeExponent(t.amountCrypto),
      amount_fiat: removeExponent(t.amountFiat),
      amount_fiat_without_fee: removeExponent(withoutFee),
      fee_fiat: removeExponent(sub(t.amountFiat, withoutFee)),
      trigger: t.id === tx.id,
      crypto: t.crypto,
    };
  });
  return {
    external_id: invoice.externalId,
    crypto: invoice.crypto,
    addr: invoice.addr,
    fiat: invoice.fiat,
    balance_fiat: removeExponent(invoice.balanceFiat),
    balance_crypto: removeExponent(invoice.balanceCrypto),
    paid: invoice.status === 'PAID' || invoice.status === 'OVERPAID',
    status: invoice.status,
    transactions,
    fee_percent: removeExponent(store.feePercent),
    fee_fixed: '0',
    fee_policy: FEE_POLICY,
    overpaid_fiat: overpaidFiat(invoice, store),
  };
}

/**
 * Not the excess over the invoice amount: the excess over the 105 % upper limit, rounded to cents
 * (55.00 paid on 49.99 gives "2.51").
 */
function overpaidFiat(invoice: InvoiceRecord, store: Store): string {
  const overpaid = sub(invoice.balanceFiat, mul(invoice.amountFiat, store.upper));
  return compare(overpaid, ZERO) > 0 ? toPlain(quantize(normalize(overpaid), 2)) : '0.00';
}

/** The payout callback, sent once the payout succeeded; amounts are `str(Decimal)`, unrounded. */
export function payoutNotification(store: Store, payout: PayoutRecord): JsonObject {
  const rate = store.rate(payout.crypto) ?? ZERO;
  return {
    payout_id: payout.id,
    external_id: payout.externalId,
    tx_hash: payout.txids[0] ?? null,
    status: 'SUCCESS',
    amount: toPlain(payout.amount),
    crypto: payout.crypto,
    amount_fiat: toPlain(mul(payout.amount, rate)),
    currency_fiat: 'USD',
    timestamp: pythonIsoformat(payout.createdAt),
  };
}

/** `str(datetime)` of SHKeeper's naive timestamps: the server's clock (UTC in its containers). */
export function pythonDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** `datetime.isoformat()`: microseconds only when non-zero. */
function pythonIsoformat(date: Date): string {
  const base = date.toISOString().slice(0, 19);
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? base : `${base}.${String(ms * 1000).padStart(6, '0')}`;
}
