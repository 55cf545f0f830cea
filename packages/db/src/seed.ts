import {
  asPaymentId,
  createAssetRegistry,
  moneyOf,
  openPayment,
  type Asset,
  type MerchantId,
  type Mode,
  type Observation,
} from '@kassa/core';
import { sql } from 'drizzle-orm';
import { applyObservation } from './apply-observation';
import { insertCheckout } from './checkouts';
import type { Db } from './client';
import { newId } from './ids';
import { createMerchant } from './merchants';
import { createWebhookEndpoint } from './webhooks';

/**
 * How much history to seed: a year of a few merchants' traffic, in both modes, mostly settled,
 * a few open, and now and then a payment with a long history (one audit row per credit).
 */
export type SeedPlan = Readonly<{
  payments: number;
  merchants: number;
  /** One payment in this many takes `heavyCredits` credits, each its own audit row and event. */
  heavyEvery: number;
  heavyCredits: number;
  /** Open payments whose time is already up: the expiry sweep's work. */
  overdue: number;
  /** Payments per INSERT ... SELECT; progress is reported after each chunk. */
  chunk: number;
  /** The seeded payments were created over this many days before `now`. */
  spanDays: number;
}>;

export type SeedProgress = Readonly<{ done: number; total: number }>;

export type SeededMerchant = Readonly<{ id: MerchantId; endpoints: Readonly<Record<Mode, string>> }>;

export type SeedResult = Readonly<{
  merchants: readonly SeededMerchant[];
  /** Rows written, per table. */
  rows: Readonly<Record<'payments' | 'audit_log' | 'outbox' | 'webhook_deliveries', number>>;
}>;

const usd: Asset = (() => {
  const resolved = createAssetRegistry({ chain: 'testnet' }).resolve('USD');
  if (!resolved.ok) throw new Error('USD is not in the testnet registry');
  return resolved.value;
})();

/** The shapes a seeded payment can take, each copied from a template made by the real code. */
type Shape = 'pending' | 'partially_paid' | 'paid' | 'expired' | 'canceled' | 'heavy';

/**
 * Seeds `plan.payments` checkouts fast: one template per shape is made through insertCheckout and
 * applyObservation (real facts, audit rows and events), then copied in bulk with INSERT ... SELECT
 * over generate_series, a chunk at a time, with the payment's row, its facts, line items, audit trail, its
 * events (published) and one delivered webhook per event with its attempt. Columns are copied by
 * name from the catalog, so a column added later is seeded too. Ends with ANALYZE.
 */
