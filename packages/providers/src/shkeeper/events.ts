import {
  asPaymentId,
  moneyOf,
  ok,
  type AssetRegistry,
  type Mode,
  type Money,
  type Observation,
  type Result,
} from '@kassa/core';
import { z } from 'zod';
import { malformed, NOT_JSON, parseJson, unattributed } from '../decode';
import type { DecodeError, PaymentSignal, ProviderEvent } from '../rail';
import { Invoice } from './client';
import { assetOfCrypto, shkeeperAmountMinor } from './cryptos';

const PAYMENT_REF = /^pay_[0-9A-Za-z]{10,40}$/;
const Decimal = z.string().regex(/^\d{1,30}(\.\d{1,18})?$/);

/** An invoice callback: cumulative state and every transaction, the causing one with `trigger`. */
export const InvoiceCallback = z.object({
  external_id: z.string().min(1).max(64),
  crypto: z.string(),
  status: z.enum(['UNPAID', 'PARTIAL', 'PAID', 'OVERPAID', 'CANCELLED', 'REFUNDED', 'OUTGOING']),
  transactions: z.array(
    z.object({
      txid: z.string().min(10).max(200),
      crypto: z.string().min(1).max(40),
      amount_crypto: Decimal,
      trigger: z.boolean().optional(),
    }),
  ),
});
export type InvoiceCallback = z.infer<typeof InvoiceCallback>;

/** BTC-like coins only: a transaction seen, not confirmed. Never a payment. */
export const UnconfirmedNotice = z.object({
  status: z.literal('unconfirmed'),
  external_id: z.string().min(1).max(64),
  crypto: z.string(),
  txid: z.string(),
});

/** What the inbox keeps: SHKeeper's words as they came (a callback, or an invoice read back) and when. */
const StoredEvent = z.object({
  receivedAt: z.iso.datetime(),
  callback: z.unknown().optional(),
  invoice: z.unknown().optional(),
  payout: z.unknown().optional(),
});

/** SHKeeper's payout callback: sent on SUCCESS only (there is no failure callback). */
const PayoutCallback = z.object({
  external_id: z.string().nullable(),
  status: z.string(),
  tx_hash: z.string().nullable().optional(),
  crypto: z.string().optional(),
  amount: Decimal.optional(),
});

/** An escrow payout's external id: the payment, which way, which attempt. */
export function escrowPayoutRef(paymentId: string, direction: 'release' | 'refund', attempt: number): string {
  return `${paymentId}-${direction}-${attempt}`;
}
const ESCROW_PAYOUT_REF = /^(pay_[0-9A-Za-z]{10,40})-(release|refund)-(\d{1,6})$/;

/** A verified payout callback for the inbox. */
export function payoutCallbackEvent(rawBody: string, receivedAt: Date): Result<ProviderEvent, DecodeError> {
  const json = parseJson(rawBody);
  if (json === NOT_JSON) return malformed('SHKeeper payout callback is not JSON');
  const payout = PayoutCallback.safeParse(json);
  if (!payout.success) return malformed('not a SHKeeper payout callback');
  return ok({
    provider: 'shkeeper',
    eventId: `payout:${payout.data.external_id ?? 'none'}:${payout.data.status}`,
    eventType: 'payout.callback',
    body: JSON.stringify({ receivedAt: receivedAt.toISOString(), payout: json }),
  });
}

/** A merchant's payout went out: the outgoing payment is paid (the same fact whoever reports it). */
export function payoutSentSignal(payoutId: string, amount: Money, at: Date, mode: Mode): PaymentSignal {
  return {
    paymentId: asPaymentId(payoutId),
    observation: {
      source: 'shkeeper',
      externalId: `payout:${payoutId}`,
      occurredAt: at,
      type: 'credit',
      txKey: `evm-payout:${payoutId}`,
      amount,
    },
    mode,
  };
}

/** A payout's outcome as an observation about the escrow it carries out (callback or poll alike). */
export function escrowPayoutObservation(
  payoutRef: string,
  outcome: 'success' | 'failed',
  at: Date,
  mode: Mode,
): PaymentSignal | null {
  const match = ESCROW_PAYOUT_REF.exec(payoutRef);
  if (!match?.[1]) return null;
  const observation: Observation =
    outcome === 'success'
      ? {
          source: 'shkeeper',
          externalId: `payout:${payoutRef}`,
          occurredAt: at,
          type: 'escrow_paid_out',
          payoutRef,
        }
      : {
          source: 'shkeeper',
          externalId: `payout-failed:${payoutRef}`,
          occurredAt: at,
          type: 'escrow_failed',
          payoutRef,
          reason: 'SHKeeper could not send the payout',
        };
  return { paymentId: asPaymentId(match[1]), observation, mode };
}

type ConfirmedTx = Readonly<{ txid: string; crypto: string; amount: string }>;

