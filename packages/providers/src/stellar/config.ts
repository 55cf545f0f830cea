import { err, ok, type Mode, type Result } from '@kassa/core';
import { Keypair, Networks, StrKey } from '@stellar/stellar-sdk';
import { z } from 'zod';

/** A Stellar account id (G…, with a valid checksum). */
export function isStellarAccount(value: string): boolean {
  return StrKey.isValidEd25519PublicKey(value);
}

/** The Stellar rail's settings, from the environment. Absent receiving account = no Stellar rail. */
export const StellarEnv = z.object({
  STELLAR_NETWORK: z.enum(['testnet', 'public']).optional(),
  /** Absent = SDF's Horizon for the network; the demo and tests point it at the fake. */
  HORIZON_URL: z.url({ protocol: /^https?$/ }).optional(),
  STELLAR_RECEIVING_ACCOUNT: z
    .string()
    .refine((s) => StrKey.isValidEd25519PublicKey(s), 'a Stellar account id (G…)')
    .optional(),
  /** Signs SEP-7 links; its public key goes in stellar.toml as URI_REQUEST_SIGNING_KEY. */
  STELLAR_SIGNING_SECRET: z
    .string()
    .refine((s) => StrKey.isValidEd25519SecretSeed(s), 'a Stellar secret seed (S…)')
    .optional(),
});
export type StellarEnv = z.infer<typeof StellarEnv>;

export type StellarNetwork = 'testnet' | 'public';

export type StellarConfig = Readonly<{
  network: StellarNetwork;
  /** Test payments go to testnet, live ones to the public network. */
  mode: Mode;
  networkPassphrase: string;
  horizonUrl: string;
  receivingAccount: string;
  /** SEP-7 signing: the secret, and the domain whose stellar.toml publishes its public key. */
  signing: Readonly<{ secret: string; publicKey: string; originDomain: string }> | null;
}>;

const SDF_HORIZON: Readonly<Record<StellarNetwork, string>> = {
  testnet: 'https://horizon-testnet.stellar.org',
  public: 'https://horizon.stellar.org',
};

/**
 * The Stellar rail's configuration, or null when no receiving account is set. The network follows
 * the gateway's mode unless set: a test gateway never watches the public network, and a live one
 * never testnet. `originDomain` is the host of Kassa's public URL, which serves stellar.toml.
 */
export function stellarConfig(
  env: StellarEnv,
  gatewayMode: Mode,
  publicUrl: string,
): Result<StellarConfig | null, string> {
  if (!env.STELLAR_RECEIVING_ACCOUNT) {
    return env.HORIZON_URL || env.STELLAR_SIGNING_SECRET
      ? err('HORIZON_URL or STELLAR_SIGNING_SECRET is set without STELLAR_RECEIVING_ACCOUNT')
      : ok(null);
  }
  const network = env.STELLAR_NETWORK ?? (gatewayMode === 'live' ? 'public' : 'testnet');
  if (gatewayMode === 'test' && network === 'public') {
    return err('STELLAR_NETWORK is public but KASSA_MODE is test: a test gateway uses testnet');
  }
  if (gatewayMode === 'live' && network === 'testnet') {
    return err('STELLAR_NETWORK is testnet but KASSA_MODE is live: live payments need the public network');
  }
  const horizonUrl = (env.HORIZON_URL ?? SDF_HORIZON[network]).replace(/\/+$/, '');
  const originDomain = new URL(publicUrl).hostname;
  // Wallets check a signed link against https://<origin_domain>/.well-known/stellar.toml.
  if (env.STELLAR_SIGNING_SECRET && !/^([a-z0-9-]+\.)+[a-z]{2,}$/i.test(originDomain)) {
    return err('STELLAR_SIGNING_SECRET needs KASSA_PUBLIC_URL on a domain name (it serves stellar.toml)');
  }
  const signing = env.STELLAR_SIGNING_SECRET
    ? {
        secret: env.STELLAR_SIGNING_SECRET,
        publicKey: Keypair.fromSecret(env.STELLAR_SIGNING_SECRET).publicKey(),
        originDomain,
      }
    : null;
  return ok({
    network,
    mode: network === 'public' ? 'live' : 'test',
    networkPassphrase: network === 'public' ? Networks.PUBLIC : Networks.TESTNET,
    horizonUrl,
    receivingAccount: env.STELLAR_RECEIVING_ACCOUNT,
    signing,
  });
}
