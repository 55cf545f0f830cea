import { sameAsset } from './asset';
import type { DomainEvent } from './events';
import { diffEvents } from './events';
import { addMoney, compareMoney, isPositive, maxMoney, subtractMoney, zeroOf, type Money } from './money';
import type { Observation } from './observation';
import {
  initialState,
  type Payment,
  type PaymentHead,
  type PaymentState,
  type PaymentStatus,
} from './payment';
import { assertNever } from './result';

/** A payment that has taken this many facts takes no more: a bound on storage and on each fold. */
export const MAX_FACTS_PER_PAYMENT = 1000;

export type RejectReason =
  | 'asset_mismatch'
  | 'amount_invalid'
  | 'not_cancelable'
  | 'escrow_not_funded'
  | 'not_applicable'
  | 'tx_conflict'
  | 'too_many_observations';

/** One row of the audit trail: what changed and which observation caused it. */
export type AuditEntry = Readonly<{
  sequence: number;
  from: PaymentState;
  to: PaymentState;
  cause: Readonly<{ source: Observation['source']; externalId: string; type: Observation['type'] }>;
  at: Date;
}>;

export type Transition<P extends PaymentHead = Payment> =
  | { type: 'changed'; payment: P; events: readonly DomainEvent[]; audit: AuditEntry }
  /** Kept as a fact (it can shape the fold when earlier facts arrive later); nothing visible changed. */
  | { type: 'recorded'; payment: P }
  | { type: 'ignored'; reason: 'duplicate' }
  | { type: 'rejected'; reason: RejectReason };

const CLOSED: ReadonlySet<PaymentStatus> = new Set(['expired', 'failed', 'canceled']);
const EXPIRABLE: ReadonlySet<PaymentStatus> = new Set(['pending', 'partially_paid']);

/**
 * Applies one observation to a payment. Pure: time arrives as `now` (the audit's clock) and as
 * each observation's `occurredAt` (the order facts are folded in).
 *
 * The state is always the fold of every accepted fact sorted by when it happened, never by when it
 * arrived, so duplicated and reordered signals converge on one final state. Every valid signal is
 * kept, even one that changes nothing now: a fact that arrives later but happened earlier can give
 * it an effect. A merchant's command (source `merchant`) is different: it is checked against the
 * state and, if it does not apply, rejected and never becomes a fact.
 */
export function reduce(payment: Payment, observation: Observation, now: Date): Transition {
  if (isDuplicate(payment.facts, observation)) return { type: 'ignored', reason: 'duplicate' };
  const invalid = validate(payment, payment.facts.length, payment.facts, observation);
  if (invalid) return { type: 'rejected', reason: invalid };

  const facts = [...payment.facts, observation];
  const { state, effective } = fold(payment, facts, observation);
  if (observation.source === 'merchant' && !effective)
    return { type: 'rejected', reason: commandRejection(observation) };
  return conclude(payment, { ...payment, facts }, state, observation, now);
}

/**
 * A payment as the database keeps it between two facts: the fold of its facts (the state), how
 * many there are and the last one in fold order, without the facts themselves.
 */
export type PaymentSnapshot = PaymentHead &
  Readonly<{
    factCount: number;
    /** The greatest fact in fold order (time, then type, then source and id); null when none or unknown. */
    lastFact: Observation | null;
  }>;

/** What `foldOnto` must be told of the facts a snapshot does not hold. */
export type FoldContext = Readonly<{
  /** Every fact of the payment with the new observation's `factKey` (none when it has no key). */
  related: readonly Observation[];
  /** An observation with the same source and externalId is already known. */
  known: boolean;
}>;

/** The snapshot of a payment that holds all its facts. */
export function snapshotOf(payment: Payment): PaymentSnapshot {
  const { facts, ...head } = payment;
  let lastFact: Observation | null = null;
  for (const fact of facts) if (lastFact === null || compareFacts(fact, lastFact) > 0) lastFact = fact;
  return { ...head, factCount: facts.length, lastFact };
}

/**
 * `reduce` without the payment's history, for the common case: an observation that comes after
 * every known fact in fold order is folded onto the snapshot by the same steps the full fold takes,
 * and gives the same transition. One dated earlier (or one whose effect depends on facts the
 * context does not hold: a payout's outcome, the failure of a counted refund) answers `refold`:
 * the caller loads every fact and calls `reduce`.
 */
