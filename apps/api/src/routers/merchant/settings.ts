import { toTrpcError } from '../../errors';
import { getMerchantSettings } from '@kassa/db';
import { settingsView, updateSettings, UpdateSettingsInput } from '../../handlers/settings.handler';
import { merchantProcedure, router } from '../../trpc';

export const settingsRouter = router({
  get: merchantProcedure.query(async ({ ctx }) => {
    const settings = await getMerchantSettings(ctx.deps.db.orm, ctx.merchant.merchantId);
    if (!settings) throw toTrpcError({ code: 'not_found', message: 'This merchant does not exist.' });
    return settingsView(settings);
  }),
  update: merchantProcedure.input(UpdateSettingsInput).mutation(async ({ ctx, input }) => {
    const settings = await updateSettings(ctx.deps.db.orm, ctx.merchant.merchantId, input);
    if (!settings) throw toTrpcError({ code: 'not_found', message: 'This merchant does not exist.' });
    return settingsView(settings);
  }),
});
