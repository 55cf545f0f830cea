import type { Asset, Observation } from '@kassa/core';
import { InvariantError, moneyOf } from '@kassa/core';

/** How an observation is kept in JSON: dates as ISO strings, money as minor-unit strings. */
type StoredObservation = Record<string, unknown> & { occurredAt: string; amount?: { minor: string } };

export function encodeObservation(o: Observation): StoredObservation {
  const occurredAt = o.occurredAt.toISOString();
  if (o.type === 'credit' && o.paid) {
    return {
      ...o,
      occurredAt,
      amount: { minor: o.amount.minor.toString() },
      // Another asset than the payment's: kept whole, since the payment's asset cannot rebuild it.
      paid: { asset: o.paid.asset, minor: o.paid.minor.toString() },
    };
  }
  if ('amount' in o) return { ...o, occurredAt, amount: { minor: o.amount.minor.toString() } };
  return { ...o, occurredAt };
}

/** Facts belong to one payment, so their amounts are always in that payment's asset. */
export function decodeObservation(raw: unknown, asset: Asset): Observation {
  if (typeof raw !== 'object' || raw === null)
    throw new InvariantError('stored observation is not an object');
  const stored = raw as StoredObservation;
  const occurredAt = new Date(stored.occurredAt);
  if (stored.amount) {
    const paid = stored['paid'] as { asset: Asset; minor: string } | undefined;
    return {
      ...stored,
      occurredAt,
      amount: moneyOf(asset, BigInt(stored.amount.minor)),
      ...(paid ? { paid: moneyOf(paid.asset, BigInt(paid.minor)) } : {}),
    } as unknown as Observation;
  }
  return { ...stored, occurredAt } as unknown as Observation;
}
