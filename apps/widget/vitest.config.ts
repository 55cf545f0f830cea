import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { CHROMIUM } from './e2e/chromium';
import { PREACT_ALIASES } from './preact-alias';

// Browser tests need Debian's Chromium. CI installs it and requires them (KASSA_BROWSER_TESTS=required);
// on a machine without it they are left out with a notice, so `npm test` still runs everything else.
const browser = existsSync(CHROMIUM);
if (!browser && process.env['KASSA_BROWSER_TESTS'] === 'required') {
  throw new Error(`browser tests are required but there is no Chromium at ${CHROMIUM}`);
}
if (!browser) {
  process.stderr.write(
    `\nwidget browser tests not run: no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n\n`,
  );
}

export default defineConfig({
  // The unit tests render with what the page ships: Preact, through the same aliases.
  resolve: { alias: PREACT_ALIASES },
  test: {
    environment: 'node',
    exclude: ['**/node_modules/**', '**/dist/**', ...(browser ? [] : ['e2e/**'])],
    testTimeout: 30_000,
  },
});
