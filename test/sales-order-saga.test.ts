// Sales orders end to end: API → Temporal (real dev server) → worker → simulator over HTTP → Postgres,
// with a local ERP webhook receiver. Every test owns its orders; the simulator's timeline is set per test
// (fast for orders that should ship by themselves, manual for orders moved by hand).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import type { Timeline } from '../simulator/timeline';
import { CANCEL_REFUSED_DOC_STATUS, salesOrderStatusQuery } from '../messages/sales-order';
import { DocStatus, EclpDocNo, ErpDocNo, WarehouseNo } from '../messages/search-attributes';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, seedSalesOrderMasterData, saveReplayHistory, SimControl, sleep } from './support';

const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-for-tests-32-bytes').toString('base64')}`;
const FAST: Timeline['salesOrder'] = { pickAfterMs: 300, packAfterMs: 600, shipAfterMs: 1_000, deliverAfterMs: null };
const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };
const ADD_ORDER = 'jingdong.eclp.order.addOrder';
const LOOKUP = 'jingdong.eclp.order.ext.queryOrder';

interface Delivery {
  headers: IncomingHttpHeaders;
  rawBody: string;
  answeredWith: number;
}

let stack: TestStack;
let sim: SimControl;
let receiver: Server;
const deliveries: Delivery[] = [];
/** Event ids the receiver answers with HTTP 500 once, to make Temporal retry the delivery. */
const failOnce = new Set<string>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const eventId = String(req.headers['webhook-id']);
      const answeredWith = failOnce.delete(eventId) ? 500 : 204;
      deliveries.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), answeredWith });
      res.statusCode = answeredWith;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  stack = await startTestStack({
    timeline: { salesOrder: FAST },
    env: { SO_POLL_INTERVAL_MS: '250', CANCEL_WAIT_MS: '6000' },
    webhook: { url: `http://127.0.0.1:${port}/erp/hooks`, secrets: [WEBHOOK_SECRET] },
  });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, {
    goods: [['SKU-A', '6950000001001'], ['SKU-B', '6950000001002'], ['SKU-NEW', '6950000001003']],
    synced: ['SKU-A', 'SKU-B'],
    warehouses: {
      OWN: { name: '自有仓', eclpConnected: false },
      // Mapped on our side to a JD number JD never issued: only JD can refuse it.
      TYPO: { name: '错配仓', jdWarehouseNo: '110009999', eclpConnected: true },
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

// ---------------------------------------------------------------- helpers

function orderBody(orderNo: string, overrides: Record<string, unknown> = {}) {
  return {
    orderNo,
    shopOrderNo: `TB-${orderNo}`,
    warehouseCode: 'BJ',
    carrierCode: 'JDEX',
    consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
    lines: [
      { sku: 'SKU-A', quantity: 2, price: 59.9 },
      { sku: 'SKU-B', quantity: 1, price: 128 },
    ],
    ...overrides,
  };
}

async function createOrder(orderNo: string, overrides: Record<string, unknown> = {}) {
  const res = await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(orderBody(orderNo, overrides));
  expect(res.status).toBe(201);
  return res.body;
}

async function approve(orderNo: string, expectedRevision = 1) {
  const res = await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp'));
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ status: 'PUSHING', statusLabel: '推送中', pushRevision: expectedRevision, workflowId: `SO:${orderNo}:${expectedRevision}` });
  return res.body as { workflowId: string };
}

