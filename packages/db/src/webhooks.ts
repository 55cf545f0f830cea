import { randomBytes } from 'node:crypto';
import type { Mode } from '@kassa/core';
import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { rowsOf, type Database } from './client';
import { newId } from './ids';
import { outbox, payments, webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema';

type EndpointRow = typeof webhookEndpoints.$inferSelect;

export type WebhookEndpoint = Readonly<{
  id: string;
  mode: Mode;
  url: string;
  eventTypes: readonly string[];
  description: string | null;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failingSince: Date | null;
  secretRotatesOutAt: Date | null;
  createdAt: Date;
}>;

/** `whsec_` and 24 random bytes in base64, as Standard Webhooks libraries expect. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    mode: row.mode,
    url: row.url,
    eventTypes: row.eventTypes,
    description: row.description,
    status: row.status,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    secretRotatesOutAt: row.previousSecretExpiresAt,
    createdAt: row.createdAt,
  };
}

type Scope = Readonly<{ merchantId: string; mode: Mode }>;

export async function createWebhookEndpoint(
  db: Database,
  scope: Scope,
  input: { url: string; eventTypes: readonly string[]; description: string | null },
  now = new Date(),
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = generateWebhookSecret();
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      id: newId('we_'),
      ...scope,
      url: input.url,
      eventTypes: [...input.eventTypes],
      description: input.description,
      secret,
      status: 'enabled',
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error('endpoint insert returned nothing');
  return { endpoint: toEndpoint(row), secret };
}

const visible = (scope: Scope, id?: string) =>
  and(
    eq(webhookEndpoints.merchantId, scope.merchantId),
    eq(webhookEndpoints.mode, scope.mode),
    isNull(webhookEndpoints.deletedAt),
    id === undefined ? undefined : eq(webhookEndpoints.id, id),
  );

export async function listWebhookEndpoints(db: Database, scope: Scope): Promise<WebhookEndpoint[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(visible(scope))
    .orderBy(asc(webhookEndpoints.createdAt));
  return rows.map(toEndpoint);
}

export async function updateWebhookEndpoint(
  db: Database,
  scope: Scope,
  id: string,
  changes: {
    url?: string | undefined;
    eventTypes?: readonly string[] | undefined;
    description?: string | null | undefined;
    enabled?: boolean | undefined;
  },
  now = new Date(),
): Promise<WebhookEndpoint | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.eventTypes !== undefined ? { eventTypes: [...changes.eventTypes] } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      // Turning an endpoint back on starts its failure clock afresh.
      ...(changes.enabled === true
        ? { status: 'enabled' as const, disabledReason: null, failingSince: null }
        : {}),
      ...(changes.enabled === false
        ? { status: 'disabled' as const, disabledReason: 'disabled by the merchant' }
        : {}),
      updatedAt: now,
    })
    .where(visible(scope, id))
    .returning();
  return row ? toEndpoint(row) : null;
}

/** Deleted endpoints get nothing more; their pending deliveries stop. */
export async function deleteWebhookEndpoint(
  db: Database,
  scope: Scope,
  id: string,
  now = new Date(),
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [owned] = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(visible(scope, id));
    if (!owned) return false;
    // Deliveries before the endpoint: the order recordAttempt takes its locks in.
    await tx
      .update(webhookDeliveries)
      .set({ status: 'failed', lastError: 'endpoint deleted' })
      .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, 'pending')));
    await tx
      .update(webhookEndpoints)
      .set({ deletedAt: now, status: 'disabled', disabledReason: 'deleted', updatedAt: now })
      .where(eq(webhookEndpoints.id, id));
    return true;
  });
}

/** A new secret; the old one keeps signing beside it until the overlap ends. */
export async function rotateWebhookSecret(
  db: Database,
  scope: Scope,
  id: string,
  overlapMs: number,
  now = new Date(),
): Promise<{ endpoint: WebhookEndpoint; secret: string } | null> {
  const secret = generateWebhookSecret();
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      previousSecret: sql`${webhookEndpoints.secret}`,
      previousSecretExpiresAt: new Date(now.getTime() + overlapMs),
      secret,
      updatedAt: now,
    })
    // During an overlap the old secret is still promised to the merchant: no second rotation yet.
    .where(
      and(
        visible(scope, id),
        or(
          isNull(webhookEndpoints.previousSecretExpiresAt),
          lte(webhookEndpoints.previousSecretExpiresAt, now),
        ),
      ),
    )
    .returning();
  return row ? { endpoint: toEndpoint(row), secret } : null;
}

