// /v1/sales-orders (DESIGN.md §5): create in REVIEW, approve (starts the saga), 打回审核 and buyer
// refunds (signals whose verdict the workflow writes to Postgres), reads and lists from Postgres.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Knex } from 'knex';
import { z } from 'zod';
import { ConflictError, UnprocessableError } from '../domain/errors';
import { codeSchema } from '../domain/master-data';
import { alreadyShippedMessage, canApprove, cancelRequestBody, routeCancelRequest, salesOrderBody, type CancelKind, type CancelRequestBody } from '../domain/sales-order';
import { SALES_ORDER_STATUS, type SalesOrderStatus } from '../domain/statuses';
import { readOperationLog, type ActorRole } from '../db/operation-log';
import {
  SALES_ORDER_DOC_TYPE,
  cancelInReview,
  claimPush,
  createSalesOrder,
  findCancelRequest,
  getSalesOrder,
  insertPendingCancelRequest,
  listCancelRequests,
  listSalesOrders,
  type CancelRequestRecord,
  type NewCancelRequest,
  type SalesOrderRecord,
} from '../db/sales-orders';
import { ledgerForDocument } from '../db/stock-ledger';
import { workflowIds } from '../workflows/ids';
import type { salesOrder, SalesOrderInput } from '../workflows/sales-order';
import {
  CANCEL_SIGNALS,
  CANCEL_VERDICTS,
  SALES_ORDER_TRACKING_MODES,
  SWEEPER_WORKFLOW_TYPE,
  sweeperWorkflowId,
  type CancelVerdict,
  type SalesOrderTrackingMode,
  type SweeperInput,
} from '../workflows/sales-order-messages';
import type { warehouseSweeper } from '../workflows/sweeper';
import { DocStatus, DocType, ErpDocNo, StatusSince, WarehouseNo } from '../workflows/search-attributes';
import { TASK_QUEUES } from '../workflows/task-queues';
import type { Actor } from './auth';
import { pageQuery } from './master-data';
import { route, type RouteResult, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

export interface SalesOrderApiConfig {
  /** SO_POLL_INTERVAL_MS: how often the saga asks JD about an order in WMS配货. */
  pollIntervalMs: number;
  /** SO_POLL_MAX_WAIT_MS: after this long without an outcome the order is logged as overdue (polling goes on). */
  pollMaxWaitMs: number;
  /** CANCEL_WAIT_MS: how long send-back/refund wait for the verdict before answering 202. */
  cancelWaitMs: number;
  /** SO_TRACKING: `poll` (each order asks JD itself) or `sweep` (one sweeper per JD warehouse asks for 100 at a time). */
  tracking: SalesOrderTrackingMode;
  /** SO_SWEEP_INTERVAL_MS: time between two sweeps of a warehouse; default the poll interval (same detection latency). */
  sweepIntervalMs: number;
  /** SO_SAFETY_POLL_MS: in sweep mode each order still asks JD itself this often; default 30 × the sweep interval. */
  safetyPollIntervalMs: number;
  /** SO_SWEEPS_PER_RUN: sweeps before the sweeper continues as new (bounds its history). */
  sweepsPerRun: number;
}

/** The embedded stack's values (DESIGN.md §6); production sets SO_POLL_INTERVAL_MS=300000. */
export const SALES_ORDER_API_DEFAULTS: SalesOrderApiConfig = {
  pollIntervalMs: 2_000,
  pollMaxWaitMs: 3 * 24 * 3600_000,
  cancelWaitMs: 10_000,
  tracking: 'poll',
  sweepIntervalMs: 2_000,
  safetyPollIntervalMs: 60_000,
  sweepsPerRun: 100,
};

/**
 * Safety polls are 30 sweeps apart unless configured. Per order and interval they cost 1/30 of a JD call,
 * against 1/100 for the sweep itself and 1 for polling, so sweep mode asks JD ~23× less; a sweeper that
 * is gone costs a shipment at most 30 intervals of delay (one interval when an approval restarts it).
 */
const SAFETY_POLL_SWEEPS = 30;

type Env = Record<string, string | undefined>;

function positiveMs(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number of milliseconds, got ${JSON.stringify(raw)}`);
  return value;
}

function positiveCount(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return value;
}

function trackingMode(env: Env): SalesOrderTrackingMode {
  const raw = env.SO_TRACKING;
  if (raw === undefined || raw === '') return SALES_ORDER_API_DEFAULTS.tracking;
  if (!(SALES_ORDER_TRACKING_MODES as readonly string[]).includes(raw)) throw new Error(`SO_TRACKING must be one of ${SALES_ORDER_TRACKING_MODES.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as SalesOrderTrackingMode;
}

export function salesOrderApiConfigFromEnv(env: Env = process.env): SalesOrderApiConfig {
  const pollIntervalMs = positiveMs(env, 'SO_POLL_INTERVAL_MS', SALES_ORDER_API_DEFAULTS.pollIntervalMs);
  const sweepIntervalMs = positiveMs(env, 'SO_SWEEP_INTERVAL_MS', pollIntervalMs);
  return {
    pollIntervalMs,
    pollMaxWaitMs: positiveMs(env, 'SO_POLL_MAX_WAIT_MS', SALES_ORDER_API_DEFAULTS.pollMaxWaitMs),
    cancelWaitMs: positiveMs(env, 'CANCEL_WAIT_MS', SALES_ORDER_API_DEFAULTS.cancelWaitMs),
    tracking: trackingMode(env),
    sweepIntervalMs,
    safetyPollIntervalMs: positiveMs(env, 'SO_SAFETY_POLL_MS', SAFETY_POLL_SWEEPS * sweepIntervalMs),
    sweepsPerRun: positiveCount(env, 'SO_SWEEPS_PER_RUN', SALES_ORDER_API_DEFAULTS.sweepsPerRun),
  };
}

export interface SalesOrderDeps {
  db: Knex;
  temporal: Client;
  /** The erp task queue workflows start on (tests use their own). */
  taskQueue?: string;
  config?: Partial<SalesOrderApiConfig>;
}

const READERS = ['erp', 'operator'] as const;
const orderParams = z.strictObject({ orderNo: codeSchema });
const statusEnum = z.enum(Object.keys(SALES_ORDER_STATUS) as [SalesOrderStatus, ...SalesOrderStatus[]]);
const orderUrl = (orderNo: string) => `/v1/sales-orders/${orderNo}`;
const VERDICT_POLL_MS = 100;

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
  404: { description: 'Unknown order' },
};

/** The order's state for a 409 answer (`status` itself is the problem's HTTP status there). */
function stateOf(order: Pick<SalesOrderRecord, 'status' | 'statusLabel' | 'pushRevision' | 'workflowId' | 'wayBill'>) {
  return { currentStatus: order.status, currentStatusLabel: order.statusLabel, pushRevision: order.pushRevision, workflowId: order.workflowId, wayBill: order.wayBill };
}

export function salesOrderRoutes(deps: SalesOrderDeps): RouteSpec[] {
  const { db } = deps;
  const config: SalesOrderApiConfig = { ...SALES_ORDER_API_DEFAULTS, ...deps.config };
  const taskQueue = deps.taskQueue ?? TASK_QUEUES.erp;
  const ensureSweeper = sweeperEnsurer(deps.temporal, taskQueue, config);

  async function approve(orderNo: string, actor: Actor): Promise<RouteResult> {
    const order = await getSalesOrder(db, orderNo);
    const refuseApproval = (current: SalesOrderRecord) =>
      new ConflictError(`Sales order ${orderNo} is ${current.status} (${current.statusLabel}); only an order in review can be approved`, 'not-in-review', stateOf(current));
    if (!canApprove(order.status)) throw refuseApproval(order);
    const warehouse = await db('warehouses').where({ code: order.warehouseCode }).first();
    if (!warehouse?.eclp_connected || !warehouse.jd_warehouse_no) {
      const message = `warehouse ${order.warehouseCode} is not a JD (ECLP) warehouse; orders for it are not pushed to JD`;
      throw new UnprocessableError(`Sales order ${orderNo} cannot be approved for JD: ${message}`, 'warehouse-not-eclp', { errors: [{ field: 'warehouseCode', message }] });
    }
    const revision = order.pushRevision + 1;
    const workflowId = workflowIds.salesOrder(orderNo, revision);
    const input: SalesOrderInput = {
      orderNo,
      revision,
      polling: { intervalMs: config.pollIntervalMs, maxWaitMs: config.pollMaxWaitMs },
      tracking: config.tracking === 'sweep' ? { mode: 'sweep', safetyPollIntervalMs: config.safetyPollIntervalMs } : { mode: 'poll' },
    };
    // Before the order's run: if Temporal is down this answers 503 with nothing changed.
    if (config.tracking === 'sweep') await ensureSweeper(warehouse.jd_warehouse_no as string);
    try {
      // Workflow first, then the row: if this process dies in between, the workflow claims the order itself.
      await withTemporal(() =>
        deps.temporal.workflow.start<typeof salesOrder>('salesOrder', {
          workflowId,
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [
            { key: DocType, value: 'SO' },
            { key: ErpDocNo, value: orderNo },
            { key: DocStatus, value: 'PUSHING' },
            { key: StatusSince, value: new Date() },
            { key: WarehouseNo, value: warehouse.jd_warehouse_no as string },
          ],
        }),
        deps.temporal,
      );
    } catch (err) {
      // That revision's run exists and has finished: the order has moved on since we read it.
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw refuseApproval(await getSalesOrder(db, orderNo));
      throw err;
    }
    const claimed = await claimPush(db, { orderNo, revision, workflowId, actorRole: actor.role, jdWarehouseNo: warehouse.jd_warehouse_no });
    if (!claimed) throw refuseApproval(await getSalesOrder(db, orderNo));
    return {
      status: 202,
      body: { orderNo, status: 'PUSHING', statusLabel: SALES_ORDER_STATUS.PUSHING, pushRevision: revision, workflowId, orderUrl: orderUrl(orderNo) },
      headers: { Location: orderUrl(orderNo) },
    };
  }

  function verdictAnswer(request: CancelRequestRecord, wayBill: string | null): RouteResult {
    const verdict = request.verdict as CancelVerdict;
    const status = request.resultingStatus ?? undefined;
    const body = {
      requestId: request.requestId,
      orderNo: request.orderNo,
      kind: request.kind,
      verdict,
      status,
      statusLabel: status ? SALES_ORDER_STATUS[status] : undefined,
      jdMessage: request.jdMessage,
      message: verdictMessage(verdict, request, wayBill),
      orderUrl: orderUrl(request.orderNo),
    };
    // Too late or already done: the same 409 the API gives when it can tell from Postgres alone.
    if (verdict === 'ALREADY_SHIPPED' || verdict === 'ALREADY_CANCELLED') {
      const { status: currentStatus, statusLabel: currentStatusLabel, ...rest } = body;
      throw new ConflictError(body.message, verdict === 'ALREADY_SHIPPED' ? 'already-shipped' : 'already-cancelled', { ...rest, currentStatus, currentStatusLabel, wayBill });
    }
    return { status: 200, body };
  }

  /** Waits up to CANCEL_WAIT_MS for the workflow's verdict; 202 with the order URL if it is still open. */
  async function awaitVerdict(requestId: string, orderNo: string, kind: CancelKind): Promise<RouteResult> {
    const deadline = Date.now() + config.cancelWaitMs;
    for (;;) {
      const request = await findCancelRequest(db, requestId);
      if (request?.verdict) return verdictAnswer(request, (await getSalesOrder(db, orderNo)).wayBill);
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(VERDICT_POLL_MS, Math.max(0, deadline - Date.now()))));
    }
    return {
      status: 202,
      body: {
        requestId,
        orderNo,
        kind,
        verdict: null,
        message: 'The request is with the order\'s workflow (a push to JD may still be running); its verdict will appear under cancelRequests of the order',
        orderUrl: orderUrl(orderNo),
      },
      headers: { Location: orderUrl(orderNo) },
    };
  }

  async function requestCancel(orderNo: string, kind: CancelKind, body: CancelRequestBody, actor: Actor, rerouted = false): Promise<RouteResult> {
    const requestId = body.requestId ?? randomUUID();
    const known = await findCancelRequest(db, requestId);
    if (known) {
      // A retried call: answer from the record and never signal twice.
      if (known.orderNo !== orderNo || known.kind !== kind) {
        throw new ConflictError(`Request id ${requestId} was already used for a ${known.kind} of sales order ${known.orderNo}`, 'request-id-reused');
      }
      return known.verdict ? verdictAnswer(known, (await getSalesOrder(db, orderNo)).wayBill) : awaitVerdict(requestId, orderNo, kind);
    }
    const order = await getSalesOrder(db, orderNo);
    const request: NewCancelRequest = { requestId, orderNo, revision: order.pushRevision, kind, reason: body.reason, actorRole: actor.role, source: 'api' };
    const decision = routeCancelRequest(order, kind);
    if (decision.action === 'refuse') throw new ConflictError(decision.message, decision.reason, { ...stateOf(order), requestId });
    if (decision.action === 'cancel-in-erp') {
      if (await cancelInReview(db, request)) return verdictAnswer((await findCancelRequest(db, requestId))!, null);
      if (!rerouted) return requestCancel(orderNo, kind, { ...body, requestId }, actor, true);
      throw new ConflictError(`Sales order ${orderNo} changed while the request was handled; send it again`, 'order-changed', stateOf(order));
    }
    try {
      await withTemporal(() =>
        deps.temporal.workflow.getHandle(order.workflowId!).signal(CANCEL_SIGNALS[kind], { reason: body.reason, actor: { role: actor.role }, requestId, via: 'api' }),
        deps.temporal,
      );
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The run ended between our read and the signal (it shipped, say): judge the order as it is now.
      if (!rerouted) return requestCancel(orderNo, kind, { ...body, requestId }, actor, true);
      throw new ConflictError(`The workflow of sales order ${orderNo} (${order.workflowId}) is not running; the order is ${order.status}`, 'workflow-not-running', stateOf(order));
    }
    await insertPendingCancelRequest(db, request);
    return awaitVerdict(requestId, orderNo, kind);
  }

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
      handler: async ({ params, body, actor }) => requestCancel(params.orderNo, kind, body, actor!),
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
      summary: 'Read a sales order: status, JD numbers, waybill, cancel requests, stock ledger and operation log',
      tag: 'sales orders',
      roles: READERS,
      params: orderParams,
      responses: { 200: { description: 'Found' }, ...problemResponses },
      handler: async ({ params }) => {
        const [order, cancelRequests, ledger, log] = await Promise.all([
          getSalesOrder(db, params.orderNo),
          listCancelRequests(db, params.orderNo),
          ledgerForDocument(db, 'SO', params.orderNo),
          readOperationLog(db, SALES_ORDER_DOC_TYPE, params.orderNo),
        ]);
        return { status: 200, body: { ...order, cancelRequests, ledger, log } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/sales-orders',
      summary: 'List sales orders, newest first, by status, warehouse, creation time or cancel verdict',
      tag: 'sales orders',
      roles: READERS,
      query: pageQuery.extend({
        status: statusEnum.optional(),
        warehouse: codeSchema.optional(),
        createdFrom: z.iso.datetime({ offset: true }).optional(),
        createdBefore: z.iso.datetime({ offset: true }).optional(),
        cancelVerdict: z.enum(CANCEL_VERDICTS).optional(),
      }),
      responses: { 200: { description: 'A page of orders (without lines and consignee)' }, ...problemResponses },
      handler: async ({ query }) => {
        const { status, warehouse, createdFrom, createdBefore, cancelVerdict, ...page } = query;
        const result = await listSalesOrders(
          db,
          {
            ...(status && { status }),
            ...(warehouse && { warehouseCode: warehouse }),
            ...(createdFrom && { createdFrom: new Date(createdFrom) }),
            ...(createdBefore && { createdBefore: new Date(createdBefore) }),
            ...(cancelVerdict && { cancelVerdict }),
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
      handler: async ({ params, actor }) => approve(params.orderNo, actor!),
    }),
    cancelRoute('sendBack', 'send-back', '打回审核: back to review, cancelling the order at JD first when JD has it'),
    cancelRoute('buyerRefund', 'refund', 'Buyer refund: cancel at JD and in the ERP so the order never ships'),
  ];
}

/**
 * Makes sure the JD warehouse has a running sweeper, at most once per sweep interval per warehouse and
 * API process. A start that finds the sweeper running changes nothing (USE_EXISTING), and unlike
 * signal-with-start it writes nothing into the sweeper's history, so approvals do not grow it. A sweeper
 * that was stopped is thus back within one interval of the next approval; until then the orders' own
 * safety polls carry them.
 */
function sweeperEnsurer(temporal: Client, taskQueue: string, config: SalesOrderApiConfig) {
  const ensuredAt = new Map<string, number>();
  return async (jdWarehouseNo: string): Promise<void> => {
    const last = ensuredAt.get(jdWarehouseNo);
    if (last !== undefined && Date.now() - last < config.sweepIntervalMs) return;
    const input: SweeperInput = { jdWarehouseNo, intervalMs: config.sweepIntervalMs, sweepsPerRun: config.sweepsPerRun };
    await withTemporal(() =>
      temporal.workflow.start<typeof warehouseSweeper>(SWEEPER_WORKFLOW_TYPE, {
        workflowId: sweeperWorkflowId(jdWarehouseNo, taskQueue),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [
          { key: DocType, value: 'SWEEP' },
          { key: WarehouseNo, value: jdWarehouseNo },
        ],
      }),
      temporal,
    );
    ensuredAt.set(jdWarehouseNo, Date.now());
  };
}

function verdictMessage(verdict: CancelVerdict, request: CancelRequestRecord, wayBill: string | null): string {
  const where = request.resultingStatus === 'REVIEW' ? 'it is back in review' : 'it is cancelled';
  switch (verdict) {
    case 'CANCELLED_AT_JD':
      return `JD cancelled the order; ${where}`;
    case 'BACK_TO_REVIEW':
      return 'The order is back in review; JD had no live order for it';
    case 'CANCELLED_IN_ERP':
      return 'The order is cancelled; JD had no live order for it';
    case 'REFUSED_BY_JD':
      return `JD refused to cancel (${request.jdMessage ?? 'no reason given'}); the order stays in WMS配货 and will ship`;
    case 'ALREADY_SHIPPED':
      return alreadyShippedMessage(wayBill);
    case 'ALREADY_CANCELLED':
      return `Sales order ${request.orderNo} is already cancelled`;
  }
}
