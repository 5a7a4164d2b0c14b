// Sales-order persistence (销售订单): the order itself (order.ts), its status transitions written by the
// saga (transitions.ts), the cancel requests raised against it (cancel-requests.ts), and the records
// they answer with (records.ts).
export {
  MAX_OPEN_ORDER_PAGE,
  createReplacementSalesOrder,
  createSalesOrder,
  findSalesOrder,
  getSalesOrder,
  listOpenSalesOrders,
  listSalesOrders,
  loadSalesOrderForPush,
  loadSalesOrderPushMaterial,
  type OpenSalesOrder,
  type OpenSalesOrderPage,
  type SalesOrderFilter,
  type SalesOrderForPush,
} from './order';
export {
  claimSalesOrderPush,
  recordSalesOrderEvent,
  recordSalesOrderFailed,
  recordSalesOrderPushed,
  recordSalesOrderPushedAtOnce,
  recordSalesOrderShipped,
  type SalesOrderShipment,
} from './transitions';
export {
  cancelSalesOrderInReview,
  findPendingSalesOrderCancelRequest,
  findSalesOrderCancelRequest,
  insertPendingSalesOrderCancelRequest,
  withdrawPendingSalesOrderCancelRequest,
  listSalesOrderCancelRequests,
  recordSalesOrderCancelDecision,
  type NewSalesOrderCancelRequest,
  type SalesOrderCancelDecision,
} from './cancel-requests';
export {
  holdSalesOrderInReview,
  releaseHeldSalesOrder,
  salesOrderFollowUp,
  type NewHoldInReview,
  type SalesOrderFollowUp,
  type SalesOrderHold,
} from './holds';
export { SALES_ORDER_DOC_TYPE, type SalesOrderCancelRequestRecord, type SalesOrderRecord, type SalesOrderSummary } from './records';
