import type { MerchantId, PaymentId } from './ids';
import type { Money } from './money';
import { zeroOf } from './money';
import type { DisputeStatus, Observation } from './observation';

export type Mode = 'test' | 'live';
export type Rail = 'sandbox' | 'card' | 'stellar' | 'evm';
export const RAILS: readonly Rail[] = ['sandbox', 'card', 'stellar', 'evm'];

/**
 * The payment state machine: what one observation does in each state. `reduce` folds every fact in
 * the order it happened (occurredAt), so this table is all there is. Keep README.md's copy in step.
 *
 * | state \ observation        | seen       | credit                               | failed | expired | canceled  | refund                          |
 * |----------------------------|------------|--------------------------------------|--------|---------|-----------|---------------------------------|
 * | pending                    | processing | partially_paid / paid / overpaid (1) | failed | expired | canceled  | recorded                        |
 * | processing                 | -          | partially_paid / paid / overpaid     | failed | -       | - (2)     | recorded                        |
 * | partially_paid             | -          | partially_paid / paid / overpaid (1) | failed | expired | canceled  | partially_refunded / refunded   |
 * | paid, overpaid             | -          | overpaid                             | -      | -       | - (2)     | partially_refunded / refunded   |
 * | partially_refunded         | -          | partially_refunded                   | -      | -       | - (2)     | partially_refunded / refunded   |
 * | refunded                   | -          | partially_refunded                   | -      | -       | - (2)     | refunded                        |
 * | expired, failed, canceled  | -          | late: kept, flagged for refund       | -      | -       | - (2)     | lowers the refund due           |
 *
 * (1) A credit dated after `expiresAt` finds the checkout expired: it is kept as late money, flagged for refund.
 * (2) "-" means no visible change; the fact is still kept, because one that happened earlier but
 *     arrives later can give it an effect. A merchant's cancel that does not apply is refused instead.
 * Which of partially_paid / paid / overpaid: on-time money received compared with the amount due.
 * Escrow (when requested at creation): unfunded -> funded on reaching paid or overpaid -> released | refunded.
 * refund_failed takes back the refund of the same key, whenever it arrives. A dispute sets
 * `disputeStatus` (open, then won or lost) beside the status, in any state.
 */
export const PAYMENT_STATUSES = [
  'pending',
  'processing',
  'partially_paid',
  'paid',
  'overpaid',
  'expired',
  'failed',
  'canceled',
  'partially_refunded',
  'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * Escrow: unfunded until paid, funded while held; a release or refund is requested (releasing,
 * refunding) and done when the provider confirms the payout (released, refunded), or failed, from
 * where either may be asked again.
 */
export type EscrowStatus =
  'unfunded' | 'funded' | 'releasing' | 'refunding' | 'released' | 'refunded' | 'failed';

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
  disputeStatus: DisputeStatus | null;
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
    /** `out`: a payout, money Kassa sends (absent means a checkout, money coming in). */
    direction?: 'in' | 'out';
    /** How far short of the amount due still counts as paid (the merchant's setting when made). */
    underpaymentTolerance?: Money;
    /** Increments with every change; merchants order events by it. */
    sequence: number;
    /** Every observation that took effect, in arrival order; the state is their fold in time order. */
    facts: readonly Observation[];
    createdAt: Date;
    updatedAt: Date;
  }>;

/** A payment without its facts: what the state machine reads besides them. */
export type PaymentHead = Omit<Payment, 'facts'>;

export type OpenPaymentInput = Readonly<{
  id: PaymentId;
  merchantId: MerchantId;
  mode: Mode;
  amountDue: Money;
  expiresAt: Date;
  escrow: boolean;
  direction?: 'in' | 'out';
  underpaymentTolerance?: Money;
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
    disputeStatus: null,
  };
}
