import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asMerchantId } from '@kassa/core';
import { issueKey } from '@kassa/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from './testing';

let api: TestApi;
let widgetDir: string;
beforeAll(async () => {
  widgetDir = await mkdtemp(join(tmpdir(), 'kassa-widget-'));
  await writeFile(
    join(widgetDir, 'index.html'),
    '<html><head><!--kassa-config--></head><body></body></html>',
  );
  await writeFile(join(widgetDir, 'kassa.js'), `(function(){${'/* loader */ '.repeat(200)}})();`);
  api = await startTestApi({ widgetDir });
});
afterAll(async () => {
  await api.close();
  await rm(widgetDir, { recursive: true, force: true });
});

const auth = (m: TestMerchant) => ({ authorization: `Bearer ${m.secretKey}` });
const data = <T>(res: { body: unknown }) => (res.body as { result: { data: T } }).result.data;
const kassaCode = (res: { body: unknown }) =>
  (res.body as { error: { data: { kassaCode: string } } }).error.data.kassaCode;

async function checkout(m: TestMerchant, rails?: string[]): Promise<string> {
  const res = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount: '9.99', currency: 'EUR', ...(rails ? { rails } : {}) },
    auth(m),
  );
  expect(res.status).toBe(200);
  return data<{ id: string }>(res).id;
}

