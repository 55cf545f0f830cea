import { Account, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { formatAmount, STROOPS_PER_UNIT } from './amount';
import type { LedgerState } from './ledger';

/** Testnet's friendbot hands out 10,000 XLM; so does the fake's. */
const FRIENDBOT_STARTING_BALANCE = 10_000n * STROOPS_PER_UNIT;

/** The fake friendbot's key: fixed, so its address is the same in every run. */
export function friendbotKeypair(): Keypair {
  return Keypair.fromRawEd25519Seed(
    Buffer.from('kassa fake horizon friendbot 001'.padEnd(32, '0').slice(0, 32), 'utf8'),
  );
}

/** A create_account from friendbot to `destination`, signed like any wallet's transaction. */
export function friendbotEnvelope(
  state: LedgerState,
  friendbot: Keypair,
  destination: string,
  networkPassphrase: string,
  now: Date,
): string {
  const source = state.accounts.get(friendbot.publicKey());
  if (!source) throw new Error('fake Horizon: friendbot account is missing');
  const tx = new TransactionBuilder(new Account(source.id, source.sequence.toString()), {
    fee: '100',
    networkPassphrase,
    timebounds: { minTime: 0, maxTime: Math.floor(now.getTime() / 1000) + 300 },
  })
    .addOperation(
      Operation.createAccount({ destination, startingBalance: formatAmount(FRIENDBOT_STARTING_BALANCE) }),
    )
    .build();
  tx.sign(friendbot);
  return tx.toXDR();
}
