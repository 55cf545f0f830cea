import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAssetRegistry } from './assets';
import { asMerchantId, asPaymentId } from './ids';
import { formatAmount, moneyOf, parseAmount, type Money } from './money';
import type { Observation } from './observation';
import { openPayment, type Payment } from './payment';
import {
  activeEscrowRequest,
  amountRemaining,
  factKey,
  foldOnto,
  reduce,
  refundDue,
  snapshotOf,
  type PaymentSnapshot,
  type Transition,
} from './reduce';

const assets = createAssetRegistry({ chain: 'testnet' });
const usd = unwrap(assets.resolve('USD'));
const eur = unwrap(assets.resolve('EUR'));
const T0 = new Date('2026-01-01T00:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}
const usdOf = (s: string): Money => unwrap(parseAmount(usd, s));

function newPayment(due = '10.00', escrow = false): Payment {
  return openPayment({
    id: asPaymentId('pay_test0000000001'),
    merchantId: asMerchantId('mer_test0000000001'),
    mode: 'test',
    amountDue: usdOf(due),
    expiresAt: minutes(30),
    escrow,
    now: T0,
  });
}

let seq = 0;
type Credit = Extract<Observation, { type: 'credit' }>;
const credit = (amount: string, at = 1, txKey = `tx${++seq}`): Credit => ({
  type: 'credit',
  source: 'sandbox',
  externalId: `obs_${txKey}`,
  occurredAt: minutes(at),
  txKey,
  amount: usdOf(amount),
});
const signal = (type: 'seen' | 'expired' | 'canceled', at: number): Observation => ({
  type,
  source: type === 'expired' ? 'clock' : type === 'canceled' ? 'merchant' : 'stripe',
  externalId: `${type}_${++seq}`,
  occurredAt: minutes(at),
});

function apply(
  payment: Payment,
  observations: readonly Observation[],
): { payment: Payment; results: Transition[] } {
  const results: Transition[] = [];
  let current = payment;
  for (const o of observations) {
    const t = reduce(current, o, minutes(100));
    results.push(t);
    if (t.type === 'changed' || t.type === 'recorded') current = t.payment;
  }
  return { payment: current, results };
}

describe('reduce: what a merchant sees', () => {
  it('a full payment makes the checkout paid and says so once', () => {
    const t = reduce(newPayment(), credit('10.00'), minutes(1));
    expect(t.type).toBe('changed');
    if (t.type !== 'changed') return;
    expect(t.payment.status).toBe('paid');
    expect(formatAmount(t.payment.received)).toBe('10.00');
    expect(t.events.map((e) => e.type)).toEqual(['checkout.paid']);
    expect(t.audit.from.status).toBe('pending');
    expect(t.audit.to.status).toBe('paid');
    expect(t.audit.cause).toEqual({
      source: 'sandbox',
      externalId: expect.any(String) as string,
      type: 'credit',
    });
  });

  it('partial payments accumulate per distinct transaction until paid, then overpaid', () => {
    const first = credit('4.00');
    const { payment, results } = apply(newPayment(), [first, first, credit('6.00'), credit('0.01')]);
    expect(results.map((r) => r.type)).toEqual(['changed', 'ignored', 'changed', 'changed']);
    expect(payment.status).toBe('overpaid');
    expect(formatAmount(payment.received)).toBe('10.01');
  });

  it('the same transaction reported twice with different times counts once, at its earliest report', () => {
    const ledger = credit('10.00', 20, 'tx-timed');
    const claim: Observation = { ...ledger, source: 'payer', externalId: 'claim-1', occurredAt: minutes(40) };
    const ledgerFirst = apply(newPayment(), [ledger, claim]).payment;
    const claimFirst = apply(newPayment(), [claim, ledger]).payment;
    expect(ledgerFirst.status).toBe('paid');
    expect(claimFirst.status).toBe('paid');
    expect(formatAmount(claimFirst.lateReceived)).toBe('0.00');
  });

  it('a second report of a transaction with another amount is refused', () => {
    const first = credit('4.00', 1, 'tx-amount');
    const other: Observation = {
      ...first,
      source: 'reconciliation',
      externalId: 'poll-9',
      amount: usdOf('5.00'),
    };
    const { results, payment } = apply(newPayment(), [first, other]);
    expect(results[1]).toEqual({ type: 'rejected', reason: 'tx_conflict' });
    expect(formatAmount(payment.received)).toBe('4.00');
  });

  it('a status event is sent once; money landing on a closed checkout is late_payment', () => {
    const { results } = apply(newPayment(), [signal('expired', 31), credit('2.00', 10), credit('3.00', 12)]);
    const types = results.map((r) => (r.type === 'changed' ? r.events.map((e) => e.type) : []));
    expect(types).toEqual([['checkout.expired'], ['checkout.late_payment'], ['checkout.late_payment']]);
  });

  it('the same transaction reported by two sources counts once', () => {
    const fromCallback = credit('4.00', 1, 'tx-shared');
    const fromPoll: Observation = { ...fromCallback, source: 'reconciliation', externalId: 'poll-1' };
    const { payment, results } = apply(newPayment(), [fromCallback, fromPoll]);
    expect(results[1]).toEqual({ type: 'ignored', reason: 'duplicate' });
    expect(payment.status).toBe('partially_paid');
    expect(formatAmount(amountRemaining(payment))).toBe('6.00');
  });

  it('a payment after expiry is kept, flagged for refund, and the checkout stays expired', () => {
    const { payment } = apply(newPayment(), [signal('expired', 31), credit('10.00', 40)]);
    expect(payment.status).toBe('expired');
    expect(formatAmount(payment.lateReceived)).toBe('10.00');
    expect(formatAmount(refundDue(payment))).toBe('10.00');
  });

  it('a payment made before expiry but heard of after it still pays the checkout', () => {
    const { payment, results } = apply(newPayment(), [signal('expired', 31), credit('10.00', 20)]);
    expect(results.map((r) => r.type)).toEqual(['changed', 'changed']);
    expect(payment.status).toBe('paid');
    expect(formatAmount(refundDue(payment))).toBe('0.00');
  });

  it('a credit after expiresAt expires the checkout even before the sweep runs', () => {
    const { payment } = apply(newPayment(), [credit('10.00', 45)]);
    expect(payment.status).toBe('expired');
    expect(formatAmount(payment.lateReceived)).toBe('10.00');
  });

  it('a paid checkout cannot be canceled and ignores a later expiry', () => {
    const { results, payment } = apply(newPayment(), [
      credit('10.00', 1),
      signal('canceled', 2),
      signal('expired', 31),
    ]);
    expect(results[1]).toEqual({ type: 'rejected', reason: 'not_cancelable' });
    expect(results[2]?.type).toBe('recorded');
    expect(payment.status).toBe('paid');
    expect(payment.sequence).toBe(1);
  });

  it('refunds move a paid checkout to partially refunded, then refunded', () => {
    const refund = (amount: string, key: string, at: number): Observation => ({
      type: 'refund',
      source: 'stripe',
      externalId: `re_${key}`,
      occurredAt: minutes(at),
      refundKey: key,
      amount: usdOf(amount),
    });
    const { payment: partly } = apply(newPayment(), [credit('10.00', 1), refund('3.00', 'a', 2)]);
    expect(partly.status).toBe('partially_refunded');
    const { payment, results } = apply(partly, [refund('7.00', 'b', 3), refund('7.00', 'b', 3)]);
    expect(payment.status).toBe('refunded');
    expect(results[1]).toEqual({ type: 'ignored', reason: 'duplicate' });
  });

  it('a refund heard of before its payment waits for it, then settles it', () => {
    const refund: Observation = {
      type: 'refund',
      source: 'stripe',
      externalId: 're_early',
      occurredAt: minutes(5),
      refundKey: 'early',
      amount: usdOf('4.00'),
    };
    const { payment, results } = apply(newPayment(), [refund, credit('10.00', 1)]);
    const first = results[0];
    expect(first?.type === 'changed' && first.payment.status).toBe('pending');
    expect(payment.status).toBe('partially_refunded');
    expect(formatAmount(payment.refunded)).toBe('4.00');
  });

  it('escrow is funded on payment, then released exactly once', () => {
    const release: Observation = {
      type: 'escrow_released',
      source: 'merchant',
      externalId: 'rel-1',
      occurredAt: minutes(5),
    };
    const { payment, results } = apply(newPayment('10.00', true), [
      credit('10.00', 1),
      release,
      { ...release, externalId: 'rel-2' },
    ]);
    expect(payment.escrowStatus).toBe('released');
    expect(results.map((r) => r.type)).toEqual(['changed', 'changed', 'rejected']);
    expect(results[2]).toEqual({ type: 'rejected', reason: 'escrow_not_funded' });
    const funded = results[0];
    expect(funded?.type === 'changed' && funded.events.map((e) => e.type)).toEqual([
      'checkout.paid',
      'escrow.funded',
    ]);
  });

  it('escrow: a release asked, failed, asked again as a refund, then confirmed; one request at a time', () => {
    const ask = (direction: 'release' | 'refund', ref: string, at: number): Observation => ({
      type: 'escrow_requested',
      source: 'merchant',
      externalId: `ask-${ref}`,
      occurredAt: minutes(at),
      direction,
      payoutRef: ref,
      destination: '0xabc',
      payout: { asset: 'ETH-USDT', amount: '10' },
    });
    const failed = (ref: string, at: number): Observation => ({
      type: 'escrow_failed',
      source: 'shkeeper',
      externalId: `fail-${ref}`,
      occurredAt: minutes(at),
      payoutRef: ref,
      reason: 'not enough gas',
    });
    const paid = apply(newPayment('10.00', true), [credit('10.00', 1), ask('release', 'p1', 2)]);
    expect(paid.payment.escrowStatus).toBe('releasing');
    // While a release is under way, a refund (or a second release) is refused: exactly one wins.
    expect(reduce(paid.payment, ask('refund', 'p2', 3), minutes(3))).toEqual({
      type: 'rejected',
      reason: 'escrow_not_funded',
    });
    const retried = apply(paid.payment, [failed('p1', 4), ask('refund', 'p3', 5)]);
    expect(retried.payment.escrowStatus).toBe('refunding');
    expect(activeEscrowRequest(retried.payment)?.payoutRef).toBe('p3');
    // A late failure of the old attempt does not touch the new one.
    const late = apply(retried.payment, [failed('p1', 6)]);
    expect(late.payment.escrowStatus).toBe('refunding');
    const done = apply(late.payment, [
      {
        type: 'escrow_paid_out',
        source: 'shkeeper',
        externalId: 'ok-p1',
        occurredAt: minutes(7),
        payoutRef: 'p1',
      },
      {
        type: 'escrow_paid_out',
        source: 'shkeeper',
        externalId: 'ok-p3',
        occurredAt: minutes(8),
        payoutRef: 'p3',
      },
    ]);
    expect(done.results[0]?.type).toBe('recorded');
    expect(done.payment.escrowStatus).toBe('refunded');
    expect(done.payment.status).toBe('refunded');
    const events = [retried, done].flatMap((r) =>
      r.results.flatMap((t) => (t.type === 'changed' ? t.events : [])),
    );
    expect(events.map((e) => e.type)).toEqual([
      'escrow.failed',
      'escrow.refunding',
      'refund.succeeded',
      'escrow.refunded',
    ]);
  });

  it('short by no more than the merchant’s tolerance is paid; a cent more short is partially paid', () => {
    const tolerant = { ...newPayment('100.00'), underpaymentTolerance: usdOf('0.50') };
    expect(apply(tolerant, [credit('99.50', 1)]).payment.status).toBe('paid');
    expect(apply(tolerant, [credit('99.49', 1)]).payment.status).toBe('partially_paid');
    expect(apply(newPayment('100.00'), [credit('99.99', 1)]).payment.status).toBe('partially_paid');
  });

  it('money in another asset is rejected and changes nothing', () => {
    const o: Observation = {
      type: 'credit',
      source: 'stellar',
      externalId: 'op1',
      occurredAt: minutes(1),
      txKey: 'tx-eur',
      amount: moneyOf(eur, 1000n),
    };
    expect(reduce(newPayment(), o, T0)).toEqual({ type: 'rejected', reason: 'asset_mismatch' });
  });

  it('processing (seen) is not expired by the clock and fails cleanly', () => {
    const failed: Observation = {
      type: 'failed',
      source: 'stripe',
      externalId: 'evt_f',
      occurredAt: minutes(50),
      reason: 'bank declined',
    };
    const { payment, results } = apply(newPayment(), [signal('seen', 1), signal('expired', 31), failed]);
    expect(results.map((r) => r.type)).toEqual(['changed', 'recorded', 'changed']);
    expect(payment.status).toBe('failed');
    expect(payment.failureReason).toBe('bank declined');
  });
});

describe('reduce: convergence', () => {
  // Any set of signals, delivered in any order with any duplicates, ends in the same state.
  type Spec =
    | { kind: 'credit' | 'refund'; cents: number; at: number }
    | { kind: 'seen' | 'expired' | 'canceled' | 'failed' | 'released'; at: number }
    | { kind: 'refund_failed'; of: number; at: number }
    | { kind: 'dispute'; status: 'open' | 'won' | 'lost'; at: number };
  const observationArb: fc.Arbitrary<Spec> = fc.oneof(
    fc.record({
      kind: fc.constant('credit' as const),
      cents: fc.integer({ min: 1, max: 800 }),
      at: fc.integer({ min: 0, max: 60 }),
    }),
    fc.record({
      kind: fc.constantFrom(
        'seen' as const,
        'expired' as const,
        'canceled' as const,
        'failed' as const,
        'released' as const,
      ),
      at: fc.integer({ min: 0, max: 60 }),
    }),
    fc.record({
      kind: fc.constant('refund' as const),
      cents: fc.integer({ min: 1, max: 500 }),
      at: fc.integer({ min: 0, max: 60 }),
    }),
    // Names a refund by its position, whether or not one is there.
    fc.record({
      kind: fc.constant('refund_failed' as const),
      of: fc.integer({ min: 0, max: 11 }),
      at: fc.integer({ min: 0, max: 60 }),
    }),
    fc.record({
      kind: fc.constant('dispute' as const),
      status: fc.constantFrom('open' as const, 'won' as const, 'lost' as const),
      at: fc.integer({ min: 0, max: 60 }),
    }),
  );

  function toObservations(specs: readonly Spec[]): Observation[] {
    return specs.flatMap((spec, i): Observation[] => {
      const base = { externalId: `e${i}`, occurredAt: minutes(spec.at) };
      switch (spec.kind) {
        case 'credit': {
          const c: Observation = {
            ...base,
            type: 'credit',
            source: 'stellar',
            txKey: `tx${i}`,
            amount: moneyOf(usd, BigInt(spec.cents)),
          };
          // The same transaction, also found by a reconciliation poll, sometimes dated differently.
          const polled: Observation = {
            ...c,
            source: 'reconciliation',
            externalId: `poll${i}`,
            occurredAt: minutes(spec.at + (i % 2) * 25),
          };
          return i % 3 === 0 ? [c, polled] : [c];
        }
        case 'refund':
          return [
            {
              ...base,
              type: 'refund',
              source: 'stripe',
              refundKey: `re${i}`,
              amount: moneyOf(usd, BigInt(spec.cents)),
            },
          ];
        case 'refund_failed':
          return [{ ...base, type: 'refund_failed', source: 'stripe', refundKey: `re${spec.of}` }];
        case 'dispute':
          return [{ ...base, type: 'dispute', source: 'stripe', disputeKey: 'dp', status: spec.status }];
        case 'failed':
          return [{ ...base, type: 'failed', source: 'stripe', reason: 'declined' }];
        // Signals only: a merchant's command is checked when it is made and is not a signal.
        case 'released':
          return [{ ...base, type: 'escrow_released', source: 'shkeeper' }];
        case 'seen':
        case 'expired':
        case 'canceled':
          return [{ ...base, type: spec.kind, source: 'sandbox' }];
      }
    });
  }

  it('every order and every duplication gives the same final state and received total', () => {
    fc.assert(
      fc.property(
        fc.array(observationArb, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        (specs, escrow, seedA, seedB) => {
          const observations = toObservations(specs);
          const deliveryA = shuffleWithDuplicates(observations, seedA);
          const deliveryB = shuffleWithDuplicates(observations, seedB);
          const a = apply(newPayment('10.00', escrow), deliveryA).payment;
          const b = apply(newPayment('10.00', escrow), deliveryB).payment;
          expect(summary(a)).toEqual(summary(b));
        },
      ),
      { numRuns: 2000 },
    );
  });

  // Signals and commands the incremental path hands back to the full fold, or checks on its own.
  const commandArb = fc.record({
    kind: fc.constantFrom('cancel' as const, 'ask' as const, 'payout_failed' as const, 'paid_out' as const),
    ref: fc.integer({ min: 0, max: 2 }),
    at: fc.integer({ min: 0, max: 60 }),
  });
  type Command = { kind: 'cancel' | 'ask' | 'payout_failed' | 'paid_out'; ref: number; at: number };
  function toCommands(commands: readonly Command[]): Observation[] {
    return commands.map((c, i): Observation => {
      const base = { occurredAt: minutes(c.at) };
      switch (c.kind) {
        case 'cancel':
          return { ...base, type: 'canceled', source: 'merchant', externalId: `cancel${i}` };
        case 'ask':
          return {
            ...base,
            type: 'escrow_requested',
            source: 'merchant',
            externalId: `ask${i}`,
            direction: i % 2 === 0 ? 'release' : 'refund',
            payoutRef: `p${c.ref}`,
            destination: '0xabc',
            payout: { asset: 'ETH-USDT', amount: '10' },
          };
        case 'payout_failed':
          return {
            ...base,
            type: 'escrow_failed',
            source: 'shkeeper',
            externalId: `pf${i}`,
            payoutRef: `p${c.ref}`,
            reason: 'gas',
          };
        case 'paid_out':
          return {
            ...base,
            type: 'escrow_paid_out',
            source: 'shkeeper',
            externalId: `po${i}`,
            payoutRef: `p${c.ref}`,
          };
      }
    });
  }

  /**
   * What the database does: a snapshot and the stored facts; each observation goes through
   * `foldOnto` with the facts of its key, and through `reduce` on the whole history when it says
   * `refold`. Every step must answer exactly what `reduce` on the whole history answers.
   */
  function applyIncrementally(start: Payment, deliveries: readonly Observation[]) {
    let snapshot: PaymentSnapshot = snapshotOf(start);
    const facts: Observation[] = [];
    let folded = 0;
    const now = minutes(100);
    for (const o of deliveries) {
      const { factCount: _count, lastFact: _last, ...head } = snapshot;
      const full = reduce({ ...head, facts: [...facts] }, o, now);
      const key = factKey(o);
      const context = {
        related: key === null ? [] : facts.filter((f) => factKey(f) === key),
        known: facts.some((f) => f.source === o.source && f.externalId === o.externalId),
      };
      const quick = foldOnto(snapshot, context, o, now);
      const fullAsSnapshot =
        full.type === 'changed' || full.type === 'recorded'
          ? { ...full, payment: snapshotOf(full.payment) }
          : full;
      if (quick.type !== 'refold') {
        folded += 1;
        expect(quick).toEqual(fullAsSnapshot);
      }
      if (fullAsSnapshot.type === 'changed' || fullAsSnapshot.type === 'recorded') {
        snapshot = fullAsSnapshot.payment;
        facts.push(o);
      }
    }
    return { snapshot, folded };
  }

  let foldedInAll = 0;
  it('folding onto the snapshot answers what the full fold answers, for any order and duplication', () => {
    fc.assert(
      fc.property(
        fc.array(observationArb, { minLength: 1, maxLength: 12 }),
        fc.array(commandArb, { maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        (specs, commands, escrow, seed) => {
          const observations = [...toObservations(specs), ...toCommands(commands)];
          const delivery = shuffleWithDuplicates(observations, seed);
          const start = newPayment('10.00', escrow);
          const { snapshot, folded } = applyIncrementally(start, delivery);
          foldedInAll += folded;
          // Step by step equal, so equal at the end: the payment a merchant sees is the same.
          const { factCount: _count, lastFact: _last, ...head } = snapshot;
          expect(summary({ ...head, facts: [] })).toEqual(summary(apply(start, delivery).payment));
        },
      ),
      { numRuns: 2000 },
    );
    // Most facts took the incremental path: the property did not only test the fallback.
    expect(foldedInAll).toBeGreaterThan(2000);
  });

  it('credits arriving in time order never need the whole history', () => {
    const credits = Array.from({ length: 600 }, (_, i) => credit('0.01', i / 100, `hot${i}`));
    const { snapshot, folded } = applyIncrementally(newPayment('100.00'), credits);
    expect(folded).toBe(600);
    expect(formatAmount(snapshot.received)).toBe('6.00');
    expect(snapshot.factCount).toBe(600);
  });

  function shuffleWithDuplicates<T>(items: readonly T[], randomness: readonly number[]): T[] {
    let cursor = 0;
    const next = () => randomness[cursor++ % randomness.length]!;
    const out = [...items, ...items.filter(() => next() % 3 === 0)];
    for (let i = out.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  const summary = (p: Payment) => ({
    status: p.status,
    escrow: p.escrowStatus,
    received: formatAmount(p.received),
    late: formatAmount(p.lateReceived),
    refunded: formatAmount(p.refunded),
    dispute: p.disputeStatus,
  });
});

describe('reduce: refunds that fail and disputes', () => {
  const refund = (amount: string, at: number, refundKey: string): Observation => ({
    type: 'refund',
    source: 'stripe',
    externalId: `evt_${refundKey}_${at}`,
    occurredAt: minutes(at),
    refundKey,
    amount: usdOf(amount),
  });
  const refundFailed = (at: number, refundKey: string): Observation => ({
    type: 'refund_failed',
    source: 'stripe',
    externalId: `evt_${refundKey}_failed`,
    occurredAt: minutes(at),
    refundKey,
  });
  const dispute = (status: 'open' | 'won' | 'lost', at: number): Observation => ({
    type: 'dispute',
    source: 'stripe',
    externalId: `evt_dp_${status}`,
    occurredAt: minutes(at),
    disputeKey: 'stripe:dp_1',
    status,
  });

  it('a refund that fails after succeeding gives the money back to the merchant and says refund.failed', () => {
    const { payment, results } = apply(newPayment(), [
      credit('10.00', 1),
      refund('4.00', 2, 're_a'),
      refundFailed(3, 're_a'),
    ]);
    expect(payment.status).toBe('paid');
    expect(formatAmount(payment.refunded)).toBe('0.00');
    const last = results.at(-1);
    expect(last?.type === 'changed' && last.events.map((e) => e.type)).toEqual(['refund.failed']);
  });

  it('a failure of one refund leaves the others counted, in whatever order the reports come', () => {
    const facts = [
      credit('10.00', 1),
      refund('4.00', 2, 're_a'),
      refund('6.00', 3, 're_b'),
      refundFailed(4, 're_b'),
    ];
    for (const order of [facts, [...facts].reverse(), [facts[3]!, facts[0]!, facts[2]!, facts[1]!]]) {
      const { payment } = apply(newPayment(), order);
      expect(payment.status).toBe('partially_refunded');
      expect(formatAmount(payment.refunded)).toBe('4.00');
    }
  });

  it('a failure for a refund never reported changes nothing visible', () => {
    const { payment, results } = apply(newPayment(), [credit('10.00', 1), refundFailed(2, 're_unknown')]);
    expect(payment.status).toBe('paid');
    expect(results.at(-1)?.type).toBe('recorded');
  });

  it('a dispute flags the payment without touching its status, then closes as won or lost', () => {
    const opened = apply(newPayment(), [credit('10.00', 1), dispute('open', 5)]);
    expect(opened.payment.status).toBe('paid');
    expect(opened.payment.disputeStatus).toBe('open');
    const openedEvents = opened.results.at(-1);
    expect(openedEvents?.type === 'changed' && openedEvents.events.map((e) => e.type)).toEqual([
      'checkout.disputed',
    ]);
    const lost = apply(opened.payment, [dispute('lost', 9)]);
    expect(lost.payment.disputeStatus).toBe('lost');
    const lostEvents = lost.results.at(-1);
    expect(lostEvents?.type === 'changed' && lostEvents.events.map((e) => e.type)).toEqual([
      'checkout.dispute_closed',
    ]);
  });

  it('a dispute decided before its "created" report arrives stays decided', () => {
    const { payment } = apply(newPayment(), [credit('10.00', 1), dispute('won', 9), dispute('open', 5)]);
    expect(payment.disputeStatus).toBe('won');
  });
});
