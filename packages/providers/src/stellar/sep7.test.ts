import { createRequire } from 'node:module';
import { Keypair, Networks, StrKey } from '@stellar/stellar-sdk';
import type * as WalletSdk from '@stellar/typescript-wallet-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSep7PayUri,
  Sep7InputError,
  sep7SignaturePayload,
  verifySep7Signature,
  type Sep7ErrorCode,
  type Sep7MemoType,
  type Sep7PayRequest,
} from './sep7';

// The independent parser: SDF's wallet SDK. Its webpack bundle hides the named exports from
// Node's ESM loader, so it is required as CommonJS.
const {
  parseSep7Uri,
  Sep7Pay,
  Keypair: WalletKeypair,
} = createRequire(import.meta.url)('@stellar/typescript-wallet-sdk') as typeof WalletSdk;

// Copied from the shared fixtures (fixtures/stellar/sep7.signing-example.json, sep7.uris.txt)
// and the two `pay` examples of sep-0007.md.
const SPEC_VECTOR = {
  secret: 'SBPOVRVKTTV7W3IOX2FJPSMPCJ5L2WU2YKTP3HCLYPXNI5MDIGREVNYC',
  unsignedUri:
    'web+stellar:pay?destination=GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO&amount=120.1234567&memo=skdjfasf&memo_type=MEMO_TEXT&msg=pay%20me%20with%20lumens&origin_domain=someDomain.com',
  signatureBase64: 'tbsLtlK/fouvRWk2UWFP47yHYeI1g1NEC/fEQvuXG6V8P+beLxplYbOVtTk1g94Wp97cHZ3pVJy/tZNYobl3Cw==',
  signedUri:
    'web+stellar:pay?destination=GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO&amount=120.1234567&memo=skdjfasf&memo_type=MEMO_TEXT&msg=pay%20me%20with%20lumens&origin_domain=someDomain.com&signature=tbsLtlK%2FfouvRWk2UWFP47yHYeI1g1NEC%2FfEQvuXG6V8P%2BbeLxplYbOVtTk1g94Wp97cHZ3pVJy%2FtZNYobl3Cw%3D%3D',
};
const FIXTURE_SIGNER = {
  publicKey: 'GD6ROJBYLKQMOW3E7N4M2YBPUHMZD7PL65VRHRMO24BOVSBV5H3BQRSL',
  secret: 'SAEQSCIJBEEQSCIJBEEQSCIJBEEQSCIJBEEQSCIJBEEQSCIJBEEQTDMN',
};
const MERCHANT = 'GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR';
const USDC_ISSUER = 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN';

type Example = Readonly<{ name: string; req: Sep7PayRequest; signer?: { secret: string }; uri: string }>;

