import type { LineItem } from './line-items';
import type { Payment, Rail } from './payment';

/** A payment as the merchant created it: the state machine's payment plus what the payer is shown. */
export type Checkout = Readonly<{
  payment: Payment;
  rails: readonly Rail[];
  description: string | null;
  metadata: Readonly<Record<string, string>>;
  successUrl: string | null;
  cancelUrl: string | null;
  lineItems: readonly LineItem[];
  /** A payout's destination address (absent for checkouts). */
  payoutDestination?: string | null;
}>;
