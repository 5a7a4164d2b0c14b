// Every workflow the worker registers. Loaded by the bundler: only workflow-safe modules below here.
export { goodsSync } from './goods-sync';
export { purchaseOrder } from './purchase-order';
export { returnOrder } from './return-order';
export { salesOrder } from './sales-order';
export { warehouseSweeper } from './sweeper';
export { webhookRedelivery } from './webhook-redelivery';
export { stockReconciliation, stockReconciliationRound } from './stock-reconciliation';
export { jdLookup } from './jd-lookup';
export { goLiveCheck } from './go-live-check';
export { jdTokenRefresher, jdAuthorisation } from './jd-token';
