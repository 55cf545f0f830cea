import type { IncomingMessage, ServerResponse } from 'node:http';
import { err, type Result } from '../result';
import { header, readBody } from '../http';

// The offline demo's payer: a page on the fake SHKeeper where a person sends an invoice's address
// what the checkout asks, as a wallet would after scanning its QR code. No part of SHKeeper's API.

export const DEMO_SEND_PATH = '/demo/send';

export type DemoSend = Readonly<{
  /** The fake's own origin: the only page whose form may send. */
  origin: string;
  /** A payer's transaction to an invoice's address: the txid, or why not. May throw (`send` does). */
  send(address: string, amount: string): Result<string, string>;
}>;

// frame-ancestors as well: a framed page would post with the fake's own Origin.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** `GET /demo/send?address=&amount=`: the form, prefilled. `POST /demo/send`: sends. */
export function createDemoSendHandler(demo: DemoSend) {
  return async function handleDemoSend(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wantsJson = (header(req, 'accept') ?? '').includes('application/json');
    const answer = (status: number, form: Form, outcome: Result<string, string> | null) => {
      if (wantsJson && outcome) {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(outcome.ok ? { txid: outcome.value } : { error: outcome.error }));
        return;
      }
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
        ...(status === 405 ? { allow: 'GET, POST' } : {}),
      });
      res.end(page(form, outcome));
    };

    if (req.method === 'GET' || req.method === 'HEAD') {
      const query = new URL(req.url ?? '/', 'http://fake-shkeeper.invalid').searchParams;
      return answer(200, { address: query.get('address') ?? '', amount: query.get('amount') ?? '' }, null);
    }
    if (req.method !== 'POST') {
      return answer(405, EMPTY, err('Use GET for the form and POST to send.'));
    }
    // Only its own page (or a script, which sends no Origin) may make it send: no other site's form.
    const origin = header(req, 'origin');
    if (origin !== null && origin !== demo.origin) {
      const use = `${demo.origin}${DEMO_SEND_PATH}`;
      return answer(403, EMPTY, err(`A form on ${origin} cannot send from this page: use ${use}.`));
    }
    const body = await readBody(req);
    if (!body.ok) return answer(400, EMPTY, err(body.error));
    const fields = new URLSearchParams(body.value);
    const form = { address: fields.get('address') ?? '', amount: fields.get('amount') ?? '' };
    const sent = sendChecked(demo, form);
    answer(sent.ok ? 200 : 400, form, sent);
  };
}

type Form = Readonly<{ address: string; amount: string }>;
const EMPTY: Form = { address: '', amount: '' };

function sendChecked(demo: DemoSend, form: Form): Result<string, string> {
  const address = form.address.trim();
  const amount = form.amount.trim();
  if (address === '') return err('Enter the address of an invoice.');
  // Plain decimals only: the fake's own parser takes exponents, and 1e999999999 would not end.
  if (!/^\d{1,30}(\.\d{1,18})?$/.test(amount) || /^[0.]+$/.test(amount)) {
    return err(`"${amount}" is not an amount: write a positive number like 12.5.`);
  }
  try {
    return demo.send(address, amount);
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

function page(form: Form, outcome: Result<string, string> | null): string {
  const said = !outcome
    ? ''
    : outcome.ok
      ? `<p role="status">Sent. Transaction <code>${escape(outcome.value)}</code></p>`
      : `<p role="alert">Not sent: ${escape(outcome.error)}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Send (fake SHKeeper)</title><style>body{font:16px system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin-top:1rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;font:14px monospace}
button{margin-top:1rem;font:inherit;padding:.5rem 1rem}code{overflow-wrap:anywhere}</style></head>
<body><h1>Send to an invoice</h1><p>Plays the payer's wallet for the fake SHKeeper (offline demo): the token is the one of the address's invoice.</p>
${said}<form method="post" action="${DEMO_SEND_PATH}"><label for="address">Address</label>
<input id="address" name="address" required autocomplete="off" spellcheck="false" value="${escape(form.address)}">
<label for="amount">Amount</label><input id="amount" name="amount" required inputmode="decimal" autocomplete="off" value="${escape(form.amount)}">
<button type="submit">Send</button></form></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
