import { createHash } from 'node:crypto';
import {
  ok,
  parseAmount,
  sumMoney,
  type Asset,
  type AssetRegistry,
  type Mode,
  type Money,
  type Observation,
  type Result,
} from '@kassa/core';
import { z } from 'zod';
import { malformed, NOT_JSON, parseJson, unattributed } from '../decode';
import type { DecodeError, PaymentSignal, ProviderEvent } from '../rail';
import { PaymentRecord, TransactionRecord } from './horizon';

/** What the inbox keeps of a ledger transaction: the transaction (memo!) and its payment operations. */
export const StellarTransactionEvent = z.object({
  transaction: TransactionRecord,
  payments: z.array(PaymentRecord),
});
export type StellarTransactionEvent = z.infer<typeof StellarTransactionEvent>;

const PAYMENT_TYPES = new Set(['payment', 'path_payment_strict_receive', 'path_payment_strict_send']);

/**
 * The transaction's own hash: for a fee-bump, the inner one. Horizon serves the same record under
 * both hashes, so keying by the inner one makes "a hash pays at most one payment" hold for both.
 */
export function transactionKeyOf(tx: TransactionRecord): string {
  return tx.inner_transaction?.hash ?? tx.hash;
}

/**
 * A transaction as an inbox event, keyed by its hash: the watcher and a payer's "I have paid" make
 * the same event, so the inbox keeps it once whoever reports it first.
 */
export function stellarTransactionEvent(
  transaction: TransactionRecord,
  payments: readonly PaymentRecord[],
): ProviderEvent {
  // Only what verification reads, so the same transaction is the same body whoever fetched it.
  const event: StellarTransactionEvent = { transaction, payments: [...payments] };
  return {
    provider: 'stellar',
    eventId: transactionKeyOf(transaction),
    eventType: 'transaction',
    body: JSON.stringify(event),
  };
}

/**
 * The memo Kassa gives a payment: a MEMO_ID derived from its id, so asking again gives the same
 * memo. 64 bits make two payments sharing one vanishingly rare, and the database refuses it anyway.
 */
export function stellarMemoFor(paymentId: string): string {
  const digest = createHash('sha256').update(`kassa:stellar-memo:${paymentId}`).digest();
  const memo = digest.readBigUInt64BE(0);
  return (memo === 0n ? 1n : memo).toString();
}

/** The registry's asset for a Horizon asset triple: code AND issuer must match; anything else is not ours. */
export function registryAssetOf(
  assets: AssetRegistry,
  type: string | undefined,
  code: string | undefined,
  issuer: string | undefined,
): Asset | null {
  if (type === 'native') return resolveOrNull(assets, 'XLM:stellar');
  if (!code || !issuer) return null;
  const asset = resolveOrNull(assets, `${code}:stellar`);
  return asset && asset.issuer === issuer ? asset : null;
}

function resolveOrNull(assets: AssetRegistry, id: string): Asset | null {
  const resolved = assets.resolve(id);
  return resolved.ok ? resolved.value : null;
}

/**
 * Verifies a ledger transaction against what a Kassa payment expects (PROVIDERS.md 3.5): it
 * succeeded; each operation counted pays the receiving account; the asset matches by code AND
 * issuer; amounts (for path payments, what arrived) are summed per transaction. The payment is
 * named by the transaction's memo. Money that names no payment is an error the inbox keeps for the
 * operator, never dropped silently.
 */
export function decodeStellarTransaction(
  body: string,
  context: Readonly<{ receivingAccount: string; assets: AssetRegistry; mode: Mode }>,
): Result<readonly PaymentSignal[], DecodeError> {
  const json = parseJson(body);
  if (json === NOT_JSON) return malformed('Stellar event body is not JSON');
  const parsed = StellarTransactionEvent.safeParse(json);
  if (!parsed.success)
    return malformed(`not a Stellar transaction event: ${parsed.error.issues[0]?.message ?? ''}`);
  const { transaction: tx, payments } = parsed.data;
  if (!tx.successful) return ok([]);

  const toUs = payments.filter(
    (p) => p.transaction_successful && PAYMENT_TYPES.has(p.type) && p.to === context.receivingAccount,
  );
  if (toUs.length === 0) return ok([]);
  const byAsset = new Map<string, Money[]>();
  const foreign: string[] = [];
  for (const op of toUs) {
    const asset = registryAssetOf(context.assets, op.asset_type, op.asset_code, op.asset_issuer);
    const amount = asset && op.amount ? parseAmount(asset, op.amount) : null;
    if (!asset || !amount?.ok) {
      foreign.push(`${op.asset_code ?? 'XLM'} issued by ${op.asset_issuer ?? 'nobody'}`);
      continue;
    }
    byAsset.set(asset.id, [...(byAsset.get(asset.id) ?? []), amount.value]);
  }
  const key = transactionKeyOf(tx);
  if (byAsset.size === 0) {
    return unattributed(`transaction ${key} pays only assets Kassa does not take: ${foreign.join(', ')}`);
  }
  if (tx.memo_type !== 'id' || !tx.memo) {
    const memo = tx.memo_type === 'none' ? 'no memo' : `a ${tx.memo_type} memo "${tx.memo ?? ''}"`;
    return unattributed(`transaction ${key} pays the receiving account with ${memo}`);
  }
  const occurredAt = new Date(tx.created_at);
  const several = byAsset.size > 1;
  const signals = [...byAsset.entries()].map(([assetId, amounts]): PaymentSignal => {
    const id = several ? `${key}:${assetId}` : key;
    const first = amounts[0];
    if (!first) throw new Error('an asset without amounts');
    const observation: Observation = {
      source: 'stellar',
      externalId: id,
      occurredAt,
      type: 'credit',
      txKey: `stellar:${id}`,
      amount: sumMoney(first.asset, amounts),
    };
    return { railRef: { rail: 'stellar', ref: tx.memo ?? '' }, observation, mode: context.mode };
  });
  return ok(signals);
}
