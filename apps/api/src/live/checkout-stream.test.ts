import { applyObservation, getCheckout } from '@kassa/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from '../testing';

type Frame = { id: string | null; event: string | null; data: unknown };
type CheckoutFrame = { id: string; status: string; sequence: number };

let api: TestApi;
let alice: TestMerchant;
let bob: TestMerchant;

beforeAll(async () => {
  api = await startTestApi();
  alice = await api.merchant('Alice Shop');
  bob = await api.merchant('Bob Shop');
});
afterAll(async () => api.close());

const bearer = (m: TestMerchant) => ({ authorization: `Bearer ${m.secretKey}` });

async function createCheckout(m: TestMerchant): Promise<string> {
  const res = await rawCall(
    api.url,
    'checkouts.create',
    'mutation',
    { amount: '20.00', currency: 'USD' },
    bearer(m),
  );
  expect(res.status).toBe(200);
  return (res.body as { result: { data: { id: string } } }).result.data.id;
}

async function simulate(m: TestMerchant, checkoutId: string, outcome: 'pay' | 'pay_part'): Promise<void> {
  const res = await rawCall(api.url, 'sandbox.simulate', 'mutation', { checkoutId, outcome }, bearer(m));
  expect(res.status).toBe(200);
}

/** An SSE client over fetch: frames one at a time, comments and `retry:` skipped. */
async function openStream(checkoutId: string, key: string, headers: Record<string, string> = {}, query = '') {
  const url = `${api.url}/live/${checkoutId}?publishableKey=${encodeURIComponent(key)}${query}`;
  const response = await fetch(url, { headers });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let pending: ReturnType<typeof reader.read> | null = null;
  let done = false;

  /** The next frame, null when the server ended the stream, 'timeout' when none came in time. */
  async function next(timeoutMs = 3_000): Promise<Frame | null | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = takeFrame();
      if (frame) return frame;
      if (done) return null;
      pending ??= reader.read();
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        pending,
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left))),
      ]);
      clearTimeout(timer);
      if (result === 'timeout') return 'timeout';
      pending = null;
      if (result.done) done = true;
      else buffer += decoder.decode(result.value as Uint8Array, { stream: true });
    }
  }

  function takeFrame(): Frame | null {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end < 0) return null;
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: Frame = { id: null, event: null, data: null };
      let data: string | null = null;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') frame.id = value;
        else if (field === 'event') frame.event = value;
        else if (field === 'data') data = data === null ? value : `${data}\n${value}`;
      }
      if (data === null) continue;
      frame.data = JSON.parse(data);
      return frame;
    }
  }

  async function nextCheckout(timeoutMs?: number): Promise<Frame & { data: CheckoutFrame }> {
    const frame = await next(timeoutMs);
    if (frame === null || frame === 'timeout') throw new Error(`expected a frame, got ${String(frame)}`);
    expect(frame.event).toBe('checkout');
    return frame as Frame & { data: CheckoutFrame };
  }

  return {
    response,
    next,
    nextCheckout,
    close: () => reader.cancel().catch(() => undefined),
  };
}

