import { useEffect, useMemo, useRef, useState } from 'react';
import { FINAL_STATUSES, selectRail, type ApiError, type CheckoutView, type Rail } from './api';
import { httpUrlOrNull, type KassaConfig } from './config';
import { openParentChannel, type ParentChannel } from './embed';
import { formatAmount, type Amount } from './format-amount';
import { pickMessages, type Messages } from './i18n';
import { useRestoreFocus } from './focus';
import { useLiveCheckout, type Simulate, type StellarPayer } from './live';
import { preloadPanel } from './panel-loader';
import { RailChoice, RailPanel } from './panels';
import type { ChooseRail, RailState } from './rail-state';

type Tone = 'waiting' | 'good' | 'bad';
/** Seconds on the paid screen before the hosted page takes the payer to the merchant's success URL. */
const REDIRECT_AFTER_S = 5;

export function browserMessages(): Messages {
  const languages = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  return pickMessages(languages);
}

export function App({ config }: { config: KassaConfig }) {
  const t = useMemo(browserMessages, []);
  const { checkout, pollError, simulate, stellar } = useLiveCheckout(config);
  const [railState, setRailState] = useState<RailState>({ rail: null });
  const channel = useParentChannel(config);
  const merchantName = checkout?.merchantName;
  const status = checkout?.status;

  useEffect(() => {
    document.documentElement.lang = t.locale;
  }, [t]);
  useEffect(() => {
    if (merchantName) document.title = `${merchantName} · Kassa`;
  }, [merchantName]);
  useEffect(() => {
    if (status) channel?.statusChanged(status);
  }, [channel, status]);

  // Only one rail: no choice to make, its panel opens at once.
  const onlyRail = checkout && checkout.rails.length === 1 ? checkout.rails[0] : undefined;
  const latestChoice = useRef(0);
  const dueWhenChosen = useRef<string | undefined>(undefined);
  const choose: ChooseRail = (rail, asset) => {
    const attempt = ++latestChoice.current;
    // The panel's chunk and the instructions come at the same time (a failed fetch shows in the panel).
    preloadPanel(rail).catch(() => undefined);
    dueWhenChosen.current = checkout?.amountRemaining.amount;
    const chosen = asset === undefined ? { rail } : { rail, asset };
    setRailState({ ...chosen, instructions: null, error: null });
    // Each token is an invoice (an address) of its own: none is made before the payer picks one.
    if (rail === 'evm' && asset === undefined) return;
    void selectRail(config, rail, asset).then((result) => {
      if (attempt !== latestChoice.current) return; // the payer chose again meanwhile
      setRailState(
        result.ok
          ? { ...chosen, instructions: result.value, error: null }
          : { ...chosen, instructions: null, error: result.error },
      );
    });
  };
  const chooseRef = useRef(choose);
  chooseRef.current = choose;
  useEffect(() => {
    if (onlyRail) chooseRef.current(onlyRail);
  }, [onlyRail]);
  // A Stellar request or a stablecoin invoice is for what was due when it was made: after a part
  // payment, ask for the rest (the same token: SHKeeper updates that invoice).
  const remaining = checkout?.amountRemaining.amount;
  const open = status !== undefined && !FINAL_STATUSES.has(status);
  const chosenRail = railState.rail;
  const chosenAsset = railState.rail === null ? undefined : railState.asset;
  useEffect(() => {
    const asks = chosenRail === 'stellar' || (chosenRail === 'evm' && chosenAsset !== undefined);
    if (asks && open && remaining !== dueWhenChosen.current) chooseRef.current(chosenRail, chosenAsset);
  }, [chosenRail, chosenAsset, open, remaining]);

  return (
    <CheckoutPage
      checkout={checkout}
      pollError={pollError}
      simulate={simulate}
      stellar={stellar}
      t={t}
      railState={railState}
      choose={choose}
      unchoose={() => {
        latestChoice.current++;
        setRailState({ rail: null });
      }}
      embedded={channel !== null}
      onClose={() => channel?.post('kassa:closed', status)}
    />
  );
}

/** Talks to the merchant's page when framed by the loader; null on the hosted page. */
function useParentChannel(config: KassaConfig): ParentChannel | null {
  const [channel, setChannel] = useState<ParentChannel | null>(null);
  useEffect(() => {
    if (!config.parentOrigin || window.parent === window) return;
    const opened = openParentChannel(window.parent, config.parentOrigin, config.checkoutId, document);
    opened.post('kassa:ready');
    setChannel(opened);
    return () => opened.close();
  }, [config]);
  return channel;
}

