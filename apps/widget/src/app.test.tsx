import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutView } from './api';
import { CheckoutPage, formatDuration } from './app';

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
  rails: ['sandbox', 'card'],
  successUrl: 'https://shop.example/thanks',
};

function render(changes: Partial<CheckoutView>): string {
  const simulate = () => Promise.resolve({ ok: true as const, value: base });
  return renderToStaticMarkup(
    <CheckoutPage checkout={{ ...base, ...changes }} pollError={null} simulate={simulate} />,
  );
}

beforeEach(() => {
  vi.stubGlobal('navigator', { language: 'en-US' });
  return () => vi.unstubAllGlobals();
});

describe('CheckoutPage', () => {
  it('shows the summary, a countdown and the sandbox while waiting in test mode', () => {
    const html = render({});
    expect(html).toContain('Coffee &lt;b&gt;Shop&lt;/b&gt;');
    expect(html).toContain('2 × $6.25');
    expect(html).toContain('$12.50');
    expect(html).toContain('Test mode');
    expect(html).toContain('Waiting for payment');
    expect(html).toMatch(/Expires in <span class="tabular">1[45]:\d\d<\/span>/);
    for (const label of ['Simulate payment', 'Pay part', 'Overpay', 'Fail', 'Expire'])
      expect(html).toContain(label);
    expect(html).not.toContain('Return to the merchant');
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
    expect(html).not.toContain('Simulate payment');
    expect(html).not.toContain('Expires in');
  });

  it('never links to a success URL that is not a web address', () => {
    expect(render({ status: 'paid', successUrl: 'javascript:alert(1)' })).not.toContain(
      'Return to the merchant',
    );
  });

  it('shows no test badge or sandbox in live mode', () => {
    const html = render({ mode: 'live' });
    expect(html).not.toContain('Test mode');
    expect(html).not.toContain('Simulate payment');
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
