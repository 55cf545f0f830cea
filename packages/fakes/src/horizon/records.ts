import { BASE_FEE_STROOPS, BASE_RESERVE_STROOPS, formatAmount } from './amount';
import type { AssetRef } from './assets';
import { link, templated, type Json, type JsonObject } from './json';
import type {
  AccountEntry,
  LedgerHeader,
  MemoRecord,
  OperationBody,
  OperationRecord,
  Party,
  TransactionRecord,
} from './ledger';
import { toid } from './toid';

// Horizon's resources, field for field as in shared/fixtures/stellar and Horizon's protocol structs
// (stellar/go protocols/horizon). Fees and sequence numbers are strings, amounts have 7 decimals,
// ids and paging tokens are decimal TOIDs. Links are absolute, built on the URL the client used.

const PROTOCOL_VERSION = 23;

/** Horizon's timestamps: RFC 3339, UTC, whole seconds. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A transaction as GET /transactions/{hash} and a successful submission return it. A fee bump is
 * served under both of its hashes, `id` and `hash` being the one asked for.
 */
export function transactionJson(
  tx: TransactionRecord,
  base: string,
  askedHash: string = tx.hash,
): JsonObject {
  const id = askedHash;
  const pagingToken = tx.pagingToken.toString();
  const askedForInner = tx.feeBump !== null && askedHash === tx.feeBump.innerHash;
  return {
    _links: {
      self: link(`${base}/transactions/${id}`),
      account: link(`${base}/accounts/${tx.source.account}`),
      ledger: link(`${base}/ledgers/${tx.ledger}`),
      operations: templated(`${base}/transactions/${id}/operations{?cursor,limit,order}`),
      effects: templated(`${base}/transactions/${id}/effects{?cursor,limit,order}`),
      precedes: link(`${base}/transactions?order=asc&cursor=${pagingToken}`),
      succeeds: link(`${base}/transactions?order=desc&cursor=${pagingToken}`),
      transaction: link(`${base}/transactions/${id}`),
    },
    id,
    paging_token: pagingToken,
    successful: tx.successful,
    hash: id,
    ledger: tx.ledger,
    created_at: timestamp(tx.closedAt),
    source_account: tx.source.account,
    ...muxedFields('source_account', tx.source),
    source_account_sequence: tx.sourceSequence.toString(),
    fee_account: tx.feeAccount.account,
    ...muxedFields('fee_account', tx.feeAccount),
    fee_charged: tx.feeCharged.toString(),
    max_fee: tx.maxFee.toString(),
    operation_count: tx.operations.length,
    envelope_xdr: tx.envelopeXdr,
    result_xdr: tx.resultXdr,
    // What Horizon sends when its operator skips meta (SKIP_TXMETA); clients must not rely on it.
    result_meta_xdr: '',
    // An empty LedgerEntryChanges, as in the fixtures.
    fee_meta_xdr: 'AAAAAA==',
    ...memoFields(tx.memo),
    signatures: askedForInner && tx.feeBump ? [...tx.feeBump.innerSignatures] : [...tx.signatures],
    ...(tx.timeBounds
      ? {
          preconditions: {
            timebounds: {
              min_time: tx.timeBounds.minTime.toString(),
              ...(tx.timeBounds.maxTime > 0n ? { max_time: tx.timeBounds.maxTime.toString() } : {}),
            },
          },
        }
      : {}),
    ...(tx.feeBump
      ? {
          fee_bump_transaction: { hash: tx.hash, signatures: [...tx.signatures] },
          inner_transaction: {
            hash: tx.feeBump.innerHash,
            signatures: [...tx.feeBump.innerSignatures],
            max_fee: tx.feeBump.innerMaxFee.toString(),
          },
        }
      : {}),
  };
}

/** An operation as /payments and /operations list it; `transaction` is there with join=transactions. */
export function operationJson(op: OperationRecord, base: string, transaction: JsonObject | null): JsonObject {
  const id = op.id.toString();
  return {
    _links: {
      self: link(`${base}/operations/${id}`),
      transaction: link(`${base}/transactions/${op.transactionHash}`),
      effects: link(`${base}/operations/${id}/effects`),
      // Horizon's quirk: an operation's neighbours are links into /effects.
      succeeds: link(`${base}/effects?order=desc&cursor=${id}`),
      precedes: link(`${base}/effects?order=asc&cursor=${id}`),
    },
    id,
    paging_token: id,
    transaction_successful: op.transactionSuccessful,
    source_account: op.source.account,
    ...muxedFields('source_account', op.source),
    type: op.body.type,
    type_i: typeNumber(op.body),
    created_at: timestamp(op.closedAt),
    transaction_hash: op.transactionHash,
    ...bodyFields(op.body),
    ...(transaction ? { transaction } : {}),
  };
}

