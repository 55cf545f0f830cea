import { describe, expect, it } from 'vitest';
import { parseConfig } from './config';

const valid = { checkoutId: 'pay_1', publishableKey: 'pk_test_1', apiUrl: 'http://127.0.0.1:3000' };

describe('parseConfig', () => {
  it('accepts the three strings the API injects', () => {
    expect(parseConfig(valid)).toEqual(valid);
    expect(parseConfig({ ...valid, apiUrl: 'https://pay.example.com/api/' })?.apiUrl).toBe(
      'https://pay.example.com/api',
    );
  });

  it('keeps the embedding page’s origin when the page is framed', () => {
    expect(parseConfig({ ...valid, parentOrigin: 'https://shop.example' })?.parentOrigin).toBe(
      'https://shop.example',
    );
  });

  it('rejects anything missing, empty, not a string or not a web address', () => {
    for (const value of [
      null,
      'pay_1',
      [],
      { ...valid, checkoutId: undefined },
      { ...valid, publishableKey: ' ' },
      { ...valid, checkoutId: 42 },
      { ...valid, apiUrl: 'not a url' },
      { ...valid, apiUrl: 'javascript:alert(1)' },
      { ...valid, parentOrigin: 'https://shop.example/path' },
      { ...valid, parentOrigin: '*' },
      { ...valid, parentOrigin: 42 },
    ]) {
      expect(parseConfig(value)).toBeNull();
    }
  });
});
