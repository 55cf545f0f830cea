import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeShkeeper, type FakeShkeeper } from './index';
import { call, fixture, startReceiver, type Receiver } from './testing';

const DEST = 'TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ';
const PAYOUT_ID = 'po_01J90A7C2D3E4F5G6H7J8K9M0N';
const ADMIN = { user: 'admin', password: 'pw' };

const Created = z.object({ task_id: z.string(), external_id: z.string().optional() });
const Multi = z.object({ task_id: z.string(), external_ids: z.array(z.string()) });
const TaskSuccess = z.object({
  status: z.literal('SUCCESS'),
  result: z.array(
    z.object({ dest: z.string(), amount: z.string(), status: z.string(), txids: z.array(z.string()) }),
  ),
});

const errors = z.record(z.string(), z.record(z.string(), z.string())).parse(fixture('errors.json'));

function keysOf(value: unknown): string[] {
  return Object.keys(z.record(z.string(), z.unknown()).parse(value)).sort();
}

let fake: FakeShkeeper;
let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
  fake = await startFakeShkeeper({ apiKey: 'kassa-fixture-apikey-7d1f0c', admin: ADMIN });
});

afterEach(async () => {
  await fake.close();
  await receiver.close();
});

function payoutRequest(overrides: Record<string, unknown> = {}) {
  const request = z.record(z.string(), z.unknown()).parse(fixture('payout.request.json'));
  return { ...request, callback_url: receiver.url, ...overrides };
}

async function createPayout(target: FakeShkeeper = fake, overrides: Record<string, unknown> = {}) {
  const answer = await call(target, 'POST', '/USDT/payout', { basic: ADMIN, body: payoutRequest(overrides) });
  expect(answer.status).toBe(200);
  return Created.parse(answer.json);
}

const task = (taskId: string, crypto = 'USDT') =>
  call(fake, 'GET', `/${crypto}/task/${taskId}`, { basic: ADMIN });
const status = (query: string, crypto = 'USDT') =>
  call(fake, 'GET', `/${crypto}/payout/status${query}`, { apiKey: fake.apiKey });

