import { RAILS } from '@kassa/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutView } from './api';
import { CheckoutPage, errorText, formatDuration, type CheckoutPageProps } from './app';
import { preloadPanel } from './panel-loader';
import { EVM_MESSAGES } from './panels/evm';
import { STELLAR_MESSAGES } from './panels/stellar';
import type { RailState } from './rail-state';
import { LANGUAGES, pickMessages } from './i18n';

const usd = (amount: string) => ({ amount, asset: 'USD' });
const base: CheckoutView = {
  id: 'pay_1',
  status: 'pending',
  mode: 'test',
  merchantName: 'Coffee <b>Shop</b>',
  description: 'Two flat whites',
  amountDue: usd('12.50'),
  amountReceived: usd('0.00'),
  amountRemaining: usd('12.50'),
  lineItems: [{ name: 'Flat white', quantity: 2, unitAmount: usd('6.25'), amount: usd('12.50') }],
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  rails: ['sandbox'],
  successUrl: 'https://shop.example/thanks',
  cancelUrl: null,
};
const sandboxReady: RailState = {
  rail: 'sandbox',
  instructions: { rail: 'sandbox', handoff: { url: 'http://x/pay/pay_1', qrSvg: '<svg></svg>' } },
  error: null,
};

const notCalled = () => Promise.reject(new Error('not called by a static render'));

function render(changes: Partial<CheckoutView>, page: Partial<CheckoutPageProps> = {}): string {
  const simulate = () => Promise.resolve({ ok: true as const, value: base });
  return renderToStaticMarkup(
    <CheckoutPage
      checkout={{ ...base, ...changes }}
      pollError={null}
      simulate={simulate}
      stellar={{ confirm: notCalled, build: notCalled, submit: notCalled }}
      t={pickMessages(['en-US'])}
      railState={sandboxReady}
      choose={() => undefined}
      unchoose={() => undefined}
      embedded={false}
      onClose={() => undefined}
      {...page}
    />,
  );
}

// A static render cannot wait for a panel's chunk: fetch them all first, as a payer's hover would.
beforeAll(() => Promise.all(RAILS.map(preloadPanel)));

beforeEach(() => {
  vi.stubGlobal('navigator', { language: 'en-US', languages: ['en-US'] });
  return () => vi.unstubAllGlobals();
});

