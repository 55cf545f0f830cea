import type { StellarConfig } from '@kassa/providers';
import { startFakeHorizon, type FakeHorizon } from '@kassa/fakes/horizon';
import { createTestAccount, startFakeWallet, type FakeWallet } from '@kassa/fakes/wallet';

/**
 * The Stellar rail for the offline demo: the fake Horizon (a small testnet ledger), a receiving
 * account that trusts USDC and EURC, and a test wallet that pays SEP-7 links from a funded account.
 * The receiving account is new each run, since the fake ledger starts afresh each run too.
 */
export async function startDemoStellar(
  host: string,
  horizonPort: number,
  walletPort: number,
): Promise<{ horizon: FakeHorizon; wallet: FakeWallet; config: StellarConfig }> {
  const horizon = await startFakeHorizon({ host, port: horizonPort });
  const receivingAccount = await createTestAccount(horizon, ['USDC', 'EURC']);
  const wallet = await startFakeWallet(horizon, { host, port: walletPort });
  return {
    horizon,
    wallet,
    config: {
      network: 'testnet',
      mode: 'test',
      networkPassphrase: horizon.networkPassphrase,
      horizonUrl: horizon.url,
      receivingAccount,
      signing: null,
    },
  };
}
