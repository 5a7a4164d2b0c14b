// The simulated JD's customer returns (eclp-api.md §3.10, §3.11, §3.15e, §4.3) over real HTTP with raw
// signed calls: the lines asked for and the refusals of goods not shipped or already claimed, the statuses
// 0/100/200/300/400/500/600/700 by timeline and by /_sim/ moves, short and defective receipts,
// cancelRtwOrder in every status, and the state file across the new fields.
import { parseSavedState, restoreState, serializeState } from '../../simulator/saved-state';
import type { TimelinePatch } from '../../simulator/timeline';
import { eventually, simulatorForFile } from '../support';

type Row = Record<string, unknown>;

const M = {
  goods: 'jingdong.eclp.goods.transportGoodsInfo',
  addPo: 'jingdong.eclp.po.addPoOrder',
  addOrder: 'jingdong.eclp.order.addOrder',
  rtw: 'jingdong.eclp.rtw.transportRtw',
  queryRtw: 'jingdong.eclp.rtw.queryRtw',
  cancelRtw: 'jingdong.eclp.rtw.cancelRtwOrder',
} as const;
const DEPT = 'EBU0000000000001';
const BJ = '110000001';

const simulator = simulatorForFile();
const { jd, jdError, control, move, nothingScheduled } = simulator;
let sequence = 0;
const unique = (prefix: string) => `${prefix}${(sequence += 1)}`;
const han = expect.stringMatching(/\p{Script=Han}/u);

async function setTimeline(patch: TimelinePatch['returnOrder']): Promise<void> {
  expect((await control('PUT', '/_sim/timeline', { returnOrder: patch })).status).toBe(200);
}

interface Goods {
  goodsNo: string;
  isvGoodsNo: string;
}

async function createGoods(): Promise<Goods> {
  const isvGoodsNo = unique('SKU-RT-');
  const { goodsNo } = await jd(M.goods, { deptNo: DEPT, isvGoodsNo, barcodes: `69${Date.now()}${sequence}`, thirdCategoryNo: '4159', goodsName: `商品${isvGoodsNo}`, safeDays: 0 });
  return { goodsNo: goodsNo as string, isvGoodsNo };
}

/** A shipped outbound of `lines`; `shipped` ships less of the goods it names (realOutQty). */
async function shippedOrder(lines: Array<[Goods, number]>, shipped?: Array<[Goods, number]>): Promise<string> {
  const { eclpSoNo } = await jd(M.addOrder, {
    isvUUID: unique('SO-RT-'),
    isvSource: 'ISV0000000000001',
    shopNo: 'ESP0000000000001',
    departmentNo: DEPT,
    salePlatformSource: '6',
    consigneeName: '张三',
    consigneeMobile: '13800000000',
    consigneeAddress: '北京市朝阳区建国路1号',
    orderMark: '0'.repeat(50),
    warehouseNo: BJ,
    goodsNo: lines.map(([g]) => g.goodsNo).join(','),
    quantity: lines.map(([, q]) => q).join(','),
  });
  await move(`/_sim/sales-orders/${eclpSoNo as string}/pick`);
  await move(`/_sim/sales-orders/${eclpSoNo as string}/pack`);
  await move(`/_sim/sales-orders/${eclpSoNo as string}/ship`, shipped ? { lines: shipped.map(([g, realOutQty]) => ({ goodsNo: g.goodsNo, realOutQty })) } : {});
  return eclpSoNo as string;
}

/** transportRtw with addRtwOrder's line lists; `[goods, planQty, goodsLevel?]` per line. */
function rtwParams(eclpSoNo: string, lines: Array<[Goods, number, string?]>, extra: Row = {}): Row {
  return {
    eclpSoNo,
    isvRtwNum: unique('RT-'),
    reson: '七天无理由',
    ...(lines.length > 0 && {
      isvGoodsNo: lines.map(([g]) => g.isvGoodsNo).join(','),
      planQty: lines.map(([, q]) => q).join(','),
      goodsLevel: lines.map(([, , level]) => level ?? '100').join(','),
    }),
    ...extra,
  };
}

async function createReturn(eclpSoNo: string, lines: Array<[Goods, number, string?]>, extra: Row = {}): Promise<{ eclpRtwNo: string; isvRtwNum: string }> {
  const result = (await jd(M.rtw, rtwParams(eclpSoNo, lines, extra))).transportrtw_result as Row;
  return { eclpRtwNo: result.eclpRtwNo as string, isvRtwNum: result.isvRtwNum as string };
}

