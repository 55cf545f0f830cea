/**
 * The delivery bench's baseline, run in its own process (forked by deliveries.ts) as a worker is:
 * the same number of Standard Webhooks POSTs, signed and sent the way a delivery worker sends
 * them (fetch, same headers, `concurrency` in flight), but with no database behind them.
 */
import { createHmac } from 'node:crypto';

export type SignedPostsRequest = Readonly<{
  /** Request i goes to `urls[i % urls.length]`, as deliveries spread over the endpoints. */
  urls: readonly string[];
  count: number;
  concurrency: number;
  secret: string;
  /** A body shaped like a delivery's; `{id}` is replaced with each request's webhook id. */
  bodyTemplate: string;
}>;

export type SignedPostsReport = Readonly<{ sent: number; failed: number; seconds: number }>;

/**
 * The same computation as `signWebhook` in apps/webhooks (which its package does not export):
 * HMAC-SHA256 over `id.timestamp.body` with the secret's base64-decoded key.
 */
function sign(id: string, timestamp: Date, body: string, secret: string): Record<string, string> {
  const seconds = Math.floor(timestamp.getTime() / 1000);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${seconds}.${body}`, 'utf8').digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': `v1,${signature}` };
}

export async function sendSignedPosts(spec: SignedPostsRequest): Promise<SignedPostsReport> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < spec.count; i = next++) {
      const id = `evt_baseline_${i}`;
      const body = spec.bodyTemplate.replace('{id}', id);
      try {
        const response = await fetch(spec.urls[i % spec.urls.length] ?? '', {
          method: 'POST',
          headers: {
            ...sign(id, new Date(), body, spec.secret),
            'content-type': 'application/json',
            'user-agent': 'Kassa-Webhooks/1',
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        await response.text();
        if (response.status !== 200) failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, lane));
  return { sent: spec.count, failed, seconds: (performance.now() - started) / 1000 };
}

// As a forked child: one request in, one report out, then exit.
if (process.send) {
  process.once('message', (spec: SignedPostsRequest) => {
    sendSignedPosts(spec)
      .then((report) => process.send?.(report, () => process.exit(0)))
      .catch((error: unknown) => {
        process.stderr.write(`signed POST sender failed: ${String(error)}\n`);
        process.exit(1);
      });
  });
}
