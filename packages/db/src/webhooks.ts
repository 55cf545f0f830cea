import { randomBytes } from 'node:crypto';
import type { Mode } from '@kassa/core';
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { type Database, type Db } from './client';
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
 * One statement of one text (prepared on PostgreSQL): a worker runs it every round, and when there
 * is nothing to publish it is a single index probe that writes nothing.
 */
export async function fanOutEvents(db: Db, now?: Date, limit = 200): Promise<number> {
  const at = clockOf(now);
  const [row] = await db.prepared<{ deliveries: number }>(sql`
    with events as (
      -- The payment's mode by its key, event by event: never a join that reads every payment.
      select o.id, o.event_id, o.merchant_id, o.type, o.created_at,
        (select p.mode from ${payments} p where p.id = o.payment_id) as mode
      from ${outbox} o
      where o.published_at is null
      order by o.id limit ${limit}::int
      for update of o skip locked
    ),
    inserted as (
      insert into ${webhookDeliveries} (endpoint_id, event_id, merchant_id, status, attempts, next_attempt_at, created_at)
      select e.id, v.event_id, v.merchant_id, 'pending', 0, ${at}, ${at}
      from events v join ${webhookEndpoints} e on e.merchant_id = v.merchant_id and e.mode = v.mode
      -- Disabled endpoints get their deliveries too; they wait until it is enabled again. An endpoint
      -- hears of what happens after it exists, not of older events still queued.
      where e.deleted_at is null and e.created_at <= v.created_at
        and (jsonb_array_length(e.event_types) = 0 or e.event_types @> jsonb_build_array(v.type))
      order by v.id, e.id
      on conflict do nothing
      returning 1
    ),
    published as (
      update ${outbox} set published_at = ${at} where id in (select id from events)
    )
    select (select count(*) from inserted)::int as deliveries
  `);
  return row?.deliveries ?? 0;
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

type ClaimRow = {
  unpublished: boolean;
  delivery_id: string | null;
  attempt: number;
  endpoint_id: string;
  mode: Mode;
  url: string;
  secret: string;
  previous_secret: string | null;
  event_id: string;
  type: string;
  sequence: number;
  payload: string;
};

/**
 * Claims due deliveries under a lease (`FOR UPDATE SKIP LOCKED`): no two workers send one at the
 * same time. A worker that dies after sending leaves the lease to run out, and the delivery is
 * sent again later with the same `webhook-id`, as at-least-once requires. `now` is for tests;
 * workers leave it out and the database's clock decides, the same for every process.
 * One statement (one round trip, prepared on PostgreSQL): the candidates, the endpoints' attempts
 * already in flight, the claim, and what each attempt needs to be sent.
 */
export async function claimDueDeliveries(
  db: Db,
  now: Date | undefined,
  limit: number,
  leaseMs: number,
): Promise<DueDelivery[]> {
  if (limit <= 0) return [];
  return (await claimRound(db, now, limit, leaseMs)).deliveries;
}

/** What a worker's round claims, and whether outbox events were waiting to be fanned out. */
export type ClaimedRound = Readonly<{ deliveries: DueDelivery[]; unpublished: boolean }>;

/**
 * `claimDueDeliveries`, also answering whether any outbox event waits to be fanned out (when the
 * statement began): a busy worker fans out only when there is something to, and needs no other
 * statement to know.
 */
export async function claimRound(
  db: Db,
  now: Date | undefined,
  limit: number,
  leaseMs: number,
): Promise<ClaimedRound> {
  const at = clockOf(now);
  const rows = await db.prepared<ClaimRow>(sql`
    -- Attempts in flight per endpoint, over all workers. A claimed delivery is due (a claim takes
    -- only due ones), so only due rows are read: never the retries an outage piles up for later.
    with busy as (
      select endpoint_id, count(*)::int as n from ${webhookDeliveries}
      where status = 'pending' and next_attempt_at <= ${at} and locked_until > ${at}
      group by endpoint_id
    ),
    -- At most a few attempts in flight per endpoint: a slow or hanging receiver holds its own share
    -- of the slots, never everyone's. Endpoints already at their share are passed over before the
    -- candidates are picked, so their backlog never hides another endpoint's work.
    candidates as (
      select d.id, d.endpoint_id, d.next_attempt_at
      from ${webhookDeliveries} d
      where d.status = 'pending' and d.next_attempt_at <= ${at}
        and (d.locked_until is null or d.locked_until < ${at})
        and d.endpoint_id not in (select endpoint_id from busy where n >= ${MAX_IN_FLIGHT_PER_ENDPOINT}::int)
        -- A disabled endpoint's deliveries wait; they go out again once it is re-enabled.
        and d.endpoint_id not in (select e.id from ${webhookEndpoints} e where e.status <> 'enabled')
      -- By id within an instant: one fan-out's deliveries alternate between its endpoints.
      order by d.next_attempt_at, d.id
      limit ${limit * 4}::int
      for update skip locked
    ),
    chosen as (
      select r.id from (
        select c.id, c.next_attempt_at,
          coalesce(b.n, 0) + row_number() over (partition by c.endpoint_id order by c.next_attempt_at, c.id) as slot
        from candidates c left join busy b on b.endpoint_id = c.endpoint_id
      ) r
      where r.slot <= ${MAX_IN_FLIGHT_PER_ENDPOINT}::int
      order by r.next_attempt_at, r.id limit ${limit}::int
    ),
    claimed as (
      update ${webhookDeliveries} d set
        attempts = d.attempts + 1,
        locked_until = ${at} + ${leaseMs}::float8 * interval '1 millisecond'
      from chosen where d.id = chosen.id
      returning d.id, d.attempts, d.endpoint_id, d.event_id
    )
    -- One row even when nothing is claimed, to carry the outbox's answer.
    select f.unpublished, c.id::text as delivery_id, c.attempts as attempt, e.id as endpoint_id,
      e.mode, e.url, e.secret,
      -- The old secret signs too while its overlap lasts.
      case when e.previous_secret_expires_at > ${at} then e.previous_secret end as previous_secret,
      o.event_id, o.type, o.sequence, o.payload::text as payload
    from (select exists (select 1 from ${outbox} where published_at is null) as unpublished) f
    left join (
      claimed c
      join ${webhookEndpoints} e on e.id = c.endpoint_id
      join ${outbox} o on o.event_id = c.event_id
    ) on true
  `);
  const claimed = rows.filter((r): r is ClaimRow & { delivery_id: string } => r.delivery_id !== null);
  return { deliveries: claimed.map(toDueDelivery), unpublished: rows.some((r) => r.unpublished) };
}

function toDueDelivery(r: ClaimRow & { delivery_id: string }): DueDelivery {
  return {
    deliveryId: BigInt(r.delivery_id),
    attempt: Number(r.attempt),
    endpointId: r.endpoint_id,
    mode: r.mode,
    url: r.url,
    secrets: r.previous_secret ? [r.secret, r.previous_secret] : [r.secret],
    eventId: r.event_id,
    body: eventBody({
      eventId: r.event_id,
      type: r.type,
      sequence: Number(r.sequence),
      payload: JSON.parse(r.payload) as unknown,
    }),
  };
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

/** What recording an attempt decided for its delivery. */
export type AttemptNext = 'delivered' | 'retrying' | 'failed' | 'superseded';

export type FinishedAttempt = Readonly<{
  delivery: Pick<DueDelivery, 'deliveryId' | 'attempt' | 'endpointId'>;
  outcome: AttemptOutcome;
}>;

/**
 * Records one attempt and decides what comes next: delivered, another try later, or failed for
 * good; `recordAttempts` for one.
 */
export async function recordAttempt(
  db: Db,
  delivery: FinishedAttempt['delivery'],
  outcome: AttemptOutcome,
  now?: Date,
  jitter: () => number = Math.random,
): Promise<AttemptNext> {
  const [next] = await recordAttempts(db, [{ delivery, outcome }], now, jitter);
  if (!next) throw new Error('recordAttempts answered nothing for one attempt');
  return next;
}

/**
 * Records finished attempts, any number in one statement (one commit), and answers what comes
 * next for each, in order. Each attempt goes into the history; its delivery moves on only if this
 * worker still holds its latest claim (a worker whose lease was taken over, or a resend, leaves
 * the decision to the newer claim: 'superseded'). An endpoint's failure clock starts at its first
 * failure and stops at a success; an endpoint that has failed everything for DISABLE_AFTER_MS is
 * switched off, with the reason. Within one batch an endpoint's attempts count in the order given:
 * its clock ends as the last one leaves it, and any success in the batch keeps it on.
 * Rows are locked deliveries first, then endpoints in id order: delete takes them in that order
 * too, and two workers recording failures for the same endpoints never deadlock.
 */
export async function recordAttempts(
  db: Db,
  attempts: readonly FinishedAttempt[],
  now?: Date,
  jitter: () => number = Math.random,
): Promise<AttemptNext[]> {
  if (attempts.length === 0) return [];
  const decided = attempts.map(({ delivery, outcome }, i) => {
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const waitMs = RETRY_SCHEDULE_MS[delivery.attempt - 1];
    const final = !ok && waitMs === undefined;
    return {
      i,
      delivery_id: delivery.deliveryId.toString(),
      attempt: delivery.attempt,
      endpoint_id: delivery.endpointId,
      started_at: outcome.startedAt.toISOString(),
      duration_ms: outcome.durationMs,
      status_code: outcome.statusCode,
      error: storable(outcome.error),
      response_excerpt: storable(outcome.responseExcerpt),
      ok,
      status: ok ? 'delivered' : final ? 'failed' : 'pending',
      // ±10% jitter, so a receiver coming back is not hit by every retry at the same instant.
      wait_ms: Math.round((waitMs ?? 0) * (0.9 + 0.2 * jitter())),
    };
  });
  const at = clockOf(now);
  // One parameter of one fixed text, whatever the batch size: prepared once per connection.
  const moved = await db.prepared<{ i: number }>(sql`
    with input as (
      select * from json_to_recordset(${JSON.stringify(decided)}::json) as t(
        i int, delivery_id bigint, attempt int, endpoint_id text, started_at timestamptz,
        duration_ms int, status_code int, error text, response_excerpt text, ok boolean,
        status text, wait_ms float8)
    ),
    attempt as (
      insert into ${webhookAttempts} (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
      select delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt
      from input order by i
    ),
    moved as (
      update ${webhookDeliveries} d set
        status = t.status,
        delivered_at = case when t.ok then ${at} else d.delivered_at end,
        next_attempt_at = case when t.status = 'pending'
          then ${at} + t.wait_ms * interval '1 millisecond' else d.next_attempt_at end,
        locked_until = null, last_status_code = t.status_code, last_error = t.error
      from input t
      -- By key: a status test the due index cannot take, or a planner whose statistics predate a
      -- burst of new deliveries reads every pending one to find a few.
      where d.id = t.delivery_id and d.attempts = t.attempt and (d.status = 'pending') is true
      returning t.i, t.endpoint_id, t.ok
    ),
    -- Per endpoint: did any attempt succeed, and did the last one?
    outcomes as (
      select endpoint_id, bool_or(ok) as any_ok, (array_agg(ok order by i desc))[1] as last_ok
      from moved group by endpoint_id
    ),
    -- Only endpoints whose clock changes are locked and written (a success on a healthy endpoint
    -- touches nothing), and read as locked: a concurrent change is seen, not overwritten.
    locked as (
      select e.id, o.any_ok, o.last_ok,
        not o.any_ok and e.status = 'enabled'
          and e.failing_since <= ${at} - ${DISABLE_AFTER_MS}::float8 * interval '1 millisecond' as disable
      from ${webhookEndpoints} e join outcomes o on o.endpoint_id = e.id
      where not o.last_ok or e.failing_since is not null
      order by e.id
      for update of e
    ),
    endpoint as (
      update ${webhookEndpoints} e set
        failing_since = case when l.last_ok then null when l.any_ok then ${at} else coalesce(e.failing_since, ${at}) end,
        status = case when l.disable then 'disabled' else e.status end,
        disabled_reason = case when l.disable then ${ENDPOINT_FAILING_REASON} else e.disabled_reason end,
        updated_at = case when l.disable then ${at} else e.updated_at end
      from locked l
      where e.id = l.id
    )
    select i from moved
  `);
  const movedIndexes = new Set(moved.map((m) => Number(m.i)));
  return decided.map((d): AttemptNext =>
    !movedIndexes.has(d.i)
      ? 'superseded'
      : d.status === 'delivered'
        ? 'delivered'
        : d.status === 'failed'
          ? 'failed'
          : 'retrying',
  );
}

/** A surrogate without its pair (as where a string was cut inside an emoji): JSON cannot carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A receiver's text as PostgreSQL can store it, whatever it sent: text holds no NUL. */
function storable(text: string | null): string | null {
  return text === null ? null : text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
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
