import { Asset, type OperationRecord as SdkOperation } from '@stellar/stellar-sdk';
import { err, ok, type Result } from '../result';
import { minimumBalance, parseAmount } from './amount';
import { assetFromSdk, isIssuer, trustlineKey, type AssetRef } from './assets';
import { availableBalance, newAccount, type AccountEntry, type OperationBody, type Party } from './ledger';
import { partyOf } from './party';
import type {
  ChangeTrustCode,
  CreateAccountCode,
  OperationResult,
  PaymentCode,
  PathReceiveCode,
  PathSendCode,
} from './result-codes';

// The operations the fake can apply, with stellar-core's checks in stellar-core's order. Path
// payments convert at par (1 unit of any asset buys 1 unit of any other) and never lack offers:
// enough to pay a USDC invoice out of XLM, with no order book to simulate.

export type OperationContext = Readonly<{ accounts: Map<string, AccountEntry>; ledger: number }>;

/**
 * Reads an operation of a decoded transaction into the fake's terms, or the result that refuses it
 * before it is applied (malformed, or a kind the fake does not implement).
 */
export function describeOperation(op: SdkOperation, source: Party): Result<OperationBody, OperationResult> {
  switch (op.type) {
    case 'createAccount': {
      const account = partyOf(op.destination);
      const startingBalance = parseAmount(op.startingBalance);
      if (!account || account.muxed || startingBalance === null || account.account === source.account) {
        return err({ kind: 'create_account', code: 'op_malformed' });
      }
      return ok({ type: 'create_account', funder: source, account: account.account, startingBalance });
    }
    case 'payment': {
      const to = partyOf(op.destination);
      const amount = parseAmount(op.amount);
      if (!to || amount === null || amount <= 0n) return err({ kind: 'payment', code: 'op_malformed' });
      return ok({ type: 'payment', from: source, to, asset: assetFromSdk(op.asset), amount });
    }
    case 'pathPaymentStrictReceive': {
      const to = partyOf(op.destination);
      const amount = parseAmount(op.destAmount);
      const sourceMax = parseAmount(op.sendMax);
      const asset = assetFromSdk(op.destAsset);
      if (!to || amount === null || sourceMax === null || amount <= 0n || sourceMax <= 0n) {
        return err({ kind: 'path_payment_strict_receive', code: 'op_malformed' });
      }
      return ok({
        type: 'path_payment_strict_receive',
        from: source,
        to,
        asset,
        amount,
        sourceAsset: assetFromSdk(op.sendAsset),
        sourceAmount: amount,
        sourceMax,
        path: op.path.map(assetFromSdk),
      });
    }
    case 'pathPaymentStrictSend': {
      const to = partyOf(op.destination);
      const sourceAmount = parseAmount(op.sendAmount);
      const destinationMin = parseAmount(op.destMin);
      const asset = assetFromSdk(op.destAsset);
      if (
        !to ||
        sourceAmount === null ||
        destinationMin === null ||
        sourceAmount <= 0n ||
        destinationMin <= 0n
      ) {
        return err({ kind: 'path_payment_strict_send', code: 'op_malformed' });
      }
      return ok({
        type: 'path_payment_strict_send',
        from: source,
        to,
        asset,
        amount: sourceAmount,
        sourceAsset: assetFromSdk(op.sendAsset),
        sourceAmount,
        destinationMin,
        path: op.path.map(assetFromSdk),
      });
    }
    case 'changeTrust': {
      if (!(op.line instanceof Asset)) return err({ kind: 'generic', code: 'op_not_supported' });
      const asset = assetFromSdk(op.line);
      const limit = parseAmount(op.limit);
      // Since protocol 16 a trustline to one's own asset is malformed, not op_self_not_allowed.
      if (asset.type === 'native' || limit === null || isIssuer(source.account, asset)) {
        return err({ kind: 'change_trust', code: 'op_malformed' });
      }
      return ok({ type: 'change_trust', trustor: source, asset, limit });
    }
    default:
      return err({ kind: 'generic', code: 'op_not_supported' });
  }
}

