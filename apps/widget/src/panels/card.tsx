import type { PanelProps } from '../rail-state';

/**
 * Card: the payer continues on the card processor's page (it cannot be framed, so the link leaves
 * an embedding page whole) and comes back to this page, which shows the result live.
 */
export function Body({ instructions, t }: PanelProps<'card'>) {
  const { redirectUrl } = instructions;
  return (
    <div className="stack">
      <p className="muted">{t.cardHint}</p>
      <a className="button button-primary" href={redirectUrl} target="_top" rel="noopener">
        {t.cardContinue}
      </a>
    </div>
  );
}
