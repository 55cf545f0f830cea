import { err, ok, type Result } from '@kassa/core';
import { z } from 'zod';

// SHKeeper's API as Kassa uses it (PROVIDERS.md 2.2), parsed with zod. Auth failures come back as
// HTTP 200 with `status: "error"`, so every body is checked, whatever the status code.

const Decimal = z.string().regex(/^\d{1,30}(\.\d{1,18})?$/, 'a decimal string');

export const PaymentRequestResponse = z.object({
  status: z.literal('success'),
  id: z.union([z.number(), z.string()]),
  amount: Decimal,
  exchange_rate: Decimal,
  wallet: z.string().min(20).max(120),
  display_name: z.string().optional(),
});
export type PaymentRequestResponse = z.infer<typeof PaymentRequestResponse>;

export const InvoiceTx = z.object({
  txid: z.string().min(10).max(200),
  addr: z.string().optional(),
  amount: Decimal,
  crypto: z.string().min(1).max(40),
  status: z.string(),
});

export const Invoice = z.object({
  external_id: z.string(),
  fiat: z.string(),
  amount_fiat: Decimal.optional(),
  balance_fiat: Decimal.optional(),
  status: z.string(),
  txs: z.array(InvoiceTx),
});
export type Invoice = z.infer<typeof Invoice>;

const InvoicesResponse = z.object({ status: z.literal('success'), invoices: z.array(Invoice) });

const ErrorBody = z.object({ status: z.literal('error'), message: z.string() });

export type ShkeeperError = Readonly<{
  /** `refused`: SHKeeper answered with an error (bad key, crypto disabled or lagging, …). */
  code: 'unavailable' | 'refused';
  message: string;
}>;

export type ShkeeperClient = ReturnType<typeof createShkeeperClient>;

const TIMEOUT_MS = 15_000;

export function createShkeeperClient(config: Readonly<{ url: string; apiKey: string }>) {
  const base = `${config.url}/api/v1`;

  async function call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<Result<z.infer<T>, ShkeeperError>> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          'x-shkeeper-api-key': config.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      return err({ code: 'unavailable', message: `SHKeeper could not be reached: ${String(cause)}` });
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      return err({ code: 'unavailable', message: `SHKeeper answered ${response.status} without JSON` });
    }
    const refused = ErrorBody.safeParse(json);
    if (refused.success) return err({ code: 'refused', message: refused.data.message });
    const parsed = schema.safeParse(json);
    if (!response.ok || !parsed.success) {
      return err({
        code: 'unavailable',
        message: `SHKeeper answered ${response.status} in an unexpected shape${parsed.success ? '' : `: ${parsed.error.issues[0]?.message ?? ''}`}`,
      });
    }
    return ok(parsed.data);
  }

  return {
    /**
     * Creates the invoice, or updates it: SHKeeper finds it by external id, callback URL and fiat,
     * re-quotes, and keeps each crypto's address (an old one stays credited).
     */
    paymentRequest(
      crypto: string,
      request: Readonly<{ external_id: string; fiat: string; amount: string; callback_url: string }>,
    ) {
      return call('POST', `/${encodeURIComponent(crypto)}/payment_request`, PaymentRequestResponse, request);
    },

    /** The invoice as SHKeeper holds it now, with every transaction; null when it has none. */
    async invoice(externalId: string): Promise<Result<Invoice | null, ShkeeperError>> {
      const found = await call('GET', `/invoices/${encodeURIComponent(externalId)}`, InvoicesResponse);
      if (!found.ok) return found;
      return ok(found.value.invoices.find((i) => i.external_id === externalId) ?? null);
    },
  };
}
