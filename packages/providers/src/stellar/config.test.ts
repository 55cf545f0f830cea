import { Keypair, Networks } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { StellarEnv, stellarConfig } from './config';

const account = Keypair.random().publicKey();
const secret = Keypair.random().secret();

describe('Stellar configuration', () => {
  it('follows the gateway: testnet for test, the public network for live, SDF Horizon unless told', () => {
    expect(
      stellarConfig({ STELLAR_RECEIVING_ACCOUNT: account }, 'test', 'http://127.0.0.1:3000'),
    ).toMatchObject({
      ok: true,
      value: {
        network: 'testnet',
        mode: 'test',
        networkPassphrase: Networks.TESTNET,
        horizonUrl: 'https://horizon-testnet.stellar.org',
        signing: null,
      },
    });
    expect(
      stellarConfig({ STELLAR_RECEIVING_ACCOUNT: account }, 'live', 'https://pay.shop.example'),
    ).toMatchObject({
      ok: true,
      value: {
        network: 'public',
        mode: 'live',
        networkPassphrase: Networks.PUBLIC,
        horizonUrl: 'https://horizon.stellar.org',
      },
    });
    expect(stellarConfig({}, 'test', 'http://127.0.0.1')).toEqual({ ok: true, value: null });
  });

  it('refuses the public network in a test gateway and testnet in a live one, and half a configuration', () => {
    expect(
      stellarConfig({ STELLAR_RECEIVING_ACCOUNT: account, STELLAR_NETWORK: 'public' }, 'test', 'http://x'),
    ).toMatchObject({ ok: false });
    expect(
      stellarConfig(
        { STELLAR_RECEIVING_ACCOUNT: account, STELLAR_NETWORK: 'testnet' },
        'live',
        'https://x.example',
      ),
    ).toMatchObject({ ok: false });
    expect(stellarConfig({ HORIZON_URL: 'http://127.0.0.1:8000' }, 'test', 'http://x')).toMatchObject({
      ok: false,
    });
  });

  it('signs SEP-7 links for the public URL’s domain only, where stellar.toml is served', () => {
    const signed = stellarConfig(
      { STELLAR_RECEIVING_ACCOUNT: account, STELLAR_SIGNING_SECRET: secret },
      'test',
      'https://pay.shop.example',
    );
    expect(signed).toMatchObject({
      ok: true,
      value: {
        signing: { originDomain: 'pay.shop.example', publicKey: Keypair.fromSecret(secret).publicKey() },
      },
    });
    expect(
      stellarConfig(
        { STELLAR_RECEIVING_ACCOUNT: account, STELLAR_SIGNING_SECRET: secret },
        'test',
        'http://127.0.0.1:3000',
      ),
    ).toMatchObject({ ok: false });
  });

  it('parses the environment with clear refusals for a bad account or seed', () => {
    expect(StellarEnv.safeParse({ STELLAR_RECEIVING_ACCOUNT: 'GABC' }).success).toBe(false);
    expect(StellarEnv.safeParse({ STELLAR_SIGNING_SECRET: account }).success).toBe(false);
    expect(StellarEnv.safeParse({ STELLAR_NETWORK: 'mainnet' }).success).toBe(false);
    expect(
      StellarEnv.safeParse({ STELLAR_RECEIVING_ACCOUNT: account, STELLAR_NETWORK: 'public' }).success,
    ).toBe(true);
  });
});
