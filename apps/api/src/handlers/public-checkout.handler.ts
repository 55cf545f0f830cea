import { err, ok, RAILS, type Checkout, type Result } from '@kassa/core';
import {
  getCheckout,
  getMerchantName,
  getMerchantSettings,
  closeRailRef,
  openRailRefs,
  registerRailRef,
  type MerchantKey,
} from '@kassa/db';
import type { EvmInstructions, PayInstructions, RailContext, StellarInstructions } from '@kassa/providers';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';
import { checkoutUrl } from '../views';

export const PublicCheckoutInput = z.strictObject({ checkoutId: z.string().min(1).max(64) });
export const SelectRailInput = z.strictObject({
  checkoutId: z.string().min(1).max(64),
  rail: z.enum(RAILS),
  asset: z.string().max(32).optional(),
});
export type SelectRailInput = z.infer<typeof SelectRailInput>;

/**
 * A checkout as the widget may see it: only with its own merchant's publishable key, and offering
 * only the rails this gateway can take in the checkout's mode (a payer never picks a dead end).
 */
export async function getPublicCheckout(
  deps: ApiDeps,
  key: MerchantKey,
  checkoutId: string,
): Promise<Result<{ checkout: Checkout; merchantName: string }, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, checkoutId, key);
  if (!checkout) return err({ code: 'not_found', message: 'This checkout does not exist.' });
  const merchantName = (await getMerchantName(deps.db.orm, key.merchantId)) ?? '';
  const configured = deps.rails[checkout.payment.mode];
  return ok({
    checkout: { ...checkout, rails: checkout.rails.filter((r) => configured.has(r)) },
    merchantName,
  });
}

type Handoff = { url: string; qrSvg: string };

/** A QR code as SVG text; the widget shows it as an image, never as markup. */
function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

/** What the payer's page gets for a Stellar payment: the instructions, a QR code of the SEP-7 link. */
export type StellarView = Omit<StellarInstructions, 'reference'> & { qrSvg: string };
/** The same for a stablecoin invoice: a QR code of the EIP-681 link (Tron: the address). */
export type EvmView = Omit<EvmInstructions, 'reference'> & { qrSvg: string };

/** The payer picked a rail: ask its adapter what the payer should do. */
export async function selectRail(
  deps: ApiDeps,
  key: MerchantKey,
  input: SelectRailInput,
): Promise<
  Result<
    | Exclude<PayInstructions, StellarInstructions | EvmInstructions>
    | (PayInstructions & { handoff: Handoff })
    | StellarView
    | EvmView,
    KassaError
  >
> {
  const checkout = await getCheckout(deps.db.orm, input.checkoutId, key);
  if (!checkout) return err({ code: 'not_found', message: 'This checkout does not exist.' });
  if (!checkout.rails.includes(input.rail)) {
    return err({ code: 'rail_not_allowed', message: `This checkout cannot be paid by ${input.rail}.` });
  }
  const adapter = deps.rails[checkout.payment.mode].get(input.rail);
  if (!adapter)
    return err({ code: 'rail_unavailable', message: `The ${input.rail} rail is not configured.` });
  const url = checkoutUrl(deps.publicUrl, checkout.payment.id);
  const context = await railContext(deps, key, checkout, input.asset);
  const instructions = await adapter.instructions(checkout, context);
  if (!instructions.ok) {
    const { code, message } = instructions.error;
    if (code === 'rail_not_allowed' || code === 'amount_invalid') return err({ code, message });
    // The provider's own words (request ids, key hints, URLs) are for the operator's log only.
    deps.log.warn(
      { rail: input.rail, code, reason: message, checkoutId: checkout.payment.id },
      'rail could not instruct the payer',
    );
    return err({
      code,
      message:
        code === 'provider_unavailable'
          ? `The ${input.rail} payment service cannot be reached right now. Please try again shortly.`
          : `The ${input.rail} rail cannot take this payment right now.`,
    });
  }
  // Another rail chosen: card sessions still open for this checkout are closed, so it is paid once.
  if (instructions.value.rail !== 'card') await closeOlderSessions(deps, checkout, null);
  const value = instructions.value;
  if (value.rail === 'stellar') {
    const registered = await fileReference(deps, checkout, 'stellar', value.reference);
    if (!registered.ok) return registered;
    const { reference: _kept, ...view } = value;
    return ok({ ...view, qrSvg: await qrSvg(value.sep7Uri) });
  }
  if (value.rail === 'evm') {
    // The invoice's quote for this token, so SHKeeper's report is credited at the rate it quoted.
    const registered = await fileReference(deps, checkout, 'evm', value.reference);
    if (!registered.ok) return registered;
    const { reference: _kept, ...view } = value;
    return ok({ ...view, qrSvg: await qrSvg(value.uri) });
  }
  if (value.rail === 'card') await closeOlderSessions(deps, checkout, value.sessionId);
  // The sandbox has nothing to scan; its QR code carries the page over to a phone instead.
  if (value.rail !== 'sandbox') return ok(value);
  return ok({ ...value, handoff: { url, qrSvg: await qrSvg(url) } });
}

/**
 * A payer who picks another rail, or a checkout longer than Stripe's 24 h that gets a new session
 * per window: the card sessions before are expired,
 * so a payer with an old tab open cannot pay twice. An outage leaves it for the next choice.
 */
async function closeOlderSessions(deps: ApiDeps, checkout: Checkout, current: string | null): Promise<void> {
  const now = deps.clock();
  if (current) {
    await registerRailRef(deps.db, {
      rail: 'card',
      ref: current,
      paymentId: checkout.payment.id,
      quote: null,
      now,
    });
  }
  for (const older of await openRailRefs(deps.db, checkout.payment.id, 'card')) {
    if (older === current || !deps.card) continue;
    const expired = await deps.card.expireSession(older);
    if (expired.ok) await closeRailRef(deps.db, { rail: 'card', ref: older }, now);
    else
      deps.log.warn(
        { sessionId: older, reason: expired.error.message },
        'older card session not expired yet',
      );
  }
}

/** What an adapter may need to know about the merchant and the payer's choice. */
export async function railContext(
  deps: ApiDeps,
  key: MerchantKey,
  checkout: Checkout,
  asset?: string,
): Promise<RailContext> {
  const settings = await getMerchantSettings(deps.db.orm, key.merchantId);
  return {
    checkoutUrl: checkoutUrl(deps.publicUrl, checkout.payment.id),
    now: deps.clock(),
    asset,
    stablecoinsAtPar: settings?.stablecoinsAtPar ?? false,
    merchantName: (await getMerchantName(deps.db.orm, key.merchantId)) ?? undefined,
  };
}

/**
 * Files a rail's reference (a Stellar memo, a SHKeeper invoice's token) under the payment, with the
 * rate a fiat price is paid at, so the provider's reports find the payment and are credited right.
 */
export async function fileReference(
  deps: ApiDeps,
  checkout: Checkout,
  rail: 'stellar' | 'evm',
  reference: StellarInstructions['reference'],
): Promise<Result<void, KassaError>> {
  const filed = await registerRailRef(deps.db, {
    rail,
    ref: reference.ref,
    paymentId: checkout.payment.id,
    quote: reference.quote,
    now: deps.clock(),
  });
  if (filed.ok) return ok(undefined);
  deps.log.error(
    { paymentId: checkout.payment.id, rail, ref: reference.ref },
    'rail reference taken by another payment',
  );
  return err({ code: 'internal', message: `This checkout cannot be paid by ${rail} now.` });
}
