// The sales-order workflow's messages and their payload rules. Imported by the API (to signal and
// query) and by the workflow, so it depends on nothing but the definitions helpers: no zod, no Node.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelKind } from '../domain/sales-order';
import type { SalesOrderStatus } from '../domain/statuses';

export type { CancelKind };

/**
 * A cancel message as sent by the API or typed into the Temporal UI/CLI. `requestId` is how the sender
 * finds the verdict in Postgres; a UI sender may leave it out and the workflow derives one.
 */
export interface CancelRequestPayload {
  reason: string;
  actor: { role: string };
  requestId?: string;
  /** Set by the HTTP API; absent when an operator types the signal into the Temporal UI/CLI. */
  via?: 'api';
}

/** 打回审核: back to review, cancelling at JD first when JD has the order. */
export const sendBackSignal = defineSignal<[CancelRequestPayload]>('sendBack');
/** The buyer was refunded: the order must never ship, so it is cancelled at JD and in the ERP. */
export const buyerRefundSignal = defineSignal<[CancelRequestPayload]>('buyerRefund');

export const CANCEL_SIGNALS: Record<CancelKind, typeof sendBackSignal> = { sendBack: sendBackSignal, buyerRefund: buyerRefundSignal };

/**
 * How a cancel request ended.
 * - CANCELLED_AT_JD: JD confirmed the cancel; the order is back in REVIEW (send-back) or CANCELLED (refund).
 * - BACK_TO_REVIEW: back in REVIEW without a JD call (JD never had a live order for this push).
 * - CANCELLED_IN_ERP: cancelled without a JD call, for the same reason.
 * - REFUSED_BY_JD: JD refused (picked or further); the order stays WMS_PICKING and will ship.
 * - ALREADY_SHIPPED / ALREADY_CANCELLED: too late, or already done by an earlier request.
 */
export const CANCEL_VERDICTS = ['CANCELLED_AT_JD', 'BACK_TO_REVIEW', 'CANCELLED_IN_ERP', 'REFUSED_BY_JD', 'ALREADY_SHIPPED', 'ALREADY_CANCELLED'] as const;
export type CancelVerdict = (typeof CANCEL_VERDICTS)[number];

/** A validated request inside the workflow. */
export interface CancelRequest {
  requestId: string;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  /** `api` when the request came with an id from the HTTP API, `temporal` for one typed in the UI/CLI. */
  source: 'api' | 'temporal';
  statusAtRequest: SalesOrderStatus;
}

export interface CancelOutcome {
  verdict: CancelVerdict;
  /** The order's status after the decision. */
  status: SalesOrderStatus;
  /** JD's own words when JD was asked. */
  jdMessage?: string;
}

/** What the `status` query answers. No consignee data: the Temporal UI shows it to every operator. */
export interface SalesOrderWorkflowState {
  orderNo: string;
  revision: number;
  status: SalesOrderStatus;
  eclpSoNo?: string;
  jdWarehouseNo?: string;
  wayBill?: string;
  failureReason?: string;
  /** Requests taken in and not yet decided (held while PUSHING). */
  pendingCancels: Array<Pick<CancelRequest, 'requestId' | 'kind' | 'statusAtRequest'>>;
  /** The last cancel JD refused: the order will ship despite it. */
  lastCancelRefusal?: { requestId: string; kind: CancelKind; jdMessage?: string };
  /** Signals dropped because their payload was malformed (each is also logged). */
  ignoredSignals: number;
}

export const salesOrderStatusQuery = defineQuery<SalesOrderWorkflowState>('status');

const MAX_REASON = 200;
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9:#._-]{0,99}$/;

export type PayloadCheck = { ok: true; value: CancelRequestPayload } | { ok: false; problem: string };

/**
 * Hand-written check of a signal payload (the workflow sandbox has no zod). Anyone with access to the
 * Temporal UI can send anything, so every field is checked and the answer names what was wrong.
 */
export function checkCancelPayload(raw: unknown): PayloadCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'the payload must be a JSON object like {"reason":"…","actor":{"role":"operator"}}' };
  }
  const { reason, actor, requestId, via } = raw as Record<string, unknown>;
  if (typeof reason !== 'string' || reason.trim() === '') return { ok: false, problem: 'reason must be a non-empty string' };
  if (reason.length > MAX_REASON) return { ok: false, problem: `reason must be at most ${MAX_REASON} characters` };
  if (typeof actor !== 'object' || actor === null) return { ok: false, problem: 'actor must be an object like {"role":"operator"}' };
  const role = (actor as Record<string, unknown>).role;
  if (typeof role !== 'string' || !/^[a-z][a-z-]{0,29}$/.test(role)) return { ok: false, problem: 'actor.role must be a lower-case role name such as "operator"' };
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) {
    return { ok: false, problem: 'requestId, when given, must be 1–100 letters, digits or ":#._-"' };
  }
  if (via !== undefined && via !== 'api') return { ok: false, problem: 'via, when given, must be "api"' };
  const value: CancelRequestPayload = { reason: reason.trim(), actor: { role } };
  if (typeof requestId === 'string') value.requestId = requestId;
  if (via === 'api') value.via = via;
  return { ok: true, value };
}