async function queryRtw(eclpRtwNo: string): Promise<Row> {
  const [rtw] = (await jd(M.queryRtw, { eclpRtwNo })).queryrtw_result as Row[];
  return rtw!;
}

/** Per goods: [planQty, realQty, goodsLevelNo] as JD reports them. */
async function details(eclpRtwNo: string): Promise<Record<string, [unknown, unknown, unknown]>> {
  const rtw = await queryRtw(eclpRtwNo);
  return Object.fromEntries((rtw.rtwDetailsModelList as Row[]).map((line) => [line.isvGoodsNo as string, [line.planQty, line.realQty, line.goodsLevelNo]]));
}

const cancel = (isvRtwNum: string, extra: Row = {}) => jd(M.cancelRtw, { isvRtwNum, cancelReson: '客户下错单', ownerNo: DEPT, orderInType: 1, ...extra });
const stock = (goodsNo: string) => simulator.sim.state.stock.quantity(BJ, goodsNo);

describe('the lines of a return', () => {
  it('carries only the lines asked for, at their goods level; without lines it takes what the outbound shipped', async () => {
    const [a, b] = [await createGoods(), await createGoods()];
    const eclpSoNo = await shippedOrder([[a, 3], [b, 2]], [[b, 1]]);
    const { eclpRtwNo } = await createReturn(eclpSoNo, [[a, 2, '200']]);
    expect(await details(eclpRtwNo)).toEqual({ [a.isvGoodsNo]: [2, 0, '200'] });

    const other = await shippedOrder([[a, 3], [b, 2]], [[b, 1]]);
    const whole = await createReturn(other, []);
    // b shipped 1 of 2: the whole return is what left the warehouse.
    expect(await details(whole.eclpRtwNo)).toEqual({ [a.isvGoodsNo]: [3, 0, '100'], [b.isvGoodsNo]: [1, 0, '100'] });
  });

  it('refuses goods the outbound did not ship, more than shipped less what other returns claim, and bad line values', async () => {
    const [a, b, stranger] = [await createGoods(), await createGoods(), await createGoods()];
    const eclpSoNo = await shippedOrder([[a, 3], [b, 2]], [[b, 1]]);
    expect(await jdError(M.rtw, rtwParams(eclpSoNo, [[stranger, 1]]))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining(`商品${stranger.isvGoodsNo}不在原销售出库单`) });
    expect(await jdError(M.rtw, rtwParams(eclpSoNo, [[b, 2]]))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('超过可退数量1（原单发货1，其他退货单已退0）') });

    const first = await createReturn(eclpSoNo, [[a, 2]]);
    expect(await jdError(M.rtw, rtwParams(eclpSoNo, [[a, 2]]))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('超过可退数量1（原单发货3，其他退货单已退2）') });
    // A whole-order return claims everything shipped, so it is refused too.
    expect(await jdError(M.rtw, rtwParams(eclpSoNo, []))).toMatchObject({ code: '1000', zh_desc: han });

    // Received returns keep their claim; cancelled and rejected ones give it back.
    await move(`/_sim/returns/${first.eclpRtwNo}/receive`, { lines: [{ goodsNo: a.goodsNo, quantity: 1 }] });
    expect(await jdError(M.rtw, rtwParams(eclpSoNo, [[a, 2]]))).toMatchObject({ code: '1000' });
    const second = await createReturn(eclpSoNo, [[a, 1]]);
    await move(`/_sim/returns/${second.eclpRtwNo}/reject`, { reason: '包装破损' });
    const third = await createReturn(eclpSoNo, [[a, 1]]);
    await cancel(third.isvRtwNum);
    await expect(createReturn(eclpSoNo, [[a, 1], [b, 1]])).resolves.toMatchObject({ eclpRtwNo: expect.stringMatching(/^ESR/) });

    const invalid: Array<[Row, string]> = [
      [{ ...rtwParams(eclpSoNo, [[a, 1]]), planQty: '0' }, 'planQty'],
      [{ ...rtwParams(eclpSoNo, [[a, 1]]), goodsLevel: '300' }, 'goodsLevel'],
      [{ ...rtwParams(eclpSoNo, [[a, 1]]), planQty: '1,1' }, 'planQty'],
      [{ ...rtwParams(eclpSoNo, [[a, 1], [a, 1]]) }, 'isvGoodsNo'],
      [{ eclpSoNo, isvRtwNum: unique('RT-'), planQty: '1' }, 'isvGoodsNo'],
    ];
    for (const [params, field] of invalid) expect(await jdError(M.rtw, params)).toMatchObject({ code: '61', zh_desc: expect.stringContaining(field) });
  });

  it('answers a repeated isvRtwNum with the existing return, before any claim check', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 1]]);
    const params = rtwParams(eclpSoNo, [[a, 1]]);
    const { transportrtw_result: first } = await jd(M.rtw, params);
    await expect(jd(M.rtw, params)).resolves.toMatchObject({ transportrtw_result: { eclpRtwNo: (first as Row).eclpRtwNo } });
    expect(simulator.sim.state.returns.list()).toHaveLength(1);
  });
});

