import { useState, type ReactNode } from 'react';
import type { Messages } from '../i18n';

// What more than one rail's panel shows. Bundled with the panels (a chunk of its own, fetched with
// the first panel the payer picks), never with the page.

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

export function CopyButton({ value, label, t }: { value: string; label: string; t: Messages }) {
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
