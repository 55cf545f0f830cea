import {
  formatAmount,
  reduce,
  type DomainEvent,
  type Observation,
  type Payment,
  type PaymentState,
  type RejectReason,
} from '@kassa/core';
import { eq } from 'drizzle-orm';
import type { Db, Tx } from './client';
import { encodeObservation } from './codec';
import { newId } from './ids';
import { paymentStateColumns, rowToPayment } from './checkouts';
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
): Promise<ApplyResult> {
  try {
    return await db.orm.transaction((tx) => applyInTransaction(tx, paymentId, observation, now));
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
): Promise<ApplyResult> {
  {
    const [row] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for('update');
    if (!row) return { type: 'not_found' };
    const payment = rowToPayment(row);

    const transition = reduce(payment, observation, now);
    if (transition.type === 'ignored' || transition.type === 'rejected') return { ...transition, payment };
    const next = transition.payment;

    // Unique by (source, external id) across all payments: an id reused elsewhere is a duplicate too.
    const recorded = await tx
      .insert(observations)
      .values({
        paymentId,
        source: observation.source,
        externalId: observation.externalId,
        type: observation.type,
        body: encodeObservation(observation),
        occurredAt: observation.occurredAt,
        appliedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: observations.id });
    if (recorded.length === 0) return { type: 'ignored', reason: 'duplicate', payment };

    if (observation.type === 'credit') {
      const claimed = await tx
        .insert(paymentCredits)
        .values({ txKey: observation.txKey, paymentId, amount: observation.amount.minor, createdAt: now })
        .onConflictDoNothing()
        .returning({ txKey: paymentCredits.txKey });
      if (claimed.length === 0) {
        const [owner] = await tx
          .select({ paymentId: paymentCredits.paymentId })
          .from(paymentCredits)
          .where(eq(paymentCredits.txKey, observation.txKey));
        // Another payment already counted this transaction: keep nothing of this one.
        if (owner?.paymentId !== paymentId) {
          throw new RolledBack({ type: 'rejected', reason: 'tx_already_claimed', payment });
        }
      }
    }

    await tx.update(payments).set(paymentStateColumns(next)).where(eq(payments.id, paymentId));
    if (transition.type === 'recorded') return { type: 'recorded', payment: next };

    await tx.insert(auditLog).values({
      paymentId,
      sequence: next.sequence,
      fromStatus: payment.status,
      toStatus: next.status,
      causeSource: observation.source,
      causeExternalId: observation.externalId,
      causeType: observation.type,
      changes: describeChanges(transition.audit.from, transition.audit.to),
      at: now,
    });
    if (transition.events.length > 0) {
      await tx.insert(outbox).values(
        transition.events.map((event) => ({
          eventId: newId('evt_'),
          paymentId,
          merchantId: next.merchantId,
          sequence: event.sequence,
          type: event.type,
          payload: eventPayload(event, next),
          createdAt: now,
        })),
      );
    }
    return { type: 'changed', payment: next, events: transition.events };
  }
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
      amountDue: amount(p.amountDue),
      amountReceived: amount(p.received),
      lateReceived: amount(p.lateReceived),
      amountRefunded: amount(p.refunded),
    },
  };
}
