import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN_HOST, launchBrowser, screenshotPath, startGateway, type Gateway } from './harness';

let gateway: Gateway;
let browser: Browser;
beforeAll(async () => {
  [gateway, browser] = await Promise.all([startGateway(), launchBrowser()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

const LINE_ITEMS = [
  { name: 'Single-origin espresso beans, 1 kg bag, whole bean', quantity: 2, unitAmount: '24.50' },
  { name: 'Ceramic pour-over dripper', quantity: 1, unitAmount: '1234.99' },
];

async function openPage(options: { width?: number; locale?: string; colorScheme?: 'dark' | 'light' } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 420, height: 900 },
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors, close: () => context.close() };
}

const statusRegion = (scope: Page | Frame) => scope.locator('[role="status"][aria-live="polite"]');

describe('the hosted checkout page', () => {
  it('shows the checkout, then flips to paid live when the payment lands elsewhere', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], currency: 'USD', lineItems: LINE_ITEMS });
    const { page, errors, close } = await openPage();
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await expect.poll(() => statusRegion(page).innerText()).toContain('Waiting for payment');
      await expect.poll(() => page.locator('.total .amount').innerText()).toBe('$1,283.99');
      await expect.poll(() => page.getByText('Test mode', { exact: true }).count()).toBe(1);
      await page.screenshot({ path: screenshotPath('hosted-waiting'), fullPage: true });

      // The merchant's backend pays (not this page): the page must notice by itself, no reload.
      await gateway.simulate(id, 'pay');
      await expect.poll(() => statusRegion(page).innerText(), { timeout: 10_000 }).toContain('Paid');
      await expect.poll(() => page.getByRole('button', { name: 'Simulate payment' }).count()).toBe(0);
      await page.screenshot({ path: screenshotPath('hosted-paid'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('can be paid with the keyboard alone, and partial payment says what is still due', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], amount: '40.00', currency: 'EUR' });
    const { page, close } = await openPage();
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await page.getByRole('button', { name: 'Pay part' }).waitFor();
      // Tab from the top of the page until the focus reaches the button, then press Enter.
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
        if (focused === 'Pay part') break;
      }
      await page.keyboard.press('Enter');
      await expect.poll(() => statusRegion(page).innerText()).toMatch(/Partially paid, €\d+\.\d\d still due/);
      await page.screenshot({ path: screenshotPath('hosted-partially-paid'), fullPage: true });
      // Shift+Tab back to "Simulate payment" (just before "Pay part") and pay the rest.
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Simulate payment');
      await page.keyboard.press('Enter');
      await expect.poll(() => statusRegion(page).innerText()).toContain('Paid');
      // The buttons are gone with the payment section; focus lands on the status, not the page top.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('role')))
        .toBe('status');
    } finally {
      await close();
    }
  });

  it('shows the expired state, and offers to start again at the merchant', async () => {
    const id = await gateway.createCheckout({
      rails: ['sandbox'],
      amount: '5.00',
      currency: 'USD',
      cancelUrl: 'https://shop.example/cart',
    });
    const { page, close } = await openPage();
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await page.getByRole('button', { name: 'Expire' }).click();
      await expect.poll(() => statusRegion(page).innerText()).toContain('This checkout has expired');
      expect(await page.getByRole('link', { name: 'Start again' }).getAttribute('href')).toBe(
        'https://shop.example/cart',
      );
      expect(await page.getByRole('timer').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('hosted-expired'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('once paid, takes the payer back to the merchant’s success URL by itself', async () => {
    const successUrl = `${gateway.embedUrl}?thanks=1`;
    const id = await gateway.createCheckout({
      rails: ['sandbox'],
      amount: '5.00',
      currency: 'USD',
      successUrl,
    });
    const { page, close } = await openPage();
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await page.getByRole('button', { name: 'Simulate payment' }).click();
      await expect.poll(() => statusRegion(page).innerText()).toContain('Paid');
      expect(await page.getByRole('link', { name: 'Return to the merchant' }).getAttribute('href')).toBe(
        successUrl,
      );
      await page.waitForURL(successUrl, { timeout: 10_000 });
    } finally {
      await close();
    }
  });

  it('fits 320 px without horizontal scrolling, in dark mode too', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], currency: 'USD', lineItems: LINE_ITEMS });
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, close } = await openPage({ width: 320, colorScheme });
      try {
        await page.goto(`${gateway.apiUrl}/pay/${id}`);
        await page.getByRole('button', { name: 'Simulate payment' }).waitFor();
        const widths = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        expect(widths.scroll).toBeLessThanOrEqual(widths.client);
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(colorScheme === 'dark' ? 'rgb(16, 18, 23)' : 'rgb(243, 244, 246)');
        await page.screenshot({ path: screenshotPath(`hosted-320px-${colorScheme}`), fullPage: true });
      } finally {
        await close();
      }
    }
  });

  it('speaks German to a German browser', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], amount: '1234.50', currency: 'EUR' });
    const { page, close } = await openPage({ locale: 'de-DE' });
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await expect.poll(() => statusRegion(page).innerText()).toContain('Warten auf Zahlung');
      await expect.poll(() => page.locator('.total .amount').innerText()).toBe('1.234,50\u00a0€');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
      await page.screenshot({ path: screenshotPath('hosted-german'), fullPage: true });
    } finally {
      await close();
    }
  });
});

