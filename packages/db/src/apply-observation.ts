import {
  formatAmount,
  reduce,
  type DomainEvent,
  type Observation,
  type Mode,
  type Payment,
  type PaymentState,
  type RejectReason,
} from '@kassa/core';
import { eq, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from './client';
import { encodeObservation } from './codec';
import { newId } from './ids';
import { rowToPayment } from './checkouts';
import { auditLog, observations, outbox, paymentCredits, payments } from './schema';

export type ApplyResult =
  | { type: 'changed'; payment: Payment; events: readonly DomainEvent[] }
  | { type: 'recorded'; payment: Payment }
  | { type: 'ignored'; reason: 'duplicate'; payment: Payment }
  | { type: 'rejected'; reason: RejectReason | 'tx_already_claimed'; payment: Payment }
  | { type: 'not_found' };

/**
 * The one transaction that applies an observation: lock the payment, reduce, then write the
 * payment, the observation, an audit row and outbox rows together, or nothing at all.
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
  try {
    return await db.orm.transaction((tx) => applyInTransaction(tx, paymentId, observation, now, mode));
  } catch (error) {
    if (error instanceof RolledBack) return error.result;
    throw error;
  }
}

/** Thrown inside the transaction to roll back everything it wrote and answer with `result`. */
class RolledBack extends Error {
  constructor(readonly result: ApplyResult) {
    super('rolled back');
  }
}

async function applyInTransaction(
  tx: Tx,
  paymentId: string,
  observation: Observation,
  now: Date,
  mode: Mode | undefined,
): Promise<ApplyResult> {
  const [row] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for('update');
  if (!row || (mode !== undefined && row.mode !== mode)) return { type: 'not_found' };
  const payment = rowToPayment(row);

  const transition = reduce(payment, observation, now);
  if (transition.type === 'ignored' || transition.type === 'rejected') return { ...transition, payment };
  const next = transition.payment;
  const changed = transition.type === 'changed';
  const events = changed ? transition.events : [];
  const credit = observation.type === 'credit' ? observation : null;

  // One statement writes everything, each part only if the observation row is new: it is unique by
  // (source, external id) across all payments, so an id seen elsewhere makes this a duplicate.
  // A statement per table cost most of an apply's time (one round trip and query build each).
  const result = await tx.execute(sql`
    with recorded as (
      insert into ${observations} (payment_id, source, external_id, type, body, occurred_at, applied_at)
      values (${paymentId}, ${observation.source}, ${observation.externalId}, ${observation.type},
              ${JSON.stringify(encodeObservation(observation))}::jsonb, ${observation.occurredAt.toISOString()}::timestamptz,
              ${now.toISOString()}::timestamptz)
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
    updated as (
      update ${payments} set
        status = ${next.status}, received = ${next.received.minor.toString()}::numeric,
        late_received = ${next.lateReceived.minor.toString()}::numeric, refunded = ${next.refunded.minor.toString()}::numeric,
        escrow_status = ${next.escrowStatus}, failure_reason = ${next.failureReason},
        dispute_status = ${next.disputeStatus}, sequence = ${next.sequence},
        facts = facts || jsonb_build_array(${JSON.stringify(encodeObservation(observation))}::jsonb),
        updated_at = ${now.toISOString()}::timestamptz
      where id = ${paymentId} and exists (select 1 from recorded)
      returning id
    ),
    audited as (
      insert into ${auditLog} (payment_id, sequence, from_status, to_status, cause_source, cause_external_id, cause_type, changes, at)
      select ${paymentId}, ${next.sequence}, ${payment.status}, ${next.status}, ${observation.source}, ${observation.externalId},
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
    )
    select (select count(*) from recorded)::int as recorded,
           (select count(*) from claimed)::int as claimed,
           (select payment_id from ${paymentCredits} where tx_key = ${credit?.txKey ?? ''}) as owner,
           (select count(*) from updated)::int as updated,
           (select count(*) from audited)::int as audited,
           (select count(*) from published)::int as published
  `);
  const [outcome] = rowsOf<{ recorded: number; claimed: number; owner: string | null }>(result);
  if (!outcome || outcome.recorded === 0) return { type: 'ignored', reason: 'duplicate', payment };
  // The owner sub-select sees the state before this statement: a transaction counted by another
  // payment shows up there; one new to the database does not (and was claimed just now).
  if (credit && outcome.claimed === 0 && outcome.owner !== paymentId) {
    throw new RolledBack({ type: 'rejected', reason: 'tx_already_claimed', payment });
  }
  return changed ? { type: 'changed', payment: next, events } : { type: 'recorded', payment: next };
}

/** The outbox rows as a VALUES list; a single placeholder row that the WHERE drops when there are none. */
function eventRows(events: readonly DomainEvent[], p: Payment) {
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
function eventPayload(event: DomainEvent, p: Payment) {
  const asset = p.amountDue.asset.id;
  const amount = (m: Payment['received']) => ({ amount: formatAmount(m), asset });
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