// sep7.uris.txt's fourth line is a `tx` URI, which this builder does not make. The examples'
// parameter order is already the builder's, so each is reproduced byte for byte.
const EXAMPLES: readonly Example[] = [
  {
    name: 'fixture 1: XLM, MEMO_ID, msg',
    req: {
      destination: MERCHANT,
      amount: '25.5',
      memo: '4102876531',
      memoType: 'MEMO_ID',
      msg: 'Order A-1042 at Example Shop',
    },
    uri: 'web+stellar:pay?destination=GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR&amount=25.5&memo=4102876531&memo_type=MEMO_ID&msg=Order%20A-1042%20at%20Example%20Shop',
  },
  {
    name: 'fixture 2: USDC, MEMO_TEXT, callback, signed',
    req: {
      destination: MERCHANT,
      amount: '19.99',
      assetCode: 'USDC',
      assetIssuer: USDC_ISSUER,
      memo: 'kassa:inv_8R4KJ2',
      memoType: 'MEMO_TEXT',
      callback: 'https://kassa.example.com/stellar/sep7/inv_8R4KJ2',
      msg: 'Invoice inv_8R4KJ2 - 19.99 USDC',
      originDomain: 'kassa.example.com',
    },
    signer: { secret: FIXTURE_SIGNER.secret },
    uri: 'web+stellar:pay?destination=GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR&amount=19.99&asset_code=USDC&asset_issuer=GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN&memo=kassa%3Ainv_8R4KJ2&memo_type=MEMO_TEXT&callback=url%3Ahttps%3A%2F%2Fkassa.example.com%2Fstellar%2Fsep7%2Finv_8R4KJ2&msg=Invoice%20inv_8R4KJ2%20-%2019.99%20USDC&origin_domain=kassa.example.com&signature=a6zuoktPZAb9B7iH%2B%2Fnl66SeXD0DJrP34%2F1o2owndBCcHX1xZreYBtSOHXfI0jASULAFcRKSHrS432Nq0QOTBA%3D%3D',
  },
  {
    name: 'fixture 3: EURC on testnet',
    req: {
      destination: MERCHANT,
      amount: '10',
      assetCode: 'EURC',
      assetIssuer: 'GB3Q6QDZYTHWT7E5PVS3W7FUT5GVAFC5KSZFFLPU25GO7VTC3NM2ZTVO',
      memo: 'kassa:inv_9T5LK3',
      memoType: 'MEMO_TEXT',
      networkPassphrase: Networks.TESTNET,
    },
    uri: 'web+stellar:pay?destination=GCFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYOJR&amount=10&asset_code=EURC&asset_issuer=GB3Q6QDZYTHWT7E5PVS3W7FUT5GVAFC5KSZFFLPU25GO7VTC3NM2ZTVO&memo=kassa%3Ainv_9T5LK3&memo_type=MEMO_TEXT&network_passphrase=Test%20SDF%20Network%20%3B%20September%202015',
  },
  {
    name: 'spec pay example 1: lumens',
    req: {
      destination: 'GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO',
      amount: '120.1234567',
      memo: 'skdjfasf',
      memoType: 'MEMO_TEXT',
      msg: 'pay me with lumens',
    },
    uri: 'web+stellar:pay?destination=GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO&amount=120.1234567&memo=skdjfasf&memo_type=MEMO_TEXT&msg=pay%20me%20with%20lumens',
  },
  {
    name: 'spec pay example 2: asset and callback with a query',
    req: {
      destination: 'GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO',
      amount: '120.123',
      assetCode: 'USD',
      assetIssuer: 'GCRCUE2C5TBNIPYHMEP7NK5RWTT2WBSZ75CMARH7GDOHDDCQH3XANFOB',
      memo: 'hasysda987fs',
      memoType: 'MEMO_TEXT',
      callback: 'https://someSigningService.com/hasysda987fs?asset=USD',
    },
    uri: 'web+stellar:pay?destination=GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO&amount=120.123&asset_code=USD&asset_issuer=GCRCUE2C5TBNIPYHMEP7NK5RWTT2WBSZ75CMARH7GDOHDDCQH3XANFOB&memo=hasysda987fs&memo_type=MEMO_TEXT&callback=url%3Ahttps%3A%2F%2FsomeSigningService.com%2Fhasysda987fs%3Fasset%3DUSD',
  },
];

const SIGNATURE_PARAM = '&signature=';
const PUBLIC_PASSPHRASE: string = Networks.PUBLIC;

/** Parses with the wallet SDK and checks every field against the request it was built from. */
function expectParsedAs(uri: string, req: Sep7PayRequest): void {
  const parsed = parseSep7Uri(uri);
  if (!(parsed instanceof Sep7Pay)) throw new Error(`not a pay URI: ${uri}`);
  expect(parsed.destination).toBe(req.destination);
  expect(parsed.amount).toBe(req.amount);
  expect(parsed.assetCode).toBe(req.assetCode);
  expect(parsed.assetIssuer).toBe(req.assetIssuer);
  expect(parsed.memo).toBe(req.memo);
  expect(parsed.memoType).toBe(req.memo === undefined ? undefined : (req.memoType ?? 'MEMO_TEXT'));
  expect(parsed.callback).toBe(req.callback);
  expect(parsed.msg).toBe(req.msg);
  expect(parsed.networkPassphrase).toBe(req.networkPassphrase ?? Networks.PUBLIC);
  expect(parsed.originDomain).toBe(req.originDomain);
}