describe('live checkout status', () => {
  it('sends the snapshot on connect, the payment as it happens, then ends', async () => {
    const id = await createCheckout(alice);
    const stream = await openStream(id, alice.publishableKey);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toBe('text/event-stream');
      expect(stream.response.headers.get('cache-control')).toBe('no-cache');
      expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
      const first = await stream.nextCheckout();
      expect(first.data).toMatchObject({ id, status: 'pending', merchantName: 'Alice Shop' });
      expect(first.id).toBe(String(first.data.sequence));

      await simulate(alice, id, 'pay');
      const returned = performance.now();
      const paid = await stream.nextCheckout(2_000);
      const ms = performance.now() - returned;
      expect(paid.data).toMatchObject({ id, status: 'paid' });
      expect(Number(paid.id)).toBeGreaterThan(first.data.sequence);
      expect(ms).toBeLessThan(1_000);
      expect(await stream.next()).toBeNull();
    } finally {
      await stream.close();
    }
  });

  it('sees a change committed outside the API, the way a worker process does', async () => {
    const id = await createCheckout(alice);
    const stream = await openStream(id, alice.publishableKey);
    try {
      const first = await stream.nextCheckout();
      expect(first.data.status).toBe('pending');
      const checkout = await getCheckout(api.db.orm, id);
      const amountDue = checkout!.payment.amountDue;
      const applied = await applyObservation(api.db, id, {
        source: 'sandbox',
        externalId: `worker-${id}`,
        occurredAt: new Date(),
        type: 'credit',
        txKey: `sandbox:worker-${id}`,
        amount: { asset: amountDue.asset, minor: amountDue.minor / 2n },
      });
      expect(applied.type).toBe('changed');
      const part = await stream.nextCheckout(2_000);
      expect(part.data).toMatchObject({ status: 'partially_paid', amountRemaining: { amount: '10.00' } });
      expect(await stream.next(300)).toBe('timeout');
    } finally {
      await stream.close();
    }
  });

  it('does not repeat the state a reconnecting client has (Last-Event-ID)', async () => {
    const id = await createCheckout(alice);
    const first = await openStream(id, alice.publishableKey);
    const snapshot = await first.nextCheckout();
    await first.close();

    // The first frame after reconnecting is the next change, not the snapshot again.
    const again = await openStream(id, alice.publishableKey, { 'last-event-id': snapshot.id! });
    let part;
    try {
      expect(again.response.status).toBe(200);
      await simulate(alice, id, 'pay_part');
      part = await again.nextCheckout(2_000);
      expect(part.data.status).toBe('partially_paid');
      expect(part.data.sequence).toBeGreaterThan(snapshot.data.sequence);
    } finally {
      await again.close();
    }

    // EventSource sets the header itself; a query parameter stands in where no header can be set.
    const byQuery = await openStream(id, alice.publishableKey, {}, `&lastEventId=${part.id!}`);
    try {
      await simulate(alice, id, 'pay');
      const paid = await byQuery.nextCheckout(2_000);
      expect(paid.data.status).toBe('paid');
      expect(await byQuery.next()).toBeNull();

      // A client that has the final state is told to stop reconnecting.
      const done = await fetch(`${api.url}/live/${id}?publishableKey=${alice.publishableKey}`, {
        headers: { 'last-event-id': paid.id! },
      });
      expect(done.status).toBe(204);
    } finally {
      await byQuery.close();
    }
  });

  it('refuses another merchant’s key, a secret key and no key, with no stream', async () => {
    const id = await createCheckout(alice);
    for (const key of [bob.publishableKey, alice.secretKey, '']) {
      const res = await fetch(`${api.url}/live/${id}?publishableKey=${encodeURIComponent(key)}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ error: 'not_found' });
    }
  });
});

describe('checkout.status', () => {
  it('answers with the checkout only when its sequence moved past afterSequence', async () => {
    const id = await createCheckout(alice);
    const headers = { 'x-kassa-publishable-key': alice.publishableKey };
    const status = async (input: object) => {
      const res = await rawCall(api.url, 'checkout.status', 'query', { checkoutId: id, ...input }, headers);
      expect(res.status).toBe(200);
      return (res.body as { result: { data: { changed: boolean; checkout: CheckoutFrame | null } } }).result
        .data;
    };
    const initial = await status({});
    expect(initial.changed).toBe(true);
    expect(initial.checkout).toMatchObject({ id, status: 'pending' });
    const sequence = initial.checkout!.sequence;
    expect(await status({ afterSequence: sequence })).toEqual({ changed: false, checkout: null });

    await simulate(alice, id, 'pay');
    const after = await status({ afterSequence: sequence });
    expect(after.changed).toBe(true);
    expect(after.checkout).toMatchObject({ id, status: 'paid' });
    expect(after.checkout!.sequence).toBeGreaterThan(sequence);

    const other = await rawCall(
      api.url,
      'checkout.status',
      'query',
      { checkoutId: id },
      { 'x-kassa-publishable-key': bob.publishableKey },
    );
    expect(other.status).toBe(404);
  });
});
