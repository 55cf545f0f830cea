import {
  asPaymentId,
  err,
  moneyOf,
  ok,
  openPayment,
  parseAmount,
  PAYMENT_STATUSES,
  priceLineItems,
  RAILS,
  type Checkout,
  type LineItem,
  type Money,
  type Rail,
  type Result,
} from '@kassa/core';
import {
  applyObservation,
  createCheckoutRecord,
  findIdempotencyKey,
  getCheckout,
  hashRequest,
  listAudit,
  listCheckouts,
  newId,
  type AuditRecord,
  type MerchantKey,
} from '@kassa/db';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';

const DEFAULT_TTL_S = 60 * 60;
const MIN_TTL_S = 60;
const MAX_TTL_S = 30 * 24 * 60 * 60;

const METADATA_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;

/**
 * Up to 50 string values under plain keys. Checked by hand because z.record drops a `__proto__`
 * key silently, and a merchant's data must be refused rather than quietly changed.
 */
const Metadata = z.custom<Record<string, string>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length <= 50 &&
    Object.entries(value).every(([k, v]) => METADATA_KEY.test(k) && typeof v === 'string' && v.length <= 500),
  'an object of at most 50 keys of letters, digits, _ . - (up to 40 long), each with a string value up to 500 long',
);

export const CreateCheckoutInput = z
  .strictObject({
    /** Exact decimal string in the currency's units, e.g. "12.50". Or give lineItems instead. */
    amount: z.string().max(64).optional(),
    /** An asset id: ISO 4217 code (`USD`) or `CODE:network` (`USDC:stellar`). */
    currency: z.string().min(1).max(32),
    lineItems: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(200),
          quantity: z.number().int().min(1).max(1_000_000),
          unitAmount: z.string().max(64),
        }),
      )
      .min(1)
      .max(100)
      .optional(),
    rails: z.array(z.enum(RAILS)).min(1).max(RAILS.length).optional(),
    description: z.string().max(1000).optional(),
    metadata: Metadata.optional(),
    successUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    cancelUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    /** Seconds until the checkout expires: 60 s to 30 days, default one hour. */
    expiresInSeconds: z.number().int().min(MIN_TTL_S).max(MAX_TTL_S).optional(),
    escrow: z.boolean().optional(),
  })
  .refine((input) => input.amount !== undefined || input.lineItems !== undefined, {
    message: 'give an amount or line items',
  });
export type CreateCheckoutInput = z.infer<typeof CreateCheckoutInput>;

type Priced = { amountDue: Money; lineItems: LineItem[] };

function price(deps: ApiDeps, key: MerchantKey, input: CreateCheckoutInput): Result<Priced, KassaError> {
  const asset = deps.assets[key.mode].resolve(input.currency);
  if (!asset.ok) return err({ code: 'asset_unknown', message: `Unknown currency "${input.currency}".` });
  let lineItems: LineItem[] = [];
  let total: Money | null = null;
  if (input.lineItems) {
    const priced = priceLineItems(asset.value, input.lineItems);
    if (!priced.ok) {
      const code = priced.error.code === 'line_items_invalid' ? 'line_items_invalid' : 'amount_invalid';
      return err({ code, message: priced.error.message });
    }
    lineItems = priced.value.items;
    total = priced.value.total;
  }
  if (input.amount !== undefined) {
    const amount = parseAmount(asset.value, input.amount);
    if (!amount.ok) return err({ code: 'amount_invalid', message: amount.error.message });
    if (total && total.minor !== amount.value.minor) {
      return err({ code: 'amount_invalid', message: 'amount does not equal the sum of the line items' });
    }
    total = amount.value;
  }
  if (!total) return err({ code: 'amount_invalid', message: 'give an amount or line items' });
  return ok({ amountDue: total, lineItems });
}

function chooseRails(
  deps: ApiDeps,
  key: MerchantKey,
  requested: readonly Rail[] | undefined,
): Result<Rail[], KassaError> {
  const available = deps.rails[key.mode];
  if (!requested) {
    const all = [...available.keys()];
    return all.length > 0
      ? ok(all)
      : err({ code: 'rail_unavailable', message: `No payment rail is configured for ${key.mode} payments.` });
  }
  const missing = requested.filter((rail) => !available.has(rail));
  if (missing.length > 0) {
    return err({
      code: 'rail_unavailable',
      message: `Not available for ${key.mode} payments: ${missing.join(', ')}.`,
    });
  }
  return ok([...new Set(requested)]);
}

/**
 * Creates a checkout. With an idempotency key, the same key and body return the same checkout and
 * a different body is a conflict; the key and the checkout are written in one transaction, so two
 * racing requests with one key still create one checkout.
 */
const ESCROW_RAILS: ReadonlySet<Rail> = new Set(['evm', 'sandbox']);

