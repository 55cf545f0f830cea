import type { ReactNode } from 'react';
import type { ApiError, CheckoutView, PayInstructions, Rail } from './api';
import type { Amount } from './format-amount';
import type { Messages } from './i18n';
import type { Simulate, StellarPayer } from './live';

// The payer's choice of rail and what a rail's panel is given, shared by the page (app.tsx,
// panels.tsx) and the rail panels (panels/*.tsx): both point down here. Types only, so a panel's
// chunk and the page's never pull each other in.

/** `asset` is the token of a stablecoin invoice; choosing 'evm' without one only offers the tokens. */
export type ChooseRail = (rail: Rail, asset?: string) => void;
export type RailState =
  | { rail: null }
  | { rail: Rail; instructions: PayInstructions | null; error: ApiError | null; asset?: string };

export type RailPanelProps = {
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

/** What one rail's panel is given once the API has answered with that rail's instructions. */
export type PanelProps<R extends Rail> = RailPanelProps & {
  instructions: Extract<PayInstructions, { rail: R }>;
};

/**
 * A rail's panel, a module of its own (panels/{rail}.tsx, loaded when the payer picks the rail):
 * `Body` shows the instructions; `Lead`, if any, what comes before them (the stablecoin's token).
 */
export type PanelModule<R extends Rail> = Readonly<{
  Body: (props: PanelProps<R>) => ReactNode;
  Lead?: (props: RailPanelProps) => ReactNode;
}>;
