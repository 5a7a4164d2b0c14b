// The purchase-order workflow's contract: input and result, the signals it takes (cancel and close
// through the cancel inbox, link/repush for a PUSH_UNCONFIRMED push, serial batches), the `status`
// query, and JD's progress report that its activities hand each other. Definitions only.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PurchaseOrderFailureStage, PurchaseOrderInboxKind } from '../domain/purchase-order';
import type { PurchaseOrderStatus } from '../domain/statuses';
import { textProblem } from '../domain/text';
import type { CancelRequest, CancelRequestPayload, PayloadCheck } from './cancel';
import type { SalesOrderPolling, SalesOrderTracking, SalesOrderTrackingMode } from './sales-order';

export interface PurchaseOrderInput {
  poNo: string;
  /** The push revision the run starts with; a repush moves on to the next within the same run. */
  revision: number;
  /** From the API's configuration: POs wait for suppliers, so `maxWaitMs` is days to weeks. */
  polling: SalesOrderPolling;
  /** poll (default) or sweep, like sales orders (SO_TRACKING). */
  tracking?: SalesOrderTracking;
}

export interface PurchaseOrderResult {
  poNo: string;
  revision: number;
  status: PurchaseOrderStatus;
  poOrderNo?: string;
  receipts: number;
  /** The PO was not PUSHING at this revision when the run began: it did nothing. */
  superseded?: boolean;
}

export type PurchaseOrderInboxRequest = CancelRequest<PurchaseOrderInboxKind, PurchaseOrderStatus>;

/** One line of JD's progress, per SKU (JD's lines of one goods are summed). */
export interface JdPurchaseOrderLineProgress {
  sku: string;
  goodsNo: string;
  /** Good units put away so far (`realInstoreQty`): what raises stock. */
  receivedQty: number;
  /** `shortQty` as JD reports it (JD fills it when the PO ends). */
  shortQty: number;
  /** Units that arrived defective (`damagedQty`): recorded, not stock. */
  defectiveQty: number;
  /** Received beyond the ordered quantity. */
  excessQty: number;
}

/** What JD says about a PO (`queryPoOrder`), as the poll activity hands it to the booking activity. */
export interface JdPurchaseOrderProgress {
  poOrderNo: string;
  /** JD's `poOrderStatus` (eclp-api.md §4.2): 10, 20, 70, 90, 91, 92. */
  jdStatus: string;
  /** JD will report nothing more: 70 (completed or closed) or 91 (cancelled). */
  finished: boolean;
  lines: JdPurchaseOrderLineProgress[];
  /**
   * Status and every quantity in one string: the workflow hands back the last one it saw, and the poll
   * answers only when JD's differs (a repeated poll never books anything).
   */
  fingerprint: string;
}

/** A purchase receipt (采购入库单): one per increase of JD's received quantities. */
export interface PurchaseReceiptData {
  receiptNo: string;
  seq: number;
  poNo: string;
  poOrderNo: string;
  warehouseCode: string;
  /** ISO time the receipt was booked. */
  receivedAt: string;
  lines: Array<{ sku: string; quantity: number }>;
}

/** Answers of the booking activity: receipts the run has not seen yet (new ones, or ones booked by an attempt whose answer was lost). */
export interface PurchaseReceiptBooking {
  receipts: PurchaseReceiptData[];
  /** Receipts of the PO in all, after this booking. */
  totalReceipts: number;
  /** Received units in all (every SKU), after this booking. */
  receivedTotal: number;
}

// ---- signals -------------------------------------------------------------------------------------------

/** Cancel the PO at JD (cancalPoOrder). Also from the Temporal UI: `{"reason":"…","actor":{"role":"operator"}}`. */
export const cancelPurchaseOrderSignal = defineSignal<[CancelRequestPayload]>('cancelPurchaseOrder');
/** Close a partly received PO at JD (po.closePo): it ends RECEIVED with what arrived. */
export const closePurchaseOrderSignal = defineSignal<[CancelRequestPayload]>('closePurchaseOrder');

export const PURCHASE_ORDER_INBOX_SIGNALS: Record<PurchaseOrderInboxKind, typeof cancelPurchaseOrderSignal> = {
  cancel: cancelPurchaseOrderSignal,
  close: closePurchaseOrderSignal,
};

