// Documents moving over time: the sales-order status flow by timeline and by hand, the cancel rule,
// automatic PO and return receipts, re-timing on a timeline change, and timers stopped by reset/close.
import { callJd } from '../../simulator/jd-call';
import { startSimulator } from '../../simulator/server';
import { MANUAL_TIMELINE, type TimelinePatch } from '../../simulator/timeline';
import { eventually, jdResult, simulatorForFile } from '../support';

type Row = Record<string, unknown>;

const simulator = simulatorForFile();
let sequence = 0;
const unique = (prefix: string) => `${prefix}${(sequence += 1)}`;

const jd = (method: string, business: Row): Promise<Row> => jdResult(simulator.sim.gatewayUrl, method, business);
const { control, nothingScheduled } = simulator;

async function setTimeline(patch: TimelinePatch): Promise<void> {
  expect((await control('PUT', '/_sim/timeline', patch)).status).toBe(200);
}

let goodsNo: string;

async function createOrder(quantity = 2): Promise<string> {
  const { eclpSoNo } = await jd('jingdong.eclp.order.addOrder', {
    isvUUID: unique('SO-'),
    isvSource: 'ISV0000000000001',
    shopNo: 'ESP0000000000001',
    departmentNo: 'EBU0000000000001',
    salePlatformSource: '6',
    consigneeName: '李四',
    consigneePhone: '021-88888888',
    consigneeAddress: '上海市浦东新区世纪大道1号',
    orderMark: '0'.repeat(50),
    warehouseNo: '110000001',
    goodsNo,
    quantity: String(quantity),
  });
  return eclpSoNo as string;
}

async function detail(eclpSoNo: string): Promise<{ currentStatus: string; codes: string[]; wayBill: string }> {
  const result = (await jd('jingdong.eclp.order.queryOrder', { eclpSoNo })).queryorder_result as Row;
  return {
    currentStatus: result.currentStatus as string,
    codes: (result.orderStatusList as Row[]).map((entry) => entry.soStatusCode as string),
    wayBill: result.wayBill as string,
  };
}

const cancel = async (eclpSoNo: string) => (await jd('jingdong.eclp.order.cancelOrder', { eclpSoNo })).cancelorder_result as Row;

async function createPo(quantity: number): Promise<string> {
  const { poOrderNo } = await jd('jingdong.eclp.po.addPoOrder', {
    spPoOrderNo: unique('PO-'),
    deptNo: 'EBU0000000000001',
    whNo: '110000001',
    supplierNo: 'EMS0000000000001',
    deptGoodsNo: goodsNo,
    numApplication: quantity,
    goodsStatus: 1,
  });
  return poOrderNo as string;
}

beforeEach(async () => {
  const goods = await jd('jingdong.eclp.goods.transportGoodsInfo', {
    deptNo: 'EBU0000000000001',
    isvGoodsNo: unique('SKU-'),
    barcodes: unique('690'),
    thirdCategoryNo: '4159',
    goodsName: '流程测试商品',
    safeDays: 0,
  });
  goodsNo = goods.goodsNo as string;
});

describe('sales order by timeline', () => {
  it('runs 10010 → 10016 → 10017 → 10018 → 10019 (waybill) → 10034 on its own and ships from stock', async () => {
    await setTimeline({ salesOrder: { pickAfterMs: 50, packAfterMs: 100, shipAfterMs: 150, deliverAfterMs: 200 } });
    const eclpSoNo = await createOrder(3);
    expect((await detail(eclpSoNo)).currentStatus).toBe('10010');
    const done = await eventually(() => detail(eclpSoNo), (d) => d.currentStatus === '10034');
    expect(done.codes).toEqual(['10010', '10016', '10017', '10018', '10019', '10034']);
    expect(done.wayBill).toMatch(/^JDV\d{12}$/);
    expect(simulator.sim.state.stock.quantity('110000001', goodsNo)).toBe(-3);
    expect(simulator.sim.operations.pendingStages).toBe(0);
  });

  it('stops at the first manual stage and follows on once it is done by hand', async () => {
    await setTimeline({ salesOrder: { pickAfterMs: null, packAfterMs: 30, shipAfterMs: 60, deliverAfterMs: null } });
    const eclpSoNo = await createOrder();
    await nothingScheduled();
    expect((await detail(eclpSoNo)).currentStatus).toBe('10010');
    expect((await control('POST', `/_sim/sales-orders/${eclpSoNo}/pick`)).status).toBe(200);
    // Pack and ship were due long ago, so they follow at once, in order.
    const shipped = await eventually(() => detail(eclpSoNo), (d) => d.currentStatus === '10019');
    expect(shipped.codes).toEqual(['10010', '10016', '10017', '10018', '10019']);
    await nothingScheduled();
    expect((await detail(eclpSoNo)).currentStatus).toBe('10019');
  });

  it('re-times open documents when the timeline changes', async () => {
    const eclpSoNo = await createOrder();
    // The manual startup timeline schedules nothing, so the order can only move once it is re-timed.
    await nothingScheduled();
    expect((await detail(eclpSoNo)).currentStatus).toBe('10010');
    await setTimeline({ salesOrder: { pickAfterMs: 0 } });
    await expect(eventually(() => detail(eclpSoNo), (d) => d.currentStatus === '10017')).resolves.toMatchObject({ currentStatus: '10017' });
  });

  it('does not move a cancelled order any further', async () => {
    await setTimeline({ salesOrder: { pickAfterMs: 80, packAfterMs: 80, shipAfterMs: 80 } });
    const eclpSoNo = await createOrder();
    await expect(cancel(eclpSoNo)).resolves.toMatchObject({ code: 1 });
    await nothingScheduled();
    expect((await detail(eclpSoNo)).codes).toEqual(['10010', '10028']);
  });
});

