import {
  asMerchantId,
  asPaymentId,
  factKey,
  moneyOf,
  type Asset,
  type PaymentStatus,
  foldOnto,
  formatAmount,
  reduce,
  snapshotOf,
  type DomainEvent,
  type Observation,
  type Mode,
  type PaymentHead,
  type PaymentSnapshot,
  type PaymentState,
  type RejectReason,
  type Transition,
} from '@kassa/core';
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from './client';
import { decodeObservation, encodeObservation } from './codec';
import { newId } from './ids';
import { jsonOf } from './checkouts';
import { auditLog, observations, outbox, paymentCredits, payments } from './schema';

export type ApplyResult =
  | { type: 'changed'; payment: PaymentHead; events: readonly DomainEvent[] }
  | { type: 'recorded'; payment: PaymentHead }
  | { type: 'ignored'; reason: 'duplicate'; payment: PaymentHead }
  | { type: 'rejected'; reason: RejectReason | 'tx_already_claimed'; payment: PaymentHead }
  | { type: 'not_found' };

/** After this many lost races, an apply takes the payment's row lock first and cannot lose again. */
const OPTIMISTIC_ATTEMPTS = 3;
const MAX_ATTEMPTS = 20;

/**
 * Applies an observation to a payment: reads its snapshot (the folded state, without its facts),
 * folds the one new fact onto it (`foldOnto`; only a fact dated before the payment's last one
 * loads every fact and folds them all with `reduce`), then writes the payment, the observation,
 * an audit row and outbox rows in one statement, or nothing at all. That statement is guarded by
 * the snapshot's fact count: a concurrent apply that got there first makes it write nothing (or
 * fail as a whole), and this one reads again. Two statements and no history: the cost of an apply
 * does not grow with the payment's facts.
 * Safe to call concurrently and repeatedly with the same observation: it takes effect once.
 */
export async function applyObservation(
  db: Db,
  paymentId: string,
  observation: Observation,
  now: Date = new Date(),
  /** The mode the signal belongs to, when its rail knows: a payment of another mode is not found. */
  mode?: Mode,
): Promise<ApplyResult> {
  const encoded = JSON.stringify(encodeObservation(observation));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    try {
      const outcome =
        attempt <= OPTIMISTIC_ATTEMPTS
          ? await tryApply(db.prepared, paymentId, observation, encoded, now, mode)
          : // Contended: the row lock makes the read and the guarded write see the same payment.
            await db.orm.transaction(async (tx) => {
              await tx.execute(sql`select 1 from ${payments} where id = ${paymentId} for update`);
              const run: Run = async (statement) => rowsOf(await tx.execute(statement));
              return tryApply(run, paymentId, observation, encoded, now, mode);
            });
      if (outcome !== 'lost_race') return outcome;
    } catch (error) {
      if (!isLostRace(error)) throw error;
    }
  }
  throw new Error(`applyObservation: ${paymentId} kept changing under ${MAX_ATTEMPTS} attempts`);
}

/** Runs one statement and answers its rows: prepared on the connection pool, or inside a transaction. */
type Run = <T extends Record<string, unknown>>(statement: SQL) => Promise<T[]>;

/** What the read answers: the snapshot's columns (numbers as text, instants as epoch ms) and the context. */
type SnapshotRead = {
  id: string;
  merchant_id: string;
  mode: Mode;
  status: string;
  asset: unknown;
  amount_due: string;
  received: string;
  late_received: string;
  refunded: string;
  underpayment_tolerance: string;
  escrow: boolean;
  direction: 'in' | 'out';
  escrow_status: string | null;
  failure_reason: string | null;
  dispute_status: 'open' | 'won' | 'lost' | null;
  sequence: number;
  fact_count: number;
  last_fact: unknown;
  expires_ms: number;
  created_ms: number;
  updated_ms: number;
  related: unknown;
  known: boolean;
  credit_owner: string | null;
};

