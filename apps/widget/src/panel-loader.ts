import { useEffect, useState } from 'react';
import type { Rail } from './api';
import type { PanelModule } from './rail-state';

// Each rail's panel is a chunk of its own, fetched when the payer shows interest in that rail
// (points at it, tabs to it, picks it, or it is the only one): the first load carries none, and a
// new rail adds nothing to it. One promise per rail, kept for the page's life, so hovering, then
// focusing, then choosing fetches once, and a panel already here renders at once, with no flash.

type Panels = { [R in Rail]: PanelModule<R> };

const IMPORTS: { [R in Rail]: () => Promise<Panels[R]> } = {
  sandbox: () => import('./panels/sandbox'),
  card: () => import('./panels/card'),
  stellar: () => import('./panels/stellar'),
  evm: () => import('./panels/evm'),
};

const loading = new Map<Rail, Promise<unknown>>();
const loaded = new Map<Rail, unknown>();

/** Starts fetching a rail's panel, once; a failed fetch is forgotten, so the next call tries again. */
export function preloadPanel<R extends Rail>(rail: R): Promise<Panels[R]> {
  let promise = loading.get(rail) as Promise<Panels[R]> | undefined;
  if (promise === undefined) {
    promise = IMPORTS[rail]().then(
      (panel) => {
        loaded.set(rail, panel);
        return panel;
      },
      (error: unknown) => {
        loading.delete(rail);
        throw error;
      },
    );
    loading.set(rail, promise);
  }
  return promise;
}

/** The rail's panel if it is here already; null until it has arrived. */
export function loadedPanel<R extends Rail>(rail: R): Panels[R] | null {
  return (loaded.get(rail) as Panels[R] | undefined) ?? null;
}

export type PanelLoad<R extends Rail> =
  { state: 'loaded'; panel: Panels[R] } | { state: 'loading' } | { state: 'failed'; retry: () => void };

/** The rail's panel, fetched if need be; the component renders again when it arrives or fails. */
export function usePanel<R extends Rail>(rail: R): PanelLoad<R> {
  const panel = loadedPanel(rail);
  const [failed, setFailed] = useState<{ rail: Rail; attempt: number } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [, arrived] = useState(0);
  useEffect(() => {
    if (panel) return;
    let current = true;
    preloadPanel(rail).then(
      () => current && arrived((n) => n + 1),
      () => current && setFailed({ rail, attempt }),
    );
    return () => {
      current = false;
    };
  }, [rail, panel, attempt]);
  if (panel) return { state: 'loaded', panel };
  if (failed && failed.rail === rail && failed.attempt === attempt) {
    return { state: 'failed', retry: () => setAttempt(attempt + 1) };
  }
  return { state: 'loading' };
}
