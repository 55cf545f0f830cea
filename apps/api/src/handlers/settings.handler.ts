import { updateMerchantSettings, type Database, type MerchantSettings } from '@kassa/db';
import { z } from 'zod';

/** An origin as browsers report it: scheme, host and port, nothing after. */
export const Origin = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'an origin like https://shop.example' });
      return z.NEVER;
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    // URL parsing keeps `*`, `;`, `,` and quotes in host names; in a CSP header they would widen it.
    const plainHost = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !bare || !plainHost) {
      ctx.addIssue({
        code: 'custom',
        message: 'an origin (scheme, host and port only), like https://shop.example',
      });
      return z.NEVER;
    }
    return url.origin;
  });

export const UpdateSettingsInput = z.strictObject({
  /** Pages on these origins may embed checkouts; an empty list allows none (test mode allows loopback). */
  allowedOrigins: z.array(Origin).max(20).optional(),
  /** Take USDC for USD prices and EURC for EUR prices, one for one (Stellar). */
  stablecoinsAtPar: z.boolean().optional(),
  /** Short by up to this many basis points of the amount due still counts as paid (max 10%); for new checkouts. */
  underpaymentToleranceBps: z.number().int().min(0).max(1000).optional(),
});
export type UpdateSettingsInput = z.infer<typeof UpdateSettingsInput>;

export function settingsView(settings: MerchantSettings) {
  return {
    allowedOrigins: [...settings.allowedOrigins],
    stablecoinsAtPar: settings.stablecoinsAtPar ?? false,
    underpaymentToleranceBps: settings.underpaymentToleranceBps ?? 0,
  };
}

export async function updateSettings(
  db: Database,
  merchantId: string,
  input: UpdateSettingsInput,
): Promise<MerchantSettings | null> {
  return updateMerchantSettings(db, merchantId, {
    ...(input.allowedOrigins ? { allowedOrigins: [...new Set(input.allowedOrigins)] } : {}),
    ...(input.stablecoinsAtPar !== undefined ? { stablecoinsAtPar: input.stablecoinsAtPar } : {}),
    ...(input.underpaymentToleranceBps !== undefined
      ? { underpaymentToleranceBps: input.underpaymentToleranceBps }
      : {}),
  });
}
