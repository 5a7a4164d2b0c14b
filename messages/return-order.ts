// The return workflow's contract (售后单): input and result, the cancel signal (the kit's cancel inbox),
// the `status` query, and JD's outcome of a return as the poll activity reports it. Definitions only.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReplacementCompensation, ReturnFailureStage, ReturnType } from '../domain/return-order';
import type { ReturnStatus } from '../domain/statuses';
import type { CancelRequest, CancelRequestPayload } from './cancel';
import type { SalesOrderPolling } from './sales-order';

export interface ReturnOrderInput {
  returnNo: string;
  revision: number;
  /** Returns are followed by polling: queryRtw answers one return per call, so a sweep saves nothing. */
  polling: SalesOrderPolling;
}

export interface ReturnOrderResult {
  returnNo: string;
  revision: number;
  status: ReturnStatus;
  eclpRtwNo?: string;
  /** Exchange: what became of the replacement when the return ended without goods. */
  replacement?: ReplacementCompensation;
  superseded?: boolean;
}

export type ReturnCancelRequest = CancelRequest<'cancel', ReturnStatus>;

/** One line as JD received it (per SKU; JD's lines of one goods summed). */
export interface JdReturnLine {
  sku: string;
  goodsNo: string;
  plannedQty: number;
  /** What the warehouse put away (`realQty`): what raises stock. */
  receivedQty: number;
  /** JD's goods level (100 good, 200 defective, …) when it reports one. */
  goodsLevel?: string;
}

/** How JD ended a return (eclp-api.md §4.3): 200 received, 500/600 rejected, 400 cancelled. */
export type JdReturnOutcome =
  | { kind: 'received'; jdStatus: string; finishedAt?: string; lines: JdReturnLine[] }
  | { kind: 'rejected'; jdStatus: string; reason: string }
  | { kind: 'cancelled'; jdStatus: string };

/** The `return.received` webhook's data and the receipt the booking activity wrote. */
export interface SalesReturnReceiptData {
  receiptNo: string;
  returnNo: string;
  orderNo: string;
  type: ReturnType;
  eclpRtwNo: string;
  warehouseCode: string;
  receivedAt: string;
  /** Per return line: asked, received by JD, and the shortfall (a short return is recorded as such). */
  lines: Array<{ sku: string; quantity: number; receivedQuantity: number; shortQuantity: number; goodsLevel?: string }>;
  short: boolean;
}

/** Cancel the return at JD (cancelRtwOrder). Also from the Temporal UI: `{"reason":"…","actor":{"role":"operator"}}`. */
export const cancelReturnSignal = defineSignal<[CancelRequestPayload]>('cancelReturn');

export interface ReturnWorkflowState {
  returnNo: string;
  revision: number;
  status: ReturnStatus;
  eclpRtwNo?: string;
  jdWarehouseNo?: string;
  failureReason?: string;
  failureStage?: ReturnFailureStage;
  rejectReason?: string;
  /** Exchange: what became of the replacement order when the return ended without goods. */
  replacement?: ReplacementCompensation;
  pendingCancels: Array<Pick<ReturnCancelRequest, 'requestId' | 'kind' | 'statusAtRequest'>>;
  ignoredSignals: number;
}

export const returnStatusQuery = defineQuery<ReturnWorkflowState>('status');
