import { useCallback, useEffect, useRef, useState } from 'react';
import {
  FINAL_STATUSES,
  getCheckout,
  isNewerView,
  openCheckoutStream,
  simulateCheckout,
  type ApiError,
  type ApiResult,
  type CheckoutView,
  type SimulateOutcome,
} from './api';
import type { KassaConfig } from './config';
import { formatAmount, type Amount } from './format-amount';

const POLL_INTERVAL_MS = 2_000;
const SIMULATIONS: readonly { outcome: SimulateOutcome; label: string }[] = [
  { outcome: 'pay', label: 'Simulate payment' },
  { outcome: 'pay_part', label: 'Pay part' },
  { outcome: 'overpay', label: 'Overpay' },
  { outcome: 'fail', label: 'Fail' },
  { outcome: 'expire', label: 'Expire' },
];

type Simulate = (outcome: SimulateOutcome) => Promise<ApiResult<CheckoutView>>;
type Tone = 'waiting' | 'good' | 'bad';

export function App({ config }: { config: KassaConfig }) {
  const { checkout, pollError, simulate } = useLiveCheckout(config);
  const merchantName = checkout?.merchantName;
  useEffect(() => {
    if (merchantName) document.title = `Pay ${merchantName}`;
  }, [merchantName]);

  return <CheckoutPage checkout={checkout} pollError={pollError} simulate={simulate} />;
}

type CheckoutPageProps = {
  checkout: CheckoutView | null;
  pollError: ApiError | null;
  simulate: Simulate;
};

/** The page for one state of the checkout; `App` feeds it live data. */
export function CheckoutPage({ checkout, pollError, simulate }: CheckoutPageProps) {
  if (!checkout) {
    return (
      <main className="page">
        <div className="card">
          <p aria-live="polite">{pollError ? retryText(pollError) : 'Loading checkout…'}</p>
        </div>
      </main>
    );
  }

  const final = FINAL_STATUSES.has(checkout.status);
  const status = describeStatus(checkout);
  const paid = checkout.status === 'paid' || checkout.status === 'overpaid';
  const returnUrl = paid ? httpUrlOrNull(checkout.successUrl) : null;
  const sandbox = checkout.mode === 'test' && checkout.rails.includes('sandbox') && !final;

  return (
    <main className="page">
      <article className="card" aria-labelledby="merchant-name">
        <header className="card-header">
          <h1 id="merchant-name">{checkout.merchantName}</h1>
          {checkout.mode === 'test' && <span className="badge">Test mode</span>}
        </header>
        {checkout.description && <p className="muted">{checkout.description}</p>}

        {checkout.lineItems.length > 0 && (
          <ul className="items" aria-label="Items">
            {checkout.lineItems.map((item, index) => (
              <li className="row" key={index}>
                <span>
                  <span className="item-name">{item.name}</span>
                  <span className="item-detail muted small">
                    {item.quantity} × {money(item.unitAmount)}
                  </span>
                </span>
                <span className="amount">{money(item.amount)}</span>
              </li>
            ))}
          </ul>
        )}

        <dl className="totals">
          <div className="row total">
            <dt>Total due</dt>
            <dd className="amount">{money(checkout.amountDue)}</dd>
          </div>
          {(checkout.status === 'partially_paid' || checkout.status === 'overpaid') && (
            <div className="row">
              <dt>Received</dt>
              <dd className="amount">{money(checkout.amountReceived)}</dd>
            </div>
          )}
          {checkout.status === 'partially_paid' && (
            <div className="row">
              <dt>Still due</dt>
              <dd className="amount">{money(checkout.amountRemaining)}</dd>
            </div>
          )}
        </dl>

        <div className="status" data-tone={status.tone} aria-live="polite">
          <span className="status-dot" aria-hidden="true" />
          <div>
            <p className="status-text">{status.text}</p>
            {pollError && <p className="muted small">{retryText(pollError)}</p>}
          </div>
        </div>
        {!final && <Countdown expiresAt={checkout.expiresAt} />}
        {returnUrl && (
          <a className="button button-primary" href={returnUrl}>
            Return to the merchant
          </a>
        )}
      </article>

      {sandbox && <Sandbox simulate={simulate} />}
    </main>
  );
}

export function InvalidLink() {
  return (
    <main className="page">
      <div className="card">
        <h1>This payment link is not valid</h1>
        <p className="muted">Please ask the merchant for a new link.</p>
      </div>
    </main>
  );
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const seconds = Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1_000));
  const remaining = formatDuration(seconds);
  // role="timer" is not announced on every tick; the status region reports the expiry itself.
  return (
    <p className="muted" role="timer">
      Expires in <span className="tabular">{remaining}</span>
    </p>
  );
}

