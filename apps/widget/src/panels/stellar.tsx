import { useId, useRef, useState, type FormEvent } from 'react';
import type { UnsignedStellarPayment } from '../api';
import type { Locale, Messages } from '../i18n';
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

/** The panel's words, in every language the page speaks; they come with the panel, not the page. */
type StellarMessages = Readonly<{
  qrCaption: string;
  qrAlt: string;
  openWallet: string;
  issuedBy: (issuer: string) => string;
  destination: string;
  memo: string;
  required: string;
  memoHint: string;
  network: string;
  testnet: string;
  publicNetwork: string;
  paidTitle: string;
  txHash: string;
  txHashInvalid: string;
  confirm: string;
  received: string;
  signTitle: string;
  payerAccount: string;
  payerAccountInvalid: string;
  build: string;
  prepared: string;
  unsigned: string;
  signHint: (network: string) => string;
  signed: string;
  signedMissing: string;
  submit: string;
  working: string;
}>;

export const STELLAR_MESSAGES: Readonly<Record<Locale, StellarMessages>> = {
  en: {
    qrCaption: 'Scan with a Stellar wallet',
    qrAlt: 'QR code of the Stellar payment',
    openWallet: 'Open in wallet',
    issuedBy: (issuer) => `issued by ${issuer}`,
    destination: 'Destination',
    memo: 'Memo (ID)',
    required: 'Required',
    memoHint: 'Include this memo or the payment cannot be matched.',
    network: 'Network',
    testnet: 'Testnet',
    publicNetwork: 'Public network',
    paidTitle: 'I have paid',
    txHash: 'Transaction hash',
    txHashInvalid: 'A transaction hash is 64 characters, 0–9 and a–f.',
    confirm: 'Check payment',
    received: 'Transaction received.',
    signTitle: 'Sign with my wallet’s account',
    payerAccount: 'Your account (G…)',
    payerAccountInvalid: 'A Stellar account starts with G and has 56 characters.',
    build: 'Prepare transaction',
    prepared: 'Ready: sign the transaction below.',
    unsigned: 'Transaction to sign (XDR)',
    signHint: (network) =>
      `Sign it in your wallet (e.g. Stellar Laboratory, ${network}), then paste it below.`,
    signed: 'Signed transaction (XDR)',
    signedMissing: 'Paste the signed transaction.',
    submit: 'Send payment',
    working: 'Please wait…',
  },
  de: {
    qrCaption: 'Mit einer Stellar-Wallet scannen',
    qrAlt: 'QR-Code der Stellar-Zahlung',
    openWallet: 'In der Wallet öffnen',
    issuedBy: (issuer) => `ausgegeben von ${issuer}`,
    destination: 'Empfänger',
    memo: 'Memo (ID)',
    required: 'Pflichtangabe',
    memoHint: 'Ohne dieses Memo kann die Zahlung nicht zugeordnet werden.',
    network: 'Netzwerk',
    testnet: 'Testnet',
    publicNetwork: 'Öffentliches Netzwerk',
    paidTitle: 'Ich habe bezahlt',
    txHash: 'Transaktions-Hash',
    txHashInvalid: 'Ein Transaktions-Hash hat 64 Zeichen, 0–9 und a–f.',
    confirm: 'Zahlung prüfen',
    received: 'Transaktion erhalten.',
    signTitle: 'Mit dem Konto meiner Wallet signieren',
    payerAccount: 'Ihr Konto (G…)',
    payerAccountInvalid: 'Ein Stellar-Konto beginnt mit G und hat 56 Zeichen.',
    build: 'Transaktion vorbereiten',
    prepared: 'Bereit: Signieren Sie die Transaktion unten.',
    unsigned: 'Zu signierende Transaktion (XDR)',
    signHint: (network) =>
      `In Ihrer Wallet signieren (z. B. Stellar Laboratory, ${network}), dann unten einfügen.`,
    signed: 'Signierte Transaktion (XDR)',
    signedMissing: 'Fügen Sie die signierte Transaktion ein.',
    submit: 'Zahlung senden',
    working: 'Bitte warten…',
  },
};

