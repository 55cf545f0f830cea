import { useRef } from 'react';
import { useRestoreFocus } from './focus';
import type { Rail } from './api';
import type { Messages } from './i18n';
import { preloadPanel, usePanel } from './panel-loader';
import type { ChooseRail, PanelModule, PanelProps, RailPanelProps } from './rail-state';

/**
 * The rails this checkout offers, as a list of buttons: plain keyboard and screen-reader use.
 * Pointing at a rail or tabbing to it starts fetching its panel, so the panel is usually here by
 * the time the payer has clicked.
 */
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
  const prefetch = (rail: Rail) => () => void preloadPanel(rail).catch(() => undefined);
  return (
    <section className="card" aria-labelledby="rail-choice-title">
      <h2 id="rail-choice-title" ref={heading} tabIndex={-1}>
        {t.chooseHowToPay}
      </h2>
      <ul className="rails">
        {rails.map((rail) => (
          <li key={rail}>
            <button
              type="button"
              className="rail"
              data-rail={rail}
              onPointerEnter={prefetch(rail)}
              onFocus={prefetch(rail)}
              onClick={() => choose(rail)}
            >
              <span className="rail-name">{t.railNames[rail]}</span>
              <span className="muted small">{t.railHints[rail]}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The chosen rail's card: its heading, what went wrong, and the rail's own panel (panels/{rail}.tsx,
 * a chunk fetched when the payer picked the rail) once both it and the instructions are here.
 */
export function RailPanel(props: RailPanelProps) {
  const { state, t } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  useRestoreFocus(heading, state.rail);
  const load = usePanel(state.rail);
  const panel = load.state === 'loaded' ? (load.panel as PanelModule<Rail>) : null;
  const { instructions } = state;
  // A stablecoin invoice waits for the payer's token, which the panel's Lead asks for.
  const waitsForToken = state.rail === 'evm' && state.asset === undefined;
  return (
    <section className="card" aria-labelledby="rail-title" data-panel={state.rail}>
      <h2 id="rail-title" ref={heading} tabIndex={-1}>
        {t.railNames[state.rail]}
      </h2>
      {panel?.Lead && <panel.Lead {...props} />}
      {state.error ? (
        <div className="stack">
          <p className="error">{props.errorText(state.error)}</p>
          <button type="button" onClick={props.retry}>
            {t.tryAgain}
          </button>
        </div>
      ) : load.state === 'failed' ? (
        <div className="stack">
          <p className="error">{t.errors.network}</p>
          <button type="button" onClick={load.retry}>
            {t.tryAgain}
          </button>
        </div>
      ) : panel && instructions && instructions.rail === state.rail ? (
        <panel.Body {...(props as PanelProps<Rail>)} instructions={instructions} />
      ) : (
        (!waitsForToken || !panel) && <p className="muted">{t.preparing}</p>
      )}
      {props.changeMethod && (
        <button type="button" className="link-button" onClick={props.changeMethod}>
          {t.changeMethod}
        </button>
      )}
    </section>
  );
}
