import type { MerchantId, PaymentId } from './ids';
import type { Money } from './money';
import { zeroOf } from './money';
import type { Observation } from './observation';

export type Mode = 'test' | 'live';
export type Rail = 'sandbox' | 'card' | 'stellar' | 'evm';
export const RAILS: readonly Rail[] = ['sandbox', 'card', 'stellar', 'evm'];

export type PaymentStatus =
  | 'pending'
  | 'processing'
  | 'partially_paid'
  | 'paid'
  | 'overpaid'
  | 'expired'
  | 'failed'
  | 'canceled'
  | 'partially_refunded'
  | 'refunded';

export type EscrowStatus = 'unfunded' | 'funded' | 'released' | 'refunded';

/**
 * The payment state machine, one row per state. `reduce` folds observations through it in the
 * order they happened (occurredAt), so the table describes what one observation does to one state.
 * Keep the README's copy in step with this one.
 *
 * | state              | seen       | credit (on time)               | credit (late*)   | failed | expired | canceled | refund                         |
 * |--------------------|------------|--------------------------------|------------------|--------|---------|----------|--------------------------------|
 * | pending            | processing | partially_paid / paid / overpaid | expired + late | failed | expired | canceled | (recorded)                     |
 * | processing         | -          | partially_paid / paid / overpaid | n/a (never late) | failed | -      | rejected | (recorded)                     |
 * | partially_paid     | -          | partially_paid / paid / overpaid | expired + late | failed | expired | canceled | partially_refunded / refunded  |
 * | paid / overpaid    | -          | overpaid                       | n/a              | -      | -       | rejected | partially_refunded / refunded  |
 * | partially_refunded | -          | partially_refunded             | n/a              | -      | -       | rejected | partially_refunded / refunded  |
 * | refunded           | -          | partially_refunded             | n/a              | -      | -       | rejected | refunded                       |
 * | expired / failed / canceled | - | late (flagged for refund)     | late             | -      | -       | rejected | (recorded, lowers refund due)  |
 *
 * *late: the credit happened after `expiresAt` while pending or partially paid, or after the payment closed.
 * "-" means no effect: the observation is ignored and nothing is written.
 * Escrow (when requested): unfunded -> funded on reaching paid/overpaid -> released | refunded.
 */
export const STATUS_TABLE_NOTE = 'see the doc comment on PaymentStatus in payment.ts';

export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'paid',
  'overpaid',
  'expired',
  'failed',
  'canceled',
  'partially_refunded',
  'refunded',
]);

/** States in which money is still expected from the payer. */
export const OPEN_STATUSES: ReadonlySet<PaymentStatus> = new Set(['pending', 'processing', 'partially_paid']);

/** What the observations so far add up to. Everything here is derived by `reduce` from `facts`. */
export type PaymentState = Readonly<{
  status: PaymentStatus;
  escrowStatus: EscrowStatus | null;
  /** Credited before the payment closed: counts toward the amount due. */
  received: Money;
  /** Credited after the payment closed (expired, canceled, failed): kept and flagged for refund. */
  lateReceived: Money;
  refunded: Money;
  failureReason: string | null;
}>;

export type Payment = PaymentState &
  Readonly<{
    id: PaymentId;
    merchantId: MerchantId;
    mode: Mode;
    amountDue: Money;
    expiresAt: Date;
    /** Escrow was requested at creation: paid funds are held until released or refunded. */
    escrow: boolean;
    /** Increments with every change; merchants order events by it. */
    sequence: number;
    /** Every observation that took effect, in arrival order; the state is their fold in time order. */
    facts: readonly Observation[];
    createdAt: Date;
    updatedAt: Date;
  }>;

export type OpenPaymentInput = Readonly<{
  id: PaymentId;
  merchantId: MerchantId;
  mode: Mode;
  amountDue: Money;
  expiresAt: Date;
  escrow: boolean;
  now: Date;
}>;

/** A new payment: pending, nothing received. */
export function openPayment(input: OpenPaymentInput): Payment {
  return {
    ...input,
    ...initialState(input.amountDue, input.escrow),
    sequence: 0,
    facts: [],
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export function initialState(amountDue: Money, escrow: boolean): PaymentState {
  const zero = zeroOf(amountDue.asset);
  return {
    status: 'pending',
    escrowStatus: escrow ? 'unfunded' : null,
    received: zero,
    lateReceived: zero,
    refunded: zero,
    failureReason: null,
  };
}