async function getOrder(orderNo: string) {
  const res = await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator'));
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * Postgres has the new status as soon as an activity commits; the workflow upserts its search attribute
 * in the workflow task after that. Waits (up to 5 s) for the expected value, then returns what is there.
 */
async function docStatusWhenSettled(workflowId: string, expected: string): Promise<string | undefined> {
  const read = async () => (await stack.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(DocStatus);
  for (let i = 0; i < 50 && (await read()) !== expected; i++) await sleep(100);
  return read();
}

async function waitForStatus(orderNo: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let order = await getOrder(orderNo);
  while (order.status !== status && Date.now() < deadline) {
    await sleep(100);
    order = await getOrder(orderNo);
  }
  expect(order.status).toBe(status);
  return order;
}

const cancelRequest = (orderNo: string, kind: 'send-back' | 'refund', reason: string) =>
  request(stack.app).post(`/v1/sales-orders/${orderNo}/${kind}`).set(auth('operator')).send({ reason });

type SimOrder = { eclpSoNo: string; isvUUID: string; currentStatus: string; wayBill?: string };
const jdOrder = (eclpSoNo: string) => sim.control<SimOrder>('GET', `sales-orders/${eclpSoNo}`);
const jdOrdersFor = (isvUUID: string) => sim.control<SimOrder[]>('GET', `sales-orders?isvUUID=${encodeURIComponent(isvUUID)}`);
const setTimeline = (salesOrder: Timeline['salesOrder']) => sim.setTimeline({ salesOrder });
const jdCalls = async (method: string) => (await sim.stats()).byMethod[method] ?? 0;
const moveAtJd = (eclpSoNo: string, move: 'pick' | 'pack' | 'ship' | 'cancel', body: object = {}) => sim.moveSalesOrder(eclpSoNo, move, body);

const actions = (order: { log: Array<{ action: string }> }) => order.log.map((e) => e.action);

// ---------------------------------------------------------------- API

describe('creating and listing', () => {
  it('creates in REVIEW, answers a repeat with the same order, and refuses a different body', async () => {
    const created = await createOrder('API-1');
    expect(created).toMatchObject({ orderNo: 'API-1', status: 'REVIEW', statusLabel: '待审核', pushRevision: 0, workflowId: null, eclpSoNo: null });
    // Nothing has shipped yet: shipped and short quantities are unknown, not zero.
    expect(created.lines).toEqual([
      { sku: 'SKU-A', quantity: 2, price: 59.9, shippedQuantity: null, shortQuantity: null },
      { sku: 'SKU-B', quantity: 1, price: 128, shippedQuantity: null, shortQuantity: null },
    ]);
    expect(created).toMatchObject({ wayBills: [], shortShipped: false });

    const repeat = await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(orderBody('API-1'));
    expect(repeat.status).toBe(200);
    expect(repeat.body.createdAt).toBe(created.createdAt);

    const changed = await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(orderBody('API-1', { remark: '改了' }));
    expect(changed.status).toBe(409);
    expect(changed.body.type).toMatch(/conflict$/);
    expect(changed.body.reason).toBe('order-exists');
    expect(actions(await getOrder('API-1'))).toEqual(['created']);
  });

  it('refuses unknown master data and malformed bodies, changing nothing', async () => {
    const unknown = await request(stack.app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send(orderBody('API-2', { carrierCode: 'NOPE', lines: [{ sku: 'SKU-A', quantity: 1, price: 1 }, { sku: 'GHOST', quantity: 1, price: 1 }] }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      { field: 'carrierCode', message: 'carrier NOPE does not exist in master data' },
      { field: 'lines.1.sku', message: 'SKU GHOST does not exist in master data' },
    ]);
    const malformed = await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(orderBody('API-2', { lines: [{ sku: 'SKU-A', quantity: 0, price: 1 }], extra: 1 }));
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'lines.0.quantity']);
    await request(stack.app).get('/v1/sales-orders/API-2').set(auth('erp')).expect(404);
  });

  it('lists by status, warehouse and creation time; only erp creates', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    await createOrder('LIST-1', { warehouseCode: 'OWN' });
    const list = (query: string) => request(stack.app).get(`/v1/sales-orders?${query}`).set(auth('operator'));
    const byWarehouse = await list('warehouse=OWN&status=REVIEW');
    expect(byWarehouse.status).toBe(200);
    expect(byWarehouse.body.items.map((o: { orderNo: string }) => o.orderNo)).toEqual(['LIST-1']);
    expect(byWarehouse.body.items[0].consignee).toBeUndefined();
    expect((await list(`createdFrom=${encodeURIComponent(before)}`)).body.items.map((o: { orderNo: string }) => o.orderNo)).toContain('LIST-1');
    expect((await list(`createdBefore=${encodeURIComponent(before)}&warehouse=OWN`)).body.total).toBe(0);
    expect((await list('status=NOPE')).status).toBe(400);
    await request(stack.app).post('/v1/sales-orders').set(auth('operator')).send(orderBody('LIST-2')).expect(403);
  });

  it('refuses to approve an order whose warehouse is not at JD (422), leaving it in review', async () => {
    const res = await request(stack.app).post('/v1/sales-orders/LIST-1/approve').set(auth('erp'));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'warehouseCode', message: expect.stringContaining('OWN is not a JD (ECLP) warehouse') }]);
    expect(await getOrder('LIST-1')).toMatchObject({ status: 'REVIEW', pushRevision: 0 });
  });
});