/** The wallet SDK signs the unsigned part itself, with its own bundled Stellar SDK. */
function walletSdkSignature(signedUri: string, secret: string): string {
  const unsigned = parseSep7Uri(signedUri.slice(0, signedUri.indexOf(SIGNATURE_PARAM)));
  return unsigned.addSignature(WalletKeypair.fromSecret(secret));
}

describe('SEP-7 spec test vector', () => {
  const req: Sep7PayRequest = {
    destination: 'GCALNQQBXAPZ2WIRSDDBMSTAKCUH5SG6U76YBFLQLIXJTF7FE5AX7AOO',
    amount: '120.1234567',
    memo: 'skdjfasf',
    memoType: 'MEMO_TEXT',
    msg: 'pay me with lumens',
    originDomain: 'someDomain.com',
  };

  it('builds the unsigned and the signed URI byte for byte', () => {
    expect(buildSep7PayUri(req)).toBe(SPEC_VECTOR.unsignedUri);
    expect(buildSep7PayUri(req, null)).toBe(SPEC_VECTOR.unsignedUri);
    expect(buildSep7PayUri(req, { secret: SPEC_VECTOR.secret })).toBe(SPEC_VECTOR.signedUri);
  });

  it('signs the raw payload, not a hash of it', () => {
    const payload = sep7SignaturePayload(SPEC_VECTOR.unsignedUri);
    expect(payload.subarray(0, 35).every((b) => b === 0)).toBe(true);
    expect(payload[35]).toBe(4);
    expect(payload.subarray(36).toString('utf8')).toBe(
      `stellar.sep.7 - URI Scheme${SPEC_VECTOR.unsignedUri}`,
    );
    const signature = Buffer.from(Keypair.fromSecret(SPEC_VECTOR.secret).sign(payload)).toString('base64');
    expect(signature).toBe(SPEC_VECTOR.signatureBase64);
  });

  it('verifies with the signer public key and no other', () => {
    const publicKey = Keypair.fromSecret(SPEC_VECTOR.secret).publicKey();
    expect(verifySep7Signature(SPEC_VECTOR.signedUri, publicKey)).toBe(true);
    expect(verifySep7Signature(SPEC_VECTOR.signedUri, FIXTURE_SIGNER.publicKey)).toBe(false);
    expect(verifySep7Signature(SPEC_VECTOR.unsignedUri, publicKey)).toBe(false);
  });

  it('agrees with the wallet SDK', () => {
    expectParsedAs(SPEC_VECTOR.signedUri, req);
    expect(parseSep7Uri(SPEC_VECTOR.signedUri).signature).toBe(SPEC_VECTOR.signatureBase64);
    expect(walletSdkSignature(SPEC_VECTOR.signedUri, SPEC_VECTOR.secret)).toBe(SPEC_VECTOR.signatureBase64);
  });
});

describe('example URIs', () => {
  it.each(EXAMPLES)('$name: rebuilt exactly, parsed back field by field', ({ req, signer, uri }) => {
    expect(buildSep7PayUri(req, signer)).toBe(uri);
    expectParsedAs(uri, req);
  });

  it('fixture 2 verifies against the URI_REQUEST_SIGNING_KEY', () => {
    const signed = EXAMPLES[1]?.uri ?? '';
    expect(verifySep7Signature(signed, FIXTURE_SIGNER.publicKey)).toBe(true);
    expect(walletSdkSignature(signed, FIXTURE_SIGNER.secret)).toBe(parseSep7Uri(signed).signature);
  });

  it('omits the public passphrase and keeps any other', () => {
    const uri = buildSep7PayUri({ destination: MERCHANT, networkPassphrase: Networks.PUBLIC });
    expect(uri).toBe(`web+stellar:pay?destination=${MERCHANT}`);
  });

  it('emits memo_type MEMO_TEXT when only a memo is given', () => {
    const uri = buildSep7PayUri({ destination: MERCHANT, memo: 'a b' });
    expect(uri).toBe(`web+stellar:pay?destination=${MERCHANT}&memo=a%20b&memo_type=MEMO_TEXT`);
  });

  it('encodes hash memos (base64) so + / = survive', () => {
    const memo = Buffer.alloc(32, 0xfb).toString('base64');
    const uri = buildSep7PayUri({ destination: MERCHANT, memo, memoType: 'MEMO_HASH' });
    expect(uri).toContain(
      `&memo=${memo.replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D')}&`,
    );
    expectParsedAs(uri, { destination: MERCHANT, memo, memoType: 'MEMO_HASH' });
  });
});

