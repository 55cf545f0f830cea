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
import type { PayInstructions, RailContext, StellarInstructions } from '@kassa/providers';
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

/** The payer picked a rail: ask its adapter what the payer should do. */
export async function selectRail(
  deps: ApiDeps,
  key: MerchantKey,
  input: SelectRailInput,
): Promise<
  Result<
    Exclude<PayInstructions, StellarInstructions> | (PayInstructions & { handoff: Handoff }) | StellarView,
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
  if (!instructions.ok) return err({ code: instructions.error.code, message: instructions.error.message });
  const value = instructions.value;
  if (value.rail === 'stellar') {
    const registered = await fileStellarReference(deps, checkout, value.reference);
    if (!registered.ok) return registered;
    const { reference: _kept, ...view } = value;
    return ok({ ...view, qrSvg: await qrSvg(value.sep7Uri) });
  }
  if (value.rail === 'card') await closeOlderSessions(deps, checkout, value.sessionId);
  // The sandbox has nothing to scan; its QR code carries the page over to a phone instead.
  if (value.rail !== 'sandbox') return ok(value);
  return ok({ ...value, handoff: { url, qrSvg: await qrSvg(url) } });
}

/**
 * A checkout longer than Stripe's 24 h gets a new session per window: the one before is expired,
 * so a payer with an old tab open cannot pay twice. An outage leaves it for the next choice.
 */
async function closeOlderSessions(deps: ApiDeps, checkout: Checkout, current: string): Promise<void> {
  const now = deps.clock();
  await registerRailRef(deps.db, {
    rail: 'card',
    ref: current,
    paymentId: checkout.payment.id,
    quote: null,
    now,
  });
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

/** Files the memo under the payment (with the rate a fiat price is paid at), so ledger payments find it. */
export async function fileStellarReference(
  deps: ApiDeps,
  checkout: Checkout,
  reference: StellarInstructions['reference'],
): Promise<Result<void, KassaError>> {
  const filed = await registerRailRef(deps.db, {
    rail: 'stellar',
    ref: reference.ref,
    paymentId: checkout.payment.id,
    quote: reference.quote,
    now: deps.clock(),
  });
  if (filed.ok) return ok(undefined);
  deps.log.error(
    { paymentId: checkout.payment.id, memo: reference.ref },
    'stellar memo taken by another payment',
  );
  return err({ code: 'internal', message: 'This checkout cannot be paid on Stellar.' });
}
