import { RAILS } from '@kassa/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutView, EvmInstructions, StellarInstructions } from './api';
import { CheckoutPage } from './app';
import { preloadPanel } from './panel-loader';
import type { RailState } from './rail-state';
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
  rails: ['stellar', 'evm', 'card'],
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
/** The attributes of the first `tag` element whose content is `content`, in any order. */
function attributesOf(html: string, tag: string, content: string): string {
  const found = new RegExp(`<${tag} ([^>]*)>${content}</${tag}>`).exec(html);
  if (!found?.[1]) throw new Error(`no <${tag}> with ${content}`);
  return ` ${found[1]} `;
}
/** The text a label ends up with once markup is gone, to find it whatever wraps it. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/[ \n]+/g, ' ');

// A static render cannot wait for a panel's chunk: fetch them all first, as a payer's hover would.
beforeAll(() => Promise.all(RAILS.map(preloadPanel)));

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
    const link = attributesOf(html, 'a', 'Open in wallet');
    expect(link).toContain('class="button button-primary"');
    expect(link).toMatch(/href="web\+stellar:[^"]*"/);
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

const PAY_TO = '0x8Ba1f109551bD432803012645Ac136ddd64DBA72';
const USDT_BSC = '0x55d398326f99059fF775485246999027B3197955';
const EIP681 = `ethereum:${USDT_BSC}@56/transfer?address=${PAY_TO}&uint256=12500000000000000000`;
const usdtBsc: EvmInstructions = {
  rail: 'evm',
  address: PAY_TO,
  amount: '12.500000000000000000',
  asset: { id: 'USDT:bsc', code: 'USDT', contract: USDT_BSC },
  network: 'bsc',
  uri: EIP681,
  qrSvg: '<svg></svg>',
};
const TRON_ADDRESS = 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL';
const usdtTron: EvmInstructions = {
  rail: 'evm',
  address: TRON_ADDRESS,
  amount: '12.500000',
  asset: { id: 'USDT:tron', code: 'USDT', contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
  network: 'tron',
  uri: TRON_ADDRESS,
  qrSvg: '<svg><text>tron</text></svg>',
};
const invoice = (instructions: EvmInstructions): RailState => ({
  rail: 'evm',
  asset: instructions.asset.id,
  instructions,
  error: null,
});
/** The token picker's options, as `value: name`, the selected one marked with `*`. */
const options = (html: string) =>
  [...html.matchAll(/<option ([^>]*)>([^<]+)<\/option>/g)].map(([, attributes = '', name]) => {
    const selected = /(^| )selected(="")?( |$)/.test(attributes);
    return `${selected ? '*' : ''}${/value="([^"]+)"/.exec(attributes)?.[1]}: ${name}`;
  });

