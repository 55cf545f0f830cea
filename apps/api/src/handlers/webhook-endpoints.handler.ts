import { DOMAIN_EVENT_TYPES, err, ok, type Result } from '@kassa/core';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listDeliveries,
  listWebhookEndpoints,
  resendDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type DeliveryRecord,
  type MerchantKey,
  type WebhookEndpoint,
} from '@kassa/db';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { KassaError } from '../errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https always; plain http only to this machine and only for test keys (a local receiver while developing). */
function checkUrl(url: string, mode: MerchantKey['mode']): KassaError | null {
  const parsed = new URL(url);
  if (parsed.username || parsed.password)
    return { code: 'url_invalid', message: 'The URL must not carry credentials.' };
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && mode === 'test' && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return {
    code: 'url_invalid',
    message:
      mode === 'test'
        ? 'Use an https URL, or http on localhost for test keys.'
        : 'Live webhooks need an https URL.',
  };
}

const EventTypes = z.array(z.enum(DOMAIN_EVENT_TYPES)).max(DOMAIN_EVENT_TYPES.length);

export const CreateEndpointInput = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048),
  /** Event types to receive; omitted or empty means all of them. */
  eventTypes: EventTypes.optional(),
  description: z.string().max(500).optional(),
});
export type CreateEndpointInput = z.infer<typeof CreateEndpointInput>;

export const UpdateEndpointInput = z.strictObject({
  id: z.string().min(1).max(64),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  eventTypes: EventTypes.optional(),
  description: z.string().max(500).nullable().optional(),
  enabled: z.boolean().optional(),
});
export type UpdateEndpointInput = z.infer<typeof UpdateEndpointInput>;

export const RotateSecretInput = z.strictObject({
  id: z.string().min(1).max(64),
  /** How long the old secret keeps signing beside the new one: up to 7 days, default 24 h. */
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional(),
});

export const ListDeliveriesInput = z
  .strictObject({
    endpointId: z.string().min(1).max(64).optional(),
    eventId: z.string().min(1).max(64).optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ limit: 50 });
export type ListDeliveriesInput = z.infer<typeof ListDeliveriesInput>;

// Up to 18 digits: always inside PostgreSQL's bigint.
export const ResendDeliveryInput = z.strictObject({ deliveryId: z.string().regex(/^[0-9]{1,18}$/) });

export async function createEndpoint(
  deps: ApiDeps,
  key: MerchantKey,
  input: CreateEndpointInput,
): Promise<Result<{ endpoint: WebhookEndpoint; secret: string }, KassaError>> {
  const invalid = checkUrl(input.url, key.mode);
  if (invalid) return err(invalid);
  const created = await createWebhookEndpoint(
    deps.db.orm,
    key,
    { url: input.url, eventTypes: input.eventTypes ?? [], description: input.description ?? null },
    deps.clock(),
  );
  deps.log.info({ merchantId: key.merchantId, endpointId: created.endpoint.id }, 'webhook endpoint created');
  return ok(created);
}

export async function updateEndpoint(
  deps: ApiDeps,
  key: MerchantKey,
  input: UpdateEndpointInput,
): Promise<Result<WebhookEndpoint, KassaError>> {
  if (input.url) {
    const invalid = checkUrl(input.url, key.mode);
    if (invalid) return err(invalid);
  }
  const updated = await updateWebhookEndpoint(deps.db.orm, key, input.id, input, deps.clock());
  return updated ? ok(updated) : err({ code: 'not_found', message: `No webhook endpoint ${input.id}.` });
}

export async function deleteEndpoint(
  deps: ApiDeps,
  key: MerchantKey,
  id: string,
): Promise<Result<true, KassaError>> {
  return (await deleteWebhookEndpoint(deps.db.orm, key, id, deps.clock()))
    ? ok(true)
    : err({ code: 'not_found', message: `No webhook endpoint ${id}.` });
}

export async function rotateSecret(
  deps: ApiDeps,
  key: MerchantKey,
  id: string,
  overlapSeconds: number,
): Promise<Result<{ endpoint: WebhookEndpoint; secret: string }, KassaError>> {
  const rotated = await rotateWebhookSecret(deps.db.orm, key, id, overlapSeconds * 1000, deps.clock());
  if (rotated) return ok(rotated);
  const existing = (await listWebhookEndpoints(deps.db.orm, key)).find((e) => e.id === id);
  if (!existing) return err({ code: 'not_found', message: `No webhook endpoint ${id}.` });
  return err({
    code: 'rotation_in_progress',
    message: `The previous secret still signs until ${existing.secretRotatesOutAt?.toISOString() ?? 'the overlap ends'}; rotate again after that.`,
  });
}

export function endpointsOf(deps: ApiDeps, key: MerchantKey): Promise<WebhookEndpoint[]> {
  return listWebhookEndpoints(deps.db.orm, key);
}

export function deliveriesOf(
  deps: ApiDeps,
  key: MerchantKey,
  input: ListDeliveriesInput,
): Promise<DeliveryRecord[]> {
  return listDeliveries(deps.db.orm, key, input);
}

export async function resend(
  deps: ApiDeps,
  key: MerchantKey,
  deliveryId: string,
): Promise<Result<true, KassaError>> {
  return (await resendDelivery(deps.db.orm, key, BigInt(deliveryId), deps.clock()))
    ? ok(true)
    : err({ code: 'not_found', message: `No delivery ${deliveryId}.` });
}
