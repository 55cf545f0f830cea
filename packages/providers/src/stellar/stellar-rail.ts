import {
  amountRemaining,
  err,
  formatAmount,
  isPositive,
  moneyOf,
  ok,
  OPEN_STATUSES,
  PAR,
  parseAmount,
  quoteAmount,
  type Asset,
  type AssetRegistry,
  type Checkout,
  type Money,
  type Quote,
  type Result,
} from '@kassa/core';
import {
  Account,
  Asset as StellarAsset,
  FeeBumpTransaction,
  Memo,
  Operation,
  TransactionBuilder,
  type Transaction,
} from '@stellar/stellar-sdk';
import type {
  DecodeError,
  PaymentSignal,
  ProviderEvent,
  RailAdapter,
  RailContext,
  RailError,
  StellarInstructions,
} from '../rail';
import type { StellarConfig } from './config';
import { decodeStellarTransaction, stellarMemoFor, stellarTransactionEvent } from './events';
import { createHorizon, type AccountRecord, type Horizon, type HorizonError } from './horizon';
import { buildSep7PayUri } from './sep7';

export type StellarErrorCode =
  | 'rail_not_allowed'
  | 'payer_account_missing'
  | 'payer_no_trustline'
  | 'payer_underfunded'
  | 'transaction_invalid'
  | 'transaction_failed'
  | 'transaction_not_found'
  | 'provider_unavailable';
export type StellarError = Readonly<{ code: StellarErrorCode; message: string }>;

export type UnsignedPayment = Readonly<{ xdr: string; networkPassphrase: string; hash: string }>;

export type StellarRail = Omit<RailAdapter, 'instructions'> & {
  readonly config: StellarConfig;
  readonly horizon: Horizon;
  instructions(checkout: Checkout, context: RailContext): Promise<Result<StellarInstructions, RailError>>;
  /** An unsigned payment from `payerAccount` for what is due, for the payer's wallet to sign. */
  buildPayment(
    checkout: Checkout,
    payerAccount: string,
    context: RailContext,
  ): Promise<Result<UnsignedPayment, StellarError>>;
  /**
   * Checks a signed envelope is the payment Kassa would build for this checkout (destination,
   * asset, amount, memo), submits it, and returns the ledger transaction as an inbox event.
   */
  submitPayment(
    checkout: Checkout,
    signedXdr: string,
    context: RailContext,
  ): Promise<Result<{ txHash: string; event: ProviderEvent | null }, StellarError>>;
  /** A transaction on the ledger as an inbox event ("I have paid", and the watcher). */
  transactionEvent(hash: string): Promise<Result<ProviderEvent, StellarError>>;
};

/** Classic payments carry at most 922337203685.4775807 units (int64 stroops). */
const MAX_STROOPS = 2n ** 63n - 1n;
/** A stablecoin Kassa offers at par for a fiat price, when the merchant allows it. */
const AT_PAR: Readonly<Record<string, string>> = { USD: 'USDC:stellar', EUR: 'EURC:stellar' };
const BASE_RESERVE_STROOPS = 5_000_000n;