describe('verifySep7Signature rejects', () => {
  const signed = buildSep7PayUri(
    { destination: MERCHANT, amount: '1', originDomain: 'kassa.example.com' },
    { secret: FIXTURE_SIGNER.secret },
  );
  const encoded = signed.slice(signed.indexOf(SIGNATURE_PARAM) + SIGNATURE_PARAM.length);
  const unsigned = signed.slice(0, signed.indexOf(SIGNATURE_PARAM));

  // 64 bytes end in one byte + `==`: the last base64 digit carries 4 padding bits.
  const base64 = decodeURIComponent(encoded);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lastDigit = alphabet.indexOf(base64.at(-3) ?? '');
  const paddedDifferently = `${base64.slice(0, -3)}${alphabet[lastDigit ^ 1]}==`;

  it.each([
    [
      'lowercase hex escapes',
      `${unsigned}${SIGNATURE_PARAM}${encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`,
    ],
    ['non-zero padding bits', `${unsigned}${SIGNATURE_PARAM}${encodeURIComponent(paddedDifferently)}`],
    ['an unencoded signature', `${unsigned}${SIGNATURE_PARAM}${decodeURIComponent(encoded)}`],
    ['a parameter after the signature', `${signed}&amount=2`],
    ['a malformed escape', `${signed}%E0`],
    ['a truncated signature', signed.slice(0, -6)],
  ])('%s', (_name, uri) => {
    expect(verifySep7Signature(uri, FIXTURE_SIGNER.publicKey)).toBe(false);
  });

  it('throws on a signing key that is not a public key (a configuration bug)', () => {
    expect(() => verifySep7Signature(signed, FIXTURE_SIGNER.secret)).toThrow();
  });
});