describe('the stablecoin panel', () => {
  it('offers the six tokens, USDT on Tron first, and makes no invoice before one is picked', () => {
    const html = render({ rail: 'evm', instructions: null, error: null });
    expect(options(html)).toEqual([
      '*USDT:tron: USDT · Tron (TRC20)',
      'USDT:bsc: USDT · BNB Chain (BEP20)',
      'USDT:ethereum: USDT · Ethereum (ERC20)',
      'USDC:tron: USDC · Tron (TRC20)',
      'USDC:bsc: USDC · BNB Chain (BEP20)',
      'USDC:ethereum: USDC · Ethereum (ERC20)',
    ]);
    const id = /<label for="([^"]+)">Token and network<\/label>/.exec(html)?.[1];
    expect(id).toBeDefined();
    expect(html).toContain(`<select id="${id}">`);
    expect(html).toContain('<button type="submit">Show address</button>');
    expect(html).not.toContain('Preparing your payment');
    expect(html).not.toContain('<img');
  });

  it('keeps the token asked for selected while its invoice is made', () => {
    const html = render({ rail: 'evm', asset: 'USDC:ethereum', instructions: null, error: null });
    expect(options(html)).toContain('*USDC:ethereum: USDC · Ethereum (ERC20)');
    expect(html).toContain('Preparing your payment…');
  });

  it('shows the amount without trailing zeros, the address and the network, each copyable but the network', () => {
    const html = render(invoice(usdtBsc));
    const words = text(html);
    expect(words).toContain('Amount 12.5\u00a0USDT Copy');
    expect(words).not.toContain('12.500');
    expect(words).toContain(`Address ${PAY_TO} Copy`);
    expect(words).toContain('Network BNB Chain (BEP20)');
    expect(words).toContain('Send only USDT on BNB Chain (BEP20); other tokens or networks are lost.');
    for (const label of ['Amount', 'Address']) expect(html).toContain(`aria-label="Copy: ${label}"`);
    expect(html).not.toContain('aria-label="Copy: Network"');
    // The picker stays, on the token of this invoice, to switch to another.
    expect(options(html)).toContain('*USDT:bsc: USDT · BNB Chain (BEP20)');
  });

  it('offers the EIP-681 link and its QR code, as an image', () => {
    const html = render(invoice({ ...usdtBsc, qrSvg: '<svg><script>alert(1)</script></svg>' }));
    const link = attributesOf(html, 'a', 'Open in wallet');
    expect(link).toContain('class="button button-primary"');
    expect(link).toMatch(/href="ethereum:[^"]*"/);
    expect(link).toContain('target="_blank"');
    expect(link).toContain('rel="noopener"');
    expect(html).toContain(`href="${EIP681.replaceAll('&', '&amp;')}"`);
    expect(html).toContain(
      `<img src="data:image/svg+xml;charset=utf-8,${encodeURIComponent('<svg><script>alert(1)</script></svg>')}"`,
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('alt="QR code of the payment"');
  });

  it('on Tron, shows the QR code of the address and no link', () => {
    const html = render(invoice(usdtTron));
    expect(html).not.toContain('Open in wallet');
    expect(html).not.toContain('href="');
    expect(html).toContain(encodeURIComponent('<svg><text>tron</text></svg>'));
    const words = text(html);
    expect(words).toContain('Amount 12.5\u00a0USDT Copy');
    expect(words).toContain(`Address ${TRON_ADDRESS} Copy`);
    expect(words).toContain('Send only USDT on Tron (TRC20)');
  });

  it('shows a whole amount without its decimals', () => {
    expect(text(render(invoice({ ...usdtBsc, amount: '100.000000000000000000' })))).toContain(
      'Amount 100\u00a0USDT Copy',
    );
  });

  it('adds no second status region', () => {
    expect(render(invoice(usdtBsc)).match(/role="status"/g)).toHaveLength(1);
    expect(render({ rail: 'evm', instructions: null, error: null }).match(/role="status"/g)).toHaveLength(1);
  });

  it('speaks German, with the amount in the German format', () => {
    vi.stubGlobal('navigator', { language: 'de-DE', languages: ['de-DE'] });
    const html = render(invoice(usdtBsc), 'de-DE');
    const words = text(html);
    expect(words).toContain('Token und Netzwerk');
    expect(words).toContain('Adresse anzeigen');
    expect(words).toContain('Betrag 12,5\u00a0USDT Kopieren');
    expect(words).toContain(`Adresse ${PAY_TO} Kopieren`);
    expect(words).toContain('Netzwerk BNB Chain (BEP20)');
    expect(words).toContain(
      'Nur USDT über BNB Chain (BEP20) senden; andere Token oder Netzwerke gehen verloren.',
    );
    expect(words).toContain('In der Wallet öffnen');
  });

  it('says why a token cannot pay, in the payer’s language, and still offers the others', () => {
    const refused: RailState = {
      rail: 'evm',
      asset: 'USDC:tron',
      instructions: null,
      error: { code: 'rail_not_allowed', retryable: false },
    };
    const html = render(refused);
    expect(html).toContain('<p class="error">This checkout cannot be paid with this token now.</p>');
    expect(options(html)).toHaveLength(6);
    expect(render(refused, 'de')).toContain(
      '<p class="error">Diese Zahlung ist mit diesem Token gerade nicht möglich.</p>',
    );
    const down: RailState = { ...refused, error: { code: 'provider_unavailable', retryable: true } };
    expect(render(down)).toContain(
      '<p class="error">The stablecoin service cannot be reached. Please try again shortly.</p>',
    );
    expect(render(down, 'de')).toContain(
      '<p class="error">Der Stablecoin-Dienst ist nicht erreichbar. Bitte gleich erneut versuchen.</p>',
    );
    const off: RailState = { ...refused, error: { code: 'rail_unavailable', retryable: false } };
    expect(render(off)).toContain(
      '<p class="error">This way to pay is not available right now. Please choose another.</p>',
    );
  });
});
