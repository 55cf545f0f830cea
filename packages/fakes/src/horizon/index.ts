import { listen, urlHost } from '../http';
// A fake Stellar Horizon for tests and the offline demo: a real HTTP server speaking Horizon's JSON,
// problem+json and SSE over a small simulated ledger. Point stellar-sdk at it as at any Horizon:
//
//   const fake = await startFakeHorizon();
//   const server = new Horizon.Server(fake.url, { allowHttp: true });
//   const wallet = Keypair.random();
//   await fake.friendbot(wallet.publicKey());
//   await fake.pay({ from: wallet, to: merchant, amount: '25.5', memo: Memo.text('kassa:inv_1') });

import { createServer } from 'node:http';
import {
  Account,
  Asset,
  Keypair,
  Operation,
  StrKey,
  TimeoutInfinite,
  TransactionBuilder,
  type Memo,
} from '@stellar/stellar-sdk';
import { err, ok, type Result } from '../result';
import { z } from 'zod';
import { BASE_FEE_STROOPS, formatAmount, MAX_INT64, STROOPS_PER_UNIT } from './amount';
import { creditAsset, DEFAULT_ISSUERS, NETWORK_PASSPHRASES, trustlineKey, type Network } from './assets';
import { friendbotEnvelope, friendbotKeypair } from './friendbot';
import { createLedgerState, latestLedger, type LedgerState, type TransactionRecord } from './ledger';
import { alreadyFunded, badRequest, serverError, type Problem } from './problems';
import type { ResultCodes } from './result-codes';
import { createRequestHandler, type RecordedRequest } from './server';
import { createStreams } from './stream';
import { submitEnvelope, type Submission } from './submit';
import { ledgerOfToid } from './toid';

export type { Network, RecordedRequest, ResultCodes };

export type FakeHorizonOptions = Readonly<{
  /** Interface to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** Picks the passphrase and Circle's issuers; testnet unless told. */
  network?: Network;
  /** The network's clock: ledger close times, time bounds, the Date header. */
  now?: () => Date;
  /** Also end every stream this long after it opened, as a proxy might (Horizon itself ends one after `limit` records). */
  streamBatchMs?: number;
  /** Issuers of the registry's test assets; Circle's on the chosen network unless told. */
  issuers?: Readonly<{ USDC?: string; EURC?: string }>;
  /**
   * Sequence of the first ledger. Large by default, as on the real networks, so paging tokens and
   * sequence numbers do not fit in a JS number and a client that rounds them breaks here too.
   */
  genesisLedger?: number;
  /**
   * Also answer 410 before_history to ascending queries and streams whose cursor is older than the
   * retained history. Real Horizon does not: it silently starts at the oldest retained ledger.
   */
  strictHistory?: boolean;
}>;

export type FakeBalance = Readonly<{
  assetType: 'native' | 'credit_alphanum4' | 'credit_alphanum12';
  assetCode: string | null;
  assetIssuer: string | null;
  /** 7 decimals, as Horizon renders it. */
  balance: string;
  limit: string | null;
}>;

export type FakeAccount = Readonly<{
  id: string;
  sequence: string;
  subentryCount: number;
  /** Trustlines first, XLM last, as on Horizon. */
  balances: readonly FakeBalance[];
}>;

export type FakeTransaction = Readonly<{
  hash: string;
  /** The inner transaction's hash when this is a fee bump. */
  innerHash: string | null;
  ledger: number;
  pagingToken: string;
  successful: boolean;
  sourceAccount: string;
  feeAccount: string;
  /** Stroops, as Horizon's fee_charged. */
  feeCharged: string;
  memoType: 'none' | 'text' | 'id' | 'hash' | 'return';
  operations: readonly Readonly<{ id: string; type: string }>[];
  resultCodes: ResultCodes;
}>;

export type FakePayment = Readonly<{
  /** The payer's wallet: its key signs the transaction. */
  from: Keypair;
  /** G… or M… address. */
  to: string;
  /** Decimal string, up to 7 decimals. */
  amount: string;
  /** Absent: XLM. */
  assetCode?: string;
  /** Defaults to the fake's issuer of `assetCode` (USDC, EURC). */
  assetIssuer?: string;
  memo?: Memo;
  /**
   * Pay with another asset through a strict-receive path payment, converted at par: the
   * destination gets `amount` of the asset above, the payer spends as much of this one.
   */
  payWith?: Readonly<{ assetCode?: string; assetIssuer?: string; max?: string }>;
}>;

