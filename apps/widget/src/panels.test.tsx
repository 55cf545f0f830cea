import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutView, StellarInstructions } from './api';
import { CheckoutPage, type RailState } from './app';
import { pickMessages } from './i18n';

const DESTINATION = 'GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR';
const ISSUER = 'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5';
const SEP7 = `web+stellar:pay?destination=${DESTINATION}&amount=10.0000000&asset_code=USDC&asset_issuer=${ISSUER}&memo=4102876531&memo_type=MEMO_ID`;
const usdc: StellarInstructions = {
  rail: 'stellar',
  destination: DESTINATION,
  memo: '4102876531',
  amount: '10.0000000',
  asset: { id: 'USDC:stellar', code: 'USDC', issuer: ISSUER },
  networkPassphrase: 'Test SDF Network ; September 2015',
  sep7Uri: SEP7,
  qrSvg: '<svg></svg>',
};
const checkout: CheckoutView = {
  id: 'pay_1',
  status: 'pending',
  mode: 'test',
  merchantName: 'Coffee Shop',
  description: null,
  amountDue: { amount: '10.00', asset: 'USD' },
  amountReceived: { amount: '0.00', asset: 'USD' },
  amountRemaining: { amount: '10.00', asset: 'USD' },
  lineItems: [],
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  rails: ['stellar', 'card'],
  successUrl: null,
  cancelUrl: null,
};
const notCalled = () => Promise.reject(new Error('not called by a static render'));

function render(railState: RailState, language = 'en-US'): string {
  return renderToStaticMarkup(
    <CheckoutPage
      checkout={checkout}
      pollError={null}
      simulate={notCalled}
      stellar={{ confirm: notCalled, build: notCalled, submit: notCalled }}
      t={pickMessages([language])}
      railState={railState}
      choose={() => undefined}
      unchoose={() => undefined}
      embedded={false}
      onClose={() => undefined}
    />,
  );
}
const ready = (instructions: StellarInstructions): RailState => ({
  rail: 'stellar',
  instructions,
  error: null,
});
/** The text a label ends up with once markup is gone, to find it whatever wraps it. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/[ \n]+/g, ' ');

beforeEach(() => {
  vi.stubGlobal('navigator', { language: 'en-US', languages: ['en-US'] });
  return () => vi.unstubAllGlobals();
});

describe('the Stellar panel', () => {
  it('shows what to pay, where, with which memo and on which network, each with a copy button', () => {
    const html = render(ready(usdc));
    const words = text(html);
    expect(words).toContain('Amount 10.0000000\u00a0USDC Copy');
    expect(words).toContain('issued by GBBD…FLA5');
    // The issuer in full for screen readers and on hover.
    expect(html).toContain(`title="${ISSUER}"`);
    expect(words).toContain(`issued by ${ISSUER}`);
    expect(words).toContain(`Destination ${DESTINATION} Copy`);
    expect(words).toContain(
      'Memo (ID) Required 4102876531 Copy Include this memo or the payment cannot be matched.',
    );
    expect(words).toContain('Network Testnet');
    for (const label of ['Amount', 'Destination', 'Memo (ID)'])
      expect(html).toContain(`aria-label="Copy: ${label}"`);
    expect(html).not.toContain('aria-label="Copy: Network"');
  });

  it('offers the SEP-7 link and its QR code, as an image', () => {
    const html = render(ready({ ...usdc, qrSvg: '<svg><script>alert(1)</script></svg>' }));
    expect(html).toContain(`href="${SEP7.replaceAll('&', '&amp;')}"`);
    expect(html).toMatch(
      /<a class="button button-primary" href="web\+stellar:[^"]*"[^>]*>Open in wallet<\/a>/,
    );
    expect(html).toContain(
      `<img src="data:image/svg+xml;charset=utf-8,${encodeURIComponent('<svg><script>alert(1)</script></svg>')}"`,
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('alt="QR code of the Stellar payment"');
  });

  it('labels every field, and keeps signing behind a disclosure', () => {
    const html = render(ready(usdc));
    for (const label of ['Transaction hash', 'Your account (G…)']) {
      const id = new RegExp(`<label for="([^"]+)">${label.replace(/[()]/g, '\\$&')}</label>`).exec(html)?.[1];
      expect(id, label).toBeDefined();
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('<h3>I have paid</h3>');
    expect(html).toMatch(/<details><summary>Sign with my wallet’s account<\/summary>/);
    expect(html).toContain('>Check payment</button>');
    expect(html).toContain('>Prepare transaction</button>');
    // Nothing to sign until the payer asks for it.
    expect(html).not.toContain('Signed transaction (XDR)');
  });

  it('adds no second status region', () => {
    expect(render(ready(usdc)).match(/role="status"/g)).toHaveLength(1);
  });

  it('pays XLM with no issuer, and names the public network', () => {
    const words = text(
      render(
        ready({
          ...usdc,
          amount: '25.5000000',
          asset: { id: 'XLM:stellar', code: 'XLM', issuer: null },
          networkPassphrase: 'Public Global Stellar Network ; September 2015',
        }),
      ),
    );
    expect(words).toContain('25.5000000\u00a0XLM');
    expect(words).not.toContain('issued by');
    expect(words).toContain('Network Public network');
  });

  it('speaks German, with the amount in the German format', () => {
    vi.stubGlobal('navigator', { language: 'de-DE', languages: ['de-DE'] });
    const words = text(render(ready(usdc), 'de-DE'));
    expect(words).toContain('Betrag 10,0000000\u00a0USDC Kopieren');
    expect(words).toContain('ausgegeben von GBBD…FLA5');
    expect(words).toContain('Memo (ID) Pflichtangabe 4102876531');
    expect(words).toContain('Ohne dieses Memo kann die Zahlung nicht zugeordnet werden.');
    expect(words).toContain('In der Wallet öffnen');
    expect(words).toContain('Ich habe bezahlt');
  });

  it('says when a checkout cannot be paid on Stellar, in the payer’s language, without “Retrying…”', () => {
    const refused: RailState = {
      rail: 'stellar',
      instructions: null,
      error: { code: 'rail_not_allowed', retryable: false },
    };
    expect(render(refused)).toContain('<p class="error">This checkout cannot be paid on Stellar.</p>');
    expect(render(refused, 'de')).toContain(
      '<p class="error">Diese Zahlung kann nicht über Stellar bezahlt werden.</p>',
    );
    const offline: RailState = { ...refused, error: { code: 'network', retryable: true } };
    expect(render(offline)).toContain(
      '<p class="error">Cannot reach the payment server. Check your connection.</p>',
    );
  });
});
