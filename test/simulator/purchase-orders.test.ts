// The simulated JD's purchase-order statuses (eclp-api.md §4.2: 10/20/70/90/91/92) over real HTTP with raw
// signed calls: status 10 before 20 by timeline, receipts in batches and short by timeline (no /_sim/
// moves), the warehouse's own cancel (90 → 91 | 92), and the merchant's cancalPoOrder around them.
import { parseSavedState, serializeState } from '../../simulator/saved-state';
import type { TimelinePatch } from '../../simulator/timeline';
import { eventually, simulatorForFile } from '../support';

type Row = Record<string, unknown>;

const M = {
  goods: 'jingdong.eclp.goods.transportGoodsInfo',
  addPo: 'jingdong.eclp.po.addPoOrder',
  cancelPo: 'jingdong.eclp.po.cancalPoOrder',
  queryPo: 'jingdong.eclp.po.queryPoOrder',
  closePo: 'jingdong.eclp.po.closePo',
} as const;
const BJ = '110000001';

const simulator = simulatorForFile();
const { jd, jdError, control, move, nothingScheduled } = simulator;
let sequence = 0;
const unique = (prefix: string) => `${prefix}${(sequence += 1)}`;
const han = expect.stringMatching(/\p{Script=Han}/u);

async function setTimeline(patch: TimelinePatch['purchaseOrder']): Promise<void> {
  expect((await control('PUT', '/_sim/timeline', { purchaseOrder: patch })).status).toBe(200);
}

async function createGoods(): Promise<string> {
  const isvGoodsNo = unique('SKU-PO-');
  const { goodsNo } = await jd(M.goods, { deptNo: 'EBU0000000000001', isvGoodsNo, barcodes: `69${Date.now()}${sequence}`, thirdCategoryNo: '4159', goodsName: `商品${isvGoodsNo}`, safeDays: 0 });
  return goodsNo as string;
}

async function createPo(lines: Array<{ goodsNo: string; quantity: number }>): Promise<string> {
  const { poOrderNo } = await jd(M.addPo, {
    spPoOrderNo: unique('PO-SIM-'),
    deptNo: 'EBU0000000000001',
    whNo: BJ,
    supplierNo: 'EMS0000000000001',
    deptGoodsNo: lines.map((l) => l.goodsNo).join(','),
    numApplication: lines.map((l) => l.quantity).join(','),
    goodsStatus: lines.map(() => '1').join(','),
  });
  return poOrderNo as string;
}

async function queryPo(poOrderNo: string): Promise<Row> {
  const [po] = (await jd(M.queryPo, { poOrderNo })).queryPoModelList as Row[];
  return po!;
}

/** Per goods: realInstoreQty and shortQty as JD reports them (strings). */
async function quantities(poOrderNo: string): Promise<Record<string, { received: string; short: string }>> {
  const po = await queryPo(poOrderNo);
  return Object.fromEntries((po.poItemModelList as Row[]).map((line) => [line.goodsNo as string, { received: line.realInstoreQty as string, short: line.shortQty as string }]));
}

const stock = (goodsNo: string) => simulator.sim.state.stock.quantity(BJ, goodsNo);
const warehouseCancel = (poOrderNo: string, outcome?: string) => control('POST', `/_sim/purchase-orders/${poOrderNo}/cancel`, outcome === undefined ? {} : { outcome });