describe('statuses by timeline', () => {
  it('is accepted in 100 by default; with initialiseAfterMs it is 0 新建 until then, and the receipt waits for 100', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 2]]);
    expect((await queryRtw((await createReturn(eclpSoNo, [[a, 1]])).eclpRtwNo)).status).toBe('100');

    await setTimeline({ initialiseAfterMs: 150, receiveAfterMs: 0 });
    const { eclpRtwNo } = await createReturn(eclpSoNo, [[a, 1]]);
    const created = await queryRtw(eclpRtwNo);
    expect(created.status).toBe('0');
    expect((await control('POST', `/_sim/returns/${eclpRtwNo}/receive`, {})).status).toBe(409);
    await eventually(() => queryRtw(eclpRtwNo), (rtw) => rtw.status === '200', { what: 'the return initialised and received' });
    expect(await details(eclpRtwNo)).toEqual({ [a.isvGoodsNo]: [1, 1, '100'] });
  });

  it('initialiseAfterMs null keeps 0 until the initialise move; a return in 0 can be cancelled', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 2]]);
    await setTimeline({ initialiseAfterMs: null });
    const waiting = await createReturn(eclpSoNo, [[a, 1]]);
    await nothingScheduled();
    expect((await queryRtw(waiting.eclpRtwNo)).status).toBe('0');
    expect(await move(`/_sim/returns/${waiting.eclpRtwNo}/initialise`)).toMatchObject({ status: '100' });
    expect((await control('POST', `/_sim/returns/${waiting.eclpRtwNo}/initialise`)).status).toBe(409);

    const cancelled = await createReturn(eclpSoNo, [[a, 1]]);
    await expect(cancel(cancelled.isvRtwNum)).resolves.toMatchObject({ rtwResult: { code: 1 } });
    expect((await queryRtw(cancelled.eclpRtwNo)).status).toBe('400');
  });

  it('shortRatio: each line comes back ⌊planned × (1 − ratio)⌋, good stock rising by it', async () => {
    const [a, b] = [await createGoods(), await createGoods()];
    const eclpSoNo = await shippedOrder([[a, 10], [b, 1]]);
    const before = [stock(a.goodsNo), stock(b.goodsNo)];
    await setTimeline({ receiveAfterMs: 0, shortRatio: 0.25 });
    const { eclpRtwNo } = await createReturn(eclpSoNo, [[a, 10], [b, 1]]);
    const received = await eventually(() => queryRtw(eclpRtwNo), (rtw) => rtw.status === '200', { what: 'the timeline receipt' });
    expect(received.finishTime).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2} /));
    expect(await details(eclpRtwNo)).toEqual({ [a.isvGoodsNo]: [10, 7, '100'], [b.isvGoodsNo]: [1, 0, '100'] });
    expect([stock(a.goodsNo), stock(b.goodsNo)]).toEqual([before[0]! + 7, before[1]]);
    await nothingScheduled();
  });
});

