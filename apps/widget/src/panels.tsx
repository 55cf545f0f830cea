import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useRestoreFocus } from './focus';
import type {
  ApiError,
  CheckoutView,
  EvmInstructions,
  EvmNetwork,
  Rail,
  SimulateOutcome,
  StellarInstructions,
  UnsignedStellarPayment,
} from './api';
import type { Amount } from './format-amount';
import type { Messages } from './i18n';
import type { Simulate, StellarPayer } from './live';
import type { ChooseRail, RailState } from './rail-state';
import {
  readStellarAccount,
  readTxHash,
  readXdr,
  runStep,
  shortAccount,
  stellarNetwork,
  type Step,
} from './stellar-payment';

const SIMULATIONS: readonly SimulateOutcome[] = ['pay', 'pay_part', 'overpay', 'fail', 'expire'];
// Names payers know from their wallets' network pickers; the same in every language.
const EVM_NETWORK_NAMES: Readonly<Record<EvmNetwork, string>> = {
  tron: 'Tron (TRC20)',
  bsc: 'BNB Chain (BEP20)',
  ethereum: 'Ethereum (ERC20)',
};
/** The API's own default. */
const DEFAULT_EVM_ASSET = 'USDT:tron';
/** The tokens a stablecoin invoice can be made in, by asset id (`USDT:tron`), as wallets name them. */
const EVM_TOKENS = ['USDT', 'USDC'].flatMap((code) =>
  Object.entries(EVM_NETWORK_NAMES).map(([network, name]) => ({
    id: `${code}:${network}`,
    name: `${code} · ${name}`,
  })),
);

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
  choose: ChooseRail;
  simulate: Simulate;
  stellar: StellarPayer;
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
  const evm = state.rail === 'evm';
  return (
    <section className="card" aria-labelledby="rail-title" data-panel={state.rail}>
      <h2 id="rail-title" ref={heading} tabIndex={-1}>
        {t.railNames[state.rail]}
      </h2>
      {evm && <TokenPicker asset={state.asset} choose={props.choose} t={t} />}
      {state.error ? (
        <div className="stack">
          <p className="error">{props.errorText(state.error)}</p>
          <button type="button" onClick={props.retry}>
            {t.tryAgain}
          </button>
        </div>
      ) : !state.instructions ? (
        // A stablecoin invoice waits for the payer's token.
        (!evm || state.asset !== undefined) && <p className="muted">{t.preparing}</p>
      ) : state.instructions.rail === 'card' ? (
        <CardPanel redirectUrl={state.instructions.redirectUrl} t={t} />
      ) : state.instructions.rail === 'stellar' ? (
        <StellarPanel {...props} instructions={state.instructions} />
      ) : state.instructions.rail === 'evm' ? (
        <EvmPanel {...props} instructions={state.instructions} />
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

/**
 * Stellar: any wallet pays through the SEP-7 link (or its QR code), or by hand from the facts; the
 * memo is what matches the payment to this checkout. Two ways on when the wallet cannot take the
 * link: name the transaction once paid, or sign a transaction Kassa prepares from the payer's account.
 */
function StellarPanel({
  instructions,
  stellar,
  t,
  money,
  errorText,
}: RailPanelProps & { instructions: StellarInstructions }) {
  const { amount, asset, destination, memo } = instructions;
  const network = stellarNetwork(instructions.networkPassphrase);
  const networkName =
    network === 'testnet'
      ? t.stellar.testnet
      : network === 'public'
        ? t.stellar.publicNetwork
        : instructions.networkPassphrase;
  const [unsigned, setUnsigned] = useState<UnsignedStellarPayment | null>(null);
  const unsignedId = useId();

  return (
    <div className="stack">
      <QrImage svg={instructions.qrSvg} caption={t.stellar.qrCaption} alt={t.stellar.qrAlt} />
      {/* A new tab: a web wallet that handles web+stellar must not replace this page, which shows the result. */}
      <a className="button button-primary" href={instructions.sep7Uri} target="_blank" rel="noopener">
        {t.stellar.openWallet}
      </a>
      <dl className="facts">
        {/* By id, not code: an issued asset called USD is not dollars. */}
        <Fact label={t.amountLabel} value={money({ amount, asset: asset.id })} copyValue={amount} t={t}>
          {asset.issuer && (
            <span className="fact-note muted small" title={asset.issuer}>
              <span aria-hidden="true">{t.stellar.issuedBy(shortAccount(asset.issuer))}</span>
              <span className="visually-hidden">{t.stellar.issuedBy(asset.issuer)}</span>
            </span>
          )}
        </Fact>
        <Fact label={t.stellar.destination} value={destination} copyValue={destination} t={t} />
        <Fact label={t.stellar.memo} value={memo} copyValue={memo} badge={t.stellar.required} t={t}>
          <span className="fact-note">{t.stellar.memoHint}</span>
        </Fact>
        <Fact label={t.stellar.network} value={networkName} t={t} />
      </dl>

      <div className="stack step">
        <h3>{t.stellar.paidTitle}</h3>
        <StepForm
          label={t.stellar.txHash}
          action={t.stellar.confirm}
          run={(input) => runStep(input, readTxHash, stellar.confirm)}
          say={(step) =>
            step.type === 'invalid'
              ? t.stellar.txHashInvalid
              : step.type === 'failed'
                ? errorText(step.error)
                : t.stellar.received
          }
          t={t}
        />
      </div>

      <details>
        <summary>{t.stellar.signTitle}</summary>
        <div className="stack">
          <StepForm
            label={t.stellar.payerAccount}
            action={t.stellar.build}
            run={(input) => runStep(input, readStellarAccount, stellar.build)}
            // The API also checks the account's checksum: a typo there is the same mistake.
            say={(step) =>
              step.type === 'done'
                ? t.stellar.prepared
                : step.type === 'invalid' || step.error.code === 'input_invalid'
                  ? t.stellar.payerAccountInvalid
                  : errorText(step.error)
            }
            onDone={setUnsigned}
            t={t}
          />
          {unsigned && (
            <div className="stack" key={unsigned.hash}>
              <label htmlFor={unsignedId}>{t.stellar.unsigned}</label>
              <textarea
                id={unsignedId}
                className="mono"
                rows={4}
                readOnly
                value={unsigned.xdr}
                onFocus={(event) => event.currentTarget.select()}
              />
              <div>
                <CopyButton value={unsigned.xdr} label={t.stellar.unsigned} t={t} />
              </div>
              <p className="muted small">{t.stellar.signHint(networkName)}</p>
              <StepForm
                label={t.stellar.signed}
                multiline
                action={t.stellar.submit}
                run={(input) => runStep(input, readXdr, stellar.submit)}
                say={(step) =>
                  step.type === 'invalid'
                    ? t.stellar.signedMissing
                    : step.type === 'failed'
                      ? errorText(step.error)
                      : t.stellar.received
                }
                t={t}
              />
            </div>
          )}
        </div>
      </details>
    </div>
  );
}

/**
 * The token and network of a stablecoin invoice, picked before it is made: each is an invoice, and
 * an address, of its own. A button, not the change of the select: arrow keys would make an invoice
 * per step.
 */
function TokenPicker({ asset, choose, t }: { asset: string | undefined; choose: ChooseRail; t: Messages }) {
  const id = useId();
  const [picked, setPicked] = useState(asset ?? DEFAULT_EVM_ASSET);
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        choose('evm', picked);
      }}
    >
      <label htmlFor={id}>{t.evm.token}</label>
      <select id={id} value={picked} onChange={(event) => setPicked(event.currentTarget.value)}>
        {EVM_TOKENS.map((token) => (
          <option key={token.id} value={token.id}>
            {token.name}
          </option>
        ))}
      </select>
      <button type="submit">{t.evm.show}</button>
    </form>
  );
}