/**
 * Stellar: any wallet pays through the SEP-7 link (or its QR code), or by hand from the facts; the
 * memo is what matches the payment to this checkout. Two ways on when the wallet cannot take the
 * link: name the transaction once paid, or sign a transaction Kassa prepares from the payer's account.
 */
export function Body({ instructions, stellar, t, money, errorText }: PanelProps<'stellar'>) {
  const words = STELLAR_MESSAGES[t.locale];
  const { amount, asset, destination, memo } = instructions;
  const network = stellarNetwork(instructions.networkPassphrase);
  const networkName =
    network === 'testnet'
      ? words.testnet
      : network === 'public'
        ? words.publicNetwork
        : instructions.networkPassphrase;
  const [unsigned, setUnsigned] = useState<UnsignedStellarPayment | null>(null);
  const unsignedId = useId();

  return (
    <div className="stack">
      <QrImage svg={instructions.qrSvg} caption={words.qrCaption} alt={words.qrAlt} />
      {/* A new tab: a web wallet that handles web+stellar must not replace this page, which shows the result. */}
      <a className="button button-primary" href={instructions.sep7Uri} target="_blank" rel="noopener">
        {words.openWallet}
      </a>
      <dl className="facts">
        {/* By id, not code: an issued asset called USD is not dollars. */}
        <Fact label={t.amountLabel} value={money({ amount, asset: asset.id })} copyValue={amount} t={t}>
          {asset.issuer && (
            <span className="fact-note muted small" title={asset.issuer}>
              <span aria-hidden="true">{words.issuedBy(shortAccount(asset.issuer))}</span>
              <span className="visually-hidden">{words.issuedBy(asset.issuer)}</span>
            </span>
          )}
        </Fact>
        <Fact label={words.destination} value={destination} copyValue={destination} t={t} />
        <Fact label={words.memo} value={memo} copyValue={memo} badge={words.required} t={t}>
          <span className="fact-note">{words.memoHint}</span>
        </Fact>
        <Fact label={words.network} value={networkName} t={t} />
      </dl>

      <div className="stack step">
        <h3>{words.paidTitle}</h3>
        <StepForm
          label={words.txHash}
          action={words.confirm}
          run={(input) => runStep(input, readTxHash, stellar.confirm)}
          say={(step) =>
            step.type === 'invalid'
              ? words.txHashInvalid
              : step.type === 'failed'
                ? errorText(step.error)
                : words.received
          }
          t={t}
        />
      </div>

      <details>
        <summary>{words.signTitle}</summary>
        <div className="stack">
          <StepForm
            label={words.payerAccount}
            action={words.build}
            run={(input) => runStep(input, readStellarAccount, stellar.build)}
            // The API also checks the account's checksum: a typo there is the same mistake.
            say={(step) =>
              step.type === 'done'
                ? words.prepared
                : step.type === 'invalid' || step.error.code === 'input_invalid'
                  ? words.payerAccountInvalid
                  : errorText(step.error)
            }
            onDone={setUnsigned}
            t={t}
          />
          {unsigned && (
            <div className="stack" key={unsigned.hash}>
              <label htmlFor={unsignedId}>{words.unsigned}</label>
              <textarea
                id={unsignedId}
                className="mono"
                rows={4}
                readOnly
                value={unsigned.xdr}
                onFocus={(event) => event.currentTarget.select()}
              />
              <div>
                <CopyButton value={unsigned.xdr} label={words.unsigned} t={t} />
              </div>
              <p className="muted small">{words.signHint(networkName)}</p>
              <StepForm
                label={words.signed}
                multiline
                action={words.submit}
                run={(input) => runStep(input, readXdr, stellar.submit)}
                say={(step) =>
                  step.type === 'invalid'
                    ? words.signedMissing
                    : step.type === 'failed'
                      ? errorText(step.error)
                      : words.received
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
  const words = STELLAR_MESSAGES[t.locale];
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
        {busy ? words.working : step && say(step)}
      </p>
    </form>
  );
}