/** mm:ss under an hour, h:mm:ss under a day, then days and hours: a long expiry stays readable. */
export function formatDuration(totalSeconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(seconds)}`;
  return `${two(minutes)}:${two(seconds)}`;
}

function Sandbox({ simulate }: { simulate: Simulate }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A ref, not the state: two clicks in one frame both see the old `busy`.
  const inFlight = useRef(false);

  async function run(outcome: SimulateOutcome) {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    const result = await simulate(outcome);
    inFlight.current = false;
    setBusy(false);
    if (!result.ok) setError(result.error.message);
  }

  // aria-disabled rather than disabled: a disabled button drops keyboard focus mid-call.
  return (
    <section className="card sandbox" aria-labelledby="sandbox-title">
      <h2 id="sandbox-title">Sandbox</h2>
      <p className="muted small">Test mode: no real money moves. Choose what the payer does.</p>
      <div>
        <div className="actions">
          {SIMULATIONS.map(({ outcome, label }) => (
            <button key={outcome} type="button" aria-disabled={busy} onClick={() => void run(outcome)}>
              {label}
            </button>
          ))}
        </div>
        <p className="error" aria-live="polite">
          {error}
        </p>
      </div>
    </section>
  );
}

/**
 * Follows the checkout live over server-sent events until its status is final, polling every 2 s
 * instead when the stream fails or the browser has no EventSource. Answers can arrive out of order
 * (a poll sent before a simulate call may return after it, a stream event may pass a poll), so a
 * view is shown only if no later request's view, and no later state, is on screen already.
 */
function useLiveCheckout(config: KassaConfig) {
  const [checkout, setCheckout] = useState<CheckoutView | null>(null);
  const [pollError, setPollError] = useState<ApiError | null>(null);
  const requests = useRef({ sent: 0, shown: 0 });
  const final = checkout !== null && FINAL_STATUSES.has(checkout.status);

  const show = useCallback((view: CheckoutView) => {
    setCheckout((current) => (isNewerView(current, view) ? view : current));
  }, []);

  const send = useCallback(
    async (call: () => Promise<ApiResult<CheckoutView>>) => {
      const id = ++requests.current.sent;
      const result = await call();
      if (result.ok && id > requests.current.shown) {
        requests.current.shown = id;
        show(result.value);
      }
      return result;
    },
    [show],
  );

  useEffect(() => {
    if (final) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      const result = await send(() => getCheckout(config, controller.signal));
      if (controller.signal.aborted) return;
      setPollError(result.ok ? null : result.error);
      const again = result.ok ? !FINAL_STATUSES.has(result.value.status) : result.error.retryable;
      if (again) timer = setTimeout(() => void poll(), POLL_INTERVAL_MS);
    }
    const closeStream = openCheckoutStream(config, {
      onView(view) {
        setPollError(null);
        show(view);
      },
      onError() {
        if (!controller.signal.aborted) void poll();
      },
      onReconnecting() {
        // One read while the stream reconnects, so nothing is missed in between.
        if (!controller.signal.aborted) {
          void send(() => getCheckout(config, controller.signal));
        }
      },
    });
    if (!closeStream) void poll();
    return () => {
      closeStream?.();
      controller.abort();
      clearTimeout(timer);
    };
  }, [config, final, send, show]);

  const simulate = useCallback<Simulate>(
    (outcome) => send(() => simulateCheckout(config, outcome)),
    [config, send],
  );
  return { checkout, pollError, simulate };
}

function describeStatus(checkout: CheckoutView): { text: string; tone: Tone } {
  const status = checkout.status;
  switch (status) {
    case 'pending':
      return { text: 'Waiting for payment', tone: 'waiting' };
    case 'processing':
      return { text: 'Payment seen, processing', tone: 'waiting' };
    case 'partially_paid':
      return { text: `Partially paid, ${money(checkout.amountRemaining)} still due`, tone: 'waiting' };
    case 'paid':
      return { text: 'Paid — thank you', tone: 'good' };
    case 'overpaid':
      return {
        text: `Paid — thank you. ${money(checkout.amountReceived)} received, more than was due.`,
        tone: 'good',
      };
    case 'expired':
      return { text: 'This checkout has expired', tone: 'bad' };
    case 'failed':
      return { text: 'Payment failed', tone: 'bad' };
    case 'canceled':
      return { text: 'This checkout was canceled', tone: 'bad' };
    case 'refunded':
      return { text: 'Refunded', tone: 'bad' };
    case 'partially_refunded':
      return { text: 'Partially refunded', tone: 'good' };
    default: {
      const unhandled: never = status;
      throw new Error(`unhandled status: ${String(unhandled)}`);
    }
  }
}

function retryText(error: ApiError): string {
  return error.retryable ? `${error.message} Retrying…` : error.message;
}

function money(amount: Amount): string {
  return formatAmount(amount, navigator.language);
}

// successUrl comes from the merchant: only a web address may become a link, never `javascript:`.
function httpUrlOrNull(value: string | null): string | null {
  if (value === null) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
