import type { Money } from './money';

/** A chargeback: open while the bank decides, then won (the merchant keeps the money) or lost. */
export type DisputeStatus = 'open' | 'won' | 'lost';

/** Where a signal came from. Together with `externalId` it identifies an observation forever. */
export type ObservationSource =
  'sandbox' | 'stripe' | 'shkeeper' | 'stellar' | 'merchant' | 'payer' | 'clock' | 'reconciliation';

type Base = Readonly<{
  source: ObservationSource;
  /** Stable id from the source: a provider event id, a ledger operation id, a command's idempotency key. */
  externalId: string;
  /** When it happened at the source, not when Kassa heard of it: facts are ordered by this. */
  occurredAt: Date;
}>;

/**
 * The one vocabulary every signal becomes: a provider webhook, a ledger payment, a payer's
 * "I have paid", a reconciliation poll, the clock's expiry, a merchant's cancel, a sandbox action.
 */
export type Observation = Base &
  (
    | { type: 'seen' }
    | {
        type: 'credit';
        /** The on-chain or provider transaction. The same transaction counts once, whoever reports it. */
        txKey: string;
        amount: Money;
        /** What the payer sent, when it was another asset converted at a quote (USDC for USD). */
        paid?: Money;
      }
    | { type: 'failed'; reason: string }
    | { type: 'expired' }
    | { type: 'canceled' }
    | { type: 'refund'; refundKey: string; amount: Money }
    /** A refund reported as succeeded did not reach the payer after all: it no longer counts. */
    | { type: 'refund_failed'; refundKey: string }
    /** The payer disputed the payment with their bank (a chargeback), or the dispute was decided. */
    | { type: 'dispute'; disputeKey: string; status: DisputeStatus }
    /** The merchant asks to pay the held money out: to the seller (release) or back (refund). */
    | {
        type: 'escrow_requested';
        direction: 'release' | 'refund';
        payoutRef: string;
        destination: string;
        /** What is sent, fixed at the request: the provider's asset name and an exact decimal. */
        payout: Readonly<{ asset: string; amount: string }>;
      }
    | { type: 'escrow_released' }
    | { type: 'escrow_refunded'; amount: Money }
    /** The payout of the request `payoutRef` went through: released to the seller or refunded in full. */
    | { type: 'escrow_paid_out'; payoutRef: string }
    /** The payout of the request `payoutRef` failed; the escrow may be asked again. */
    | { type: 'escrow_failed'; payoutRef: string; reason: string }
  );

export type ObservationType = Observation['type'];
