// What the purchase-order repositories answer: the PO with its lines, its list summary, its receipts,
// the operator's requests and the serial batches, mapped from the typed table rows (../tables.ts).
import type { CancelSource } from '../../domain/cancel';
import type { PurchaseOrderFailureStage, PurchaseOrderRequestKind, PurchaseOrderVerdict } from '../../domain/purchase-order';
import { PURCHASE_ORDER_STATUS, type PurchaseOrderStatus } from '../../domain/statuses';
import { requestDecisionFields } from '../request-decisions';
import type { OperationLogRecord } from '../operation-log';
import type { LedgerEntry } from '../stock-ledger';
import type {
  PurchaseOrderLineRow,
  PurchaseOrderRequestRow,
  PurchaseOrderRow,
  PurchaseOrderSerialRow,
  PurchaseOrderSerialStatus,
  PurchaseReceiptLineRow,
  PurchaseReceiptRow,
} from '../tables';

/** The operation log's doc_type of purchase orders (the stock ledger's is 'PO' too). */
export const PURCHASE_ORDER_DOC_TYPE = 'PO';

export interface PurchaseOrderLineRecord {
  lineNo: number;
  sku: string;
  /** Ordered. */
  quantity: number;
  unitPrice: number | null;
  /** Booked into stock so far, receipt by receipt: JD's received quantity as last booked. */
  receivedQuantity: number;
  /** As JD reports them. */
  shortQuantity: number;
  defectiveQuantity: number;
  /** Received beyond the ordered quantity (booked into stock like the rest). */
  excessQuantity: number;
}

export interface PurchaseOrderRecord {
  poNo: string;
  supplierCode: string;
  warehouseCode: string;
  remark: string | null;
  status: PurchaseOrderStatus;
  statusLabel: string;
  statusSince: string;
  pushRevision: number;
  workflowId: string | null;
  /** Our number at JD for the current push revision (`{poNo}-{revision}`), once pushed or attempted. */
  spPoOrderNo: string | null;
  /** JD's PO number (EPL…). */
  poOrderNo: string | null;
  jdWarehouseNo: string | null;
  /** JD's `poOrderStatus` as last booked (10, 20, 70, 90, 91, 92). */
  jdStatus: string | null;
  failureReason: string | null;
  failureStage: PurchaseOrderFailureStage | null;
  /** Purchase receipts booked. */
  receiptCount: number;
  /** Units booked into stock, every SKU. */
  receivedTotal: number;
  /** Ended RECEIVED with some line below its ordered quantity (closed or finished short). */
  closedShort: boolean;
  createdAt: string;
  updatedAt: string;
  lines: PurchaseOrderLineRecord[];
}

/** A row without its lines: what lists show. */
export type PurchaseOrderSummary = Omit<PurchaseOrderRecord, 'lines'>;

/** A purchase receipt (采购入库单). */
export interface PurchaseReceiptRecord {
  receiptNo: string;
  seq: number;
  pushRevision: number;
  poOrderNo: string;
  warehouseCode: string;
  /** JD's status when the receipt was booked. */
  jdStatus: string;
  receivedAt: string;
  lines: Array<{ sku: string; quantity: number }>;
}

export interface PurchaseOrderRequestRecord {
  requestId: string;
  poNo: string;
  pushRevision: number;
  kind: PurchaseOrderRequestKind;
  reason: string | null;
  /** link: the JD number the operator gave. */
  poOrderNo: string | null;
  actorRole: string;
  source: CancelSource;
  statusAtRequest: PurchaseOrderStatus | null;
  verdict: PurchaseOrderVerdict | null;
  resultingStatus: PurchaseOrderStatus | null;
  jdMessage: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

export interface SerialBatchRecord {
  batchId: string;
  poNo: string;
  sku: string;
  serialNos: string[];
  status: PurchaseOrderSerialStatus;
  /** JD's `addPoSidResult`, verbatim. */
  jdResult: string | null;
  error: string | null;
  /** The serial-list version sent to JD. */
  version: number | null;
  createdAt: string;
  uploadedAt: string | null;
}

/** Everything `GET /v1/purchase-orders/{poNo}` shows. */
export interface PurchaseOrderDetail extends PurchaseOrderRecord {
  receipts: PurchaseReceiptRecord[];
  requests: PurchaseOrderRequestRecord[];
  serialBatches: SerialBatchRecord[];
  ledger: LedgerEntry[];
  log: OperationLogRecord[];
}

export function toPurchaseOrderSummary(row: PurchaseOrderRow): PurchaseOrderSummary {
  return {
    poNo: row.po_no,
    supplierCode: row.supplier_code,
    warehouseCode: row.warehouse_code,
    remark: row.remark,
    status: row.status,
    statusLabel: PURCHASE_ORDER_STATUS[row.status],
    statusSince: row.status_since.toISOString(),
    pushRevision: row.push_revision,
    workflowId: row.workflow_id,
    spPoOrderNo: row.sp_po_order_no,
    poOrderNo: row.po_order_no,
    jdWarehouseNo: row.jd_warehouse_no,
    jdStatus: row.jd_status,
    failureReason: row.failure_reason,
    failureStage: row.failure_stage,
    receiptCount: row.receipts,
    receivedTotal: row.received_total,
    closedShort: row.closed_short,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toPurchaseOrderLine(row: PurchaseOrderLineRow): PurchaseOrderLineRecord {
  return {
    lineNo: row.line_no,
    sku: row.sku,
    quantity: row.quantity,
    unitPrice: row.unit_price === null ? null : Number(row.unit_price),
    receivedQuantity: row.received_quantity,
    shortQuantity: row.short_quantity,
    defectiveQuantity: row.defective_quantity,
    excessQuantity: row.excess_quantity,
  };
}

export function toPurchaseOrderRecord(row: PurchaseOrderRow, lines: PurchaseOrderLineRow[]): PurchaseOrderRecord {
  return { ...toPurchaseOrderSummary(row), lines: lines.map(toPurchaseOrderLine) };
}

export function toPurchaseReceipt(row: PurchaseReceiptRow, lines: PurchaseReceiptLineRow[]): PurchaseReceiptRecord {
  return {
    receiptNo: row.receipt_no,
    seq: row.seq,
    pushRevision: row.push_revision,
    poOrderNo: row.po_order_no,
    warehouseCode: row.warehouse_code,
    jdStatus: row.jd_status,
    receivedAt: row.created_at.toISOString(),
    lines: lines.filter((l) => l.receipt_no === row.receipt_no).map((l) => ({ sku: l.sku, quantity: l.quantity })),
  };
}

export function toPurchaseOrderRequest(row: PurchaseOrderRequestRow): PurchaseOrderRequestRecord {
  return {
    requestId: row.request_id,
    poNo: row.po_no,
    pushRevision: row.push_revision,
    kind: row.kind,
    reason: row.reason,
    poOrderNo: row.po_order_no,
    ...requestDecisionFields(row),
  };
}

export function toSerialBatch(row: PurchaseOrderSerialRow): SerialBatchRecord {
  return {
    batchId: row.batch_id,
    poNo: row.po_no,
    sku: row.sku,
    serialNos: row.serial_nos,
    status: row.status,
    jdResult: row.jd_result,
    error: row.error,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    uploadedAt: row.uploaded_at?.toISOString() ?? null,
  };
}
