// An operator's redelivery of an ERP webhook event that gave up (POST /v1/webhooks/{eventId}/redeliver):
// the recorded event, under its own id, with the same retry rules as the first delivery but an hour's
// budget, since an operator is waiting for the answer. Then the record says delivered or failed again.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { ErpActivities } from '../activities/erp';
import type { WebhookRedeliveryInput, WebhookRedeliveryResult } from '../messages/webhooks';
import { ERP_ACTIVITY_OPTIONS, WEBHOOK_ACTIVITY_OPTIONS } from './saga/activity-options';

const erp = proxyActivities<ErpActivities>(ERP_ACTIVITY_OPTIONS);
const delivery = proxyActivities<ErpActivities>({ ...WEBHOOK_ACTIVITY_OPTIONS, scheduleToCloseTimeout: '1 hour' });

export async function webhookRedelivery(input: WebhookRedeliveryInput): Promise<WebhookRedeliveryResult> {
  const { eventId, redelivery } = input;
  try {
    await delivery.redeliverWebhook(eventId);
    return { eventId, redelivery, status: 'delivered' };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = err.cause?.message ?? err.message;
    await erp.markWebhookGaveUp(eventId, error, redelivery);
    return { eventId, redelivery, status: 'failed', error };
  }
}