export type FakeHorizon = Readonly<{
  /** `http://127.0.0.1:PORT`: `new Horizon.Server(url, { allowHttp: true })`. */
  url: string;
  networkPassphrase: string;
  /** The issuers `issue()` pays from, which the fake created at genesis. */
  issuers: Readonly<{ USDC: string; EURC: string }>;
  friendbotAccountId: string;
  /** Funds a new account with 10,000 XLM, as GET /friendbot?addr= does. Resolves to the tx hash. */
  friendbot(accountId: string): Promise<string>;
  /**
   * Pays `amount` of the registry's USDC or EURC from its issuer to an account that trusts it. The
   * issuer's transaction is recorded like any other but not signed: nobody has Circle's keys.
   */
  issue(accountId: string, assetCode: 'USDC' | 'EURC', amount: string): Promise<string>;
  /** Adds a trustline directly, without a change_trust transaction (no reserve check). */
  trust(accountId: string, assetCode: string, issuer: string): void;
  /** Builds, signs and POSTs a real transaction to the fake's /transactions. Resolves to its hash. */
  pay(payment: FakePayment): Promise<string>;
  account(accountId: string): FakeAccount | undefined;
  /** Every recorded transaction, oldest first, failed ones included. */
  transactions(): FakeTransaction[];
  latestLedger(): number;
  /** Sends Horizon's close event to every open stream, so clients reconnect with their cursor. */
  endStreams(): void;
  openStreams(): number;
  /** Drops history of ledgers before the one holding `pagingToken`, as a Horizon reaping it would. */
  forgetHistoryBefore(pagingToken: string): void;
  /** Every request received, oldest first. */
  requests(): RecordedRequest[];
  close(): Promise<void>;
}>;

/** A submission the fake refused, with Horizon's status and result codes. */
export class FakeHorizonError extends Error {
  readonly status: number;
  readonly resultCodes: ResultCodes | null;

  constructor(message: string, status: number, resultCodes: ResultCodes | null) {
    super(message);
    this.name = 'FakeHorizonError';
    this.status = status;
    this.resultCodes = resultCodes;
  }
}

const DEFAULT_GENESIS_LEDGER = 50_000_000;
const FRIENDBOT_RESERVE = 100_000_000_000n * STROOPS_PER_UNIT;
const ISSUER_BALANCE = 10_000n * STROOPS_PER_UNIT;
/** How long the fake's own transactions stay valid. */
const VALIDITY_SECONDS = 300;

