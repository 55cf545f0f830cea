import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawCall, startTestApi, type TestApi, type TestMerchant } from '@kassa/api/testing';
import {
  claimDueDeliveries,
  fanOutEvents,
  recordAttempt,
  recordAttempts,
  DISABLE_AFTER_MS,
  MAX_IN_FLIGHT_PER_ENDPOINT,
  rowsOf,
} from '@kassa/db';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress, sendDelivery } from './send';
import { startDeliveryWorker } from './worker';

type Received = { path: string; headers: IncomingHttpHeaders; body: string; at: number };

/** A local receiver whose answer per request is scripted by the test. */
async function startReceiver(answer: (req: Received, index: number) => number | 'hang') {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { path: req.url ?? '/', headers: req.headers, body, at: Date.now() };
      received.push(entry);
      const status = answer(entry, received.length - 1);
      if (status === 'hang') return;
      res.statusCode = status;
      res.end(status < 300 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const auth = (m: TestMerchant) => ({ authorization: `Bearer ${m.secretKey}` });
const data = <T>(res: { body: unknown }) => (res.body as { result: { data: T } }).result.data;

async function endpointFor(m: TestMerchant, url: string, eventTypes?: string[]) {
  const res = await rawCall(
    api.url,
    'webhookEndpoints.create',
    'mutation',
    { url, ...(eventTypes ? { eventTypes } : {}) },
    auth(m),
  );
  expect(res.status).toBe(200);
  return data<{ endpoint: { id: string }; secret: string }>(res);
}

async function paidCheckout(m: TestMerchant): Promise<string> {
  const created = data<{ id: string }>(
    await rawCall(api.url, 'checkouts.create', 'mutation', { amount: '5.00', currency: 'USD' }, auth(m)),
  );
  await rawCall(api.url, 'sandbox.simulate', 'mutation', { checkoutId: created.id, outcome: 'pay' }, auth(m));
  return created.id;
}

/** One worker round by hand at a chosen time; signatures still use the real clock, as a receiver checks them. */
async function deliverDue(at: Date): Promise<number> {
  await fanOutEvents(api.db, at);
  const due = await claimDueDeliveries(api.db, at, 100, 60_000);
  for (const d of due)
    await recordAttempt(api.db, d, await sendDelivery(d, { timeoutMs: 2_000, now: () => new Date() }), at);
  return due.length;
}

const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

describe('merchant webhook delivery', () => {
  it('a receiver failing three times gets the event on the fourth try, same id, verifiable every time', async () => {
    const shop = await api.merchant('Retry Shop');
    const receiver = await startReceiver((_, i) => (i < 3 ? 500 : 200));
    try {
      const { secret } = await endpointFor(shop, receiver.url('/hook'));
      const checkoutId = await paidCheckout(shop);
      let now = new Date();
      for (const wait of [0, 6_000, 6 * 60_000, 40 * 60_000]) {
        now = later(now, wait);
        expect(await deliverDue(now)).toBe(1);
      }
      expect(await deliverDue(later(now, 24 * 3_600_000))).toBe(0);

      expect(receiver.received).toHaveLength(4);
      const wh = new Webhook(secret);
      const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      for (const r of receiver.received) {
        const event = wh.verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          data: { checkout: { id: string; status: string } };
        };
        expect(event.type).toBe('checkout.paid');
        expect(event.data.checkout).toMatchObject({ id: checkoutId, status: 'paid' });
      }
      expect(() =>
        wh.verify(
          receiver.received[0]!.body.replace('paid', 'PAID'),
          receiver.received[0]!.headers as Record<string, string>,
        ),
      ).toThrow();

      const deliveries = data<{ data: { status: string; attempts: { statusCode: number | null }[] }[] }>(
        await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop)),
      );
      expect(deliveries.data).toHaveLength(1);
      expect(deliveries.data[0]!.status).toBe('delivered');
      expect(deliveries.data[0]!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    } finally {
      await receiver.close();
    }
  });

  it('a hanging receiver times out and is retried later without delaying another endpoint', async () => {
    const shop = await api.merchant('Slow Shop');
    const receiver = await startReceiver((r) => (r.path === '/slow' ? 'hang' : 200));
    const worker = startDeliveryWorker({
      db: api.db,
      log: pino({ level: 'silent' }),
      pollMs: 20,
      timeoutMs: 1_500,
    });
    try {
      await endpointFor(shop, receiver.url('/slow'));
      await endpointFor(shop, receiver.url('/fast'));
      const paidAt = Date.now();
      await paidCheckout(shop);
      await waitFor(() => receiver.received.some((r) => r.path === '/fast'), 3_000);
      const fast = receiver.received.find((r) => r.path === '/fast')!;
      expect(fast.at - paidAt).toBeLessThan(1_000);
      await waitFor(async () => {
        const list = data<{ data: { status: string; attempts: { error: string | null }[] }[] }>(
          await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop)),
        );
        return list.data.some(
          (d) => d.attempts.some((a) => a.error?.includes('timed out')) && d.status === 'pending',
        );
      }, 5_000);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it('a worker that dies between sending and recording leaves the event to be sent again with the same id', async () => {
    const shop = await api.merchant('Crash Shop');
    const receiver = await startReceiver(() => 200);
    try {
      await endpointFor(shop, receiver.url('/hook'));
      await paidCheckout(shop);
      const now = new Date();
      await fanOutEvents(api.db, now);
      const [claimed] = await claimDueDeliveries(api.db, now, 10, 1_000);
      await sendDelivery(claimed!, { timeoutMs: 2_000, now: () => new Date() });
      // ... and the worker dies here, before recordAttempt. Its lease still holds for a moment:
      expect(await claimDueDeliveries(api.db, later(now, 500), 10, 1_000)).toHaveLength(0);
      const [again] = await claimDueDeliveries(api.db, later(now, 2_000), 10, 1_000);
      expect(again).toMatchObject({ deliveryId: claimed!.deliveryId, eventId: claimed!.eventId, attempt: 2 });
      await recordAttempt(
        api.db,
        again!,
        await sendDelivery(again!, { timeoutMs: 2_000, now: () => new Date() }),
        later(now, 2_000),
      );
      expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([
        claimed!.eventId,
        claimed!.eventId,
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("without a test clock, leases and retries run on the database's clock, not a worker's", async () => {
    const shop = await api.merchant('Clock Shop');
    const receiver = await startReceiver(() => 503);
    try {
      const { endpoint } = await endpointFor(shop, receiver.url('/hook'));
      await paidCheckout(shop);
      await fanOutEvents(api.db);
      const claimed = (await claimDueDeliveries(api.db, undefined, 10, 30_000)).filter(
        (d) => d.endpointId === endpoint.id,
      );
      expect(claimed.length).toBeGreaterThan(0);
      // A second worker asking at the same moment finds every one of them leased.
      const second = await claimDueDeliveries(api.db, undefined, 10, 30_000);
      expect(second.filter((d) => d.endpointId === endpoint.id)).toEqual([]);
      const leaseLeft = async () =>
        rowsOf<{ lease_ms: number; retry_ms: number }>(
          await api.db.orm.execute(sql`
            select extract(epoch from (locked_until - now())) * 1000 as lease_ms,
                   extract(epoch from (next_attempt_at - now())) * 1000 as retry_ms
            from webhook_deliveries where endpoint_id = ${endpoint.id} order by id limit 1`),
        )[0]!;
      const leased = await leaseLeft();
      expect(Number(leased.lease_ms)).toBeGreaterThan(25_000);
      expect(Number(leased.lease_ms)).toBeLessThanOrEqual(30_000);
      await recordAttempt(
        api.db,
        claimed[0]!,
        await sendDelivery(claimed[0]!, { timeoutMs: 2_000, now: () => new Date() }),
      );
      // The first retry waits 5 s ± 10% from the database's now.
      const retried = await leaseLeft();
      expect(Number(retried.retry_ms)).toBeGreaterThan(3_500);
      expect(Number(retried.retry_ms)).toBeLessThanOrEqual(5_500);
    } finally {
      await receiver.close();
    }
  });

  it('after a rotation both secrets verify until the overlap ends, then only the new one', async () => {
    const shop = await api.merchant('Rotating Shop');
    const receiver = await startReceiver(() => 200);
    try {
      const { endpoint, secret: oldSecret } = await endpointFor(shop, receiver.url('/hook'));
      const rotated = data<{ secret: string }>(
        await rawCall(
          api.url,
          'webhookEndpoints.rotateSecret',
          'mutation',
          { id: endpoint.id, overlapSeconds: 3600 },
          auth(shop),
        ),
      );
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(oldSecret);
      await paidCheckout(shop);
      await deliverDue(new Date());
      const during = receiver.received[0]!;
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      for (const secret of [oldSecret, rotated.secret]) {
        expect(() =>
          new Webhook(secret).verify(during.body, during.headers as Record<string, string>),
        ).not.toThrow();
      }
      await paidCheckout(shop);
      await deliverDue(later(new Date(), 2 * 3_600_000));
      const after = receiver.received[1]!;
      expect(() =>
        new Webhook(rotated.secret).verify(after.body, after.headers as Record<string, string>),
      ).not.toThrow();
      expect(() =>
        new Webhook(oldSecret).verify(after.body, after.headers as Record<string, string>),
      ).toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('an endpoint that fails everything for days is disabled and says why; a resend goes out again', async () => {
    const shop = await api.merchant('Down Shop');
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 503));
    try {
      const { endpoint } = await endpointFor(shop, receiver.url('/hook'));
      await paidCheckout(shop);
      type Listed = { data: { id: string; status: string; disabledReason: string | null }[] };
      const endpointNow = async () =>
        data<Listed>(
          await rawCall(api.url, 'webhookEndpoints.list', 'query', undefined, auth(shop)),
        ).data.find((e) => e.id === endpoint.id);
      let now = new Date();
      const start = now.getTime();
      for (let round = 0; round < 20 && (await endpointNow())?.status === 'enabled'; round++) {
        await deliverDue(now);
        now = later(now, 11 * 3_600_000);
      }
      expect(now.getTime() - start).toBeGreaterThan(DISABLE_AFTER_MS);
      expect(await endpointNow()).toMatchObject({
        status: 'disabled',
        disabledReason: expect.stringContaining('failed') as string,
      });
      // While the endpoint is off its delivery waits; nothing is sent.
      const [waiting] = data<{ data: { id: string; status: string }[] }>(
        await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop)),
      ).data;
      const sent = receiver.received.length;
      expect(await deliverDue(later(now, 24 * 3_600_000))).toBe(0);
      expect(receiver.received).toHaveLength(sent);

      // The merchant fixes the receiver, re-enables the endpoint and resends.
      up = true;
      await rawCall(
        api.url,
        'webhookEndpoints.update',
        'mutation',
        { id: endpoint.id, enabled: true },
        auth(shop),
      );
      expect(
        (await rawCall(api.url, 'deliveries.resend', 'mutation', { deliveryId: waiting!.id }, auth(shop)))
          .status,
      ).toBe(200);
      expect(await deliverDue(new Date())).toBe(1);
      const [resent] = data<{ data: { status: string }[] }>(
        await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop)),
      ).data;
      expect(resent!.status).toBe('delivered');
    } finally {
      await receiver.close();
    }
  });

  it('an endpoint hears of what happens after it exists, not of older events still queued', async () => {
    const shop = await api.merchant('Late Shop');
    const receiver = await startReceiver(() => 200);
    try {
      await paidCheckout(shop); // queued in the outbox, not yet fanned out
      await endpointFor(shop, receiver.url('/hook'));
      await deliverDue(new Date());
      expect(receiver.received).toHaveLength(0);
      await paidCheckout(shop);
      await deliverDue(new Date());
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('only the event types an endpoint asked for are sent', async () => {
    const shop = await api.merchant('Picky Shop');
    const receiver = await startReceiver(() => 200);
    try {
      await endpointFor(shop, receiver.url('/expired-only'), ['checkout.expired']);
      await paidCheckout(shop);
      await deliverDue(new Date());
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});

describe('delivery edge cases', () => {
  it('a resend during an attempt waits for it; a late record from a superseded claim changes nothing', async () => {
    const shop = await api.merchant('Edge Shop');
    const receiver = await startReceiver(() => 200);
    try {
      await endpointFor(shop, receiver.url('/hook'));
      await paidCheckout(shop);
      const now = new Date();
      await fanOutEvents(api.db, now);
      const [first] = await claimDueDeliveries(api.db, now, 10, 1_000);
      const id = first!.deliveryId.toString();
      expect(
        (await rawCall(api.url, 'deliveries.resend', 'mutation', { deliveryId: id }, auth(shop))).status,
      ).toBe(200);
      // The resend does not break the lease of the attempt in flight.
      expect(await claimDueDeliveries(api.db, later(now, 500), 10, 1_000)).toHaveLength(0);
      // The first worker stalls past its lease; another takes over.
      const [second] = await claimDueDeliveries(api.db, later(now, 2_000), 10, 60_000);
      expect(second).toMatchObject({ attempt: 2 });
      const failedLate = {
        startedAt: now,
        durationMs: 5,
        statusCode: 500,
        error: null,
        responseExcerpt: null,
      };
      expect(await recordAttempt(api.db, first!, failedLate, later(now, 2_500))).toBe('superseded');
      expect(await claimDueDeliveries(api.db, later(now, 3_000), 10, 60_000)).toHaveLength(0);
      const okOutcome = { ...failedLate, statusCode: 200 };
      expect(await recordAttempt(api.db, second!, okOutcome, later(now, 3_000))).toBe('delivered');
      const [listed] = data<{ data: { status: string; attempts: unknown[] }[] }>(
        await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop)),
      ).data;
      expect(listed).toMatchObject({ status: 'delivered' });
      expect(listed!.attempts).toHaveLength(2);
      expect(
        (
          await rawCall(
            api.url,
            'deliveries.resend',
            'mutation',
            { deliveryId: '99999999999999999999' },
            auth(shop),
          )
        ).status,
      ).toBe(400);
    } finally {
      await receiver.close();
    }
  });

  it('events that happen while an endpoint is disabled wait for it', async () => {
    const shop = await api.merchant('Paused Shop');
    const receiver = await startReceiver(() => 200);
    try {
      const { endpoint } = await endpointFor(shop, receiver.url('/hook'));
      await rawCall(
        api.url,
        'webhookEndpoints.update',
        'mutation',
        { id: endpoint.id, enabled: false },
        auth(shop),
      );
      await paidCheckout(shop);
      await deliverDue(new Date());
      expect(receiver.received).toHaveLength(0);
      await rawCall(
        api.url,
        'webhookEndpoints.update',
        'mutation',
        { id: endpoint.id, enabled: true },
        auth(shop),
      );
      await deliverDue(new Date());
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('one endpoint never takes more than its share of the attempts in flight', async () => {
    const shop = await api.merchant('Crowded Shop');
    const receiver = await startReceiver(() => 200);
    try {
      const slow = await endpointFor(shop, receiver.url('/slow'));
      for (let i = 0; i < 6; i++) await paidCheckout(shop);
      const other = await endpointFor(shop, receiver.url('/other'));
      await paidCheckout(shop);
      const now = new Date();
      await fanOutEvents(api.db, now);
      const claimed = await claimDueDeliveries(api.db, now, 16, 60_000);
      expect(claimed.filter((c) => c.endpointId === slow.endpoint.id)).toHaveLength(
        MAX_IN_FLIGHT_PER_ENDPOINT,
      );
      expect(claimed.filter((c) => c.endpointId === other.endpoint.id)).toHaveLength(1);
      // While those are in flight, the slow endpoint gets no more.
      expect(
        (await claimDueDeliveries(api.db, now, 16, 60_000)).filter((c) => c.endpointId === slow.endpoint.id),
      ).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('a batch of records gives each attempt its own outcome: superseded, delivered, retrying', async () => {
    const shop = await api.merchant('Batch Shop');
    const receiver = await startReceiver(() => 200);
    try {
      const a = await endpointFor(shop, receiver.url('/a'));
      const b = await endpointFor(shop, receiver.url('/b'));
      const c = await endpointFor(shop, receiver.url('/c'));
      await paidCheckout(shop);
      await paidCheckout(shop);
      // An hour back: deliveries that other tests left due are not due yet then, so every claim
      // below takes this shop's and nothing else.
      const now = new Date(Date.now() - 3_600_000);
      await fanOutEvents(api.db, now);
      // One claim whose lease runs out, the others leased for long.
      const [stale] = await claimDueDeliveries(api.db, now, 1, 1_000);
      const rest = await claimDueDeliveries(api.db, now, 10, 60_000);
      expect(rest).toHaveLength(5);
      const [takeover] = await claimDueDeliveries(api.db, later(now, 2_000), 10, 60_000);
      expect(takeover).toMatchObject({ deliveryId: stale!.deliveryId, attempt: 2 });
      const byEndpoint = (id: string) => rest.filter((d) => d.endpointId === id);
      // The stale claim's endpoint answers 200; of the other two, one answers 500 then 200 within
      // the batch, the other 500 twice.
      const [mixed, failing] = [a, b, c]
        .map((e) => e.endpoint.id)
        .filter((id) => id !== stale!.endpointId)
        .sort();
      const [m500, m200] = byEndpoint(mixed!);
      const [f500, f503] = byEndpoint(failing!);
      const fine = byEndpoint(stale!.endpointId);
      const outcome = (statusCode: number) => ({
        startedAt: later(now, 2_400),
        durationMs: 7,
        statusCode,
        error: null,
        responseExcerpt: null,
      });
      const batch = [
        { delivery: stale!, outcome: outcome(500) },
        ...fine.map((delivery) => ({ delivery, outcome: outcome(200) })),
        { delivery: m500!, outcome: outcome(500) },
        { delivery: m200!, outcome: outcome(200) },
        { delivery: f500!, outcome: outcome(500) },
        { delivery: f503!, outcome: outcome(503) },
      ];
      expect(await recordAttempts(api.db, batch, later(now, 2_500))).toEqual([
        'superseded',
        ...fine.map(() => 'delivered'),
        'retrying',
        'delivered',
        'retrying',
        'retrying',
      ]);
      // The superseded attempt is in the history; its delivery waits for the newer claim's record.
      type Listed = {
        data: { id: string; endpointId: string; status: string; attempts: { statusCode: number | null }[] }[];
      };
      const list = async () =>
        data<Listed>(await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop))).data;
      const staleRow = (await list()).find((d) => d.id === stale!.deliveryId.toString());
      expect(staleRow).toMatchObject({ status: 'pending', attempts: [{ statusCode: 500 }] });
      expect(await recordAttempt(api.db, takeover!, outcome(200), later(now, 3_000))).toBe('delivered');
      const listed = await list();
      expect(listed.filter((d) => d.status === 'delivered')).toHaveLength(3);
      expect(listed.filter((d) => d.status === 'pending').map((d) => d.endpointId)).toEqual(
        expect.arrayContaining([mixed, failing, failing]) as string[],
      );
      // An endpoint's failure clock ends as its last attempt in the batch left it.
      const clocks = rowsOf<{ id: string; failing: boolean }>(
        await api.db.orm.execute(
          sql`select id, failing_since is not null as failing from webhook_endpoints where merchant_id = ${shop.merchantId}`,
        ),
      );
      expect(Object.fromEntries(clocks.map((e) => [e.id, e.failing]))).toEqual({
        [stale!.endpointId]: false,
        [mixed!]: false,
        [failing!]: true,
      });
    } finally {
      await receiver.close();
    }
  });

  it("an endpoint at its share with a long backlog does not hold up another endpoint's events", async () => {
    const shop = await api.merchant('Backlog Shop');
    const receiver = await startReceiver(() => 200);
    try {
      const busy = await endpointFor(shop, receiver.url('/busy'));
      const limit = 4;
      // More due deliveries for the busy endpoint than a claim looks at (4 per free slot) ...
      for (let i = 0; i < limit * 4 + MAX_IN_FLIGHT_PER_ENDPOINT + 2; i++) await paidCheckout(shop);
      // ... and, behind all of them, one for another endpoint.
      const other = await endpointFor(shop, receiver.url('/other'));
      await paidCheckout(shop);
      const now = new Date(Date.now() - 3_600_000);
      await fanOutEvents(api.db, now);
      const first = await claimDueDeliveries(api.db, now, limit, 60_000);
      expect(first.map((d) => d.endpointId)).toEqual(Array(limit).fill(busy.endpoint.id));
      // The busy endpoint is at its share: the next claim passes over its backlog.
      const second = await claimDueDeliveries(api.db, now, limit, 60_000);
      expect(second.map((d) => d.endpointId)).toEqual([other.endpoint.id]);
    } finally {
      await receiver.close();
    }
  });

  it('a response with a NUL byte is recorded, without it', async () => {
    const shop = await api.merchant('Nul Shop');
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(500);
      res.end('broken\u0000body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await endpointFor(shop, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
      await paidCheckout(shop);
      expect(await deliverDue(new Date())).toBeGreaterThan(0);
      const [listed] = data<{ data: { status: string; attempts: { responseExcerpt: string | null }[] }[] }>(
        await rawCall(api.url, 'deliveries.list', 'query', {}, auth(shop)),
      ).data;
      expect(listed).toMatchObject({ status: 'pending', attempts: [{ responseExcerpt: 'brokenbody' }] });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a second rotation during the overlap is refused, keeping the promised old secret', async () => {
    const shop = await api.merchant('Twice Shop');
    const { endpoint } = await endpointFor(shop, 'https://example.com/hooks');
    expect(
      (await rawCall(api.url, 'webhookEndpoints.rotateSecret', 'mutation', { id: endpoint.id }, auth(shop)))
        .status,
    ).toBe(200);
    const again = await rawCall(
      api.url,
      'webhookEndpoints.rotateSecret',
      'mutation',
      { id: endpoint.id },
      auth(shop),
    );
    expect(again.body).toMatchObject({ error: { data: { kassaCode: 'rotation_in_progress' } } });
  });

  it('keeps only the first kilobyte of a huge response', async () => {
    const big = createServer((req, res) => {
      req.resume();
      res.writeHead(200);
      res.end('x'.repeat(5_000_000));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    try {
      const outcome = await sendDelivery(
        {
          deliveryId: 1n,
          attempt: 1,
          endpointId: 'we_x',
          mode: 'test',
          url: `http://127.0.0.1:${(big.address() as AddressInfo).port}/`,
          secrets: ['whsec_' + Buffer.alloc(24).toString('base64')],
          eventId: 'evt_x',
          body: '{}',
        },
        { timeoutMs: 2_000, now: () => new Date() },
      );
      expect(outcome.statusCode).toBe(200);
      expect(outcome.responseExcerpt?.length).toBe(1024);
    } finally {
      big.closeAllConnections();
      big.close();
    }
  });
});

describe('webhook endpoints API', () => {
  it('shows the secret once, keeps endpoints per merchant, and checks URLs', async () => {
    const alice = await api.merchant('Alice Hooks');
    const bob = await api.merchant('Bob Hooks');
    const { endpoint, secret } = await endpointFor(alice, 'https://example.com/hooks');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const listed = await rawCall(api.url, 'webhookEndpoints.list', 'query', undefined, auth(alice));
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(
      data<{ data: unknown[] }>(
        await rawCall(api.url, 'webhookEndpoints.list', 'query', undefined, auth(bob)),
      ).data,
    ).toHaveLength(0);
    for (const procedure of [
      'webhookEndpoints.update',
      'webhookEndpoints.delete',
      'webhookEndpoints.rotateSecret',
    ] as const) {
      expect(
        (await rawCall(api.url, procedure, 'mutation', { id: endpoint.id }, auth(bob))).status,
        procedure,
      ).toBe(404);
    }
    const plainHttp = await rawCall(
      api.url,
      'webhookEndpoints.create',
      'mutation',
      { url: 'http://example.com/hooks' },
      auth(alice),
    );
    expect(plainHttp.body).toMatchObject({ error: { data: { kassaCode: 'url_invalid' } } });
    const badType = await rawCall(
      api.url,
      'webhookEndpoints.create',
      'mutation',
      { url: 'https://example.com', eventTypes: ['checkout.exploded'] },
      auth(alice),
    );
    expect(badType.status).toBe(400);
    expect(
      (await rawCall(api.url, 'webhookEndpoints.delete', 'mutation', { id: endpoint.id }, auth(alice)))
        .status,
    ).toBe(200);
    expect(
      data<{ data: unknown[] }>(
        await rawCall(api.url, 'webhookEndpoints.list', 'query', undefined, auth(alice)),
      ).data,
    ).toHaveLength(0);
  });
});

describe('SSRF guard', () => {
  it('knows private and public addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])
      expect(isPrivateAddress(a), a).toBe(false);
  });

  it('a live delivery to a host that resolves to this machine is refused before any request', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const outcome = await sendDelivery(
        {
          deliveryId: 1n,
          attempt: 1,
          endpointId: 'we_x',
          mode: 'live',
          url: receiver.url('/hook').replace('127.0.0.1', 'localhost'),
          secrets: ['whsec_' + Buffer.alloc(24).toString('base64')],
          eventId: 'evt_x',
          body: '{}',
        },
        { timeoutMs: 1_000, now: () => new Date() },
      );
      expect(outcome.error).toMatch(/private address/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('a test-mode delivery reaches localhost unless the operator refuses private addresses', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const delivery = {
        deliveryId: 1n,
        attempt: 1,
        endpointId: 'we_x',
        mode: 'test' as const,
        secrets: ['whsec_' + Buffer.alloc(24).toString('base64')],
        eventId: 'evt_x',
        body: '{}',
      };
      for (const url of [receiver.url('/hook'), receiver.url('/hook').replace('127.0.0.1', 'localhost')]) {
        const refused = await sendDelivery(
          { ...delivery, url },
          { timeoutMs: 1_000, now: () => new Date(), privateInTest: 'refuse' },
        );
        expect(refused.error, url).toMatch(/private address/);
      }
      expect(receiver.received).toHaveLength(0);
      const allowed = await sendDelivery(
        { ...delivery, url: receiver.url('/hook') },
        { timeoutMs: 1_000, now: () => new Date() },
      );
      expect(allowed.statusCode).toBe(200);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
