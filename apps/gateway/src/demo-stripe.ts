import { randomBytes } from 'node:crypto';
import type { StripeConfig } from '@kassa/providers';
import { startFakeStripe, type FakeStripe } from '@kassa/fakes/stripe';

/**
 * The card rail for the offline demo: the fake Stripe on a local port, with a webhook secret made
 * up for this run. Cards then work end to end with no network (the fake's page has Pay and Decline).
 */
export async function startDemoStripe(
  host: string,
  port: number,
): Promise<{ fake: FakeStripe; config: StripeConfig }> {
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const fake = await startFakeStripe({ host, port });
  const url = new URL(fake.url);
  return {
    fake,
    config: {
      secretKey: 'sk_test_kassa_demo_fake',
      mode: 'test',
      webhookSecrets: [secret],
      api: { host: url.hostname, port: Number(url.port), protocol: 'http' },
    },
  };
}