describe('invalid requests throw Sep7InputError', () => {
  const base: Sep7PayRequest = { destination: MERCHANT };
  const cases: readonly [string, Sep7PayRequest, Sep7ErrorCode, ({ secret: string } | undefined)?][] = [
    ['bad destination checksum', { destination: `${MERCHANT.slice(0, -1)}A` }, 'bad_destination'],
    ['secret as destination', { destination: FIXTURE_SIGNER.secret }, 'bad_destination'],
    [
      'bad issuer',
      { ...base, assetCode: 'USDC', assetIssuer: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVM' },
      'bad_asset',
    ],
    ['code without issuer', { ...base, assetCode: 'USDC' }, 'bad_asset'],
    ['issuer without code', { ...base, assetIssuer: USDC_ISSUER }, 'bad_asset'],
    ['13-character code', { ...base, assetCode: 'ABCDEFGHIJKLM', assetIssuer: USDC_ISSUER }, 'bad_asset'],
    ['29-byte text memo', { ...base, memo: 'x'.repeat(29), memoType: 'MEMO_TEXT' }, 'bad_memo'],
    ['28 bytes plus one multi-byte character', { ...base, memo: `${'x'.repeat(27)}é` }, 'bad_memo'],
    ['empty memo', { ...base, memo: '' }, 'bad_memo'],
    ['lone surrogate memo', { ...base, memo: '\uD800' }, 'bad_memo'],
    ['id memo 2^64', { ...base, memo: (2n ** 64n).toString(), memoType: 'MEMO_ID' }, 'bad_memo'],
    ['negative id memo', { ...base, memo: '-1', memoType: 'MEMO_ID' }, 'bad_memo'],
    ['id memo with leading zero', { ...base, memo: '01', memoType: 'MEMO_ID' }, 'bad_memo'],
    [
      '31-byte hash memo',
      { ...base, memo: Buffer.alloc(31).toString('base64'), memoType: 'MEMO_HASH' },
      'bad_memo',
    ],
    [
      '33-byte hash memo (44 base64 digits too)',
      { ...base, memo: Buffer.alloc(33).toString('base64'), memoType: 'MEMO_HASH' },
      'bad_memo',
    ],
    [
      'unpadded return memo',
      { ...base, memo: Buffer.alloc(32).toString('base64').replace('=', ''), memoType: 'MEMO_RETURN' },
      'bad_memo',
    ],
    ['memo type without memo', { ...base, memoType: 'MEMO_ID' }, 'bad_memo'],
    ['negative amount', { ...base, amount: '-1' }, 'bad_amount'],
    ['zero amount', { ...base, amount: '0.0000000' }, 'bad_amount'],
    ['8 decimals', { ...base, amount: '1.00000001' }, 'bad_amount'],
    ['exponent', { ...base, amount: '1e3' }, 'bad_amount'],
    ['over int64 stroops', { ...base, amount: '922337203685.4775808' }, 'bad_amount'],
    ['301-character msg', { ...base, msg: 'm'.repeat(301) }, 'bad_msg'],
    ['http callback', { ...base, callback: 'http://kassa.example.com/cb' }, 'bad_callback'],
    ['callback already prefixed', { ...base, callback: 'url:https://kassa.example.com/cb' }, 'bad_callback'],
    ['origin domain with a path', { ...base, originDomain: 'kassa.example.com/x' }, 'bad_origin_domain'],
    ['signing without origin_domain', base, 'bad_origin_domain', { secret: FIXTURE_SIGNER.secret }],
    [
      'signing with a public key',
      { ...base, originDomain: 'kassa.example.com' },
      'bad_signer',
      { secret: FIXTURE_SIGNER.publicKey },
    ],
  ];

  it.each(cases)('%s', (_name, req, code, signer) => {
    expect(() => buildSep7PayUri(req, signer)).toThrow(Sep7InputError);
    expect(() => buildSep7PayUri(req, signer)).toThrow(expect.objectContaining({ code }));
  });

  it('accepts the limits themselves', () => {
    const ok: Sep7PayRequest[] = [
      { ...base, memo: 'x'.repeat(28) },
      { ...base, memo: `${'x'.repeat(26)}é` },
      { ...base, memo: (2n ** 64n - 1n).toString(), memoType: 'MEMO_ID' },
      { ...base, amount: '0.0000001' },
      { ...base, amount: '922337203685.4775807' },
      { ...base, msg: '😀'.repeat(150) },
    ];
    for (const req of ok) expectParsedAs(buildSep7PayUri(req), req);
  });
});

describe('properties', () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));
  const account = bytes32.map((b) => StrKey.encodeEd25519PublicKey(b));
  const signerKey = bytes32.map((b) => Keypair.fromRawEd25519Seed(b));
  // Characters a careless encoder gets wrong: query delimiters, `+` (a space to form decoders),
  // `%`, a pre-encoded-looking `%20`, and multi-byte UTF-8.
  const tricky = fc.constantFrom(
    ' ',
    '&',
    '=',
    '%',
    '+',
    '#',
    '?',
    '/',
    ':',
    ';',
    '%20',
    '&signature=',
    "'",
    '(',
    '!',
    '*',
    '~',
    '\n',
    'é',
    '€',
    '😀',
  );
  const textOf = (maxLength: number) =>
    fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength }),
      fc
        .array(fc.oneof(tricky, fc.string({ unit: 'grapheme-ascii', maxLength: 3 })), {
          minLength: 1,
          maxLength,
        })
        .map((parts) => parts.join('')),
    );
  const textMemo = textOf(28).filter((m) => m !== '' && Buffer.byteLength(m, 'utf8') <= 28);
  type MemoFields = Pick<Sep7PayRequest, 'memo' | 'memoType'>;
  const memo = fc.oneof<fc.Arbitrary<MemoFields>[]>(
    textMemo.map((m) => ({ memo: m, memoType: 'MEMO_TEXT' })),
    textMemo.map((m) => ({ memo: m })),
    fc.bigInt(0n, 2n ** 64n - 1n).map((n) => ({ memo: n.toString(), memoType: 'MEMO_ID' })),
    fc
      .tuple(fc.constantFrom<Sep7MemoType>('MEMO_HASH', 'MEMO_RETURN'), bytes32)
      .map(([memoType, b]) => ({ memo: b.toString('base64'), memoType })),
  );
  const amount = fc.tuple(fc.bigInt(1n, 2n ** 63n - 1n), fc.boolean()).map(([stroops, trim]) => {
    const fraction = (stroops % 10_000_000n).toString().padStart(7, '0');
    const shown = trim ? fraction.replace(/0+$/, '') : fraction;
    const whole = (stroops / 10_000_000n).toString();
    return shown === '' ? whole : `${whole}.${shown}`;
  });
  const msg = textOf(300).filter((m) => m !== '' && m.length <= 300);
  const request = fc
    .tuple(
      fc.record(
        {
          destination: account,
          amount,
          msg,
          networkPassphrase: fc.constantFrom(
            Networks.PUBLIC,
            Networks.TESTNET,
            'Standalone Network ; February 2017',
          ),
          callback: fc.constantFrom(
            'https://kassa.example.com/stellar/sep7/inv_1',
            'https://kassa.example.com/cb?a=1&b=c%20d#frag',
          ),
          originDomain: fc.constantFrom('kassa.example.com', 'someDomain.com', 'pay.shop-1.example.co.uk'),
        },
        { requiredKeys: ['destination', 'originDomain'] },
      ),
      fc.option(fc.record({ assetCode: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), assetIssuer: account }), {
        nil: undefined,
      }),
      fc.option(memo, { nil: undefined }),
    )
    .map(([fields, asset, memoFields]): Sep7PayRequest => ({ ...fields, ...asset, ...memoFields }));

  it('build → parse round-trips every field, and the signature verifies', () => {
    fc.assert(
      fc.property(request, signerKey, (req, key) => {
        const uri = buildSep7PayUri(req, { secret: key.secret() });
        expectParsedAs(uri, req);
        const keys = uri
          .slice(uri.indexOf('?') + 1)
          .split('&')
          .map((p) => p.slice(0, p.indexOf('=')));
        const order = [
          'destination',
          'amount',
          'asset_code',
          'asset_issuer',
          'memo',
          'memo_type',
          'callback',
          'msg',
          'network_passphrase',
          'origin_domain',
          'signature',
        ];
        expect(keys).toEqual(order.filter((k) => keys.includes(k)));
        expect(keys.includes('network_passphrase')).toBe(
          (req.networkPassphrase ?? PUBLIC_PASSPHRASE) !== PUBLIC_PASSPHRASE,
        );
        expect(verifySep7Signature(uri, key.publicKey())).toBe(true);
        expect(walletSdkSignature(uri, key.secret())).toBe(parseSep7Uri(uri).signature);
      }),
      { numRuns: 200 },
    );
  });

  it('changing any one character of a signed URI breaks verification', () => {
    fc.assert(
      fc.property(
        request,
        signerKey,
        fc.nat(),
        fc.integer({ min: 0x21, max: 0x7e }),
        (req, key, at, code) => {
          const uri = buildSep7PayUri(req, { secret: key.secret() });
          const index = at % uri.length;
          const replacement = String.fromCharCode(code);
          fc.pre(uri[index] !== replacement);
          const tampered = uri.slice(0, index) + replacement + uri.slice(index + 1);
          expect(verifySep7Signature(tampered, key.publicKey())).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
