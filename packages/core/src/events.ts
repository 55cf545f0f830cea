import { compareMoney } from './money';
import type { Payment, PaymentHead } from './payment';

/** What merchants are told. Named for what happened; each carries the payment's sequence number. */
export const DOMAIN_EVENT_TYPES = [
  'checkout.processing',
  'checkout.partially_paid',
  'checkout.paid',
  'checkout.overpaid',
  'checkout.expired',
  'checkout.failed',
  'checkout.canceled',
  'checkout.late_payment',
  'checkout.disputed',
  'checkout.dispute_closed',
  'refund.succeeded',
  'refund.failed',
  'escrow.funded',
  'escrow.releasing',
  'escrow.refunding',
  'escrow.released',
  'escrow.refunded',
  'escrow.failed',
  'payout.paid',
  'payout.failed',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export type DomainEvent = Readonly<{
  type: DomainEventType;
  paymentId: Payment['id'];
  sequence: number;
  occurredAt: Date;
}>;

const STATUS_EVENTS: Partial<Record<Payment['status'], DomainEventType>> = {
  processing: 'checkout.processing',
  partially_paid: 'checkout.partially_paid',
  paid: 'checkout.paid',
  overpaid: 'checkout.overpaid',
  expired: 'checkout.expired',
  failed: 'checkout.failed',
  canceled: 'checkout.canceled',
};

/** The events one change produces, from the difference between the payment before and after. */
export function diffEvents(before: PaymentHead, after: PaymentHead, now: Date): DomainEvent[] {
  const types: DomainEventType[] = [];
  const refundedVsBefore = compareMoney(after.refunded, before.refunded);
  // A refund that failed puts a refunded payment back to paid: that is news of the refund, not a
  // second payment (a merchant must not fulfil twice on a repeated checkout.paid).
  const statusEvent = refundedVsBefore === 'lt' ? undefined : STATUS_EVENTS[after.status];
  const receivedMore = compareMoney(after.received, before.received) === 'gt';
  const lateMore = compareMoney(after.lateReceived, before.lateReceived) === 'gt';
  const statusChanged = after.status !== before.status;
  const closed = after.status === 'expired' || after.status === 'canceled' || after.status === 'failed';
  // More money while the status stays is news for a partial or overpaid checkout; on a closed one
  // it is money to give back, which is what late_payment says.
  if (statusEvent && (statusChanged || (receivedMore && !closed))) types.push(statusEvent);
  if (lateMore || (receivedMore && closed && !statusChanged)) types.push('checkout.late_payment');
  if (refundedVsBefore === 'gt') types.push('refund.succeeded');
  if (refundedVsBefore === 'lt') types.push('refund.failed');
  if (after.disputeStatus !== before.disputeStatus && after.disputeStatus) {
    types.push(after.disputeStatus === 'open' ? 'checkout.disputed' : 'checkout.dispute_closed');
  }
  if (after.escrowStatus !== before.escrowStatus && after.escrowStatus && after.escrowStatus !== 'unfunded') {
    types.push(`escrow.${after.escrowStatus}`);
  }
  // A payout has its own words: sent (paid) or failed; its other states are not news.
  const named =
    after.direction === 'out'
      ? types.flatMap((t): DomainEventType[] =>
          t === 'checkout.paid' || t === 'checkout.overpaid'
            ? ['payout.paid']
            : t === 'checkout.failed'
              ? ['payout.failed']
              : [],
        )
      : types;
  return named.map((type) => ({ type, paymentId: after.id, sequence: after.sequence, occurredAt: now }));
}