export async function seedPayments(
  db: Db,
  plan: SeedPlan,
  now: Date,
  onProgress: (progress: SeedProgress) => void = () => undefined,
): Promise<SeedResult> {
  const merchants: SeededMerchant[] = [];
  for (let m = 0; m < plan.merchants; m += 1) {
    const id = await createMerchant(db.orm, `Seeded Shop ${m + 1}`, now);
    const endpoint = async (mode: Mode) =>
      (
        await createWebhookEndpoint(
          db.orm,
          { merchantId: id, mode },
          { url: `https://shop-${m + 1}.example/webhooks`, eventTypes: [], description: null },
          new Date(0),
        )
      ).endpoint.id;
    merchants.push({ id, endpoints: { live: await endpoint('live'), test: await endpoint('test') } });
  }
  const first = merchants[0];
  if (!first) throw new Error('seedPayments: at least one merchant');
  const templates = await makeTemplates(db, first.id, plan.heavyCredits, now);

  const columns = async (table: string) =>
    (
      await db.query<{ column_name: string }>(sql`
        select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} order by ordinal_position`)
    ).map((r) => r.column_name);
  const paymentColumns = await columns('payments');
  const lineItemColumns = await columns('line_items');
  const auditColumns = (await columns('audit_log')).filter((c) => c !== 'id');
  const outboxColumns = (await columns('outbox')).filter((c) => c !== 'id');
  const observationColumns = (await columns('observations')).filter((c) => c !== 'id');

  const m = plan.merchants;
  const total = plan.payments;
  const spanMs = plan.spanDays * 86_400_000;
  const at = now.toISOString();
  const merchantArray = sql.raw(`array[${merchants.map((x) => `'${x.id}'`).join(', ')}]`);
  // g -> shape, merchant, mode: merchant and mode from the low digits, shape from the rest (so every
  // merchant and mode gets its share of each shape, heavy ones included).
  const shapeOf = sql.raw(`case
      when (g / ${2 * m}) % ${plan.heavyEvery} = 0 then '${templates.heavy}'
      else (array['${templates.pending}', '${templates.partially_paid}', '${templates.expired}', '${templates.expired}',
                  '${templates.canceled}', ${Array.from({ length: 15 }, () => `'${templates.paid}'`).join(', ')}])[1 + (g / ${2 * m}) % 20]
    end`);
  const overrides: Record<string, ReturnType<typeof sql>> = {
    id: sql.raw(`'pay_seed' || lpad(g::text, 9, '0')`),
    merchant_id: sql`(${merchantArray})[1 + g % ${sql.raw(String(m))}]`,
    mode: sql.raw(`case when (g / ${m}) % 2 = 0 then 'live' else 'test' end`),
    created_at: sql`${at}::timestamptz - make_interval(secs => (${sql.raw(String(total))} - g) * ${sql.raw(String(spanMs / 1000 / total))})`,
  };
  const select = (cols: readonly string[], alias: string, own: Record<string, ReturnType<typeof sql>>) =>
    sql.join(
      cols.map((c) => own[c] ?? sql.raw(`${alias}."${c}"`)),
      sql`, `,
    );
  const list = (cols: readonly string[]) => sql.raw(cols.map((c) => `"${c}"`).join(', '));

  for (let lo = 1; lo <= total; lo += plan.chunk) {
    const hi = Math.min(total, lo + plan.chunk - 1);
    const range = sql.raw(`generate_series(${lo}, ${hi}) as g`);
    const created = sql`(${overrides['created_at']})`;
    await db.orm.transaction(async (tx) => {
      await tx.execute(sql`
        insert into payments (${list(paymentColumns)})
        select ${select(paymentColumns, 't', {
          ...overrides,
          updated_at: sql`${created} + interval '1 minute'`,
          // Open ones are not due yet (the sweep keeps up); a few are made due after the copy.
          expires_at: sql`case when t.status in ('pending', 'partially_paid') then ${at}::timestamptz + interval '1 day'
                               else ${created} + interval '1 hour' end`,
        })}
        from ${range} join payments t on t.id = ${shapeOf}`);
      // Each copy's other rows keep their offset in time from its template's creation.
      const clones = sql`(select p.id, p.merchant_id, p.created_at, t.id as template_id, t.created_at as template_created_at
          from ${range} join payments t on t.id = ${shapeOf} join payments p on p.id = ${overrides['id']})`;
      await tx.execute(sql`
        insert into line_items (${list(lineItemColumns)})
        select ${select(lineItemColumns, 'x', { payment_id: sql.raw('c.id') })}
        from ${clones} c join line_items x on x.payment_id = c.template_id`);
      // The facts, as the template's (their JSON unchanged); an id of their own, unique per source.
      await tx.execute(sql`
        insert into observations (${list(observationColumns)})
        select ${select(observationColumns, 'x', {
          payment_id: sql.raw('c.id'),
          external_id: sql.raw(`x.external_id || '_' || substr(c.id, 9)`),
        })}
        from ${clones} c join observations x on x.payment_id = c.template_id`);
      await tx.execute(sql`
        insert into audit_log (${list(auditColumns)})
        select ${select(auditColumns, 'x', {
          payment_id: sql.raw('c.id'),
          at: sql.raw('c.created_at + (x.at - c.template_created_at)'),
        })}
        from ${clones} c join audit_log x on x.payment_id = c.template_id`);
      await tx.execute(sql`
        with events as (
          insert into outbox (${list(outboxColumns)})
          select ${select(outboxColumns, 'x', {
            event_id: sql.raw(`x.event_id || '_' || substr(c.id, 9)`),
            payment_id: sql.raw('c.id'),
            merchant_id: sql.raw('c.merchant_id'),
            created_at: sql.raw('c.created_at + (x.created_at - c.template_created_at)'),
            published_at: sql.raw('c.created_at + (x.created_at - c.template_created_at)'),
          })}
          from ${clones} c join outbox x on x.payment_id = c.template_id
          returning event_id, payment_id, merchant_id, created_at
        ),
        deliveries as (
          insert into webhook_deliveries (endpoint_id, event_id, merchant_id, status, attempts, next_attempt_at,
                                          last_status_code, created_at, delivered_at)
          select e.id, ev.event_id, ev.merchant_id, 'delivered', 1, ev.created_at, 200, ev.created_at,
                 ev.created_at + interval '80 milliseconds'
          from events ev join payments p on p.id = ev.payment_id
          join webhook_endpoints e on e.merchant_id = p.merchant_id and e.mode = p.mode
          returning id, created_at
        )
        insert into webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, response_excerpt)
        select id, 1, created_at, 80, 200, 'ok' from deliveries`);
    });
    onProgress({ done: hi, total });
  }
  // A few open payments are past their time, oldest first: what the sweep finds on its next run.
  await db.query(sql`
    update payments set expires_at = ${at}::timestamptz - interval '1 minute'
    where id in (select id from payments where id like 'pay_seed%' and status in ('pending', 'partially_paid')
                 order by id limit ${plan.overdue})`);
  await db.query(sql`analyze`);
  const [counts] = await db.query<Record<keyof SeedResult['rows'], number | string>>(sql`
    select (select count(*) from payments) as payments, (select count(*) from audit_log) as audit_log,
           (select count(*) from outbox) as outbox, (select count(*) from webhook_deliveries) as webhook_deliveries`);
  return {
    merchants,
    rows: {
      payments: Number(counts?.payments ?? 0),
      audit_log: Number(counts?.audit_log ?? 0),
      outbox: Number(counts?.outbox ?? 0),
      webhook_deliveries: Number(counts?.webhook_deliveries ?? 0),
    },
  };
}

