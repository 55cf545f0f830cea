import { amountRemaining, formatAmount, refundDue, zeroOf, type Checkout, type Money } from '@kassa/core';
import type { AuditRecord } from '@kassa/db';

/** Money at the edge: an exact decimal string and the asset id, never a JSON number. */
export type AmountView = Readonly<{ amount: string; asset: string }>;

export function amountView(m: Money): AmountView {
  return { amount: formatAmount(m), asset: m.asset.id };
}

export function checkoutUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/pay/${id}`;
}

/** What a merchant's backend sees. */
export function toCheckoutView(c: Checkout, publicUrl: string) {
  const p = c.payment;
  return {
    id: p.id,
    object: 'checkout' as const,
    mode: p.mode,
    status: p.status,
    currency: p.amountDue.asset.id,
    amountDue: amountView(p.amountDue),
    amountReceived: amountView(p.received),
    amountRemaining: amountView(amountRemaining(p)),
    amountRefunded: amountView(p.refunded),
    lateReceived: amountView(p.lateReceived),
    /** Money received on a closed checkout (late, or before a cancel) that should go back to the payer. */
    refundDue: amountView(refundDue(p)),
    /** Short by up to this much counts as paid (the merchant's tolerance when the checkout was made). */
    underpaymentTolerance: amountView(p.underpaymentTolerance ?? zeroOf(p.amountDue.asset)),
    escrow: p.escrowStatus,
    failureReason: p.failureReason,
    /** A chargeback: `open` while the payer's bank decides, then `won` or `lost`; null if none. */
    dispute: p.disputeStatus,
    lineItems: c.lineItems.map((item) => ({
      name: item.name,
      quantity: item.quantity,
      unitAmount: amountView(item.unitAmount),
      amount: amountView(item.amount),
    })),
    rails: [...c.rails],
    description: c.description,
    metadata: { ...c.metadata },
    successUrl: c.successUrl,
    cancelUrl: c.cancelUrl,
    checkoutUrl: checkoutUrl(publicUrl, p.id),
    sequence: p.sequence,
    expiresAt: p.expiresAt.toISOString(),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type CheckoutView = ReturnType<typeof toCheckoutView>;

/** A payout as the merchant sees it: pending, processing (SHKeeper has it), paid (sent) or failed. */
export function toPayoutView(c: Checkout) {
  const p = c.payment;
  return {
    id: p.id,
    object: 'payout' as const,
    mode: p.mode,
    status: p.status,
    amount: amountView(p.amountDue),
    destination: c.payoutDestination ?? null,
    failureReason: p.failureReason,
    sequence: p.sequence,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type PayoutView = ReturnType<typeof toPayoutView>;

/** What the payer's widget sees: no metadata, no merchant internals. */
export function toPublicCheckoutView(c: Checkout, merchantName: string) {
  const p = c.payment;
  return {
    id: p.id,
    status: p.status,
    mode: p.mode,
    merchantName,
    description: c.description,
    amountDue: amountView(p.amountDue),
    amountReceived: amountView(p.received),
    amountRemaining: amountView(amountRemaining(p)),
    lineItems: c.lineItems.map((item) => ({
      name: item.name,
      quantity: item.quantity,
      unitAmount: amountView(item.unitAmount),
      amount: amountView(item.amount),
    })),
    expiresAt: p.expiresAt.toISOString(),
    rails: [...c.rails],
    successUrl: c.successUrl,
    /** Where the payer goes to start again or give up; the widget offers it when set. */
    cancelUrl: c.cancelUrl,
    /** Grows with every change: live status sends a view only when it moved. */
    sequence: p.sequence,
  };
}
export type PublicCheckoutView = ReturnType<typeof toPublicCheckoutView>;

export function toAuditView(a: AuditRecord) {
  return {
    sequence: a.sequence,
    from: a.fromStatus,
    to: a.toStatus,
    cause: a.cause,
    changes: a.changes as Record<string, { from: string | null; to: string | null }>,
    at: a.at.toISOString(),
  };
}
