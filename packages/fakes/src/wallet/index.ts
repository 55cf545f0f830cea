import { createServer } from 'node:http';
import { err, ok, type Result } from '../result';
import { Keypair, Memo, Networks } from '@stellar/stellar-sdk';
import { listen, readBody, urlHost } from '../http';
import type { FakeHorizon } from '../horizon';

/**
 * A test wallet for the offline demo: a funded account on the fake ledger (XLM, USDC, EURC) and a
 * page that pays any SEP-7 `pay` link from it, as a phone wallet would after scanning the QR code.
 */
export type FakeWallet = Readonly<{
  /** The page: `GET {url}/?uri=web%2Bstellar%3Apay…` shows the request and a Pay button. */
  url: string;
  accountId: string;
  /** Pays a SEP-7 `pay` link; resolves to the transaction hash. */
  pay(sep7Uri: string): Promise<Result<string, string>>;
  close(): Promise<void>;
}>;

export async function startFakeWallet(
  horizon: FakeHorizon,
  options: { host?: string; port?: number } = {},
): Promise<FakeWallet> {
  const key = Keypair.random();
  await horizon.friendbot(key.publicKey());
  for (const code of ['USDC', 'EURC'] as const) {
    horizon.trust(key.publicKey(), code, horizon.issuers[code]);
    await horizon.issue(key.publicKey(), code, '100000');
  }

  async function pay(uri: string): Promise<Result<string, string>> {
    try {
      const request = parsePayLink(uri, horizon.networkPassphrase);
      if (!request.ok) return request;
      return ok(await horizon.pay({ from: key, ...request.value }));
    } catch (error) {
      return err(error instanceof Error ? error.message : String(error));
    }
  }

  const host = options.host ?? '127.0.0.1';
  let walletOrigin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://wallet');
    const send = (status: number, body: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        'cache-control': 'no-store',
      });
      res.end(body);
    };
    if (req.method === 'GET' && url.pathname === '/') {
      return send(200, page(key.publicKey(), url.searchParams.get('uri') ?? '', null));
    }
    if (req.method === 'POST' && url.pathname === '/pay') {
      // Only its own page (or a script without a browser) may make it pay: no other site's form.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== walletOrigin)
        return send(403, '<p>Not from this wallet page</p>');
      void readBody(req).then(async (body) => {
        const uri = body.ok ? (new URLSearchParams(body.value).get('uri') ?? '') : '';
        const paid = await pay(uri);
        const wantsJson = (req.headers.accept ?? '').includes('application/json');
        if (wantsJson) {
          res.writeHead(paid.ok ? 200 : 400, { 'content-type': 'application/json' });
          res.end(JSON.stringify(paid.ok ? { hash: paid.value } : { error: paid.error }));
          return;
        }
        send(paid.ok ? 200 : 400, page(key.publicKey(), uri, paid));
      });
      return;
    }
    send(404, '<p>Not found</p>');
  });
  const port = await listen(server, options.port ?? 0, host, 'fake wallet');
  walletOrigin = `http://${urlHost(host)}:${port}`;
  return {
    url: walletOrigin,
    accountId: key.publicKey(),
    pay,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A new account on the fake ledger, funded with XLM and trusting the given test assets (a merchant's, say). */
export async function createTestAccount(
  horizon: FakeHorizon,
  trusts: readonly ('USDC' | 'EURC')[],
): Promise<string> {
  const key = Keypair.random();
  await horizon.friendbot(key.publicKey());
  for (const code of trusts) horizon.trust(key.publicKey(), code, horizon.issuers[code]);
  return key.publicKey();
}

type PayRequest = Readonly<{
  to: string;
  amount: string;
  assetCode?: string;
  assetIssuer?: string;
  memo?: Memo;
}>;

/** A SEP-7 `pay` link as a wallet reads it; one for another network is refused, as wallets do. */
export function parsePayLink(uri: string, networkPassphrase: string): Result<PayRequest, string> {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    return err('not a link');
  }
  if (url.protocol !== 'web+stellar:' || url.pathname !== 'pay') return err('not a SEP-7 pay link');
  const q = url.searchParams;
  const to = q.get('destination');
  const amount = q.get('amount');
  if (!to || !amount) return err('the link has no destination or no amount');
  if ((q.get('network_passphrase') ?? Networks.PUBLIC) !== networkPassphrase) {
    return err('the link is for another network');
  }
  const code = q.get('asset_code');
  const issuer = q.get('asset_issuer');
  const memo = q.get('memo');
  let parsedMemo: Memo | undefined;
  if (memo !== null) {
    switch (q.get('memo_type') ?? 'MEMO_TEXT') {
      case 'MEMO_ID':
        parsedMemo = Memo.id(memo);
        break;
      case 'MEMO_TEXT':
        parsedMemo = Memo.text(memo);
        break;
      case 'MEMO_HASH':
        parsedMemo = Memo.hash(Buffer.from(memo, 'base64'));
        break;
      case 'MEMO_RETURN':
        parsedMemo = Memo.return(Buffer.from(memo, 'base64'));
        break;
      default:
        return err('unknown memo_type');
    }
  }
  return ok({
    to,
    amount,
    ...(code ? { assetCode: code } : {}),
    ...(issuer ? { assetIssuer: issuer } : {}),
    ...(parsedMemo ? { memo: parsedMemo } : {}),
  });
}

function page(account: string, uri: string, result: Result<string, string> | null): string {
  const outcome = !result
    ? ''
    : result.ok
      ? `<p role="status">Paid. Transaction <code>${escape(result.value)}</code></p>`
      : `<p role="alert">Not paid: ${escape(result.error)}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Test wallet</title><style>body{font:16px system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem}
textarea{width:100%;min-height:8rem;font:13px monospace}button{font:inherit;padding:.5rem 1rem}</style></head>
<body><h1>Test wallet</h1><p>Account <code>${escape(account)}</code> on the fake ledger (offline demo).</p>
${outcome}<form method="post" action="/pay"><label for="uri">Payment link (web+stellar:pay…)</label>
<textarea id="uri" name="uri" required>${escape(uri)}</textarea><p><button type="submit">Pay</button></p></form></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
