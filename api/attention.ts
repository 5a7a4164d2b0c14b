// GET /v1/attention: every document (and every part of the link to JD) that needs a human, with why,
// since when and the next action, oldest first. Each feature's source reads its own tables (db/attention/).
import { z } from 'zod';
import { acknowledgeAttention, attentionItems, type AttentionItem } from '../db/attention';
import { positiveMs } from '../config/env';
import { codeSchema } from '../domain/master-data';
import { freeText } from '../domain/text-schema';
import { purchaseOrderApiConfigFromEnv, returnApiConfigFromEnv, salesOrderApiConfigFromEnv } from './config';
import type { FeatureRouteDeps } from './feature-deps';
import { problems } from './problem';
import { route, type RouteSpec } from './route';

const SUBJECTS = ['SO', 'PO', 'RTN', 'STOCK', 'GO_LIVE', 'WEBHOOK', 'JD_AUTH'] as const;
/** A document in PUSHING this long has not resolved its push (or has no run): 15 minutes by default. */
export const DEFAULT_ATTENTION_PUSHING_MS = 15 * 60_000;

const kindSchema = z.string().regex(/^[a-z][a-z_]{1,59}$/, 'must be an attention kind such as push_failed');
const documentNoSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9][A-Za-z0-9:/._#@-]*$/, 'must be the documentNo of an attention item');

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
};

export function attentionRoutes(deps: FeatureRouteDeps): RouteSpec[] {
  const { db, env, namespace } = deps;
  // The saga's own overdue thresholds: a document listed here is one its run has logged as overdue.
  const waitingThresholdMs = {
    SO: salesOrderApiConfigFromEnv(env).pollMaxWaitMs,
    PO: purchaseOrderApiConfigFromEnv(env).pollMaxWaitMs,
    RTN: returnApiConfigFromEnv(env).pollMaxWaitMs,
  };
  const pushingThresholdMs = positiveMs(env, 'ATTENTION_PUSHING_MS', DEFAULT_ATTENTION_PUSHING_MS);
  const temporalUi = env.TEMPORAL_UI_URL?.replace(/\/+$/, '');
  const withLinks = (item: AttentionItem) => ({
    ...item,
    ...(item.workflowId && temporalUi && { workflowUrl: `${temporalUi}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(item.workflowId)}` }),
  });

  return [
    route({
      method: 'get',
      path: '/v1/attention',
      summary: 'Everything that needs a human: failed pushes, unconfirmed POs, refused cancels and their follow-ups, rejected returns, overdue documents, webhooks that gave up, stock mismatches, failed go-live checks, JD refusing our credentials',
      tag: 'operations',
      roles: ['operator', 'admin'],
      query: z.strictObject({
        subject: z.enum(SUBJECTS).optional(),
        kind: kindSchema.optional(),
        warehouse: codeSchema.optional(),
      }),
      responses: {
        200: { description: '`items` oldest first (kind, subject, documentNo, why, since, nextAction, href, workflowId, workflowUrl); `counts` per kind' },
        ...problemResponses,
      },
      handler: async ({ query }) => {
        const all = await attentionItems(db, { now: new Date(), waitingThresholdMs, pushingThresholdMs });
        const items = all.filter(
          (item) =>
            (query.subject === undefined || item.subject === query.subject) &&
            (query.kind === undefined || item.kind === query.kind) &&
            (query.warehouse === undefined || item.warehouseCode === query.warehouse),
        );
        const counts: Record<string, number> = {};
        for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
        return { status: 200, body: { generatedAt: new Date().toISOString(), total: items.length, counts, items: items.map(withLinks) } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/attention/acknowledge',
      summary: 'Mark an attention item handled; it comes back if the same document gets into trouble again later',
      tag: 'operations',
      roles: ['operator', 'admin'],
      body: z.strictObject({
        kind: kindSchema,
        subject: z.enum(SUBJECTS),
        documentNo: documentNoSchema,
        note: freeText({ max: 500 }),
      }),
      responses: {
        200: { description: 'Acknowledged; `acknowledgedAt`' },
        404: { description: 'No such item on the attention list now' },
        ...problemResponses,
      },
      handler: async ({ body, actor }) => {
        const listed = await attentionItems(db, { now: new Date(), waitingThresholdMs, pushingThresholdMs });
        if (!listed.some((item) => item.kind === body.kind && item.subject === body.subject && item.documentNo === body.documentNo)) {
          throw problems.notFound(`No ${body.kind} item for ${body.subject} ${body.documentNo} on the attention list`);
        }
        const ack = await acknowledgeAttention(db, { ...body, actorRole: actor?.role ?? 'unknown' });
        return { status: 200, body: { ...body, ...ack } };
      },
    }),
  ];
}
