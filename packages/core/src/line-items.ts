import type { Asset } from './asset';
import { formatAmount, multiplyMoney, parseAmount, sumMoney, type AmountError, type Money } from './money';
import { err, ok, type Result } from './result';

export type LineItem = Readonly<{ name: string; quantity: number; unitAmount: Money; amount: Money }>;
export type LineItemDraft = Readonly<{ name: string; quantity: number; unitAmount: string }>;
export type LineItemError = AmountError | Readonly<{ code: 'line_items_invalid'; message: string }>;

export const MAX_QUANTITY = 1_000_000;

/** Prices line items exactly: each amount is unit amount times quantity; the total is their sum. */
export function priceLineItems(
  asset: Asset,
  drafts: readonly LineItemDraft[],
): Result<{ items: LineItem[]; total: Money }, LineItemError> {
  if (drafts.length === 0)
    return err({ code: 'line_items_invalid', message: 'at least one line item is needed' });
  const items: LineItem[] = [];
  for (const [index, draft] of drafts.entries()) {
    if (!Number.isSafeInteger(draft.quantity) || draft.quantity < 1 || draft.quantity > MAX_QUANTITY) {
      return err({
        code: 'line_items_invalid',
        message: `line item ${index + 1}: quantity must be a whole number from 1 to ${MAX_QUANTITY}`,
      });
    }
    const unit = parseAmount(asset, draft.unitAmount);
    if (!unit.ok) return err({ ...unit.error, message: `line item ${index + 1}: ${unit.error.message}` });
    const amount = multiplyMoney(unit.value, BigInt(draft.quantity));
    items.push({ name: draft.name, quantity: draft.quantity, unitAmount: unit.value, amount });
  }
  const total = sumMoney(
    asset,
    items.map((item) => item.amount),
  );
  // The sum of valid lines can still exceed what one checkout may ask for.
  const bounded = parseAmount(asset, formatAmount(total));
  if (!bounded.ok) return err({ ...bounded.error, message: `line items total: ${bounded.error.message}` });
  return ok({ items, total });
}
