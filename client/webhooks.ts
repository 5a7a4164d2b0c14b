// Starting an operator's redelivery of an ERP webhook event (workflow webhookRedelivery). Each redelivery
// is its own run, `WEBHOOK:{eventId}:redelivery-{n}`: the API claims n in Postgres first, so two clicks
// never start two runs for one claim, and a later redelivery never joins an older run that is ending.
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import type { WebhookRedeliveryInput, WebhookRedeliveryResult } from '../messages/webhooks';
import { startDocument } from './start';

export type { WebhookRedeliveryResult };

export function webhookClient(temporal: Client, taskQueue: string) {
  return {
    redeliveryWorkflowId: workflowIds.webhookRedelivery,

    handle: (eventId: string, redelivery: number) =>
      temporal.workflow.getHandle<(input: WebhookRedeliveryInput) => Promise<WebhookRedeliveryResult>>(workflowIds.webhookRedelivery(eventId, redelivery)),

    async redeliver(eventId: string, redelivery: number): Promise<{ workflowId: string }> {
      const workflowId = workflowIds.webhookRedelivery(eventId, redelivery);
      // A retried API call for the same claim joins the run it started.
      await startDocument<WebhookRedeliveryInput>(temporal, taskQueue, {
        workflowType: WORKFLOW_TYPES.webhookRedelivery,
        workflowId,
        input: { eventId, redelivery },
        docType: 'WEBHOOK',
        erpDocNo: eventId,
        once: true,
      });
      return { workflowId };
    },
  };
}

export type WebhookClient = ReturnType<typeof webhookClient>;
