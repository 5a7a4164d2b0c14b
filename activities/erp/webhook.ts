// Events to the ERP's webhook (线上发货通知 and friends). Delivery is at least once: Temporal retries the
// activity, the event id stays the same across retries so the ERP can drop repeats, and the body is
// signed so the ERP can tell our calls from anyone else's.
import { createHmac } from 'node:crypto';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { WebhookConfig } from '../../config/webhook';

export interface WebhookEvent {
  /** Deterministic per document, revision and event type, so a retried delivery repeats it. */
  id: string;
  type: string;
  occurredAt: string;
  /** The event's document data; never consignee data. */
  data: object;
}

export const WEBHOOK_HEADERS = {
  eventId: 'X-Eclp-Bridge-Event-Id',
  eventType: 'X-Eclp-Bridge-Event',
  signature: 'X-Eclp-Bridge-Signature',
} as const;

const DEFAULT_TIMEOUT_MS = 10_000;

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the value of X-Eclp-Bridge-Signature. */
export function signWebhookBody(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** Where a delivery went, for logs: the origin and path only (a query string may carry a token). */
function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export function createWebhookActivities(deps: { config: WebhookConfig; fetch?: typeof fetch }) {
  const { config } = deps;
  const send = deps.fetch ?? fetch;
  let skipLogged = false;
  return {
    /** POSTs the event; any answer but 2xx (or no answer) fails the attempt and Temporal retries it. */
    async deliverWebhook(event: WebhookEvent): Promise<{ delivered: boolean; httpStatus?: number }> {
      if (!config.url || !config.secret) {
        if (!skipLogged) log.info('ERP_WEBHOOK_URL is not set: ERP webhook events are skipped', { eventType: event.type });
        skipLogged = true;
        return { delivered: false };
      }
      const body = JSON.stringify(event);
      let response: Response;
      try {
        response = await send(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_HEADERS.eventId]: event.id,
            [WEBHOOK_HEADERS.eventType]: event.type,
            [WEBHOOK_HEADERS.signature]: signWebhookBody(body, config.secret),
          },
          body,
          signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
      } catch (err) {
        throw ApplicationFailure.create({
          type: 'WebhookUnreachable',
          message: `ERP webhook ${describeTarget(config.url)} did not answer: ${(err as Error).message}`,
          nonRetryable: false,
        });
      }
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        throw ApplicationFailure.create({
          type: 'WebhookRejected',
          message: `ERP webhook ${describeTarget(config.url)} answered HTTP ${response.status} to ${event.type} ${event.id}`,
          nonRetryable: false,
        });
      }
      return { delivered: true, httpStatus: response.status };
    },
  };
}
