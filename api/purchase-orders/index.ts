// /v1/purchase-orders (DESIGN.md §5, issue 10 §1): create (pushed to JD at once for an ECLP-connected
// warehouse), read and list from Postgres, cancel / close / link / repush (signals whose verdict the run
// writes to Postgres) and serial numbers. This file declares the routes; create.ts, requests.ts and
// serials.ts carry them out.
import { z } from 'zod';
import { getPurchaseOrderDetail, listPurchaseOrders } from '../../db/purchase-orders';
import { codeSchema } from '../../domain/master-data';
import {
  PURCHASE_ORDER_VERDICTS,
  purchaseOrderBody,
  purchaseOrderLinkBody,
  purchaseOrderRepushBody,
  purchaseOrderRequestBody,
  purchaseOrderSerialsBody,
} from '../../domain/purchase-order';
import { PURCHASE_ORDER_STATUS, type PurchaseOrderStatus } from '../../domain/statuses';
import { SALES_ORDER_API_DEFAULTS } from '../config';
import { pageQuery } from '../master-data';
import { route, type RouteSpec } from '../route';
import { createPurchaseOrderAndPush, type PurchaseOrderApiDeps } from './create';
import { requestOfPurchaseOrder } from './requests';
import { submitPurchaseOrderSerials } from './serials';

export type { PurchaseOrderApiDeps } from './create';

const TAG = 'purchase orders';
const READERS = ['erp', 'operator'] as const;
const poParams = z.strictObject({ poNo: codeSchema });
const statusEnum = z.enum(Object.keys(PURCHASE_ORDER_STATUS) as [PurchaseOrderStatus, ...PurchaseOrderStatus[]]);

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
  404: { description: 'Unknown purchase order' },
};

const verdictResponses = {
  200: { description: 'Decided: `verdict` (CANCELLED_AT_JD, CANCELLED_IN_ERP, REFUSED_BY_JD with `jdMessage`, CLOSED_AT_JD, LINKED, LINK_REFUSED, REPUSHED)' },
  202: { description: `Not decided within CANCEL_WAIT_MS (default ${SALES_ORDER_API_DEFAULTS.cancelWaitMs} ms); follow Location` },
  503: { description: 'Temporal is unreachable; nothing changed; retry after Retry-After seconds' },
  ...problemResponses,
};

/** The 409 of a request: the API's routing refusal, or a verdict that came too late for the PO. */
const refused = (when: string) => ({
  409: { description: `${when}; or the PO moved on before its run decided (verdict ALREADY_RECEIVED, ALREADY_CANCELLED or NOT_APPLICABLE); the body carries the current status` },
});

