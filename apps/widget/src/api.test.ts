import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkoutStreamUrl,
  getCheckout,
  isNewerView,
  openCheckoutStream,
  parseStreamData,
  selectRail,
  simulateCheckout,
  type CheckoutView,
  parseInstructions,
} from './api';

const config = { checkoutId: 'pay_1', publishableKey: 'pk_test_1', apiUrl: 'http://127.0.0.1:3000' };
const view: CheckoutView = {
  id: 'pay_1',
  status: 'pending',
  mode: 'test',
  merchantName: 'Coffee Shop',
  description: null,
  amountDue: { amount: '12.50', asset: 'USD' },
  amountReceived: { amount: '0.00', asset: 'USD' },
  amountRemaining: { amount: '12.50', asset: 'USD' },
  lineItems: [
    {
      name: 'Flat white',
      quantity: 2,
      unitAmount: { amount: '6.25', asset: 'USD' },
      amount: { amount: '12.50', asset: 'USD' },
    },
  ],
  expiresAt: '2030-01-01T00:00:00.000Z',
  rails: ['sandbox', 'card'],
  successUrl: null,
  cancelUrl: null,
};

function answer(status: number, body: unknown) {
  const fetchMock = vi.fn<typeof fetch>(() =>
    Promise.resolve(new Response(JSON.stringify(body), { status })),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('checkout API', () => {
  it('queries checkout.get with encoded input and the publishable key', async () => {
    const fetchMock = answer(200, { result: { data: { ...view, rails: ['sandbox', 'card', 'lightning'] } } });
    expect(await getCheckout(config)).toEqual({ ok: true, value: view });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:3000/trpc/checkout.get?input=%7B%22checkoutId%22%3A%22pay_1%22%7D');
    expect(init?.method).toBe('GET');
    expect(init?.headers).toEqual({ 'x-kassa-publishable-key': 'pk_test_1' });
  });

  it('posts checkout.simulate as JSON', async () => {
    const fetchMock = answer(200, { result: { data: { ...view, status: 'paid' } } });
    const result = await simulateCheckout(config, 'pay');
    expect(result.ok && result.value.status).toBe('paid');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:3000/trpc/checkout.simulate');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({
      'content-type': 'application/json',
      'x-kassa-publishable-key': 'pk_test_1',
    });
    expect(init?.body).toBe('{"checkoutId":"pay_1","outcome":"pay"}');
  });

  it('posts checkout.selectRail with the token of a stablecoin invoice, and no asset otherwise', async () => {
    const fetchMock = answer(200, { result: { data: { rail: 'sandbox' } } });
    await selectRail(config, 'evm', 'USDC:bsc');
    await selectRail(config, 'stellar');
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      [
        'http://127.0.0.1:3000/trpc/checkout.selectRail',
        '{"checkoutId":"pay_1","rail":"evm","asset":"USDC:bsc"}',
      ],
      ['http://127.0.0.1:3000/trpc/checkout.selectRail', '{"checkoutId":"pay_1","rail":"stellar"}'],
    ]);
  });

  it("keeps the API's kassaCode (the page words it), or the HTTP status without one", async () => {
    answer(404, {
      error: {
        message: 'Checkout not found',
        code: -32004,
        data: { httpStatus: 404, kassaCode: 'not_found' },
      },
    });
    expect(await getCheckout(config)).toEqual({
      ok: false,
      error: { code: 'not_found', retryable: false },
    });

    answer(400, { error: { message: '[{"code":"invalid_type"}]', data: { code: 'BAD_REQUEST' } } });
    const result = await simulateCheckout(config, 'fail');
    expect(!result.ok && result.error).toEqual({ code: 'http_400', retryable: false });
  });

  it('reports network failures as retryable and malformed views as errors', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const offline = await getCheckout(config);
    expect(!offline.ok && offline.error).toMatchObject({ code: 'network', retryable: true });

    answer(200, { result: { data: { ...view, amountDue: { amount: 12.5, asset: 'USD' } } } });
    const malformed = await getCheckout(config);
    expect(!malformed.ok && malformed.error.code).toBe('bad_response');
  });
});

