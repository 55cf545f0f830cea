import { useRef, useState } from 'react';
import type { SimulateOutcome } from '../api';
import type { PanelProps } from '../rail-state';
import { Fact, QrImage } from './parts';

const SIMULATIONS: readonly SimulateOutcome[] = ['pay', 'pay_part', 'overpay', 'fail', 'expire'];

/** The sandbox: what a test payment is for, and buttons that play the payer (test mode only). */
export function Body({ checkout, simulate, t, money, instructions, errorText }: PanelProps<'sandbox'>) {
  const { handoff } = instructions;
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