/** The instant a statement works at: the caller's clock in tests, else the database's own. */
function clockOf(now: Date | undefined) {
  // One clock for every worker: leases compared across machines must not depend on their skew.
  return now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
}

/**
 * Turns new outbox events into one delivery per matching endpoint (not deleted) of the payment's
 * merchant and mode. Rows are taken with SKIP LOCKED, so several workers fan out without overlap.
 */
export async function fanOutEvents(db: Database, now?: Date, limit = 200): Promise<number> {
  const at = clockOf(now);
  return db.transaction(async (tx) => {
    const events = await tx
      .select({
        eventId: outbox.eventId,
        id: outbox.id,
        merchantId: outbox.merchantId,
        type: outbox.type,
        createdAt: outbox.createdAt,
        mode: payments.mode,
      })
      .from(outbox)
      .innerJoin(payments, eq(payments.id, outbox.paymentId))
      .where(isNull(outbox.publishedAt))
      .orderBy(asc(outbox.id))
      .limit(limit)
      .for('update', { of: outbox, skipLocked: true });
    if (events.length === 0) return 0;
    const merchantIds = [...new Set(events.map((e) => e.merchantId))];
    const endpoints = await tx
      .select({
        id: webhookEndpoints.id,
        merchantId: webhookEndpoints.merchantId,
        mode: webhookEndpoints.mode,
        eventTypes: webhookEndpoints.eventTypes,
        createdAt: webhookEndpoints.createdAt,
      })
      .from(webhookEndpoints)
      .where(
        and(
          inArray(webhookEndpoints.merchantId, merchantIds),
          // Disabled endpoints get their deliveries too; they wait until it is enabled again.
          isNull(webhookEndpoints.deletedAt),
        ),
      );
    const deliveries = events.flatMap((event) =>
      endpoints
        .filter((ep) => ep.merchantId === event.merchantId && ep.mode === event.mode)
        // An endpoint hears of what happens after it exists, not of older events still queued.
        .filter((ep) => ep.createdAt.getTime() <= event.createdAt.getTime())
        .filter((ep) => ep.eventTypes.length === 0 || ep.eventTypes.includes(event.type))
        .map((ep) => ({
          endpointId: ep.id,
          eventId: event.eventId,
          merchantId: event.merchantId,
          status: 'pending' as const,
          attempts: 0,
          nextAttemptAt: at,
          createdAt: at,
        })),
    );
    if (deliveries.length > 0) await tx.insert(webhookDeliveries).values(deliveries).onConflictDoNothing();
    await tx
      .update(outbox)
      .set({ publishedAt: at })
      .where(
        inArray(
          outbox.id,
          events.map((e) => e.id),
        ),
      );
    return deliveries.length;
  });
}

/** Attempts one endpoint may have in flight at once, over all workers. */
export const MAX_IN_FLIGHT_PER_ENDPOINT = 4;

/** Everything one attempt needs: where, with which secrets, and the exact bytes to sign. */
export type DueDelivery = Readonly<{
  deliveryId: bigint;
  attempt: number;
  endpointId: string;
  mode: Mode;
  url: string;
  secrets: readonly string[];
  eventId: string;
  body: string;
}>;

/**
 * Claims due deliveries under a lease (`FOR UPDATE SKIP LOCKED`): no two workers send one at the
 * same time. A worker that dies after sending leaves the lease to run out, and the delivery is
 * sent again later with the same `webhook-id`, as at-least-once requires. `now` is for tests;
 * workers leave it out and the database's clock decides, the same for every process.
 */
