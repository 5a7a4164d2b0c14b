// /v1 master data routes (DESIGN.md §5): PUT creates or replaces, GET reads one or a page.
import type { Knex } from 'knex';
import { z } from 'zod';
import { carrierBody, categoryBody, codeSchema, goodsBody, supplierBody, warehouseBody } from '../domain/master-data';
import { GOODS_SYNC_STATUS, type GoodsSyncStatus } from '../domain/statuses';
import {
  CARRIER,
  CATEGORY,
  GOODS_DOC_TYPE,
  SUPPLIER,
  WAREHOUSE,
  getGoods,
  getSimple,
  listGoods,
  listSimple,
  upsertGoods,
  upsertSimple,
  type SimpleKind,
} from '../db/master-data';
import { readOperationLog } from '../db/operation-log';
import { route, type RouteSpec } from './route';

const READERS = ['erp', 'operator'] as const;
const WRITERS = ['erp'] as const;

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: 'The token\'s role may not do this' },
};

function simpleKindRoutes<B extends object>(db: Knex, kind: SimpleKind<B>, segment: string, body: z.ZodType<B>, tag: string): RouteSpec[] {
  const params = z.strictObject({ code: codeSchema });
  return [
    route({
      method: 'put',
      path: `/v1/${segment}/{code}`,
      summary: `Create or replace a ${kind.noun}`,
      tag,
      roles: WRITERS,
      params,
      body,
      responses: { 200: { description: 'Replaced' }, 201: { description: 'Created' }, ...problemResponses },
      handler: async ({ params, body, actor }) => {
        const { record, created } = await upsertSimple(db, kind, params.code, body, actor!.role);
        return { status: created ? 201 : 200, body: record };
      },
    }),
    route({
      method: 'get',
      path: `/v1/${segment}/{code}`,
      summary: `Read a ${kind.noun} with its operation log`,
      tag,
      roles: READERS,
      params,
      responses: { 200: { description: 'Found' }, 404: { description: 'Unknown code' }, ...problemResponses },
      handler: async ({ params }) => ({
        status: 200,
        body: { ...(await getSimple(db, kind, params.code)), log: await readOperationLog(db, kind.docType, params.code) },
      }),
    }),
    route({
      method: 'get',
      path: `/v1/${segment}`,
      summary: `List ${kind.noun}s`,
      tag,
      roles: READERS,
      query: pageQuery,
      responses: { 200: { description: 'A page, ordered by code' }, ...problemResponses },
      handler: async ({ query }) => ({ status: 200, body: { ...(await listSimple(db, kind, query)), ...query } }),
    }),
  ];
}

const skuParams = z.strictObject({ sku: codeSchema });

function goodsRoutes(db: Knex): RouteSpec[] {
  return [
    route({
      method: 'put',
      path: '/v1/goods/{sku}',
      summary: 'Create or replace goods; barcodes are unique across all goods',
      tag: 'master data',
      roles: WRITERS,
      params: skuParams,
      body: goodsBody,
      responses: { 200: { description: 'Replaced' }, 201: { description: 'Created' }, 409: { description: 'A barcode belongs to another SKU, or the goods are at JD and their barcodes would change' }, ...problemResponses },
      handler: async ({ params, body, actor }) => {
        const { record, created } = await upsertGoods(db, params.sku, body, actor!.role);
        return { status: created ? 201 : 200, body: record };
      },
    }),
    route({
      method: 'get',
      path: '/v1/goods/{sku}',
      summary: 'Read goods with their JD number, sync state and operation log',
      tag: 'master data',
      roles: READERS,
      params: skuParams,
      responses: { 200: { description: 'Found' }, 404: { description: 'Unknown SKU' }, ...problemResponses },
      handler: async ({ params }) => ({
        status: 200,
        body: { ...(await getGoods(db, params.sku)), log: await readOperationLog(db, GOODS_DOC_TYPE, params.sku) },
      }),
    }),
    route({
      method: 'get',
      path: '/v1/goods',
      summary: 'List goods, optionally by sync status',
      tag: 'master data',
      roles: READERS,
      query: pageQuery.extend({ syncStatus: z.enum(Object.keys(GOODS_SYNC_STATUS) as [GoodsSyncStatus, ...GoodsSyncStatus[]]).optional() }),
      responses: { 200: { description: 'A page, ordered by SKU' }, ...problemResponses },
      handler: async ({ query }) => {
        const { syncStatus, ...page } = query;
        return { status: 200, body: { ...(await listGoods(db, { syncStatus }, page)), ...page } };
      },
    }),
  ];
}

export function masterDataRoutes(db: Knex): RouteSpec[] {
  return [
    ...simpleKindRoutes(db, WAREHOUSE, 'warehouses', warehouseBody, 'master data'),
    ...simpleKindRoutes(db, CARRIER, 'carriers', carrierBody, 'master data'),
    ...simpleKindRoutes(db, SUPPLIER, 'suppliers', supplierBody, 'master data'),
    ...simpleKindRoutes(db, CATEGORY, 'categories', categoryBody, 'master data'),
    ...goodsRoutes(db),
  ];
}