describe('live status', () => {
  it('puts the publishable key in the stream URL, encoded', () => {
    expect(checkoutStreamUrl({ ...config, publishableKey: 'pk_test_a+b/c' })).toBe(
      'http://127.0.0.1:3000/live/pay_1?publishableKey=pk_test_a%2Bb%2Fc',
    );
  });

  it('reads a checkout event, with its sequence, and refuses anything else', () => {
    expect(parseStreamData(JSON.stringify({ ...view, sequence: 3 }))).toEqual({ ...view, sequence: 3 });
    expect(parseStreamData(JSON.stringify(view))).toEqual(view);
    expect(parseStreamData(JSON.stringify({ ...view, sequence: '3' }))).toBeNull();
    expect(parseStreamData('{"id":')).toBeNull();
    expect(parseStreamData(undefined)).toBeNull();
  });

  it('never replaces a view with an older one', () => {
    const at = (sequence: number): CheckoutView => ({ ...view, sequence });
    expect(isNewerView(null, at(1))).toBe(true);
    expect(isNewerView(at(1), at(2))).toBe(true);
    expect(isNewerView(at(2), at(2))).toBe(true);
    expect(isNewerView(at(3), at(2))).toBe(false);
    expect(isNewerView(view, at(1))).toBe(true);
  });

  it('is null without EventSource, so the page polls', () => {
    vi.stubGlobal('EventSource', undefined);
    expect(openCheckoutStream(config, { onView: vi.fn(), onError: vi.fn() })).toBeNull();
  });

  it('hands over views, closes itself when final, rides out a reconnect and reports a dead stream once', () => {
    const sources: FakeEventSource[] = [];
    class FakeEventSource {
      static readonly CONNECTING = 0;
      static readonly OPEN = 1;
      static readonly CLOSED = 2;
      readyState = FakeEventSource.OPEN;
      readonly listeners = new Map<string, ((event: { data?: unknown }) => void)[]>();
      closed = false;
      constructor(readonly url: string) {
        sources.push(this);
      }
      addEventListener(type: string, listener: (event: { data?: unknown }) => void) {
        this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
      }
      close() {
        this.closed = true;
      }
      emit(type: string, data?: unknown) {
        for (const listener of this.listeners.get(type) ?? []) listener({ data });
      }
    }
    vi.stubGlobal('EventSource', FakeEventSource);

    const onView = vi.fn();
    const onError = vi.fn();
    openCheckoutStream(config, { onView, onError });
    const live = sources[0]!;
    expect(live.url).toBe('http://127.0.0.1:3000/live/pay_1?publishableKey=pk_test_1');
    live.emit('checkout', JSON.stringify({ ...view, sequence: 1 }));
    live.emit('checkout', JSON.stringify({ ...view, status: 'paid', sequence: 2 }));
    expect(onView.mock.calls.map(([v]) => (v as CheckoutView).status)).toEqual(['pending', 'paid']);
    expect(live.closed).toBe(true);
    live.emit('error');
    expect(onError).not.toHaveBeenCalled();

    // A dropped connection: EventSource reconnects by itself (with Last-Event-ID); the page reads once meanwhile.
    const onReconnecting = vi.fn();
    openCheckoutStream(config, { onView, onError, onReconnecting });
    const dropped = sources[1]!;
    dropped.readyState = FakeEventSource.CONNECTING;
    dropped.emit('error');
    expect(onReconnecting).toHaveBeenCalledTimes(1);
    expect(dropped.closed).toBe(false);
    expect(onError).not.toHaveBeenCalled();

    // A stream the browser gave up on: the page falls back to polling, once.
    const close = openCheckoutStream(config, { onView, onError });
    const failing = sources[2]!;
    failing.readyState = FakeEventSource.CLOSED;
    failing.emit('error');
    failing.emit('error');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(failing.closed).toBe(true);
    close?.();
  });
});

