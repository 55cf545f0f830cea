import { formatMinor } from './currencies';
import type { SessionRecord } from './records';

// The fake's stand-in for checkout.stripe.com: enough for a person (or a browser test) to pay,
// pay by bank debit, or decline. Everything shown comes from the merchant's request, so all of
// it is escaped.

export type HostedAction = 'pay' | 'pay-later' | 'decline';

export const HOSTED_ACTIONS: readonly HostedAction[] = ['pay', 'pay-later', 'decline'];

const BUTTONS: Readonly<Record<HostedAction, string>> = {
  pay: 'Pay',
  'pay-later': 'Pay later (bank debit)',
  decline: 'Decline',
};

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function checkoutPage(session: SessionRecord): string {
  const rows = session.lineItems
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.name)}</td><td class="n">${item.quantity} × ${escapeHtml(
          formatMinor(item.unitAmount, item.currency),
        )}</td><td class="n">${escapeHtml(formatMinor(item.unitAmount * item.quantity, item.currency))}</td></tr>`,
    )
    .join('\n');
  const base = `/c/pay/${encodeURIComponent(session.id)}`;
  const actions =
    session.status === 'open'
      ? HOSTED_ACTIONS.map(
          (action) =>
            `<form method="post" action="${escapeHtml(`${base}/${action}`)}"><button type="submit" name="action" value="${action}">${escapeHtml(BUTTONS[action])}</button></form>`,
        ).join('\n')
      : `<p class="closed">This checkout session is ${escapeHtml(session.status)}.</p>`;
  const reference = session.clientReferenceId
    ? `<p class="ref">Reference ${escapeHtml(session.clientReferenceId)}</p>`
    : '';
  return page(
    `Pay ${formatMinor(session.amountTotal, session.currency)}`,
    `<h1>${escapeHtml(formatMinor(session.amountTotal, session.currency))}</h1>
${reference}
<table>
${rows}
<tr class="total"><td>Total</td><td></td><td class="n">${escapeHtml(formatMinor(session.amountTotal, session.currency))}</td></tr>
</table>
<div class="actions">
${actions}
</div>
<p class="id">${escapeHtml(session.id)}</p>`,
  );
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · fake Stripe Checkout</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;background:#f6f9fc;color:#1a1f36;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 2px 8px #0002}
.badge{display:inline-block;background:#ffde92;color:#a04100;font-size:.75rem;font-weight:600;padding:.1rem .5rem;border-radius:4px}
table{width:100%;border-collapse:collapse;margin:1rem 0}td{padding:.3rem 0;border-bottom:1px solid #e3e8ee}
.n{text-align:right;white-space:nowrap}.total td{font-weight:600;border-bottom:0}
.actions form{margin:.5rem 0}button{width:100%;padding:.7rem;font-size:1rem;border:0;border-radius:6px;background:#635bff;color:#fff;cursor:pointer}
.actions form:nth-child(2) button{background:#0a2540}.actions form:nth-child(3) button{background:#df1b41}
.id,.ref{color:#697386;font-size:.8rem;word-break:break-all}
</style>
</head>
<body>
<main>
<span class="badge">TEST MODE · fake Stripe</span>
${body}
</main>
</body>
</html>
`;
}
