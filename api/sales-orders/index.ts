// /v1/sales-orders (DESIGN.md §5): create in REVIEW, approve (starts the saga), 打回审核 and buyer
// refunds (signals whose verdict the workflow writes to Postgres), reads and lists from Postgres. This
// file declares the routes; approve.ts and cancel.ts carry them out.
import { z } from 'zod';
import type { ActorRole } from '../../db/operation-log';
import { readOperationLog } from '../../db/operation-log';
import { listReturnsOfOrder } from '../../db/returns';
import { SALES_ORDER_DOC_TYPE, createSalesOrder, getSalesOrder, listSalesOrderCancelRequests, listSalesOrders, salesOrderFollowUp } from '../../db/sales-orders';
import { ledgerForDocument } from '../../db/stock-ledger';
import { CANCEL_VERDICTS } from '../../domain/cancel';
import { codeSchema } from '../../domain/master-data';
import { cancelRequestBody, holdRequestBody, releaseRequestBody, salesOrderBody, type CancelKind } from '../../domain/sales-order';
import { SALES_ORDER_STATUS, type SalesOrderStatus } from '../../domain/statuses';
import { SALES_ORDER_API_DEFAULTS } from '../config';
import { pageQuery } from '../master-data';
import { route, type RouteSpec } from '../route';
import { orderUrl } from './answers';
import { approveSalesOrder, type SalesOrderApiDeps } from './approve';
import { requestSalesOrderCancel } from './cancel';
import { releaseSalesOrder } from './hold';

export type { SalesOrderApiDeps } from './approve';

const READERS = ['erp', 'operator'] as const;
const orderParams = z.strictObject({ orderNo: codeSchema });
const statusEnum = z.enum(Object.keys(SALES_ORDER_STATUS) as [SalesOrderStatus, ...SalesOrderStatus[]]);

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
  404: { description: 'Unknown order' },
};

