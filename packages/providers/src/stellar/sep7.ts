import { assertNever, InvariantError } from '@kassa/core';
import { Keypair, Networks, StrKey } from '@stellar/stellar-sdk';

// SEP-7 `pay` requests (stellar-protocol ecosystem/sep-0007.md): build, sign, verify. Pure.

export type Sep7MemoType = 'MEMO_TEXT' | 'MEMO_ID' | 'MEMO_HASH' | 'MEMO_RETURN';

export type Sep7PayRequest = Readonly<{
  destination: string;
  /** Decimal string, up to 7 decimals, emitted exactly as given. Omitted: the payer chooses. */
  amount?: string;
  /** Omitted: XLM. */
  assetCode?: string;
  assetIssuer?: string;
  /** Text (<= 28 UTF-8 bytes), uint64 decimal (id), or base64 of 32 bytes (hash/return). */
  memo?: string;
  /** Defaults to MEMO_TEXT when a memo is given; always emitted so wallets need not guess. */
  memoType?: Sep7MemoType;
  /** Shown in the wallet only, never on chain; <= 300 characters before encoding. */
  msg?: string;
  /** Omitted from the URI when it is the public network's. */
  networkPassphrase?: string;
  /** An https URL; the wallet POSTs the signed XDR there instead of submitting it. */
  callback?: string;
  originDomain?: string;
}>;

export type Sep7ErrorCode =
  | 'bad_destination'
  | 'bad_asset'
  | 'bad_amount'
  | 'bad_memo'
  | 'bad_msg'
  | 'bad_network_passphrase'
  | 'bad_callback'
  | 'bad_origin_domain'
  | 'bad_signer';