describe('paying by card', () => {
  it('chooses card, pays on the (fake) Stripe page, comes back and sees paid once the webhook lands', async () => {
    const id = await gateway.createCheckout({
      rails: ['sandbox', 'card'],
      currency: 'EUR',
      lineItems: LINE_ITEMS,
    });
    const { page, errors, close } = await openPage();
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await page.getByRole('button', { name: /^Card/ }).click();
      await page.getByRole('link', { name: 'Continue to card payment' }).click();
      // Stripe's page (the fake's here) shows the exact amount Kassa asked for.
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      expect(await page.content()).toContain('1283.99 EUR');
      await page.screenshot({ path: screenshotPath('card-stripe-page'), fullPage: true });
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      // Back on Kassa's page, which turns paid when the signed webhook has been taken in.
      await page.waitForURL(`${gateway.apiUrl}/pay/${id}`);
      await expect.poll(() => statusRegion(page).innerText(), { timeout: 15_000 }).toContain('Paid');
      await page.screenshot({ path: screenshotPath('card-paid'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('paying on Stellar', () => {
  it('chooses Stellar, sees the QR code, memo and SEP-7 link; a wallet pays the link and the page turns paid', async () => {
    const id = await gateway.createCheckout({
      rails: ['sandbox', 'stellar'],
      currency: 'USD',
      amount: '12.50',
    });
    const { page, errors, close } = await openPage({ width: 320 });
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await page.getByRole('button', { name: /^Stellar/ }).click();
      const panel = page.locator('[data-panel="stellar"]');
      await expect.poll(() => panel.getByRole('img').count()).toBe(1);
      await expect.poll(() => panel.innerText()).toMatch(/12\.5000000\s*USDC/);
      const link = panel.getByRole('link', { name: /Open in wallet/ });
      const sep7 = await link.getAttribute('href');
      expect(sep7).toMatch(/^web\+stellar:pay\?destination=G/);
      await page.screenshot({ path: screenshotPath('stellar-instructions-320'), fullPage: true });

      // The payer's wallet scans the code: the demo's test wallet pays the same link.
      const wallet = gateway.fakes['stellarWallet'];
      if (!wallet || !sep7) throw new Error('no test wallet or link');
      const paid = await fetch(`${wallet}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ uri: sep7 }).toString(),
      });
      expect(paid.status).toBe(200);
      // Nobody presses anything: the ledger watcher sees the payment and the page flips live.
      await expect.poll(() => statusRegion(page).innerText(), { timeout: 15_000 }).toContain('Paid');
      await page.screenshot({ path: screenshotPath('stellar-paid'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('rail panels, each fetched when the payer shows interest in its rail', () => {
  it('loads no panel with the page, fetches one on hover, and a panel that failed to arrive can be tried again', async () => {
    const id = await gateway.createCheckout({
      rails: ['sandbox', 'stellar'],
      currency: 'USD',
      amount: '3.00',
    });
    const { page, close } = await openPage();
    try {
      const panelChunk = /\/widget\/assets\/(sandbox|card|stellar|evm|parts)-[\w-]+\.js$/;
      const fetched: string[] = [];
      page.on('request', (request) => {
        const chunk = panelChunk.exec(new URL(request.url()).pathname)?.[1];
        if (chunk) fetched.push(chunk);
      });
      let offline = true;
      await page.route(/\/widget\/assets\/stellar-[\w-]+\.js$/, (route) =>
        offline ? route.abort('internetdisconnected') : route.continue(),
      );
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await expect.poll(() => page.getByRole('button', { name: /^Stellar/ }).count()).toBe(1);
      expect(fetched).toEqual([]);

      await page.getByRole('button', { name: /^Stellar/ }).hover();
      await expect.poll(() => fetched).toContain('stellar');
      expect(fetched).not.toContain('sandbox');

      // The chunk never came: the payer is told, and trying again fetches it.
      await page.getByRole('button', { name: /^Stellar/ }).click();
      const panel = page.locator('[data-panel="stellar"]');
      await expect.poll(() => panel.innerText()).toContain('Cannot reach the payment server');
      offline = false;
      await panel.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => panel.getByRole('img').count()).toBe(1);
      await expect.poll(() => panel.innerText()).toMatch(/3\.0000000\s*USDC/);
    } finally {
      await close();
    }
  });
});

describe('paying in stablecoins (SHKeeper)', () => {
  it('picks a token, gets the address and amount, and turns paid when SHKeeper reports the transfer', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox', 'evm'], currency: 'USD', amount: '25.00' });
    const { page, errors, close } = await openPage({ width: 320 });
    try {
      await page.goto(`${gateway.apiUrl}/pay/${id}`);
      await page.getByRole('button', { name: /^Stablecoin/ }).click();
      await page.getByLabel('Token and network').selectOption({ label: 'USDT · BNB Chain (BEP20)' });
      await page.getByRole('button', { name: 'Show address' }).click();
      const panel = page.locator('[data-panel="evm"]');
      await expect.poll(() => panel.getByRole('img').count()).toBe(1);
      await expect.poll(() => panel.innerText()).toMatch(/25\s*USDT/);
      const link = await panel.getByRole('link', { name: /Open in wallet/ }).getAttribute('href');
      expect(link).toMatch(
        /^ethereum:0x[0-9a-fA-F]{40}@97\/transfer\?address=0x[0-9a-fA-F]{40}&uint256=25000000000000000000$/,
      );
      await page.screenshot({ path: screenshotPath('evm-instructions-320'), fullPage: true });

      // The payer's wallet sends the tokens: the demo SHKeeper's send page plays that part.
      const address = /address=(0x[0-9a-fA-F]{40})/.exec(link ?? '')?.[1];
      const fake = gateway.fakes['shkeeper'];
      if (!address || !fake) throw new Error('no address or fake SHKeeper');
      const sent = await fetch(`${fake}/demo/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ address, amount: '25' }).toString(),
      });
      expect(sent.status).toBe(200);
      await expect.poll(() => statusRegion(page).innerText(), { timeout: 20_000 }).toContain('Paid');
      await page.screenshot({ path: screenshotPath('evm-paid'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

// The demo's merchant page: another origin (localhost, another port) with the script tag on it.
describe('the widget embedded with the script tag on a merchant page', () => {
  const merchantPage = (id: string) => `${gateway.embedUrl}?checkout=${id}`;

  const widgetFrame = async (page: Page): Promise<Frame> => {
    const handle = await page.waitForSelector('.kassa-checkout iframe');
    const frame = await handle.contentFrame();
    if (!frame) throw new Error('the iframe has no frame');
    return frame;
  };
  const heard = (page: Page) =>
    page.evaluate(() => (window as unknown as { kassaEvents: object[] }).kassaEvents);

  it('pays in the sandbox, flips to paid, and the host page hears kassa:paid', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], currency: 'USD', lineItems: LINE_ITEMS });
    const { page, errors, close } = await openPage({ width: 800 });
    try {
      await page.goto(merchantPage(id));
      const frame = await widgetFrame(page);
      await expect.poll(() => statusRegion(frame).innerText()).toContain('Waiting for payment');
      // The iframe follows its content's height, so the host page shows it whole.
      const iframe = page.locator('.kassa-checkout iframe');
      await expect
        .poll(async () => {
          const content = await frame.evaluate(() => document.documentElement.getBoundingClientRect().height);
          const box = await iframe.boundingBox();
          return Math.abs((box?.height ?? 0) - content);
        })
        .toBeLessThanOrEqual(2);
      await page.screenshot({ path: screenshotPath('embedded-waiting'), fullPage: true });

      const waitingHeight = (await iframe.boundingBox())?.height ?? 0;
      await frame.getByRole('button', { name: 'Simulate payment' }).click();
      await expect.poll(() => statusRegion(frame).innerText()).toContain('Paid');
      await expect.poll(() => heard(page)).toContainEqual({ type: 'kassa:paid', status: 'paid' });
      // The payment section is gone: the iframe shrinks with its content.
      await expect
        .poll(async () => (await iframe.boundingBox())?.height ?? 0)
        .toBeLessThan(waitingHeight - 100);
      await page.screenshot({ path: screenshotPath('embedded-paid'), fullPage: true });
      await new Promise((r) => setTimeout(r, 300));
      const paidEvents = (await heard(page)).filter((e) => (e as { type: string }).type === 'kassa:paid');
      expect(paidEvents).toHaveLength(1);

      await frame.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => heard(page)).toContainEqual({ type: 'kassa:closed', status: 'paid' });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('ignores look-alike messages that do not come from the widget', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], amount: '3.00', currency: 'USD' });
    const { page, close } = await openPage({ width: 800 });
    try {
      await page.goto(merchantPage(id));
      const frame = await widgetFrame(page);
      await expect.poll(() => statusRegion(frame).innerText()).toContain('Waiting for payment');
      // A script on the host page (or any other window) forging the widget's message.
      await page.evaluate((checkoutId) => {
        window.postMessage({ source: 'kassa', type: 'kassa:paid', checkoutId, status: 'paid' }, '*');
      }, id);
      await new Promise((r) => setTimeout(r, 300));
      expect(await heard(page)).not.toContainEqual(expect.objectContaining({ type: 'kassa:paid' }));
    } finally {
      await close();
    }
  });

  it('tells the host page when the checkout expires', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], amount: '3.00', currency: 'USD' });
    const { page, close } = await openPage({ width: 800 });
    try {
      await page.goto(merchantPage(id));
      const frame = await widgetFrame(page);
      await frame.getByRole('button', { name: 'Expire' }).click();
      await expect.poll(() => statusRegion(frame).innerText()).toContain('expired');
      await expect.poll(() => heard(page)).toContainEqual({ type: 'kassa:expired', status: 'expired' });
      await page.screenshot({ path: screenshotPath('embedded-expired'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('fits a 320 px merchant page without horizontal scrolling', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], currency: 'USD', lineItems: LINE_ITEMS });
    const { page, close } = await openPage({ width: 320 });
    try {
      await page.goto(merchantPage(id));
      const frame = await widgetFrame(page);
      await frame.getByRole('button', { name: 'Simulate payment' }).waitFor();
      for (const scope of [page, frame]) {
        const widths = await scope.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      }
      await page.screenshot({ path: screenshotPath('embedded-320px'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('a site the merchant has not allowed gets a link to the hosted page; once allowed, the widget', async () => {
    const id = await gateway.createCheckout({ rails: ['sandbox'], amount: '3.00', currency: 'USD' });
    const foreign = new URL(merchantPage(id));
    foreign.hostname = FOREIGN_HOST;
    const { page, close } = await openPage({ width: 800 });
    try {
      await page.goto(foreign.href);
      // The API refuses to be framed there; the loader hears no ready signal and offers the link.
      const link = page.getByRole('link', { name: 'Open the checkout' });
      await link.waitFor({ timeout: 20_000 });
      expect(await link.getAttribute('href')).toBe(`${gateway.apiUrl}/pay/${id}`);
      await page.screenshot({ path: screenshotPath('embedded-refused'), fullPage: true });

      await gateway.allowOrigins([foreign.origin]);
      await page.reload();
      const frame = await widgetFrame(page);
      await expect.poll(() => statusRegion(frame).innerText()).toContain('Waiting for payment');
      expect(await page.getByRole('link', { name: 'Open the checkout' }).count()).toBe(0);
    } finally {
      await gateway.allowOrigins([]);
      await close();
    }
  }, 45_000);
});