describe('warehouse moves', () => {
  it('receives per line with a goods level: defective units are reported but do not become good stock', async () => {
    const [a, b] = [await createGoods(), await createGoods()];
    const eclpSoNo = await shippedOrder([[a, 3], [b, 2]]);
    const { eclpRtwNo } = await createReturn(eclpSoNo, [[a, 3], [b, 2]]);
    const before = [stock(a.goodsNo), stock(b.goodsNo)];
    await move(`/_sim/returns/${eclpRtwNo}/receive`, { lines: [{ goodsNo: a.goodsNo, quantity: 2 }, { goodsNo: b.goodsNo, quantity: 2, goodsLevel: '200' }] });
    expect(await details(eclpRtwNo)).toEqual({ [a.isvGoodsNo]: [3, 2, '100'], [b.isvGoodsNo]: [2, 2, '200'] });
    expect([stock(a.goodsNo), stock(b.goodsNo)]).toEqual([before[0]! + 2, before[1]]);

    const other = await createReturn(await shippedOrder([[a, 1]]), [[a, 1]]);
    const twoLevels = await control('POST', `/_sim/returns/${other.eclpRtwNo}/receive`, { lines: [{ goodsNo: a.goodsNo, quantity: 1, goodsLevel: '100' }, { goodsNo: a.goodsNo, quantity: 1, goodsLevel: '200' }] });
    expect(twoLevels).toMatchObject({ status: 409, body: { error: expect.stringContaining('two goods levels') } });
    expect((await control('POST', `/_sim/returns/${other.eclpRtwNo}/receive`, { lines: [{ goodsNo: a.goodsNo, quantity: 1, goodsLevel: '300' }] })).status).toBe(400);
  });

  it('rejects (600 整单拒收, or 500 超期拒收) with the reason in msg; nothing comes back', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 2]]);
    const whole = await createReturn(eclpSoNo, [[a, 1]]);
    await move(`/_sim/returns/${whole.eclpRtwNo}/reject`, { reason: '包装破损' });
    expect(await queryRtw(whole.eclpRtwNo)).toMatchObject({ status: '600', msg: '包装破损', finishTime: expect.any(String) });

    const late = await createReturn(eclpSoNo, [[a, 1]]);
    await move(`/_sim/returns/${late.eclpRtwNo}/reject`, { overdue: true });
    expect(await queryRtw(late.eclpRtwNo)).toMatchObject({ status: '500', msg: '超期拒收' });
    expect((await control('POST', `/_sim/returns/${late.eclpRtwNo}/receive`, {})).status).toBe(409);
    expect(stock(a.goodsNo)).toBe(-2);
  });

  it('reports to the merchant (700) and stays open: received afterwards by hand or by timeline', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 2]]);
    const { eclpRtwNo, isvRtwNum } = await createReturn(eclpSoNo, [[a, 2]]);
    await move(`/_sim/returns/${eclpRtwNo}/report`);
    expect(await queryRtw(eclpRtwNo)).toMatchObject({ status: '700', finishTime: '' });
    expect((await control('POST', `/_sim/returns/${eclpRtwNo}/report`)).status).toBe(409);
    await expect(cancel(isvRtwNum)).resolves.toMatchObject({ rtwResult: { code: 2, msg: expect.stringContaining('已反馈商家') } });
    await setTimeline({ receiveAfterMs: 0 });
    await eventually(() => queryRtw(eclpRtwNo), (rtw) => rtw.status === '200', { what: 'the reported return received' });
  });

  it("the warehouse's own cancel: 300 取消中, then 400; no receipt in either, and the timeline stops", async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 2]]);
    const { eclpRtwNo } = await createReturn(eclpSoNo, [[a, 1]]);
    await move(`/_sim/returns/${eclpRtwNo}/cancel`, { outcome: 'cancelling', reason: '客户撤回' });
    expect(await queryRtw(eclpRtwNo)).toMatchObject({ status: '300', msg: '客户撤回' });
    await setTimeline({ receiveAfterMs: 0 });
    await nothingScheduled();
    expect((await control('POST', `/_sim/returns/${eclpRtwNo}/receive`, {})).status).toBe(409);
    expect((await control('POST', `/_sim/returns/${eclpRtwNo}/cancel`, { outcome: 'cancelling' })).status).toBe(409);
    await move(`/_sim/returns/${eclpRtwNo}/cancel`);
    expect(await queryRtw(eclpRtwNo)).toMatchObject({ status: '400', finishTime: expect.any(String) });
    expect((await control('POST', `/_sim/returns/${eclpRtwNo}/cancel`)).status).toBe(409);
  });
});

