import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  buildStellarTransaction,
  confirmTransaction,
  submitStellarTransaction,
  type CheckoutView,
} from './api';
import { errorWords } from './app';
import { pickMessages } from './i18n';
import {
  readStellarAccount,
  readTxHash,
  readXdr,
  runStep,
  shortAccount,
  stellarNetwork,
} from './stellar-payment';

const config = { checkoutId: 'pay_1', publishableKey: 'pk_test_1', apiUrl: 'http://127.0.0.1:3000' };
const PAYER = 'GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR';
const HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const paidView: CheckoutView = {
  id: 'pay_1',
  status: 'paid',
  mode: 'test',
  merchantName: 'Coffee Shop',
  description: null,
  amountDue: { amount: '10.00', asset: 'USD' },
  amountReceived: { amount: '10.00', asset: 'USD' },
  amountRemaining: { amount: '0.00', asset: 'USD' },
  lineItems: [],
  expiresAt: '2030-01-01T00:00:00.000Z',
  rails: ['stellar'],
  successUrl: null,
  cancelUrl: null,
};

type Answer = { status: number; body: unknown };
/** Answers each procedure by name, and records what the page sent, in order. */
function api(answers: Record<string, Answer>) {
  const calls: { procedure: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    // The page always passes a URL string and a JSON body.
    vi.fn((url: string, init: { body: string }) => {
      const procedure = url.replace(`${config.apiUrl}/trpc/`, '');
      calls.push({ procedure, body: JSON.parse(init.body) });
      const answer = answers[procedure];
      if (!answer) return Promise.reject(new Error(`unexpected call to ${procedure}`));
      return Promise.resolve(new Response(JSON.stringify(answer.body), { status: answer.status }));
    }),
  );
  return calls;
}
const data = (value: unknown): Answer => ({ status: 200, body: { result: { data: value } } });
const refusal = (status: number, kassaCode: string): Answer => ({
  status,
  body: { error: { message: 'for developers only', data: { httpStatus: status, kassaCode } } },
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the payer’s input', () => {
  it('takes a transaction hash as 64 hex characters, whatever the case or surrounding spaces', () => {
    expect(readTxHash(`  ${HASH.toUpperCase()}\n`)).toBe(HASH);
    expect(readTxHash(HASH.slice(1))).toBeNull();
    expect(readTxHash(`${HASH}0`)).toBeNull();
    expect(readTxHash(`${HASH.slice(1)}g`)).toBeNull();
    expect(readTxHash(`https://stellar.expert/explorer/testnet/tx/${HASH}`)).toBeNull();
    expect(readTxHash('')).toBeNull();
  });

  it('takes an account shaped like G and 55 base32 characters', () => {
    expect(readStellarAccount(` ${PAYER} `)).toBe(PAYER);
    expect(readStellarAccount(PAYER.toLowerCase())).toBeNull();
    expect(readStellarAccount(`S${PAYER.slice(1)}`)).toBeNull();
    expect(readStellarAccount(PAYER.slice(0, 55))).toBeNull();
  });

  it('takes a signed envelope as base64, line breaks from the wallet removed', () => {
    expect(readXdr('AAAAAgAAAAB\nkZ2F4=\n')).toBe('AAAAAgAAAABkZ2F4=');
    expect(readXdr('   ')).toBeNull();
    expect(readXdr('not xdr!')).toBeNull();
  });

  it('names the network from its passphrase, and shortens accounts for the eye', () => {
    expect(stellarNetwork('Test SDF Network ; September 2015')).toBe('testnet');
    expect(stellarNetwork('Public Global Stellar Network ; September 2015')).toBe('public');
    expect(stellarNetwork('Test SDF Future Network ; October 2022')).toBeNull();
    expect(shortAccount(PAYER)).toBe('GCFI…YOJR');
  });
});