export function foldOnto(
  payment: PaymentSnapshot,
  context: FoldContext,
  observation: Observation,
  now: Date,
): Transition<PaymentSnapshot> | { type: 'refold' } {
  const { related } = context;
  if (context.known || isDuplicate(related, observation)) return { type: 'ignored', reason: 'duplicate' };
  const invalid = validate(payment, payment.factCount, related, observation);
  if (invalid) return { type: 'rejected', reason: invalid };
  const last = payment.lastFact;
  if (payment.factCount > 0 && (last === null || compareFacts(observation, last) <= 0))
    return { type: 'refold' };
  if (dependsOnHistory(observation, related)) return { type: 'refold' };

  const before = pickState(payment);
  // Every fact the payment holds sorts before this one: the fold's memory of them is all in
  // `related` (the same money key, the failures of the same refund).
  const skip = skips(
    observation,
    (key) => related.some((f) => moneyKey(f) === key),
    (refundKey) => related.some((f) => f.type === 'refund_failed' && f.refundKey === refundKey),
    null,
  );
  const state = skip ? before : step(payment, before, observation);
  if (observation.source === 'merchant' && sameState(state, before))
    return { type: 'rejected', reason: commandRejection(observation) };
  const factCount = payment.factCount + 1;
  return conclude(payment, { ...payment, factCount, lastFact: observation }, state, observation, now);
}

/** What only the whole history can decide: which payout request is in force, or a counted refund failing. */
function dependsOnHistory(o: Observation, related: readonly Observation[]): boolean {
  if (o.type === 'escrow_failed' || o.type === 'escrow_paid_out') return true;
  if (o.type === 'refund_failed')
    return related.some((f) => f.type === 'refund' && f.refundKey === o.refundKey);
  return false;
}

/** The transition from `before` to `state`, on `base` (the payment with the new fact kept). */
function conclude<P extends PaymentHead>(
  before: P,
  base: P,
  state: PaymentState,
  observation: Observation,
  now: Date,
): Transition<P> {
  if (sameState(state, before)) return { type: 'recorded', payment: { ...base, updatedAt: now } };
  const sequence = before.sequence + 1;
  const next: P = { ...base, ...state, sequence, updatedAt: now };
  return {
    type: 'changed',
    payment: next,
    events: diffEvents(before, next, now),
    audit: {
      sequence,
      from: pickState(before),
      to: state,
      cause: { source: observation.source, externalId: observation.externalId, type: observation.type },
      at: now,
    },
  };
}

function commandRejection(o: Observation): RejectReason {
  switch (o.type) {
    case 'canceled':
      return 'not_cancelable';
    case 'escrow_released':
    case 'escrow_refunded':
    case 'escrow_requested':
    case 'escrow_failed':
    case 'escrow_paid_out':
      return 'escrow_not_funded';
    case 'seen':
    case 'credit':
    case 'failed':
    case 'expired':
    case 'refund':
    case 'refund_failed':
    case 'dispute':
      return 'not_applicable';
    default:
      return assertNever(o, 'observation');
  }
}

/** Replays facts into a state. Exported for tests and for rebuilding a payment from its facts. */
export function replay(payment: Payment, facts: readonly Observation[]): PaymentState {
  return fold(payment, facts, undefined).state;
}

/** The key that makes two reports one transaction (or one refund), whoever reports it. */
function moneyKey(o: Observation): string | null {
  if (o.type === 'credit') return `tx:${o.txKey}`;
  if (o.type === 'refund') return `refund:${o.refundKey}`;
  return null;
}

/**
 * The facts whose fold can depend on each other share this key: the reports of one transaction,
 * or of one refund and its failure. `foldOnto` needs the facts of the new one's key, no others.
 */
export function factKey(o: Observation): string | null {
  return o.type === 'refund_failed' ? `refund:${o.refundKey}` : moneyKey(o);
}

/** The same observation again, or the same transaction reported again exactly as before. */
function isDuplicate(facts: readonly Observation[], o: Observation): boolean {
  const key = moneyKey(o);
  return facts.some(
    (f) =>
      (f.source === o.source && f.externalId === o.externalId) ||
      (key !== null &&
        moneyKey(f) === key &&
        'amount' in f &&
        'amount' in o &&
        f.amount.minor === o.amount.minor &&
        f.occurredAt.getTime() === o.occurredAt.getTime()),
  );
}

/** Another report of a known transaction with a different amount: one of them is wrong. */
function conflictsWithKnownTransaction(facts: readonly Observation[], o: Observation): boolean {
  const key = moneyKey(o);
  if (key === null || !('amount' in o)) return false;
  return facts.some((f) => moneyKey(f) === key && 'amount' in f && f.amount.minor !== o.amount.minor);
}

