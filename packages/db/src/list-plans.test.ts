import type { Mode } from '@kassa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCheckout, listAudit, listCheckouts, listExpiredOpenPayments, payoutsUnderWay } from './checkouts';
import { paymentsWithEscrowUnderWay } from './rail-refs';
import { createTestDb, seedPayments, testEngine, type SeedResult, type TestDb } from './testing';
import { listDeliveries } from './webhooks';

/** Tables that grow with traffic: reading any of them whole is what the indexes are for. */
const BIG_TABLES = /Seq Scan on (payments|line_items|audit_log|outbox|webhook_deliveries|webhook_attempts)\b/;

const NOW = new Date('2026-12-01T12:00:00Z');
const DAY_MS = 86_400_000;

type Statement = Readonly<{ query: string; params: readonly unknown[] }>;

/** The statement with its parameters put back as drizzle params, so EXPLAIN plans it with the real values. */
function withParams({ query, params }: Statement) {
  const parts = query.split(/\$(\d+)/);
  return sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`)));
}

describe(`query plans at scale (${testEngine()})`, () => {
  let db: TestDb;
  let seed: SeedResult;
  let capture: Statement[] | null = null;

  beforeAll(async () => {
    db = await createTestDb({ onQuery: (query, params) => capture?.push({ query, params: [...params] }) });
    // Enough rows that a sequential scan of payments costs far more than an index walk.
    seed = await seedPayments(
      db,
      {
        payments: 20_000,
        merchants: 4,
        heavyEvery: 200,
        heavyCredits: 55,
        overdue: 300,
        chunk: 5_000,
        spanDays: 365,
      },
      NOW,
    );
  }, 180_000);

  afterAll(async () => {
    await db.close();
  });

  /** Runs `read` and EXPLAINs every statement it sent; answers the plans. */
  async function plansOf(read: () => Promise<unknown>): Promise<string[]> {
    const statements: Statement[] = [];
    capture = statements;
    try {
      await read();
    } finally {
      capture = null;
    }
    expect(statements.length).toBeGreaterThan(0);
    const plans: string[] = [];
    for (const statement of statements) {
      const rows = await db.query<{ 'QUERY PLAN': string }>(sql`explain ${withParams(statement)}`);
      plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    return plans;
  }

  const scope = (mode: Mode = 'live') => {
    const merchant = seed.merchants[1];
    if (!merchant) throw new Error('no seeded merchant');
    return { merchantId: merchant.id, mode };
  };

  async function someRow(where: ReturnType<typeof sql>) {
    const [row] = await db.query<{ id: string; created_at: string | Date }>(
      sql`select id, created_at from payments where ${where} order by id limit 1 offset 50`,
    );
    if (!row) throw new Error('no such seeded row');
    return { id: row.id, createdAt: new Date(row.created_at) };
  }

  it('seeds payments with long histories, events and deliveries', () => {
    expect(seed.rows.payments).toBeGreaterThanOrEqual(20_000);
    expect(seed.rows.audit_log).toBeGreaterThan(20_000);
    expect(seed.rows.webhook_deliveries).toBeGreaterThan(10_000);
  });

  // A case finds what it reads first (not planned), then answers the read whose statements are.
  type Read = () => Promise<unknown>;
  const cases: Record<string, () => Read | Promise<Read>> = {
    'checkouts.list, first page': () => () => listCheckouts(db.orm, { ...scope(), limit: 21 }),
    'checkouts.list, test mode': () => () => listCheckouts(db.orm, { ...scope('test'), limit: 21 }),
    'checkouts.list by status and time': () => () =>
      listCheckouts(db.orm, {
        ...scope(),
        limit: 21,
        status: 'paid',
        createdAfter: new Date(NOW.getTime() - 90 * DAY_MS),
        createdBefore: new Date(NOW.getTime() - 30 * DAY_MS),
      }),
    'checkouts.list by a rare status': () => () =>
      listCheckouts(db.orm, { ...scope(), limit: 21, status: 'canceled' }),
    'checkouts.list, a page by cursor': async () => {
      const s = scope();
      const after = await someRow(sql`merchant_id = ${s.merchantId} and mode = ${s.mode}`);
      return () => listCheckouts(db.orm, { ...s, limit: 21, after });
    },
    'payouts.list': () => () => listCheckouts(db.orm, { ...scope(), limit: 21, direction: 'out' }),
    'checkouts.get': async () => {
      const s = scope();
      const { id } = await someRow(sql`merchant_id = ${s.merchantId} and mode = ${s.mode}`);
      return () => getCheckout(db.orm, id, s);
    },
    'checkouts.audit of a long history': async () => {
      const { id } = await someRow(sql`sequence >= 50`);
      return () => listAudit(db.orm, id);
    },
    'deliveries.list': () => () => listDeliveries(db.orm, scope(), { limit: 20 }),
    'deliveries.list of one endpoint': () => () =>
      listDeliveries(db.orm, scope(), { limit: 20, endpointId: seed.merchants[1]?.endpoints.live }),
    'deliveries.list of one event': async () => {
      const [row] = await db.query<{ event_id: string }>(
        sql`select event_id from webhook_deliveries where merchant_id = ${scope().merchantId} order by id limit 1 offset 100`,
      );
      return () => listDeliveries(db.orm, scope(), { limit: 20, eventId: row?.event_id });
    },
    'expiry sweep work list': () => () => listExpiredOpenPayments(db.orm, NOW, 200),
    'payout worker list': () => () => payoutsUnderWay(db.orm),
    'escrow worker list': () => () => paymentsWithEscrowUnderWay(db),
  };

  for (const [name, prepare] of Object.entries(cases)) {
    it(`${name}: no sequential scan of a growing table`, async () => {
      const read = await prepare();
      for (const plan of await plansOf(read)) expect(plan).not.toMatch(BIG_TABLES);
    });
  }

  it('walks a merchant list page by page with the cursor, each checkout once, newest first', async () => {
    const s = scope('test');
    const seen: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (let page = 0; page < 30; page += 1) {
      const rows = await listCheckouts(db.orm, { ...s, limit: 100, after });
      seen.push(...rows.map((r) => r.payment.id));
      const last = rows.at(-1);
      if (!last) break;
      after = { createdAt: last.payment.createdAt, id: last.payment.id };
    }
    const [expected] = await db.query<{ ids: string[] }>(sql`
      select coalesce(array_agg(id order by created_at desc, id desc), '{}') as ids from payments
      where merchant_id = ${s.merchantId} and mode = ${s.mode} and direction = 'in'`);
    expect(seen).toEqual(expected?.ids.slice(0, 3_000));
  });
});