async function tryApply(
  run: Run,
  paymentId: string,
  observation: Observation,
  encoded: string,
  now: Date,
  mode: Mode | undefined,
): Promise<ApplyResult | 'lost_race'> {
  const key = factKey(observation);
  const credit = observation.type === 'credit' ? observation : null;
  // Plain SQL of one fixed text (prepared once per connection); the facts stay where they are.
  const [row] = await run<SnapshotRead>(sql`
    select p.id, p.merchant_id, p.mode, p.status, p.asset, p.amount_due::text, p.received::text,
           p.late_received::text, p.refunded::text, p.underpayment_tolerance::text, p.escrow, p.direction,
           p.escrow_status, p.failure_reason, p.dispute_status, p.sequence, p.fact_count, p.last_fact,
           (extract(epoch from p.expires_at) * 1000)::float8 as expires_ms,
           (extract(epoch from p.created_at) * 1000)::float8 as created_ms,
           (extract(epoch from p.updated_at) * 1000)::float8 as updated_ms,
           coalesce((select jsonb_agg(o.body) from ${observations} o
                     where o.payment_id = p.id and o.fact_key = ${key}::text), '[]'::jsonb) as related,
           exists (select 1 from ${observations} o
                   where o.source = ${observation.source} and o.external_id = ${observation.externalId}) as known,
           (select c.payment_id from ${paymentCredits} c where c.tx_key = ${credit?.txKey ?? null}::text) as credit_owner
    from ${payments} p where p.id = ${paymentId}`);
  if (!row || (mode !== undefined && row.mode !== mode)) return { type: 'not_found' };
  const snapshot = snapshotFromRead(row);
  const relatedRaw = jsonOf(row.related);
  const related = Array.isArray(relatedRaw)
    ? relatedRaw.map((f) => decodeObservation(f, snapshot.amountDue.asset))
    : [];
  const known = row.known;
  const creditOwner = row.credit_owner;

  const quick = foldOnto(snapshot, { related, known: Boolean(known) }, observation, now);
  const transition = quick.type === 'refold' ? await refold(run, snapshot, observation, now) : quick;
  if (transition.type === 'ignored' || transition.type === 'rejected')
    return { ...transition, payment: snapshot };
  if (credit && creditOwner !== null && creditOwner !== paymentId) {
    return { type: 'rejected', reason: 'tx_already_claimed', payment: snapshot };
  }
  const next = transition.payment;
  const changed = transition.type === 'changed';
  const events = changed ? transition.events : [];
  const lastFact = next.lastFact === null ? null : JSON.stringify(encodeObservation(next.lastFact));

  // One statement writes everything, and only over the snapshot it was computed from: the update
  // is guarded by the fact count read above, every other part waits on the update. The observation
  // row is unique by (source, external id) across all payments and a transaction is claimed by one
  // payment: if either was taken by a concurrent apply after the read, the statement fails as a
  // whole (a cast that cannot succeed, so it writes nothing) and the apply reads again.
  const [outcome] = await run<{ updated: number }>(sql`
    with updated as (
      update ${payments} set
        status = ${next.status}, received = ${next.received.minor.toString()}::numeric,
        late_received = ${next.lateReceived.minor.toString()}::numeric, refunded = ${next.refunded.minor.toString()}::numeric,
        escrow_status = ${next.escrowStatus}, failure_reason = ${next.failureReason},
        dispute_status = ${next.disputeStatus}, sequence = ${next.sequence},
        fact_count = ${next.factCount}, last_fact = ${lastFact}::jsonb,
        updated_at = ${now.toISOString()}::timestamptz
      where id = ${paymentId} and fact_count = ${snapshot.factCount}
      returning id
    ),
    recorded as (
      insert into ${observations} (payment_id, source, external_id, type, body, occurred_at, applied_at, fact_key)
      select ${paymentId}, ${observation.source}, ${observation.externalId}, ${observation.type},
             ${encoded}::jsonb, ${observation.occurredAt.toISOString()}::timestamptz,
             ${now.toISOString()}::timestamptz, ${key}
      where exists (select 1 from updated)
      on conflict do nothing
      returning id
    ),
    claimed as (
      insert into ${paymentCredits} (tx_key, payment_id, amount, created_at)
      select ${credit?.txKey ?? ''}, ${paymentId}, ${(credit?.amount.minor ?? 0n).toString()}::numeric, ${now.toISOString()}::timestamptz
      where ${credit !== null} and exists (select 1 from recorded)
      on conflict do nothing
      returning tx_key
    ),
    audited as (
      insert into ${auditLog} (payment_id, sequence, from_status, to_status, cause_source, cause_external_id, cause_type, changes, at)
      select ${paymentId}, ${next.sequence}, ${snapshot.status}, ${next.status}, ${observation.source}, ${observation.externalId},
             ${observation.type}, ${changed ? JSON.stringify(describeChanges(transition.audit.from, transition.audit.to)) : '{}'}::jsonb,
             ${now.toISOString()}::timestamptz
      where ${changed} and exists (select 1 from recorded)
      returning id
    ),
    published as (
      insert into ${outbox} (event_id, payment_id, merchant_id, sequence, type, payload, created_at)
      select v.event_id, ${paymentId}, ${next.merchantId}, v.sequence, v.type, v.payload::jsonb, ${now.toISOString()}::timestamptz
      from (values ${eventRows(events, next)}) as v(event_id, sequence, type, payload)
      where v.event_id is not null and exists (select 1 from recorded)
      returning id
    ),
    outcome as (
      select (select count(*) from updated)::int as updated,
             (select count(*) from recorded)::int as recorded,
             ${credit !== null} and (select count(*) from claimed) = 0
               and (select payment_id from ${paymentCredits} where tx_key = ${credit?.txKey ?? ''}) is distinct from ${paymentId} as unclaimed
    )
    select updated,
           -- Not a constant, so it is cast only when reached: when the update went through but the
           -- observation or the transaction was taken meanwhile.
           case when updated = 1 and (recorded = 0 or unclaimed)
             then (${LOST_RACE}::text || ' ' || updated)::int else 0 end as lost
    from outcome
  `);
  if (!outcome || outcome.updated === 0) return 'lost_race';
  return changed ? { type: 'changed', payment: next, events } : { type: 'recorded', payment: next };
}