/**
 * Stablecoin: the payer sends `amount` of one token to the invoice's address, from any wallet on
 * that network. The link (EIP-681) opens EVM wallets with all of it filled in; Tron has no such
 * link, its QR code is the address. The same token on another network is another coin: lost.
 */
function EvmPanel({ instructions, t, money }: RailPanelProps & { instructions: EvmInstructions }) {
  const { address, amount, asset, uri } = instructions;
  const network = EVM_NETWORK_NAMES[instructions.network];
  return (
    <div className="stack">
      <p className="warn">{t.evm.onlyThis(asset.code, network)}</p>
      <QrImage svg={instructions.qrSvg} caption={t.evm.qrCaption} alt={t.evm.qrAlt} />
      {uri.startsWith('ethereum:') && (
        <a className="button button-primary" href={uri} target="_blank" rel="noopener">
          {t.evm.openWallet}
        </a>
      )}
      <dl className="facts">
        {/* 18 decimals on BNB Chain: shown without trailing zeros, copied exactly as asked. */}
        <Fact
          label={t.amountLabel}
          value={money({
            amount: amount.includes('.') ? amount.replace(/\.?0+$/, '') : amount,
            asset: asset.id,
          })}
          copyValue={amount}
          t={t}
        />
        <Fact label={t.evm.address} value={address} copyValue={address} t={t} />
        <Fact label={t.evm.network} value={network} t={t} />
      </dl>
    </div>
  );
}

