import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKassaClient, verifyWebhook } from '@kassa/client';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoFile } from './demo';
import { freePort, killLeftoverGateways, spawnGateway, type RunningGateway } from './testing';

const dataDir = mkdtempSync(join(tmpdir(), 'kassa-gateway-'));
afterAll(() => {
  killLeftoverGateways();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Running = RunningGateway;

/** Starts the real gateway process, as `npm start` does, and waits until it is ready. */
function startGateway(): Promise<Running> {
  return spawnGateway({ dataDir });
}

function stop(running: Running, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.once('exit', (code) => resolve(code));
    running.child.kill(signal);
  });
}

describe('the gateway process', () => {
  let firstKeys: DemoFile;
  let paidId: string;

  it('starts with a demo merchant, prints its keys and a checkout URL, and writes demo.json', async () => {
    const gateway = await startGateway();
    const demo = DemoFile.parse(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')));
    firstKeys = demo;
    expect(gateway.output()).toContain(demo.secretKey);
    expect(gateway.output()).toContain(demo.publishableKey);
    expect(demo.apiUrl).toBe(gateway.apiUrl);
    expect(demo.checkoutUrl).toMatch(/\/pay\/pay_/);
    // The secret key goes to the terminal banner only, never through the JSON log lines.
    const logLines = gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(demo.secretKey);

    // A merchant script with the printed key: create, pay in the sandbox, read paid and the audit trail.
    const kassa = createKassaClient({ baseUrl: demo.apiUrl, secretKey: demo.secretKey });
    const checkout = await kassa.checkouts.create.mutate({ amount: '42.00', currency: 'USD' });
    await kassa.sandbox.simulate.mutate({ checkoutId: checkout.id, outcome: 'pay' });
    expect((await kassa.checkouts.get.query({ id: checkout.id })).status).toBe('paid');
    expect((await kassa.checkouts.audit.query({ id: checkout.id })).data.map((a) => a.to)).toEqual(['paid']);
    paidId = checkout.id;

    // The hosted page is served with the checkout's public config.
    const page = await fetch(checkout.checkoutUrl.replace(demo.apiUrl, gateway.apiUrl));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`"checkoutId":"${checkout.id}"`);
    expect(html).toContain(demo.publishableKey);
    expect(html).not.toContain(demo.secretKey);

    expect(await stop(gateway, 'SIGINT')).toBe(0);
    expect(gateway.output()).toContain('stopped cleanly');
  });

  it('delivers signed merchant webhooks, also to a receiver that was down for a while', async () => {
    const gateway = await startGateway();
    const demo = DemoFile.parse(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')));
    const kassa = createKassaClient({ baseUrl: demo.apiUrl, secretKey: demo.secretKey });
    const port = await freePort();
    const received: { headers: Record<string, string>; body: string }[] = [];
    const receiver = () =>
      createHttpServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ headers: req.headers as Record<string, string>, body });
          res.end('ok');
        });
      }).listen(port, '127.0.0.1');
    let server = receiver();
    try {
      const { secret } = await kassa.webhookEndpoints.create.mutate({
        url: `http://127.0.0.1:${port}/kassa`,
        eventTypes: ['checkout.paid'],
      });
      const first = await kassa.checkouts.create.mutate({ amount: '8.00', currency: 'USD' });
      await kassa.sandbox.simulate.mutate({ checkoutId: first.id, outcome: 'pay' });
      await waitUntil(() => received.length >= 1, 10_000);
      const event = new Webhook(secret).verify(received[0]!.body, received[0]!.headers) as {
        type: string;
        data: { checkout: { id: string } };
      };
      expect(event).toMatchObject({ type: 'checkout.paid', data: { checkout: { id: first.id } } });
      expect(verifyWebhook(received[0]!.body, received[0]!.headers, secret).data.checkout.id).toBe(first.id);

      // The receiver goes down; a payment happens; the receiver comes back and still gets it.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const second = await kassa.checkouts.create.mutate({ amount: '9.00', currency: 'USD' });
      await kassa.sandbox.simulate.mutate({ checkoutId: second.id, outcome: 'pay' });
      await waitUntil(
        async () =>
          (await kassa.deliveries.list.query({})).data.some((d) => d.attempts.some((a) => a.error !== null)),
        10_000,
      );
      server = receiver();
      await waitUntil(() => received.length >= 2, 20_000);
      expect(verifyWebhook(received[1]!.body, received[1]!.headers, secret).data.checkout.id).toBe(second.id);
    } finally {
      server.closeAllConnections();
      server.close();
      expect(await stop(gateway, 'SIGINT')).toBe(0);
    }
  });

  it('a USD checkout paid in USDC on the fake ledger: QR and SEP-7 link, the test wallet pays, the watcher sees it', async () => {
    const gateway = await startGateway();
    try {
      const demo = DemoFile.parse(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')));
      expect(demo.fakes['horizon']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const walletUrl = demo.fakes['stellarWallet'];
      if (!walletUrl) throw new Error('no test wallet in demo.json');
      const kassa = createKassaClient({ baseUrl: demo.apiUrl, secretKey: demo.secretKey });
      const checkout = await kassa.checkouts.create.mutate({
        amount: '12.50',
        currency: 'USD',
        rails: ['stellar'],
      });
      const chosen = await fetch(`${demo.apiUrl}/trpc/checkout.selectRail`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kassa-publishable-key': demo.publishableKey },
        body: JSON.stringify({ checkoutId: checkout.id, rail: 'stellar' }),
      });
      const { result } = (await chosen.json()) as {
        result: { data: { sep7Uri: string; qrSvg: string; amount: string; asset: { id: string } } };
      };
      expect(result.data).toMatchObject({ amount: '12.5000000', asset: { id: 'USDC:stellar' } });
      expect(result.data.qrSvg).toMatch(/^<svg/);
      // The payer's wallet "scans" the link and pays from its own account.
      const paid = await fetch(`${walletUrl}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ uri: result.data.sep7Uri }).toString(),
      });
      expect(paid.status).toBe(200);
      const { hash } = (await paid.json()) as { hash: string };
      // No "I have paid": the ledger watcher sees the payment by itself.
      await waitUntil(
        async () => (await kassa.checkouts.get.query({ id: checkout.id })).status === 'paid',
        15_000,
      );
      const audit = await kassa.checkouts.audit.query({ id: checkout.id });
      expect(audit.data.map((a) => a.cause)).toContainEqual(
        expect.objectContaining({ source: 'stellar', externalId: hash }),
      );
    } finally {
      await stop(gateway, 'SIGINT');
    }
  });

  it('stablecoins on the fake SHKeeper: a transfer pays an escrow checkout, it is released to a seller, a payout completes', async () => {
    const gateway = await startGateway();
    try {
      const demo = DemoFile.parse(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')));
      const shkeeper = demo.fakes['shkeeper'];
      if (!shkeeper) throw new Error('no fake SHKeeper in demo.json');
      const kassa = createKassaClient({ baseUrl: demo.apiUrl, secretKey: demo.secretKey });
      const checkout = await kassa.checkouts.create.mutate({
        amount: '30.00',
        currency: 'USD',
        rails: ['evm'],
        escrow: true,
      });
      const chosen = await fetch(`${demo.apiUrl}/trpc/checkout.selectRail`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kassa-publishable-key': demo.publishableKey },
        body: JSON.stringify({ checkoutId: checkout.id, rail: 'evm', asset: 'USDT:tron' }),
      });
      const { result } = (await chosen.json()) as {
        result: { data: { address: string; amount: string; qrSvg: string; expiresAt: string } };
      };
      expect(result.data.qrSvg).toMatch(/^<svg/);
      expect(Date.parse(result.data.expiresAt)).toBeGreaterThan(Date.now());
      const sent = await fetch(`${shkeeper}/demo/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ address: result.data.address, amount: result.data.amount }).toString(),
      });
      expect(sent.status).toBe(200);
      await waitUntil(
        async () => (await kassa.checkouts.get.query({ id: checkout.id })).escrow === 'funded',
        15_000,
      );

      const seller = 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ';
      expect(
        (await kassa.escrow.release.mutate({ checkoutId: checkout.id, destination: seller })).escrow,
      ).toBe('releasing');
      // The fake wallet sends it after a moment and SHKeeper calls back: released.
      await waitUntil(
        async () => (await kassa.checkouts.get.query({ id: checkout.id })).escrow === 'released',
        30_000,
      );
      const audit = await kassa.checkouts.audit.query({ id: checkout.id });
      expect(audit.data.map((a) => a.cause.type)).toContain('escrow_paid_out');

      // A payout spends what the shop's own (not escrow) checkouts received in that token.
      const sale = await kassa.checkouts.create.mutate({ amount: '15.00', currency: 'USD', rails: ['evm'] });
      const saleRail = await fetch(`${demo.apiUrl}/trpc/checkout.selectRail`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kassa-publishable-key': demo.publishableKey },
        body: JSON.stringify({ checkoutId: sale.id, rail: 'evm', asset: 'USDT:tron' }),
      });
      const saleAddress = ((await saleRail.json()) as { result: { data: { address: string } } }).result.data
        .address;
      await fetch(`${shkeeper}/demo/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ address: saleAddress, amount: '15' }).toString(),
      });
      await waitUntil(
        async () => (await kassa.checkouts.get.query({ id: sale.id })).status === 'paid',
        15_000,
      );
      const payout = await kassa.payouts.create.mutate({
        amount: '12.5',
        currency: 'USDT:tron',
        destination: seller,
      });
      await waitUntil(
        async () => (await kassa.payouts.get.query({ id: payout.id })).status === 'paid',
        30_000,
      );
    } finally {
      await stop(gateway, 'SIGINT');
    }
  });

  it('keeps its data and demo merchant across a restart', async () => {
    expect(existsSync(join(dataDir, 'demo.json'))).toBe(true);
    const gateway = await startGateway();
    const demo = DemoFile.parse(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')));
    expect(demo.secretKey).toBe(firstKeys.secretKey);
    const kassa = createKassaClient({ baseUrl: demo.apiUrl, secretKey: demo.secretKey });
    expect((await kassa.checkouts.get.query({ id: paidId })).status).toBe('paid');
    expect(await stop(gateway, 'SIGTERM')).toBe(0);
  });

  it('stops on SIGTERM even after whoever read its output went away', async () => {
    // A supervisor or terminal that died leaves stdout a broken pipe; the next log line meets it.
    const gateway = await startGateway();
    gateway.child.stdout?.destroy();
    gateway.child.stderr?.destroy();
    expect(await stop(gateway, 'SIGTERM')).toBe(0);
  });
});
