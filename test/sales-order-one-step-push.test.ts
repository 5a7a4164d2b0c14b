// The sales-order saga since PUSH_IN_ONE_STEP_PATCH (issue 13 item 1): claim, pre-flight, push and the
// WMS_PICKING record are one activity, and the run upserts no search attribute its start already carried.
// Each branch of the new step runs end to end here (API → Temporal → worker → simulator → Postgres); with
// UPDATE_REPLAY_HISTORIES=1 each writes its history as a new replay fixture (test/replay/).
import request from 'supertest';
import type { Timeline } from '../simulator/timeline';
import { DocStatus, ErpDocNo, StatusSince, WarehouseNo } from '../messages/search-attributes';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, CONSIGNEE, saveReplayHistory, scheduledActivityTypes, seedSalesOrderMasterData, SimControl, sleep, type History } from './support';
import { SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH } from './support/sales-order';

const FAST: Timeline['salesOrder'] = { pickAfterMs: 200, packAfterMs: 400, shipAfterMs: 600, deliverAfterMs: null };
/** What a run costs in history events once JD ships at the first poll (issue 13: at most 36; 52 before the patch). */
const MAX_EVENTS_SHIPPED = 36;

let stack: TestStack;
let sim: SimControl;

beforeAll(async () => {
  stack = await startTestStack({ timeline: { salesOrder: FAST }, env: { SO_POLL_INTERVAL_MS: '200' } });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, {
    goods: [['OS-A', '6950000009001'], ['OS-NEW', '6950000009002']],
    synced: ['OS-A'],
    // Mapped on our side to a JD number JD never issued: only JD can refuse it.
    warehouses: { 'OS-TYPO': { name: '错配仓', jdWarehouseNo: '110009999', eclpConnected: true } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const body = (orderNo: string, overrides: Record<string, unknown> = {}) => ({
  orderNo,
  warehouseCode: 'BJ',
  carrierCode: 'JDEX',
  consignee: CONSIGNEE,
  lines: [{ sku: 'OS-A', quantity: 1, price: 10 }],
  ...overrides,
});

async function createAndApprove(orderNo: string, overrides: Record<string, unknown> = {}): Promise<string> {
  await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(body(orderNo, overrides)).expect(201);
  const res = await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp')).expect(202);
  return res.body.workflowId as string;
}

async function statusOf(orderNo: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator')).expect(200);
    if (res.body.status === status || Date.now() > deadline) {
      expect(res.body.status).toBe(status);
      return res.body as { status: string; failureReason: string | null; log: Array<{ action: string }> };
    }
    await sleep(100);
  }
}

const markers = (history: History) => (history.events ?? []).flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? []);
/** The search attributes each upsert set (the patch itself upserts Temporal's own TemporalChangeVersion). */
const upserts = (history: History) =>
  (history.events ?? []).flatMap((e) => {
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    return fields ? [Object.keys(fields).sort()] : [];
  });

it('an order JD ships: one push step, no upsert of what the start set, at most 36 events', async () => {
  const workflowId = await createAndApprove('OS-SHIP-1');
  const handle = stack.client.workflow.getHandle(workflowId);
  expect(await handle.result()).toMatchObject({ status: 'SHIPPED', eclpSoNo: expect.stringMatching(/^ESL/) });
  const order = await statusOf('OS-SHIP-1', 'SHIPPED');
  expect(order.log.map((e) => e.action)).toEqual(['created', 'approved', 'pushed', 'shipped']);

  const history = await handle.fetchHistory();
  expect(scheduledActivityTypes(history)).toEqual(SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH);
  expect(markers(history)).toEqual(['core_patch']);
  // WMS_PICKING and SHIPPED only: DocType, ErpDocNo, PUSHING, StatusSince and WarehouseNo came with the start.
  const status = ['DocStatus', 'EclpDocNo', 'StatusSince', 'WarehouseNo'];
  expect(upserts(history)).toEqual([['TemporalChangeVersion'], status, status]);
  expect(history.events?.length).toBeLessThanOrEqual(MAX_EVENTS_SHIPPED);
  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(DocStatus)).toBe('SHIPPED');
  expect(described.typedSearchAttributes.get(ErpDocNo)).toBe('OS-SHIP-1');
  expect(described.typedSearchAttributes.get(WarehouseNo)).toBe('110000001');
  expect(described.typedSearchAttributes.get(StatusSince)).toBeInstanceOf(Date);
  saveReplayHistory(history, 'sales-order-one-step-push-shipped.json');
}, 60_000);

it('a pre-flight failure in the push step: FAILED with the reason, JD never asked, then refunded', async () => {
  const before = (await sim.stats()).byMethod['jingdong.eclp.order.addOrder'] ?? 0;
  const workflowId = await createAndApprove('OS-PRE-1', { lines: [{ sku: 'OS-NEW', quantity: 1, price: 10 }] });
  const failed = await statusOf('OS-PRE-1', 'FAILED');
  expect(failed.failureReason).toBe('Pre-flight failed: SKU OS-NEW is not at JD yet; sync it with POST /v1/goods/OS-NEW/sync first');
  expect(failed.log.map((e) => e.action)).toEqual(['created', 'approved', 'preflight_failed']);
  expect((await sim.stats()).byMethod['jingdong.eclp.order.addOrder'] ?? 0).toBe(before);
  const refund = await request(stack.app).post('/v1/sales-orders/OS-PRE-1/refund').set(auth('operator')).send({ reason: '买家退款' });
  expect(refund.body).toMatchObject({ verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED' });
  const handle = stack.client.workflow.getHandle(workflowId);
  expect(await handle.result()).toMatchObject({ status: 'CANCELLED' });
  const history = await handle.fetchHistory();
  expect(scheduledActivityTypes(history).slice(0, 2)).toEqual(['pushSalesOrder', 'recordSalesOrderFailed']);
  saveReplayHistory(history, 'sales-order-one-step-push-preflight-failed.json');
}, 60_000);

it('JD refuses the order in the push step: FAILED with JD\'s words, then sent back to review', async () => {
  const workflowId = await createAndApprove('OS-REJ-1', { warehouseCode: 'OS-TYPO' });
  const failed = await statusOf('OS-REJ-1', 'FAILED');
  expect(failed.failureReason).toMatch(/^JD rejected the order: /);
  expect(failed.log.map((e) => e.action)).toEqual(['created', 'approved', 'push_rejected']);
  await request(stack.app).post('/v1/sales-orders/OS-REJ-1/send-back').set(auth('operator')).send({ reason: '改仓' });
  const handle = stack.client.workflow.getHandle(workflowId);
  expect(await handle.result()).toMatchObject({ status: 'REVIEW' });
  saveReplayHistory(await handle.fetchHistory(), 'sales-order-one-step-push-rejected.json');
}, 60_000);

it('a run whose revision the order is not at claims nothing and ends superseded', async () => {
  await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(body('OS-SUP-1')).expect(201);
  // As a run started by hand for a revision the order never reached (the API would start revision 1).
  await stack.documents.salesOrders.start({ orderNo: 'OS-SUP-1', revision: 3, jdWarehouseNo: '110000001', polling: { intervalMs: 200, maxWaitMs: 60_000 } });
  const handle = stack.documents.salesOrders.handle('OS-SUP-1', 3);
  expect(await handle.result()).toMatchObject({ status: 'REVIEW', superseded: true });
  await statusOf('OS-SUP-1', 'REVIEW');
  saveReplayHistory(await handle.fetchHistory(), 'sales-order-one-step-push-superseded.json');
}, 60_000);