describe('sales order by hand', () => {
  it('moves through every stage via /_sim/ and refuses moves out of order with 409', async () => {
    const eclpSoNo = await createOrder();
    const base = `/_sim/sales-orders/${eclpSoNo}`;
    expect((await control('POST', `${base}/pack`)).status).toBe(409);
    expect((await control('POST', `${base}/ship`, {})).status).toBe(409);
    expect((await control('POST', `${base}/pick`)).body).toMatchObject({ currentStatus: '10017' });
    expect((await control('POST', `${base}/pick`)).status).toBe(409);
    expect((await control('POST', `${base}/pack`)).body).toMatchObject({ currentStatus: '10018' });
    expect((await control('POST', `${base}/deliver`)).status).toBe(409);
    expect((await control('POST', `${base}/ship`, { wayBill: 'JDV000000000042' })).body).toMatchObject({ currentStatus: '10019', wayBill: 'JDV000000000042' });
    expect((await control('POST', `${base}/deliver`)).body).toMatchObject({ currentStatus: '10034' });
    const d = await detail(eclpSoNo);
    expect(d).toEqual({ currentStatus: '10034', codes: ['10010', '10016', '10017', '10018', '10019', '10034'], wayBill: 'JDV000000000042' });
    expect((await control('POST', '/_sim/sales-orders/ESL0000000000000/pick')).status).toBe(404);
  });

  it('cancel is accepted before picking (10028, repeatable) and refused after it with the history unchanged', async () => {
    const early = await createOrder();
    await expect(cancel(early)).resolves.toEqual({ code: 1, msg: '取消成功' });
    await expect(cancel(early)).resolves.toEqual({ code: 1, msg: '取消成功' });
    expect((await detail(early)).codes).toEqual(['10010', '10028']);
    expect((await control('POST', `/_sim/sales-orders/${early}/pick`)).status).toBe(409);

    const late = await createOrder();
    await control('POST', `/_sim/sales-orders/${late}/pick`);
    const before = await detail(late);
    const refusal = await cancel(late);
    expect(refusal).toMatchObject({ code: 2, msg: expect.stringMatching(/不允许取消/) });
    expect(await detail(late)).toEqual(before);
  });

  it('a cancel by the warehouse appends 10028 with its reason, but not once shipped', async () => {
    const picked = await createOrder();
    await control('POST', `/_sim/sales-orders/${picked}/pick`);
    const cancelled = await control('POST', `/_sim/sales-orders/${picked}/cancel`, { reason: '缺货' });
    expect(cancelled.body).toMatchObject({ currentStatus: '10028', cancelReason: '缺货' });
    expect((await control('POST', `/_sim/sales-orders/${picked}/cancel`, {})).status).toBe(409);

    const shipped = await createOrder();
    for (const step of ['pick', 'pack', 'ship']) await control('POST', `/_sim/sales-orders/${shipped}/${step}`, {});
    expect((await control('POST', `/_sim/sales-orders/${shipped}/cancel`, {})).status).toBe(409);
    expect((await detail(shipped)).currentStatus).toBe('10019');
  });
});

