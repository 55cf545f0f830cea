import { createServer, type Server } from 'node:http';
import { KASSA_MESSAGE_TYPES } from '@kassa/client/embed/messages';

const CHECKOUT_ID = /^pay_[0-9A-Za-z]{1,40}$/;
// What the loader tells the page; its own height it keeps to itself.
const EVENTS = KASSA_MESSAGE_TYPES.filter((type) => type !== 'kassa:resize');

/**
 * A stand-in merchant page for the demo, on its own origin (`localhost`, another port): it embeds
 * a checkout with the one script tag a merchant adds, and lists the events the page hears.
 * `/?checkout=pay_…` picks the checkout; without it, the demo checkout.
 */
export function createDemoSite(options: {
  apiUrl: string;
  publishableKey: string;
  defaultCheckoutId: string | null;
}): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/') {
      res.statusCode = 404;
      return res.end('not found');
    }
    const asked = url.searchParams.get('checkout');
    const checkoutId = asked && CHECKOUT_ID.test(asked) ? asked : options.defaultCheckoutId;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(page(options.apiUrl, options.publishableKey, checkoutId));
  });
}

function page(apiUrl: string, publishableKey: string, checkoutId: string | null): string {
  // Every value here is ours (a checked id, a key, a URL from configuration), escaped all the same.
  const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const embed = checkoutId
    ? `<script src="${attr(apiUrl)}/widget/kassa.js" data-checkout="${attr(checkoutId)}" data-publishable-key="${attr(publishableKey)}"></script>`
    : '<p>No checkout to show: add <code>?checkout=pay_…</code> to the address.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Demo shop · embedded checkout</title>
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #fafafa; color: #222; }
  main { max-width: 40rem; margin: 0 auto; padding: 1rem 0.5rem; }
  h1 { font-size: 1.25rem; margin: 0 0 0.25rem; }
  p { margin: 0 0 1rem; color: #555; }
  #events { font: 14px/1.4 ui-monospace, monospace; }
</style>
</head>
<body>
<main>
<h1>Demo shop</h1>
<p>A merchant page on another origin, embedding the checkout with one script tag.</p>
<ol id="events" aria-label="Events this page heard"></ol>
<script>
  window.kassaEvents = [];
  const list = document.getElementById('events');
  for (const type of ${JSON.stringify(EVENTS)}) {
    document.addEventListener(type, (event) => {
      const status = event.detail && event.detail.status;
      window.kassaEvents.push({ type, status });
      const item = document.createElement('li');
      item.textContent = status ? type + ' (' + status + ')' : type;
      list.append(item);
    });
  }
</script>
${embed}
</main>
</body>
</html>
`;
}
