// /v1/returns (售后单, issue 11 §1): create (checked against the original order; an exchange gets its
// replacement order in REVIEW; the push to JD starts at once), read and list from Postgres, and the
// operator's cancel (a signal whose verdict the run writes to Postgres). This file declares the routes;
// create.ts and cancel.ts carry them out.
import { z } from 'zod';
import { getReturnDetail, listReturns } from '../../db/returns';
import { codeSchema } from '../../domain/master-data';
import { RETURN_TYPES, returnBody, returnCancelBody } from '../../domain/return-order';
import { RETURN_STATUS, type ReturnStatus } from '../../domain/statuses';
import { SALES_ORDER_API_DEFAULTS } from '../config';
import { pageQuery } from '../master-data';
import { route, type RouteSpec } from '../route';
import { cancelReturn } from './cancel';
import { confirmReturn } from './confirm';
import { createReturnAndPush, type ReturnApiDeps } from './create';

export type { ReturnApiDeps } from './create';

const TAG = 'returns';
const READERS = ['erp', 'operator'] as const;
const returnParams = z.strictObject({ returnNo: codeSchema });
const statusEnum = z.enum(Object.keys(RETURN_STATUS) as [ReturnStatus, ...ReturnStatus[]]);

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
  404: { description: 'Unknown return' },
};

export function returnRoutes(deps: ReturnApiDeps): RouteSpec[] {
  const { db } = deps;

  return [
    route({
      method: 'post',
      path: '/v1/returns',
      summary: 'Create a return or exchange (idempotent on returnNo); its push to JD (transportRtw) starts at once, and an exchange gets its replacement sales order in REVIEW',
      tag: TAG,
      roles: ['erp'],
      body: returnBody,
      responses: {
        200: { description: 'The same return was created before; nothing changed (a push that could not start before is started now)' },
        202: { description: 'Stored PUSHING and its push saga started (`workflowId`); for an exchange `replacementOrderNo` names the new order in REVIEW; follow Location' },
        409: { description: 'A return with this returnNo exists with a different body' },
        422: {
          description:
            'Refused, `errors` naming each line: the original order unknown or not SHIPPED (orderNo); a SKU not on it, or more than it shipped minus what earlier returns claim (lines.{i}.sku, lines.{i}.quantity); the warehouse unknown or not ECLP-connected (warehouseCode); replacement goods unknown or without a price (replacementLines.{i}.sku, .price)',
        },
        503: { description: 'Temporal is unreachable; the return is stored and the same request again (after Retry-After seconds) starts its push' },
        ...problemResponses,
      },
      handler: async ({ body, actor }) => createReturnAndPush(deps, body, actor!),
    }),
    route({
      method: 'get',
      path: '/v1/returns/{returnNo}',
      summary: 'Read a return: status, JD numbers, lines with received quantity and goods level, the sales-return receipt, stock ledger, replacement order, requests, attention and operation log',
      tag: TAG,
      roles: READERS,
      params: returnParams,
      responses: { 200: { description: 'Found' }, ...problemResponses },
      handler: async ({ params }) => ({ status: 200, body: await getReturnDetail(db, params.returnNo) }),
    }),
    route({
      method: 'get',
      path: '/v1/returns',
      summary: 'List returns, newest first, by status (DRAFT: drafts waiting for confirmation), type, original order, warehouse, attention item or creation time',
      tag: TAG,
      roles: READERS,
      query: pageQuery.extend({
        status: statusEnum.optional(),
        type: z.enum(RETURN_TYPES).optional(),
        order: codeSchema.optional(),
        warehouse: codeSchema.optional(),
        // The operator's to-do list: returns whose exchange needs a human (a replacement that shipped anyway).
        attention: z.enum(['true', 'false']).optional(),
        createdFrom: z.iso.datetime({ offset: true }).optional(),
        createdBefore: z.iso.datetime({ offset: true }).optional(),
      }),
      responses: { 200: { description: 'A page of returns (without lines)' }, ...problemResponses },
      handler: async ({ query }) => {
        const { status, type, order, warehouse, attention, createdFrom, createdBefore, ...page } = query;
        const result = await listReturns(
          db,
          {
            ...(status && { status }),
            ...(type && { type }),
            ...(order && { orderNo: order }),
            ...(warehouse && { warehouseCode: warehouse }),
            ...(attention !== undefined && { attention: attention === 'true' }),
            ...(createdFrom && { createdFrom: new Date(createdFrom) }),
            ...(createdBefore && { createdBefore: new Date(createdBefore) }),
          },
          page,
        );
        return { status: 200, body: { ...result, ...page } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/returns/{returnNo}/cancel',
      summary: "Cancel a return: at JD (cancelRtwOrder) once JD holds it, in the ERP when its push failed; an exchange's replacement order follows",
      tag: TAG,
      roles: ['operator'],
      params: returnParams,
      body: returnCancelBody,
      responses: {
        200: { description: 'Decided: `verdict` CANCELLED_AT_JD, CANCELLED_IN_ERP, or REFUSED_BY_JD with `jdMessage` (the return carries on)' },
        202: { description: `Not decided within CANCEL_WAIT_MS (default ${SALES_ORDER_API_DEFAULTS.cancelWaitMs} ms; a return still being pushed is decided once JD holds it); follow Location` },
        409: {
          description: 'Already received (create a sales order or adjust stock instead), rejected or cancelled — before the request or before its run decided (verdict ALREADY_RECEIVED, ALREADY_REJECTED, ALREADY_CANCELLED); the body carries the current status',
        },
        503: { description: 'Temporal is unreachable; nothing changed; retry after Retry-After seconds' },
        ...problemResponses,
      },
      handler: async ({ params, body, actor }) => cancelReturn(deps, params.returnNo, body, actor!),
    }),
    route({
      method: 'post',
      path: '/v1/returns/{returnNo}/confirm',
      summary:
        'Confirm a return draft (草稿: drafted when an order shipped although JD had refused its refund): checked like POST /v1/returns, then pushed to JD (transportRtw) at once',
      tag: TAG,
      roles: ['operator'],
      params: returnParams,
      responses: {
        202: { description: 'Confirmed: PUSHING, its push saga started (`workflowId`); follow Location' },
        409: { description: 'The return is not a draft; the body carries its current status' },
        422: { description: 'Refused like POST /v1/returns, `errors` naming each field (the order no longer shipped, lines claimed by other returns since, warehouse no longer at JD)' },
        503: { description: 'Temporal is unreachable; the return is confirmed and the same request again (after Retry-After seconds) starts its push' },
        ...problemResponses,
      },
      handler: async ({ params, actor }) => confirmReturn(deps, params.returnNo, actor!),
    }),
  ];
}
