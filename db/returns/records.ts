// What the return repositories answer: the return (售后单) with its lines, its list summary, its
// sales-return receipt (销售退货单), the operator's requests, and what a sales order shows of its returns,
// mapped from the typed table rows (../tables.ts).
import type { CancelSource } from '../../domain/cancel';
import type { ReturnFailureStage, ReturnType, ReturnVerdict } from '../../domain/return-order';
import { RETURN_STATUS, type ReturnStatus, type SalesOrderStatus } from '../../domain/statuses';
import type { OperationLogRecord } from '../operation-log';
import { requestDecisionFields } from '../request-decisions';
import type { LedgerEntry } from '../stock-ledger';
import type { ReturnLineRow, ReturnRequestRow, ReturnRow, SalesReturnReceiptLineRow, SalesReturnReceiptRow } from '../tables';

/** The operation log's doc_type of returns (the stock ledger's is 'RTN' too). */
export const RETURN_DOC_TYPE = 'RTN';

export interface ReturnLineRecord {
  lineNo: number;
  sku: string;
  /** Asked to be returned. */
  quantity: number;
  /** What JD put away (`realQty`); null until JD received the return. */
  receivedQuantity: number | null;
  /** Asked minus received, never below 0; null until received. */
  shortQuantity: number | null;
  /** JD's goods level (100 good, 200 defective, …) when it reported one. */
  goodsLevel: string | null;
}

export interface ReturnRecord {
  returnNo: string;
  /** The original (shipped) sales order. */
  orderNo: string;
  type: ReturnType;
  warehouseCode: string;
  reason: string;
  status: ReturnStatus;
  statusLabel: string;
  statusSince: string;
  pushRevision: number;
  workflowId: string | null;
  /** Our number at JD for the push revision (`{returnNo}-{revision}`), once pushed. */
  isvRtwNum: string | null;
  /** JD's return number. */
  eclpRtwNo: string | null;
  /** The original order's JD outbound number, as sent with the push. */
  eclpSoNo: string | null;
  jdWarehouseNo: string | null;
  /** JD's return status (eclp-api.md §4.3) as last recorded. */
  jdStatus: string | null;
  failureReason: string | null;
  failureStage: ReturnFailureStage | null;
  /** JD's words when the warehouse rejected the parcel. */
  rejectReason: string | null;
  /** Exchange: the replacement sales order (`{returnNo}-EX`). */
  replacementOrderNo: string | null;
  /** What an operator must do about this return; null when nothing. */
  attention: string | null;
  attentionSince: string | null;
  /**
   * Drafted by the system (草稿): the refund JD refused for `orderNo` before it shipped (`cancelRequestId`);
   * null for a return the ERP created. Stays after confirmation, as the return's origin.
   */
  draftOf: { orderNo: string; cancelRequestId: string; confirm: string | null } | null;
  createdAt: string;
  updatedAt: string;
  lines: ReturnLineRecord[];
}

/** A row without its lines: what lists show. */
export type ReturnSummary = Omit<ReturnRecord, 'lines'>;

/** The sales-return receipt (销售退货单): one per return, what JD received. */
export interface SalesReturnReceiptRecord {
  receiptNo: string;
  pushRevision: number;
  eclpRtwNo: string;
  warehouseCode: string;
  /** JD's status when the receipt was booked. */
  jdStatus: string;
  receivedAt: string;
  /** Per return line: JD's received quantity (0 for a line JD received none of). */
  lines: Array<{ sku: string; quantity: number; goodsLevel: string | null }>;
}

export interface ReturnRequestRecord {
  requestId: string;
  returnNo: string;
  pushRevision: number;
  kind: 'cancel';
  reason: string | null;
  actorRole: string;
  source: CancelSource;
  statusAtRequest: ReturnStatus | null;
  verdict: ReturnVerdict | null;
  resultingStatus: ReturnStatus | null;
  jdMessage: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

/** Everything `GET /v1/returns/{returnNo}` shows. */
export interface ReturnDetail extends ReturnRecord {
  receipt: SalesReturnReceiptRecord | null;
  ledger: LedgerEntry[];
  requests: ReturnRequestRecord[];
  replacementOrder: { orderNo: string; status: SalesOrderStatus; statusLabel: string } | null;
  log: OperationLogRecord[];
}

/** What a sales order's GET lists under `returns`: enough to see what is claimed against it. */
export interface ReturnOfOrder {
  returnNo: string;
  type: ReturnType;
  status: ReturnStatus;
  statusLabel: string;
  warehouseCode: string;
  replacementOrderNo: string | null;
  createdAt: string;
  lines: Array<{ sku: string; quantity: number; receivedQuantity: number | null }>;
}

export function toReturnSummary(row: ReturnRow): ReturnSummary {
  return {
    returnNo: row.return_no,
    orderNo: row.order_no,
    type: row.type,
    warehouseCode: row.warehouse_code,
    reason: row.reason,
    status: row.status,
    statusLabel: RETURN_STATUS[row.status],
    statusSince: row.status_since.toISOString(),
    pushRevision: row.push_revision,
    workflowId: row.workflow_id,
    isvRtwNum: row.isv_rtw_num,
    eclpRtwNo: row.eclp_rtw_no,
    eclpSoNo: row.eclp_so_no,
    jdWarehouseNo: row.jd_warehouse_no,
    jdStatus: row.jd_status,
    failureReason: row.failure_reason,
    failureStage: row.failure_stage,
    rejectReason: row.reject_reason,
    replacementOrderNo: row.replacement_order_no,
    attention: row.attention,
    attentionSince: row.attention_since?.toISOString() ?? null,
    draftOf: draftOf(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function draftOf(row: ReturnRow): ReturnRecord['draftOf'] {
  if (!row.cancel_request_id) return null;
  return { orderNo: row.order_no, cancelRequestId: row.cancel_request_id, confirm: row.status === 'DRAFT' ? `POST /v1/returns/${row.return_no}/confirm` : null };
}

export function toReturnLine(row: ReturnLineRow): ReturnLineRecord {
  return {
    lineNo: row.line_no,
    sku: row.sku,
    quantity: row.quantity,
    receivedQuantity: row.received_quantity,
    shortQuantity: row.received_quantity === null ? null : Math.max(row.quantity - row.received_quantity, 0),
    goodsLevel: row.goods_level,
  };
}

export function toReturnRecord(row: ReturnRow, lines: ReturnLineRow[]): ReturnRecord {
  return { ...toReturnSummary(row), lines: lines.map(toReturnLine) };
}

export function toSalesReturnReceipt(row: SalesReturnReceiptRow, lines: SalesReturnReceiptLineRow[]): SalesReturnReceiptRecord {
  return {
    receiptNo: row.receipt_no,
    pushRevision: row.push_revision,
    eclpRtwNo: row.eclp_rtw_no,
    warehouseCode: row.warehouse_code,
    jdStatus: row.jd_status,
    receivedAt: row.created_at.toISOString(),
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, goodsLevel: l.goods_level })),
  };
}

export function toReturnRequest(row: ReturnRequestRow): ReturnRequestRecord {
  return {
    requestId: row.request_id,
    returnNo: row.return_no,
    pushRevision: row.push_revision,
    kind: row.kind,
    reason: row.reason,
    ...requestDecisionFields(row),
  };
}
