import { createHmac } from 'node:crypto';

/**
 * The `Stripe-Signature` header Stripe puts on a webhook: `t=<unix s>,v1=<hex>`, the hex being
 * HMAC-SHA256 over `"<t>.<raw body>"` keyed with the whole `whsec_…` string (not base64-decoded).
 * Same inputs, same output as stripe-node's `webhooks.generateTestHeaderString`.
 */
export function stripeSignatureHeader(
  input: Readonly<{ payload: string; secret: string; timestamp: number }>,
) {
  const signature = createHmac('sha256', input.secret)
    .update(`${input.timestamp}.${input.payload}`, 'utf8')
    .digest('hex');
  return `t=${input.timestamp},v1=${signature}`;
}
