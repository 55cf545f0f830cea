import type { Checkout, Mode, Observation, PaymentId, Rail, Result } from '@kassa/core';

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
  | Readonly<{ creditTxKey: string; observation: Observation; mode?: Mode }>;

export type DecodeError = Readonly<{ code: 'event_malformed'; message: string }>;

/** What the payer is told to do, per rail. Each rail issue adds its variant. */
export type PayInstructions =
  | Readonly<{ rail: 'sandbox'; outcomes: readonly SandboxOutcome[] }>
  /** Card: the payer continues on the card processor's page (a Stripe Checkout Session). */
  | Readonly<{ rail: 'card'; redirectUrl: string; sessionId: string }>;

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
