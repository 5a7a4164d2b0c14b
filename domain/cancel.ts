// Cancel requests (打回审核, buyer refunds, PO cancels): how one ended. Shared by the API (answers and
// list filters), the messages the workflows exchange, and the repositories that store the verdicts.
// Plain constants only: workflow code imports this file.

/**
 * - CANCELLED_AT_JD: JD confirmed the cancel; the document is back in REVIEW (send-back) or CANCELLED.
 * - BACK_TO_REVIEW: back in REVIEW without a JD call (JD never had a live document for this push).
 * - CANCELLED_IN_ERP: cancelled without a JD call, for the same reason.
 * - HELD_IN_ERP: a hold (挂起) without a JD call (the order was in review or FAILED: JD had no live order).
 * - REFUSED_BY_JD: JD refused (picked or further); the document stays with JD and goes on.
 * - ALREADY_SHIPPED / ALREADY_CANCELLED: too late, or already done by an earlier request.
 */
export const CANCEL_VERDICTS = ['CANCELLED_AT_JD', 'BACK_TO_REVIEW', 'CANCELLED_IN_ERP', 'REFUSED_BY_JD', 'HELD_IN_ERP', 'ALREADY_SHIPPED', 'ALREADY_CANCELLED'] as const;
export type CancelVerdict = (typeof CANCEL_VERDICTS)[number];

/** `api` when the request came through the HTTP API, `temporal` for one typed in the Temporal UI/CLI. */
export type CancelSource = 'api' | 'temporal';