export async function claimDueDeliveries(
  db: Database,
  now: Date | undefined,
  limit: number,
  leaseMs: number,
): Promise<DueDelivery[]> {
  if (limit <= 0) return [];
  const at = clockOf(now);
  return db.transaction(async (tx) => {
    const candidates = await tx
      .select({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(
        and(
          // A disabled endpoint's deliveries wait; they go out again once it is re-enabled.
          eq(webhookEndpoints.status, 'enabled'),
          eq(webhookDeliveries.status, 'pending'),
          lte(webhookDeliveries.nextAttemptAt, at),
          or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, at)),
        ),
      )
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit * 4)
      .for('update', { of: webhookDeliveries, skipLocked: true });
    if (candidates.length === 0) return [];
    // At most a few attempts in flight per endpoint, across all workers: a slow or hanging receiver
    // holds its own share of the slots, never everyone's.
    const busy = await tx
      .select({ endpointId: webhookDeliveries.endpointId, inFlight: sql<number>`count(*)::int` })
      .from(webhookDeliveries)
      .where(
        and(
          inArray(webhookDeliveries.endpointId, [...new Set(candidates.map((c) => c.endpointId))]),
          eq(webhookDeliveries.status, 'pending'),
          gt(webhookDeliveries.lockedUntil, at),
        ),
      )
      .groupBy(webhookDeliveries.endpointId);
    const inFlight = new Map(busy.map((b) => [b.endpointId, b.inFlight]));
    const due: typeof candidates = [];
    for (const candidate of candidates) {
      const taken = inFlight.get(candidate.endpointId) ?? 0;
      if (taken >= MAX_IN_FLIGHT_PER_ENDPOINT || due.length >= limit) continue;
      inFlight.set(candidate.endpointId, taken + 1);
      due.push(candidate);
    }
    if (due.length === 0) return [];
    const claimed = await tx
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        lockedUntil: sql`${at} + ${leaseMs}::float8 * interval '1 millisecond'`,
      })
      .where(
        inArray(
          webhookDeliveries.id,
          due.map((d) => d.id),
        ),
      )
      .returning({
        id: webhookDeliveries.id,
        attempts: webhookDeliveries.attempts,
        endpointId: webhookDeliveries.endpointId,
        eventId: webhookDeliveries.eventId,
      });
    const endpointRows = await tx
      .select({
        id: webhookEndpoints.id,
        mode: webhookEndpoints.mode,
        url: webhookEndpoints.url,
        secret: webhookEndpoints.secret,
        // The old secret signs too while its overlap lasts.
        previousSecret: sql<
          string | null
        >`case when ${webhookEndpoints.previousSecretExpiresAt} > ${at} then ${webhookEndpoints.previousSecret} end`,
      })
      .from(webhookEndpoints)
      .where(inArray(webhookEndpoints.id, [...new Set(claimed.map((c) => c.endpointId))]));
    const events = await tx
      .select()
      .from(outbox)
      .where(inArray(outbox.eventId, [...new Set(claimed.map((c) => c.eventId))]));
    return claimed.flatMap((c): DueDelivery[] => {
      const endpoint = endpointRows.find((e) => e.id === c.endpointId);
      const event = events.find((e) => e.eventId === c.eventId);
      if (!endpoint || !event) return [];
      return [
        {
          deliveryId: c.id,
          attempt: c.attempts,
          endpointId: endpoint.id,
          mode: endpoint.mode,
          url: endpoint.url,
          secrets: endpoint.previousSecret ? [endpoint.secret, endpoint.previousSecret] : [endpoint.secret],
          eventId: event.eventId,
          body: eventBody(event),
        },
      ];
    });
  });
}

/** The body merchants receive; built from the outbox row alone, so every retry sends the same bytes. */
function eventBody(
  event: Pick<typeof outbox.$inferSelect, 'eventId' | 'type' | 'sequence' | 'payload'>,
): string {
  const payload = event.payload as { occurredAt: string; checkout: unknown };
  return JSON.stringify({
    id: event.eventId,
    type: event.type,
    createdAt: payload.occurredAt,
    sequence: event.sequence,
    data: { checkout: payload.checkout },
  });
}

/**
 * When to try again after the n-th failed attempt: about three days in all, then give up.
 * 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];
/** An endpoint that has failed everything this long (about the whole retry schedule) is switched off. */
export const DISABLE_AFTER_MS = 60 * 3_600_000;

export type AttemptOutcome = Readonly<{
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
}>;

/**
 * Records an attempt and decides what comes next: delivered, another try later, or failed for good.
 * One statement: the attempt goes into the history, and the delivery moves on only if this worker
 * still holds its latest claim (a worker whose lease was taken over, or a resend, leaves the
 * decision to the newer claim). Rows are locked delivery first, endpoint second, as delete does.
 */
