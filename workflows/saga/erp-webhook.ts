// Telling the ERP (Standard Webhooks, activities/erp/webhook.ts) from a saga: a day of retries (a 4xx
// refusal ends them at once); then the failure is put on the document instead of failing the run, and the
// operator redelivers the event from webhook_deliveries.
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { ErpActivities, WebhookEvent } from '../../activities/erp';
import { WEBHOOK_ACTIVITY_OPTIONS } from './activity-options';

const erpWebhook = proxyActivities<ErpActivities>(WEBHOOK_ACTIVITY_OPTIONS);

export type ErpEvent = Omit<WebhookEvent, 'document'>;

/**
 * Delivers `event` about `document`. When its retries run out, `gaveUp` records that on the document
 * (and marks the delivery failed); only a cancellation of the run is thrown.
 */
export async function tellErp(document: { type: string; key: string }, event: ErpEvent, gaveUp: (error: string) => Promise<void>): Promise<void> {
  try {
    await erpWebhook.deliverWebhook({ ...event, document });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = err.cause?.message ?? err.message;
    log.error(`The ERP webhook kept failing; ${event.type} was not delivered`, { docType: document.type, docNo: document.key, eventId: event.id, error });
    await gaveUp(error);
  }
}

/**
 * Events delivered in the background: a slow ERP holds up no receipt, verdict or warehouse step. The
 * saga awaits `all()` before it ends, so every event is delivered or recorded as given up.
 */
export class ErpNotifications {
  private readonly deliveries: Array<Promise<void>> = [];

  constructor(
    private readonly document: { type: string; key: string },
    private readonly gaveUp: (event: ErpEvent, error: string) => Promise<void>,
  ) {}

  send(event: ErpEvent): void {
    const delivery = tellErp(this.document, event, (error) => this.gaveUp(event, error));
    // A failure (only a cancellation of the run) is rethrown by all(), never left unhandled meanwhile.
    delivery.catch(() => undefined);
    this.deliveries.push(delivery);
  }

  /** Resolves when every event sent so far is delivered or recorded as given up. */
  all(): Promise<void> {
    return Promise.all(this.deliveries).then(() => undefined);
  }
}
