import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutView } from './api';
import { CheckoutPage } from './app';
import { pickMessages } from './i18n';
import { loadedPanel, preloadPanel } from './panel-loader';
import type { RailState } from './rail-state';

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
  rails: ['sandbox', 'card'],
  successUrl: null,
  cancelUrl: null,
};
const notCalled = () => Promise.reject(new Error('not called by a static render'));
const card: RailState = {
  rail: 'card',
  instructions: { rail: 'card', redirectUrl: 'https://checkout.stripe.test/c/pay/cs_1' },
  error: null,
};

function render(railState: RailState): string {
  return renderToStaticMarkup(
    <CheckoutPage
      checkout={checkout}
      pollError={null}
      simulate={notCalled}
      stellar={{ confirm: notCalled, build: notCalled, submit: notCalled }}
      t={pickMessages(['en'])}
      railState={railState}
      choose={() => undefined}
      unchoose={() => undefined}
      embedded={false}
      onClose={() => undefined}
    />,
  );
}

beforeEach(() => {
  vi.stubGlobal('navigator', { language: 'en-US', languages: ['en-US'] });
  return () => vi.unstubAllGlobals();
});

describe('a rail panel, fetched when the payer picks its rail', () => {
  it('is not part of the page: until it is here the card says the payment is being prepared', async () => {
    expect(loadedPanel('card')).toBeNull();
    const before = render(card);
    expect(before).toContain('<h2 id="rail-title" tabindex="-1">Card</h2>');
    expect(before).toContain('Preparing your payment…');
    expect(before).not.toContain('Continue to card payment');

    // Hover, focus and click each ask for it: one fetch, one promise.
    const first = preloadPanel('card');
    expect(preloadPanel('card')).toBe(first);
    await first;
    const after = render(card);
    expect(after).toContain('Continue to card payment');
    expect(after).not.toContain('Preparing your payment…');
  });

  it('is fetched again after a failed fetch', async () => {
    vi.doMock('./panels/sandbox', () => {
      throw new Error('offline');
    });
    await expect(preloadPanel('sandbox')).rejects.toThrow();
    expect(loadedPanel('sandbox')).toBeNull();
    vi.doUnmock('./panels/sandbox');
    vi.resetModules();
    await expect(preloadPanel('sandbox')).resolves.toHaveProperty('Body');
    expect(loadedPanel('sandbox')).not.toBeNull();
  });
});
