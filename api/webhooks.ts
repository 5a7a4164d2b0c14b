// The ERP webhook's deliveries: what was sent, which gave up and why, and an operator's redelivery of a
// delivery that gave up (DESIGN.md §5). The redelivery runs on Temporal like every other delivery.
import type { Knex } from 'knex';
import { z } from 'zod';
import type { DocumentClient } from '../client';
import { freeText } from '../domain/text-schema';
import {
  WEBHOOK_DELIVERY_STATUSES,
  claimWebhookRedelivery,
  getWebhookDelivery,
  listWebhookDeliveries,
  releaseWebhookRedelivery,
} from '../db/webhooks';
import { pageQuery } from './master-data';
import { problems } from './problem';
import { route, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

export interface WebhookRouteDeps {
  db: Knex;
  documents: DocumentClient;
}

/** `SO:{orderNo}:{rev}/sales_order.shipped`; in a path its `/` is sent as `%2F`. */
const eventIdSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9][A-Za-z0-9:/._#@-]*$/, 'must be an event id such as SO:SO-1001:1/sales_order.shipped (send "/" as %2F)');

const params = z.strictObject({ eventId: eventIdSchema });
const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: 'The token\'s role may not do this' },
};

const deliveryUrl = (eventId: string) => `/v1/webhooks/${encodeURIComponent(eventId)}`;

export function webhookRoutes(deps: WebhookRouteDeps): RouteSpec[] {
  const { db, documents } = deps;
  return [
    route({
      method: 'get',
      path: '/v1/webhooks',
      summary: 'ERP webhook deliveries, newest change first; `status=failed` lists those that gave up, with their last error',
      tag: 'webhooks',
      roles: ['erp', 'operator'],
      query: pageQuery.extend({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(), type: freeText({ max: 100 }).optional() }),
      responses: { 200: { description: '{ items, total }' }, ...problemResponses },
      handler: async ({ query }) => ({ status: 200, body: await listWebhookDeliveries(db, query) }),
    }),
    route({
      method: 'get',
      path: '/v1/webhooks/{eventId}',
      summary: 'One ERP webhook delivery: status, attempts, last error and the event as sent',
      tag: 'webhooks',
      roles: ['erp', 'operator'],
      params,
      responses: { 200: { description: 'The delivery' }, 404: { description: 'No such event' }, ...problemResponses },
      handler: async ({ params }) => {
        const delivery = await getWebhookDelivery(db, params.eventId);
        if (!delivery) throw problems.notFound(`No webhook event ${params.eventId}`);
        return { status: 200, body: delivery };
      },
    }),
    route({
      method: 'post',
      path: '/v1/webhooks/{eventId}/redeliver',
      summary: 'Send a webhook event that gave up once more (same id, fresh signature); only failed deliveries',
      tag: 'webhooks',
      roles: ['operator'],
      params,
      responses: {
        202: { description: 'Redelivery started; GET the Location to see it delivered or failed' },
        404: { description: 'No such event' },
        409: { description: 'The delivery has not failed (pending or delivered): nothing was started' },
        503: { description: 'Temporal is unreachable; nothing was changed' },
        ...problemResponses,
      },
      handler: async ({ params }) => {
        const { eventId } = params;
        const claim = await claimWebhookRedelivery(db, eventId);
        if (claim.kind === 'not-found') throw problems.notFound(`No webhook event ${eventId}`);
        if (claim.kind === 'not-failed') {
          throw problems.conflict(`Webhook event ${eventId} is ${claim.status}; only a delivery that gave up (failed) can be redelivered`, { currentStatus: claim.status });
        }
        let workflowId: string;
        try {
          ({ workflowId } = await withTemporal(() => documents.webhooks.redeliver(eventId, claim.redelivery), documents.temporal));
        } catch (err) {
          // Nothing runs for this claim: leave the event failed, as the operator found it.
          await releaseWebhookRedelivery(db, eventId, claim);
          throw err;
        }
        return {
          status: 202,
          body: { eventId, status: 'pending', redelivery: claim.redelivery, workflowId, deliveryUrl: deliveryUrl(eventId) },
          headers: { Location: deliveryUrl(eventId) },
        };
      },
    }),
  ];
}
