// A merchant's script against the running demo (`npm start`): create a checkout, pay it in the
// sandbox, read it back as paid with its audit trail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKassaClient } from '../src/index';

const demoFile = join(
  process.env['KASSA_DATA_DIR'] ?? join(import.meta.dirname, '..', '..', '..', '.kassa'),
  'demo.json',
);
const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as { apiUrl: string; secretKey: string };
const kassa = createKassaClient({ baseUrl: demo.apiUrl, secretKey: demo.secretKey });

const checkout = await kassa.checkouts.create.mutate(
  { amount: '12.50', currency: 'USD', description: 'Example order' },
  { context: { idempotencyKey: `example-${Date.now()}` } },
);
process.stdout.write(`created ${checkout.id}: ${checkout.status}, pay at ${checkout.checkoutUrl}\n`);

await kassa.sandbox.simulate.mutate({ checkoutId: checkout.id, outcome: 'pay' });
const paid = await kassa.checkouts.get.query({ id: checkout.id });
process.stdout.write(
  `now ${paid.status}: received ${paid.amountReceived.amount} ${paid.amountReceived.asset}\n`,
);

const audit = await kassa.checkouts.audit.query({ id: checkout.id });
for (const entry of audit.data) {
  process.stdout.write(
    `  #${entry.sequence} ${entry.from} -> ${entry.to} (${entry.cause.source} ${entry.cause.type}) at ${entry.at}\n`,
  );
}
