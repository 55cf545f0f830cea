import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMountOptions,
  KASSA_MESSAGE_TYPES,
  mount,
  readKassaMessage,
  type MessageLike,
  type MountOptions,
} from './mount';

const frame = { name: 'the checkout iframe window' };
const expected = { origin: 'https://pay.example.com', source: frame, checkoutId: 'pay_abc123' };
const paid = { source: 'kassa', type: 'kassa:paid', checkoutId: 'pay_abc123', status: 'paid' };
const fromFrame = (data: unknown): MessageLike => ({ origin: expected.origin, source: frame, data });

const options: MountOptions = {
  checkoutId: 'pay_abc123',
  publishableKey: 'pk_test_a1b2c3d4e5f6',
  apiUrl: 'https://pay.example.com/',
};

describe('readKassaMessage', () => {
  it('accepts every Kassa message type from the frame, keeping only the fields Kassa defines', () => {
    for (const type of KASSA_MESSAGE_TYPES) {
      const data = { source: 'kassa', type, checkoutId: 'pay_abc123', height: 600, extra: '<script>' };
      expect(readKassaMessage(fromFrame(data), expected)).toEqual({
        type,
        checkoutId: 'pay_abc123',
        height: 600,
      });
    }
    expect(readKassaMessage(fromFrame(paid), expected)).toEqual({
      type: 'kassa:paid',
      checkoutId: 'pay_abc123',
      status: 'paid',
    });
  });

  it('refuses a message from any other origin, however close', () => {
    const near = ['http://pay.example.com', 'https://pay.example.com:8443', 'https://evil.pay.example.com'];
    const origin = fc.oneof(
      fc.constantFrom(...near, 'null', ''),
      fc.webUrl().map((url) => new URL(url).origin),
      fc.string(),
    );
    fc.assert(
      fc.property(origin, (other) => {
        fc.pre(other !== expected.origin);
        expect(readKassaMessage({ origin: other, source: frame, data: paid }, expected)).toBeNull();
      }),
    );
  });

  it('refuses a message from another window of the right origin', () => {
    const source = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.object(),
      fc.constant({ ...frame }),
    );
    fc.assert(
      fc.property(source, (other) => {
        expect(readKassaMessage({ origin: expected.origin, source: other, data: paid }, expected)).toBeNull();
      }),
    );
  });

  it('refuses everything while the frame has no window, even a message with no source', () => {
    const detached = { ...expected, source: null };
    expect(readKassaMessage({ origin: expected.origin, source: null, data: paid }, detached)).toBeNull();
  });

  it('refuses a message about another checkout', () => {
    const checkoutId = fc.oneof(fc.stringMatching(/^pay_[0-9A-Za-z]{1,40}$/), fc.string(), fc.integer());
    fc.assert(
      fc.property(checkoutId, (other) => {
        fc.pre(other !== expected.checkoutId);
        expect(readKassaMessage(fromFrame({ ...paid, checkoutId: other }), expected)).toBeNull();
      }),
    );
  });

  it('refuses an unknown type', () => {
    const known: readonly unknown[] = KASSA_MESSAGE_TYPES;
    const type = fc.oneof(
      fc.string(),
      fc.constantFrom('kassa:PAID', 'paid', 'kassa:paid ', 'kassa:refunded', 'toString', '__proto__'),
      fc.integer(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(type, (other) => {
        fc.pre(!known.includes(other));
        expect(readKassaMessage(fromFrame({ ...paid, type: other }), expected)).toBeNull();
      }),
    );
  });

  it('refuses data not shaped as a Kassa message', () => {
    const malformed: unknown[] = [
      {},
      { ...paid, source: 'stripe' },
      { type: 'kassa:paid', checkoutId: 'pay_abc123' },
      { ...paid, status: 42 },
      { ...paid, height: '600' },
      { source: 'kassa', type: 'kassa:resize', checkoutId: 'pay_abc123' },
      { source: 'kassa', type: 'kassa:resize', checkoutId: 'pay_abc123', height: Number.NaN },
      { source: 'kassa', type: 'kassa:resize', checkoutId: 'pay_abc123', height: Infinity },
      Object.assign(['kassa'], paid),
      new Map(Object.entries(paid)),
    ];
    for (const data of malformed) expect(readKassaMessage(fromFrame(data), expected)).toBeNull();
  });

  it('refuses data that is not an object', () => {
    const notObject = fc.oneof(
      fc.string(),
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(JSON.stringify(paid)),
      fc.array(fc.anything()),
    );
    fc.assert(
      fc.property(notObject, (data) => {
        expect(readKassaMessage(fromFrame(data), expected)).toBeNull();
      }),
    );
  });
});