/** A verified callback for the inbox, keyed as PROVIDERS.md 2.3 says: external id, trigger txid, status. */
export function callbackEvent(rawBody: string, receivedAt: Date): Result<ProviderEvent, DecodeError> {
  const json = parseJson(rawBody);
  if (json === NOT_JSON) return malformed('SHKeeper callback is not JSON');
  const unconfirmed = UnconfirmedNotice.safeParse(json);
  const callback = InvoiceCallback.safeParse(json);
  if (!unconfirmed.success && !callback.success) {
    return malformed(`not a SHKeeper invoice callback: ${callback.error.issues[0]?.message ?? ''}`);
  }
  const eventId = unconfirmed.success
    ? `${unconfirmed.data.external_id}:${unconfirmed.data.txid}:unconfirmed`
    : `${callback.data?.external_id}:${callback.data?.transactions.find((t) => t.trigger)?.txid ?? 'none'}:${callback.data?.status}`;
  return ok({
    provider: 'shkeeper',
    eventId,
    eventType: unconfirmed.success ? 'unconfirmed' : 'invoice.callback',
    body: JSON.stringify({ receivedAt: receivedAt.toISOString(), callback: json }),
  });
}

/** An invoice read back from SHKeeper (reconciliation, or a legacy callback confirmed). */
export function invoiceEvent(invoice: Invoice, receivedAt: Date): ProviderEvent {
  const confirmed = invoice.txs
    .filter((t) => t.status === 'CONFIRMED')
    .map((t) => `${t.crypto}:${t.txid}`)
    .sort();
  return {
    provider: 'shkeeper',
    eventId: `invoice:${invoice.external_id}:${confirmed.join(',')}`,
    eventType: 'invoice.read',
    body: JSON.stringify({ receivedAt: receivedAt.toISOString(), invoice }),
  };
}

/**
 * SHKeeper's report as credits: each confirmed transaction, once (keyed by its chain and txid,
 * however often and in whatever order SHKeeper repeats it), in the asset it was paid in. Kassa
 * decides paid, partial or overpaid from these amounts; SHKeeper's own status is only a hint.
 */
export function decodeShkeeperEvent(
  body: string,
  context: Readonly<{ assets: AssetRegistry; mode: Mode }>,
): Result<readonly PaymentSignal[], DecodeError> {
  const json = parseJson(body);
  if (json === NOT_JSON) return malformed('SHKeeper event body is not JSON');
  const stored = StoredEvent.safeParse(json);
  if (!stored.success) return malformed('not a stored SHKeeper event');
  const receivedAt = new Date(stored.data.receivedAt);

  if (stored.data.payout !== undefined) {
    const payout = PayoutCallback.safeParse(stored.data.payout);
    if (!payout.success) return malformed('not a SHKeeper payout callback');
    if (payout.data.status !== 'SUCCESS' || !payout.data.external_id) return ok([]);
    const escrow = escrowPayoutObservation(payout.data.external_id, 'success', receivedAt, context.mode);
    if (escrow) return ok([escrow]);
    // A merchant's payout: the payout worker confirms it by its status, with the exact amount due
    // (SHKeeper's amount has at most 10 decimals and could credit less than an 18-decimal token's).
    return ok([]);
  }
  let externalId: string;
  let txs: ConfirmedTx[];
  if (stored.data.invoice !== undefined) {
    const invoice = Invoice.safeParse(stored.data.invoice);
    if (!invoice.success) return malformed('not a SHKeeper invoice');
    externalId = invoice.data.external_id;
    txs = invoice.data.txs
      .filter((t) => t.status === 'CONFIRMED')
      .map((t) => ({ txid: t.txid, crypto: t.crypto, amount: t.amount }));
  } else {
    const unconfirmed = UnconfirmedNotice.safeParse(stored.data.callback);
    if (unconfirmed.success) {
      if (!PAYMENT_REF.test(unconfirmed.data.external_id)) return ok([]);
      const observation: Observation = {
        source: 'shkeeper',
        externalId: `seen:${unconfirmed.data.crypto}:${unconfirmed.data.txid}`,
        occurredAt: receivedAt,
        type: 'seen',
      };
      return ok([{ paymentId: asPaymentId(unconfirmed.data.external_id), observation, mode: context.mode }]);
    }
    const callback = InvoiceCallback.safeParse(stored.data.callback);
    if (!callback.success) return malformed('not a SHKeeper invoice callback');
    externalId = callback.data.external_id;
    // A callback is sent when its trigger transaction has the wallet's confirmations; the others it
    // lists may not have them yet, and each gets its own callback when it does.
    txs = callback.data.transactions
      .filter((t) => t.trigger === true)
      .map((t) => ({
        txid: t.txid,
        crypto: t.crypto,
        amount: t.amount_crypto,
      }));
  }
  if (!PAYMENT_REF.test(externalId)) return ok([]);

  const signals: PaymentSignal[] = [];
  for (const tx of txs) {
    const asset = assetOfCrypto(context.assets, tx.crypto);
    if (!asset) return unattributed(`transaction ${tx.txid} is in ${tx.crypto}, which Kassa does not take`);
    const minor = shkeeperAmountMinor(asset, tx.amount);
    if (minor === null || minor <= 0n) return malformed(`transaction ${tx.txid} has no usable amount`);
    const key = `${tx.crypto}:${tx.txid.toLowerCase()}`;
    signals.push({
      // The quote for this crypto says what its money is worth in the checkout's currency.
      railRef: { rail: 'evm', ref: `${externalId}:${tx.crypto}` },
      observation: {
        source: 'shkeeper',
        externalId: key,
        occurredAt: receivedAt,
        type: 'credit',
        txKey: `evm:${key}`,
        amount: moneyOf(asset, minor),
      },
      mode: context.mode,
    });
  }
  return ok(signals);
}
