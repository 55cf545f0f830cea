import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isTronAddress, toChecksumAddress } from './addresses';
import { startFakeShkeeper, type FakeShkeeper } from './index';
import { call, fixture, paymentRequest } from './testing';

const PAYMENT_ID = 'pay_01J8ZQ3V6W9K2M4N5P7R8S0T1U';
const CALLBACK_URL = 'https://kassa.example.com/webhooks/shkeeper';

const InvoiceResponse = z.object({
  status: z.literal('success'),
  id: z.number(),
  amount: z.string(),
  exchange_rate: z.string(),
  wallet: z.string(),
  display_name: z.string(),
  recalculate_after: z.number(),
});

const errors = z.record(z.string(), z.record(z.string(), z.string())).parse(fixture('errors.json'));

function keysOf(value: unknown): string[] {
  return Object.keys(z.record(z.string(), z.unknown()).parse(value)).sort();
}

let fake: FakeShkeeper;

beforeEach(async () => {
  fake = await startFakeShkeeper({ apiKey: 'kassa-test-key', admin: { user: 'admin', password: 'pw' } });
});

afterEach(async () => {
  await fake.close();
});

describe('fake SHKeeper: authentication quirks', () => {
  it('answers a missing or wrong API key with HTTP 200 and an error body', async () => {
    const body = { external_id: PAYMENT_ID, fiat: 'USD', amount: '49.99', callback_url: CALLBACK_URL };
    const none = await call(fake, 'POST', '/ETH-USDT/payment_request', { body });
    expect(none.status).toBe(200);
    expect(none.json).toEqual(errors['no_api_key']);
    const bad = await call(fake, 'POST', '/ETH-USDT/payment_request', { apiKey: 'nope', body });
    expect(bad.status).toBe(200);
    expect(bad.json).toEqual(errors['bad_api_key']);
    const reads = await call(fake, 'GET', `/invoices/${PAYMENT_ID}`, { apiKey: 'nope' });
    expect(reads.json).toEqual(errors['bad_api_key']);
    expect(fake.invoices()).toEqual([]);
  });

  it('redirects a payout call without credentials to the login page', async () => {
    const body = { amount: '1', destination: 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ', fee: '10' };
    const answer = await call(fake, 'POST', '/USDT/payout', { body });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/login');
    // README's `Authorization: Basic <api key>` is no credentials at all to SHKeeper.
    const readme = await call(fake, 'POST', '/USDT/payout', {
      body,
      headers: { Authorization: 'Basic kassa-test-key' },
    });
    expect(readme.status).toBe(302);
    // A client that follows the redirect lands on HTML, not JSON.
    const followed = await fetch(`${fake.url}/api/v1/USDT/task/x`);
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toContain('text/html');
    expect(fake.payouts()).toEqual([]);
  });

  it('refuses the API key on payout routes and wrong Basic credentials with HTTP 200', async () => {
    const body = { amount: '1', destination: 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ', fee: '10' };
    const withKey = await call(fake, 'POST', '/USDT/payout', { apiKey: fake.apiKey, body });
    expect(withKey.status).toBe(200);
    expect(withKey.json).toEqual(errors['payout_with_api_key_header']);
    const wrong = await call(fake, 'GET', '/USDT/task/abc', { basic: { user: 'admin', password: 'guess' } });
    expect(wrong.status).toBe(200);
    expect(wrong.json).toEqual(errors['payout_bad_basic_auth']);
    const bearer = await call(fake, 'POST', '/USDT/multipayout', {
      body: [],
      headers: { Authorization: 'Bearer x' },
    });
    expect(bearer.json).toEqual(errors['payout_bad_basic_auth']);
  });

  it('serves the crypto list without auth', async () => {
    const answer = await call(fake, 'GET', '/crypto');
    expect(answer.json).toEqual({
      status: 'success',
      crypto: ['BNB-USDC', 'BNB-USDT', 'ETH-USDC', 'ETH-USDT', 'USDC', 'USDT'],
      crypto_list: [
        { name: 'BNB-USDC', display_name: 'BEP20 USDC' },
        { name: 'BNB-USDT', display_name: 'BEP20 USDT' },
        { name: 'ETH-USDC', display_name: 'ERC20 USDC' },
        { name: 'ETH-USDT', display_name: 'ERC20 USDT' },
        { name: 'USDC', display_name: 'TRC20 USDC' },
        { name: 'USDT', display_name: 'TRC20 USDT' },
      ],
    });
  });
});

describe('fake SHKeeper: invoices', () => {
  it('creates an invoice shaped like the fixture, with a checksummed deposit address', async () => {
    const answer = await paymentRequest(fake, 'ETH-USDT', {
      external_id: PAYMENT_ID,
      amount: '49.99',
      callback_url: CALLBACK_URL,
    });
    expect(answer.status).toBe(200);
    expect(keysOf(answer.json)).toEqual(keysOf(fixture('payment_request.response.json')));
    const invoice = InvoiceResponse.parse(answer.json);
    expect(invoice).toMatchObject({
      amount: '49.99',
      exchange_rate: '1',
      display_name: 'ERC20 USDT',
      recalculate_after: 0,
    });
    expect(toChecksumAddress(invoice.wallet)).toBe(invoice.wallet);
    expect(answer.text).toBe(`${answer.text.trim()}\n`);

    const tron = InvoiceResponse.parse(
      (
        await paymentRequest(fake, 'USDT', {
          external_id: 'pay_tron',
          amount: '10',
          callback_url: CALLBACK_URL,
        })
      ).json,
    );
    expect(isTronAddress(tron.wallet)).toBe(true);
    expect(tron.display_name).toBe('TRC20 USDT');
  });

  it('updates the invoice for the same external_id, callback_url and fiat, keeping the address', async () => {
    const body = { external_id: PAYMENT_ID, amount: '49.99', callback_url: CALLBACK_URL };
    const first = InvoiceResponse.parse((await paymentRequest(fake, 'ETH-USDT', body)).json);
    const again = InvoiceResponse.parse(
      (await paymentRequest(fake, 'ETH-USDT', { ...body, amount: '60' })).json,
    );
    expect(again.id).toBe(first.id);
    expect(again.wallet).toBe(first.wallet);
    expect(again.amount).toBe('60');
    expect(fake.invoices()).toHaveLength(1);

    // Another callback_url is another invoice.
    const other = InvoiceResponse.parse(
      (await paymentRequest(fake, 'ETH-USDT', { ...body, callback_url: `${CALLBACK_URL}/other` })).json,
    );
    expect(other.id).not.toBe(first.id);
    expect(other.wallet).not.toBe(first.wallet);
  });

  it('switches crypto with a new address, and the old one stays credited', async () => {
    const body = { external_id: PAYMENT_ID, amount: '49.99', callback_url: CALLBACK_URL };
    const erc20 = InvoiceResponse.parse((await paymentRequest(fake, 'ETH-USDT', body)).json);
    const trc20 = InvoiceResponse.parse((await paymentRequest(fake, 'USDT', body)).json);
    expect(trc20.id).toBe(erc20.id);
    expect(trc20.wallet).not.toBe(erc20.wallet);
    expect(isTronAddress(trc20.wallet)).toBe(true);
    // Back to ERC20: the first address again.
    const back = InvoiceResponse.parse((await paymentRequest(fake, 'ETH-USDT', body)).json);
    expect(back.wallet).toBe(erc20.wallet);
    await paymentRequest(fake, 'USDT', body);

    const txid = fake.send(erc20.wallet, '20');
    const invoices = await call(fake, 'GET', `/invoices/${PAYMENT_ID}`, { apiKey: fake.apiKey });
    expect(invoices.json).toEqual({
      status: 'success',
      invoices: [
        {
          external_id: PAYMENT_ID,
          fiat: 'USD',
          amount_fiat: '49.99',
          balance_fiat: '20',
          status: 'PARTIAL',
          txs: [{ addr: erc20.wallet, amount: '20', crypto: 'ETH-USDT', status: 'CONFIRMED', txid }],
        },
      ],
    });
    // Only the current crypto counts in balance_crypto; fiat counts everything.
    expect(fake.invoice(PAYMENT_ID)).toMatchObject({ crypto: 'USDT', balanceFiat: '20', balanceCrypto: '0' });
  });

  it('says an unknown, disabled or lagging crypto is unavailable', async () => {
    const body = { external_id: PAYMENT_ID, amount: '49.99', callback_url: CALLBACK_URL };
    expect((await paymentRequest(fake, 'DOGE', body)).json).toEqual({
      status: 'error',
      message: 'DOGE payment gateway is unavailable',
    });
    fake.setAvailability('ETH-USDT', 'lagging');
    expect((await paymentRequest(fake, 'ETH-USDT', body)).json).toEqual(errors['crypto_lagging']);
    fake.setAvailability('ETH-USDT', 'disabled');
    expect((await paymentRequest(fake, 'ETH-USDT', body)).json).toEqual(errors['crypto_unavailable']);
    const list = z.object({ crypto: z.array(z.string()) }).parse((await call(fake, 'GET', '/crypto')).json);
    expect(list.crypto).not.toContain('ETH-USDT');
  });

  it('reports a malformed request as SHKeeper does: HTTP 200, message and traceback', async () => {
    const answer = await call(fake, 'POST', '/ETH-USDT/payment_request', {
      apiKey: fake.apiKey,
      body: { external_id: PAYMENT_ID, fiat: 'USD', callback_url: CALLBACK_URL },
    });
    expect(answer.status).toBe(200);
    const failure = z
      .object({ status: z.string(), message: z.string(), traceback: z.string() })
      .parse(answer.json);
    expect(failure).toMatchObject({ status: 'error', message: "'amount'" });
    expect(failure.traceback).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*KeyError: 'amount'\n$/);
    const junk = await call(fake, 'POST', '/ETH-USDT/payment_request', {
      apiKey: fake.apiKey,
      body: { external_id: PAYMENT_ID, fiat: 'USD', amount: 'lots', callback_url: CALLBACK_URL },
    });
    expect(junk.json).toMatchObject({ status: 'error', message: "[<class 'decimal.ConversionSyntax'>]" });
  });

  it('quotes at the configured rate, rounded to 8 decimals', async () => {
    const eth = await startFakeShkeeper({ cryptos: ['ETH', 'ETH-USDT'], rates: { ETH: '3500.12' } });
    try {
      const answer = await call(eth, 'POST', '/ETH/quote', {
        apiKey: eth.apiKey,
        body: { fiat: 'USD', amount: '49.99' },
      });
      expect(answer.json).toEqual({
        status: 'success',
        fiat: 'USD',
        amount_fiat: '49.99',
        crypto: 'ETH',
        amount_crypto: '0.01428237',
        exchange_rate: '3500.12',
      });
      const invoice = InvoiceResponse.parse(
        (
          await paymentRequest(eth, 'ETH', {
            external_id: 'pay_eth',
            amount: '49.99',
            callback_url: CALLBACK_URL,
          })
        ).json,
      );
      expect(invoice).toMatchObject({
        amount: '0.01428237',
        exchange_rate: '3500.12',
        display_name: 'Ethereum',
      });
      const missing = await call(eth, 'POST', '/ETH/quote', { apiKey: eth.apiKey, body: { fiat: 'USD' } });
      expect(missing.json).toEqual({ status: 'error', message: "'fiat' and 'amount' are required fields." });
    } finally {
      await eth.close();
    }
  });

  it('serves tx-info (fiat amount), transactions by address and the wallet balance', async () => {
    const invoice = InvoiceResponse.parse(
      (
        await paymentRequest(fake, 'USDT', {
          external_id: PAYMENT_ID,
          amount: '49.99',
          callback_url: CALLBACK_URL,
        })
      ).json,
    );
    const txid = fake.send(invoice.wallet, '30');
    expect(txid).toMatch(/^[0-9a-f]{64}$/);
    const info = await call(fake, 'GET', `/tx-info/${txid}/${PAYMENT_ID}`, { apiKey: fake.apiKey });
    expect(info.json).toEqual({
      status: 'success',
      info: { addr: invoice.wallet, amount: '30', crypto: 'USDT' },
    });
    const unknown = await call(fake, 'GET', `/tx-info/${txid}/pay_other`, { apiKey: fake.apiKey });
    expect(unknown.json).toEqual({ status: 'success', info: {} });
    const listed = await call(fake, 'GET', `/transactions/USDT/${invoice.wallet}`, { apiKey: fake.apiKey });
    expect(listed.json).toEqual({
      status: 'success',
      transactions: [{ addr: invoice.wallet, amount: '30', crypto: 'USDT', status: 'CONFIRMED', txid }],
    });
    const nothing = await call(fake, 'GET', `/invoices/pay_unknown`, { apiKey: fake.apiKey });
    expect(nothing.json).toEqual({ status: 'success', invoices: [] });

    const balance = await call(fake, 'GET', '/USDT/balance', { apiKey: fake.apiKey });
    expect(balance.json).toEqual({
      name: 'USDT',
      display_name: 'TRC20 USDT',
      amount_crypto: '30',
      rate: '1',
      fiat: 'USD',
      amount_fiat: '30',
      server_status: 'Synced',
    });
    const empty = await call(fake, 'GET', '/USDC/balance', { apiKey: fake.apiKey });
    expect(empty.json).toMatchObject({ amount_crypto: 0, amount_fiat: '0' });
  });

  it('answers unknown paths and methods like Flask', async () => {
    expect((await call(fake, 'GET', '/nothing/here/at/all')).status).toBe(404);
    const wrongMethod = await call(fake, 'GET', '/ETH-USDT/payment_request', { apiKey: fake.apiKey });
    expect(wrongMethod.status).toBe(405);
    expect(fake.requests().map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/api/v1/nothing/here/at/all', 404],
      ['GET', '/api/v1/ETH-USDT/payment_request', 405],
    ]);
  });
});
