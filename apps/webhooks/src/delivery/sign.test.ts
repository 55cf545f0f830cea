import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '@kassa/db';
import { signWebhook } from './sign';

const body = JSON.stringify({ id: 'evt_1', type: 'checkout.paid', data: { checkout: { id: 'co_1' } } });

function verify(secret: string, payload: string, headers: Record<string, string>): unknown {
  return new Webhook(secret).verify(payload, headers, { jsonParse: false });
}

describe('generateWebhookSecret', () => {
  it('is whsec_ and 24 random bytes in base64', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('signWebhook', () => {
  it('is accepted by the standardwebhooks library', () => {
    const secret = generateWebhookSecret();
    const timestamp = new Date();
    const headers = signWebhook({ id: 'evt_1', timestamp, body, secrets: [secret] });
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(timestamp.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with both secrets of a rotation pair, each accepted on its own', () => {
    const [previous, next] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signWebhook({ id: 'evt_1', timestamp: new Date(), body, secrets: [previous, next] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => verify(previous, body, headers)).not.toThrow();
    expect(() => verify(next, body, headers)).not.toThrow();
    expect(() => verify(generateWebhookSecret(), body, headers)).toThrow(/No matching signature/);
  });

  it('is rejected when the body, id or timestamp is tampered with, or the secret is wrong', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'evt_1', timestamp: new Date(), body, secrets: [secret] });
    const earlier = String(Number(headers['webhook-timestamp']) - 1);

    expect(() => verify(secret, body, headers)).not.toThrow();
    expect(() => verify(secret, body.replace('evt_1', 'evt_2'), headers)).toThrow(/No matching signature/);
    expect(() => verify(secret, body, { ...headers, 'webhook-id': 'evt_2' })).toThrow(
      /No matching signature/,
    );
    expect(() => verify(secret, body, { ...headers, 'webhook-timestamp': earlier })).toThrow(
      /No matching signature/,
    );
    expect(() => verify(generateWebhookSecret(), body, headers)).toThrow(/No matching signature/);
  });

  it('refuses a secret without the whsec_ prefix, a malformed one, or none at all', () => {
    const input = { id: 'evt_1', timestamp: new Date(), body };
    const bare = generateWebhookSecret().slice('whsec_'.length);
    expect(() => signWebhook({ ...input, secrets: [bare] })).toThrow(Error);
    expect(() => signWebhook({ ...input, secrets: ['whsec_not base64!'] })).toThrow(Error);
    expect(() => signWebhook({ ...input, secrets: ['whsec_'] })).toThrow(Error);
    expect(() => signWebhook({ ...input, secrets: [] })).toThrow(Error);
  });

  it('always verifies, whatever the id and body', () => {
    const secret = generateWebhookSecret();
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.string({ unit: 'binary' }),
        (id, payload) => {
          const headers = signWebhook({ id, timestamp: new Date(), body: payload, secrets: [secret] });
          expect(() => verify(secret, payload, headers)).not.toThrow();
        },
      ),
    );
  });
});
