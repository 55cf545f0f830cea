import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeShkeeper, type FakeShkeeper } from './index';
import { paymentRequest } from './testing';

const PAYMENT_ID = 'pay_01J8ZQ3V6W9K2M4N5P7R8S0T1U';
const CALLBACK_URL = 'https://kassa.example.com/webhooks/shkeeper';
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

let fake: FakeShkeeper;
let wallet: string;

beforeEach(async () => {
  fake = await startFakeShkeeper();
  const invoice = await paymentRequest(fake, 'BNB-USDT', {
    external_id: PAYMENT_ID,
    amount: '12.50',
    callback_url: CALLBACK_URL,
  });
  wallet = z.object({ wallet: z.string() }).parse(invoice.json).wallet;
});

afterEach(async () => {
  await fake.close();
});

function post(
  fields: Record<string, string>,
  headers: Record<string, string> = { accept: 'application/json' },
): Promise<Response> {
  return fetch(`${fake.url}/demo/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const Sent = z.object({ txid: z.string() });
const Refused = z.object({ error: z.string() });

describe('fake SHKeeper: the demo send page', () => {
  it('shows the form prefilled from the link, escaped, under a strict CSP', async () => {
    const query = new URLSearchParams({ address: wallet, amount: '12.5"><script>x</script>' });
    const response = await fetch(`${fake.url}/demo/send?${query.toString()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/demo/send">');
    expect(html).toContain(`<label for="address">Address</label>`);
    expect(html).toContain(`value="${wallet}"`);
    expect(html).toContain('value="12.5&#34;&#62;&#60;script&#62;x&#60;/script&#62;"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<button type="submit">Send</button>');
  });

  it('sends to an invoice address and answers the txid as JSON; the invoice is credited', async () => {
    const response = await post({ address: wallet, amount: '12.500000000000000000' });
    expect(response.status).toBe(200);
    const { txid } = Sent.parse(await response.json());
    expect(fake.invoice(PAYMENT_ID)).toMatchObject({
      status: 'PAID',
      balanceFiat: '12.5',
      transactions: [{ txid, crypto: 'BNB-USDT', addr: wallet, amountCrypto: '12.5', confirmed: true }],
    });
  });

  it('shows the txid on the page after a form post from its own page', async () => {
    const response = await post(
      { address: ` ${wallet} `, amount: '5' },
      { origin: fake.url, accept: 'text/html' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    const txid = fake.invoice(PAYMENT_ID)?.transactions[0]?.txid;
    expect(txid).toBeDefined();
    expect(await response.text()).toContain(`<p role="status">Sent. Transaction <code>${txid}</code></p>`);
    expect(fake.invoice(PAYMENT_ID)).toMatchObject({ status: 'PARTIAL', balanceFiat: '5' });
  });

  it('refuses an address no invoice has, saying so', async () => {
    const other = '0x000000000000000000000000000000000000dEaD';
    const response = await post({ address: other, amount: '12.5' });
    expect(response.status).toBe(400);
    expect(Refused.parse(await response.json()).error).toBe(
      `${other} is not the address of any invoice here.`,
    );
    const page = await post({ address: '<b>nope</b>', amount: '1' }, { accept: 'text/html' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(
      '<p role="alert">Not sent: &#60;b&#62;nope&#60;/b&#62; is not the address of any invoice here.</p>',
    );
    expect(fake.invoice(PAYMENT_ID)?.transactions).toEqual([]);
  });

  it('refuses bad amounts, and takes no exponent', async () => {
    for (const amount of [
      '',
      '0',
      '0.000',
      '-1',
      'abc',
      '1e3',
      '1e999999999',
      '12,5',
      '1.0000000000000000001',
    ]) {
      const response = await post({ address: wallet, amount });
      expect(response.status, amount).toBe(400);
      expect(Refused.parse(await response.json()).error).toContain('is not an amount');
    }
    expect((await post({ amount: '1' })).status).toBe(400);
    expect(fake.invoice(PAYMENT_ID)?.transactions).toEqual([]);
  });

  it('refuses a post from another site’s form, and sends nothing', async () => {
    for (const origin of ['https://evil.example', 'null', fake.url.replace('127.0.0.1', 'localhost')]) {
      const response = await post(
        { address: wallet, amount: '12.5' },
        { origin, accept: 'application/json' },
      );
      expect(response.status, origin).toBe(403);
      expect(Refused.parse(await response.json()).error).toContain('cannot send from this page');
    }
    expect(fake.invoice(PAYMENT_ID)?.transactions).toEqual([]);
  });

  it('takes only GET and POST, and leaves the SHKeeper API as it was', async () => {
    const response = await fetch(`${fake.url}/demo/send`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    // The demo's calls are not SHKeeper API calls.
    await post({ address: wallet, amount: '1' });
    expect(fake.requests().map((r) => r.path)).toEqual(['/api/v1/BNB-USDT/payment_request']);
    expect((await fetch(`${fake.url}/demo/other`)).status).toBe(404);
  });
});