/** The result an operation would report had it succeeded; used for siblings of a refused one. */
export function successOf(body: OperationBody): OperationResult {
  switch (body.type) {
    case 'create_account':
      return { kind: 'create_account', code: 'op_success' };
    case 'payment':
      return { kind: 'payment', code: 'op_success' };
    case 'change_trust':
      return { kind: 'change_trust', code: 'op_success' };
    case 'path_payment_strict_receive':
    case 'path_payment_strict_send':
      return {
        kind: body.type,
        code: 'op_success',
        delivered: { destination: body.to.account, asset: body.asset, amount: body.amount },
      };
    default: {
      const unexpected: never = body;
      return unexpected;
    }
  }
}

/** Applies one operation to `ctx.accounts`; the caller throws the accounts away if any op failed. */
export function applyOperation(ctx: OperationContext, body: OperationBody): OperationResult {
  switch (body.type) {
    case 'create_account':
      return { kind: 'create_account', code: createAccount(ctx, body) };
    case 'payment':
      return { kind: 'payment', code: pay(ctx, body) };
    case 'path_payment_strict_receive': {
      const code = strictReceive(ctx, body);
      return code === 'op_success' ? successOf(body) : { kind: body.type, code };
    }
    case 'path_payment_strict_send': {
      const code = strictSend(ctx, body);
      return code === 'op_success' ? successOf(body) : { kind: body.type, code };
    }
    case 'change_trust':
      return { kind: 'change_trust', code: changeTrust(ctx, body) };
    default: {
      const unexpected: never = body;
      return unexpected;
    }
  }
}

function createAccount(
  ctx: OperationContext,
  body: Extract<OperationBody, { type: 'create_account' }>,
): CreateAccountCode {
  const source = mustExist(ctx, body.funder.account);
  if (ctx.accounts.has(body.account)) return 'op_already_exists';
  if (body.startingBalance < minimumBalance(0)) return 'op_low_reserve';
  if (availableBalance(source) < body.startingBalance) return 'op_underfunded';
  source.balance -= body.startingBalance;
  source.lastModifiedLedger = ctx.ledger;
  ctx.accounts.set(body.account, newAccount(body.account, body.startingBalance, ctx.ledger));
  return 'op_success';
}

function pay(ctx: OperationContext, body: Extract<OperationBody, { type: 'payment' }>): PaymentCode {
  // core runs a payment as a strict-receive path payment without a path: same checks, same order.
  const code = strictReceive(ctx, {
    type: 'path_payment_strict_receive',
    from: body.from,
    to: body.to,
    asset: body.asset,
    amount: body.amount,
    sourceAsset: body.asset,
    sourceAmount: body.amount,
    sourceMax: body.amount,
    path: [],
  });
  if (code === 'op_over_source_max') throw new Error('fake Horizon: a payment cannot exceed its own amount');
  return code;
}

function strictReceive(
  ctx: OperationContext,
  body: Extract<OperationBody, { type: 'path_payment_strict_receive' }>,
): PathReceiveCode {
  const source = mustExist(ctx, body.from.account);
  const destination = ctx.accounts.get(body.to.account);
  if (!destination) return 'op_no_destination';
  if (source === destination && body.asset.type === 'native' && body.sourceAsset.type === 'native') {
    return 'op_success';
  }
  const credit = canCredit(destination, body.asset, body.amount);
  if (credit !== null) return credit;
  if (body.sourceAmount > body.sourceMax) return 'op_over_source_max';
  const debit = canDebit(source, body.sourceAsset, body.sourceAmount);
  if (debit !== null) return debit;
  move(ctx, source, destination, body);
  return 'op_success';
}

