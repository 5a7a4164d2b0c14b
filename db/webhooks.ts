// The ERP webhook's delivery record (webhook_deliveries): written by the delivery activity at every attempt,
// read by the API to list what gave up, and claimed by the API for an operator's redelivery.
import type { Knex } from 'knex';
import type { WebhookDeliveryRow, WebhookDeliveryStatus } from './tables';

export type { WebhookDeliveryStatus };
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const satisfies readonly WebhookDeliveryStatus[];

export interface WebhookDeliveryRecord {
  eventId: string;
  type: string;
  document: { type: string; key: string };
  status: WebhookDeliveryStatus;
  attempts: number;
  redeliveries: number;
  /** What the receiver (or the network) last answered, without the URL's query string. */
  lastError: string | null;
  lastHttpStatus: number | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  createdAt: string;
  updatedAt: string;
  payload: Record<string, unknown>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(row: WebhookDeliveryRow): WebhookDeliveryRecord {
  return {
    eventId: row.event_id,
    type: row.event_type,
    document: { type: row.doc_type, key: row.doc_key },
    status: row.status,
    attempts: row.attempts,
    redeliveries: row.redeliveries,
    lastError: row.last_error,
    lastHttpStatus: row.last_http_status,
    lastAttemptAt: iso(row.last_attempt_at),
    deliveredAt: iso(row.delivered_at),
    failedAt: iso(row.failed_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    payload: row.payload,
  };
}

/**
 * An attempt begins: the event is recorded on its first attempt, counted on every one. A delivered event
 * stays delivered (a retry after a lost acknowledgement sends it again; the receiver drops the repeat).
 */
export async function recordWebhookAttempt(db: Knex, event: { eventId: string; type: string; docType: string; docKey: string; body: string }): Promise<void> {
  await db('webhook_deliveries')
    .insert({ event_id: event.eventId, event_type: event.type, doc_type: event.docType, doc_key: event.docKey, payload: event.body, status: 'pending', attempts: 1, last_attempt_at: db.fn.now() })
    .onConflict('event_id')
    .merge({
      attempts: db.raw('webhook_deliveries.attempts + 1'),
      status: db.raw(`CASE WHEN webhook_deliveries.status = 'delivered' THEN 'delivered' ELSE 'pending' END`),
      last_attempt_at: db.fn.now(),
      updated_at: db.fn.now(),
    });
}

/** An attempt of an operator's redelivery begins (the event is recorded already). */
export async function recordWebhookRedeliveryAttempt(db: Knex, eventId: string): Promise<void> {
  await db('webhook_deliveries')
    .where({ event_id: eventId })
    .update({ attempts: db.raw('attempts + 1'), last_attempt_at: db.fn.now(), updated_at: db.fn.now() });
}

export async function recordWebhookDelivered(db: Knex, eventId: string, httpStatus: number): Promise<void> {
  await db('webhook_deliveries')
    .where({ event_id: eventId })
    .update({ status: 'delivered', delivered_at: db.fn.now(), last_http_status: httpStatus, last_error: null, updated_at: db.fn.now() });
}

/** An attempt failed; `final` when no retry will follow (the receiver refused the event). */
export async function recordWebhookAttemptFailed(db: Knex, eventId: string, failure: { error: string; httpStatus?: number; final: boolean }): Promise<void> {
  await db('webhook_deliveries')
    .where({ event_id: eventId })
    .whereNot({ status: 'delivered' })
    .update({
      last_error: failure.error,
      last_http_status: failure.httpStatus ?? null,
      ...(failure.final && { status: 'failed' as const, failed_at: db.fn.now() }),
      updated_at: db.fn.now(),
    });
}

/**
 * The delivery run gave up (its retries ran out). `redelivery` is the run's number (0 = the document's
 * own delivery): a late give-up of an older run leaves a newer redelivery alone.
 */
export async function markWebhookGaveUp(db: Knex, eventId: string, error: string, redelivery: number): Promise<void> {
  await db('webhook_deliveries')
    .where({ event_id: eventId, redeliveries: redelivery })
    .whereNot({ status: 'delivered' })
    .update({ status: 'failed', failed_at: db.fn.now(), last_error: error, updated_at: db.fn.now() });
}

export type RedeliveryClaim =
  /** `previousUpdatedAt` as PostgreSQL text: a JS Date would drop its microseconds. */
  | { kind: 'claimed'; redelivery: number; previousUpdatedAt: string }
  | { kind: 'not-found' }
  | { kind: 'not-failed'; status: WebhookDeliveryStatus };

/** failed → pending for one more delivery run; only one caller wins when operators click twice. */
export async function claimWebhookRedelivery(db: Knex, eventId: string): Promise<RedeliveryClaim> {
  const { rows } = await db.raw<{ rows: Array<{ redeliveries: number; previous_updated_at: string }> }>(
    `UPDATE webhook_deliveries d
        SET status = 'pending', redeliveries = d.redeliveries + 1, updated_at = now()
       FROM (SELECT event_id, updated_at FROM webhook_deliveries WHERE event_id = ? AND status = 'failed' FOR UPDATE) old
      WHERE d.event_id = old.event_id
  RETURNING d.redeliveries, old.updated_at::text AS previous_updated_at`,
    [eventId],
  );
  const [claimed] = rows;
  if (claimed) return { kind: 'claimed', redelivery: claimed.redeliveries, previousUpdatedAt: claimed.previous_updated_at };
  const row = await db('webhook_deliveries').where({ event_id: eventId }).first('status');
  return row ? { kind: 'not-failed', status: row.status } : { kind: 'not-found' };
}

/**
 * The redelivery run could not be started (Temporal is down): the row goes back exactly as the operator
 * found it — a 503 means nothing happened.
 */
export async function releaseWebhookRedelivery(db: Knex, eventId: string, claim: { redelivery: number; previousUpdatedAt: string }): Promise<void> {
  await db('webhook_deliveries')
    .where({ event_id: eventId, redeliveries: claim.redelivery, status: 'pending' })
    .update({ status: 'failed', redeliveries: claim.redelivery - 1, updated_at: db.raw('?::timestamptz', [claim.previousUpdatedAt]) });
}

/** The event exactly as first sent (json keeps the text), for a redelivery. */
export async function webhookBodyOf(db: Knex, eventId: string): Promise<{ type: string; body: string } | undefined> {
  const row = (await db('webhook_deliveries').where({ event_id: eventId }).first(db.raw('event_type, payload::text AS body'))) as { event_type: string; body: string } | undefined;
  return row && { type: row.event_type, body: row.body };
}

export async function getWebhookDelivery(db: Knex, eventId: string): Promise<WebhookDeliveryRecord | undefined> {
  const row = await db('webhook_deliveries').where({ event_id: eventId }).first();
  return row && toRecord(row);
}

export async function listWebhookDeliveries(
  db: Knex,
  filter: { status?: WebhookDeliveryStatus; type?: string; limit: number; offset: number },
): Promise<{ items: WebhookDeliveryRecord[]; total: number }> {
  const query = () => {
    const q = db('webhook_deliveries');
    if (filter.status) q.where({ status: filter.status });
    if (filter.type) q.where({ event_type: filter.type });
    return q;
  };
  const [rows, [counted]] = await Promise.all([
    query().orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'event_id' }]).limit(filter.limit).offset(filter.offset),
    query().count<Array<{ count: string }>>({ count: '*' }),
  ]);
  return { items: rows.map(toRecord), total: Number(counted?.count ?? 0) };
}
