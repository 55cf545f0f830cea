import type { Checkout, Mode, Observation, PaymentId, Quote, Rail, Result } from '@kassa/core';

/** A provider's event as it arrived (already verified), kept verbatim in the inbox until drained. */
export type ProviderEvent = Readonly<{ provider: string; eventId: string; eventType: string; body: string }>;

/** One observation about one payment, decoded from a provider event. */
export type PaymentSignal =
  | Readonly<{
      paymentId: PaymentId;
      observation: Observation;
      /** The mode of the provider account the event came from; applied only to a payment of that mode. */
      mode?: Mode;
    }>
  /** For provider objects without a Kassa id: the payment that this transaction (a credit's `txKey`) paid. */
  | Readonly<{ creditTxKey: string; observation: Observation; mode?: Mode }>
  /** For signals that carry a rail's own reference (a Stellar memo) instead of a Kassa id. */
  | Readonly<{ railRef: Readonly<{ rail: Rail; ref: string }>; observation: Observation; mode?: Mode }>;

/** `unattributed`: real money that names no payment (a ledger payment without a Kassa memo). */
export type DecodeError = Readonly<{ code: 'event_malformed' | 'unattributed'; message: string }>;

/** What the payer is told to do, per rail. Each rail issue adds its variant. */
export type PayInstructions =
  | Readonly<{ rail: 'sandbox'; outcomes: readonly SandboxOutcome[] }>
  /** Card: the payer continues on the card processor's page (a Stripe Checkout Session). */
  | Readonly<{ rail: 'card'; redirectUrl: string; sessionId: string }>
  /** Stellar: pay `amount` of `asset` to `destination` with `memo`, from any wallet (SEP-7 link or by hand). */
  | StellarInstructions
  /** EVM stablecoins through SHKeeper: send `amount` of the token to `address` on `network`. */
  | EvmInstructions;

export type EvmInstructions = Readonly<{
  rail: 'evm';
  address: string;
  /** Exactly as SHKeeper quoted it, in the token's decimals. */
  amount: string;
  asset: Readonly<{ id: string; code: string; contract: string | null; decimals: number }>;
  network: 'ethereum' | 'bsc' | 'tron';
  /** An EIP-681 link for EVM tokens; the plain address for Tron. */
  uri: string;
  expiresAt: string;
  reference: Readonly<{ ref: string; quote: Quote | null }>;
}>;

export type StellarInstructions = Readonly<{
  rail: 'stellar';
  destination: string;
  memo: string;
  memoType: 'id';
  /** Exact, in the asset's 7 decimals. */
  amount: string;
  asset: Readonly<{ id: string; code: string; issuer: string | null }>;
  networkPassphrase: string;
  sep7Uri: string;
  expiresAt: string;
  /** What Kassa files the payment under (the memo) and the rate a fiat price is paid at; not for the payer. */
  reference: Readonly<{ ref: string; quote: Quote | null }>;
}>;

export type SandboxOutcome = 'pay' | 'pay_part' | 'overpay' | 'fail' | 'expire';
export const SANDBOX_OUTCOMES: readonly SandboxOutcome[] = ['pay', 'pay_part', 'overpay', 'fail', 'expire'];

export type RailError = Readonly<{
  /** `provider_unavailable`: the provider is down or unreachable; asking again later may work. */
  code: 'rail_unavailable' | 'provider_unavailable' | 'rail_not_allowed' | 'amount_invalid';
  message: string;
}>;

/** What a rail may need besides the checkout to instruct the payer. */
export type RailContext = Readonly<{
  /** The hosted page: where the payer comes back to from a provider's page. */
  checkoutUrl: string;
  now: Date;
  /** The asset the payer asked to pay in (`USDC:stellar`), when the rail offers a choice. */
  asset?: string | undefined;
  /** The merchant takes USDC for USD and EURC for EUR at par. */
  stablecoinsAtPar?: boolean;
  merchantName?: string | undefined;
}>;

/** Every rail implements this; what leaves it is core's vocabulary, never the provider's wire format. */
export interface RailAdapter {
  readonly rail: Rail;
  /** The provider name its events carry in the inbox. */
  readonly provider: string;
  instructions(checkout: Checkout, context: RailContext): Promise<Result<PayInstructions, RailError>>;
  /** Decodes a stored provider event into observations. Pure and repeatable: the inbox may replay it. */
  observe(event: ProviderEvent): Result<readonly PaymentSignal[], DecodeError>;
}
