// Purchase-order persistence (采购订单): the PO itself (order.ts), the receipts JD's progress becomes
// (receipts.ts), the saga's status transitions (transitions.ts), the operator's requests (requests.ts),
// serial-number batches (serials.ts), and the records they answer with (records.ts).
//
// For the API: createPurchaseOrder, setPurchaseOrderWorkflowId, getPurchaseOrder(Detail),
// listPurchaseOrders, the request and serial-batch functions. For the activities: everything else.
export {
  MAX_OPEN_PURCHASE_ORDER_PAGE,
  createPurchaseOrder,
  findPurchaseOrder,
  getPurchaseOrder,
  getPurchaseOrderDetail,
  listOpenPurchaseOrders,
  listPurchaseOrders,
  loadPurchaseOrderPushMaterial,
  setPurchaseOrderWorkflowId,
  type OpenPurchaseOrder,
  type OpenPurchaseOrderPage,
  type PurchaseOrderCreateOutcome,
  type PurchaseOrderFilter,
  type PurchaseOrderPushMaterial,
} from './order';
export { bookPurchaseReceipts, listPurchaseReceipts, receiptRemark, type JdReceiptProgress, type PurchaseReceiptBookingResult } from './receipts';
export {
  recordPurchaseOrderEvent,
  recordPurchaseOrderFailed,
  recordPurchaseOrderPushed,
  recordPurchaseOrderRepush,
  recordPurchaseOrderUnconfirmed,
} from './transitions';
export {
  findPendingPurchaseOrderRequest,
  findPurchaseOrderRequest,
  insertPendingPurchaseOrderRequest,
  listPurchaseOrderRequests,
  recordPurchaseOrderRequestDecision,
  withdrawPendingPurchaseOrderRequest,
  type NewPurchaseOrderRequest,
  type PurchaseOrderRequestDecision,
} from './requests';
export { getSerialBatch, insertSerialBatch, listSerialBatches, markSerialBatch, nextSerialVersion, withdrawSerialBatch, type NewSerialBatch } from './serials';
export {
  PURCHASE_ORDER_DOC_TYPE,
  type PurchaseOrderDetail,
  type PurchaseOrderLineRecord,
  type PurchaseOrderRecord,
  type PurchaseOrderRequestRecord,
  type PurchaseOrderSummary,
  type PurchaseReceiptRecord,
  type SerialBatchRecord,
} from './records';
