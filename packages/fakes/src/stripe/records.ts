import { randomBytes } from 'node:crypto';
import type { FormValue } from './form';

// What the fake remembers. Stripe's JSON is rendered from these in objects.ts, at the moment it is
// sent, so an event carries the object as it was when the event happened.

export type SessionStatus = 'open' | 'complete' | 'expired';
export type PaymentStatus = 'paid' | 'unpaid';
/** How the payer paid: a card settles at once, a US bank debit (ACH) days later in real life. */
export type PaymentMethodKind = 'card' | 'us_bank_account';

export type LineItemRecord = Readonly<{
  id: string;
  priceId: string;
  productId: string;
  name: string;
  currency: string;
  unitAmount: number;
  quantity: number;
}>;

export type SessionRecord = {
  readonly id: string;
  readonly created: number;
  readonly expiresAt: number;
  readonly currency: string;
  readonly amountTotal: number;
  readonly lineItems: readonly LineItemRecord[];
  /** `line_items` exactly as parsed from the request. */
  readonly receivedLineItems: readonly FormValue[];
  readonly clientReferenceId: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly paymentIntentMetadata: Readonly<Record<string, string>>;
  readonly successUrl: string | null;
  readonly cancelUrl: string | null;
  readonly customerEmail: string | null;
  readonly locale: string | null;
  readonly paymentMethodTypes: readonly string[];
  status: SessionStatus;
  paymentStatus: PaymentStatus;
  paymentIntentId: string | null;
};

export type PaymentIntentRecord = {
  readonly id: string;
  readonly created: number;
  readonly sessionId: string;
  readonly amount: number;
  readonly currency: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly method: PaymentMethodKind;
  readonly paymentMethodId: string;
  readonly chargeId: string;
  status: 'processing' | 'succeeded' | 'requires_payment_method';
};

export type ChargeRecord = {
  readonly id: string;
  readonly created: number;
  readonly paymentIntentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly method: PaymentMethodKind;
  readonly paymentMethodId: string;
  readonly balanceTransactionId: string;
  readonly billingEmail: string;
  status: 'pending' | 'succeeded' | 'failed';
  amountRefunded: number;
  disputed: boolean;
};

export type RefundRecord = Readonly<{
  id: string;
  created: number;
  chargeId: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
  metadata: Readonly<Record<string, string>>;
  reason: string | null;
  method: PaymentMethodKind;
  balanceTransactionId: string;
  status: 'succeeded' | 'failed';
}>;

export type DisputeRecord = Readonly<{
  id: string;
  created: number;
  chargeId: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
  method: PaymentMethodKind;
  status: 'needs_response' | 'won' | 'lost';
}>;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Stripe-looking id: `cs_test_` + 58, `pi_` + 24, `req_` + 14 base62 characters. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length] ?? '0';
  return id;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