/** Starts a local HTTP server that answers like Horizon, over a simulated ledger. */
export async function startFakeHorizon(options: FakeHorizonOptions = {}): Promise<FakeHorizon> {
  const network = options.network ?? 'testnet';
  const networkPassphrase = NETWORK_PASSPHRASES[network];
  const now = options.now ?? (() => new Date());
  const issuers = {
    USDC: options.issuers?.USDC ?? DEFAULT_ISSUERS[network].USDC,
    EURC: options.issuers?.EURC ?? DEFAULT_ISSUERS[network].EURC,
  };
  for (const [code, issuer] of Object.entries(issuers)) {
    if (!StrKey.isValidEd25519PublicKey(issuer))
      throw new Error(`fake Horizon: ${code} issuer is not a G… address`);
  }
  const friendbot = friendbotKeypair();
  const state: LedgerState = createLedgerState(options.genesisLedger ?? DEFAULT_GENESIS_LEDGER, now(), [
    { id: friendbot.publicKey(), balance: FRIENDBOT_RESERVE },
    { id: issuers.USDC, balance: ISSUER_BALANCE },
    { id: issuers.EURC, balance: ISSUER_BALANCE },
  ]);
  const streams = createStreams(options.streamBatchMs ?? null);
  const requests: RecordedRequest[] = [];

  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host, 'fake Horizon');
  const url = `http://${urlHost(host)}:${port}`;

  function submit(envelopeXdr: string, skipSignatures = false): Submission {
    const submission = submitEnvelope(
      { state, networkPassphrase, closeTime: now(), skipSignatures },
      envelopeXdr,
    );
    if (submission.type === 'applied') streams.publish();
    return submission;
  }

  function fund(address: string): Result<TransactionRecord, Problem> {
    if (!StrKey.isValidEd25519PublicKey(address)) return err(badRequest('addr', 'invalid address'));
    if (state.accounts.has(address)) return err(alreadyFunded());
    const submission = submit(friendbotEnvelope(state, friendbot, address, networkPassphrase, now()));
    return submission.type === 'applied' && submission.record.successful
      ? ok(submission.record)
      : err(serverError());
  }

  server.on(
    'request',
    createRequestHandler({
      state,
      networkPassphrase,
      url,
      now,
      strictHistory: options.strictHistory ?? false,
      streams,
      submit: (envelopeXdr) => submit(envelopeXdr),
      fund,
      record: (request) => requests.push(request),
    }),
  );

  function assetFor(code: string | undefined, issuer: string | undefined): Asset {
    if (code === undefined) return Asset.native();
    const known = code === 'USDC' || code === 'EURC' ? issuers[code] : undefined;
    const chosen = issuer ?? known;
    if (chosen === undefined) throw new Error(`fake Horizon: say which issuer's ${code} to pay`);
    return new Asset(code, chosen);
  }

  function validUntil(): number {
    return Math.floor(now().getTime() / 1000) + VALIDITY_SECONDS;
  }

  async function pay(payment: FakePayment): Promise<string> {
    const from = payment.from.publicKey();
    const sequence = state.accounts.get(from)?.sequence ?? 0n;
    const destAsset = assetFor(payment.assetCode, payment.assetIssuer);
    const operation = payment.payWith
      ? Operation.pathPaymentStrictReceive({
          sendAsset: assetFor(payment.payWith.assetCode, payment.payWith.assetIssuer),
          sendMax: payment.payWith.max ?? payment.amount,
          destination: payment.to,
          destAsset,
          destAmount: payment.amount,
          path: [],
        })
      : Operation.payment({ destination: payment.to, asset: destAsset, amount: payment.amount });
    const builder = new TransactionBuilder(new Account(from, sequence.toString()), {
      fee: BASE_FEE_STROOPS.toString(),
      networkPassphrase,
      timebounds: { minTime: 0, maxTime: validUntil() },
    }).addOperation(operation);
    if (payment.memo) builder.addMemo(payment.memo);
    const tx = builder.build();
    tx.sign(payment.from);
    return postTransaction(url, tx.toXDR());
  }

  function issue(accountId: string, assetCode: 'USDC' | 'EURC', amount: string): Promise<string> {
    const issuer = issuers[assetCode];
    const issuerAccount = state.accounts.get(issuer);
    if (!issuerAccount)
      return Promise.reject(new Error(`fake Horizon: ${assetCode} issuer account is missing`));
    const tx = new TransactionBuilder(new Account(issuer, issuerAccount.sequence.toString()), {
      fee: BASE_FEE_STROOPS.toString(),
      networkPassphrase,
    })
      .addOperation(
        Operation.payment({ destination: accountId, asset: new Asset(assetCode, issuer), amount }),
      )
      .setTimeout(TimeoutInfinite)
      .build();
    return settle(submit(tx.toXDR(), true));
  }

  return {
    url,
    networkPassphrase,
    issuers,
    friendbotAccountId: friendbot.publicKey(),
    friendbot(accountId) {
      const funded = fund(accountId);
      return funded.ok
        ? Promise.resolve(funded.value.hash)
        : Promise.reject(
            new FakeHorizonError(`fake Horizon: friendbot refused ${accountId}`, funded.error.status, null),
          );
    },
    issue,
    trust(accountId, assetCode, issuer) {
      const account = state.accounts.get(accountId);
      if (!account) throw new Error(`fake Horizon: no account ${accountId} to add a trustline to`);
      const asset = creditAsset(assetCode, issuer);
      const key = trustlineKey(asset);
      if (account.trustlines.has(key)) return;
      const ledger = latestLedger(state);
      account.trustlines.set(key, { asset, balance: 0n, limit: MAX_INT64, lastModifiedLedger: ledger });
      account.subentries += 1;
      account.lastModifiedLedger = ledger;
    },
    pay,
    account(accountId) {
      const account = state.accounts.get(accountId);
      if (!account) return undefined;
      return {
        id: account.id,
        sequence: account.sequence.toString(),
        subentryCount: account.subentries,
        balances: [
          ...[...account.trustlines.values()].map((line) => ({
            assetType: line.asset.type,
            assetCode: line.asset.code,
            assetIssuer: line.asset.issuer,
            balance: formatAmount(line.balance),
            limit: formatAmount(line.limit),
          })),
          {
            assetType: 'native',
            assetCode: null,
            assetIssuer: null,
            balance: formatAmount(account.balance),
            limit: null,
          },
        ],
      };
    },
    transactions: () =>
      state.transactions.map((tx) => ({
        hash: tx.hash,
        innerHash: tx.feeBump?.innerHash ?? null,
        ledger: tx.ledger,
        pagingToken: tx.pagingToken.toString(),
        successful: tx.successful,
        sourceAccount: tx.source.account,
        feeAccount: tx.feeAccount.account,
        feeCharged: tx.feeCharged.toString(),
        memoType: tx.memo.type,
        operations: tx.operations.map((op) => ({ id: op.id.toString(), type: op.body.type })),
        resultCodes: tx.resultCodes,
      })),
    latestLedger: () => latestLedger(state),
    endStreams: () => streams.endAll(),
    openStreams: () => streams.count(),
    forgetHistoryBefore(pagingToken) {
      if (!/^\d{1,19}$/.test(pagingToken))
        throw new Error(`fake Horizon: ${pagingToken} is not a paging token`);
      const ledger = ledgerOfToid(BigInt(pagingToken));
      if (ledger > latestLedger(state) + 1)
        throw new Error(`fake Horizon: ledger ${ledger} has not closed yet`);
      state.elderLedger = Math.max(state.elderLedger, ledger);
    },
    requests: () => [...requests],
    async close() {
      // Streams are cut, not closed with byebye: that would only invite clients to reconnect.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fake's own transactions settle like a failed assertion when refused. */
function settle(submission: Submission): Promise<string> {
  switch (submission.type) {
    case 'applied':
    case 'duplicate':
      return submission.record.successful
        ? Promise.resolve(submission.record.hash)
        : Promise.reject(failure(400, submission.record.resultCodes));
    case 'rejected':
      return Promise.reject(failure(400, submission.resultCodes));
    case 'malformed':
      return Promise.reject(new FakeHorizonError('fake Horizon: malformed envelope', 400, null));
    default: {
      const unexpected: never = submission;
      return unexpected;
    }
  }
}

function failure(status: number, codes: ResultCodes | null): FakeHorizonError {
  const described = codes
    ? [codes.transaction, codes.inner_transaction, ...(codes.operations ?? [])].filter(Boolean)
    : [];
  return new FakeHorizonError(
    `fake Horizon: transaction refused (${status} ${described.join(', ')})`,
    status,
    codes,
  );
}

const SubmitSuccess = z.object({ hash: z.string() });
const SubmitProblem = z.object({
  extras: z
    .object({
      result_codes: z.object({
        transaction: z.string(),
        inner_transaction: z.string().optional(),
        operations: z.array(z.string()).optional(),
      }),
    })
    .optional(),
});

/** POST /transactions over HTTP, exactly as a wallet would submit. */
async function postTransaction(url: string, envelopeXdr: string): Promise<string> {
  const response = await fetch(`${url}/transactions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ tx: envelopeXdr }).toString(),
  });
  const body: unknown = await response.json();
  if (response.ok) {
    const success = SubmitSuccess.safeParse(body);
    if (success.success) return success.data.hash;
    throw new FakeHorizonError('fake Horizon: submission answer has no hash', response.status, null);
  }
  const refused = SubmitProblem.safeParse(body);
  const codes = refused.success ? refused.data.extras?.result_codes : undefined;
  throw failure(
    response.status,
    codes
      ? {
          transaction: codes.transaction,
          ...(codes.inner_transaction === undefined ? {} : { inner_transaction: codes.inner_transaction }),
          ...(codes.operations === undefined ? {} : { operations: codes.operations }),
        }
      : null,
  );
}
