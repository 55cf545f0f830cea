import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The recorded provider data lives with the adapters (packages/providers/fixtures); the fakes'
// own tests compare their answers with it, reached through the package's exports.
const require = createRequire(import.meta.url);

/** The text of a recorded fixture, e.g. `fixtureText('stellar/sse.payments.txt')`. */
export function fixtureText(path: string): string {
  return readFileSync(require.resolve(`@kassa/providers/fixtures/${path}`), 'utf8');
}

/** A recorded JSON fixture, e.g. `fixtureJson('shkeeper/callback.paid.json')`. */
export function fixtureJson(path: string): unknown {
  return JSON.parse(fixtureText(path));
}
