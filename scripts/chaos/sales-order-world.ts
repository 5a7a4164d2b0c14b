// Reads what the sales-order invariants judge — Postgres, Temporal's runs, the simulator's JD state — and
// tells whether the system has settled after the storm.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import { workflowIds } from '../../messages/ids';
import type { StateSnapshot } from '../../simulator/state';
import type { JdPushCall } from './jd-wire';
import type { SalesOrderCancelRequestRow } from '../../db/tables';
import type { CancelRow, JdOrderRow, PushLogRow, SalesOrderWorld } from './sales-order-invariants';
import { describeRuns, readJdNumbers } from './world';

/** Orders still moving: the run has not quiesced while any of these is non-zero. */
export interface Progress {
  open: number;
  undecidedCancels: number;
  runningWorkflows: number;
  failedOrders: number;
}

export async function progress(db: Knex, documents: DocumentClient): Promise<Progress> {
  const [statuses, undecided, orders] = await Promise.all([
    db('sales_orders').select('status').count<Array<{ status: string; count: string }>>({ count: '*' }).groupBy('status'),
    db('cancel_requests').whereNull('verdict').count<Array<{ count: string }>>({ count: '*' }),
    db('sales_orders').where('push_revision', '>', 0).select<Array<{ order_no: string; push_revision: number }>>('order_no', 'push_revision'),
  ]);
  const of = (status: string) => Number(statuses.find((s) => s.status === status)?.count ?? 0);
  // Superseded revisions are judged after settling; here only each order's current run can still be moving.
  const runs = await describeRuns(documents.temporal, orders.map((o) => workflowIds.salesOrder(o.order_no, o.push_revision)));
  const runningWorkflows = runs.filter((r) => r.status === 'RUNNING').length;
  return { open: of('PUSHING') + of('WMS_PICKING'), undecidedCancels: Number(undecided[0]?.count ?? 0), runningWorkflows, failedOrders: of('FAILED') };
}

/** Settled: nothing open, every request decided, and the only runs left are FAILED orders waiting for an operator. */
export const isSettled = (p: Progress) => p.open === 0 && p.undecidedCancels === 0 && p.runningWorkflows === p.failedOrders;

/** The actor of requests the system sends on its own (db/operation-log's ActorRole). */
export const SYSTEM = 'system';

/** A cancel_requests row as the checks read it. */
export function toCancelRow(c: Pick<SalesOrderCancelRequestRow, 'request_id' | 'order_no' | 'kind' | 'verdict' | 'resulting_status' | 'decided_at'>): CancelRow {
  return {
    requestId: c.request_id,
    orderNo: c.order_no,
    kind: c.kind,
    verdict: c.verdict ?? null,
    resultingStatus: c.resulting_status ?? null,
    decidedAt: c.decided_at ? new Date(c.decided_at).getTime() : null,
  };
}

/** JD's sales orders as the checks read them. */
export function jdOrderRows(jd: StateSnapshot): JdOrderRow[] {
  return jd.salesOrders.map((so) => ({
    isvUUID: so.isvUUID,
    eclpSoNo: so.eclpSoNo,
    currentStatus: so.currentStatus,
    shipped: so.history.some((h) => h.soStatusCode === '10019'),
    acceptedAt: so.acceptedAt,
  }));
}

/** `addOrders`: the addOrder calls the wire recorded. */
export async function readWorld(db: Knex, documents: DocumentClient, jd: StateSnapshot, addOrders: JdPushCall[]): Promise<SalesOrderWorld> {
  const [orders, cancels, ledger, pushLog, numbers] = await Promise.all([
    db('sales_orders').select('order_no', 'status', 'push_revision', 'eclp_so_no', 'warehouse_code', 'failure_reason'),
    // The system's own requests (an exchange's refund of its replacement order) are judged with the returns.
    db('cancel_requests').whereNot({ actor_role: SYSTEM }).select('request_id', 'order_no', 'kind', 'verdict', 'resulting_status', 'decided_at'),
    db('stock_ledger').where({ doc_type: 'SO' }).select('warehouse_code', 'sku', 'doc_no', 'doc_revision', 'quantity'),
    db('operation_log')
      .where({ doc_type: 'sales_order' })
      .whereIn('action', ['pushed', 'preflight_failed', 'push_rejected'])
      .select<Array<{ doc_key: string; action: PushLogRow['action']; revision: number }>>('doc_key', 'action', db.raw("(detail->>'pushRevision')::int as revision")),
    readJdNumbers(db),
  ]);
  // Every claimed revision, and one beyond: a run started by an approve whose claim lost must have ended too.
  const workflows = await describeRuns(
    documents.temporal,
    orders.flatMap((o) => Array.from({ length: o.push_revision + 1 }, (_, i) => workflowIds.salesOrder(o.order_no, i + 1))),
  );
  return {
    orders: orders.map((o) => ({
      orderNo: o.order_no,
      status: o.status,
      pushRevision: o.push_revision,
      eclpSoNo: o.eclp_so_no ?? null,
      warehouseCode: o.warehouse_code,
      failureReason: o.failure_reason ?? null,
    })),
    cancels: cancels.map(toCancelRow),
    ledger: ledger.map((l) => ({ warehouseCode: l.warehouse_code, sku: l.sku, docNo: l.doc_no, docRevision: l.doc_revision, quantity: l.quantity })),
    pushLog: pushLog.map((p) => ({ orderNo: p.doc_key, revision: p.revision, action: p.action })),
    jdOrders: jdOrderRows(jd),
    jdOutbound: jd.stockMovements.filter((m) => m.reason === 'SHIPMENT').map((m) => ({ warehouseNo: m.warehouseNo, goodsNo: m.goodsNo, quantity: m.quantity })),
    workflows,
    addOrderCalls: addOrders.map((c) => ({ isvUUID: c.key, sentAt: c.sentAt, endedAt: c.endedAt, httpStatus: c.httpStatus })),
    ...numbers,
  };
}

/** Approve → JD accepted and recorded (the `approved` and `pushed` log lines of each revision), in ms. */
export async function readPushLatencies(db: Knex): Promise<number[]> {
  const rows = await db('operation_log as a')
    .join('operation_log as p', function () {
      this.on('p.doc_key', 'a.doc_key').andOn(db.raw("p.detail->>'pushRevision' = a.detail->>'pushRevision'")).andOnVal('p.action', 'pushed');
    })
    .where({ 'a.doc_type': 'sales_order', 'p.doc_type': 'sales_order', 'a.action': 'approved' })
    .select(db.raw('extract(epoch from (p.created_at - a.created_at)) * 1000 as ms'));
  return rows.map((r: { ms: string }) => Number(r.ms));
}
