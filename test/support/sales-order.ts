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
