import { useEffect, type RefObject } from 'react';

// Whether the payer has done anything yet. Focus is moved only after that: moving it on load would
// scroll the merchant's page to the iframe and steal focus from it.
let interacted = false;
if (typeof document !== 'undefined') {
  const mark = () => (interacted = true);
  document.addEventListener('pointerdown', mark, { capture: true, once: true });
  document.addEventListener('keydown', mark, { capture: true, once: true });
}

/**
 * When what had keyboard focus was just removed (a rail chosen, the payment section gone once the
 * checkout is final), focus would fall back to the top of the page; this puts it on `target`
 * instead, so keyboard and screen-reader users carry on where things changed.
 */
export function useRestoreFocus(target: RefObject<HTMLElement | null>, key: unknown): void {
  useEffect(() => {
    const active = document.activeElement;
    if (interacted && (active === null || active === document.body)) target.current?.focus();
  }, [target, key]);
}
