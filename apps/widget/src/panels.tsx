import { useRef, useState } from 'react';
import { useRestoreFocus } from './focus';
import type { ApiError, CheckoutView, Rail, SimulateOutcome } from './api';
import type { ChooseRail, RailState } from './app';
import type { Amount } from './format-amount';
import type { Messages } from './i18n';
import type { Simulate } from './live';

const SIMULATIONS: readonly SimulateOutcome[] = ['pay', 'pay_part', 'overpay', 'fail', 'expire'];

/** The rails this checkout offers, as a list of buttons: plain keyboard and screen-reader use. */
export function RailChoice({
  rails,
  choose,
  t,
}: {
  rails: readonly Rail[];
  choose: ChooseRail;
  t: Messages;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useRestoreFocus(heading, null);
  return (
    <section className="card" aria-labelledby="rail-choice-title">
      <h2 id="rail-choice-title" ref={heading} tabIndex={-1}>
        {t.chooseHowToPay}
      </h2>
      <ul className="rails">
        {rails.map((rail) => (
          <li key={rail}>
            <button type="button" className="rail" data-rail={rail} onClick={() => choose(rail)}>
              <span className="rail-name">{t.railNames[rail]}</span>
              <span className="muted small">{t.railHints[rail]}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

type RailPanelProps = {
  checkout: CheckoutView;
  state: Extract<RailState, { rail: Rail }>;
  simulate: Simulate;
  t: Messages;
  money: (amount: Amount) => string;
  retry: () => void;
  changeMethod: (() => void) | null;
  errorText: (error: ApiError) => string;
};

/** The chosen rail's instructions; each rail issue adds its own panel here. */
export function RailPanel(props: RailPanelProps) {
  const { state, t } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  useRestoreFocus(heading, state.rail);
  return (
    <section className="card" aria-labelledby="rail-title" data-panel={state.rail}>
      <h2 id="rail-title" ref={heading} tabIndex={-1}>
        {t.railNames[state.rail]}
      </h2>
      {state.error ? (
        <div className="stack">
          <p className="error">{props.errorText(state.error)}</p>
          <button type="button" onClick={props.retry}>
            {t.tryAgain}
          </button>
        </div>
      ) : !state.instructions ? (
        <p className="muted">{t.preparing}</p>
      ) : state.instructions.rail === 'card' ? (
        <CardPanel redirectUrl={state.instructions.redirectUrl} t={t} />
      ) : (
        <SandboxPanel {...props} handoff={state.instructions.handoff} />
      )}
      {props.changeMethod && (
        <button type="button" className="link-button" onClick={props.changeMethod}>
          {t.changeMethod}
        </button>
      )}
    </section>
  );
}

function SandboxPanel({
  checkout,
  simulate,
  t,
  money,
  handoff,
  errorText,
}: RailPanelProps & { handoff: { url: string; qrSvg: string } | null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A ref, not the state: two clicks in one frame both see the old `busy`.
  const inFlight = useRef(false);
  const due = checkout.status === 'partially_paid' ? checkout.amountRemaining : checkout.amountDue;

  async function run(outcome: SimulateOutcome) {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    const result = await simulate(outcome);
    inFlight.current = false;
    setBusy(false);
    if (!result.ok) setError(errorText(result.error));
  }

  return (
    <div className="stack">
      <dl className="facts">
        <Fact label={t.amountLabel} value={money(due)} copyValue={due.amount} t={t} />
        <Fact label={t.referenceLabel} value={checkout.id} copyValue={checkout.id} t={t} />
      </dl>
      {handoff && <QrImage svg={handoff.qrSvg} caption={t.qrHandoff} alt={t.qrAlt} />}
      {checkout.mode === 'test' && (
        <div className="sandbox stack">
          <p className="muted small">{t.sandboxHint}</p>
          {/* aria-disabled rather than disabled: a disabled button drops keyboard focus mid-call. */}
          <div className="actions">
            {SIMULATIONS.map((outcome) => (
              <button key={outcome} type="button" aria-disabled={busy} onClick={() => void run(outcome)}>
                {t.simulate[outcome]}
              </button>
            ))}
          </div>
          <p className="error" aria-live="polite">
            {error}
          </p>
        </div>
      )}
    </div>
  );
}

/**
 * Card: the payer continues on the card processor's page (it cannot be framed, so the link leaves
 * an embedding page whole) and comes back to this page, which shows the result live.
 */
function CardPanel({ redirectUrl, t }: { redirectUrl: string; t: Messages }) {
  return (
    <div className="stack">
      <p className="muted">{t.cardHint}</p>
      <a className="button button-primary" href={redirectUrl} target="_top" rel="noopener">
        {t.cardContinue}
      </a>
    </div>
  );
}

/** A labelled value the payer may need to paste elsewhere (an amount, an address, a memo). */
export function Fact({
  label,
  value,
  copyValue,
  t,
}: {
  label: string;
  value: string;
  copyValue: string;
  t: Messages;
}) {
  return (
    <div className="fact">
      <dt className="muted small">{label}</dt>
      <dd>
        <span className="fact-value">{value}</span>
        <CopyButton value={copyValue} label={label} t={t} />
      </dd>
    </div>
  );
}

function CopyButton({ value, label, t }: { value: string; label: string; t: Messages }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2_000);
  }
  return (
    <>
      <button type="button" className="copy" aria-label={`${t.copy}: ${label}`} onClick={() => void copy()}>
        {t.copy}
      </button>
      <span className="muted small" aria-live="polite">
        {state === 'copied' ? t.copied : state === 'failed' ? t.copyFailed : ''}
      </span>
    </>
  );
}

/**
 * A QR code the API rendered. Shown as an image, never inlined into the page: an SVG in an <img>
 * cannot run scripts or reach the DOM, whatever it contains.
 */
export function QrImage({ svg, caption, alt }: { svg: string; caption: string; alt: string }) {
  return (
    <figure className="qr">
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
        alt={alt}
        width={176}
        height={176}
      />
      <figcaption className="muted small">{caption}</figcaption>
    </figure>
  );
}
