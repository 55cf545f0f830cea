import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  buildStellarTransaction,
  confirmTransaction,
  FINAL_STATUSES,
  getCheckout,
  isNewerView,
  openCheckoutStream,
  simulateCheckout,
  submitStellarTransaction,
  type ApiError,
  type ApiResult,
  type CheckoutView,
  type SimulateOutcome,
  type StellarPaid,
  type UnsignedStellarPayment,
} from './api';
import type { KassaConfig } from './config';

const POLL_INTERVAL_MS = 2_000;

export type Simulate = (outcome: SimulateOutcome) => Promise<ApiResult<CheckoutView>>;

/** What the Stellar panel asks of the API; a transaction taken in shows its checkout at once. */
export type StellarPayer = Readonly<{
  confirm(txHash: string): Promise<ApiResult<StellarPaid>>;
  build(payerAccount: string): Promise<ApiResult<UnsignedStellarPayment>>;
  submit(signedXdr: string): Promise<ApiResult<StellarPaid>>;
}>;

const itself = (view: CheckoutView) => view;
const checkoutOf = (paid: StellarPaid) => paid.checkout;

/**
 * Follows the checkout live over server-sent events until its status is final, polling every 2 s
 * instead when the stream fails or the browser has no EventSource. Answers can arrive out of order
 * (a poll sent before a simulate call may return after it, a stream event may pass a poll), so a
 * view is shown only if no later request's view, and no later state, is on screen already.
 */
export function useLiveCheckout(config: KassaConfig) {
  const [checkout, setCheckout] = useState<CheckoutView | null>(null);
  const [pollError, setPollError] = useState<ApiError | null>(null);
  const requests = useRef({ sent: 0, shown: 0 });
  const final = checkout !== null && FINAL_STATUSES.has(checkout.status);

  const show = useCallback((view: CheckoutView) => {
    setCheckout((current) => (isNewerView(current, view) ? view : current));
  }, []);

  const send = useCallback(
    async <T>(call: () => Promise<ApiResult<T>>, viewOf: (value: T) => CheckoutView) => {
      const id = ++requests.current.sent;
      const result = await call();
      if (result.ok && id > requests.current.shown) {
        requests.current.shown = id;
        show(viewOf(result.value));
      }
      return result;
    },
    [show],
  );

  useEffect(() => {
    if (final) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      const result = await send(() => getCheckout(config, controller.signal), itself);
      if (controller.signal.aborted) return;
      setPollError(result.ok ? null : result.error);
      const again = result.ok ? !FINAL_STATUSES.has(result.value.status) : result.error.retryable;
      if (again) timer = setTimeout(() => void poll(), POLL_INTERVAL_MS);
    }
    const closeStream = openCheckoutStream(config, {
      onView(view) {
        setPollError(null);
        show(view);
      },
      onError() {
        if (!controller.signal.aborted) void poll();
      },
      onReconnecting() {
        // One read while the stream reconnects, so nothing is missed in between.
        if (!controller.signal.aborted) {
          void send(() => getCheckout(config, controller.signal), itself);
        }
      },
    });
    if (!closeStream) void poll();
    return () => {
      closeStream?.();
      controller.abort();
      clearTimeout(timer);
    };
  }, [config, final, send, show]);

  const simulate = useCallback<Simulate>(
    (outcome) => send(() => simulateCheckout(config, outcome), itself),
    [config, send],
  );
  const stellar = useMemo<StellarPayer>(
    () => ({
      confirm: (txHash) => send(() => confirmTransaction(config, txHash), checkoutOf),
      build: (payerAccount) => buildStellarTransaction(config, payerAccount),
      submit: (signedXdr) => send(() => submitStellarTransaction(config, signedXdr), checkoutOf),
    }),
    [config, send],
  );
  return { checkout, pollError, simulate, stellar };
}
