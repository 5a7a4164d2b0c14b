// Reads what the purchase-order invariants judge — Postgres, Temporal's runs, the simulator's JD state, the
// wire — and tells whether the purchase orders have settled after the storm.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import type { StateSnapshot } from '../../simulator/state';
import { workflowIds } from '../../messages/ids';
import type { JdPushCall } from './jd-wire';
import type { PurchaseOrderWorld } from './purchase-order-invariants';
import { describeRuns, logLatencies, readJdNumbers } from './world';

/** The operation log's doc_type of purchase orders. */
const PO = 'PO';

/** Purchase orders still moving: the run has not quiesced while `open`, `undecided` or runs beyond the waiting ones remain. */
export interface PurchaseOrderProgress {
  /** PUSHING, WAITING_INBOUND, PARTIALLY_RECEIVED: the saga or JD still has work (every JD PO of the run finishes on the timeline). */
  open: number;
  undecided: number;
  runningWorkflows: number;
  /** FAILED and PUSH_UNCONFIRMED: their runs rightly wait for an operator. */
  waiting: number;
}

export async function purchaseOrderProgress(db: Knex, documents: DocumentClient): Promise<PurchaseOrderProgress> {
  const [statuses, undecided, runs] = await Promise.all([
    db('purchase_orders').select('status').count<Array<{ status: string; count: string }>>({ count: '*' }).groupBy('status'),
    db('purchase_order_requests').whereNull('verdict').count<Array<{ count: string }>>({ count: '*' }),
    db('purchase_orders').whereNotNull('workflow_id').pluck('workflow_id'),
  ]);
  const of = (status: string) => Number(statuses.find((s) => s.status === status)?.count ?? 0);
  const described = await describeRuns(documents.temporal, runs as string[]);
  return {
    open: of('PUSHING') + of('WAITING_INBOUND') + of('PARTIALLY_RECEIVED'),
    undecided: Number(undecided[0]?.count ?? 0),
    runningWorkflows: described.filter((r) => r.status === 'RUNNING').length,
    waiting: of('FAILED') + of('PUSH_UNCONFIRMED'),
  };
}

export const isPurchaseOrderSettled = (p: PurchaseOrderProgress) => p.open === 0 && p.undecided === 0 && p.runningWorkflows === p.waiting;

/** `addPoOrders`: the addPoOrder calls the wire recorded. */
export async function readPurchaseOrderWorld(db: Knex, documents: DocumentClient, jd: StateSnapshot, addPoOrders: JdPushCall[]): Promise<PurchaseOrderWorld> {
  const [orders, log, receiptLines, ledger, requests, numbers] = await Promise.all([
    db('purchase_orders').select('po_no', 'status', 'push_revision', 'warehouse_code', 'workflow_id', 'po_order_no', 'sp_po_order_no', 'failure_reason'),
    db('operation_log')
      .where({ doc_type: PO })
      .whereIn('action', ['push_unconfirmed', 'repush', 'pushed', 'linked', 'preflight_failed', 'goods_sync_failed', 'push_rejected'])
      .select<Array<{ doc_key: string; action: string; detail: { spPoOrderNo?: string; jdMessage?: string } | null }>>('doc_key', 'action', 'detail'),
    db('purchase_receipt_lines as l')
      .join('purchase_receipts as r', 'r.receipt_no', 'l.receipt_no')
      .select('r.po_no', 'r.receipt_no', 'r.seq', 'r.push_revision', 'r.po_order_no', 'r.warehouse_code', 'l.sku', 'l.quantity'),
    db('stock_ledger').where({ doc_type: PO }).select('warehouse_code', 'sku', 'doc_no', 'doc_revision', 'entry_no', 'quantity'),
    db('purchase_order_requests').select('request_id', 'po_no', 'kind', 'push_revision', 'po_order_no', 'verdict', 'resulting_status', 'decided_at'),
    readJdNumbers(db),
  ]);
  const workflows = await describeRuns(
    documents.temporal,
    orders.filter((o) => o.status !== 'NOT_PUSHED').map((o) => o.workflow_id ?? workflowIds.purchaseOrder(o.po_no, 1)),
  );
  return {
    orders: orders.map((o) => ({
      poNo: o.po_no,
      status: o.status,
      pushRevision: o.push_revision,
      warehouseCode: o.warehouse_code,
      workflowId: o.workflow_id,
      poOrderNo: o.po_order_no,
      spPoOrderNo: o.sp_po_order_no,
      failureReason: o.failure_reason,
    })),
    log: log.map((l) => ({
      poNo: l.doc_key,
      action: l.action,
      ...(l.detail?.spPoOrderNo !== undefined && { spPoOrderNo: l.detail.spPoOrderNo }),
      ...(l.detail?.jdMessage !== undefined && { jdMessage: l.detail.jdMessage }),
    })),
    receiptLines: receiptLines.map((l) => ({
      poNo: l.po_no,
      receiptNo: l.receipt_no,
      seq: l.seq,
      revision: l.push_revision,
      poOrderNo: l.po_order_no,
      warehouseCode: l.warehouse_code,
      sku: l.sku,
      quantity: l.quantity,
    })),
    ledger: ledger.map((l) => ({ warehouseCode: l.warehouse_code, sku: l.sku, docNo: l.doc_no, docRevision: l.doc_revision, entryNo: l.entry_no, quantity: l.quantity })),
    requests: requests.map((r) => ({
      requestId: r.request_id,
      poNo: r.po_no,
      kind: r.kind,
      revision: r.push_revision,
      poOrderNo: r.po_order_no,
      verdict: r.verdict,
      resultingStatus: r.resulting_status,
      decidedAt: r.decided_at ? new Date(r.decided_at).getTime() : null,
    })),
    jdPurchaseOrders: jd.purchaseOrders.map((po) => ({
      poOrderNo: po.poOrderNo,
      spPoOrderNo: po.spPoOrderNo,
      warehouseNo: po.whNo,
      status: po.status,
      closed: po.closeTime !== undefined,
      acceptedAt: po.acceptedAt,
      lines: po.lines.map((l) => ({ goodsNo: l.goodsNo, ordered: l.numApplication, received: l.realInstoreQty, defective: l.damagedQty ?? 0, short: l.shortQty })),
    })),
    jdReceipts: jd.stockMovements.filter((m) => m.reason === 'PO_RECEIPT').map((m) => ({ warehouseNo: m.warehouseNo, goodsNo: m.goodsNo, quantity: m.quantity, poOrderNo: m.billNo })),
    workflows,
    addPoOrderCalls: addPoOrders,
    ...numbers,
  };
}

/** Created → JD holds it (the `created` and first `pushed` or `linked` log lines of each PO), in ms. */
export const readPoPushLatencies = (db: Knex) => logLatencies(db, PO, 'created', ['pushed', 'linked']);
