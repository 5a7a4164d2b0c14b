// Failure types (ApplicationFailure.type) that activities throw and workflows branch on. Both sides
// import this file, so a renamed type cannot leave the other side matching a string that no longer
// exists. It depends on nothing.

/** JD refused the request itself: the names of eclp/'s error classes (checked by test/messages.test.ts). */
export const JD_REJECTION_TYPES = ['EclpBusinessError', 'EclpValidationError'] as const;

export const FAILURE_TYPES = {
  /** The sales order no longer passes the pre-flight (master data changed after it was checked). */
  salesOrderNotPushable: 'SalesOrderNotPushable',
  /** The poll's "JD has not shipped or cancelled it yet": expected, so BENIGN (no error logs, no metrics). */
  salesOrderNotFinished: 'SalesOrderNotFinished',
  /** The run lost its order to a newer push revision: it must stop, not retry. */
  salesOrderSuperseded: 'SalesOrderSuperseded',
  /** A create JD may have executed was not found at JD: it is sent again (retryable). */
  salesOrderNotAtJd: 'SalesOrderNotAtJd',
  /** JD says it holds the order (a repeated isvUUID) but its lookup does not show it yet: look again (retryable). */
  salesOrderLookupLagging: 'SalesOrderLookupLagging',
  /** JD refused to show one of our own orders: no verdict on the order, keep asking (retryable). */
  jdQueryRefused: 'JdQueryRefused',
  /** The purchase order no longer passes the pre-flight at push time (master data changed meanwhile). */
  purchaseOrderNotPushable: 'PurchaseOrderNotPushable',
  /**
   * JD answered "already exists" for our spPoOrderNo and has no lookup by it: whether JD holds our PO is
   * unknown, so the saga waits for an operator (PUSH_UNCONFIRMED) instead of failing or pushing again.
   */
  purchaseOrderPushUnconfirmed: 'PurchaseOrderPushUnconfirmed',
  /** The poll's "JD reports nothing new for the PO yet" (no receipt, no end): BENIGN. */
  purchaseOrderNotFinished: 'PurchaseOrderNotFinished',
  /** The PO is no longer at the run's push revision (repushed, or gone): the run must stop, not retry. */
  purchaseOrderSuperseded: 'PurchaseOrderSuperseded',
  /** JD does not show a PO it gave us the number of (its query lags the create): ask again (retryable). */
  purchaseOrderNotAtJd: 'PurchaseOrderNotAtJd',
  /** JD reports goods on our PO that no goods row maps to (neither isvGoodsNo nor jd_goods_no): retried visibly. */
  jdGoodsNotMapped: 'JdGoodsNotMapped',
  /** The return no longer passes the pre-flight at push time (its order or master data changed meanwhile). */
  returnNotPushable: 'ReturnNotPushable',
  /** The run lost its return to a newer push revision: stop, do not retry. */
  returnSuperseded: 'ReturnSuperseded',
  /** The poll's "JD has not received, rejected or cancelled the return yet": BENIGN. */
  returnNotFinished: 'ReturnNotFinished',
  /** JD does not show a return it gave us the number of (its query lags the create): ask again (retryable). */
  returnNotAtJd: 'ReturnNotAtJd',
  /** More numbers than one batched JD query takes. */
  sweepBatchTooLarge: 'SweepBatchTooLarge',
  /** A goods sync ended without a JD goods number (the workflow's own failure). */
  goodsSyncFailed: 'GoodsSyncFailed',
  /** PostgreSQL refused the data an activity wrote (SQLSTATE class 22/23): retrying cannot help, so non-retryable. */
  databaseRefusedData: 'DatabaseRefusedData',
} as const;
