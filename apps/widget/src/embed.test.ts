import { describe, expect, it } from 'vitest';
import { openParentChannel } from './embed';

function recorder() {
  const sent: { message: unknown; targetOrigin: string }[] = [];
  const target = {
    postMessage: (message: unknown, targetOrigin: string) => sent.push({ message, targetOrigin }),
  };
  let height = 640;
  const doc = { documentElement: { getBoundingClientRect: () => ({ height }) } } as unknown as Document;
  return { sent, target: target as Pick<Window, 'postMessage'>, doc, setHeight: (h: number) => (height = h) };
}

describe('the channel to the embedding page', () => {
  it('posts only to the origin the API checked, never to any page', () => {
    const { sent, target, doc } = recorder();
    const channel = openParentChannel(target, 'https://shop.example', 'pay_1', doc);
    channel.post('kassa:ready');
    channel.statusChanged('paid');
    expect(sent.length).toBeGreaterThan(0);
    for (const { targetOrigin } of sent) expect(targetOrigin).toBe('https://shop.example');
  });

  it('sends its height first, then each status change with the event it names, no key', () => {
    const { sent, target, doc } = recorder();
    const channel = openParentChannel(target, 'https://shop.example', 'pay_1', doc);
    channel.statusChanged('pending');
    channel.statusChanged('pending');
    channel.statusChanged('partially_paid');
    channel.statusChanged('paid');
    channel.statusChanged('overpaid');
    expect(sent.map((s) => s.message)).toEqual([
      { source: 'kassa', type: 'kassa:resize', checkoutId: 'pay_1', height: 640 },
      { source: 'kassa', type: 'kassa:status', checkoutId: 'pay_1', status: 'pending' },
      { source: 'kassa', type: 'kassa:status', checkoutId: 'pay_1', status: 'partially_paid' },
      { source: 'kassa', type: 'kassa:partially_paid', checkoutId: 'pay_1', status: 'partially_paid' },
      { source: 'kassa', type: 'kassa:status', checkoutId: 'pay_1', status: 'paid' },
      { source: 'kassa', type: 'kassa:paid', checkoutId: 'pay_1', status: 'paid' },
      // Overpaid is still paid for the host page: its status, but no second kassa:paid.
      { source: 'kassa', type: 'kassa:status', checkoutId: 'pay_1', status: 'overpaid' },
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/pk_|sk_/);
  });
});
