import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

describe('configuration at start', () => {
  it('a bad environment fails with one sentence per key, never echoing a value', () => {
    const secret = 'sk_nope_THIS-IS-SECRET';
    let message = '';
    try {
      parseEnv({
        PORT: 'eighty',
        KASSA_MODE: 'prod',
        STRIPE_SECRET_KEY: secret,
        STRIPE_WEBHOOK_SECRET: 'whsec_a,nope',
        HORIZON_URL: 'ftp://horizon.example',
        DEMO_SITE_PORT: '70000',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        'invalid configuration:',
        '  PORT must be a number',
        "  KASSA_MODE must be one of 'test', 'live'",
        '  STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_test_…, sk_live_…)',
        '  STRIPE_WEBHOOK_SECRET[1] must be a whsec_… secret',
        '  HORIZON_URL must be an http or https URL',
        '  DEMO_SITE_PORT must be at most 65535',
      ].join('\n'),
    );
    expect(message).not.toContain(secret);
  });

  it('an empty environment is the demo’s defaults', () => {
    expect(parseEnv({})).toMatchObject({ PORT: 3000, KASSA_MODE: 'test', KASSA_DATA_DIR: '.kassa' });
  });
});