/** One payment per shape, made and moved by the real code, dated a year before `now`. */
async function makeTemplates(
  db: Db,
  merchantId: MerchantId,
  heavyCredits: number,
  now: Date,
): Promise<Record<Shape, string>> {
  const born = new Date(now.getTime() - 366 * 86_400_000);
  const later = (s: number) => new Date(born.getTime() + s * 1000);
  const open = async (amountMinor: bigint): Promise<string> => {
    const id = newId('pay_');
    await insertCheckout(db.orm, {
      payment: openPayment({
        id: asPaymentId(id),
        merchantId,
        mode: 'test',
        amountDue: moneyOf(usd, amountMinor),
        expiresAt: new Date(born.getTime() + 3_600_000),
        escrow: false,
        now: born,
      }),
      rails: ['sandbox', 'card'],
      description: 'Seeded order',
      metadata: { orderId: 'seed' },
      successUrl: null,
      cancelUrl: null,
      lineItems: [
        {
          name: 'Widget',
          quantity: 2,
          unitAmount: moneyOf(usd, amountMinor / 4n),
          amount: moneyOf(usd, amountMinor / 2n),
        },
        {
          name: 'Gadget',
          quantity: 1,
          unitAmount: moneyOf(usd, amountMinor / 2n),
          amount: moneyOf(usd, amountMinor / 2n),
        },
      ],
    });
    return id;
  };
  const apply = async (id: string, observations: readonly Observation[]) => {
    for (const o of observations) await applyObservation(db, id, o, o.occurredAt);
  };
  const credit = (id: string, n: number, minor: bigint): Observation => ({
    type: 'credit',
    source: 'sandbox',
    externalId: `seed-${id}-${n}`,
    occurredAt: later(n),
    txKey: `seed-tx-${id}-${n}`,
    amount: moneyOf(usd, minor),
  });

  const pending = await open(5_000n);
  const partiallyPaid = await open(5_000n);
  await apply(partiallyPaid, [credit(partiallyPaid, 1, 2_000n)]);
  const paid = await open(5_000n);
  await apply(paid, [{ type: 'seen', source: 'sandbox', externalId: `seen-${paid}`, occurredAt: later(1) }]);
  await apply(paid, [credit(paid, 2, 5_000n)]);
  const expired = await open(5_000n);
  await apply(expired, [
    { type: 'expired', source: 'clock', externalId: `expire:${expired}`, occurredAt: later(3600) },
  ]);
  const canceled = await open(5_000n);
  await apply(canceled, [
    { type: 'canceled', source: 'merchant', externalId: `cancel:${canceled}`, occurredAt: later(60) },
  ]);
  const heavy = await open(1_000_000n);
  await apply(
    heavy,
    Array.from({ length: heavyCredits }, (_, n) => credit(heavy, n + 1, 100n)),
  );
  return { pending, partially_paid: partiallyPaid, paid, expired, canceled, heavy };
}
