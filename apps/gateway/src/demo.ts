import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMerchant, findKey, issueKey, type Db } from '@kassa/db';
import { z } from 'zod';

/** What `demo.json` holds: everything a developer needs to try the gateway. */
export const DemoFile = z.object({
  apiUrl: z.string(),
  webhooksUrl: z.string(),
  secretKey: z.string().startsWith('sk_test_'),
  publishableKey: z.string().startsWith('pk_test_'),
  fakes: z.record(z.string(), z.string()),
  checkoutUrl: z.string().optional(),
  /** The demo merchant page embedding the checkout with the script tag. */
  embedUrl: z.string().optional(),
});
export type DemoFile = z.infer<typeof DemoFile>;

export type DemoKeys = Readonly<{ secretKey: string; publishableKey: string; created: boolean }>;

/**
 * The demo merchant, created once. Its secret key is stored only as a hash, so demo.json is the one
 * place it can be read back: when that file is gone or its keys no longer match, a new merchant is made.
 */
export async function ensureDemoMerchant(db: Db, dataDir: string): Promise<DemoKeys> {
  const file = join(dataDir, 'demo.json');
  if (existsSync(file)) {
    const parsed = DemoFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (parsed.success) {
      const [secret, publishable] = await Promise.all([
        findKey(db, parsed.data.secretKey),
        findKey(db, parsed.data.publishableKey),
      ]);
      if (secret && publishable) return { ...parsed.data, created: false };
    }
  }
  const merchantId = await createMerchant(db.orm, 'Demo Shop');
  const secretKey = await issueKey(db.orm, merchantId, 'secret', 'test');
  const publishableKey = await issueKey(db.orm, merchantId, 'publishable', 'test');
  return { secretKey, publishableKey, created: true };
}

export async function writeDemoFile(dataDir: string, demo: DemoFile): Promise<string> {
  const file = join(dataDir, 'demo.json');
  await writeFile(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return file;
}
