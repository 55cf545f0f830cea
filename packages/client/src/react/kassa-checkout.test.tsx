import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KassaCheckout } from './kassa-checkout';

const props = {
  checkoutId: 'pay_abc123',
  publishableKey: 'pk_test_a1b2c3d4e5f6',
  apiUrl: 'https://pay.example.com',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('KassaCheckout on the server', () => {
  it('renders an empty container, leaving the iframe to the browser', () => {
    expect(renderToStaticMarkup(<KassaCheckout {...props} className="checkout" />)).toBe(
      '<div class="checkout"></div>',
    );
    expect(renderToStaticMarkup(<KassaCheckout {...props} />)).toBe('<div></div>');
  });

  it('does not touch the DOM', () => {
    const touched: string[] = [];
    const trap = (name: string) =>
      new Proxy(
        {},
        {
          get(_target, property) {
            touched.push(`${name}.${String(property)}`);
            return undefined;
          },
        },
      );
    vi.stubGlobal('window', trap('window'));
    vi.stubGlobal('document', trap('document'));
    renderToStaticMarkup(<KassaCheckout {...props} onPaid={() => undefined} />);
    expect(touched).toEqual([]);
  });
});
