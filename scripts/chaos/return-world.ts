// Reads what the return invariants judge — Postgres, Temporal's runs, the simulator's JD state, the wire —
// and tells whether the returns have settled after the storm.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import { workflowIds } from '../../messages/ids';
import type { StateSnapshot } from '../../simulator/state';
import type { JdPushCall } from './jd-wire';
import type { ReturnOrderRow, ReturnWorld } from './return-invariants';
import { jdOrderRows, toCancelRow } from './sales-order-world';
import { describeRuns, logLatencies, readJdNumbers } from './world';

/** The stock ledger's and operation log's doc_type of returns. */
const RTN = 'RTN';

/** Returns still moving: the run has not quiesced while `open`, `undecided` or runs beyond the waiting ones remain. */
export interface ReturnProgress {
  /** PUSHING, WAITING_INBOUND: the saga or JD's warehouse still has work. */
  open: number;
  undecided: number;
  runningWorkflows: number;
  /** FAILED: their runs rightly wait for an operator. */
  waiting: number;
}

export async function returnProgress(db: Knex, documents: DocumentClient): Promise<ReturnProgress> {
  const [statuses, undecided, returns] = await Promise.all([
    db('returns').select('status').count<Array<{ status: string; count: string }>>({ count: '*' }).groupBy('status'),
    db('return_requests').whereNull('verdict').count<Array<{ count: string }>>({ count: '*' }),
    db('returns').select<Array<{ return_no: string; push_revision: number; workflow_id: string | null }>>('return_no', 'push_revision', 'workflow_id'),
  ]);
  const of = (status: string) => Number(statuses.find((s) => s.status === status)?.count ?? 0);
  const runs = await describeRuns(documents.temporal, returns.map((r) => r.workflow_id ?? workflowIds.returnOrder(r.return_no, r.push_revision)));
  return {
    open: of('PUSHING') + of('WAITING_INBOUND'),
    undecided: Number(undecided[0]?.count ?? 0),
    runningWorkflows: runs.filter((r) => r.status === 'RUNNING').length,
    waiting: of('FAILED'),
  };
}

export const isReturnSettled = (p: ReturnProgress) => p.open === 0 && p.undecided === 0 && p.runningWorkflows === p.waiting;

