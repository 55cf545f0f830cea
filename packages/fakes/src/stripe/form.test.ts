import { describe, expect, it } from 'vitest';
import { parseForm } from './form';

describe('parseForm', () => {
  it('nests brackets the way stripe-node writes them', () => {
    const parsed = parseForm(
      'mode=payment&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=1250' +
        '&line_items[0][price_data][product_data][name]=Caf%C3%A9+au+lait&line_items[0][quantity]=2' +
        '&line_items[1][price_data][currency]=usd&metadata[kassa_payment_id]=pay_1&expand[0]=payment_intent',
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        mode: 'payment',
        line_items: [
          {
            price_data: { currency: 'usd', unit_amount: '1250', product_data: { name: 'Café au lait' } },
            quantity: '2',
          },
          { price_data: { currency: 'usd' } },
        ],
        metadata: { kassa_payment_id: 'pay_1' },
        expand: ['payment_intent'],
      },
    });
  });

  it('accepts encoded brackets and `[]` lists', () => {
    expect(parseForm('expand%5B%5D=a&expand%5B%5D=b')).toEqual({ ok: true, value: { expand: ['a', 'b'] } });
  });

  it('keeps numeric metadata keys as keys', () => {
    expect(parseForm('metadata[0]=zero')).toEqual({ ok: true, value: { metadata: { '0': 'zero' } } });
  });

  it('refuses a key that is both a value and a hash, and prototype keys', () => {
    expect(parseForm('a=1&a[b]=2').ok).toBe(false);
    expect(parseForm('a[b]=2&a=1').ok).toBe(false);
    expect(parseForm('__proto__[x]=1').ok).toBe(false);
    expect(parseForm('a[b=1').ok).toBe(false);
  });
});
