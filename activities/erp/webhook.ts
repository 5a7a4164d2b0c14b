// Events to the ERP's webhook (线上发货通知 and friends) in the Standard Webhooks format, so the ERP can
// verify them with any existing verifier (docs/webhooks.md). Delivery is at least once: Temporal retries
// the activity, the event id stays the same across retries and redeliveries so the ERP can drop repeats,
// and every attempt is recorded in webhook_deliveries for the operator.
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import { Webhook } from 'standardwebhooks';
import type { WebhookConfig } from '../../config/webhook';
import {
  markWebhookGaveUp as recordWebhookGaveUp,
  recordWebhookAttempt,
  recordWebhookAttemptFailed,
  recordWebhookDelivered,
  recordWebhookRedeliveryAttempt,
  webhookBodyOf,
} from '../../db/webhooks';
import { NO_ACTIVITY_METRICS, type ActivityMetrics } from '../metrics';

export interface WebhookEvent {
  /** Deterministic per document, revision and event type, so a retried delivery repeats it. */
  id: string;
  type: string;
  occurredAt: string;
  /** The event's document data; never consignee data. */
  data: object;
  /**
   * What the event is about, for the delivery record; not sent. Events scheduled before it existed
   * (sales_order.shipped) name their order in `data.orderNo`.
   */
  document?: { type: string; key: string };
}

export const WEBHOOK_FAILURE_TYPES = {
  /** No answer (connection refused, reset, timeout): retried. */
  unreachable: 'WebhookUnreachable',
  /** 3xx: redirects are never followed, the URL must be the final one; retried, so a fixed URL picks it up. */
  redirected: 'WebhookRedirected',
  /** 408, 429 and 5xx: the receiver is busy or broken for now; retried. */
  unavailable: 'WebhookUnavailable',
  /** Any other 4xx: the receiver refused this event; not retried. */
  rejected: 'WebhookRejected',
  /** The worker has no ERP_WEBHOOK_URL (a redelivery after the URL was removed): not retried. */
  notConfigured: 'WebhookNotConfigured',
  /** A redelivery of an event that was never recorded. */
  unknownEvent: 'WebhookEventUnknown',
} as const;

const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest wait a Retry-After may ask for; the activity's own back-off is capped at 10 minutes too. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** The three Standard Webhooks headers; one `v1,<signature>` per secret, space-separated, during a key rotation. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function webhookHeaders(signers: readonly Webhook[], eventId: string, body: string, now: Date = new Date()): StandardWebhookHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signers.map((signer) => signer.sign(eventId, now, body)).join(' '),
  };
}

/** Where a delivery went, for logs and the delivery record: the origin and path only (a query string may carry a token). */
function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** The document of an event, for the record. */
function documentOf(event: WebhookEvent): { type: string; key: string } {
  if (event.document) return event.document;
  const orderNo = (event.data as { orderNo?: unknown }).orderNo;
  return { type: 'SO', key: typeof orderNo === 'string' ? orderNo : event.id };
}

export function createWebhookActivities(deps: { config: WebhookConfig; db: Knex; fetch?: typeof fetch; metrics?: ActivityMetrics }) {
  const { config, db } = deps;
  const metrics = deps.metrics ?? NO_ACTIVITY_METRICS;
  const send = deps.fetch ?? fetch;
  const signers = (config.secrets ?? []).map((secret) => new Webhook(secret));
  let skipLogged = false;

  /** One POST; a failed attempt is recorded and thrown for Temporal to retry, unless the receiver refused the event. */
  async function post(eventId: string, type: string, body: string): Promise<{ delivered: true; httpStatus: number }> {
    const url = config.url!;
    const target = describeTarget(url);
    const fail = async (failure: { type: string; message: string; httpStatus?: number; nonRetryable: boolean; nextRetryDelayMs?: number }) => {
      await recordWebhookAttemptFailed(db, eventId, { error: failure.message, ...(failure.httpStatus !== undefined && { httpStatus: failure.httpStatus }), final: failure.nonRetryable });
      metrics.webhookFailed(type, failure.type, failure.nonRetryable);
      return ApplicationFailure.create({
        type: failure.type,
        message: failure.message,
        nonRetryable: failure.nonRetryable,
        ...(failure.nextRetryDelayMs !== undefined && { nextRetryDelay: failure.nextRetryDelayMs }),
      });
    };
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...webhookHeaders(signers, eventId, body) },
        body,
        // A redirect could carry the signed event to a host nobody configured.
        redirect: 'manual',
        signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw await fail({ type: WEBHOOK_FAILURE_TYPES.unreachable, message: `ERP webhook ${target} did not answer: ${(err as Error).message}`, nonRetryable: false });
    }
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 300) {
      await recordWebhookDelivered(db, eventId, status);
      metrics.webhookDelivered(type);
      return { delivered: true, httpStatus: status };
    }
    const answered = `ERP webhook ${target} answered HTTP ${status} to ${type} ${eventId}`;
    if (status >= 300 && status < 400) {
      throw await fail({ type: WEBHOOK_FAILURE_TYPES.redirected, message: `${answered}; redirects are not followed: set ERP_WEBHOOK_URL to the final address`, httpStatus: status, nonRetryable: false });
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      log.warn('The ERP webhook refused an event; it is not retried', { eventId, eventType: type, httpStatus: status });
      throw await fail({ type: WEBHOOK_FAILURE_TYPES.rejected, message: answered, httpStatus: status, nonRetryable: true });
    }
    const wait = retryAfterMs(response.headers.get('retry-after'));
    throw await fail({ type: WEBHOOK_FAILURE_TYPES.unavailable, message: answered, httpStatus: status, nonRetryable: false, ...(wait !== undefined && { nextRetryDelayMs: wait }) });
  }

  return {
    /** POSTs the event; any answer but 2xx (or no answer) fails the attempt, and Temporal retries it unless a 4xx refused it. */
    async deliverWebhook(event: WebhookEvent): Promise<{ delivered: boolean; httpStatus?: number }> {
      if (!config.url || signers.length === 0) {
        if (!skipLogged) log.info('ERP_WEBHOOK_URL is not set: ERP webhook events are skipped', { eventType: event.type });
        skipLogged = true;
        return { delivered: false };
      }
      const { document: _document, ...sent } = event;
      const body = JSON.stringify(sent);
      const document = documentOf(event);
      await recordWebhookAttempt(db, { eventId: event.id, type: event.type, docType: document.type, docKey: document.key, body });
      return post(event.id, event.type, body);
    },

    /** An operator's redelivery: the recorded event, byte for byte, under its own id and a fresh signature. */
    async redeliverWebhook(eventId: string): Promise<{ delivered: boolean; httpStatus?: number }> {
      const stored = await webhookBodyOf(db, eventId);
      if (!stored) throw ApplicationFailure.create({ type: WEBHOOK_FAILURE_TYPES.unknownEvent, message: `No webhook event ${eventId} is recorded`, nonRetryable: true });
      if (!config.url || signers.length === 0) {
        throw ApplicationFailure.create({ type: WEBHOOK_FAILURE_TYPES.notConfigured, message: 'ERP_WEBHOOK_URL is not set on the worker: nothing to redeliver to', nonRetryable: true });
      }
      await recordWebhookRedeliveryAttempt(db, eventId);
      return post(eventId, stored.type, stored.body);
    },

    /** The workflow's retries ran out: the event is listed as failed, with the last error, for redelivery. */
    async markWebhookGaveUp(eventId: string, error: string, redelivery = 0): Promise<void> {
      await recordWebhookGaveUp(db, eventId, error, redelivery);
      metrics.webhookGaveUp();
    },
  };
}