export function createStellarRail(config: StellarConfig, assets: AssetRegistry): StellarRail {
  const horizon = createHorizon(config.horizonUrl);

  function terms(checkout: Checkout, context: RailContext): Result<PayTerms, StellarError> {
    return payTerms(checkout, context, assets);
  }

  async function readTransaction(hash: string): Promise<Result<ProviderEvent, StellarError>> {
    if (!/^[0-9a-fA-F]{64}$/.test(hash)) {
      return err({
        code: 'transaction_invalid',
        message: 'A Stellar transaction hash is 64 hex characters.',
      });
    }
    // A transaction just submitted may not be ingested yet: Horizon says 404 for a few seconds.
    for (let attempt = 0; ; attempt++) {
      const event = await eventOf(horizon, hash.toLowerCase());
      if (event.ok || event.error.code !== 'transaction_not_found' || attempt >= 2) return event;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  return {
    rail: 'stellar',
    provider: 'stellar',
    config,
    horizon,

    instructions(checkout, context) {
      const t = terms(checkout, context);
      if (!t.ok) return Promise.resolve(err({ code: 'rail_not_allowed', message: t.error.message }));
      const { payAsset, amount, quote } = t.value;
      const memo = stellarMemoFor(checkout.payment.id);
      const amountText = formatAmount(amount);
      const sep7Uri = buildSep7PayUri(
        {
          destination: config.receivingAccount,
          amount: amountText,
          ...(payAsset.issuer ? { assetCode: payAsset.code, assetIssuer: payAsset.issuer } : {}),
          memo,
          memoType: 'MEMO_ID',
          msg: paymentMessage(context.merchantName),
          networkPassphrase: config.networkPassphrase,
          ...(config.signing ? { originDomain: config.signing.originDomain } : {}),
        },
        config.signing ? { secret: config.signing.secret } : null,
      );
      return Promise.resolve(
        ok({
          rail: 'stellar',
          destination: config.receivingAccount,
          memo,
          memoType: 'id',
          amount: amountText,
          asset: { id: payAsset.id, code: payAsset.code, issuer: payAsset.issuer },
          networkPassphrase: config.networkPassphrase,
          sep7Uri,
          expiresAt: checkout.payment.expiresAt.toISOString(),
          reference: { ref: memo, quote },
        }),
      );
    },

    observe(event: ProviderEvent): Result<readonly PaymentSignal[], DecodeError> {
      return decodeStellarTransaction(event.body, {
        receivingAccount: config.receivingAccount,
        assets,
        mode: config.mode,
      });
    },

    async buildPayment(checkout, payerAccount, context) {
      const t = terms(checkout, context);
      if (!t.ok) return t;
      const { payAsset, amount } = t.value;
      const account = await horizon.account(payerAccount);
      if (!account.ok) {
        return account.error.code === 'not_found'
          ? err({
              code: 'payer_account_missing',
              message: `The account ${payerAccount} does not exist on the Stellar ${config.network} network yet.`,
            })
          : err(fromHorizon(account.error));
      }
      const fee = await horizon.feePerOperation();
      if (!fee.ok) return err(fromHorizon(fee.error));
      const funds = spendable(account.value, payAsset, fee.value);
      if (funds === null) {
        return err({
          code: 'payer_no_trustline',
          message: `The account ${payerAccount} cannot hold ${payAsset.code} from ${payAsset.issuer ?? ''}: add a trustline to it first.`,
        });
      }
      if (funds < amount.minor) {
        return err({
          code: 'payer_underfunded',
          message: `The account ${payerAccount} has ${formatAmount(moneyOf(payAsset, funds < 0n ? 0n : funds))} ${payAsset.code} to spend; ${formatAmount(amount)} is due.`,
        });
      }
      const tx = new TransactionBuilder(new Account(payerAccount, account.value.sequence), {
        fee: fee.value.toString(),
        networkPassphrase: config.networkPassphrase,
        // The payment is valid only while the checkout is: a late signature cannot pay an expired one.
        timebounds: { minTime: 0, maxTime: Math.floor(checkout.payment.expiresAt.getTime() / 1000) },
      })
        .addOperation(
          Operation.payment({
            destination: config.receivingAccount,
            asset: stellarAssetOf(payAsset),
            amount: formatAmount(amount),
          }),
        )
        .addMemo(Memo.id(stellarMemoFor(checkout.payment.id)))
        .build();
      return ok({
        xdr: tx.toXDR(),
        networkPassphrase: config.networkPassphrase,
        hash: Buffer.from(tx.hash()).toString('hex'),
      });
    },

    async submitPayment(checkout, signedXdr, context) {
      const t = terms(checkout, context);
      if (!t.ok) return t;
      const checked = checkSignedPayment(signedXdr, checkout, t.value, config);
      if (!checked.ok) return checked;
      const submitted = await horizon.submit(signedXdr);
      if (!submitted.ok) return err(fromHorizon(submitted.error));
      // The money moved: from here on, never an error (the payer would pay again). If Horizon
      // cannot show the transaction yet, the watcher will take it in.
      const event = await readTransaction(submitted.value.hash);
      return ok({ txHash: submitted.value.hash, event: event.ok ? event.value : null });
    },

    transactionEvent: readTransaction,
  };
}

type PayTerms = Readonly<{ payAsset: Asset; amount: Money; quote: Quote | null }>;

/**
 * What the payer pays: a Stellar-priced checkout in exactly its asset; a USD or EUR one in USDC or
 * EURC at par when the merchant allows it. A fiat price is never offered in XLM: there is no rate
 * source, and Kassa does not guess one.
 */
function payTerms(
  checkout: Checkout,
  context: RailContext,
  assets: AssetRegistry,
): Result<PayTerms, StellarError> {
  const { payment } = checkout;
  const remaining = amountRemaining(payment);
  if (!OPEN_STATUSES.has(payment.status) || !isPositive(remaining)) {
    return notAllowed(`A ${payment.status} checkout takes no more payments.`);
  }
  // A payment already on its way (a bank debit, say) must not be doubled by a second rail.
  if (payment.status === 'processing') return notAllowed('A payment for this checkout is being processed.');
  if (payment.expiresAt.getTime() - context.now.getTime() < 60_000) {
    return notAllowed('This checkout closes too soon to pay on Stellar.');
  }
  const due = payment.amountDue.asset;
  if (due.network === 'stellar') {
    if (context.asset && context.asset !== due.id) {
      return notAllowed(`This checkout is priced in ${due.id} and is paid in exactly that.`);
    }
    if (remaining.minor > MAX_STROOPS)
      return notAllowed('This amount is more than one Stellar payment carries.');
    return ok({ payAsset: due, amount: remaining, quote: null });
  }
  const stablecoin = due.kind === 'fiat' ? AT_PAR[due.code] : undefined;
  const wanted = context.asset ?? stablecoin;
  if (wanted === 'XLM:stellar' || !wanted) {
    return notAllowed(`A ${due.code} price cannot be paid in XLM: no exchange rate source is configured.`);
  }
  if (wanted !== stablecoin) return notAllowed(`A ${due.code} price cannot be paid in ${wanted}.`);
  if (!context.stablecoinsAtPar) {
    return notAllowed(`This merchant does not take ${wanted} for ${due.code} prices.`);
  }
  const payAsset = assets.resolve(wanted);
  if (!payAsset.ok) return notAllowed(`${wanted} is not configured.`);
  const quote: Quote = { payAsset: payAsset.value, rate: PAR };
  const amount = quoteAmount(remaining, quote);
  return amount.minor > MAX_STROOPS
    ? notAllowed('This amount is more than one Stellar payment carries.')
    : ok({ payAsset: payAsset.value, amount, quote });
}

/** What the account can pay in `asset` after the fee and its reserve; null without a trustline. */
function spendable(account: AccountRecord, asset: Asset, feeStroops: bigint): bigint | null {
  if (!asset.issuer) {
    const native = account.balances.find((b) => b.asset_type === 'native');
    if (!native) return null;
    const reserve = (2n + BigInt(account.subentry_count)) * BASE_RESERVE_STROOPS;
    return stroops(native.balance) - reserve - feeStroops;
  }
  const line = account.balances.find((b) => b.asset_code === asset.code && b.asset_issuer === asset.issuer);
  if (!line || line.is_authorized === false) return null;
  return stroops(line.balance);
}

function stroops(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 10_000_000n + BigInt(fraction.padEnd(7, '0').slice(0, 7));
}

/** The signed envelope must be the payment Kassa builds: nothing more, nothing else. */
function checkSignedPayment(
  signedXdr: string,
  checkout: Checkout,
  terms: PayTerms,
  config: StellarConfig,
): Result<Transaction, StellarError> {
  let envelope: Transaction | FeeBumpTransaction;
  try {
    envelope = TransactionBuilder.fromXDR(signedXdr, config.networkPassphrase);
  } catch {
    return invalid('This is not a Stellar transaction envelope (base64 XDR).');
  }
  const tx = envelope instanceof FeeBumpTransaction ? envelope.innerTransaction : envelope;
  if (tx.networkPassphrase !== config.networkPassphrase)
    return invalid('The transaction is for another network.');
  if (tx.signatures.length === 0 && !(envelope instanceof FeeBumpTransaction)) {
    return invalid('The transaction is not signed.');
  }
  if (tx.memo.type !== 'id' || String(tx.memo.value) !== stellarMemoFor(checkout.payment.id)) {
    return invalid('The transaction does not carry this checkout’s memo.');
  }
  const [op, ...more] = tx.operations;
  if (!op || more.length > 0 || op.type !== 'payment') {
    return invalid('The transaction must be a single payment operation.');
  }
  if (op.destination !== config.receivingAccount) return invalid('The payment goes to another account.');
  const expected = stellarAssetOf(terms.payAsset);
  if (!op.asset.equals(expected)) return invalid(`The payment is not in ${terms.payAsset.id}.`);
  const amount = parseAmount(terms.payAsset, op.amount);
  if (!amount.ok || amount.value.minor !== terms.amount.minor) {
    return invalid(`The payment must be exactly ${formatAmount(terms.amount)} ${terms.payAsset.code}.`);
  }
  const maxTime = Number(tx.timeBounds?.maxTime ?? 0);
  if (maxTime === 0 || maxTime * 1000 > checkout.payment.expiresAt.getTime()) {
    return invalid('The transaction must expire no later than the checkout.');
  }
  return ok(tx);
}

async function eventOf(horizon: Horizon, hash: string): Promise<Result<ProviderEvent, StellarError>> {
  const tx = await horizon.transaction(hash);
  if (!tx.ok) return err(fromHorizon(tx.error));
  const payments = await horizon.transactionPayments(tx.value.hash);
  if (!payments.ok) return err(fromHorizon(payments.error));
  return ok(stellarTransactionEvent(tx.value, payments.value));
}

export function stellarAssetOf(asset: Asset): StellarAsset {
  return asset.issuer ? new StellarAsset(asset.code, asset.issuer) : StellarAsset.native();
}

/** Horizon's result codes in the payer's terms (PROVIDERS.md 3.2); the codes stay in the message. */
const RESULT_MESSAGES: Readonly<Record<string, string>> = {
  tx_bad_seq: 'The transaction was built on an old sequence number: ask for a new one and sign again.',
  tx_bad_auth: 'The transaction is not signed by the paying account.',
  tx_too_late: 'The transaction has expired: ask for a new one.',
  tx_too_early: 'The transaction is not valid yet.',
  tx_insufficient_fee: 'The fee is too low for the network right now: ask for a new transaction.',
  tx_insufficient_balance: 'The paying account cannot cover the fee and its reserve.',
  tx_no_source_account: 'The paying account does not exist.',
  op_underfunded: 'The paying account does not hold enough of the asset.',
  op_src_no_trust: 'The paying account has no trustline to the asset.',
  op_no_trust: 'The receiving account cannot take this asset (no trustline): tell the merchant.',
  op_no_destination: 'The receiving account does not exist on this network: tell the merchant.',
  op_line_full: 'The receiving account cannot hold that much of the asset.',
  op_low_reserve: 'The account would fall below its minimum XLM reserve.',
  op_not_authorized: 'The asset’s issuer has not authorized this account.',
};

function fromHorizon(error: HorizonError): StellarError {
  switch (error.code) {
    case 'not_found':
      return { code: 'transaction_not_found', message: 'Horizon does not know this transaction.' };
    case 'transaction_failed': {
      const codes = error.resultCodes;
      const all = codes ? [codes.transaction, ...codes.operations] : [];
      const words = all.map((c) => RESULT_MESSAGES[c]).filter((m): m is string => m !== undefined);
      return {
        code: 'transaction_failed',
        message: `${words[0] ?? 'The network refused the transaction.'} (${all.join(', ') || 'no result codes'})`,
      };
    }
    case 'before_history':
    case 'unavailable':
      return { code: 'provider_unavailable', message: error.message };
    default:
      return error.code satisfies never;
  }
}

/** SEP-7 allows 300 characters; cut whole characters (never half an emoji) to stay within it. */
function paymentMessage(merchantName: string | undefined): string {
  const chars = Array.from(merchantName ? `Payment to ${merchantName}` : 'Payment');
  while (chars.join('').length > 300) chars.pop();
  return chars.join('');
}

function notAllowed(message: string): Result<never, StellarError> {
  return err({ code: 'rail_not_allowed', message });
}

function invalid(message: string): Result<never, StellarError> {
  return err({ code: 'transaction_invalid', message });
}