describe('purchase orders and returns by timeline', () => {
  it('receives a PO completely after receiveAfterMs: 70, stock up', async () => {
    await setTimeline({ purchaseOrder: { receiveAfterMs: 60 } });
    const poOrderNo = await createPo(8);
    const readPo = async () => ((await jd('jingdong.eclp.po.queryPoOrder', { poOrderNo })).queryPoModelList as Row[])[0] as Row;
    expect((await readPo()).poOrderStatus).toBe('20');
    const po = await eventually(readPo, (p) => p.poOrderStatus === '70');
    expect(po.poItemModelList).toEqual([expect.objectContaining({ realInstoreQty: '8', shortQty: '0' })]);
    expect(simulator.sim.state.stock.quantity('110000001', goodsNo)).toBe(8);
  });

  it('completes the rest of a partly received PO when its time comes', async () => {
    const poOrderNo = await createPo(8);
    await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 5 }], complete: false });
    await setTimeline({ purchaseOrder: { receiveAfterMs: 0 } });
    await eventually(async () => simulator.sim.state.purchaseOrders.find(poOrderNo)?.status, (status) => status === '70');
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)?.lines[0]).toMatchObject({ realInstoreQty: 8, shortQty: 0 });
    expect(simulator.sim.state.stock.quantity('110000001', goodsNo)).toBe(8);
  });

  it('does not receive a cancelled PO', async () => {
    await setTimeline({ purchaseOrder: { receiveAfterMs: 60 } });
    const poOrderNo = await createPo(2);
    await jd('jingdong.eclp.po.cancalPoOrder', { poOrderNo });
    await nothingScheduled();
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)?.status).toBe('91');
    expect(simulator.sim.state.stock.quantity('110000001', goodsNo)).toBe(0);
  });

  it('receives a return after receiveAfterMs: 200 with the original quantities', async () => {
    await setTimeline({ returnOrder: { receiveAfterMs: 60 } });
    const eclpSoNo = await createOrder(2);
    for (const step of ['pick', 'pack', 'ship']) await control('POST', `/_sim/sales-orders/${eclpSoNo}/${step}`, {});
    const { transportrtw_result } = await jd('jingdong.eclp.rtw.transportRtw', { eclpSoNo, isvRtwNum: unique('RT-') });
    const { eclpRtwNo } = transportrtw_result as Row;
    const readRtw = async () => ((await jd('jingdong.eclp.rtw.queryRtw', { eclpRtwNo })).queryrtw_result as Row[])[0] as Row;
    expect((await readRtw()).status).toBe('100');
    const received = await eventually(readRtw, (r) => r.status === '200');
    expect(received.rtwDetailsModelList).toEqual([expect.objectContaining({ planQty: 2, realQty: 2 })]);
    expect(simulator.sim.state.stock.quantity('110000001', goodsNo)).toBe(0);
  });
});

describe('timers', () => {
  it('reset stops every pending stage and forgets every document', async () => {
    await setTimeline({ salesOrder: { pickAfterMs: 100 }, purchaseOrder: { receiveAfterMs: 100 } });
    await createOrder();
    await createPo(1);
    expect(simulator.sim.operations.pendingStages).toBe(2);
    await control('POST', '/_sim/reset');
    expect(simulator.sim.operations.pendingStages).toBe(0);
    expect(simulator.sim.state.salesOrders.list()).toEqual([]);
    expect(simulator.sim.state.timeline).toEqual(MANUAL_TIMELINE);
  });

  it('close() stops timers of a simulator with pending stages and resolves', async () => {
    const other = await startSimulator({ port: 0 });
    await callJd(other.gatewayUrl, 'jingdong.eclp.goods.transportGoodsInfo', {
      deptNo: 'EBU0000000000001', isvGoodsNo: 'SKU-CLOSE', barcodes: '6999', thirdCategoryNo: '4159', goodsName: 'x', safeDays: 0,
    });
    const goods = other.state.goods.list()[0];
    await callJd(other.gatewayUrl, 'jingdong.eclp.po.addPoOrder', {
      spPoOrderNo: 'PO-CLOSE', deptNo: 'EBU0000000000001', whNo: '110000001', supplierNo: 'EMS0000000000001', deptGoodsNo: goods?.goodsNo, numApplication: 1, goodsStatus: 1,
    });
    // The demo timeline is the default: the PO would be received 10 s from now.
    expect(other.state.timeline.purchaseOrder.receiveAfterMs).toBe(10_000);
    expect(other.operations.pendingStages).toBe(1);
    await other.close();
    expect(other.operations.pendingStages).toBe(0);
    await expect(fetch(other.gatewayUrl, { method: 'POST' })).rejects.toThrow();
  });
});