/** The caller built an impossible request: a bug, so it throws. */
export class Sep7InputError extends InvariantError {
  override readonly name: string = 'Sep7InputError';
  constructor(
    readonly code: Sep7ErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const SCHEME_PAY = 'web+stellar:pay?';
const PUBLIC_PASSPHRASE: string = Networks.PUBLIC;
const SIGNATURE_PARAM = '&signature=';
const SIGNATURE_PREFIX = Buffer.concat([
  Buffer.alloc(35, 0),
  Buffer.from([4]),
  Buffer.from('stellar.sep.7 - URI Scheme', 'ascii'),
]);
const MAX_TEXT_MEMO_BYTES = 28;
const MAX_MSG_CHARS = 300;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_INT64_STROOPS = 2n ** 63n - 1n;
// A lone surrogate cannot be UTF-8 encoded (encodeURIComponent throws on it).
const LONE_SURROGATE = /\p{Cs}/u;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`);

/**
 * `web+stellar:pay?…` with parameters in a fixed order, values encodeURIComponent-encoded (`%20`
 * for a space, `%3A` for `:`, as in the spec's examples). With a signer, `origin_domain` is
 * required and `signature` is appended last.
 */
export function buildSep7PayUri(req: Sep7PayRequest, signer?: { secret: string } | null): string {
  const params: [string, string][] = [['destination', checkAccount(req.destination, 'bad_destination')]];
  if (req.amount !== undefined) params.push(['amount', checkAmount(req.amount)]);
  if (req.assetCode !== undefined || req.assetIssuer !== undefined) {
    const code = req.assetCode ?? '';
    if (!/^[A-Za-z0-9]{1,12}$/.test(code)) fail('bad_asset', 'asset code must be 1-12 alphanumerics');
    if (req.assetIssuer === undefined) fail('bad_asset', 'asset code without issuer');
    params.push(['asset_code', code], ['asset_issuer', checkAccount(req.assetIssuer, 'bad_asset')]);
  }
  if (req.memo !== undefined) {
    const memoType = req.memoType ?? 'MEMO_TEXT';
    params.push(['memo', checkMemo(req.memo, memoType)], ['memo_type', memoType]);
  } else if (req.memoType !== undefined) {
    fail('bad_memo', 'memo type without memo');
  }
  if (req.callback !== undefined) params.push(['callback', `url:${checkCallback(req.callback)}`]);
  if (req.msg !== undefined) params.push(['msg', checkMsg(req.msg)]);
  if (req.networkPassphrase !== undefined && req.networkPassphrase !== PUBLIC_PASSPHRASE) {
    if (req.networkPassphrase === '' || LONE_SURROGATE.test(req.networkPassphrase)) {
      fail('bad_network_passphrase', 'empty or not valid Unicode');
    }
    params.push(['network_passphrase', req.networkPassphrase]);
  }
  if (req.originDomain !== undefined) params.push(['origin_domain', checkDomain(req.originDomain)]);

  const uri = SCHEME_PAY + params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  if (!signer) return uri;
  if (req.originDomain === undefined) fail('bad_origin_domain', 'signing requires origin_domain');
  let keypair: Keypair;
  try {
    keypair = Keypair.fromSecret(signer.secret);
  } catch {
    fail('bad_signer', 'not a Stellar secret seed');
  }
  // The SDK returns a plain Uint8Array at run time, whatever its types say.
  const signature = Buffer.from(keypair.sign(sep7SignaturePayload(uri))).toString('base64');
  return `${uri}${SIGNATURE_PARAM}${encodeURIComponent(signature)}`;
}

/**
 * The bytes a SEP-7 signature covers: 35 zero bytes, 0x04, `stellar.sep.7 - URI Scheme`, then the
 * URI exactly as emitted (still encoded). Signed raw with Ed25519: the spec says "hash", but its
 * test vector only verifies without one.
 */
export function sep7SignaturePayload(uriWithoutSignature: string): Buffer {
  if (uriWithoutSignature.includes(SIGNATURE_PARAM)) {
    throw new InvariantError('SEP-7 payload must exclude the signature parameter');
  }
  return Buffer.concat([SIGNATURE_PREFIX, Buffer.from(uriWithoutSignature, 'utf8')]);
}

/**
 * True when `uri` ends in `&signature=…` made by `publicKey` (the origin domain's
 * URI_REQUEST_SIGNING_KEY) over everything before it. The signature must be in the exact form
 * the builder emits, so no re-encoding of it passes either.
 */
export function verifySep7Signature(uri: string, publicKey: string): boolean {
  if (!StrKey.isValidEd25519PublicKey(publicKey)) {
    throw new InvariantError('SEP-7 signing key is not a G... public key');
  }
  const at = uri.indexOf(SIGNATURE_PARAM);
  if (at < 0) return false;
  const encoded = uri.slice(at + SIGNATURE_PARAM.length);
  let base64: string;
  try {
    base64 = decodeURIComponent(encoded);
  } catch {
    return false;
  }
  const signature = Buffer.from(base64, 'base64');
  // Buffer's base64 decoder is lenient (padding bits, junk): insist on the canonical form.
  if (signature.length !== 64 || encodeURIComponent(signature.toString('base64')) !== encoded) {
    return false;
  }
  return Keypair.fromPublicKey(publicKey).verify(sep7SignaturePayload(uri.slice(0, at)), signature);
}

function fail(code: Sep7ErrorCode, message: string): never {
  throw new Sep7InputError(code, message);
}

function checkAccount(account: string, code: Sep7ErrorCode): string {
  if (!StrKey.isValidEd25519PublicKey(account)) fail(code, 'not a G... account');
  return account;
}

function checkAmount(amount: string): string {
  const match = /^(\d+)(?:\.(\d{1,7}))?$/.exec(amount);
  if (!match) fail('bad_amount', 'not a decimal with at most 7 places');
  const stroops = BigInt(match[1] ?? '0') * 10_000_000n + BigInt((match[2] ?? '').padEnd(7, '0'));
  // Amounts are int64 stroops on chain.
  if (stroops <= 0n || stroops > MAX_INT64_STROOPS) fail('bad_amount', 'not a positive int64 of stroops');
  return amount;
}

function checkMemo(memo: string, memoType: Sep7MemoType): string {
  switch (memoType) {
    case 'MEMO_TEXT':
      if (memo === '' || LONE_SURROGATE.test(memo)) fail('bad_memo', 'empty or not valid Unicode');
      if (Buffer.byteLength(memo, 'utf8') > MAX_TEXT_MEMO_BYTES) fail('bad_memo', 'text memo over 28 bytes');
      return memo;
    case 'MEMO_ID':
      // Canonical decimal only, so the URI shows the id exactly as Horizon will render it.
      if (!/^(0|[1-9]\d*)$/.test(memo) || BigInt(memo) > MAX_UINT64) fail('bad_memo', 'id memo not a uint64');
      return memo;
    case 'MEMO_HASH':
    case 'MEMO_RETURN': {
      // Buffer's base64 decoder is lenient: only the canonical, padded form round-trips.
      const bytes = Buffer.from(memo, 'base64');
      if (bytes.length !== 32 || bytes.toString('base64') !== memo) {
        fail('bad_memo', 'hash/return memo not base64 of 32 bytes');
      }
      return memo;
    }
    default:
      return assertNever(memoType, 'memo type');
  }
}

function checkMsg(msg: string): string {
  // Counted in UTF-16 units, as JS wallets count: the stricter reading of "characters".
  if (msg === '' || msg.length > MAX_MSG_CHARS || LONE_SURROGATE.test(msg)) {
    fail('bad_msg', 'msg empty, over 300 characters or not valid Unicode');
  }
  return msg;
}

function checkCallback(callback: string): string {
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    fail('bad_callback', 'not a URL');
  }
  if (url.protocol !== 'https:') fail('bad_callback', 'callback must be https');
  return callback;
}

function checkDomain(domain: string): string {
  if (domain.length > 253 || !DOMAIN.test(domain)) {
    fail('bad_origin_domain', 'not a fully qualified domain name');
  }
  return domain;
}