describe('fake SHKeeper: payouts', () => {
  it('runs a payout task from PENDING to SUCCESS and calls back once, signed, without the API key header', async () => {
    const created = await createPayout();
    expect(keysOf(created)).toEqual(keysOf(fixture('payout.create.response.json')));
    expect(created.external_id).toBe(PAYOUT_ID);

    expect((await task(created.task_id)).json).toEqual(fixture('task.status.pending.json'));
    const pending = await status(`?external_id=${PAYOUT_ID}`);
    expect(pending.json).toMatchObject({
      status: 'IN_PROGRESS',
      amount: '120.5000000000',
      txid: null,
      destination: DEST,
    });

    fake.completePayout(created.task_id, 'SUCCESS');
    const done = TaskSuccess.parse((await task(created.task_id)).json);
    expect(done.result).toHaveLength(1);
    const txid = done.result[0]!.txids[0];
    expect(done.result).toEqual([{ dest: DEST, amount: '120.5', status: 'success', txids: [txid] }]);
    expect(txid).toMatch(/^[0-9a-f]{64}$/);

    const succeeded = await status(`?external_id=${PAYOUT_ID}`);
    expect(keysOf(succeeded.json)).toEqual(keysOf(fixture('payout.status.response.json')));
    expect(succeeded.json).toEqual({
      id: 1,
      external_id: PAYOUT_ID,
      crypto: 'USDT',
      status: 'SUCCESS',
      amount: '120.5000000000',
      destination: DEST,
      txid,
    });

    await fake.flush();
    expect(receiver.received).toHaveLength(1);
    const { headers, body } = receiver.received[0]!;
    expect(keysOf(JSON.parse(body))).toEqual(keysOf(fixture('payout.callback.json')));
    const callback = z.object({ timestamp: z.string() }).passthrough().parse(JSON.parse(body));
    expect(callback.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
    expect(callback).toMatchObject({
      payout_id: 1,
      external_id: PAYOUT_ID,
      tx_hash: txid,
      status: 'SUCCESS',
      amount: '120.5000000000',
      amount_fiat: '120.5000000000',
      crypto: 'USDT',
      currency_fiat: 'USD',
    });
    expect(headers['x-shkeeper-api-key']).toBeUndefined();
    const timestamp = String(headers['x-shkeeper-timestamp']);
    const expected = createHmac('sha256', fake.apiKey).update(`${timestamp}.${body}`).digest('hex');
    expect(headers['x-shkeeper-signature']).toBe(expected);
  });

  it('fails a task with a message, marks the payout FAIL and sends no callback', async () => {
    const created = await createPayout();
    fake.completePayout(
      created.task_id,
      'FAILURE',
      'Have not enough tokens on fee account, need 120.5 have 0',
    );
    expect((await task(created.task_id)).json).toEqual(fixture('task.status.failure.json'));
    expect((await status(`?external_id=${PAYOUT_ID}`)).json).toMatchObject({ status: 'FAIL', txid: null });
    await fake.flush();
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a duplicate external_id with HTTP 500 and starts no second task', async () => {
    await createPayout();
    const again = await call(fake, 'POST', '/USDT/payout', { basic: ADMIN, body: payoutRequest() });
    expect(again.status).toBe(500);
    expect(again.json).toEqual(errors['payout_duplicate_external_id_http_500']);
    expect(fake.tasks()).toHaveLength(1);
    // Unique per crypto only.
    const otherChain = await call(fake, 'POST', '/ETH-USDT/payout', { basic: ADMIN, body: payoutRequest() });
    expect(otherChain.status).toBe(200);
    // Without external_id there is no dedupe at all.
    await createPayout(fake, { external_id: undefined });
    await createPayout(fake, { external_id: undefined });
    expect(fake.payouts()).toHaveLength(4);
  });

  it('answers payout/status 400 without external_id and 404 for an unknown one', async () => {
    await createPayout();
    const missing = await status('');
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: 'external_id is required' });
    const unknown = await status('?external_id=po_unknown');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual(errors['payout_status_not_found_http_404']);
    // Looked up per crypto.
    expect((await status(`?external_id=${PAYOUT_ID}`, 'USDC')).status).toBe(404);
    const badKey = await call(fake, 'GET', `/USDT/payout/status?external_id=${PAYOUT_ID}`, {
      apiKey: 'nope',
    });
    expect(badKey.status).toBe(200);
    expect(badKey.json).toEqual(errors['bad_api_key']);
  });

  it('reports an unknown task id as PENDING, like Celery, and shares ids across a backend', async () => {
    expect((await task('0471adec-5de5-4668-bc1d-e8e7729cb676')).json).toEqual({
      status: 'PENDING',
      result: null,
    });
    const created = await createPayout();
    fake.completePayout(created.task_id, 'SUCCESS');
    expect((await task(created.task_id, 'USDC')).json).toMatchObject({ status: 'SUCCESS' });
    expect((await task(created.task_id, 'ETH-USDT')).json).toEqual({ status: 'PENDING', result: null });
  });

  it('pays a list with multipayout; an item in error leaves its payout IN_PROGRESS', async () => {
    const request = z.array(z.record(z.string(), z.unknown())).parse(fixture('multipayout.request.json'));
    const body = request.map((item) => ({ ...item, callback_url: receiver.url }));
    const answer = await call(fake, 'POST', '/USDT/multipayout', { basic: ADMIN, body });
    expect(answer.status).toBe(200);
    const created = Multi.parse(answer.json);
    expect(keysOf(created)).toEqual(keysOf(fixture('multipayout.create.response.json')));
    expect(created.external_ids).toEqual(['po_01J90A7C2D3E4F5G6H7J8K9M0N', 'po_01J90A7C2D3E4F5G6H7J8K9M0P']);

    fake.completePayout(created.task_id, 'SUCCESS', 'Insufficient energy', {
      failedDestinations: ['TYtD9md7cHuB4P6kDd362jhcUGP7cJybF7'],
    });
    const result = TaskSuccess.parse((await task(created.task_id)).json).result;
    expect(result.map((r) => [r.dest, r.amount, r.status, r.txids.length])).toEqual([
      ['TGusXhweqkJ1aJftjmAfLqA1rfEWD4hSGZ', '120.5', 'success', 1],
      ['TYtD9md7cHuB4P6kDd362jhcUGP7cJybF7', '80', 'error', 0],
    ]);
    expect((await status('?external_id=po_01J90A7C2D3E4F5G6H7J8K9M0P')).json).toMatchObject({
      status: 'IN_PROGRESS',
      txid: null,
    });
    await fake.flush();
    expect(
      receiver.received.map(
        (r) => z.object({ external_id: z.string() }).parse(JSON.parse(r.body)).external_id,
      ),
    ).toEqual(['po_01J90A7C2D3E4F5G6H7J8K9M0N']);
  });

  it('starts the multipayout task even when an external_id is a duplicate (then answers 500)', async () => {
    await createPayout();
    const answer = await call(fake, 'POST', '/USDT/multipayout', {
      basic: ADMIN,
      body: [
        { dest: 'TYtD9md7cHuB4P6kDd362jhcUGP7cJybF7', amount: '5', external_id: 'po_new' },
        { dest: DEST, amount: '5', external_id: PAYOUT_ID },
      ],
    });
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual(errors['payout_duplicate_external_id_http_500']);
    expect(fake.tasks()).toHaveLength(2);
    expect(fake.payouts().map((p) => p.externalId)).toEqual([PAYOUT_ID, 'po_new']);
  });

  it('gives up on a payout callback after the retry cap', async () => {
    const stubborn = await startReceiver([], 500);
    const capped = await startFakeShkeeper({ admin: ADMIN, retryEveryMs: 10, payoutCallbackAttempts: 3 });
    try {
      const answer = await call(capped, 'POST', '/USDT/payout', {
        basic: ADMIN,
        body: {
          amount: '1',
          destination: DEST,
          fee: '10',
          callback_url: stubborn.url,
          external_id: 'po_cap',
        },
      });
      capped.completePayout(Created.parse(answer.json).task_id, 'SUCCESS');
      await stubborn.waitFor(3);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await capped.flush();
      expect(capped.callbacks().map((c) => [c.kind, c.status])).toEqual([
        ['payout', 500],
        ['payout', 500],
        ['payout', 500],
      ]);
    } finally {
      await capped.close();
      await stubborn.close();
    }
  });

  it('completes tasks by itself when told to, failing when the wallet is short', async () => {
    const auto = await startFakeShkeeper({ admin: ADMIN, payoutAutoCompleteMs: 5 });
    try {
      const first = Created.parse(
        (
          await call(auto, 'POST', '/USDT/payout', {
            basic: ADMIN,
            body: { amount: '120.5', destination: DEST, fee: '10' },
          })
        ).json,
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      const failed = await call(auto, 'GET', `/USDT/task/${first.task_id}`, { basic: ADMIN });
      expect(failed.json).toEqual(fixture('task.status.failure.json'));

      auto.fund('USDT', '200');
      const second = Created.parse(
        (
          await call(auto, 'POST', '/USDT/payout', {
            basic: ADMIN,
            body: { amount: '120.5', destination: DEST, fee: '10' },
          })
        ).json,
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(
        TaskSuccess.parse((await call(auto, 'GET', `/USDT/task/${second.task_id}`, { basic: ADMIN })).json)
          .result,
      ).toHaveLength(1);
      expect(auto.balance('USDT')).toBe('79.5');
    } finally {
      await auto.close();
    }
  });

  it('reports a malformed payout as a 500 with the Python message', async () => {
    const noFee = await call(fake, 'POST', '/USDT/payout', {
      basic: ADMIN,
      body: { amount: '1', destination: DEST },
    });
    expect(noFee.status).toBe(500);
    expect(noFee.json).toEqual({ status: 'error', message: "'fee'" });
    const badUrl = await call(fake, 'POST', '/USDT/payout', {
      basic: ADMIN,
      body: { amount: '1', destination: DEST, fee: '1', callback_url: 'ftp://x.example' },
    });
    expect(badUrl.json).toEqual({ status: 'error', message: 'Invalid callback_url scheme: ftp://x.example' });
    const unknown = await call(fake, 'POST', '/DOGE/payout', {
      basic: ADMIN,
      body: { amount: '1', destination: DEST, fee: '1' },
    });
    expect(unknown.json).toEqual({ status: 'error', message: 'Unknown crypto: DOGE' });
    expect(fake.tasks()).toHaveLength(0);
  });
});