export type CheckoutPageProps = {
  checkout: CheckoutView | null;
  pollError: ApiError | null;
  simulate: Simulate;
  stellar: StellarPayer;
  t: Messages;
  railState: RailState;
  choose: ChooseRail;
  unchoose: () => void;
  embedded: boolean;
  onClose: () => void;
};

/** The page for one state of the checkout; `App` feeds it live data. */
export function CheckoutPage(props: CheckoutPageProps) {
  const { checkout, pollError, t } = props;
  const statusRef = useRef<HTMLDivElement>(null);
  useRestoreFocus(statusRef, checkout?.status);
  if (!checkout) {
    return (
      <main className="page">
        <div className="card">
          <p role="status" aria-live="polite">
            {pollError ? errorText(pollError, t) : t.loading}
          </p>
        </div>
      </main>
    );
  }

  // Amounts follow the payer's own locale (en-IN groups differently from en-US), words the catalog.
  const money = (amount: Amount) => formatAmount(amount, navigatorLocale());
  const final = FINAL_STATUSES.has(checkout.status);
  const status = describeStatus(checkout, t, money);
  const paid = checkout.status === 'paid' || checkout.status === 'overpaid';
  const successUrl = paid ? httpUrlOrNull(checkout.successUrl) : null;
  const cancelUrl = httpUrlOrNull(checkout.cancelUrl);
  const next = nextStep(checkout, t);

  return (
    <main className="page">
      <article className="card" aria-labelledby="merchant-name">
        <header className="card-header">
          <h1 id="merchant-name">{checkout.merchantName}</h1>
          {checkout.mode === 'test' && <span className="badge">{t.testMode}</span>}
        </header>
        {checkout.description && <p className="muted">{checkout.description}</p>}

        {checkout.lineItems.length > 0 && (
          <ul className="items" aria-label={t.items}>
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
            <dt>{t.totalDue}</dt>
            <dd className="amount">{money(checkout.amountDue)}</dd>
          </div>
          {(checkout.status === 'partially_paid' || checkout.status === 'overpaid') && (
            <div className="row">
              <dt>{t.received}</dt>
              <dd className="amount">{money(checkout.amountReceived)}</dd>
            </div>
          )}
          {checkout.status === 'partially_paid' && (
            <div className="row">
              <dt>{t.stillDue}</dt>
              <dd className="amount">{money(checkout.amountRemaining)}</dd>
            </div>
          )}
        </dl>

        {/* The one live region: every change of status is read out once, nothing else is. */}
        <div
          className="status"
          data-tone={status.tone}
          role="status"
          aria-live="polite"
          aria-atomic="true"
          ref={statusRef}
          tabIndex={-1}
        >
          <span className="status-dot" aria-hidden="true" />
          <div>
            <p className="status-text" data-status={checkout.status}>
              {status.text}
            </p>
            {next && <p className="muted small">{next}</p>}
            {pollError && <p className="muted small">{errorText(pollError, t)}</p>}
          </div>
        </div>
        {!final && <Countdown expiresAt={checkout.expiresAt} t={t} />}
        {successUrl && !props.embedded && <Redirect to={successUrl} t={t} />}
        {final && !paid && cancelUrl && !props.embedded && (
          <a className="button button-primary" href={cancelUrl}>
            {t.startAgain}
          </a>
        )}
        {final && props.embedded && (
          <button type="button" className="button-primary" onClick={props.onClose}>
            {t.close}
          </button>
        )}
      </article>

      {!final && <Payment {...props} checkout={checkout} money={money} />}
    </main>
  );
}

function Payment(props: CheckoutPageProps & { checkout: CheckoutView; money: (a: Amount) => string }) {
  const { checkout, railState, t } = props;
  if (checkout.rails.length === 0) return null;
  if (railState.rail === null || !checkout.rails.includes(railState.rail)) {
    return <RailChoice rails={checkout.rails} choose={props.choose} t={t} />;
  }
  return (
    <RailPanel
      checkout={checkout}
      state={railState}
      choose={props.choose}
      simulate={props.simulate}
      stellar={props.stellar}
      t={t}
      money={props.money}
      retry={() => props.choose(railState.rail, railState.asset)}
      changeMethod={checkout.rails.length > 1 ? props.unchoose : null}
      // Nothing in a panel retries by itself (the payer does), so no "Retrying…" there.
      errorText={(error) => errorWords(error.code, t, railState.rail)}
    />
  );
}

export function InvalidLink() {
  const t = browserMessages();
  return (
    <main className="page">
      <div className="card">
        <h1>{t.invalidLinkTitle}</h1>
        <p className="muted">{t.invalidLinkHint}</p>
      </div>
    </main>
  );
}

function Countdown({ expiresAt, t }: { expiresAt: string; t: Messages }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const seconds = Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1_000));
  // role="timer" is not announced on every tick; the status region reports the expiry itself.
  return (
    <p className="muted" role="timer">
      {t.expiresIn} <span className="tabular">{formatDuration(seconds)}</span>
    </p>
  );
}

