import {
  amountRemaining,
  err,
  formatAmount,
  isPositive,
  moneyOf,
  ok,
  OPEN_STATUSES,
  sameAsset,
  sumMoney,
  type Asset,
  type AssetRegistry,
  type Checkout,
  type Money,
  type Payment,
  type Quote,
  type Result,
} from '@kassa/core';
import type {
  DecodeError,
  EvmInstructions,
  PaymentSignal,
  ProviderEvent,
  RailAdapter,
  RailContext,
  RailError,
} from '../rail';
import { createShkeeperClient, type PayoutOutcome, type ShkeeperClient, type ShkeeperError } from './client';
import type { ShkeeperConfig } from './config';
import { SHKEEPER_CRYPTOS, shkeeperAmountMinor } from './cryptos';
import { decodeShkeeperEvent, invoiceEvent } from './events';

/** A payout as SHKeeper takes it: its crypto name and an exact decimal amount. */
export type EscrowPayout = Readonly<{ crypto: string; amount: string }>;

export type EvmRail = Omit<RailAdapter, 'instructions'> & {
  readonly config: ShkeeperConfig;
  readonly client: ShkeeperClient;
  instructions(checkout: Checkout, context: RailContext): Promise<Result<EvmInstructions, RailError>>;
  /** The invoice as SHKeeper holds it, as an inbox event; null when SHKeeper has no such invoice. */
  invoiceEvent(paymentId: string, now: Date): Promise<Result<ProviderEvent | null, RailError>>;
  /** Sends an escrow's money (`escrowFunds`) to `destination`, once per `payoutRef` however often asked. */
  sendPayout(
    payout: EscrowPayout,
    destination: string,
    payoutRef: string,
  ): Promise<Result<{ taskId: string | null }, RailError>>;
  /** How a payout sent with `payoutRef` stands; `unknown` when SHKeeper never received it. */
  payoutOutcome(crypto: string, payoutRef: string): Promise<Result<PayoutOutcome, RailError>>;
  /** How a payout task ended, for one SHKeeper's payout/status leaves in progress. */
  taskOutcome(crypto: string, taskId: string): Promise<Result<PayoutOutcome, RailError>>;
};

/** What the payer gets when the checkout does not say: USDT on Tron, the most used. */
const DEFAULT_ASSET = 'USDT:tron';
/** EIP-155 chain ids of the token networks, by registry chain. */
const CHAIN_IDS: Readonly<Record<string, Readonly<Record<'mainnet' | 'testnet', number>>>> = {
  ethereum: { mainnet: 1, testnet: 11155111 },
  bsc: { mainnet: 56, testnet: 97 },
};

