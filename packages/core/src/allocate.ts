import { moneyOf, type Money } from './money';
import { InvariantError } from './result';

type Share = Readonly<{ index: number; floor: bigint; remainder: bigint }>;

/**
 * Splits `total` over parts in proportion to `weights` (non-negative, at least one positive) by the
 * largest-remainder method: the parts always add up to `total` exactly, each is the floor or the ceiling
 * of its exact share, and the leftover minor units go to the largest remainders, earlier index first on
 * a tie. A negative total is split as its absolute value, then negated, so refunds mirror charges.
 */
export function allocate(total: Money, weights: readonly bigint[]): Money[] {
  let weightSum = 0n;
  for (const weight of weights) {
    if (typeof weight !== 'bigint' || weight < 0n) {
      throw new InvariantError('allocation weights must be non-negative bigints');
    }
    weightSum += weight;
  }
  if (weightSum === 0n) throw new InvariantError('allocation needs at least one positive weight');

  const sign = total.minor < 0n ? -1n : 1n;
  const magnitude = total.minor * sign;
  const shares: Share[] = weights.map((weight, index) => {
    const scaled = magnitude * weight;
    return { index, floor: scaled / weightSum, remainder: scaled % weightSum };
  });

  // The leftover equals (sum of remainders) / weightSum, and each remainder is below weightSum, so
  // there are always at least as many non-zero remainders as leftover units: exact shares never round.
  const leftover = magnitude - shares.reduce((sum, share) => sum + share.floor, 0n);
  const candidates = shares
    .filter((share) => share.remainder > 0n)
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  if (leftover > BigInt(candidates.length))
    throw new InvariantError('allocation leftover exceeds remainders');
  const roundedUp = new Set(candidates.slice(0, Number(leftover)).map((share) => share.index));

  return shares.map((share) =>
    moneyOf(total.asset, sign * (share.floor + (roundedUp.has(share.index) ? 1n : 0n))),
  );
}