/** `facts` holds at least every fact with the observation's money key; `factCount` counts them all. */
function validate(
  payment: PaymentHead,
  factCount: number,
  facts: readonly Observation[],
  o: Observation,
): RejectReason | null {
  if (factCount >= MAX_FACTS_PER_PAYMENT) return 'too_many_observations';
  if (conflictsWithKnownTransaction(facts, o)) return 'tx_conflict';
  switch (o.type) {
    case 'credit':
    case 'refund':
    case 'escrow_refunded':
      if (!sameAsset(o.amount.asset, payment.amountDue.asset)) return 'asset_mismatch';
      return isPositive(o.amount) ? null : 'amount_invalid';
    case 'seen':
    case 'failed':
    case 'expired':
    case 'canceled':
    case 'escrow_released':
    case 'escrow_requested':
    case 'escrow_failed':
    case 'escrow_paid_out':
    case 'refund_failed':
    case 'dispute':
      return null;
    default:
      return assertNever(o, 'observation');
  }
}

const TYPE_ORDER: Readonly<Record<Observation['type'], number>> = {
  seen: 0,
  credit: 1,
  refund: 2,
  refund_failed: 3,
  failed: 4,
  expired: 5,
  canceled: 6,
  escrow_requested: 7,
  escrow_released: 8,
  escrow_refunded: 9,
  escrow_failed: 10,
  escrow_paid_out: 11,
  dispute: 12,
};

/** Time order; at the same instant, money in comes before a close (the payer gets the benefit). */
function compareFacts(a: Observation, b: Observation): number {
  const byTime = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (byTime !== 0) return byTime;
  const byType = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (byType !== 0) return byType;
  const aKey = `${a.source}\u0000${a.externalId}`;
  const bKey = `${b.source}\u0000${b.externalId}`;
  return aKey < bKey ? -1 : aKey > bKey ? 1 : 0;
}

function fold(
  payment: PaymentHead,
  facts: readonly Observation[],
  watched: Observation | undefined,
): {
  state: PaymentState;
  effective: boolean;
  activeRequest: Extract<Observation, { type: 'escrow_requested' }> | null;
} {
  let state = initialState(payment.amountDue, payment.escrow);
  let effective = false;
  // A transaction reported by several sources (a webhook and a poll, say) counts once: at its
  // earliest report, so which report arrived first does not matter.
  const counted = new Set<string>();
  // A failed refund never counts, whichever of its reports arrived or happened first.
  const failedRefunds = new Set(facts.flatMap((f) => (f.type === 'refund_failed' ? [f.refundKey] : [])));
  // The escrow request in force: a failure reported for an older attempt changes nothing.
  let activeRequest: Extract<Observation, { type: 'escrow_requested' }> | null = null;
  for (const fact of [...facts].sort(compareFacts)) {
    const key = moneyKey(fact);
    const skip = skips(
      fact,
      (k) => counted.has(k),
      (k) => failedRefunds.has(k),
      activeRequest?.payoutRef ?? null,
    );
    const next = skip ? state : step(payment, state, fact);
    if (fact.type === 'escrow_requested' && next.escrowStatus !== state.escrowStatus) activeRequest = fact;
    if (key !== null) counted.add(key);
    if (fact === watched) effective = !sameState(next, state);
    state = next;
  }
  return { state, effective, activeRequest };
}

/**
 * A fact the fold passes over: a transaction or refund already counted, a refund that failed, the
 * outcome of a payout request no longer in force. Shared by `fold` and `foldOnto`.
 */
function skips(
  fact: Observation,
  counted: (moneyKey: string) => boolean,
  refundFailed: (refundKey: string) => boolean,
  activePayoutRef: string | null,
): boolean {
  const key = moneyKey(fact);
  return (
    (key !== null && counted(key)) ||
    (fact.type === 'refund' && refundFailed(fact.refundKey)) ||
    ((fact.type === 'escrow_failed' || fact.type === 'escrow_paid_out') && fact.payoutRef !== activePayoutRef)
  );
}