describe('I have paid', () => {
  it('refuses a malformed hash without calling the API', async () => {
    const calls = api({});
    expect(await runStep('abc123', readTxHash, (hash) => confirmTransaction(config, hash))).toEqual({
      type: 'invalid',
    });
    expect(calls).toEqual([]);
  });

  it('sends a good hash to checkout.confirmTransaction and hands back the checkout it paid', async () => {
    const calls = api({ 'checkout.confirmTransaction': data({ txHash: HASH, checkout: paidView }) });
    const step = await runStep(` ${HASH.toUpperCase()} `, readTxHash, (hash) =>
      confirmTransaction(config, hash),
    );
    expect(calls).toEqual([
      { procedure: 'checkout.confirmTransaction', body: { checkoutId: 'pay_1', txHash: HASH } },
    ]);
    expect(step).toEqual({ type: 'done', value: { txHash: HASH, checkout: paidView } });
  });

  it('tells the payer why not, in their language, never in the server’s words', async () => {
    api({ 'checkout.confirmTransaction': refusal(409, 'transaction_not_for_checkout') });
    const step = await runStep(HASH, readTxHash, (hash) => confirmTransaction(config, hash));
    expect(step).toEqual({
      type: 'failed',
      error: { code: 'transaction_not_for_checkout', retryable: false },
    });
    if (step.type !== 'failed') return;

    const en = errorWords(step.error.code, pickMessages(['en']), 'stellar');
    const de = errorWords(step.error.code, pickMessages(['de-DE']), 'stellar');
    expect(en).toBe('This transaction does not pay this checkout (other memo, destination or asset).');
    expect(de).toBe('Diese Transaktion bezahlt nicht diese Zahlung (anderes Memo, Empfänger oder Asset).');
  });
});

describe('sign with my wallet’s account', () => {
  it('prepares the transaction for the account, then submits what the wallet signed, in that order', async () => {
    const unsigned = { xdr: 'AAAAAgAAAABunsigned', networkPassphrase: 'Test SDF Network ; September 2015' };
    const calls = api({
      'checkout.buildStellarTransaction': data({ ...unsigned, hash: HASH }),
      'checkout.submitStellarTransaction': data({ txHash: HASH, checkout: paidView }),
    });

    const built = await runStep(PAYER, readStellarAccount, (account) =>
      buildStellarTransaction(config, account),
    );
    expect(built).toEqual({ type: 'done', value: { ...unsigned, hash: HASH } });

    // The payer signs elsewhere (Stellar Laboratory, a wallet) and pastes the result back.
    const signed = 'AAAAAgAAAABsigned+by/wallet==';
    const submitted = await runStep(`${signed}\n`, readXdr, (xdr) => submitStellarTransaction(config, xdr));
    expect(submitted).toEqual({ type: 'done', value: { txHash: HASH, checkout: paidView } });

    expect(calls).toEqual([
      { procedure: 'checkout.buildStellarTransaction', body: { checkoutId: 'pay_1', payerAccount: PAYER } },
      { procedure: 'checkout.submitStellarTransaction', body: { checkoutId: 'pay_1', signedXdr: signed } },
    ]);
  });

  it('refuses an account that is not one before asking, and words the API’s refusals', async () => {
    const calls = api({ 'checkout.buildStellarTransaction': refusal(412, 'payer_no_trustline') });
    expect(await runStep('GABC', readStellarAccount, (a) => buildStellarTransaction(config, a))).toEqual({
      type: 'invalid',
    });
    expect(calls).toEqual([]);

    const step = await runStep(PAYER, readStellarAccount, (a) => buildStellarTransaction(config, a));
    expect(step.type === 'failed' && step.error.code).toBe('payer_no_trustline');
    expect(errorWords('payer_no_trustline', pickMessages(['de']), 'stellar')).toContain('Trustline');
  });

  it('reports a failed submission and a Stellar outage as such', async () => {
    api({ 'checkout.submitStellarTransaction': refusal(422, 'transaction_failed') });
    const failed = await runStep('AAAA', readXdr, (xdr) => submitStellarTransaction(config, xdr));
    expect(failed).toEqual({ type: 'failed', error: { code: 'transaction_failed', retryable: false } });

    api({ 'checkout.submitStellarTransaction': refusal(503, 'provider_unavailable') });
    const down = await runStep('AAAA', readXdr, (xdr) => submitStellarTransaction(config, xdr));
    expect(down).toEqual({ type: 'failed', error: { code: 'provider_unavailable', retryable: true } });
    expect(errorWords('provider_unavailable', pickMessages(['en']), 'stellar')).toBe(
      'The Stellar network cannot be reached. Please try again shortly.',
    );
  });

  it('treats an answer without a checkout as malformed', async () => {
    api({ 'checkout.submitStellarTransaction': data({ txHash: HASH }) });
    const step = await runStep('AAAA', readXdr, (xdr) => submitStellarTransaction(config, xdr));
    expect(step).toEqual({ type: 'failed', error: { code: 'bad_response', retryable: false } });
  });
});
