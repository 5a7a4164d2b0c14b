// Sales orders against what JD may really answer (issue 9 §5), end to end: API → Temporal → worker →
// simulator over HTTP → Postgres. A repeated isvUUID refused as "already exists" while JD's lookup lags,
// "may have committed" busy codes, and short, multi-parcel shipments.
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { shippedQuantities } from '../activities/erp/sales-orders';
import type { Timeline } from '../simulator/timeline';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, eventually, seedSalesOrderMasterData, SimControl } from './support';

const FAST: Timeline['salesOrder'] = { pickAfterMs: 300, packAfterMs: 600, shipAfterMs: 1_000, deliverAfterMs: null };
const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };
const ADD_ORDER = 'jingdong.eclp.order.addOrder';
const LOOKUP = 'jingdong.eclp.order.ext.queryOrder';

let stack: TestStack;
let sim: SimControl;

beforeAll(async () => {
  stack = await startTestStack({ timeline: { salesOrder: FAST } });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, { goods: [['SKU-A', '6950000002001'], ['SKU-B', '6950000002002']], synced: ['SKU-A', 'SKU-B'] });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  await sim.control('POST', 'behaviour', { duplicateIsvUuid: 'return-existing', lookupLagMs: 0 });
  await sim.clearFaults();
  await sim.setTimeline({ salesOrder: FAST });
});

async function createAndApprove(orderNo: string): Promise<string> {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(auth('erp'))
    .send({
      orderNo,
      shopOrderNo: `TB-${orderNo}`,
      warehouseCode: 'BJ',
      carrierCode: 'JDEX',
      consignee: { name: '李雷', mobile: '13800138001', province: '北京', city: '北京市', county: '朝阳区', address: '建国路99号' },
      lines: [
        { sku: 'SKU-A', quantity: 2, price: 10 },
        { sku: 'SKU-B', quantity: 1, price: 20 },
      ],
    })
    .expect(201);
  const res = await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp')).expect(202);
  return (res.body as { workflowId: string }).workflowId;
}

async function getOrder(orderNo: string) {
  const res = await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator')).expect(200);
  return res.body;
}

type SimOrder = { eclpSoNo: string; isvUUID: string };
const jdOrdersFor = (isvUUID: string) => sim.control<SimOrder[]>('GET', `sales-orders?isvUUID=${encodeURIComponent(isvUUID)}`);
const jdCalls = async (method: string) => (await sim.stats()).byMethod[method] ?? 0;
const actions = (order: { log: Array<{ action: string }> }) => order.log.map((e) => e.action);

describe('the push when JD refuses a repeated isvUUID', () => {
  it('reject + lookup lag + timeoutAfterCommit: never FAILED, exactly one JD order, and it ships', async () => {
    await sim.control('POST', 'behaviour', { duplicateIsvUuid: 'reject', lookupLagMs: 6_000 });
    await sim.injectFault({ kind: 'timeoutAfterCommit', method: ADD_ORDER, next: 1, latencyMs: 4_000 });
    const pushesBefore = await jdCalls(ADD_ORDER);

    const workflowId = await createAndApprove('DUPREJ-1');
    const result = await stack.client.workflow.getHandle(workflowId).result();
    expect(result.status).toBe('SHIPPED');

    // The second addOrder met JD's "already exists" while the lookup still hid the order.
    expect(await jdCalls(ADD_ORDER)).toBe(pushesBefore + 2);
    expect((await jdOrdersFor('DUPREJ-1-1')).map((o) => o.eclpSoNo)).toEqual([result.eclpSoNo]);
    const order = await getOrder('DUPREJ-1');
    expect(actions(order)).toEqual(['created', 'approved', 'pushed', 'shipped']);
    expect(order.log.find((e: { action: string }) => e.action === 'pushed').detail).toMatchObject({ eclpSoNo: result.eclpSoNo, recoveredAfterAmbiguousFailure: true });
  }, 60_000);

  it.each(['43', '65', '67'])('JD executes addOrder but answers %s: recovered by lookup, one JD order, one addOrder', async (code) => {
    await sim.control('POST', 'behaviour', { duplicateIsvUuid: 'reject' });
    await sim.injectFault({ kind: 'busyAfterCommit', method: ADD_ORDER, next: 1, code });
    const [pushesBefore, lookupsBefore] = [await jdCalls(ADD_ORDER), await jdCalls(LOOKUP)];

    const orderNo = `MHC-${code}`;
    const result = await stack.client.workflow.getHandle(await createAndApprove(orderNo)).result();
    expect(result.status).toBe('SHIPPED');
    expect(await jdCalls(ADD_ORDER)).toBe(pushesBefore + 1);
    expect(await jdCalls(LOOKUP)).toBeGreaterThan(lookupsBefore);
    expect((await jdOrdersFor(`${orderNo}-1`)).map((o) => o.eclpSoNo)).toEqual([result.eclpSoNo]);
    expect(actions(await getOrder(orderNo))).not.toContain('push_rejected');
  }, 60_000);
});