export function purchaseOrderRoutes(deps: PurchaseOrderApiDeps): RouteSpec[] {
  const { db } = deps;

  return [
    route({
      method: 'post',
      path: '/v1/purchase-orders',
      summary: 'Create a purchase order (idempotent on poNo); for an ECLP-connected warehouse its push to JD starts at once',
      tag: TAG,
      roles: ['erp'],
      body: purchaseOrderBody,
      responses: {
        200: { description: 'The same purchase order was created before; nothing changed (a push that could not start before is started now)' },
        201: { description: 'Stored NOT_PUSHED: the warehouse is not ECLP-connected, so nothing goes to JD' },
        202: { description: 'Stored PUSHING and its push saga started (`workflowId`); follow Location' },
        409: { description: 'A purchase order with this poNo exists with a different body' },
        422: { description: 'Unknown warehouse or SKU; `errors` names each' },
        503: { description: 'Temporal is unreachable; the same request again (after Retry-After seconds) starts the push' },
        ...problemResponses,
      },
      handler: async ({ body, actor }) => createPurchaseOrderAndPush(deps, body, actor!),
    }),
    route({
      method: 'get',
      path: '/v1/purchase-orders/{poNo}',
      summary: 'Read a purchase order: status, JD number, lines with received / short / defective / excess quantities, receipts, stock ledger, requests, serial batches and operation log',
      tag: TAG,
      roles: READERS,
      params: poParams,
      responses: { 200: { description: 'Found' }, ...problemResponses },
      handler: async ({ params }) => ({ status: 200, body: await getPurchaseOrderDetail(db, params.poNo) }),
    }),
    route({
      method: 'get',
      path: '/v1/purchase-orders',
      summary: 'List purchase orders, newest first, by status, warehouse, supplier, creation time, JD number, request verdict or short close',
      tag: TAG,
      roles: READERS,
      query: pageQuery.extend({
        status: statusEnum.optional(),
        warehouse: codeSchema.optional(),
        supplier: codeSchema.optional(),
        createdFrom: z.iso.datetime({ offset: true }).optional(),
        createdBefore: z.iso.datetime({ offset: true }).optional(),
        poOrderNo: z.string().regex(/^[A-Za-z0-9]{1,50}$/, "must be JD's PO number (EPL…)").optional(),
        verdict: z.enum(PURCHASE_ORDER_VERDICTS).optional(),
        // Ended with less than ordered (closed at JD, or JD finished short).
        closedShort: z.enum(['true', 'false']).optional(),
      }),
      responses: { 200: { description: 'A page of purchase orders (without lines)' }, ...problemResponses },
      handler: async ({ query }) => {
        const { status, warehouse, supplier, createdFrom, createdBefore, poOrderNo, verdict, closedShort, ...page } = query;
        const result = await listPurchaseOrders(
          db,
          {
            ...(status && { status }),
            ...(warehouse && { warehouseCode: warehouse }),
            ...(supplier && { supplierCode: supplier }),
            ...(createdFrom && { createdFrom: new Date(createdFrom) }),
            ...(createdBefore && { createdBefore: new Date(createdBefore) }),
            ...(poOrderNo && { poOrderNo }),
            ...(verdict && { verdict }),
            ...(closedShort !== undefined && { closedShort: closedShort === 'true' }),
          },
          page,
        );
        return { status: 200, body: { ...result, ...page } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/purchase-orders/{poNo}/cancel',
      summary: 'Cancel at JD (cancalPoOrder); a cancel during the push waits for it to resolve',
      tag: TAG,
      roles: ['operator'],
      params: poParams,
      body: purchaseOrderRequestBody,
      responses: { ...verdictResponses, ...refused('Already received or cancelled, not pushed, or PUSH_UNCONFIRMED (link or repush first)') },
      handler: async ({ params, body, actor }) => requestOfPurchaseOrder(deps, params.poNo, { kind: 'cancel', ...body }, actor!),
    }),
    route({
      method: 'post',
      path: '/v1/purchase-orders/{poNo}/close',
      summary: 'Close a partly received purchase order at JD (po.closePo): it ends RECEIVED with what arrived, the rest short',
      tag: TAG,
      roles: ['operator'],
      params: poParams,
      body: purchaseOrderRequestBody,
      responses: { ...verdictResponses, ...refused('Not PARTIALLY_RECEIVED (nothing received yet: cancel instead)') },
      handler: async ({ params, body, actor }) => requestOfPurchaseOrder(deps, params.poNo, { kind: 'close', ...body }, actor!),
    }),
    route({
      method: 'post',
      path: '/v1/purchase-orders/{poNo}/link',
      summary: "PUSH_UNCONFIRMED: link JD's purchase order (checked with queryPoOrder: it must carry our number)",
      tag: TAG,
      roles: ['operator'],
      params: poParams,
      body: purchaseOrderLinkBody,
      responses: { ...verdictResponses, ...refused('The purchase order is not PUSH_UNCONFIRMED') },
      handler: async ({ params, body, actor }) => requestOfPurchaseOrder(deps, params.poNo, { kind: 'link', ...body }, actor!),
    }),
    route({
      method: 'post',
      path: '/v1/purchase-orders/{poNo}/repush',
      summary: 'PUSH_UNCONFIRMED or FAILED: push again under a new revision, once the operator has confirmed JD holds no purchase order for it',
      tag: TAG,
      roles: ['operator'],
      params: poParams,
      body: purchaseOrderRepushBody,
      responses: { ...verdictResponses, ...refused('The purchase order is neither PUSH_UNCONFIRMED nor FAILED') },
      handler: async ({ params, body, actor }) => {
        const { confirmNoJdOrder: _confirmed, ...request } = body;
        return requestOfPurchaseOrder(deps, params.poNo, { kind: 'repush', ...request }, actor!);
      },
    }),
    route({
      method: 'post',
      path: '/v1/purchase-orders/{poNo}/serials',
      summary: "Serial numbers of one SKU of the purchase order (addPoSidDetail); uploaded by the purchase order's run once JD holds it",
      tag: TAG,
      roles: ['erp'],
      params: poParams,
      body: purchaseOrderSerialsBody,
      responses: {
        202: { description: '`{ batchId, status }`: stored and handed to the run; the batch shows under serialBatches of the purchase order (Location)' },
        409: { description: 'The purchase order has ended (received, cancelled, not pushed), or its run is not running' },
        422: { description: 'The SKU is not a line of the purchase order, or a serial number was sent in an earlier batch; `errors` names the field' },
        503: { description: 'Temporal is unreachable; send the same request again after Retry-After seconds' },
        ...problemResponses,
      },
      handler: async ({ params, body }) => submitPurchaseOrderSerials(deps, params.poNo, body),
    }),
  ];
}
