// No DOM here: servers (the demo page, merchants' backends) use this list too.

/** Messages the checkout page posts to its embedding page. */
export const KASSA_MESSAGE_TYPES = [
  'kassa:ready',
  'kassa:resize',
  'kassa:status',
  'kassa:paid',
  'kassa:partially_paid',
  'kassa:processing',
  'kassa:expired',
  'kassa:failed',
  'kassa:canceled',
  'kassa:closed',
] as const;
export type KassaMessageType = (typeof KASSA_MESSAGE_TYPES)[number];