describe('status 10 before 20', () => {
  it('accepts straight in 20 by default; with initialiseAfterMs the PO is 10 until then, and receipts wait for 20', async () => {
    const goodsNo = await createGoods();
    expect((await queryPo(await createPo([{ goodsNo, quantity: 2 }]))).poOrderStatus).toBe('20');

    await setTimeline({ initialiseAfterMs: 150, receiveAfterMs: 0 });
    const poOrderNo = await createPo([{ goodsNo, quantity: 3 }]);
    expect((await queryPo(poOrderNo)).poOrderStatus).toBe('10');
    // A receipt by hand in 10 is refused: the warehouse does not have the PO yet.
    expect((await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {})).status).toBe(409);
    // 20 at 150 ms, then the receipt that was due at 0 ms runs at once.
    await eventually(() => queryPo(poOrderNo), (po) => po.poOrderStatus === '70', { what: 'the PO initialised and received' });
    expect(await quantities(poOrderNo)).toEqual({ [goodsNo]: { received: '3', short: '0' } });
  });

  it('initialiseAfterMs null keeps 10 until the initialise move; a PO in 10 can be cancelled', async () => {
    const goodsNo = await createGoods();
    await setTimeline({ initialiseAfterMs: null });
    const waiting = await createPo([{ goodsNo, quantity: 1 }]);
    await nothingScheduled();
    expect((await queryPo(waiting)).poOrderStatus).toBe('10');
    expect(await move(`/_sim/purchase-orders/${waiting}/initialise`)).toMatchObject({ status: '20' });
    expect((await control('POST', `/_sim/purchase-orders/${waiting}/initialise`)).status).toBe(409);

    const cancelled = await createPo([{ goodsNo, quantity: 1 }]);
    await expect(jd(M.cancelPo, { poOrderNo: cancelled })).resolves.toMatchObject({ poResult: { code: 1 } });
    expect((await queryPo(cancelled)).poOrderStatus).toBe('91');
  });
});

describe('partial receipts by timeline', () => {
  it('receiptBatches: 3 → two partial receipts in 20, the third completes; stock rises with each', async () => {
    const a = await createGoods();
    const b = await createGoods();
    await setTimeline({ receiveAfterMs: null, receiptBatches: 3, receiptIntervalMs: 400 });
    const poOrderNo = await createPo([{ goodsNo: a, quantity: 9 }, { goodsNo: b, quantity: 4 }]);
    await setTimeline({ receiveAfterMs: 0 });

    const first = await eventually(() => quantities(poOrderNo), (q) => q[a]!.received !== '0', { what: 'the first batch' });
    expect(first).toEqual({ [a]: { received: '3', short: '0' }, [b]: { received: '1', short: '0' } });
    expect((await queryPo(poOrderNo)).poOrderStatus).toBe('20');
    expect(stock(a)).toBe(3);

    const second = await eventually(() => quantities(poOrderNo), (q) => q[a]!.received !== '3', { what: 'the second batch' });
    expect(second).toEqual({ [a]: { received: '6', short: '0' }, [b]: { received: '2', short: '0' } });
    expect((await queryPo(poOrderNo)).poOrderStatus).toBe('20');

    const done = await eventually(() => queryPo(poOrderNo), (po) => po.poOrderStatus === '70', { what: 'the last batch' });
    expect(done.completeTime).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2} /));
    expect(await quantities(poOrderNo)).toEqual({ [a]: { received: '9', short: '0' }, [b]: { received: '4', short: '0' } });
    expect([stock(a), stock(b)]).toEqual([9, 4]);
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)?.timelineBatches).toBe(3);
    await nothingScheduled();
  });

  it('shortRatio: each line receives ⌊quantity × (1 − ratio)⌋ over the batches; completion books the rest short', async () => {
    const a = await createGoods();
    const b = await createGoods();
    await setTimeline({ receiveAfterMs: 0, receiptBatches: 2, receiptIntervalMs: 50, shortRatio: 0.25 });
    const poOrderNo = await createPo([{ goodsNo: a, quantity: 10 }, { goodsNo: b, quantity: 1 }]);
    await eventually(() => queryPo(poOrderNo), (po) => po.poOrderStatus === '70', { what: 'the PO completed short' });
    expect(await quantities(poOrderNo)).toEqual({ [a]: { received: '7', short: '3' }, [b]: { received: '0', short: '1' } });
    expect(stock(a)).toBe(7);
  });

  it('counts what arrived by hand meanwhile: a batch brings only what is still due', async () => {
    const goodsNo = await createGoods();
    await setTimeline({ receiveAfterMs: null, receiptBatches: 2, receiptIntervalMs: 60_000 });
    const poOrderNo = await createPo([{ goodsNo, quantity: 10 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 6 }], complete: false });
    await setTimeline({ receiveAfterMs: 0 });
    // Batch 1 of 2 would bring 5, but 6 are there: nothing due, only the count moves; batch 2 is a minute away.
    await eventually(() => simulator.sim.state.purchaseOrders.find(poOrderNo)?.timelineBatches, (n) => n === 1, { what: 'batch 1 ran' });
    expect(await quantities(poOrderNo)).toEqual({ [goodsNo]: { received: '6', short: '0' } });
    await setTimeline({ receiptIntervalMs: 0 });
    await eventually(() => queryPo(poOrderNo), (po) => po.poOrderStatus === '70', { what: 'batch 2 completed the PO' });
    expect(await quantities(poOrderNo)).toEqual({ [goodsNo]: { received: '10', short: '0' } });
    expect(stock(goodsNo)).toBe(10);
  });

  it('refuses timeline values it cannot use (400) and keeps the old ones', async () => {
    for (const purchaseOrder of [{ receiptBatches: 0 }, { receiptBatches: 1.5 }, { shortRatio: 1 }, { shortRatio: -0.1 }, { receiptIntervalMs: -1 }, { initialiseAfterMs: 'later' }]) {
      expect((await control('PUT', '/_sim/timeline', { purchaseOrder })).status).toBe(400);
    }
    expect(((await control('GET', '/_sim/timeline')).body as { purchaseOrder: unknown }).purchaseOrder).toEqual({
      initialiseAfterMs: 0,
      receiveAfterMs: null,
      receiptBatches: 1,
      receiptIntervalMs: 5_000,
      shortRatio: 0,
    });
  });
});