/** How an operator resolves a PUSH_UNCONFIRMED push (repush also ends a FAILED one). */
export type ResolvePushPayload =
  | { action: 'link'; poOrderNo: string; requestId?: string; reason?: string; actor: { role: string }; via?: 'api' }
  | { action: 'repush'; requestId?: string; reason: string; actor: { role: string }; via?: 'api' };

export const resolvePushSignal = defineSignal<[ResolvePushPayload]>('resolvePush');

/** A serial-number batch the API stored (purchase_order_serials): the run uploads it once JD holds the PO. */
export interface SerialBatchPayload {
  batchId: string;
}
export const serialBatchSignal = defineSignal<[SerialBatchPayload]>('serialBatch');

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9:#._-]{0,99}$/;

/** Hand-written, like every signal check: the Temporal UI can send anything. */
export function checkResolvePushPayload(raw: unknown): PayloadCheck<ResolvePushPayload> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'the payload must be a JSON object like {"action":"link","poOrderNo":"EPL…","actor":{"role":"operator"}}' };
  }
  const { action, poOrderNo, requestId, reason, actor, via } = raw as Record<string, unknown>;
  if (typeof actor !== 'object' || actor === null || typeof (actor as { role?: unknown }).role !== 'string') return { ok: false, problem: 'actor.role must be a string' };
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) return { ok: false, problem: 'requestId must be 1–100 letters, digits or :#._-' };
  if (via !== undefined && via !== 'api') return { ok: false, problem: 'via must be "api" or absent' };
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200)) return { ok: false, problem: 'reason must be text of at most 200 characters' };
  const unstorable = typeof reason === 'string' ? textProblem(reason) : undefined;
  if (unstorable !== undefined) return { ok: false, problem: `reason ${unstorable}` };
  const role = { role: (actor as { role: string }).role };
  const common = { ...(requestId !== undefined && { requestId: requestId as string }), actor: role, ...(via === 'api' && { via: 'api' as const }) };
  if (action === 'link') {
    if (typeof poOrderNo !== 'string' || !/^[A-Za-z0-9]{1,50}$/.test(poOrderNo)) return { ok: false, problem: "poOrderNo must be JD's PO number (EPL…)" };
    return { ok: true, value: { action, poOrderNo, ...(typeof reason === 'string' && { reason }), ...common } };
  }
  if (action === 'repush') {
    if (typeof reason !== 'string' || reason.trim() === '') return { ok: false, problem: 'reason must be a non-empty string' };
    return { ok: true, value: { action, reason, ...common } };
  }
  return { ok: false, problem: 'action must be "link" or "repush"' };
}

export function checkSerialBatchPayload(raw: unknown): PayloadCheck<SerialBatchPayload> {
  const batchId = typeof raw === 'object' && raw !== null ? (raw as { batchId?: unknown }).batchId : undefined;
  if (typeof batchId !== 'string' || !REQUEST_ID.test(batchId)) return { ok: false, problem: 'the payload must be {"batchId":"…"}' };
  return { ok: true, value: { batchId } };
}

// ---- query ---------------------------------------------------------------------------------------------

export interface PurchaseOrderWorkflowState {
  poNo: string;
  /** The push revision now (a repush raises it within the run). */
  revision: number;
  status: PurchaseOrderStatus;
  poOrderNo?: string;
  jdWarehouseNo?: string;
  failureReason?: string;
  failureStage?: PurchaseOrderFailureStage;
  /** PUSH_UNCONFIRMED: the number JD said it already holds, and JD's words. */
  unconfirmed?: { spPoOrderNo: string; jdMessage: string };
  receipts: number;
  /** Received units per SKU as booked. */
  received: Record<string, number>;
  /** JD's status as last seen (poll or sweeper). */
  jdStatus?: string;
  pendingRequests: Array<Pick<PurchaseOrderInboxRequest, 'requestId' | 'kind' | 'statusAtRequest'>>;
  /** Serial batches waiting for JD to hold the PO. */
  pendingSerialBatches: string[];
  ignoredSignals: number;
  tracking: SalesOrderTrackingMode;
}

export const purchaseOrderStatusQuery = defineQuery<PurchaseOrderWorkflowState>('status');