export function salesOrderRoutes(deps: SalesOrderApiDeps): RouteSpec[] {
  const { db } = deps;

  const cancelRoute = (kind: CancelKind, segment: string, summary: string) =>
    route({
      method: 'post',
      path: `/v1/sales-orders/{orderNo}/${segment}`,
      summary,
      tag: 'sales orders',
      roles: ['operator'],
      params: orderParams,
      body: cancelRequestBody,
      responses: {
        200: { description: 'Decided: `verdict` is CANCELLED_AT_JD, BACK_TO_REVIEW, CANCELLED_IN_ERP or REFUSED_BY_JD (with `jdMessage`)' },
        202: { description: `Not decided within CANCEL_WAIT_MS (default ${SALES_ORDER_API_DEFAULTS.cancelWaitMs} ms); follow Location` },
        409: { description: 'Already shipped (create a return), already cancelled, or in review (nothing to send back)' },
        503: { description: 'Temporal is unreachable; retry after Retry-After seconds' },
        ...problemResponses,
      },
      handler: async ({ params, body, actor }) => requestSalesOrderCancel(deps, params.orderNo, kind, body, actor!),
    });

  return [
    route({
      method: 'post',
      path: '/v1/sales-orders',
      summary: 'Create a sales order in review (idempotent on orderNo)',
      tag: 'sales orders',
      roles: ['erp'],
      body: salesOrderBody,
      responses: {
        200: { description: 'The same order was created before; nothing changed' },
        201: { description: 'Created in REVIEW' },
        409: { description: 'An order with this orderNo exists with a different body' },
        422: { description: 'Unknown warehouse, carrier or SKU; `errors` names each' },
        ...problemResponses,
      },
      handler: async ({ body, actor }) => {
        const { record, created } = await createSalesOrder(db, body, actor!.role as ActorRole);
        return { status: created ? 201 : 200, body: record, headers: created ? { Location: orderUrl(record.orderNo) } : undefined };
      },
    }),
    route({
      method: 'get',
      path: '/v1/sales-orders/{orderNo}',
      summary:
        "Read a sales order: status, JD numbers, waybill, cancel requests, stock ledger, its returns (and, for an exchange's replacement order, `replacementFor`), its hold (挂起), the follow-up of a cancel JD refused (`followUp`) and operation log",
      tag: 'sales orders',
      roles: READERS,
      params: orderParams,
      responses: { 200: { description: 'Found' }, ...problemResponses },
      handler: async ({ params }) => {
        const [order, cancelRequests, ledger, returns, log] = await Promise.all([
          getSalesOrder(db, params.orderNo),
          listSalesOrderCancelRequests(db, params.orderNo),
          ledgerForDocument(db, 'SO', params.orderNo),
          listReturnsOfOrder(db, params.orderNo),
          readOperationLog(db, SALES_ORDER_DOC_TYPE, params.orderNo),
        ]);
        const followUp = await salesOrderFollowUp(db, order);
        return { status: 200, body: { ...order, followUp, cancelRequests, ledger, returns, log } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/sales-orders',
      summary: 'List sales orders, newest first, by status, warehouse, creation time, cancel verdict or short shipment',
      tag: 'sales orders',
      roles: READERS,
      query: pageQuery.extend({
        status: statusEnum.optional(),
        warehouse: codeSchema.optional(),
        createdFrom: z.iso.datetime({ offset: true }).optional(),
        createdBefore: z.iso.datetime({ offset: true }).optional(),
        cancelVerdict: z.enum(CANCEL_VERDICTS).optional(),
        // The operator's view of short shipments: orders where JD shipped less than ordered.
        shortShipped: z.enum(['true', 'false']).optional(),
      }),
      responses: { 200: { description: 'A page of orders (without lines and consignee)' }, ...problemResponses },
      handler: async ({ query }) => {
        const { status, warehouse, createdFrom, createdBefore, cancelVerdict, shortShipped, ...page } = query;
        const result = await listSalesOrders(
          db,
          {
            ...(status && { status }),
            ...(warehouse && { warehouseCode: warehouse }),
            ...(createdFrom && { createdFrom: new Date(createdFrom) }),
            ...(createdBefore && { createdBefore: new Date(createdBefore) }),
            ...(cancelVerdict && { cancelVerdict }),
            ...(shortShipped !== undefined && { shortShipped: shortShipped === 'true' }),
          },
          page,
        );
        return { status: 200, body: { ...result, ...page } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/sales-orders/{orderNo}/approve',
      summary: 'Approve (审核): push the order to JD through the salesOrder workflow',
      tag: 'sales orders',
      roles: ['erp'],
      params: orderParams,
      responses: {
        202: { description: 'The push started; follow Location' },
        409: { description: 'The order is not in review; the body carries its current status' },
        422: { description: 'The order\'s warehouse is not a JD (ECLP) warehouse' },
        503: { description: 'Temporal is unreachable; nothing changed; retry after Retry-After seconds' },
        ...problemResponses,
      },
      handler: async ({ params, actor }) => approveSalesOrder(deps, params.orderNo, actor!),
    }),
    cancelRoute('sendBack', 'send-back', '打回审核: back to review, cancelling the order at JD first when JD has it'),
    cancelRoute('buyerRefund', 'refund', 'Buyer refund: cancel at JD and in the ERP so the order never ships'),
    route({
      method: 'post',
      path: '/v1/sales-orders/{orderNo}/hold',
      summary:
        '挂起 (emulated: ECLP has no hold): an order in review is held from approval; an order at JD is cancelled there (if JD still allows it) and pushed again under a new revision on release; `until` is shown and, once passed, puts the order on the attention list (no automatic release)',
      tag: 'sales orders',
      roles: ['operator'],
      params: orderParams,
      body: holdRequestBody,
      responses: {
        200: {
          description:
            'Decided; `outcome` says which: HELD_BEFORE_APPROVAL (was in review), CANCELLED_AT_JD_HELD (JD cancelled its order), HELD_WITHOUT_JD (was FAILED), or REFUSED_BY_JD (picking began: the order stays in WMS配货 and will ship, `jdMessage` has JD\'s words; the order carries a `followUp`)',
        },
        202: { description: `Not decided within CANCEL_WAIT_MS (default ${SALES_ORDER_API_DEFAULTS.cancelWaitMs} ms; a hold while PUSHING waits for JD's answer to the push); follow Location` },
        409: { description: 'Already held, shipped (create a return) or cancelled; or a request still waits for the order\'s run' },
        503: { description: 'Temporal is unreachable; nothing changed; retry after Retry-After seconds' },
        ...problemResponses,
      },
      handler: async ({ params, body, actor }) => requestSalesOrderCancel(deps, params.orderNo, 'hold', body, actor!),
    }),
    route({
      method: 'post',
      path: '/v1/sales-orders/{orderNo}/release',
      summary: 'Release a held order (挂起 → 待审核): held before approval or after a failure → back in review (RELEASED_TO_REVIEW); held at JD → pushed again at once under the next revision (REPUSHED)',
      tag: 'sales orders',
      roles: ['operator'],
      params: orderParams,
      body: releaseRequestBody,
      responses: {
        200: { description: '`outcome` RELEASED_TO_REVIEW: in review again (`repushProblem` says why a push that was due could not start)' },
        202: { description: '`outcome` REPUSHED: pushed again under `pushRevision` (`workflowId`); follow Location' },
        409: { description: 'The order is not held; the body carries its current status' },
        ...problemResponses,
      },
      handler: async ({ params, body, actor }) => releaseSalesOrder(deps, params.orderNo, body, actor!),
    }),
  ];
}
