import type { Asset } from './asset';
import { sameAsset } from './asset';
import { InvariantError } from './result';
import type { Money } from './money';
import { moneyOf } from './money';

/**
 * A checkout priced in one asset, paid in another at a fixed rate: USD paid in USDC at par, or (with
 * a rate source) a fiat price paid in a coin. `rate` is checkout-asset units per pay-asset unit,
 * an exact decimal string; it is kept with the payment so the credit is converted as quoted.
 */
export type Quote = Readonly<{
  payAsset: Asset;
  rate: string;
  /**
   * When a provider quoted an exact pair (SHKeeper: this many tokens for this much fiat), credits
   * follow that pair rather than the rounded rate, so paying exactly what was asked pays exactly
   * what was due. Minor units of the pay asset and of the checkout's asset.
   */
  basis?: Readonly<{ payMinor: string; dueMinor: string }>;
}>;

export const PAR = '1';

/** What to ask the payer for: `due` in the pay asset, rounded up so the checkout is fully paid. */
export function quoteAmount(due: Money, quote: Quote): Money {
  const { num, den } = ratio(due.asset, quote);
  return moneyOf(quote.payAsset, ceilDiv(due.minor * den, num));
}

/** What a payment in the pay asset is worth in the checkout's asset, rounded down (dust is the payer's). */
export function creditAtQuote(paid: Money, quote: Quote, checkoutAsset: Asset): Money {
  if (!sameAsset(paid.asset, quote.payAsset)) throw new InvariantError('credit is not in the quoted asset');
  const { num, den } = ratio(checkoutAsset, quote);
  return moneyOf(checkoutAsset, (paid.minor * num) / den);
}

/**
 * checkoutMinor = payMinor * num / den: the rate with both assets' minor units folded in.
 * rate = r / 10^k  ->  checkoutMinor = payMinor * r * 10^cd / (10^k * 10^pd)
 */
function ratio(checkoutAsset: Asset, quote: Quote): { num: bigint; den: bigint } {
  if (quote.basis) {
    const num = BigInt(quote.basis.dueMinor);
    const den = BigInt(quote.basis.payMinor);
    if (num <= 0n || den <= 0n) throw new InvariantError('a quote basis of zero');
    return { num, den };
  }
  const match = /^(\d{1,18})(?:\.(\d{1,18}))?$/.exec(quote.rate);
  if (!match) throw new InvariantError(`not a rate: ${quote.rate}`);
  const fraction = match[2] ?? '';
  const r = BigInt(`${match[1]}${fraction}`);
  if (r === 0n) throw new InvariantError('a rate of zero');
  return {
    num: r * 10n ** BigInt(checkoutAsset.decimals),
    den: 10n ** BigInt(fraction.length + quote.payAsset.decimals),
  };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
