// Return persistence (售后单, 销售退货单): the return itself with its checks and an exchange's replacement
// order (order.ts, find.ts), the one receipt JD's completion becomes (receipts.ts), the saga's status
// transitions and attention items (transitions.ts), the operator's cancel requests (requests.ts), and the
// records they answer with (records.ts).
//
// For the API: createReturn, setReturnWorkflowId, getReturn(Detail), listReturns, listReturnsOfOrder and
// the request functions. For the activities: everything else.
export { findReturn, getReturn } from './find';
export { draftReturnForRefusedRefund } from './drafts';
export {
  confirmReturnDraft,
  createReturn,
  getReturnDetail,
  listReturns,
  listReturnsOfOrder,
  loadReturnPushMaterial,
  setReturnWorkflowId,
  type ReturnCreateOutcome,
  type ReturnFilter,
  type ReturnPushMaterial,
} from './order';
export { bookReturnReceived, getReturnReceipt, returnReceiptRemark, type JdReceivedReturn, type ReturnReceiptBooking } from './receipts';
export { recordReturnAttention, recordReturnEnded, recordReturnEvent, recordReturnFailed, recordReturnPushed } from './transitions';
export {
  findPendingReturnRequest,
  findReturnRequest,
  insertPendingReturnRequest,
  listReturnRequests,
  recordReturnRequestDecision,
  withdrawPendingReturnRequest,
  type NewReturnRequest,
  type ReturnRequestDecision,
} from './requests';
export {
  RETURN_DOC_TYPE,
  type ReturnDetail,
  type ReturnLineRecord,
  type ReturnOfOrder,
  type ReturnRecord,
  type ReturnRequestRecord,
  type ReturnSummary,
  type SalesReturnReceiptRecord,
} from './records';
