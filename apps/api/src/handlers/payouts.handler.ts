import { asPaymentId, err, ok, openPayment, parseAmount, type Checkout, type Result } from '@kassa/core';
import {
  applyObservation,
  createPayoutRecord,
  getPayout,
  PAYOUT_TASK,
  registerRailRef,
  hashRequest,
  newId,
  type MerchantKey,
} from '@kassa/db';
import { parseDestination, payoutAmount, SHKEEPER_CRYPTOS } from '@kassa/providers';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';
import { replayIdempotent } from './checkouts.handler';

export const CreatePayoutInput = z.strictObject({
  /** Exact decimal in the token's units. */
  amount: z.string().min(1).max(64),
  /** The token: `USDT:tron`, `USDC:bsc`, … */
  currency: z.string().min(1).max(32),
  destination: z.string().min(1).max(120),
});
export type CreatePayoutInput = z.infer<typeof CreatePayoutInput>;

/** A payout never expires by Kassa's clock; SHKeeper says when it is done. */
const PAYOUT_HORIZON_MS = 10 * 365 * 24 * 60 * 60_000;

/**
 * Sends tokens from the SHKeeper wallet: an outgoing payment, through the same state machine and
 * audit trail as a checkout (pending, processing once SHKeeper took it, paid when it confirms,
 * failed). With an Idempotency-Key the same key and body are the same payout; SHKeeper is told
 * the payout's id, so it sends once however often Kassa asks.
 */
export async function createPayout(
  deps: ApiDeps,
  key: MerchantKey,
  input: CreatePayoutInput,
  idempotencyKey: string | null,
): Promise<Result<Checkout, KassaError>> {
  const rail = deps.evm;
  if (!rail || rail.config.mode !== key.mode || !rail.config.admin) {
    return err({
      code: 'rail_unavailable',
      message: 'Payouts need the EVM rail (SHKeeper) with its admin login.',
    });
  }
  const crypto = SHKEEPER_CRYPTOS[input.currency];
  const asset = crypto ? deps.assets[key.mode].resolve(input.currency) : null;
  if (!crypto || !asset?.ok) {
    return err({
      code: 'asset_unknown',
      message: `Payouts are in ${Object.keys(SHKEEPER_CRYPTOS).join(', ')}.`,
    });
  }
  const amount = parseAmount(asset.value, input.amount);
  if (!amount.ok || amount.value.minor <= 0n) {
    return err({
      code: 'amount_invalid',
      message: amount.ok ? 'A payout must be more than zero.' : amount.error.message,
    });
  }
  const destination = parseDestination(asset.value.network, input.destination);
  if (!destination.ok) return err({ code: 'destination_invalid', message: destination.error });

  const now = deps.clock();
  const scope = idempotencyKey
    ? { merchantId: key.merchantId, mode: key.mode, key: idempotencyKey, operation: 'payouts.create' }
    : null;
  const requestHash = hashRequest(input);
  if (scope) {
    const replay = await replayIdempotent(deps, key, scope, requestHash, now, 'out');
    if (replay) return replay;
  }
  const payment = openPayment({
    id: asPaymentId(newId('pay_')),
    merchantId: key.merchantId,
    mode: key.mode,
    amountDue: amount.value,
    expiresAt: new Date(now.getTime() + PAYOUT_HORIZON_MS),
    escrow: false,
    direction: 'out',
    now,
  });
  const payout: Checkout = {
    payment,
    rails: ['evm'],
    description: null,
    metadata: {},
    successUrl: null,
    cancelUrl: null,
    lineItems: [],
    payoutDestination: destination.value,
  };
  const created = await createPayoutRecord(deps.db.orm, payout, scope ? { scope, requestHash, now } : null);
  if (created === 'insufficient') {
    return err({
      code: 'insufficient_balance',
      message: `Your ${input.currency} balance (what your checkouts received, less payouts) does not cover ${input.amount}.`,
    });
  }
  if (created === 'key_taken') {
    const replay = scope ? await replayIdempotent(deps, key, scope, requestHash, now, 'out') : null;
    return (
      replay ??
      err({ code: 'idempotency_conflict', message: 'Idempotency key is in use by another request.' })
    );
  }
  deps.log.info({ paymentId: payment.id, merchantId: key.merchantId }, 'payout created');
  // Sent now; if SHKeeper cannot be reached, the payout worker sends it (its id keeps it once).
  const sent = await rail.sendPayout(
    { crypto, amount: payoutAmount(amount.value) },
    destination.value,
    payment.id,
  );
  if (sent.ok) {
    if (sent.value.taskId) {
      await registerRailRef(deps.db, {
        rail: PAYOUT_TASK,
        ref: sent.value.taskId,
        paymentId: payment.id,
        quote: null,
        now,
      });
    }
    await applyObservation(
      deps.db,
      payment.id,
      { source: 'shkeeper', externalId: `payout-submitted:${payment.id}`, occurredAt: now, type: 'seen' },
      now,
    );
  } else if (sent.error.code !== 'provider_unavailable') {
    // Refused by SHKeeper (credentials, a disabled token): failed, with its reason.
    await applyObservation(
      deps.db,
      payment.id,
      {
        source: 'shkeeper',
        externalId: `payout-refused:${payment.id}`,
        occurredAt: now,
        type: 'failed',
        reason: sent.error.message,
      },
      now,
    );
  } else {
    deps.log.warn(
      { paymentId: payment.id, reason: sent.error.message },
      'payout not sent yet; the worker retries',
    );
  }
  const after = await getPayout(deps.db.orm, payment.id, key);
  return after ? ok(after) : err({ code: 'not_found', message: 'The payout vanished.' });
}

export async function getMerchantPayout(
  deps: ApiDeps,
  key: MerchantKey,
  id: string,
): Promise<Result<Checkout, KassaError>> {
  const payout = await getPayout(deps.db.orm, id, key);
  return payout ? ok(payout) : err({ code: 'not_found', message: `No payout ${id}.` });
}
