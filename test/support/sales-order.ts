// What tests expect of the sales-order saga as a whole, and how they read an order through the API.
import request from 'supertest';
import { until } from './timing';
import { auth } from './tokens';

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

type App = Parameters<typeof request>[0];

/** GET /v1/sales-orders/{orderNo} as an operator; the order must exist. */
export async function readSalesOrder(app: App, orderNo: string) {
  const res = await request(app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator'));
  expect(res.status).toBe(200);
  return res.body;
}

/** The order once its status is `status` (within 30 s). */
export function untilSalesOrderStatus(app: App, orderNo: string, status: string) {
  return until(async () => {
    const order = await readSalesOrder(app, orderNo);
    expect(order.status).toBe(status);
    return order;
  }, 30_000);
}
