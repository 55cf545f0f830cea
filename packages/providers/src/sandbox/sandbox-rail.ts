import {
  amountRemaining,
  asPaymentId,
  err,
  formatAmount,
  isPositive,
  moneyOf,
  ok,
  parseAmount,
  type AssetRegistry,
  type Chain,
  type Money,
  type Observation,
  type Payment,
  type Result,
} from '@kassa/core';
import { z } from 'zod';
import type {
  DecodeError,
  PayInstructions,
  ProviderEvent,
  RailAdapter,
  RailError,
  SandboxOutcome,
} from '../rail';
import { SANDBOX_OUTCOMES } from '../rail';

export type SandboxError = Readonly<{
  code: 'sandbox_live_payment' | 'amount_invalid' | 'payment_closed';
  message: string;
}>;

export type SimulateRequest = Readonly<{ outcome: SandboxOutcome; amount?: Money | undefined }>;

/** The simulated provider's event body: the shape its "webhook" would have. */
const SandboxEventBody = z.object({
  paymentId: z.string().regex(/^pay_/),
  outcome: z.enum(['pay', 'pay_part', 'overpay', 'fail', 'expire']),
  amount: z.string().nullable(),
  asset: z.object({ id: z.string(), chain: z.enum(['mainnet', 'testnet']).nullable() }),
  txKey: z.string().min(1),
  occurredAt: z.iso.datetime(),
});
type SandboxEventBody = z.infer<typeof SandboxEventBody>;

export type SandboxRail = RailAdapter & {
  /**
   * Plays the provider: turns an outcome into the event a real provider would send. The event then
   * takes the same path as every real rail's (inbox, then observe, then applyObservation).
   */
  simulate(
    payment: Payment,
    request: SimulateRequest,
    now: Date,
    eventId: string,
  ): Result<ProviderEvent, SandboxError>;
};

/** The offline rail: test payments only, outcomes chosen by a button or an API call. */
export function createSandboxRail(registries: Readonly<Record<Chain, AssetRegistry>>): SandboxRail {
  return {
    rail: 'sandbox',
    provider: 'sandbox',

    instructions({ payment }): Promise<Result<PayInstructions, RailError>> {
      if (payment.mode !== 'test') {
        return Promise.resolve(
          err({ code: 'rail_unavailable', message: 'the sandbox only takes test payments' }),
        );
      }
      return Promise.resolve(ok({ rail: 'sandbox', outcomes: SANDBOX_OUTCOMES }));
    },

    simulate(payment, request, now, eventId) {
      if (payment.mode !== 'test') {
        return err({ code: 'sandbox_live_payment', message: 'the sandbox only takes test payments' });
      }
      const amount = simulatedAmount(payment, request);
      if (!amount.ok) return amount;
      const body: SandboxEventBody = {
        paymentId: payment.id,
        outcome: request.outcome,
        amount: amount.value ? formatAmount(amount.value) : null,
        asset: { id: payment.amountDue.asset.id, chain: payment.amountDue.asset.chain },
        txKey: `sandbox:${eventId}`,
        occurredAt: now.toISOString(),
      };
      return ok({
        provider: 'sandbox',
        eventId,
        eventType: `sandbox.${request.outcome}`,
        body: JSON.stringify(body),
      });
    },

    observe(event: ProviderEvent) {
      let json: unknown;
      try {
        json = JSON.parse(event.body);
      } catch {
        return err<DecodeError>({ code: 'event_malformed', message: 'sandbox event body is not JSON' });
      }
      const parsed = SandboxEventBody.safeParse(json);
      if (!parsed.success)
        return err<DecodeError>({ code: 'event_malformed', message: parsed.error.message });
      const body = parsed.data;
      const base = {
        source: 'sandbox' as const,
        externalId: event.eventId,
        occurredAt: new Date(body.occurredAt),
      };
      const paymentId = asPaymentId(body.paymentId);
      let observation: Observation;
      switch (body.outcome) {
        case 'pay':
        case 'pay_part':
        case 'overpay': {
          const asset = registries[body.asset.chain ?? 'testnet'].resolve(body.asset.id);
          if (!asset.ok) return err<DecodeError>({ code: 'event_malformed', message: asset.error.message });
          const amount = body.amount === null ? null : parseAmount(asset.value, body.amount);
          if (!amount?.ok)
            return err<DecodeError>({ code: 'event_malformed', message: 'credit without a valid amount' });
          observation = { ...base, type: 'credit', txKey: body.txKey, amount: amount.value };
          break;
        }
        case 'fail':
          observation = { ...base, type: 'failed', reason: 'sandbox: simulated failure' };
          break;
        case 'expire':
          observation = { ...base, type: 'expired' };
          break;
      }
      return ok([{ paymentId, observation }]);
    },
  };
}

/** What a simulated payment moves: the rest of what is due, part of it, or more than it. */
function simulatedAmount(payment: Payment, request: SimulateRequest): Result<Money | null, SandboxError> {
  if (request.outcome === 'fail' || request.outcome === 'expire') return ok(null);
  if (request.amount) {
    return isPositive(request.amount)
      ? ok(request.amount)
      : err({ code: 'amount_invalid', message: 'amount must be positive' });
  }
  const remaining = amountRemaining(payment);
  const due = isPositive(remaining) ? remaining : payment.amountDue;
  switch (request.outcome) {
    case 'pay':
      return ok(due);
    case 'pay_part': {
      // Half of what is due, rounded down; one minor unit due can only be paid whole.
      const half = due.minor / 2n;
      return ok(moneyOf(due.asset, half > 0n ? half : due.minor));
    }
    case 'overpay': {
      // A tenth more than due, and at least one minor unit more.
      const extra = due.minor / 10n;
      return ok(moneyOf(due.asset, due.minor + (extra > 0n ? extra : 1n)));
    }
  }
}
