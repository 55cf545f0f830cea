import { useId, useRef, useState, type FormEvent } from 'react';
import type { UnsignedStellarPayment } from '../api';
import type { Messages } from '../i18n';
import type { PanelProps } from '../rail-state';
import {
  readStellarAccount,
  readTxHash,
  readXdr,
  runStep,
  shortAccount,
  stellarNetwork,
  type Step,
} from '../stellar-payment';
import { CopyButton, Fact, QrImage } from './parts';

/**
 * Stellar: any wallet pays through the SEP-7 link (or its QR code), or by hand from the facts; the
 * memo is what matches the payment to this checkout. Two ways on when the wallet cannot take the
 * link: name the transaction once paid, or sign a transaction Kassa prepares from the payer's account.
 */
export function Body({ instructions, stellar, t, money, errorText }: PanelProps<'stellar'>) {
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