export async function createCheckout(
  deps: ApiDeps,
  key: MerchantKey,
  input: CreateCheckoutInput,
  idempotencyKey: string | null,
): Promise<Result<Checkout, KassaError>> {
  const now = deps.clock();
  const scope = idempotencyKey
    ? { merchantId: key.merchantId, mode: key.mode, key: idempotencyKey, operation: 'checkouts.create' }
    : null;
  // Hashed only when a key asks for it: the body is walked and sorted to hash it.
  const requestHash = scope ? hashRequest(input) : '';
  if (scope) {
    const replay = await replayIdempotent(deps, key, scope, requestHash, now);
    if (replay) return replay;
  }

  const priced = price(deps, key, input);
  if (!priced.ok) return priced;
  const rails = chooseRails(deps, key, input.rails);
  if (!rails.ok) return rails;
  // Escrow holds money Kassa can later move (release or refund): SHKeeper's wallet, or the sandbox.
  const unmovable = rails.value.filter((r) => !ESCROW_RAILS.has(r));
  if (input.escrow && (unmovable.length > 0 || rails.value.length === 0)) {
    return err({
      code: 'rail_not_allowed',
      message: `Escrow needs rails whose money Kassa can move (evm); not ${unmovable.join(', ')}.`,
    });
  }

  const toleranceBps = key.settings.underpaymentToleranceBps ?? 0;
  const amountDue = priced.value.amountDue;
  const payment = openPayment({
    id: asPaymentId(newId('pay_')),
    merchantId: key.merchantId,
    mode: key.mode,
    amountDue,
    // Fixed now: changing the setting later does not change what this checkout accepts.
    underpaymentTolerance: moneyOf(amountDue.asset, (amountDue.minor * BigInt(toleranceBps)) / 10_000n),
    expiresAt: new Date(now.getTime() + (input.expiresInSeconds ?? DEFAULT_TTL_S) * 1000),
    escrow: input.escrow ?? false,
    now,
  });
  const checkout: Checkout = {
    payment,
    rails: rails.value,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    successUrl: input.successUrl ?? null,
    cancelUrl: input.cancelUrl ?? null,
    lineItems: priced.value.lineItems,
  };

  const created = await createCheckoutRecord(deps.db, checkout, scope ? { scope, requestHash, now } : null);
  if (created) {
    deps.log.info({ paymentId: payment.id, merchantId: key.merchantId, mode: key.mode }, 'checkout created');
    return ok(checkout);
  }
  // Another request with the same key won the race: answer as it did.
  const replay = scope ? await replayIdempotent(deps, key, scope, requestHash, now) : null;
  return (
    replay ?? err({ code: 'idempotency_conflict', message: 'Idempotency key is in use by another request.' })
  );
}

export async function replayIdempotent(
  deps: ApiDeps,
  key: MerchantKey,
  scope: Parameters<typeof findIdempotencyKey>[1],
  requestHash: string,
  now: Date,
  direction: 'in' | 'out' = 'in',
): Promise<Result<Checkout, KassaError> | null> {
  const hit = await findIdempotencyKey(deps.db.orm, scope, requestHash, now);
  if (!hit) return null;
  if (!hit.sameRequest) {
    return err({
      code: 'idempotency_conflict',
      message: 'This Idempotency-Key was used with a different request body.',
    });
  }
  const existing = await getCheckout(deps.db.orm, hit.resourceId, key, direction);
  return existing ? ok(existing) : null;
}

export async function getMerchantCheckout(
  deps: ApiDeps,
  key: MerchantKey,
  id: string,
): Promise<Result<Checkout, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, id, key);
  return checkout ? ok(checkout) : err({ code: 'not_found', message: `No checkout ${id}.` });
}

export const ListCheckoutsInput = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).nullish(),
    status: z.enum(PAYMENT_STATUSES).optional(),
    createdAfter: z.iso.datetime().optional(),
    createdBefore: z.iso.datetime().optional(),
  })
  .default({ limit: 20 });
export type ListCheckoutsInput = z.infer<typeof ListCheckoutsInput>;

const Cursor = z.tuple([z.iso.datetime(), z.string().regex(/^pay_/)]);

function encodeCursor(c: Checkout): string {
  return Buffer.from(JSON.stringify([c.payment.createdAt.toISOString(), c.payment.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data[0]), id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

/** Newest first, a page at a time; `nextCursor` is null on the last page. */
export async function listMerchantCheckouts(
  deps: ApiDeps,
  key: MerchantKey,
  input: ListCheckoutsInput,
  direction: 'in' | 'out' = 'in',
): Promise<Result<{ items: Checkout[]; nextCursor: string | null }, KassaError>> {
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  if (after === null)
    return err({ code: 'input_invalid', message: 'The cursor is not one this API gave out.' });
  const rows = await listCheckouts(deps.db.orm, {
    merchantId: key.merchantId,
    mode: key.mode,
    limit: input.limit + 1,
    status: input.status,
    createdAfter: input.createdAfter ? new Date(input.createdAfter) : undefined,
    createdBefore: input.createdBefore ? new Date(input.createdBefore) : undefined,
    after,
    direction,
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return ok({ items, nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null });
}

/** The merchant's cancel: a command, refused when the checkout can no longer be canceled. */
export async function cancelCheckout(
  deps: ApiDeps,
  key: MerchantKey,
  id: string,
): Promise<Result<Checkout, KassaError>> {
  const checkout = await getCheckout(deps.db.orm, id, key);
  if (!checkout) return err({ code: 'not_found', message: `No checkout ${id}.` });
  const now = deps.clock();
  const result = await applyObservation(
    deps.db,
    id,
    { type: 'canceled', source: 'merchant', externalId: `cancel:${id}`, occurredAt: now },
    now,
  );
  const after = result.type === 'not_found' ? null : result.payment;
  // Refused now, or an earlier cancel that money dated before it has since overruled.
  if (result.type === 'rejected' || (after && after.status !== 'canceled')) {
    return err({
      code: 'checkout_not_cancelable',
      message: `A ${after?.status ?? checkout.payment.status} checkout cannot be canceled.`,
    });
  }
  const updated = await getCheckout(deps.db.orm, id, key);
  return updated ? ok(updated) : err({ code: 'not_found', message: `No checkout ${id}.` });
}

export async function checkoutAudit(
  deps: ApiDeps,
  key: MerchantKey,
  id: string,
): Promise<Result<AuditRecord[], KassaError>> {
  const checkout = await getCheckout(deps.db.orm, id, key);
  if (!checkout) return err({ code: 'not_found', message: `No checkout ${id}.` });
  return ok(await listAudit(deps.db.orm, id));
}
