import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// By path, not by package: the gateway depends on the widget (it serves its build), not the reverse.
import { spawnGateway } from '../../gateway/src/testing';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './chromium';

export const SCREENSHOTS = join(import.meta.dirname, '..', 'test-results');

/** Resolves to this machine inside the browser only: an origin that is neither loopback nor allowed. */
export const FOREIGN_HOST = 'shop.test';

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      // A merchant site that is not loopback, to see embedding refused and then allowed.
      `--host-resolver-rules=MAP ${FOREIGN_HOST} 127.0.0.1`,
    ],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/** What the gateway wrote to demo.json; `embedUrl` is its demo merchant page with the script tag. */
type Demo = {
  apiUrl: string;
  secretKey: string;
  publishableKey: string;
  embedUrl: string;
  /** The demo's offline providers: `stripe`, `horizon`, `stellarWallet`. */
  fakes: Record<string, string>;
};
export type Gateway = Demo & {
  createCheckout(input: Record<string, unknown>): Promise<string>;
  simulate(checkoutId: string, outcome: string): Promise<void>;
  allowOrigins(origins: string[]): Promise<void>;
  stop(): Promise<void>;
};

/** The real gateway process, as `npm start` runs it, on its own data folder and free ports. */
export async function startGateway(): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kassa-widget-e2e-'));
  const { child } = await spawnGateway({ dataDir, logLevel: 'warn' });
  const demoFile = join(dataDir, 'demo.json');
  const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as Demo;

  const call = async (procedure: string, input: unknown) => {
    const response = await fetch(`${demo.apiUrl}/trpc/${procedure}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { result?: { data: unknown } };
    if (!response.ok || !body.result) throw new Error(`${procedure} failed: ${JSON.stringify(body)}`);
    return body.result.data;
  };
  return {
    ...demo,
    async createCheckout(input) {
      return ((await call('checkouts.create', input)) as { id: string }).id;
    },
    async simulate(checkoutId, outcome) {
      await call('sandbox.simulate', { checkoutId, outcome });
    },
    async allowOrigins(allowedOrigins) {
      await call('settings.update', { allowedOrigins });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