/**
 * One field, its button and what came of it. The outcome is read out politely, like the sandbox's
 * errors; the status region stays the page's one announcement of the checkout itself.
 */
function StepForm<T>({
  label,
  multiline = false,
  action,
  run,
  say,
  onDone,
  t,
}: {
  label: string;
  multiline?: boolean;
  action: string;
  run: (input: string) => Promise<Step<T>>;
  say: (step: Step<T>) => string;
  onDone?: (value: T) => void;
  t: Messages;
}) {
  const id = useId();
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<Step<T> | null>(null);
  // A ref, not the state: two submits in one frame both see the old `busy`.
  const inFlight = useRef(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setStep(null);
    const outcome = await run(input);
    inFlight.current = false;
    setBusy(false);
    setStep(outcome);
    if (outcome.type === 'done') onDone?.(outcome.value);
  }

  const field = {
    id: `${id}-field`,
    className: 'mono',
    value: input,
    onChange: (event: { currentTarget: { value: string } }) => setInput(event.currentTarget.value),
    autoComplete: 'off',
    spellCheck: false,
    'aria-invalid': step?.type === 'invalid' || undefined,
    'aria-describedby': `${id}-outcome`,
  };
  return (
    <form className="stack" noValidate onSubmit={(event) => void submit(event)}>
      <label htmlFor={field.id}>{label}</label>
      {multiline ? <textarea rows={4} {...field} /> : <input {...field} />}
      <button type="submit" aria-disabled={busy}>
        {action}
      </button>
      <p id={`${id}-outcome`} className="outcome" data-tone={step?.type ?? 'idle'} aria-live="polite">
        {busy ? t.stellar.working : step && say(step)}
      </p>
    </form>
  );
}

/** A labelled value the payer may need to paste elsewhere (an amount, an address, a memo). */
export function Fact({
  label,
  value,
  copyValue,
  badge,
  children,
  t,
}: {
  label: string;
  value: string;
  /** Absent for a value nobody pastes (the network's name). */
  copyValue?: string;
  /** A word that must not be missed next to the label ("Required"). */
  badge?: string;
  /** A note under the value. */
  children?: ReactNode;
  t: Messages;
}) {
  return (
    <div className="fact">
      <dt className="muted small">
        {label}
        {badge && (
          <>
            {' '}
            <strong className="badge">{badge}</strong>
          </>
        )}
      </dt>
      <dd>
        <span className="fact-value">{value}</span>
        {copyValue !== undefined && <CopyButton value={copyValue} label={label} t={t} />}
        {children}
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