describe('a short, multi-parcel shipment', () => {
  it('books what JD shipped, records the shortfall per line, keeps every waybill, and lists the order for the operator', async () => {
    await sim.setTimeline({ salesOrder: MANUAL });
    const workflowId = await createAndApprove('SHORT-1');
    const pushed = await eventually(() => getOrder('SHORT-1'), (o) => o.status === 'WMS_PICKING');
    const eclpSoNo = pushed.eclpSoNo as string;
    await sim.moveSalesOrder(eclpSoNo, 'pick');
    await sim.moveSalesOrder(eclpSoNo, 'pack');
    await sim.moveSalesOrder(eclpSoNo, 'ship', { wayBill: 'JDVP0001,JDVP0002', lines: [{ isvGoodsNo: 'SKU-A', realOutQty: 1 }] });
    await stack.client.workflow.getHandle(workflowId).result();

    const order = await getOrder('SHORT-1');
    expect(order).toMatchObject({ status: 'SHIPPED', wayBill: 'JDVP0001', wayBills: ['JDVP0001', 'JDVP0002'], shortShipped: true });
    expect(order.lines).toEqual([
      { sku: 'SKU-A', quantity: 2, price: 10, shippedQuantity: 1, shortQuantity: 1 },
      { sku: 'SKU-B', quantity: 1, price: 20, shippedQuantity: 1, shortQuantity: 0 },
    ]);
    expect(order.ledger.map((e: { sku: string; quantity: number }) => [e.sku, e.quantity])).toEqual([
      ['SKU-A', -1],
      ['SKU-B', -1],
    ]);
    const shippedLog = order.log.find((e: { action: string }) => e.action === 'shipped');
    expect(shippedLog.detail).toMatchObject({ wayBills: ['JDVP0001', 'JDVP0002'], shortfall: [{ sku: 'SKU-A', ordered: 2, shipped: 1, short: 1 }] });

    // The sales_order.shipped data (recordSalesOrderShipped's result, handed to deliverWebhook).
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordSalesOrderShipped')!;
    const completed = history.events!.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId))!;
    const data = defaultPayloadConverter.fromPayload(completed.activityTaskCompletedEventAttributes!.result!.payloads![0]!);
    expect(data).toMatchObject({
      wayBill: 'JDVP0001',
      wayBills: ['JDVP0001', 'JDVP0002'],
      shortShipped: true,
      lines: [
        { sku: 'SKU-A', quantity: 1, orderedQuantity: 2, shortQuantity: 1 },
        { sku: 'SKU-B', quantity: 1, orderedQuantity: 1, shortQuantity: 0 },
      ],
    });
  }, 60_000);

  it('a full shipment is not short; the list filters by shortShipped and refuses a bad value naming the field', async () => {
    const workflowId = await createAndApprove('FULL-1');
    await stack.client.workflow.getHandle(workflowId).result();
    const full = await getOrder('FULL-1');
    expect(full).toMatchObject({ shortShipped: false, wayBills: [full.wayBill] });
    expect(full.lines.map((l: { shortQuantity: number }) => l.shortQuantity)).toEqual([0, 0]);

    const list = async (query: string) => (await request(stack.app).get(`/v1/sales-orders?${query}`).set(auth('operator')).expect(200)).body.items.map((o: { orderNo: string }) => o.orderNo);
    const short = await list('shortShipped=true&limit=100');
    expect(short).toContain('SHORT-1');
    expect(short).not.toContain('FULL-1');
    const notShort = await list('shortShipped=false&limit=100');
    expect(notShort).toContain('FULL-1');
    expect(notShort).not.toContain('SHORT-1');

    const bad = await request(stack.app).get('/v1/sales-orders?shortShipped=yes').set(auth('operator'));
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('query.shortShipped');
  }, 60_000);
});

describe('shippedQuantities', () => {
  it('sums a SKU JD split over several lines (batches), books 0 for a line JD shipped none of', () => {
    const lines = [
      { sku: 'A', quantity: 5 },
      { sku: 'B', quantity: 2 },
    ];
    const jdGoods = new Map([['A', 'EMG1'], ['B', 'EMG2']]);
    expect(
      shippedQuantities(lines, jdGoods, [
        { goodsNo: 'EMG1', quantity: 3, shippedQty: 3 },
        { isvGoodsNo: 'A', quantity: 2, shippedQty: 1 },
        { goodsNo: 'EMG2', quantity: 2, shippedQty: 0 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 0 },
    ]);
  });
});
