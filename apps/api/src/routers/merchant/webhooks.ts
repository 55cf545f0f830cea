import type { DeliveryRecord, WebhookEndpoint } from '@kassa/db';
import { z } from 'zod';
import { toTrpcError } from '../../errors';
import {
  createEndpoint,
  CreateEndpointInput,
  deleteEndpoint,
  deliveriesOf,
  endpointsOf,
  ListDeliveriesInput,
  resend,
  ResendDeliveryInput,
  rotateSecret,
  RotateSecretInput,
  updateEndpoint,
  UpdateEndpointInput,
} from '../../handlers/webhook-endpoints.handler';
import { merchantProcedure, router } from '../../trpc';

function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    eventTypes: [...e.eventTypes],
    description: e.description,
    /** `disabled` with a reason when the merchant turned it off or every delivery failed for days. */
    status: e.status,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt: e.secretRotatesOutAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    attempts: d.attempts.map((a) => ({ ...a, startedAt: a.startedAt.toISOString() })),
  };
}

const ById = z.strictObject({ id: z.string().min(1).max(64) });
const DEFAULT_OVERLAP_S = 24 * 3600;

export const webhookEndpointsRouter = router({
  /** The signing secret is in this answer only; store it. */
  create: merchantProcedure.input(CreateEndpointInput).mutation(async ({ ctx, input }) => {
    const result = await createEndpoint(ctx.deps, ctx.merchant, input);
    if (!result.ok) throw toTrpcError(result.error);
    return { endpoint: endpointView(result.value.endpoint), secret: result.value.secret };
  }),
  list: merchantProcedure.query(async ({ ctx }) => ({
    data: (await endpointsOf(ctx.deps, ctx.merchant)).map(endpointView),
  })),
  update: merchantProcedure.input(UpdateEndpointInput).mutation(async ({ ctx, input }) => {
    const result = await updateEndpoint(ctx.deps, ctx.merchant, input);
    if (!result.ok) throw toTrpcError(result.error);
    return endpointView(result.value);
  }),
  delete: merchantProcedure.input(ById).mutation(async ({ ctx, input }) => {
    const result = await deleteEndpoint(ctx.deps, ctx.merchant, input.id);
    if (!result.ok) throw toTrpcError(result.error);
    return { id: input.id, deleted: true };
  }),
  /** A new secret; the old one keeps signing beside it (two `v1,` signatures) for the overlap. */
  rotateSecret: merchantProcedure.input(RotateSecretInput).mutation(async ({ ctx, input }) => {
    const result = await rotateSecret(
      ctx.deps,
      ctx.merchant,
      input.id,
      input.overlapSeconds ?? DEFAULT_OVERLAP_S,
    );
    if (!result.ok) throw toTrpcError(result.error);
    return { endpoint: endpointView(result.value.endpoint), secret: result.value.secret };
  }),
});

export const deliveriesRouter = router({
  list: merchantProcedure.input(ListDeliveriesInput).query(async ({ ctx, input }) => ({
    data: (await deliveriesOf(ctx.deps, ctx.merchant, input)).map(deliveryView),
  })),
  resend: merchantProcedure.input(ResendDeliveryInput).mutation(async ({ ctx, input }) => {
    const result = await resend(ctx.deps, ctx.merchant, input.deliveryId);
    if (!result.ok) throw toTrpcError(result.error);
    return { id: input.deliveryId, status: 'pending' as const };
  }),
});