export function isPaymentLike(op: OperationRecord): boolean {
  const type = op.body.type;
  return (
    type === 'payment' ||
    type === 'create_account' ||
    type === 'path_payment_strict_receive' ||
    type === 'path_payment_strict_send'
  );
}

export function accountJson(
  account: AccountEntry,
  base: string,
  closedAt: (ledger: number) => Date | null,
): JsonObject {
  const self = `${base}/accounts/${account.id}`;
  const lastModified = closedAt(account.lastModifiedLedger);
  const trustlines: Json[] = [...account.trustlines.values()].map((line) => ({
    balance: formatAmount(line.balance),
    limit: formatAmount(line.limit),
    buying_liabilities: formatAmount(0n),
    selling_liabilities: formatAmount(0n),
    last_modified_ledger: line.lastModifiedLedger,
    is_authorized: true,
    is_authorized_to_maintain_liabilities: true,
    asset_type: line.asset.type,
    asset_code: line.asset.code,
    asset_issuer: line.asset.issuer,
  }));
  return {
    _links: {
      self: link(self),
      transactions: templated(`${self}/transactions{?cursor,limit,order}`),
      operations: templated(`${self}/operations{?cursor,limit,order}`),
      payments: templated(`${self}/payments{?cursor,limit,order}`),
      effects: templated(`${self}/effects{?cursor,limit,order}`),
      offers: templated(`${self}/offers{?cursor,limit,order}`),
      trades: templated(`${self}/trades{?cursor,limit,order}`),
      // stellar-sdk moves `data` to `data_attr` only when this link exists, and its memo-required
      // check reads data_attr on every submitted payment's destination.
      data: templated(`${self}/data/{key}`),
    },
    id: account.id,
    account_id: account.id,
    sequence: account.sequence.toString(),
    ...(account.sequenceBumped
      ? {
          sequence_ledger: account.sequenceBumped.ledger,
          sequence_time: account.sequenceBumped.time.toString(),
        }
      : {}),
    subentry_count: account.subentries,
    last_modified_ledger: account.lastModifiedLedger,
    ...(lastModified ? { last_modified_time: timestamp(lastModified) } : {}),
    thresholds: { low_threshold: 0, med_threshold: 0, high_threshold: 0 },
    flags: {
      auth_required: false,
      auth_revocable: false,
      auth_immutable: false,
      auth_clawback_enabled: false,
    },
    // Trustlines first, native last, as Horizon lists them.
    balances: [
      ...trustlines,
      {
        balance: formatAmount(account.balance),
        buying_liabilities: formatAmount(0n),
        selling_liabilities: formatAmount(0n),
        asset_type: 'native',
      },
    ],
    signers: [{ weight: 1, key: account.id, type: 'ed25519_public_key' }],
    data: {},
    num_sponsoring: 0,
    num_sponsored: 0,
    paging_token: account.id,
  };
}

export type RootFacts = Readonly<{
  latest: LedgerHeader;
  elderLedger: number;
  networkPassphrase: string;
}>;

export function rootJson(facts: RootFacts, base: string): JsonObject {
  return {
    _links: {
      account: templated(`${base}/accounts/{account_id}`),
      account_transactions: templated(`${base}/accounts/{account_id}/transactions{?cursor,limit,order}`),
      fee_stats: link(`${base}/fee_stats`),
      friendbot: templated(`${base}/friendbot{?addr}`),
      ledger: templated(`${base}/ledgers/{sequence}`),
      operations: templated(`${base}/operations{?cursor,limit,order,include_failed}`),
      payments: templated(`${base}/payments{?cursor,limit,order,include_failed}`),
      self: link(`${base}/`),
      transaction: templated(`${base}/transactions/{hash}`),
      transactions: templated(`${base}/transactions{?cursor,limit,order}`),
    },
    horizon_version: 'kassa-fake-horizon',
    core_version: 'kassa-fake-core',
    ingest_latest_ledger: facts.latest.sequence,
    history_latest_ledger: facts.latest.sequence,
    history_latest_ledger_closed_at: timestamp(facts.latest.closedAt),
    history_elder_ledger: facts.elderLedger,
    core_latest_ledger: facts.latest.sequence,
    network_passphrase: facts.networkPassphrase,
    current_protocol_version: PROTOCOL_VERSION,
    supported_protocol_version: PROTOCOL_VERSION,
    core_supported_protocol_version: PROTOCOL_VERSION,
  };
}

/** No surge pricing on the fake network: every percentile is the base fee. */
export function feeStatsJson(latestLedger: number): JsonObject {
  const base = BASE_FEE_STROOPS.toString();
  const distribution = Object.fromEntries(
    ['max', 'min', 'mode', 'p10', 'p20', 'p30', 'p40', 'p50', 'p60', 'p70', 'p80', 'p90', 'p95', 'p99'].map(
      (k) => [k, base],
    ),
  );
  return {
    last_ledger: latestLedger.toString(),
    last_ledger_base_fee: base,
    ledger_capacity_usage: '0.01',
    fee_charged: distribution,
    max_fee: distribution,
  };
}

