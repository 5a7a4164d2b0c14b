// Serial numbers (序列号) at JD, issue 12 §2: by bill (queryPageSerialByBillNo), in stock for a SKU
// (queryInStockSIDBySku) and on one of our documents (queryGoodsSerial under JD's number for it). The API
// may not call JD: each request runs the read-only jdLookup workflow and waits for its answer. Every page
// is read; a very long list is cut (`truncated: true`) so the answer fits Temporal's payload limit.
import { WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import {
  JD_LOOKUP_DEFAULTS,
  SERIAL_BILL_TYPES,
  SERIAL_DOCUMENT_TYPES,
  type JdLookupQuery,
  type JdLookupResult,
  type SerialBillTypeCode,
  type SerialDocumentType,
} from '../client/jd-lookups';
import { positiveInteger, type Env } from '../config/env';
import { findGoods } from '../db/master-data';
import { findPurchaseOrder } from '../db/purchase-orders';
import { findReturn } from '../db/returns';
import { findSalesOrder } from '../db/sales-orders';
import { NotFoundError, UnprocessableError } from '../domain/errors';
import { codeSchema } from '../domain/master-data';
import { freeText } from '../domain/text-schema';
import type { FeatureRouteDeps } from './feature-deps';
import { HttpProblem } from './problem';
import { route, type RouteResult, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

const TAG = 'serial numbers';
const READERS = ['erp', 'operator'] as const;
const BILL_TYPE_CODES = Object.keys(SERIAL_BILL_TYPES) as [SerialBillTypeCode, ...SerialBillTypeCode[]];

export interface SerialApiConfig {
  /** JD page size of the paged serial queries (JD_SERIAL_PAGE_SIZE). */
  pageSize: number;
  /** How long JD may take for one lookup, every page and retry included (JD_LOOKUP_TIMEOUT_MS). */
  timeoutMs: number;
  /** At most this many serials per answer (JD_LOOKUP_MAX_ITEMS); the rest → `truncated`. */
  maxItems: number;
}

export function serialApiConfigFromEnv(env: Env): SerialApiConfig {
  return {
    pageSize: positiveInteger(env, 'JD_SERIAL_PAGE_SIZE', JD_LOOKUP_DEFAULTS.pageSize),
    timeoutMs: positiveInteger(env, 'JD_LOOKUP_TIMEOUT_MS', JD_LOOKUP_DEFAULTS.timeoutMs, 'ms'),
    maxItems: positiveInteger(env, 'JD_LOOKUP_MAX_ITEMS', JD_LOOKUP_DEFAULTS.maxItems),
  };
}

const billQuery = z.strictObject({
  billNo: freeText({ max: 50, maxMessage: "must be at most 50 characters (JD's billNo)" }),
  billType: z.enum(BILL_TYPE_CODES, {
    error: () => `must be one of JD's bill types: ${Object.entries(SERIAL_BILL_TYPES).map(([code, name]) => `${code} (${name})`).join(', ')}`,
  }),
});
const skuParams = z.strictObject({ sku: codeSchema });
const documentParams = z.strictObject({
  type: z.enum(SERIAL_DOCUMENT_TYPES, { error: () => `must be one of ${SERIAL_DOCUMENT_TYPES.join(', ')}` }),
  docNo: codeSchema,
});

const lookupResponses = {
  200: { description: '`{ items, total, truncated }`: every page JD has, up to JD_LOOKUP_MAX_ITEMS (then `truncated: true`; `total` is JD\'s count)' },
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
  422: { description: 'JD refused the query (`jdCode`, `jdMessage`: JD\'s words), or there is nothing to ask JD with' },
  502: { description: 'JD did not answer within JD_LOOKUP_TIMEOUT_MS (transport, gateway, quota or credential trouble; `detail` has the last failure)' },
  503: { description: 'Temporal is unreachable; retry after Retry-After seconds' },
};

/** The document's JD number, from our tables: 404 unknown, 422 not at JD yet. */
async function jdNumberOf(deps: FeatureRouteDeps, type: SerialDocumentType, docNo: string): Promise<string> {
  const doc =
    type === 'sales-order'
      ? await findSalesOrder(deps.db, docNo).then((d) => d && { jdNo: d.eclpSoNo, field: 'eclpSoNo', status: d.status })
      : type === 'purchase-order'
        ? await findPurchaseOrder(deps.db, docNo).then((d) => d && { jdNo: d.poOrderNo, field: 'poOrderNo', status: d.status })
        : await findReturn(deps.db, docNo).then((d) => d && { jdNo: d.eclpRtwNo, field: 'eclpRtwNo', status: d.status });
  if (!doc) throw new NotFoundError(`No ${type} ${docNo}`, 'not-found');
  if (doc.jdNo === null) {
    throw new UnprocessableError(`The ${type} ${docNo} is ${doc.status} and not at JD yet (no ${doc.field}): JD has no serial numbers for it`, 'not-at-jd', {
      errors: [{ field: 'path.docNo', message: `has no JD number (${doc.field}) yet` }],
      documentStatus: doc.status,
    });
  }
  return doc.jdNo;
}

/** Runs the lookup and turns its outcome into the answer. */
async function lookup(deps: FeatureRouteDeps, config: SerialApiConfig, query: JdLookupQuery): Promise<RouteResult> {
  const { documents } = deps;
  const run = await withTemporal(
    () => documents.jdLookups.start(query, { pageSize: config.pageSize, maxItems: config.maxItems, timeoutMs: config.timeoutMs }),
    documents.temporal,
  );
  let result: JdLookupResult;
  try {
    result = await withTemporal(() => run.result(), documents.temporal, documents.jdLookups.resultWaitMs(config.timeoutMs));
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      throw new HttpProblem(502, 'jd-unavailable', 'Bad gateway', `The JD lookup ${run.workflowId} did not finish: ${err.cause?.message ?? err.message}`, { workflowId: run.workflowId });
    }
    throw err;
  }
  switch (result.outcome) {
    case 'ok': {
      const { kind: _kind, ...answer } = result.answer;
      if (answer.items.length > 0 && typeof answer.items[0] === 'string') {
        return { status: 200, body: { ...answer, items: (answer.items as string[]).map((serialNo) => ({ serialNo })) } };
      }
      return { status: 200, body: answer };
    }
    case 'refused':
      throw new HttpProblem(422, 'jd-refused', 'Refused by JD', `JD refused the query: ${result.jdMessage}`, { jdCode: result.jdCode, jdMessage: result.jdMessage });
    case 'not-at-jd':
      throw new UnprocessableError(result.message, 'not-at-jd');
    case 'unavailable':
      throw new HttpProblem(502, 'jd-unavailable', 'Bad gateway', `JD did not answer within ${config.timeoutMs / 1000} s: ${result.message}`, { workflowId: run.workflowId });
  }
}

export function serialRoutes(deps: FeatureRouteDeps): RouteSpec[] {
  const config = serialApiConfigFromEnv(deps.env);
  return [
    route({
      method: 'get',
      path: '/v1/serials',
      summary: "Serial numbers JD scanned on a bill (queryPageSerialByBillNo, every page): billType 11 purchase inbound, 12 customer-return inbound, 24 sales outbound, 32 return-to-supplier",
      tag: TAG,
      roles: READERS,
      query: billQuery,
      responses: lookupResponses,
      handler: async ({ query }) => lookup(deps, config, { kind: 'serialsByBill', billNo: query.billNo, billType: query.billType }),
    }),
    route({
      method: 'get',
      path: '/v1/goods/{sku}/serials-in-stock',
      summary: 'Serial numbers of a SKU in JD stock now (queryInStockSIDBySku under its JD goods number, every page)',
      tag: TAG,
      roles: READERS,
      params: skuParams,
      responses: { ...lookupResponses, 404: { description: 'Unknown SKU' }, 422: { description: 'SKU not synced to JD (no jdGoodsNo), or JD refused the query (`jdCode`, `jdMessage`)' } },
      handler: async ({ params }) => {
        const goods = await findGoods(deps.db, params.sku);
        if (!goods) throw new NotFoundError(`No goods with SKU ${params.sku}`, 'not-found');
        if (goods.jdGoodsNo === null) {
          throw new UnprocessableError(`SKU ${params.sku} is not synced to JD yet (sync status ${goods.syncStatus}): JD has no serial numbers for it`, 'goods-not-at-jd', {
            errors: [{ field: 'path.sku', message: 'is not synced to JD (no jdGoodsNo)' }],
            syncStatus: goods.syncStatus,
          });
        }
        return lookup(deps, config, { kind: 'serialsInStock', sku: params.sku });
      },
    }),
    route({
      method: 'get',
      path: '/v1/serials/by-document/{type}/{docNo}',
      summary: "Serial numbers on one of our documents at JD (queryGoodsSerial under its eclpSoNo / poOrderNo / eclpRtwNo)",
      tag: TAG,
      roles: READERS,
      params: documentParams,
      responses: { ...lookupResponses, 404: { description: 'Unknown document' }, 422: { description: 'The document is not at JD yet (no JD number), or JD refused the query (`jdCode`, `jdMessage`)' } },
      handler: async ({ params }) => {
        await jdNumberOf(deps, params.type, params.docNo);
        return lookup(deps, config, { kind: 'serialsOfDocument', type: params.type, docNo: params.docNo });
      },
    }),
  ];
}