describe('checkMountOptions', () => {
  it('accepts valid options and drops the trailing slash of apiUrl', () => {
    expect(checkMountOptions(options)).toEqual({
      checkoutId: 'pay_abc123',
      publishableKey: 'pk_test_a1b2c3d4e5f6',
      apiUrl: 'https://pay.example.com',
      origin: 'https://pay.example.com',
    });
    expect(checkMountOptions({ ...options, apiUrl: 'http://127.0.0.1:3000/kassa//' })).toMatchObject({
      apiUrl: 'http://127.0.0.1:3000/kassa',
      origin: 'http://127.0.0.1:3000',
    });
  });

  it('refuses a checkout id that is not pay_ and 1 to 40 letters or digits', () => {
    const id = fc.oneof(
      fc.string(),
      fc.constantFrom('pay_', 'pay_a/b', 'pay_a?b', 'pay_a b', `pay_${'a'.repeat(41)}`, 'mer_abc', 'PAY_abc'),
    );
    fc.assert(
      fc.property(id, (checkoutId) => {
        fc.pre(!/^pay_[0-9A-Za-z]{1,40}$/.test(checkoutId));
        expect(() => checkMountOptions({ ...options, checkoutId })).toThrow(TypeError);
        expect(() => checkMountOptions({ ...options, checkoutId })).toThrow(/checkoutId/);
      }),
    );
  });

  it('refuses a secret key, telling never to put one in a page, without repeating it', () => {
    fc.assert(
      fc.property(fc.constantFrom('test', 'live'), fc.base64String({ minLength: 8 }), (mode, rest) => {
        const secretKey = `sk_${mode}_${rest}`;
        let error: unknown;
        try {
          checkMountOptions({ ...options, publishableKey: secretKey });
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(TypeError);
        expect(String(error)).toMatch(/never put a secret key in a page/i);
        expect(String(error)).not.toContain(secretKey);
      }),
    );
  });

  it('refuses a publishable key of the wrong shape', () => {
    for (const publishableKey of [
      '',
      'pk_test_short',
      'pk_prod_a1b2c3d4e5',
      'whsec_a1b2c3d4e5',
      'pk_test_a1b2 c3d4',
    ]) {
      expect(() => checkMountOptions({ ...options, publishableKey })).toThrow(/publishableKey/);
    }
  });

  it('refuses an apiUrl that is not a plain http(s) URL', () => {
    const bad = [
      '',
      'pay.example.com',
      '/relative',
      'javascript:alert(1)',
      'data:text/html,x',
      'ftp://pay.example.com',
      'https://pay.example.com/?a=1',
      'https://pay.example.com/#x',
      'https://user:pass@pay.example.com',
    ];
    for (const apiUrl of bad) {
      expect(() => checkMountOptions({ ...options, apiUrl })).toThrow(TypeError);
      expect(() => checkMountOptions({ ...options, apiUrl })).toThrow(/apiUrl/);
    }
  });

  it('is what mount checks first, before touching the page', () => {
    const untouchable = new Proxy({} as HTMLElement, {
      get() {
        throw new Error('the element was touched');
      },
    });
    expect(() => mount(untouchable, { ...options, publishableKey: 'sk_test_a1b2c3d4e5f6' })).toThrow(
      /secret key/,
    );
  });
});