/** `transportRtws`: the transportRtw calls the wire recorded. */
export async function readReturnWorld(db: Knex, documents: DocumentClient, jd: StateSnapshot, transportRtws: JdPushCall[]): Promise<ReturnWorld> {
  const [returns, lines, receiptLines, ledger, requests, numbers] = await Promise.all([
    db('returns').select('return_no', 'order_no', 'type', 'warehouse_code', 'status', 'push_revision', 'workflow_id', 'eclp_rtw_no', 'failure_reason', 'replacement_order_no', 'attention'),
    db('return_lines').orderBy(['return_no', 'line_no']).select('return_no', 'sku', 'quantity'),
    db('sales_return_receipt_lines as l')
      .join('sales_return_receipts as r', 'r.receipt_no', 'l.receipt_no')
      .select('r.return_no', 'r.receipt_no', 'r.push_revision', 'r.eclp_rtw_no', 'r.warehouse_code', 'l.sku', 'l.quantity', 'l.goods_level'),
    db('stock_ledger').where({ doc_type: RTN }).select('warehouse_code', 'sku', 'doc_no', 'doc_revision', 'entry_no', 'quantity'),
    db('return_requests').select('request_id', 'return_no', 'kind', 'verdict', 'resulting_status', 'decided_at'),
    readJdNumbers(db),
  ]);
  // The original orders and the replacements of the returns, with what each shipped.
  const orderNos = [...new Set(returns.flatMap((r) => [r.order_no, ...(r.replacement_order_no ? [r.replacement_order_no] : [])]))];
  const [orders, orderLines, replacementCancels] = await Promise.all([
    db('sales_orders').whereIn('order_no', orderNos).select('order_no', 'status', 'push_revision', 'eclp_so_no', 'replacement_for'),
    db('sales_order_lines').whereIn('order_no', orderNos).select('order_no', 'sku', 'quantity', 'shipped_quantity'),
    db('cancel_requests')
      .whereIn('order_no', returns.flatMap((r) => (r.replacement_order_no ? [r.replacement_order_no] : [])))
      .select('request_id', 'order_no', 'kind', 'push_revision', 'status_at_request', 'verdict', 'resulting_status', 'decided_at'),
  ]);
  const workflows = await describeRuns(documents.temporal, returns.map((r) => r.workflow_id ?? workflowIds.returnOrder(r.return_no, r.push_revision)));
  return {
    returns: returns.map((r) => ({
      returnNo: r.return_no,
      orderNo: r.order_no,
      type: r.type,
      warehouseCode: r.warehouse_code,
      status: r.status,
      pushRevision: r.push_revision,
      workflowId: r.workflow_id,
      eclpRtwNo: r.eclp_rtw_no,
      failureReason: r.failure_reason,
      replacementOrderNo: r.replacement_order_no,
      attention: r.attention,
      lines: lines.filter((l) => l.return_no === r.return_no).map((l) => ({ sku: l.sku, quantity: l.quantity })),
    })),
    receiptLines: receiptLines.map((l) => ({
      returnNo: l.return_no,
      receiptNo: l.receipt_no,
      revision: l.push_revision,
      eclpRtwNo: l.eclp_rtw_no,
      warehouseCode: l.warehouse_code,
      sku: l.sku,
      quantity: l.quantity,
      goodsLevel: l.goods_level,
    })),
    ledger: ledger.map((l) => ({ warehouseCode: l.warehouse_code, sku: l.sku, docNo: l.doc_no, docRevision: l.doc_revision, entryNo: l.entry_no, quantity: l.quantity })),
    requests: requests.map((r) => ({
      requestId: r.request_id,
      returnNo: r.return_no,
      kind: r.kind,
      verdict: r.verdict,
      resultingStatus: r.resulting_status,
      decidedAt: r.decided_at ? new Date(r.decided_at).getTime() : null,
    })),
    orders: orders.map(
      (o): ReturnOrderRow => ({
        orderNo: o.order_no,
        status: o.status,
        pushRevision: o.push_revision,
        eclpSoNo: o.eclp_so_no,
        replacementFor: o.replacement_for,
        // Orders shipped before shipped quantities were recorded shipped what they ordered (as the API judges).
        shipped: orderLines.filter((l) => l.order_no === o.order_no).reduce((m, l) => m.set(l.sku, (m.get(l.sku) ?? 0) + (l.shipped_quantity ?? l.quantity)), new Map<string, number>()),
      }),
    ),
    replacementCancels: replacementCancels.map((c) => ({ ...toCancelRow(c), revision: c.push_revision, statusAtRequest: c.status_at_request })),
    jdReturns: jd.returns.map((r) => ({
      eclpRtwNo: r.eclpRtwNo,
      isvRtwNum: r.isvRtwNum,
      eclpSoNo: r.eclpSoNo,
      warehouseNo: r.warehouseNo,
      status: r.status,
      acceptedAt: r.acceptedAt,
      lines: r.lines.map((l) => ({ goodsNo: l.goodsNo, planned: l.planQty, received: l.realQty, goodsLevel: l.goodsLevel ?? '100' })),
    })),
    jdReturnReceipts: jd.stockMovements.filter((m) => m.reason === 'RETURN_RECEIPT').map((m) => ({ warehouseNo: m.warehouseNo, goodsNo: m.goodsNo, quantity: m.quantity, eclpRtwNo: m.billNo })),
    jdOrders: jdOrderRows(jd),
    workflows,
    transportRtwCalls: transportRtws,
    ...numbers,
  };
}

/** Created → JD holds it (the `created` and `pushed` log lines of each return), in ms. */
export const readReturnPushLatencies = (db: Knex) => logLatencies(db, RTN, 'created', ['pushed']);
