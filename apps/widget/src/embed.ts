import type { KassaMessageType } from '@kassa/client/embed/messages';
import type { CheckoutStatus } from './api';

/** What the loader on the merchant's page understands: one list, the loader's own. */
export type ParentMessageType = KassaMessageType;

export type ParentChannel = Readonly<{
  post(type: ParentMessageType, status?: CheckoutStatus): void;
  /** Tells the host page each change of the status: `kassa:status`, then the event it names. */
  statusChanged(status: CheckoutStatus): void;
  close(): void;
}>;

const STATUS_EVENTS: Partial<Record<CheckoutStatus, ParentMessageType>> = {
  paid: 'kassa:paid',
  overpaid: 'kassa:paid',
  partially_paid: 'kassa:partially_paid',
  processing: 'kassa:processing',
  expired: 'kassa:expired',
  failed: 'kassa:failed',
  canceled: 'kassa:canceled',
};

/**
 * Messages to the page that frames this one. They go only to `parentOrigin` (the origin the API
 * checked against the merchant's allowed origins), so no other page can read them; they carry
 * the checkout id and status, never a key.
 */
export function openParentChannel(
  target: Pick<Window, 'postMessage'>,
  parentOrigin: string,
  checkoutId: string,
  doc: Document,
): ParentChannel {
  const post = (type: ParentMessageType, status?: CheckoutStatus, height?: number) =>
    target.postMessage(
      {
        source: 'kassa',
        type,
        checkoutId,
        ...(status ? { status } : {}),
        ...(height === undefined ? {} : { height }),
      },
      parentOrigin,
    );
  let lastHeight = -1;
  const sendHeight = () => {
    const height = Math.ceil(doc.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post('kassa:resize', undefined, height);
    }
  };
  const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(sendHeight);
  observer?.observe(doc.documentElement);
  sendHeight();
  let lastStatus: CheckoutStatus | null = null;
  let lastEvent: ParentMessageType | null = null;
  return {
    post: (type, status) => post(type, status),
    statusChanged(status) {
      if (status === lastStatus) return;
      lastStatus = status;
      post('kassa:status', status);
      // paid then overpaid is one payment for the host page: kassa:paid once.
      const event = STATUS_EVENTS[status];
      if (event && event !== lastEvent) post(event, status);
      lastEvent = event ?? null;
    },
    close: () => observer?.disconnect(),
  };
}