describe("the warehouse's cancel: 90 cancelling → 91 cancelled | 92 cancel failed", () => {
  it('90 stops receipts and close; 91 then ends it with nothing received', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 5 }]);
    expect(await move(`/_sim/purchase-orders/${poOrderNo}/cancel`, { outcome: 'cancelling' })).toMatchObject({ status: '90' });
    expect((await queryPo(poOrderNo)).poOrderStatus).toBe('90');
    expect((await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {})).status).toBe(409);
    expect(await jdError(M.closePo, { poOrderNo })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('取消中') });

    expect(await move(`/_sim/purchase-orders/${poOrderNo}/cancel`, { outcome: 'cancelled' })).toMatchObject({ status: '91' });
    expect(await quantities(poOrderNo)).toEqual({ [goodsNo]: { received: '0', short: '0' } });
    // 91 is final: no further warehouse move, a merchant cancel answers success again.
    expect((await warehouseCancel(poOrderNo, 'cancel-failed')).status).toBe(409);
    await expect(jd(M.cancelPo, { poOrderNo })).resolves.toMatchObject({ poResult: { code: 1 } });
  });

  it('91 after a receipt ends the PO with what was received, the rest short, and no timeline receipt after it', async () => {
    const goodsNo = await createGoods();
    await setTimeline({ receiveAfterMs: 200 });
    const poOrderNo = await createPo([{ goodsNo, quantity: 8 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 3 }], complete: false });
    // The default outcome is cancelled (91).
    expect(await move(`/_sim/purchase-orders/${poOrderNo}/cancel`)).toMatchObject({ status: '91' });
    await nothingScheduled();
    expect((await queryPo(poOrderNo)).poOrderStatus).toBe('91');
    expect(await quantities(poOrderNo)).toEqual({ [goodsNo]: { received: '3', short: '5' } });
    expect(stock(goodsNo)).toBe(3);
    // A merchant cancel of the cancelled PO answers success again (a retried cancel is harmless).
    await expect(jd(M.cancelPo, { poOrderNo })).resolves.toMatchObject({ poResult: { code: 1 } });
  });

  it('92 leaves the PO open: the timeline receives and completes it; the merchant may still cancel an untouched one', async () => {
    const goodsNo = await createGoods();
    await setTimeline({ receiveAfterMs: null });
    const received = await createPo([{ goodsNo, quantity: 4 }]);
    await move(`/_sim/purchase-orders/${received}/cancel`, { outcome: 'cancelling' });
    expect(await move(`/_sim/purchase-orders/${received}/cancel`, { outcome: 'cancel-failed' })).toMatchObject({ status: '92' });
    expect((await queryPo(received)).poOrderStatus).toBe('92');
    await setTimeline({ receiveAfterMs: 0 });
    await eventually(() => queryPo(received), (po) => po.poOrderStatus === '70', { what: 'the PO in 92 received by the timeline' });
    expect(stock(goodsNo)).toBe(4);

    await setTimeline({ receiveAfterMs: null });
    const untouched = await createPo([{ goodsNo, quantity: 4 }]);
    await move(`/_sim/purchase-orders/${untouched}/cancel`, { outcome: 'cancel-failed' });
    await expect(jd(M.cancelPo, { poOrderNo: untouched })).resolves.toMatchObject({ poResult: { code: 1, msg: han } });
    expect((await queryPo(untouched)).poOrderStatus).toBe('91');
  });

  it('refuses an unknown outcome (400), a completed PO (409) and an unknown number (404)', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 1 }]);
    expect((await warehouseCancel(poOrderNo, 'maybe')).status).toBe(400);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`);
    expect((await warehouseCancel(poOrderNo)).status).toBe(409);
    expect((await warehouseCancel('EPL0000000000000')).status).toBe(404);
    expect((await queryPo(poOrderNo)).poOrderStatus).toBe('70');
  });
});

describe("the merchant's cancalPoOrder", () => {
  it('answers 1 and 91 while nothing was received (also in 90); code 2 with Chinese words once something was', async () => {
    const goodsNo = await createGoods();
    const cancelling = await createPo([{ goodsNo, quantity: 2 }]);
    await move(`/_sim/purchase-orders/${cancelling}/cancel`, { outcome: 'cancelling' });
    await expect(jd(M.cancelPo, { poOrderNo: cancelling })).resolves.toMatchObject({ poResult: { code: 1 } });
    expect((await queryPo(cancelling)).poOrderStatus).toBe('91');

    const started = await createPo([{ goodsNo, quantity: 2 }]);
    await move(`/_sim/purchase-orders/${started}/receive`, { lines: [{ goodsNo, quantity: 1 }], complete: false });
    await move(`/_sim/purchase-orders/${started}/cancel`, { outcome: 'cancel-failed' });
    await expect(jd(M.cancelPo, { poOrderNo: started })).resolves.toMatchObject({ poResult: { code: 2, msg: expect.stringContaining('已开始收货') } });
    expect((await queryPo(started)).poOrderStatus).toBe('92');
  });
});

describe('saved state', () => {
  it('carries the new statuses and the timeline batch count; a file written before them still reads', async () => {
    const goodsNo = await createGoods();
    await setTimeline({ receiveAfterMs: 0, receiptBatches: 2, receiptIntervalMs: 60_000 });
    const partly = await createPo([{ goodsNo, quantity: 4 }]);
    await eventually(() => simulator.sim.state.purchaseOrders.find(partly)?.timelineBatches, (n) => n === 1, { what: 'batch 1' });
    const cancelling = await createPo([{ goodsNo, quantity: 4 }]);
    await move(`/_sim/purchase-orders/${cancelling}/cancel`, { outcome: 'cancelling' });

    const text = serializeState(simulator.sim.state);
    const parsed = parseSavedState(text);
    expect(parsed.ok).toBe(true);
    const orders = parsed.ok ? parsed.saved.purchaseOrders : [];
    expect(orders.find((po) => po.poOrderNo === partly)).toMatchObject({ status: '20', timelineBatches: 1, lines: [expect.objectContaining({ realInstoreQty: 2 })] });
    expect(orders.find((po) => po.poOrderNo === cancelling)).toMatchObject({ status: '90' });

    // Version 1 as written before: no timelineBatches, status 20.
    const old = JSON.parse(text) as { purchaseOrders: Array<Record<string, unknown>> };
    for (const po of old.purchaseOrders) {
      delete po.timelineBatches;
      po.status = '20';
    }
    expect(parseSavedState(JSON.stringify(old))).toMatchObject({ ok: true });
  });
});