function snapshotFromRead(row: SnapshotRead): PaymentSnapshot {
  const asset = jsonOf(row.asset) as Asset;
  const money = (minor: string) => moneyOf(asset, BigInt(minor));
  const lastFact = jsonOf(row.last_fact);
  return {
    id: asPaymentId(row.id),
    merchantId: asMerchantId(row.merchant_id),
    mode: row.mode,
    amountDue: money(row.amount_due),
    expiresAt: new Date(Number(row.expires_ms)),
    escrow: row.escrow,
    direction: row.direction,
    underpaymentTolerance: money(row.underpayment_tolerance),
    sequence: Number(row.sequence),
    factCount: Number(row.fact_count),
    lastFact: lastFact === null || lastFact === undefined ? null : decodeObservation(lastFact, asset),
    createdAt: new Date(Number(row.created_ms)),
    updatedAt: new Date(Number(row.updated_ms)),
    status: row.status as PaymentStatus,
    escrowStatus: row.escrow_status as PaymentSnapshot['escrowStatus'],
    received: money(row.received),
    lateReceived: money(row.late_received),
    refunded: money(row.refunded),
    failureReason: row.failure_reason,
    disputeStatus: row.dispute_status,
  };
}

/** Marks the failure of a write that lost a race (see `tryApply`). */
const LOST_RACE = 'applyObservation lost a race';

/** The driver's error, or the ORM's wrapping it, says the write lost a race. */
function isLostRace(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes(LOST_RACE)) return true;
  }
  return false;
}

/** The full fold, for a fact dated before the payment's last one: every fact, in arrival order. */
async function refold(
  run: Run,
  snapshot: PaymentSnapshot,
  observation: Observation,
  now: Date,
): Promise<Transition<PaymentSnapshot>> {
  const rows = await run<{ body: unknown }>(
    sql`select body from ${observations} where payment_id = ${snapshot.id} order by id`,
  );
  const facts = rows.map((r) => decodeObservation(jsonOf(r.body), snapshot.amountDue.asset));
  const { factCount: _count, lastFact: _last, ...head } = snapshot;
  const transition = reduce({ ...head, facts }, observation, now);
  if (transition.type !== 'changed' && transition.type !== 'recorded') return transition;
  return { ...transition, payment: snapshotOf(transition.payment) };
}

/** The outbox rows as a VALUES list; a single placeholder row that the WHERE drops when there are none. */
function eventRows(events: readonly DomainEvent[], p: PaymentHead) {
  if (events.length === 0) return sql`(null::text, null::int, null::text, null::text)`;
  return sql.join(
    events.map(
      (event) =>
        sql`(${newId('evt_')}::text, ${event.sequence}::int, ${event.type}::text, ${JSON.stringify(eventPayload(event, p))}::text)`,
    ),
    sql`, `,
  );
}

function describeChanges(
  from: PaymentState,
  to: PaymentState,
): Record<string, { from: string | null; to: string | null }> {
  const fields = {
    status: [from.status, to.status],
    escrowStatus: [from.escrowStatus, to.escrowStatus],
    received: [formatAmount(from.received), formatAmount(to.received)],
    lateReceived: [formatAmount(from.lateReceived), formatAmount(to.lateReceived)],
    refunded: [formatAmount(from.refunded), formatAmount(to.refunded)],
    failureReason: [from.failureReason, to.failureReason],
    disputeStatus: [from.disputeStatus, to.disputeStatus],
  } as const;
  const changes: Record<string, { from: string | null; to: string | null }> = {};
  for (const [name, [before, after]] of Object.entries(fields)) {
    if (before !== after) changes[name] = { from: before, to: after };
  }
  return changes;
}

/** The event as merchants will receive it: amounts as decimal strings with their asset. */
function eventPayload(event: DomainEvent, p: PaymentHead) {
  const asset = p.amountDue.asset.id;
  const amount = (m: PaymentHead['received']) => ({ amount: formatAmount(m), asset });
  return {
    type: event.type,
    sequence: event.sequence,
    occurredAt: event.occurredAt.toISOString(),
    checkout: {
      id: p.id,
      mode: p.mode,
      status: p.status,
      escrowStatus: p.escrowStatus,
      disputeStatus: p.disputeStatus,
      amountDue: amount(p.amountDue),
      amountReceived: amount(p.received),
      lateReceived: amount(p.lateReceived),
      amountRefunded: amount(p.refunded),
    },
  };
}
