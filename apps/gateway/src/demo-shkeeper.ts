import { randomBytes } from 'node:crypto';
import type { ShkeeperConfig } from '@kassa/providers';
import { startFakeShkeeper, type FakeShkeeper } from '@kassa/fakes/shkeeper';

/**
 * The EVM stablecoin rail for the offline demo: the fake SHKeeper on a local port with an API key
 * made up for this run, posting its signed callbacks to this gateway's receiver.
 */
export async function startDemoShkeeper(
  host: string,
  port: number,
  receiverUrl: string,
): Promise<{ fake: FakeShkeeper; config: ShkeeperConfig }> {
  const apiKey = randomBytes(24).toString('hex');
  const admin = { user: 'kassa-demo', password: randomBytes(18).toString('hex') };
  // Payouts (escrow) complete on their own after a moment, as a real wallet's would.
  const fake = await startFakeShkeeper({
    host,
    port,
    apiKey,
    admin,
    retryEveryMs: 5_000,
    payoutAutoCompleteMs: 3_000,
  });
  // The wallet starts with tokens, so a merchant's payout can be sent before anyone has paid.
  for (const crypto of ['USDT', 'USDC', 'ETH-USDT', 'ETH-USDC', 'BNB-USDT', 'BNB-USDC'])
    fake.fund(crypto, '100000');
  return {
    fake,
    config: {
      url: fake.url,
      apiKey,
      admin,
      legacyCallbacks: false,
      payoutFee: '10',
      mode: 'test',
      callbackUrl: `${receiverUrl}/shkeeper`,
      payoutCallbackUrl: `${receiverUrl}/shkeeper/payout`,
    },
  };
}