describe('parseInstructions', () => {
  it('reads the sandbox and card variants, and only web addresses as the card page', () => {
    expect(
      parseInstructions({ rail: 'card', redirectUrl: 'https://checkout.stripe.com/c/pay/cs_test_1' }),
    ).toEqual({
      rail: 'card',
      redirectUrl: 'https://checkout.stripe.com/c/pay/cs_test_1',
    });
    expect(parseInstructions({ rail: 'card', redirectUrl: 'javascript:alert(1)' })).toBeNull();
    expect(parseInstructions({ rail: 'card' })).toBeNull();
    expect(parseInstructions({ rail: 'sandbox', outcomes: ['pay'] })).toEqual({
      rail: 'sandbox',
      handoff: null,
    });
    expect(parseInstructions({ rail: 'sandbox', handoff: { url: 'x', qrSvg: '<script>' } })).toBeNull();
    expect(parseInstructions({ rail: 'stellar' })).toBeNull();
  });

  it('reads the Stellar variant, and never a link that is not a SEP-7 pay request', () => {
    const stellar = {
      rail: 'stellar',
      destination: 'GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR',
      memo: '4102876531',
      memoType: 'id',
      amount: '10.0000000',
      asset: {
        id: 'USDC:stellar',
        code: 'USDC',
        issuer: 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
      },
      networkPassphrase: 'Test SDF Network ; September 2015',
      sep7Uri: 'web+stellar:pay?destination=GCFI&amount=10',
      expiresAt: '2030-01-01T00:00:00.000Z',
      qrSvg: '<svg viewBox="0 0 1 1"></svg>',
    };
    const { memoType: _id, expiresAt: _expiresAt, ...shown } = stellar;
    expect(parseInstructions(stellar)).toEqual(shown);
    expect(
      parseInstructions({ ...stellar, asset: { id: 'XLM:stellar', code: 'XLM', issuer: null } }),
    ).toMatchObject({
      asset: { issuer: null },
    });
    expect(parseInstructions({ ...stellar, sep7Uri: 'javascript:alert(1)' })).toBeNull();
    expect(parseInstructions({ ...stellar, memo: 'hello' })).toBeNull();
    expect(parseInstructions({ ...stellar, memoType: 'text' })).toBeNull();
    expect(parseInstructions({ ...stellar, amount: 10 })).toBeNull();
    expect(parseInstructions({ ...stellar, qrSvg: '<img src=x onerror=alert(1)>' })).toBeNull();
  });

  it('reads the stablecoin variant, and never a link but a transfer to the address shown', () => {
    const address = '0x8Ba1f109551bD432803012645Ac136ddd64DBA72';
    const contract = '0x55d398326f99059fF775485246999027B3197955';
    const uri = `ethereum:${contract}@56/transfer?address=${address}&uint256=12500000000000000000`;
    const evm = {
      rail: 'evm',
      address,
      amount: '12.500000000000000000',
      asset: { id: 'USDT:bsc', code: 'USDT', contract, decimals: 18 },
      network: 'bsc',
      uri,
      expiresAt: '2030-01-01T00:00:00.000Z',
      qrSvg: '<svg viewBox="0 0 1 1"></svg>',
    };
    const { expiresAt: _expiresAt, ...shown } = evm;
    expect(parseInstructions(evm)).toEqual({ ...shown, asset: { id: 'USDT:bsc', code: 'USDT', contract } });
    // A token without a contract in Kassa's registry: no link, the QR code is the address.
    expect(parseInstructions({ ...evm, uri: address })).toMatchObject({ uri: address });

    const other = '0x000000000000000000000000000000000000dEaD';
    for (const bad of [
      'javascript:alert(1)',
      `https://evil.example/?${uri}`,
      uri.replace(`address=${address}`, `address=${other}`),
      uri.replace(`ethereum:${contract}`, `ethereum:${other}`),
      `${uri}&value=1`,
      other,
    ]) {
      expect(parseInstructions({ ...evm, uri: bad }), bad).toBeNull();
    }
    expect(parseInstructions({ ...evm, address: 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL' })).toBeNull();
    expect(parseInstructions({ ...evm, network: 'polygon' })).toBeNull();
    expect(parseInstructions({ ...evm, amount: 12.5 })).toBeNull();
    expect(parseInstructions({ ...evm, amount: '1e3' })).toBeNull();
    expect(parseInstructions({ ...evm, asset: { ...evm.asset, code: '' } })).toBeNull();
    expect(parseInstructions({ ...evm, qrSvg: '<img src=x onerror=alert(1)>' })).toBeNull();
    expect(parseInstructions({ ...evm, qrSvg: undefined })).toBeNull();
  });

  it('reads a Tron invoice: its address, and no link', () => {
    const address = 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL';
    const tron = {
      rail: 'evm',
      address,
      amount: '12.500000',
      asset: { id: 'USDT:tron', code: 'USDT', contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', decimals: 6 },
      network: 'tron',
      uri: address,
      qrSvg: '<svg></svg>',
    };
    expect(parseInstructions(tron)).toMatchObject({ network: 'tron', address, uri: address });
    expect(parseInstructions({ ...tron, address: '0x8Ba1f109551bD432803012645Ac136ddd64DBA72' })).toBeNull();
    expect(parseInstructions({ ...tron, uri: `ethereum:${address}` })).toBeNull();
    // Base58 has no 0, O, I or l.
    const notBase58 = 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqe0';
    expect(parseInstructions({ ...tron, address: notBase58, uri: notBase58 })).toBeNull();
  });
});