export function ledgerJson(header: LedgerHeader, base: string): JsonObject {
  const self = `${base}/ledgers/${header.sequence}`;
  return {
    _links: {
      self: link(self),
      transactions: templated(`${self}/transactions{?cursor,limit,order}`),
      operations: templated(`${self}/operations{?cursor,limit,order}`),
      payments: templated(`${self}/payments{?cursor,limit,order}`),
      effects: templated(`${self}/effects{?cursor,limit,order}`),
    },
    id: header.hash,
    paging_token: toid(header.sequence, 0, 0).toString(),
    hash: header.hash,
    prev_hash: header.prevHash,
    sequence: header.sequence,
    successful_transaction_count: header.successfulTransactionCount,
    failed_transaction_count: header.failedTransactionCount,
    operation_count: header.operationCount,
    tx_set_operation_count: header.operationCount,
    closed_at: timestamp(header.closedAt),
    total_coins: '105443902087.3472865',
    fee_pool: '0.0000000',
    base_fee_in_stroops: Number(BASE_FEE_STROOPS),
    base_reserve_in_stroops: Number(BASE_RESERVE_STROOPS),
    max_tx_set_size: 1000,
    protocol_version: PROTOCOL_VERSION,
  };
}

function memoFields(memo: MemoRecord): JsonObject {
  switch (memo.type) {
    case 'none':
      return { memo_type: 'none' };
    case 'text': {
      // memo_bytes carries the raw bytes, since a text memo need not be valid UTF-8.
      const text = new TextDecoder().decode(memo.bytes);
      return {
        memo_type: 'text',
        memo_bytes: Buffer.from(memo.bytes).toString('base64'),
        ...(text === '' ? {} : { memo: text }),
      };
    }
    case 'id':
      return { memo_type: 'id', memo: memo.id };
    case 'hash':
    case 'return':
      return { memo_type: memo.type, memo: Buffer.from(memo.bytes).toString('base64') };
    default: {
      const unexpected: never = memo;
      return unexpected;
    }
  }
}

function muxedFields(prefix: string, party: Party): JsonObject {
  return party.muxed
    ? { [`${prefix}_muxed`]: party.muxed.address, [`${prefix}_muxed_id`]: party.muxed.id }
    : {};
}

function assetFields(asset: AssetRef, prefix = ''): JsonObject {
  return asset.type === 'native'
    ? { [`${prefix}asset_type`]: 'native' }
    : {
        [`${prefix}asset_type`]: asset.type,
        [`${prefix}asset_code`]: asset.code,
        [`${prefix}asset_issuer`]: asset.issuer,
      };
}

function typeNumber(body: OperationBody): number {
  switch (body.type) {
    case 'create_account':
      return 0;
    case 'payment':
      return 1;
    case 'path_payment_strict_receive':
      return 2;
    case 'change_trust':
      return 6;
    case 'path_payment_strict_send':
      return 13;
    default: {
      const unexpected: never = body;
      return unexpected;
    }
  }
}

function bodyFields(body: OperationBody): JsonObject {
  switch (body.type) {
    case 'create_account':
      return {
        starting_balance: formatAmount(body.startingBalance),
        funder: body.funder.account,
        ...muxedFields('funder', body.funder),
        account: body.account,
      };
    case 'payment':
      return {
        ...assetFields(body.asset),
        from: body.from.account,
        ...muxedFields('from', body.from),
        to: body.to.account,
        ...muxedFields('to', body.to),
        amount: formatAmount(body.amount),
      };
    case 'path_payment_strict_receive':
    case 'path_payment_strict_send':
      return {
        // As on /payments: asset_* and amount are what the destination received.
        ...assetFields(body.asset),
        from: body.from.account,
        ...muxedFields('from', body.from),
        to: body.to.account,
        ...muxedFields('to', body.to),
        amount: formatAmount(body.amount),
        path: body.path.map((asset) => assetFields(asset)),
        source_amount: formatAmount(body.sourceAmount),
        ...(body.type === 'path_payment_strict_receive'
          ? { source_max: formatAmount(body.sourceMax) }
          : { destination_min: formatAmount(body.destinationMin) }),
        ...assetFields(body.sourceAsset, 'source_'),
      };
    case 'change_trust':
      return {
        ...assetFields(body.asset),
        limit: formatAmount(body.limit),
        trustee: body.asset.issuer,
        trustor: body.trustor.account,
        ...muxedFields('trustor', body.trustor),
      };
    default: {
      const unexpected: never = body;
      return unexpected;
    }
  }
}