export async function recordAttempt(
  db: Database,
  delivery: Pick<DueDelivery, 'deliveryId' | 'attempt' | 'endpointId'>,
  outcome: AttemptOutcome,
  now?: Date,
  jitter: () => number = Math.random,
): Promise<'delivered' | 'retrying' | 'failed' | 'superseded'> {
  const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const waitMs = RETRY_SCHEDULE_MS[delivery.attempt - 1];
  const final = !ok && waitMs === undefined;
  // ±10% jitter, so a receiver coming back is not hit by every retry at the same instant.
  const nextWaitMs = Math.round((waitMs ?? 0) * (0.9 + 0.2 * jitter()));
  const status = ok ? 'delivered' : final ? 'failed' : 'pending';
  const at = clockOf(now);
  const result = await db.execute(sql`
    with attempt as (
      insert into ${webhookAttempts} (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
      values (${delivery.deliveryId.toString()}::bigint, ${delivery.attempt}, ${outcome.startedAt.toISOString()}::timestamptz,
              ${outcome.durationMs}, ${outcome.statusCode}::int, ${outcome.error}, ${outcome.responseExcerpt})
    ),
    moved as (
      update ${webhookDeliveries} set
        status = ${status},
        delivered_at = case when ${ok} then ${at} else delivered_at end,
        next_attempt_at = case when ${status === 'pending'}
          then ${at} + ${nextWaitMs}::float8 * interval '1 millisecond' else next_attempt_at end,
        locked_until = null, last_status_code = ${outcome.statusCode}::int, last_error = ${outcome.error}
      where id = ${delivery.deliveryId.toString()}::bigint and attempts = ${delivery.attempt} and status = 'pending'
      returning id
    ),
    -- An endpoint that has failed everything for DISABLE_AFTER_MS is switched off, with the reason.
    endpoint as (
      update ${webhookEndpoints} e set
        failing_since = case when ${ok} then null else coalesce(e.failing_since, ${at}) end,
        status = case when v.disable then 'disabled' else e.status end,
        disabled_reason = case when v.disable then ${ENDPOINT_FAILING_REASON} else e.disabled_reason end,
        updated_at = case when v.disable then ${at} else e.updated_at end
      from (
        select id, (not ${ok} and status = 'enabled'
          and failing_since <= ${at} - ${DISABLE_AFTER_MS}::float8 * interval '1 millisecond') as disable
        from ${webhookEndpoints} where id = ${delivery.endpointId}
      ) v
      where e.id = v.id and exists (select 1 from moved)
        and (not ${ok} or e.failing_since is not null)
    )
    select (select count(*) from moved)::int as moved
  `);
  const [row] = rowsOf<{ moved: number }>(result);
  if (!row || row.moved === 0) return 'superseded';
  return ok ? 'delivered' : final ? 'failed' : 'retrying';
}

const ENDPOINT_FAILING_REASON = 'every delivery failed for 60 hours';

export type DeliveryRecord = Readonly<{
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date | null;
  createdAt: Date;
  attempts: readonly {
    attempt: number;
    startedAt: Date;
    durationMs: number;
    statusCode: number | null;
    error: string | null;
    responseExcerpt: string | null;
  }[];
}>;

/** A merchant's deliveries, newest first, with every attempt. */
export async function listDeliveries(
  db: Database,
  scope: Scope,
  filter: { endpointId?: string | undefined; eventId?: string | undefined; limit: number },
): Promise<DeliveryRecord[]> {
  const rows = await db
    .select({ delivery: webhookDeliveries, eventType: outbox.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .innerJoin(outbox, eq(outbox.eventId, webhookDeliveries.eventId))
    .where(
      and(
        // The delivery's own merchant column walks webhook_deliveries_merchant_idx newest first.
        eq(webhookDeliveries.merchantId, scope.merchantId),
        eq(webhookEndpoints.merchantId, scope.merchantId),
        eq(webhookEndpoints.mode, scope.mode),
        filter.endpointId ? eq(webhookDeliveries.endpointId, filter.endpointId) : undefined,
        filter.eventId ? eq(webhookDeliveries.eventId, filter.eventId) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(filter.limit);
  if (rows.length === 0) return [];
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(
      inArray(
        webhookAttempts.deliveryId,
        rows.map((r) => r.delivery.id),
      ),
    )
    .orderBy(asc(webhookAttempts.attempt));
  return rows.map(({ delivery, eventType }) => ({
    id: delivery.id.toString(),
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType,
    status: delivery.status,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt : null,
    createdAt: delivery.createdAt,
    attempts: attempts
      .filter((a) => a.deliveryId === delivery.id)
      .map((a) => ({
        attempt: a.attempt,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.error,
        responseExcerpt: a.responseExcerpt,
      })),
  }));
}

/** Sends a delivery again now, with the same `webhook-id`; works for delivered and failed ones too. */
export async function resendDelivery(
  db: Database,
  scope: Scope,
  deliveryId: bigint,
  now = new Date(),
): Promise<boolean> {
  const owned = db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.merchantId, scope.merchantId),
        eq(webhookEndpoints.mode, scope.mode),
        isNull(webhookEndpoints.deletedAt),
      ),
    );
  const updated = await db
    .update(webhookDeliveries)
    // The lease stays: an attempt in flight finishes first, and the resend follows it, never beside it.
    .set({ status: 'pending', nextAttemptAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), inArray(webhookDeliveries.endpointId, owned)))
    .returning({ id: webhookDeliveries.id });
  return updated.length === 1;
}
