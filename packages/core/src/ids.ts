/** Branded, prefixed ids: a `PaymentId` can never be passed where a `MerchantId` is meant. */
export type PaymentId = string & { readonly __brand: 'PaymentId' };
export type MerchantId = string & { readonly __brand: 'MerchantId' };

export const ID_PREFIX = { payment: 'pay_', merchant: 'mer_' } as const;

export function asPaymentId(value: string): PaymentId {
  return value as PaymentId;
}

export function asMerchantId(value: string): MerchantId {
  return value as MerchantId;
}

export function isPaymentId(value: string): value is PaymentId {
  return /^pay_[0-9A-Za-z]{10,40}$/.test(value);
}