describe('CheckoutPage', () => {
  it('shows the summary, a countdown and the sandbox while waiting in test mode', () => {
    const html = render({});
    // The merchant's name is text, never markup ('>' needs no escaping in text; '<' does).
    expect(html).toMatch(/Coffee &lt;b(&gt;|>)Shop&lt;\/b(&gt;|>)/);
    expect(html).not.toContain('<b>');
    expect(html).toContain('2 × $6.25');
    expect(html).toContain('$12.50');
    expect(html).toContain('Test mode');
    expect(html).toContain('Waiting for payment');
    expect(html).toMatch(/Expires in <span class="tabular">1[45]:\d\d<\/span>/);
    for (const label of ['Simulate payment', 'Pay part', 'Overpay', 'Fail', 'Expire'])
      expect(html).toContain(label);
    expect(html).not.toContain('Return to the merchant');
  });

  it('puts the status in one polite live region', () => {
    const html = render({});
    expect(html.match(/role="status" aria-live="polite"/g)).toHaveLength(1);
  });

  it('offers a choice when the checkout allows several rails, and no panel yet', () => {
    const html = render({ rails: ['sandbox', 'card'] }, { railState: { rail: null } });
    expect(html).toContain('How would you like to pay?');
    expect(html).toContain('data-rail="card"');
    expect(html).not.toContain('Simulate payment');
  });

  it('shows the amount and reference with copy buttons, and the QR code as an image', () => {
    const html = render({});
    expect(html).toContain('aria-label="Copy: Amount"');
    expect(html).toContain('aria-label="Copy: Reference"');
    expect(html).toContain('<img src="data:image/svg+xml;charset=utf-8,%3Csvg%3E%3C%2Fsvg%3E"');
  });

  it('shows what is still due when partially paid', () => {
    const html = render({ status: 'partially_paid', amountReceived: usd('5'), amountRemaining: usd('7.5') });
    expect(html).toContain('Partially paid, $7.50 still due');
    expect(html).toContain('Received');
    expect(html).toContain('$5.00');
  });

  it('offers the way back once paid, with no sandbox and no countdown', () => {
    const html = render({ status: 'paid' });
    expect(html).toContain('Paid — thank you');
    expect(html).toContain('href="https://shop.example/thanks"');
    expect(html).toContain('Taking you back to the merchant in 5 s');
    expect(html).not.toContain('Simulate payment');
    expect(html).not.toContain('Expires in');
  });

  it('embedded, it never navigates itself: the host page decides, and Close tells it', () => {
    const html = render({ status: 'paid' }, { embedded: true });
    expect(html).not.toContain('href="https://shop.example/thanks"');
    expect(html).toContain('>Close<');
  });

  it('expired or failed says what to do next, and offers to start again when the merchant allows', () => {
    const expired = render({ status: 'expired', cancelUrl: 'https://shop.example/cart' });
    expect(expired).toContain('This checkout has expired');
    expect(expired).toContain('href="https://shop.example/cart"');
    expect(expired).toContain('Start again');
    const failed = render({ status: 'failed' });
    expect(failed).toContain('No money was taken');
    expect(failed).not.toContain('Start again');
  });

  it('never links to a merchant URL that is not a web address', () => {
    expect(render({ status: 'paid', successUrl: 'javascript:alert(1)' })).not.toContain(
      'Return to the merchant',
    );
    expect(render({ status: 'expired', cancelUrl: 'javascript:alert(1)' })).not.toContain('Start again');
  });

  it('shows no test badge or sandbox in live mode', () => {
    const html = render({ mode: 'live' });
    expect(html).not.toContain('Test mode');
    expect(html).not.toContain('Simulate payment');
  });

  it('speaks German to a German browser, with amounts in the browser’s own format', () => {
    vi.stubGlobal('navigator', { language: 'de-DE', languages: ['de-DE', 'en'] });
    const html = render({ amountDue: { amount: '1234.50', asset: 'EUR' } }, { t: pickMessages(['de-DE']) });
    expect(html).toContain('Warten auf Zahlung');
    expect(html).toContain('Zu zahlen');
    expect(html).toContain('1.234,50');
  });
});

describe('messages', () => {
  it('English and German, picked from the browser’s languages in order', () => {
    expect(LANGUAGES).toEqual(['en', 'de']);
    expect(pickMessages(['fr-FR', 'de-AT', 'en']).locale).toBe('de');
    expect(pickMessages(['fr-FR']).locale).toBe('en');
    expect(pickMessages([]).locale).toBe('en');
  });

  it('every language has every message', () => {
    const keys = (value: object): string[] =>
      Object.entries(value).flatMap(([k, v]) =>
        v && typeof v === 'object' ? keys(v as object).map((inner) => `${k}.${inner}`) : [k],
      );
    expect(keys(pickMessages(['de']))).toEqual(keys(pickMessages(['en'])));
    // The rail panels' own words, which come with their chunks.
    for (const catalog of [STELLAR_MESSAGES, EVM_MESSAGES]) {
      expect(Object.keys(catalog)).toEqual(LANGUAGES);
      for (const language of LANGUAGES) expect(keys(catalog[language])).toEqual(keys(catalog.en));
    }
  });

  it('errors are told in the payer’s language, never in the server’s words', () => {
    const de = pickMessages(['de']);
    expect(errorText({ code: 'network', retryable: true }, de)).toBe(`${de.errors.network} ${de.retrying}`);
    expect(errorText({ code: 'rail_unavailable', retryable: false }, de)).toBe(de.errors.railUnavailable);
    expect(errorText({ code: 'something_new', retryable: false }, de)).toBe(de.errors.refused);
  });
});

describe('expiry countdown', () => {
  it('stays readable for short and long expiries', () => {
    expect(formatDuration(59)).toBe('00:59');
    expect(formatDuration(25 * 60 + 3)).toBe('25:03');
    expect(formatDuration(23 * 3600 + 59 * 60 + 53)).toBe('23:59:53');
    expect(formatDuration(3 * 86_400 + 5 * 3600)).toBe('3 d 5 h');
    expect(formatDuration(0)).toBe('00:00');
  });
});