// ---------------------------------------------------------------- the saga

describe('the push', () => {
  beforeEach(() => setTimeline(FAST));

  it('happy path: pushed, shipped, outbound booked, logged, and the ERP told once with a valid signature', async () => {
    await createOrder('HAPPY-1');
    const eventId = 'SO:HAPPY-1:1/sales_order.shipped';
    failOnce.add(eventId);
    const { workflowId } = await approve('HAPPY-1');
    const handle = stack.client.workflow.getHandle(workflowId);
    const result = await handle.result();
    expect(result).toMatchObject({ orderNo: 'HAPPY-1', revision: 1, status: 'SHIPPED', eclpSoNo: expect.stringMatching(/^ESL\d{13}$/) });

    const order = await getOrder('HAPPY-1');
    expect(order).toMatchObject({
      status: 'SHIPPED',
      statusLabel: '已发货',
      pushRevision: 1,
      workflowId,
      eclpSoNo: result.eclpSoNo,
      jdWarehouseNo: '110000001',
      jdShipperNo: 'CYS0000010',
      jdShipperName: '京东快递',
      failureReason: null,
    });
    const [atJd] = await jdOrdersFor('HAPPY-1-1');
    expect(order.wayBill).toBe(atJd?.wayBill);
    expect(order.shippedAt).toEqual(expect.any(String));
    expect(order.ledger.map((e: { sku: string; quantity: number; warehouseCode: string; docRevision: number }) => [e.sku, e.quantity, e.warehouseCode, e.docRevision])).toEqual([
      ['SKU-A', -2, 'BJ', 1],
      ['SKU-B', -1, 'BJ', 1],
    ]);
    expect(actions(order)).toEqual(['created', 'approved', 'pushed', 'shipped']);

    // The first delivery was answered 500: Temporal delivered again, with the same id and body; each
    // attempt is signed afresh (Standard Webhooks) and verifies with the standardwebhooks package.
    const ours = deliveries.filter((d) => d.headers['webhook-id'] === eventId);
    expect(ours.map((d) => d.answeredWith)).toEqual([500, 204]);
    for (const d of ours) {
      expect(new Webhook(WEBHOOK_SECRET).verify(d.rawBody, d.headers as Record<string, string>)).toMatchObject({ id: eventId, type: 'sales_order.shipped' });
    }
    expect(ours[1]?.rawBody).toBe(ours[0]?.rawBody);
    const event = JSON.parse(ours[1]!.rawBody);
    expect(event).toMatchObject({
      id: eventId,
      type: 'sales_order.shipped',
      data: { orderNo: 'HAPPY-1', shopOrderNo: 'TB-HAPPY-1', eclpSoNo: result.eclpSoNo, wayBill: order.wayBill, lines: [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 1 }] },
    });
    // Neither the ERP event nor Temporal's history carries the consignee.
    const history = await handle.fetchHistory();
    const historyJson = historyToJSON(history);
    for (const text of [ours[1]!.rawBody, historyJson]) {
      expect(text).not.toContain('王小明');
      expect(text).not.toContain('13800138000');
    }

    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(DocStatus)).toBe('SHIPPED');
    expect(described.typedSearchAttributes.get(ErpDocNo)).toBe('HAPPY-1');
    expect(described.typedSearchAttributes.get(EclpDocNo)).toBe(result.eclpSoNo);
    expect(described.typedSearchAttributes.get(WarehouseNo)).toBe('110000001');
    expect(await handle.query(salesOrderStatusQuery)).toMatchObject({ status: 'SHIPPED', wayBill: order.wayBill, pendingCancels: [] });

    saveReplayHistory(history, 'sales-order-happy-path.json');
  });

  it('a second approve answers 409 with the current status and starts nothing', async () => {
    await setTimeline(MANUAL);
    await createOrder('DUP-1');
    await approve('DUP-1');
    const again = await request(stack.app).post('/v1/sales-orders/DUP-1/approve').set(auth('erp'));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('not-in-review');
    expect(again.body.status).toBe(409);
    expect(['PUSHING', 'WMS_PICKING']).toContain(again.body.currentStatus);
    expect(again.body).toMatchObject({ pushRevision: 1, workflowId: 'SO:DUP-1:1', detail: expect.stringMatching(/^Sales order DUP-1 is (PUSHING \(推送中\)|WMS_PICKING \(WMS配货\)); only an order in review can be approved$/) });
    // The API starts a run before it answers; so once the 409 is here, a second run would already exist.
    await expect(stack.documents.salesOrders.handle('DUP-1', 2).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await getOrder('DUP-1')).pushRevision).toBe(1);
    await waitForStatus('DUP-1', 'WMS_PICKING');
    expect(await jdOrdersFor('DUP-1-1')).toHaveLength(1);
    // Leave nothing polling behind.
    expect((await cancelRequest('DUP-1', 'refund', 'test cleanup')).body.verdict).toBe('CANCELLED_AT_JD');
  });

  it('pre-flight failure: FAILED with a reason to act on, and JD never asked', async () => {
    await createOrder('PRE-1', { lines: [{ sku: 'SKU-NEW', quantity: 1, price: 10 }] });
    const pushesBefore = await jdCalls(ADD_ORDER);
    await approve('PRE-1');
    const order = await waitForStatus('PRE-1', 'FAILED');
    expect(order.statusLabel).toBe('失败');
    expect(order.failureReason).toBe('Pre-flight failed: SKU SKU-NEW is not at JD yet; sync it with POST /v1/goods/SKU-NEW/sync first');
    expect(actions(order)).toEqual(['created', 'approved', 'preflight_failed']);
    expect(await jdCalls(ADD_ORDER)).toBe(pushesBefore);

    // A refund of a failed order needs no JD call either.
    const refund = await cancelRequest('PRE-1', 'refund', '买家退款');
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED', statusLabel: '已取消' });
    expect(await stack.client.workflow.getHandle('SO:PRE-1:1').result()).toMatchObject({ status: 'CANCELLED' });
    saveReplayHistory(await stack.client.workflow.getHandle('SO:PRE-1:1').fetchHistory(), 'sales-order-preflight-failed-then-refund.json');
  });

  it('JD rejects → FAILED with JD\'s words → send-back → fixed master data → re-approve → SHIPPED under a new isvUUID', async () => {
    await createOrder('REJ-1', { warehouseCode: 'TYPO' });
    await approve('REJ-1');
    const failed = await waitForStatus('REJ-1', 'FAILED');
    expect(failed.failureReason).toBe('JD rejected the order: 库房编号110009999不存在或未开通');
    expect(failed.log.find((e: { action: string }) => e.action === 'push_rejected').detail).toMatchObject({ jdCode: '1000' });
    expect(await docStatusWhenSettled('SO:REJ-1:1', 'FAILED')).toBe('FAILED');

    const sentBack = await cancelRequest('REJ-1', 'send-back', '仓库编码配错，修正后重推');
    expect(sentBack.status).toBe(200);
    expect(sentBack.body).toMatchObject({ verdict: 'BACK_TO_REVIEW', status: 'REVIEW', statusLabel: '待审核', jdMessage: null });
    expect(await getOrder('REJ-1')).toMatchObject({ status: 'REVIEW', pushRevision: 1, failureReason: null });

    await request(stack.app).put('/v1/warehouses/TYPO').set(auth('erp')).send({ name: '错配仓', jdWarehouseNo: '110000001', eclpConnected: true }).expect(200);
    const { workflowId } = await approve('REJ-1', 2);
    expect(await stack.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'SHIPPED', revision: 2 });
    expect(await jdOrdersFor('REJ-1-1')).toHaveLength(0);
    expect(await jdOrdersFor('REJ-1-2')).toHaveLength(1);
    const shipped = await getOrder('REJ-1');
    expect(shipped.ledger.map((e: { docRevision: number }) => e.docRevision)).toEqual([2, 2]);
    expect(actions(shipped)).toEqual(['created', 'approved', 'push_rejected', 'send_back', 'approved', 'pushed', 'shipped']);
  });

  it('addOrder times out after JD stored the order: found by isvUUID, exactly one JD order, and it ships', async () => {
    await createOrder('TAC-1');
    await sim.injectFault({ kind: 'timeoutAfterCommit', method: ADD_ORDER, next: 1, latencyMs: 4_000 });
    const [pushesBefore, lookupsBefore] = [await jdCalls(ADD_ORDER), await jdCalls(LOOKUP)];
    const { workflowId } = await approve('TAC-1');
    const result = await stack.client.workflow.getHandle(workflowId).result();
    expect(result.status).toBe('SHIPPED');
    const atJd = await jdOrdersFor('TAC-1-1');
    expect(atJd.map((o) => o.eclpSoNo)).toEqual([result.eclpSoNo]);
    expect(await jdCalls(ADD_ORDER)).toBe(pushesBefore + 1);
    expect(await jdCalls(LOOKUP)).toBeGreaterThan(lookupsBefore);
    const pushed = (await getOrder('TAC-1')).log.find((e: { action: string }) => e.action === 'pushed');
    expect(pushed.detail).toMatchObject({ eclpSoNo: result.eclpSoNo, recoveredAfterAmbiguousFailure: true });
  });

  it('a workflow started without the API claims the order itself, and a wait past the cap is logged, not given up', async () => {
    await setTimeline(MANUAL);
    await createOrder('OVD-1');
    // As if the API process died right after starting the workflow: nobody claimed the order yet.
    const handle = await stack.client.workflow.start('salesOrder', {
      workflowId: 'SO:OVD-1:1',
      taskQueue: stack.queues.erp,
      args: [{ orderNo: 'OVD-1', revision: 1, polling: { intervalMs: 200, maxWaitMs: 1_000 } }],
    });
    const picking = await waitForStatus('OVD-1', 'WMS_PICKING');
    expect(picking).toMatchObject({ pushRevision: 1, workflowId: 'SO:OVD-1:1' });
    const deadline = Date.now() + 15_000;
    while (!actions(await getOrder('OVD-1')).includes('jd_overdue') && Date.now() < deadline) await sleep(200);
    expect((await getOrder('OVD-1')).status).toBe('WMS_PICKING');

    await moveAtJd(picking.eclpSoNo, 'pick');
    await moveAtJd(picking.eclpSoNo, 'pack');
    await moveAtJd(picking.eclpSoNo, 'ship');
    expect(await handle.result()).toMatchObject({ status: 'SHIPPED' });
    const logged = actions(await getOrder('OVD-1'));
    expect(logged.slice(0, 3)).toEqual(['created', 'approved', 'pushed']);
    expect(logged).toContain('jd_overdue');
    expect(logged.at(-1)).toBe('shipped');
  });

  it('the warehouse cancels on its own → FAILED with that reason; send-back needs no JD call', async () => {
    await setTimeline(MANUAL);
    await createOrder('WHC-1');
    await approve('WHC-1');
    const picking = await waitForStatus('WHC-1', 'WMS_PICKING');
    await moveAtJd(picking.eclpSoNo, 'cancel', { reason: '缺货' });
    const failed = await waitForStatus('WHC-1', 'FAILED');
    expect(failed.failureReason).toMatch(/^JD cancelled the order by warehouse at .* \(取消成功\)$/);
    const cancelsBefore = await jdCalls('jingdong.eclp.order.cancelOrder');
    expect((await cancelRequest('WHC-1', 'send-back', '缺货，改仓')).body).toMatchObject({ verdict: 'BACK_TO_REVIEW', status: 'REVIEW' });
    expect(await jdCalls('jingdong.eclp.order.cancelOrder')).toBe(cancelsBefore);
  });
});