function step(payment: PaymentHead, s: PaymentState, f: Observation): PaymentState {
  switch (f.type) {
    case 'seen':
      return s.status === 'pending' ? { ...s, status: 'processing' } : s;
    case 'credit': {
      const lateByClock = EXPIRABLE.has(s.status) && f.occurredAt.getTime() > payment.expiresAt.getTime();
      if (CLOSED.has(s.status) || lateByClock) {
        return {
          ...s,
          status: lateByClock ? 'expired' : s.status,
          lateReceived: addMoney(s.lateReceived, f.amount),
        };
      }
      return settle(payment, { ...s, received: addMoney(s.received, f.amount) });
    }
    case 'failed':
      return OPEN_OR_SEEN.has(s.status) ? { ...s, status: 'failed', failureReason: f.reason } : s;
    case 'expired':
      return EXPIRABLE.has(s.status) ? { ...s, status: 'expired' } : s;
    case 'canceled':
      return EXPIRABLE.has(s.status) ? { ...s, status: 'canceled' } : s;
    case 'refund':
      return settle(payment, { ...s, refunded: addMoney(s.refunded, f.amount) });
    case 'refund_failed':
      // Its refund is left out of the fold (see `fold`), so there is nothing more to undo here.
      return s;
    case 'dispute':
      // Opening never reopens a decided dispute, so a late "created" cannot undo "won" or "lost".
      return f.status === 'open' && s.disputeStatus !== null ? s : { ...s, disputeStatus: f.status };
    case 'escrow_requested':
      if (s.escrowStatus !== 'funded' && s.escrowStatus !== 'failed') return s;
      return { ...s, escrowStatus: f.direction === 'release' ? 'releasing' : 'refunding' };
    case 'escrow_failed':
      return s.escrowStatus === 'releasing' || s.escrowStatus === 'refunding'
        ? { ...s, escrowStatus: 'failed' }
        : s;
    case 'escrow_paid_out':
      if (s.escrowStatus === 'releasing') return { ...s, escrowStatus: 'released' };
      // A refund pays back everything held: all that was received.
      if (s.escrowStatus === 'refunding') {
        return settle(payment, { ...s, escrowStatus: 'refunded', refunded: s.received });
      }
      return s;
    case 'escrow_released':
      return s.escrowStatus === 'funded' || s.escrowStatus === 'releasing'
        ? { ...s, escrowStatus: 'released' }
        : s;
    case 'escrow_refunded':
      if (s.escrowStatus !== 'funded' && s.escrowStatus !== 'refunding') return s;
      return settle(payment, { ...s, escrowStatus: 'refunded', refunded: addMoney(s.refunded, f.amount) });
    default:
      return assertNever(f, 'observation');
  }
}

const OPEN_OR_SEEN: ReadonlySet<PaymentStatus> = new Set(['pending', 'processing', 'partially_paid']);

/** Status from the amounts, for a payment that is not closed. */
function settle(payment: PaymentHead, s: PaymentState): PaymentState {
  if (CLOSED.has(s.status)) return s;
  let status: PaymentStatus;
  // Refunds only move a payment that has money in it; one recorded before any credit waits for it.
  if (isPositive(s.refunded) && isPositive(s.received)) {
    status = compareMoney(s.refunded, s.received) === 'lt' ? 'partially_refunded' : 'refunded';
  } else if (!isPositive(s.received)) {
    status = s.status;
  } else {
    const vsDue = compareMoney(s.received, payment.amountDue);
    // Short by no more than the merchant's tolerance (fixed when the checkout was made) is paid.
    const shortBy = payment.amountDue.minor - s.received.minor;
    const tolerated = vsDue === 'lt' && shortBy <= (payment.underpaymentTolerance?.minor ?? 0n);
    status = vsDue === 'lt' && !tolerated ? 'partially_paid' : vsDue === 'gt' ? 'overpaid' : 'paid';
  }
  const funded = s.escrowStatus === 'unfunded' && (status === 'paid' || status === 'overpaid');
  return { ...s, status, escrowStatus: funded ? 'funded' : s.escrowStatus };
}

function pickState(p: PaymentState): PaymentState {
  return {
    status: p.status,
    escrowStatus: p.escrowStatus,
    received: p.received,
    lateReceived: p.lateReceived,
    refunded: p.refunded,
    failureReason: p.failureReason,
    disputeStatus: p.disputeStatus,
  };
}

export function sameState(a: PaymentState, b: PaymentState): boolean {
  return (
    a.status === b.status &&
    a.escrowStatus === b.escrowStatus &&
    a.failureReason === b.failureReason &&
    a.disputeStatus === b.disputeStatus &&
    a.received.minor === b.received.minor &&
    a.lateReceived.minor === b.lateReceived.minor &&
    a.refunded.minor === b.refunded.minor
  );
}

/** What the payer still owes while the payment is open. */
export function amountRemaining(p: Payment): Money {
  const zero = zeroOf(p.amountDue.asset);
  if (p.status !== 'pending' && p.status !== 'processing' && p.status !== 'partially_paid') return zero;
  return maxMoney(zero, subtractMoney(p.amountDue, p.received));
}

/** Money the merchant holds but should give back: everything received on a closed payment, less refunds. */
export function refundDue(p: PaymentState & { amountDue: Money }): Money {
  const zero = zeroOf(p.amountDue.asset);
  if (!CLOSED.has(p.status)) return zero;
  return maxMoney(zero, subtractMoney(addMoney(p.received, p.lateReceived), p.refunded));
}

/** The escrow payout in force (the last request that took effect), for whoever carries it out. */
export function activeEscrowRequest(
  payment: Payment,
): Extract<Observation, { type: 'escrow_requested' }> | null {
  return fold(payment, payment.facts, undefined).activeRequest;
}
