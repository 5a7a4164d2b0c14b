// Starting goods syncs. The workflow ID is the SKU, so a repeated request joins the running sync, and
// goods that already have a JD number are answered from Postgres without touching JD or Temporal.
import type { Knex } from 'knex';
import { z } from 'zod';
import type { DocumentClient } from '../client';
import { markGoodsSyncRequested } from '../db/goods-sync';
import { existingGoodsSkus, getGoods } from '../db/master-data';
import type { ActorRole } from '../db/operation-log';
import { UnprocessableError } from '../domain/errors';
import { codeSchema } from '../domain/master-data';
import { route, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

export interface GoodsSyncDeps {
  db: Knex;
  documents: DocumentClient;
}

type SyncOutcome = { sku: string; outcome: 'started' | 'already-synced'; workflowId?: string; jdGoodsNo?: string };

async function startSync(deps: GoodsSyncDeps, sku: string, actor: ActorRole): Promise<SyncOutcome> {
  const goods = await getGoods(deps.db, sku);
  if (goods.jdGoodsNo) return { sku, outcome: 'already-synced', jdGoodsNo: goods.jdGoodsNo };
  const { workflowId } = await withTemporal(() => deps.documents.goods.start(sku), deps.documents.temporal);
  await markGoodsSyncRequested(deps.db, { sku, workflowId, actorRole: actor });
  return { sku, outcome: 'started', workflowId };
}

export function goodsSyncRoutes(deps: GoodsSyncDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/goods/{sku}/sync',
      summary: 'Create the goods at JD (transportGoodsInfo) unless they are there already',
      tag: 'master data',
      roles: ['erp'],
      params: z.strictObject({ sku: codeSchema }),
      responses: {
        200: { description: 'Already at JD; nothing was sent' },
        202: { description: 'Sync started (or already running); poll GET /v1/goods/{sku}' },
        404: { description: 'Unknown SKU' },
        503: { description: 'Temporal is unreachable; retry after Retry-After seconds' },
      },
      handler: async ({ params, actor }) => {
        const outcome = await startSync(deps, params.sku, actor!.role);
        return {
          status: outcome.outcome === 'started' ? 202 : 200,
          body: { ...outcome, goodsUrl: `/v1/goods/${params.sku}` },
          headers: outcome.outcome === 'started' ? { Location: `/v1/goods/${params.sku}` } : undefined,
        };
      },
    }),
    route({
      method: 'post',
      path: '/v1/goods/sync',
      summary: 'Sync several SKUs at once; unknown SKUs refuse the whole request',
      tag: 'master data',
      roles: ['erp'],
      body: z
        .strictObject({
          skus: z
            .array(codeSchema)
            .min(1)
            .max(500)
            .refine((skus) => new Set(skus).size === skus.length, 'must not repeat a SKU'),
        })
        .meta({ id: 'BulkGoodsSyncBody' }),
      responses: { 202: { description: 'Per-SKU outcome' }, 422: { description: 'Some SKUs do not exist; nothing was started' } },
      handler: async ({ body, actor }) => {
        const known = await existingGoodsSkus(deps.db, body.skus);
        const unknown = body.skus.filter((s) => !known.has(s));
        if (unknown.length > 0) {
          throw new UnprocessableError(`Unknown SKUs: ${unknown.join(', ')}; nothing was started`, 'unknown-skus', {
            errors: unknown.map((sku) => ({ field: `skus.${body.skus.indexOf(sku)}`, message: `SKU ${sku} does not exist` })),
          });
        }
        const results: SyncOutcome[] = [];
        for (const sku of body.skus) results.push(await startSync(deps, sku, actor!.role));
        return { status: 202, body: { results } };
      },
    }),
  ];
}