function strictSend(
  ctx: OperationContext,
  body: Extract<OperationBody, { type: 'path_payment_strict_send' }>,
): PathSendCode {
  const source = mustExist(ctx, body.from.account);
  const destination = ctx.accounts.get(body.to.account);
  if (!destination) return 'op_no_destination';
  const debit = canDebit(source, body.sourceAsset, body.sourceAmount);
  if (debit !== null) return debit;
  if (body.amount < body.destinationMin) return 'op_under_dest_min';
  const credit = canCredit(destination, body.asset, body.amount);
  if (credit !== null) return credit;
  move(ctx, source, destination, body);
  return 'op_success';
}

function changeTrust(
  ctx: OperationContext,
  body: Extract<OperationBody, { type: 'change_trust' }>,
): ChangeTrustCode {
  const trustor = mustExist(ctx, body.trustor.account);
  const key = trustlineKey(body.asset);
  const line = trustor.trustlines.get(key);
  trustor.lastModifiedLedger = ctx.ledger;
  if (line) {
    if (body.limit < line.balance) return 'op_invalid_limit';
    if (body.limit === 0n) {
      trustor.trustlines.delete(key);
      trustor.subentries -= 1;
    } else {
      line.limit = body.limit;
      line.lastModifiedLedger = ctx.ledger;
    }
    return 'op_success';
  }
  if (body.limit === 0n) return 'op_invalid_limit';
  if (!ctx.accounts.has(body.asset.issuer)) return 'op_no_issuer';
  if (trustor.balance < minimumBalance(trustor.subentries + 1)) return 'op_low_reserve';
  trustor.trustlines.set(key, {
    asset: body.asset,
    balance: 0n,
    limit: body.limit,
    lastModifiedLedger: ctx.ledger,
  });
  trustor.subentries += 1;
  return 'op_success';
}

type Movement = Readonly<{ asset: AssetRef; amount: bigint; sourceAsset: AssetRef; sourceAmount: bigint }>;

function canCredit(
  destination: AccountEntry,
  asset: AssetRef,
  amount: bigint,
): 'op_no_trust' | 'op_line_full' | null {
  if (asset.type === 'native' || isIssuer(destination.id, asset)) return null;
  const line = destination.trustlines.get(trustlineKey(asset));
  if (!line) return 'op_no_trust';
  return line.balance + amount > line.limit ? 'op_line_full' : null;
}

function canDebit(
  source: AccountEntry,
  asset: AssetRef,
  amount: bigint,
): 'op_src_no_trust' | 'op_underfunded' | null {
  if (asset.type === 'native') return availableBalance(source) < amount ? 'op_underfunded' : null;
  if (isIssuer(source.id, asset)) return null;
  const line = source.trustlines.get(trustlineKey(asset));
  if (!line) return 'op_src_no_trust';
  return line.balance < amount ? 'op_underfunded' : null;
}

/** Moves funds once every check passed. An issuer mints what it sends and burns what it gets. */
function move(
  ctx: OperationContext,
  source: AccountEntry,
  destination: AccountEntry,
  movement: Movement,
): void {
  adjust(ctx, source, movement.sourceAsset, -movement.sourceAmount);
  adjust(ctx, destination, movement.asset, movement.amount);
}

function adjust(ctx: OperationContext, account: AccountEntry, asset: AssetRef, delta: bigint): void {
  account.lastModifiedLedger = ctx.ledger;
  if (asset.type === 'native') {
    account.balance += delta;
    return;
  }
  if (isIssuer(account.id, asset)) return;
  const line = account.trustlines.get(trustlineKey(asset));
  if (!line) throw new Error(`fake Horizon: ${account.id} has no ${asset.code} trustline after the check`);
  line.balance += delta;
  line.lastModifiedLedger = ctx.ledger;
}

/** Sources were checked before any operation ran; a missing one here is a bug in the fake. */
function mustExist(ctx: OperationContext, accountId: string): AccountEntry {
  const account = ctx.accounts.get(accountId);
  if (!account) throw new Error(`fake Horizon: source ${accountId} vanished while applying`);
  return account;
}
