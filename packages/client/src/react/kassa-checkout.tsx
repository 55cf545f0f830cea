import { useEffect, useRef } from 'react';
import { mount, type KassaEmbed, type MountOptions } from '../embed/mount';

export type { KassaEvent, KassaListener } from '../embed/mount';

export type KassaCheckoutProps = MountOptions & Readonly<{ className?: string }>;

/**
 * The checkout in an iframe. It mounts in an effect, so server rendering gives an empty container;
 * a new `checkoutId`, `publishableKey` or `apiUrl` mounts again, new callbacks do not.
 *
 * ```tsx
 * <KassaCheckout checkoutId={id} publishableKey={pk} apiUrl="https://pay.example.com" onPaid={showReceipt} />
 * ```
 */
export function KassaCheckout(props: KassaCheckoutProps) {
  const { checkoutId, publishableKey, apiUrl, title, className } = props;
  const container = useRef<HTMLDivElement>(null);
  const embed = useRef<KassaEmbed | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const { title: initialTitle } = latest.current;
    const mounted = mount(element, {
      checkoutId,
      publishableKey,
      apiUrl,
      ...(initialTitle === undefined ? {} : { title: initialTitle }),
      onEvent: (event) => latest.current.onEvent?.(event),
      onPaid: (event) => latest.current.onPaid?.(event),
      onExpired: (event) => latest.current.onExpired?.(event),
      onFailed: (event) => latest.current.onFailed?.(event),
      onClosed: (event) => latest.current.onClosed?.(event),
    });
    embed.current = mounted;
    return () => {
      mounted.unmount();
      embed.current = null;
    };
  }, [checkoutId, publishableKey, apiUrl]);

  // A new title renames the frame; reloading the checkout for it would lose the payer's place.
  useEffect(() => {
    if (embed.current && title !== undefined) embed.current.iframe.title = title;
  }, [title]);

  return <div ref={container} className={className} />;
}