export function createEvmRail(config: ShkeeperConfig, assets: AssetRegistry): EvmRail {
  const client = createShkeeperClient(config);

  return {
    rail: 'evm',
    provider: 'shkeeper',
    config,
    client,

    async instructions(checkout, context) {
      const { payment } = checkout;
      const remaining = amountRemaining(payment);
      if (!OPEN_STATUSES.has(payment.status) || !isPositive(remaining)) {
        return notAllowed(`A ${payment.status} checkout takes no more payments.`);
      }
      // A payment already on its way (a bank debit, say) must not be doubled by a second rail.
      if (payment.status === 'processing')
        return notAllowed('A payment for this checkout is being processed.');
      if (payment.expiresAt.getTime() - context.now.getTime() < 60_000) {
        return notAllowed('This checkout closes too soon to pay in crypto.');
      }
      const due = payment.amountDue.asset;
      if (due.kind !== 'fiat')
        return notAllowed('Stablecoin invoices are for checkouts priced in a fiat currency.');
      const assetId = context.asset ?? DEFAULT_ASSET;
      const crypto = SHKEEPER_CRYPTOS[assetId];
      const payAsset = crypto ? assets.resolve(assetId) : null;
      if (!crypto || !payAsset?.ok) {
        return notAllowed(`Choose one of ${Object.keys(SHKEEPER_CRYPTOS).join(', ')}.`);
      }
      // The same external id, callback URL and fiat every time: SHKeeper updates the one invoice.
      const quoted = await client.paymentRequest(crypto, {
        external_id: payment.id,
        fiat: due.code,
        amount: formatAmount(remaining),
        callback_url: config.callbackUrl,
      });
      if (!quoted.ok) return err(fromShkeeper(quoted.error));
      const payMinor = shkeeperAmountMinor(payAsset.value, quoted.value.amount);
      if (payMinor === null || payMinor <= 0n) {
        return err({
          code: 'provider_unavailable',
          message: `SHKeeper quoted an unusable amount: ${quoted.value.amount}`,
        });
      }
      const amount = moneyOf(payAsset.value, payMinor);
      const quote: Quote = {
        payAsset: payAsset.value,
        rate: quoted.value.exchange_rate,
        basis: { payMinor: payMinor.toString(), dueMinor: remaining.minor.toString() },
      };
      const network = payAsset.value.network;
      if (network !== 'ethereum' && network !== 'bsc' && network !== 'tron') {
        return notAllowed(`${assetId} is not an EVM or Tron token.`);
      }
      return ok({
        rail: 'evm',
        address: quoted.value.wallet,
        amount: formatAmount(amount),
        asset: {
          id: payAsset.value.id,
          code: payAsset.value.code,
          contract: payAsset.value.issuer,
          decimals: payAsset.value.decimals,
        },
        network,
        uri: paymentUri(payAsset.value, quoted.value.wallet, payMinor),
        expiresAt: payment.expiresAt.toISOString(),
        reference: { ref: `${payment.id}:${crypto}`, quote },
      });
    },

    observe(event: ProviderEvent): Result<readonly PaymentSignal[], DecodeError> {
      return decodeShkeeperEvent(event.body, { assets, mode: config.mode });
    },

    async sendPayout(payout, destination, payoutRef) {
      const sent = await client.payout(payout.crypto, {
        amount: payout.amount,
        destination,
        fee: config.payoutFee,
        callback_url: config.payoutCallbackUrl,
        external_id: payoutRef,
      });
      return sent.ok ? sent : err(fromShkeeper(sent.error));
    },

    async payoutOutcome(crypto, payoutRef) {
      const outcome = await client.payoutStatus(crypto, payoutRef);
      return outcome.ok ? outcome : err(fromShkeeper(outcome.error));
    },

    async taskOutcome(crypto, taskId) {
      const outcome = await client.task(crypto, taskId);
      return outcome.ok ? outcome : err(fromShkeeper(outcome.error));
    },

    async invoiceEvent(paymentId, now) {
      const invoice = await client.invoice(paymentId);
      if (!invoice.ok) return err(fromShkeeper(invoice.error));
      return ok(invoice.value ? invoiceEvent(invoice.value, now) : null);
    },
  };
}

/**
 * EIP-681 for an ERC20/BEP20 transfer (`ethereum:<token>@<chain>/transfer?address=…&uint256=…`,
 * amount in the token's smallest unit); Tron wallets take the plain address.
 */
export function paymentUri(asset: Asset, address: string, minor: bigint): string {
  const chainIds = CHAIN_IDS[asset.network];
  if (!chainIds || !asset.issuer || !asset.chain) return address;
  return `ethereum:${asset.issuer}@${chainIds[asset.chain]}/transfer?address=${address}&uint256=${minor.toString()}`;
}

function fromShkeeper(error: ShkeeperError): RailError {
  return {
    // A disabled or lagging crypto, or a refused key, is not the payer's to fix: another rail may work.
    code: error.code === 'refused' ? 'rail_unavailable' : 'provider_unavailable',
    message: `SHKeeper: ${error.message}`,
  };
}

function notAllowed(message: string): Result<never, RailError> {
  return err({ code: 'rail_not_allowed', message });
}

/**
 * What an escrow holds: everything received, in the token it came in (what SHKeeper's wallet has
 * for it). Null when nothing came, or it came in several tokens (one payout moves one token).
 */
export function escrowFunds(payment: Payment): (EscrowPayout & { network: string }) | null {
  const counted = new Map<string, Money>();
  for (const fact of payment.facts) {
    // On-time money only: late money is owed back to the payer, not held for the seller.
    const late = fact.occurredAt.getTime() > payment.expiresAt.getTime();
    if (fact.type === 'credit' && fact.paid && fact.txKey.startsWith('evm:') && !late) {
      counted.set(fact.txKey, fact.paid);
    }
  }
  const paid = [...counted.values()];
  const first = paid[0];
  if (!first || paid.some((m) => !sameAsset(m.asset, first.asset))) return null;
  const crypto = SHKEEPER_CRYPTOS[first.asset.id];
  return crypto
    ? { crypto, amount: payoutAmount(sumMoney(first.asset, paid)), network: first.asset.network }
    : null;
}

/** An amount as SHKeeper's payout takes it: a plain decimal without trailing zeros ("10", "12.5"). */
export function payoutAmount(amount: Money): string {
  return plainDecimal(formatAmount(amount));
}

/** SHKeeper's amounts: no trailing zeros ("10", "12.5"). */
function plainDecimal(amount: string): string {
  return amount.includes('.') ? amount.replace(/0+$/, '').replace(/\.$/, '') : amount;
}
