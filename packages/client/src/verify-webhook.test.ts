import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationErrorCode } from './index';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const secret = newSecret();
const now = new Date('2030-01-01T00:00:00.000Z');

const amount = (value: string) => ({ amount: value, asset: 'USDC' });
const event = {
  id: 'evt_1',
  type: 'checkout.paid',
  createdAt: '2029-12-31T23:59:58.000Z',
  sequence: 3,
  data: {
    checkout: {
      id: 'co_1',
      mode: 'test',
      status: 'paid',
      escrowStatus: null,
      amountDue: amount('12.50'),
      amountReceived: amount('12.50'),
      lateReceived: amount('0'),
      amountRefunded: amount('0'),
    },
  },
};
const body = JSON.stringify(event);

function signed(payload: string, options: { at?: Date; secrets?: readonly string[]; id?: string } = {}) {
  const at = options.at ?? now;
  const id = options.id ?? 'evt_1';
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': (options.secrets ?? [secret])
      .map((s) => new Webhook(s).sign(id, at, payload))
      .join(' '),
  };
}

function rejection(run: () => unknown): WebhookVerificationErrorCode | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

describe('verifyWebhook', () => {
  it('accepts an event signed by the standardwebhooks library and returns it parsed', () => {
    expect(verifyWebhook(body, signed(body), secret, { now })).toEqual(event);
  });

  it('accepts the raw body as bytes, and a Headers object as well as a plain record', () => {
    const headers = signed(body);
    const bytes = new TextEncoder().encode(body);
    expect(verifyWebhook(bytes, new Headers(headers), secret, { now })).toEqual(event);
    expect(verifyWebhook(Buffer.from(body), headers, secret, { now })).toEqual(event);
  });

  it('reads header names case-insensitively and header values given as arrays', () => {
    const headers = signed(body);
    const shouted = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': [headers['webhook-timestamp']],
      'Webhook-Signature': headers['webhook-signature'],
      'content-type': undefined,
    };
    expect(verifyWebhook(body, shouted, secret, { now })).toEqual(event);
  });

  it('drops fields it does not know instead of rejecting the event', () => {
    const extended = JSON.stringify({ ...event, livemode: false, data: { ...event.data, extra: 1 } });
    expect(verifyWebhook(extended, signed(extended), secret, { now })).toEqual(event);
  });

  it('rejects a tampered body or the wrong secret as signature_invalid', () => {
    const headers = signed(body);
    const tampered = body.replace('"12.50"', '"1250.00"');
    expect(rejection(() => verifyWebhook(tampered, headers, secret, { now }))).toBe('signature_invalid');
    expect(rejection(() => verifyWebhook(body, headers, newSecret(), { now }))).toBe('signature_invalid');
    expect(rejection(() => verifyWebhook(body, { ...headers, 'webhook-id': 'evt_2' }, secret, { now }))).toBe(
      'signature_invalid',
    );
    expect(
      rejection(() =>
        verifyWebhook(body, { ...headers, 'webhook-signature': 'v1,short v2,whatever' }, secret, { now }),
      ),
    ).toBe('signature_invalid');
  });

  it('rejects a timestamp more than 300 seconds away, either way, as timestamp_stale', () => {
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    for (const seconds of [-300, 300]) {
      expect(verifyWebhook(body, signed(body, { at: at(seconds) }), secret, { now })).toEqual(event);
    }
    for (const seconds of [-301, 301]) {
      const headers = signed(body, { at: at(seconds) });
      expect(rejection(() => verifyWebhook(body, headers, secret, { now }))).toBe('timestamp_stale');
    }
    const old = signed(body, { at: at(-3600) });
    expect(verifyWebhook(body, old, secret, { now, toleranceSeconds: 3600 })).toEqual(event);
  });

  it('rejects missing headers as headers_missing', () => {
    const headers = signed(body);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(rejection(() => verifyWebhook(body, rest, secret, { now }))).toBe('headers_missing');
      expect(rejection(() => verifyWebhook(body, new Headers(rest), secret, { now }))).toBe(
        'headers_missing',
      );
    }
    expect(
      rejection(() => verifyWebhook(body, { ...headers, 'webhook-timestamp': 'soon' }, secret, { now })),
    ).toBe('headers_missing');
  });

  it('rejects a correctly signed body that is not JSON or has an unknown type as payload_malformed', () => {
    const notJson = '{"id":';
    expect(rejection(() => verifyWebhook(notJson, signed(notJson), secret, { now }))).toBe(
      'payload_malformed',
    );
    const unknownType = JSON.stringify({ ...event, type: 'checkout.teleported' });
    expect(rejection(() => verifyWebhook(unknownType, signed(unknownType), secret, { now }))).toBe(
      'payload_malformed',
    );
    const floatAmount = JSON.stringify({
      ...event,
      data: { checkout: { ...event.data.checkout, amountDue: { amount: 12.5, asset: 'USDC' } } },
    });
    expect(rejection(() => verifyWebhook(floatAmount, signed(floatAmount), secret, { now }))).toBe(
      'payload_malformed',
    );
  });

  it('accepts a rotation header where only the second signature matches', () => {
    const headers = signed(body, { secrets: [newSecret(), secret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(body, headers, secret, { now })).toEqual(event);
  });

  it('throws a plain error, not a rejection, for a secret that is not whsec_…', () => {
    const headers = signed(body);
    expect(() => verifyWebhook(body, headers, secret.slice('whsec_'.length), { now })).toThrow(TypeError);
  });
});
