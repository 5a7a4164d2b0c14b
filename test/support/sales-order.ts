// What tests expect of the sales-order saga as a whole.

/** The activities a sales-order run schedules, in order, when JD takes the order and ships it. */
export const SHIPPED_SALES_ORDER_ACTIVITIES: readonly string[] = [
  'claimSalesOrderPush',
  'preflightSalesOrder',
  'ensureSalesOrderAtJd',
  'recordSalesOrderPushed',
  'awaitSalesOrderOutcome',
  'recordSalesOrderShipped',
  'deliverWebhook',
];

/** The same since PUSH_IN_ONE_STEP_PATCH: claim, pre-flight, push and the WMS_PICKING record are one step. */
export const SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH: readonly string[] = ['pushSalesOrder', 'awaitSalesOrderOutcome', 'recordSalesOrderShipped', 'deliverWebhook'];
