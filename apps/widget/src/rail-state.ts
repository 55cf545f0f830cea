import type { ApiError, PayInstructions, Rail } from './api';

// The payer's choice of rail, shared by the page (app.tsx) and the rail panels: both point down here.

/** `asset` is the token of a stablecoin invoice; choosing 'evm' without one only offers the tokens. */
export type ChooseRail = (rail: Rail, asset?: string) => void;
export type RailState =
  | { rail: null }
  | { rail: Rail; instructions: PayInstructions | null; error: ApiError | null; asset?: string };
