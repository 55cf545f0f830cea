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

const PayoutCreated = z.object({ task_id: z.union([z.string(), z.number()]).transform(String) });
const PayoutStatus = z.object({
  external_id: z.string().nullable().optional(),
  status: z.enum(['IN_PROGRESS', 'SUCCESS', 'FAIL']),
  txid: z.string().nullable().optional(),
});
const TaskStatus = z.object({
  status: z.string(),
  result: z.union([z.array(z.object({ status: z.string() })), z.string(), z.null()]).optional(),
});
export type PayoutOutcome = 'unknown' | 'in_progress' | 'success' | 'failed';

export function createShkeeperClient(
  config: Readonly<{
    url: string;
    apiKey: string;
    admin: Readonly<{ user: string; password: string }> | null;
  }>,
) {
  const base = `${config.url}/api/v1`;

  async function call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    body?: unknown,
    /** Payouts take the admin login (HTTP Basic) instead of the API key. */
    auth: 'api_key' | 'admin' = 'api_key',
  ): Promise<Result<z.infer<T>, ShkeeperError>> {
    let response: Response;
    const credentials =
      auth === 'admin' && config.admin
        ? {
            authorization: `Basic ${Buffer.from(`${config.admin.user}:${config.admin.password}`).toString('base64')}`,
          }
        : { 'x-shkeeper-api-key': config.apiKey };
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...credentials,
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
    const missing = z.object({ error: z.string() }).safeParse(json);
    if (response.status === 404 && missing.success)
      return err({ code: 'refused', message: missing.data.error });
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

    /**
     * Sends tokens from SHKeeper's wallet. `external_id` makes it once-only: SHKeeper answers a
     * repeat with HTTP 500 "already exists", read here as `submitted` (PROVIDERS.md 2.3).
     */
    async payout(
      crypto: string,
      request: Readonly<{
        amount: string;
        destination: string;
        fee: string;
        callback_url: string;
        external_id: string;
      }>,
    ): Promise<Result<{ taskId: string | null }, ShkeeperError>> {
      if (!config.admin)
        return err({ code: 'refused', message: 'payouts need SHKEEPER_ADMIN_USER and _PASSWORD' });
      const sent = await call(
        'POST',
        `/${encodeURIComponent(crypto)}/payout`,
        PayoutCreated,
        request,
        'admin',
      );
      if (sent.ok) return ok({ taskId: sent.value.task_id });
      // Sent before (by an earlier try): fine, but its task id is the earlier answer's.
      if (/already exists/i.test(sent.error.message)) return ok({ taskId: null });
      return sent;
    },

    /**
     * A payout task: SUCCESS with every item sent, or failed (FAILURE, or an item in error, which
     * SHKeeper's payout/status never reports: it stays IN_PROGRESS there for good).
     */
    async task(crypto: string, taskId: string): Promise<Result<PayoutOutcome, ShkeeperError>> {
      const found = await call(
        'GET',
        `/${encodeURIComponent(crypto)}/task/${encodeURIComponent(taskId)}`,
        TaskStatus,
        undefined,
        'admin',
      );
      if (!found.ok) return found;
      const { status, result } = found.value;
      if (status === 'FAILURE') return ok('failed');
      if (status !== 'SUCCESS') return ok('in_progress');
      const items = Array.isArray(result) ? result : [];
      return ok(items.length > 0 && items.every((i) => i.status === 'success') ? 'success' : 'failed');
    },

    /** Where a payout stands, by its external id; `unknown` when SHKeeper never got it. */
    async payoutStatus(crypto: string, externalId: string): Promise<Result<PayoutOutcome, ShkeeperError>> {
      const query = new URLSearchParams({ external_id: externalId });
      const found = await call(
        'GET',
        `/${encodeURIComponent(crypto)}/payout/status?${query.toString()}`,
        PayoutStatus,
      );
      if (!found.ok) return /not found/i.test(found.error.message) ? ok('unknown') : found;
      const outcomes = { IN_PROGRESS: 'in_progress', SUCCESS: 'success', FAIL: 'failed' } as const;
      return ok(outcomes[found.value.status]);
    },

    /** The invoice as SHKeeper holds it now, with every transaction; null when it has none. */
    async invoice(externalId: string): Promise<Result<Invoice | null, ShkeeperError>> {
      const found = await call('GET', `/invoices/${encodeURIComponent(externalId)}`, InvoicesResponse);
      if (!found.ok) return found;
      return ok(found.value.invoices.find((i) => i.external_id === externalId) ?? null);
    },
  };
}
