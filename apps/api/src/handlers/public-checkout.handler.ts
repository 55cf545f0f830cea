import { err, ok, RAILS, type Checkout, type Result } from '@kassa/core';
import { getCheckout, getMerchantName, type MerchantKey } from '@kassa/db';
import type { PayInstructions } from '@kassa/providers';
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

/** The payer picked a rail: ask its adapter what the payer should do. */
export async function selectRail(
  deps: ApiDeps,
  key: MerchantKey,
  input: SelectRailInput,
): Promise<Result<PayInstructions | (PayInstructions & { handoff: Handoff }), KassaError>> {
  const checkout = await getCheckout(deps.db.orm, input.checkoutId, key);
  if (!checkout) return err({ code: 'not_found', message: 'This checkout does not exist.' });
  if (!checkout.rails.includes(input.rail)) {
    return err({ code: 'rail_not_allowed', message: `This checkout cannot be paid by ${input.rail}.` });
  }
  const adapter = deps.rails[checkout.payment.mode].get(input.rail);
  if (!adapter)
    return err({ code: 'rail_unavailable', message: `The ${input.rail} rail is not configured.` });
  const url = checkoutUrl(deps.publicUrl, checkout.payment.id);
  const instructions = await adapter.instructions(checkout, { checkoutUrl: url, now: deps.clock() });
  if (!instructions.ok) return err({ code: instructions.error.code, message: instructions.error.message });
  // The sandbox has nothing to scan; its QR code carries the page over to a phone instead.
  if (instructions.value.rail !== 'sandbox') return ok(instructions.value);
  return ok({ ...instructions.value, handoff: { url, qrSvg: await qrSvg(url) } });
}