describe('cancelRtwOrder', () => {
  it('cancels in 0, 100 and 300 (→ 400, code 1), again harmlessly; refuses 200, 500, 600 and 700 with code 2 in Chinese', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 20]]);
    const inStatus = async (moves: Array<[string, Row?]>, setup?: () => Promise<void>) => {
      await setup?.();
      const rtw = await createReturn(eclpSoNo, [[a, 1]]);
      for (const [path, body] of moves) await move(`/_sim/returns/${rtw.eclpRtwNo}/${path}`, body);
      return rtw;
    };

    for (const moves of [[], [['cancel', { outcome: 'cancelling' }]]] as Array<Array<[string, Row?]>>) {
      const rtw = await inStatus(moves);
      await expect(cancel(rtw.isvRtwNum, { eclpRtwNum: rtw.eclpRtwNo })).resolves.toEqual({ code: '0', rtwResult: { code: 1, msg: '取消成功' } });
      expect(await queryRtw(rtw.eclpRtwNo)).toMatchObject({ status: '400', msg: '客户下错单' });
      await expect(cancel(rtw.isvRtwNum)).resolves.toMatchObject({ rtwResult: { code: 1 } });
    }
    await setTimeline({ initialiseAfterMs: null });
    const fresh = await inStatus([]);
    expect((await queryRtw(fresh.eclpRtwNo)).status).toBe('0');
    await expect(cancel(fresh.isvRtwNum)).resolves.toMatchObject({ rtwResult: { code: 1 } });
    await setTimeline({ initialiseAfterMs: 0 });

    const refused: Array<[Array<[string, Row?]>, string, string]> = [
      [[['receive']], '200', '已完成'],
      [[['reject', { overdue: true }]], '500', '超期拒收'],
      [[['reject']], '600', '整单拒收'],
      [[['report']], '700', '已反馈商家'],
    ];
    for (const [moves, status, words] of refused) {
      const rtw = await inStatus(moves);
      const answer = await cancel(rtw.isvRtwNum, { eclpRtwNum: rtw.eclpRtwNo });
      expect(answer).toMatchObject({ rtwResult: { code: 2, msg: expect.stringContaining(words) } });
      expect((await queryRtw(rtw.eclpRtwNo)).status).toBe(status);
    }
  });

  it('refuses an unknown return, a mismatched eclpRtwNum, a missing or unknown ownerNo', async () => {
    const a = await createGoods();
    const { eclpRtwNo, isvRtwNum } = await createReturn(await shippedOrder([[a, 1]]), [[a, 1]]);
    expect(await jdError(M.cancelRtw, { isvRtwNum: 'NEVER-SENT', ownerNo: DEPT })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('不存在') });
    expect(await jdError(M.cancelRtw, { isvRtwNum, eclpRtwNum: 'ESR0000000000000', ownerNo: DEPT })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('不匹配') });
    expect(await jdError(M.cancelRtw, { isvRtwNum })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('ownerNo') });
    expect(await jdError(M.cancelRtw, { isvRtwNum, ownerNo: 'EBU9999999999999' })).toMatchObject({ code: '1000' });
    expect(await jdError(M.cancelRtw, { ownerNo: DEPT })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('isvRtwNum') });
    expect((await queryRtw(eclpRtwNo)).status).toBe('100');
  });
});

describe('the state file', () => {
  it('keeps levels, reasons and the new statuses; reads files written before them', async () => {
    const a = await createGoods();
    const eclpSoNo = await shippedOrder([[a, 5]]);
    const received = await createReturn(eclpSoNo, [[a, 1, '200']]);
    await move(`/_sim/returns/${received.eclpRtwNo}/receive`, { lines: [{ goodsNo: a.goodsNo, quantity: 1, goodsLevel: '400' }] });
    const cancelled = await createReturn(eclpSoNo, [[a, 1]]);
    await cancel(cancelled.isvRtwNum);
    const reported = await createReturn(eclpSoNo, [[a, 1]]);
    await move(`/_sim/returns/${reported.eclpRtwNo}/report`);

    const text = serializeState(simulator.sim.state);
    const parsed = parseSavedState(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    const byNo = new Map(parsed.saved.returns.map((r) => [r.eclpRtwNo, r]));
    expect(byNo.get(received.eclpRtwNo)).toMatchObject({ status: '200', lines: [expect.objectContaining({ realQty: 1, goodsLevel: '400' })] });
    expect(byNo.get(cancelled.eclpRtwNo)).toMatchObject({ status: '400', cancelReason: '客户下错单' });
    expect(byNo.get(reported.eclpRtwNo)).toMatchObject({ status: '700' });

    // Version 1 as written before: no goodsLevel, no cancelReason, status 100. It still claims its quantities.
    const old = JSON.parse(text) as { returns: Array<Row & { lines: Row[] }> };
    for (const rtw of old.returns) {
      delete rtw.cancelReason;
      rtw.status = '100';
      for (const line of rtw.lines) delete line.goodsLevel;
    }
    const restored = parseSavedState(JSON.stringify(old));
    if (!restored.ok) throw new Error(restored.detail);
    await control('POST', '/_sim/reset');
    restoreState(simulator.sim.state, restored.saved);
    expect(await details(received.eclpRtwNo)).toEqual({ [a.isvGoodsNo]: [1, 1, '100'] });
    expect(await jdError(M.rtw, rtwParams(eclpSoNo, [[a, 3]]))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('其他退货单已退3') });
  });
});