// ---------------------------------------------------------------- cancel messages

describe('send-back and refunds', () => {
  beforeEach(() => setTimeline(MANUAL));

  async function pickingOrder(orderNo: string) {
    await createOrder(orderNo);
    await approve(orderNo);
    return waitForStatus(orderNo, 'WMS_PICKING');
  }

  it('send-back during PUSHING is held until JD answers, then cancelled at JD and back to review', async () => {
    await createOrder('SB-PUSH');
    await sim.injectFault({ kind: 'latency', method: ADD_ORDER, next: 1, latencyMs: 1_500 });
    await approve('SB-PUSH');
    expect((await getOrder('SB-PUSH')).status).toBe('PUSHING');
    const res = await cancelRequest('SB-PUSH', 'send-back', '客户改地址');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'REVIEW', kind: 'sendBack', requestId: expect.any(String) });
    const order = await getOrder('SB-PUSH');
    expect(order).toMatchObject({ status: 'REVIEW', eclpSoNo: null });
    expect(order.cancelRequests).toEqual([
      expect.objectContaining({ requestId: res.body.requestId, statusAtRequest: 'PUSHING', verdict: 'CANCELLED_AT_JD', actorRole: 'operator', source: 'api', reason: '客户改地址' }),
    ]);
    expect(actions(order)).toEqual(['created', 'approved', 'pushed', 'send_back']);
    expect((await jdOrdersFor('SB-PUSH-1')).map((o) => o.currentStatus)).toEqual(['10028']);
    saveReplayHistory(await stack.client.workflow.getHandle('SO:SB-PUSH:1').fetchHistory(), 'sales-order-send-back-during-push.json');
  });

  it('send-back in WMS_PICKING before picking: JD cancels, the order is back in review', async () => {
    const picking = await pickingOrder('SB-PICK');
    const res = await cancelRequest('SB-PICK', 'send-back', '打回审核');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'REVIEW', jdMessage: '取消成功' });
    expect((await jdOrder(picking.eclpSoNo)).currentStatus).toBe('10028');
    expect(await stack.client.workflow.getHandle('SO:SB-PICK:1').result()).toMatchObject({ status: 'REVIEW' });
  });

  it('send-back after picking: JD refuses, the order stays in WMS配货, ships, and a refund is then too late', async () => {
    const picking = await pickingOrder('SB-LATE');
    await moveAtJd(picking.eclpSoNo, 'pick');
    const res = await cancelRequest('SB-LATE', 'send-back', '客户改主意');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'REFUSED_BY_JD', status: 'WMS_PICKING', jdMessage: expect.stringContaining('不允许取消') });
    expect(res.body.message).toContain('will ship');
    const handle = stack.client.workflow.getHandle('SO:SB-LATE:1');
    expect(await docStatusWhenSettled('SO:SB-LATE:1', CANCEL_REFUSED_DOC_STATUS)).toBe(CANCEL_REFUSED_DOC_STATUS);
    expect(await handle.query(salesOrderStatusQuery)).toMatchObject({ status: 'WMS_PICKING', lastCancelRefusal: { kind: 'sendBack', jdMessage: res.body.jdMessage } });
    const refused = await request(stack.app).get('/v1/sales-orders?cancelVerdict=REFUSED_BY_JD').set(auth('operator'));
    expect(refused.body.items.map((o: { orderNo: string }) => o.orderNo)).toContain('SB-LATE');

    await moveAtJd(picking.eclpSoNo, 'pack');
    await moveAtJd(picking.eclpSoNo, 'ship', { wayBill: 'JDVTEST0001' });
    expect(await handle.result()).toMatchObject({ status: 'SHIPPED', wayBill: 'JDVTEST0001' });
    // The patched branch (recordSalesOrderCancelDecision) as a replay fixture; v0 histories hold the old name.
    saveReplayHistory(await handle.fetchHistory(), 'sales-order-cancel-refused-then-shipped.json');

    const refund = await cancelRequest('SB-LATE', 'refund', '买家退款');
    expect(refund.status).toBe(409);
    expect(refund.body.detail).toBe('already shipped (waybill JDVTEST0001): create a return');
    expect(refund.body).toMatchObject({ status: 409, reason: 'already-shipped', currentStatus: 'SHIPPED', wayBill: 'JDVTEST0001' });
    expect((await getOrder('SB-LATE')).cancelRequests.map((r: { kind: string }) => r.kind)).toEqual(['sendBack']);
  });

  it('refund before shipment cancels at JD and in the ERP; afterwards nothing more can be cancelled', async () => {
    const picking = await pickingOrder('RF-1');
    const res = await cancelRequest('RF-1', 'refund', '买家申请退款');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'CANCELLED', statusLabel: '已取消' });
    expect((await jdOrder(picking.eclpSoNo)).currentStatus).toBe('10028');
    expect((await getOrder('RF-1')).ledger).toEqual([]);
    const again = await cancelRequest('RF-1', 'send-back', '再打回');
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('already-cancelled');
  });

  it('refund of an order never approved cancels it in the ERP alone; a send-back there is refused', async () => {
    await createOrder('RF-REVIEW');
    expect((await cancelRequest('RF-REVIEW', 'send-back', 'x')).status).toBe(409);
    const res = await cancelRequest('RF-REVIEW', 'refund', '买家退款');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED' });
    expect(await getOrder('RF-REVIEW')).toMatchObject({ status: 'CANCELLED', workflowId: null });
  });

  it('a send-back sent while every worker is down is answered 202 and carried out after the restart', async () => {
    const picking = await pickingOrder('SB-DOWN');
    await stack.stopWorkers();
    let requestId = '';
    try {
      const res = await cancelRequest('SB-DOWN', 'send-back', '停机时打回');
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ verdict: null, orderUrl: '/v1/sales-orders/SB-DOWN' });
      expect(res.headers.location).toBe('/v1/sales-orders/SB-DOWN');
      requestId = res.body.requestId;
      expect((await getOrder('SB-DOWN')).cancelRequests).toEqual([expect.objectContaining({ requestId, verdict: null, source: 'api' })]);
    } finally {
      await stack.startWorkers();
    }
    const order = await waitForStatus('SB-DOWN', 'REVIEW');
    expect(order.cancelRequests).toEqual([expect.objectContaining({ requestId, verdict: 'CANCELLED_AT_JD', statusAtRequest: 'WMS_PICKING' })]);
    expect((await jdOrder(picking.eclpSoNo)).currentStatus).toBe('10028');
  });

  it('signals typed into the Temporal UI: a malformed one is ignored, a valid one is recorded like an API request', async () => {
    await pickingOrder('SB-UI');
    const handle = stack.client.workflow.getHandle('SO:SB-UI:1');
    await handle.signal('sendBack', { why: 'no reason field' });
    await handle.signal('sendBack', '打回');
    const state = await handle.query(salesOrderStatusQuery);
    expect(state).toMatchObject({ status: 'WMS_PICKING', ignoredSignals: 2, pendingCancels: [] });

    await handle.signal('sendBack', { reason: '客服在Temporal里打回', actor: { role: 'operator' } });
    expect(await handle.result()).toMatchObject({ status: 'REVIEW' });
    const order = await getOrder('SB-UI');
    expect(order.cancelRequests).toEqual([
      expect.objectContaining({ requestId: 'SO:SB-UI:1#signal-3', source: 'temporal', actorRole: 'operator', verdict: 'CANCELLED_AT_JD', reason: '客服在Temporal里打回' }),
    ]);
  });

  it('a repeated request id is answered from the record without a second signal', async () => {
    await pickingOrder('SB-REPEAT');
    const requestId = '6c1f4a8e-2b7d-4e59-9a10-3f2c8d7b6e51';
    const first = await request(stack.app).post('/v1/sales-orders/SB-REPEAT/send-back').set(auth('operator')).send({ reason: '重复', requestId });
    expect(first.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', requestId });
    const cancelsBefore = await jdCalls('jingdong.eclp.order.cancelOrder');
    const second = await request(stack.app).post('/v1/sales-orders/SB-REPEAT/send-back').set(auth('operator')).send({ reason: '重复', requestId });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', requestId });
    expect(await jdCalls('jingdong.eclp.order.cancelOrder')).toBe(cancelsBefore);
    const misuse = await request(stack.app).post('/v1/sales-orders/SB-REPEAT/refund').set(auth('operator')).send({ reason: '重复', requestId });
    expect(misuse.status).toBe(409);
    expect(misuse.body.reason).toBe('request-id-reused');
  });

  it('only operators send back or refund', async () => {
    await request(stack.app).post('/v1/sales-orders/API-1/send-back').set(auth('erp')).send({ reason: 'x' }).expect(403);
    await request(stack.app).post('/v1/sales-orders/API-1/refund').send({ reason: 'x' }).expect(401);
  });
});