function injectedConfig(html: string): Record<string, unknown> {
  const match = /<script id="kassa-config" type="application\/json">(.*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as Record<string, unknown>;
}

const embedUrl = (id: string, key: string, origin: string) =>
  `${api.url}/pay/${id}?embed=1&key=${encodeURIComponent(key)}&origin=${encodeURIComponent(origin)}`;

describe('merchant settings', () => {
  it('start with no embedding origins; update normalizes, dedupes and keeps what it was not given', async () => {
    const shop = await api.merchant('Settings Shop');
    expect(data(await rawCall(api.url, 'settings.get', 'query', undefined, auth(shop)))).toEqual({
      allowedOrigins: [],
      stablecoinsAtPar: false,
      underpaymentToleranceBps: 0,
    });
    const updated = await rawCall(
      api.url,
      'settings.update',
      'mutation',
      { allowedOrigins: ['https://shop.example/', 'https://shop.example', 'http://localhost:8080'] },
      auth(shop),
    );
    expect(data(updated)).toEqual({
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
      stablecoinsAtPar: false,
      underpaymentToleranceBps: 0,
    });
    // One setting changed; the other kept.
    await rawCall(api.url, 'settings.update', 'mutation', { stablecoinsAtPar: true }, auth(shop));
    expect(data(await rawCall(api.url, 'settings.get', 'query', undefined, auth(shop)))).toEqual({
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
      stablecoinsAtPar: true,
      underpaymentToleranceBps: 0,
    });
  });

  it('refuses anything that is not a bare http(s) origin, and changes nothing', async () => {
    const shop = await api.merchant('Strict Shop');
    for (const bad of [
      'https://shop.example/checkout',
      'https://shop.example/?q=1',
      'javascript:alert(1)',
      'ftp://shop.example',
      'shop.example',
      "https://shop.example; script-src 'unsafe-inline'",
      'https://user:pw@shop.example',
      'https://*.shop.example',
      'https://a%3Bb.example',
      "https://a'b.example",
      'https://a,b.example',
    ]) {
      const res = await rawCall(
        api.url,
        'settings.update',
        'mutation',
        { allowedOrigins: [bad] },
        auth(shop),
      );
      expect(res.status, bad).toBe(400);
      expect(kassaCode(res), bad).toBe('input_invalid');
    }
    expect(data(await rawCall(api.url, 'settings.get', 'query', undefined, auth(shop)))).toEqual({
      allowedOrigins: [],
      stablecoinsAtPar: false,
      underpaymentToleranceBps: 0,
    });
  });

  it('need the secret key', async () => {
    const shop = await api.merchant('Keyless Shop');
    const res = await rawCall(api.url, 'settings.get', 'query', undefined, {
      'x-kassa-publishable-key': shop.publishableKey,
    });
    expect(res.status).toBe(401);
  });
});

describe('the hosted page', () => {
  it('carries the public config only, and may not be framed', async () => {
    const shop = await api.merchant('Hosted Shop');
    const id = await checkout(shop);
    const res = await fetch(`${api.url}/pay/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(injectedConfig(html)).toEqual({
      checkoutId: id,
      publishableKey: shop.publishableKey,
      apiUrl: 'http://127.0.0.1:0',
    });
    expect(html).not.toContain(shop.secretKey);
  });

  it('in test mode, a loopback page may embed it with the right publishable key', async () => {
    const shop = await api.merchant('Local Shop');
    const id = await checkout(shop);
    const res = await fetch(embedUrl(id, shop.publishableKey, 'http://localhost:5173'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors http://localhost:5173');
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(injectedConfig(await res.text())).toMatchObject({ parentOrigin: 'http://localhost:5173' });
  });

  it('another merchant’s key, a secret key or a missing origin gets nothing; any of its own keys works', async () => {
    const shop = await api.merchant('Guarded Shop');
    const other = await api.merchant('Other Shop');
    const id = await checkout(shop);
    expect((await fetch(embedUrl(id, other.publishableKey, 'http://localhost:5173'))).status).toBe(404);
    expect((await fetch(embedUrl(id, shop.secretKey, 'http://localhost:5173'))).status).toBe(404);
    const second = await issueKey(api.db.orm, asMerchantId(shop.merchantId), 'publishable', 'test');
    for (const key of [shop.publishableKey, second])
      expect((await fetch(embedUrl(id, key, 'http://localhost:5173'))).status).toBe(200);
    expect((await fetch(`${api.url}/pay/${id}?embed=1&key=${shop.publishableKey}`)).status).toBe(403);
  });

  it('a site embeds it only once the merchant allows its origin', async () => {
    const shop = await api.merchant('Embedding Shop');
    const id = await checkout(shop);
    const refused = await fetch(embedUrl(id, shop.publishableKey, 'https://shop.example'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(await refused.text()).toContain('allowedOrigins');
    await rawCall(
      api.url,
      'settings.update',
      'mutation',
      { allowedOrigins: ['https://shop.example'] },
      auth(shop),
    );
    const allowed = await fetch(embedUrl(id, shop.publishableKey, 'https://shop.example'));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-security-policy')).toContain('frame-ancestors https://shop.example');
    // A configured origin opens no door for its neighbours.
    expect((await fetch(embedUrl(id, shop.publishableKey, 'https://evil.example'))).status).toBe(403);
  });

  it('live checkouts: loopback only when listed, and never a plain-http site', async () => {
    const live = await startTestApi({ gatewayMode: 'live', widgetDir });
    try {
      const shop = await live.merchant('Live Shop', 'live');
      // No real rail is configured here: lend the live side the sandbox adapter to make a checkout.
      const liveRails = live.deps.rails.live as Map<string, unknown>;
      liveRails.set('sandbox', live.deps.rails.test.get('sandbox'));
      const created = await rawCall(
        live.url,
        'checkouts.create',
        'mutation',
        { amount: '1.00', currency: 'USD' },
        auth(shop),
      );
      const id = data<{ id: string }>(created).id;
      const embed = (origin: string) =>
        fetch(
          `${live.url}/pay/${id}?embed=1&key=${shop.publishableKey}&origin=${encodeURIComponent(origin)}`,
        );
      expect((await embed('http://localhost:5173')).status).toBe(403);
      await rawCall(
        live.url,
        'settings.update',
        'mutation',
        { allowedOrigins: ['http://localhost:5173', 'http://shop.example', 'https://shop.example'] },
        auth(shop),
      );
      expect((await embed('http://localhost:5173')).status).toBe(200);
      expect((await embed('http://shop.example')).status).toBe(403);
      expect((await embed('https://shop.example')).status).toBe(200);
    } finally {
      await live.close();
    }
  });
});

describe('the widget’s view of a checkout', () => {
  it('offers only the rails this gateway can still take, and the merchant’s way back', async () => {
    const shop = await api.merchant('Rails Shop');
    const created = await rawCall(
      api.url,
      'checkouts.create',
      'mutation',
      { amount: '5.00', currency: 'USD', rails: ['sandbox'], cancelUrl: 'https://shop.example/cart' },
      auth(shop),
    );
    const id = data<{ id: string }>(created).id;
    const view = async () =>
      data<{ rails: string[]; cancelUrl: string | null }>(
        await rawCall(
          api.url,
          'checkout.get',
          'query',
          { checkoutId: id },
          {
            'x-kassa-publishable-key': shop.publishableKey,
          },
        ),
      );
    expect(await view()).toMatchObject({ rails: ['sandbox'], cancelUrl: 'https://shop.example/cart' });
    // The operator switches the rail off after the checkout was made: the payer is not offered it.
    const testRails = api.deps.rails.test as Map<string, unknown>;
    const sandbox = testRails.get('sandbox');
    testRails.delete('sandbox');
    try {
      expect((await view()).rails).toEqual([]);
    } finally {
      testRails.set('sandbox', sandbox);
    }
  });

  it('choosing the sandbox answers with a QR code of the hosted page, as an SVG', async () => {
    const shop = await api.merchant('QR Shop');
    const id = await checkout(shop);
    const res = await rawCall(
      api.url,
      'checkout.selectRail',
      'mutation',
      { checkoutId: id, rail: 'sandbox' },
      { 'x-kassa-publishable-key': shop.publishableKey },
    );
    const instructions = data<{ rail: string; handoff: { url: string; qrSvg: string } }>(res);
    expect(instructions.rail).toBe('sandbox');
    expect(instructions.handoff.url).toBe(`http://127.0.0.1:0/pay/${id}`);
    expect(instructions.handoff.qrSvg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(instructions.handoff.qrSvg).not.toMatch(/<script|on\w+=/i);
  });

  it('widget files go out gzipped to browsers that take it, and whole to others', async () => {
    const zipped = await fetch(`${api.url}/widget/kassa.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('accept-encoding');
    expect(zipped.headers.get('cache-control')).toBe('public, max-age=300');
    // fetch unzips it: the same text either way.
    const plain = await fetch(`${api.url}/widget/kassa.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await zipped.text()).toBe(await plain.text());
    expect((await fetch(`${api.url}/widget/../../etc/passwd`)).status).toBe(404);
  });
});