/** The paid screen stays long enough to be seen, then the hosted page hands the payer back. */
function Redirect({ to, t }: { to: string; t: Messages }) {
  const [left, setLeft] = useState(REDIRECT_AFTER_S);
  useEffect(() => {
    if (left <= 0) {
      window.location.assign(to);
      return;
    }
    const timer = setTimeout(() => setLeft(left - 1), 1_000);
    return () => clearTimeout(timer);
  }, [left, to]);
  return (
    <div className="stack">
      <p className="muted small">{t.redirecting(Math.max(left, 0))}</p>
      <a className="button button-primary" href={to}>
        {t.returnToMerchant}
      </a>
    </div>
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

function describeStatus(
  checkout: CheckoutView,
  t: Messages,
  money: (a: Amount) => string,
): { text: string; tone: Tone } {
  const status = checkout.status;
  switch (status) {
    case 'pending':
      return { text: t.status.pending, tone: 'waiting' };
    case 'processing':
      return { text: t.status.processing, tone: 'waiting' };
    case 'partially_paid':
      return { text: t.status.partiallyPaid(money(checkout.amountRemaining)), tone: 'waiting' };
    case 'paid':
      return { text: t.status.paid, tone: 'good' };
    case 'overpaid':
      return { text: t.status.overpaid(money(checkout.amountReceived)), tone: 'good' };
    case 'expired':
      return { text: t.status.expired, tone: 'bad' };
    case 'failed':
      return { text: t.status.failed, tone: 'bad' };
    case 'canceled':
      return { text: t.status.canceled, tone: 'bad' };
    case 'refunded':
      return { text: t.status.refunded, tone: 'bad' };
    case 'partially_refunded':
      return { text: t.status.partiallyRefunded, tone: 'good' };
    default: {
      const unhandled: never = status;
      throw new Error(`unhandled status: ${String(unhandled)}`);
    }
  }
}

/** What the payer can do now, for the states that leave them wondering. */
function nextStep(checkout: CheckoutView, t: Messages): string | null {
  switch (checkout.status) {
    case 'expired':
      return t.nextStep.expired;
    case 'failed':
      return t.nextStep.failed;
    case 'canceled':
      return t.nextStep.canceled;
    case 'partially_paid':
      return t.nextStep.partiallyPaid;
    default:
      return null;
  }
}

/** What went wrong, in the payer's words and language; the server's own message is for developers. */
export function errorText(error: ApiError, t: Messages): string {
  return error.retryable ? `${errorWords(error.code, t)} ${t.retrying}` : errorWords(error.code, t);
}

/** An error code in words; a rail's own calls have codes of their own, or mean more (rail_not_allowed). */
export function errorWords(code: string, t: Messages, rail?: Rail): string {
  if (rail === 'stellar' && isCodeOf(t.errors.stellar, code)) return t.errors.stellar[code];
  if (rail === 'evm' && isCodeOf(t.errors.evm, code)) return t.errors.evm[code];
  if (code === 'network') return t.errors.network;
  if (code === 'bad_response') return t.errors.badResponse;
  if (code === 'not_found' || code === 'http_404') return t.errors.notFound;
  if (code === 'rate_limited' || code === 'http_429') return t.errors.rateLimited;
  if (code === 'rail_unavailable' || code === 'rail_not_allowed' || code === 'provider_unavailable')
    return t.errors.railUnavailable;
  if (code === 'internal' || /^http_5\d\d$/.test(code)) return t.errors.server;
  return t.errors.refused;
}

function isCodeOf<C extends string>(words: Readonly<Record<C, string>>, code: string): code is C {
  return Object.hasOwn(words, code);
}

function navigatorLocale(): string | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator.language;
}
