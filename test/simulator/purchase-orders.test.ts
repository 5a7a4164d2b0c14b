// Purchase-order groundwork in the simulator, with raw signed requests (not the ECLP client): po.closePo
// (采购关单, eclp-api.md §3.15d), defective quantities reported as damagedQty (§3.4), and the
// duplicateSpPoOrderNo behaviour switch (§3.2 is unsure what JD answers for a repeated spPoOrderNo).
import { envelopeKey } from '../../eclp/protocol';
import { callJd } from '../../simulator/jd-call';
import { startSimulator, type RunningSimulator } from '../../simulator/server';
import { MANUAL_TIMELINE } from '../../simulator/timeline';
import { simControl, type ControlAnswer } from '../support';

type Row = Record<string, unknown>;
interface JdError { code: string; zh_desc: string; en_desc: string }

const DEPT = 'EBU0000000000001';
const BJ = '110000001';
const SUPPLIER = 'EMS0000000000001';
const M = {
  goods: 'jingdong.eclp.goods.transportGoodsInfo',
  addPo: 'jingdong.eclp.po.addPoOrder',
  cancelPo: 'jingdong.eclp.po.cancalPoOrder',
  queryPo: 'jingdong.eclp.po.queryPoOrder',
  closePo: 'jingdong.eclp.po.closePo',
  stock: 'jingdong.eclp.stock.queryStock',
} as const;

let sim: RunningSimulator;
let sequence = 0;
const unique = (prefix: string) => `${prefix}${(sequence += 1)}`;
const han = expect.stringMatching(/\p{Script=Han}/u);

async function raw(method: string, business: Row): Promise<Row> {
  const answer = await callJd(sim.gatewayUrl, method, business);
  expect(answer.status).toBe(200);
  return answer.body as Row;
}

async function jd(method: string, business: Row): Promise<Row> {
  const body = await raw(method, business);
  const result = body[envelopeKey(method)] as Row | undefined;
  if (!result) throw new Error(`${method} failed: ${JSON.stringify(body)}`);
  expect(result.code).toBe('0');
  return result;
}

async function jdError(method: string, business: Row): Promise<JdError> {
  const body = await raw(method, business);
  expect(Object.keys(body)).toEqual(['error_response']);
  return body.error_response as JdError;
}

const control = (method: string, path: string, body?: unknown): Promise<ControlAnswer> => simControl(sim.url, method, path, body);

async function move(path: string, body: unknown = {}): Promise<Row> {
  const answer = await control('POST', path, body);
  if (answer.status !== 200) throw new Error(`${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as Row;
}

async function createGoods(): Promise<string> {
  const isvGoodsNo = unique('SKU-');
  const { goodsNo } = await jd(M.goods, { deptNo: DEPT, isvGoodsNo, barcodes: `69${Date.now()}${sequence}`, thirdCategoryNo: '4159', goodsName: `商品${isvGoodsNo}`, safeDays: 0 });
  return goodsNo as string;
}

function poParams(lines: Array<{ goodsNo: string; quantity: number }>, overrides: Row = {}): Row {
  return {
    spPoOrderNo: unique('PO-'),
    deptNo: DEPT,
    whNo: BJ,
    supplierNo: SUPPLIER,
    deptGoodsNo: lines.map((l) => l.goodsNo).join(','),
    numApplication: lines.map((l) => l.quantity).join(','),
    goodsStatus: lines.map(() => '1').join(','),
    ...overrides,
  };
}

async function createPo(lines: Array<{ goodsNo: string; quantity: number }>): Promise<string> {
  return (await jd(M.addPo, poParams(lines))).poOrderNo as string;
}

async function queryPo(poOrderNo: string): Promise<Row> {
  const [po] = (await jd(M.queryPo, { poOrderNo })).queryPoModelList as Row[];
  return po!;
}

async function totalStock(goodsNo: string): Promise<number> {
  const rows = (await jd(M.stock, { deptNo: DEPT, warehouseNo: BJ, goodsNo, returnZeroStock: 2 })).querystock_result as Row[];
  return rows.reduce((sum, row) => sum + (row.totalNum as number), 0);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, timeline: MANUAL_TIMELINE });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  expect((await control('POST', '/_sim/reset')).status).toBe(204);
});

describe('po.closePo', () => {
  it('closes a partly received PO: code 1, status 70, the rest short, stock as received, timeline stopped', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 10 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 4 }], complete: false });

    await expect(jd(M.closePo, { poOrderNo })).resolves.toMatchObject({ poCloseJosResponse: { code: 1, msg: han } });
    const po = await queryPo(poOrderNo);
    expect(po).toMatchObject({ poOrderStatus: '70', completeTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) });
    expect(po.poItemModelList).toEqual([expect.objectContaining({ realInstoreQty: '4', shortQty: '6' })]);
    expect(await totalStock(goodsNo)).toBe(4);
    expect(sim.state.purchaseOrders.find(poOrderNo)?.closeTime).toEqual(expect.any(String));
    // Nothing more arrives on a closed PO.
    expect((await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {})).status).toBe(409);
  });

  it('is idempotent: closing a closed PO answers code 1 again and changes nothing', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 5 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 2 }], complete: false });
    await jd(M.closePo, { poOrderNo });
    const before = structuredClone(sim.state.purchaseOrders.find(poOrderNo));
    await expect(jd(M.closePo, { poOrderNo })).resolves.toMatchObject({ poCloseJosResponse: { code: 1 } });
    expect(sim.state.purchaseOrders.find(poOrderNo)).toEqual(before);
  });

  it('refuses a PO completed by receipt, a cancelled PO and an unknown one with a Chinese business error, unchanged', async () => {
    const goodsNo = await createGoods();
    const completed = await createPo([{ goodsNo, quantity: 3 }]);
    await move(`/_sim/purchase-orders/${completed}/receive`);
    const completedError = await jdError(M.closePo, { poOrderNo: completed });
    expect(completedError).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('已完成') });
    expect(sim.state.purchaseOrders.find(completed)?.status).toBe('70');
    expect(sim.state.purchaseOrders.find(completed)?.closeTime).toBeUndefined();

    const cancelled = await createPo([{ goodsNo, quantity: 3 }]);
    await jd(M.cancelPo, { poOrderNo: cancelled });
    expect(await jdError(M.closePo, { poOrderNo: cancelled })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('已取消') });
    expect(sim.state.purchaseOrders.find(cancelled)?.status).toBe('91');

    expect(await jdError(M.closePo, { poOrderNo: 'EPL0000000000000' })).toMatchObject({ code: '1000', zh_desc: han });
    expect(await jdError(M.closePo, {})).toMatchObject({ code: '61', zh_desc: expect.stringContaining('poOrderNo') });
  });
});

describe('defective quantities', () => {
  it('a receipt line with defectiveQty is reported as damagedQty, not put away, and not short on completion', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 10 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 5, defectiveQty: 2 }], complete: false });
    let po = await queryPo(poOrderNo);
    expect(po).toMatchObject({ poOrderStatus: '20', poItemModelList: [expect.objectContaining({ realInstoreQty: '5', damagedQty: '2', shortQty: '0' })] });
    expect(await totalStock(goodsNo)).toBe(5);

    // Only defective units this time; then completion books the remaining 2 as short.
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 0, defectiveQty: 1 }], complete: true });
    po = await queryPo(poOrderNo);
    expect(po).toMatchObject({ poOrderStatus: '70', poItemModelList: [expect.objectContaining({ realInstoreQty: '5', damagedQty: '3', shortQty: '2' })] });
    expect(await totalStock(goodsNo)).toBe(5);
  });

  it('a PO with defective units only cannot be cancelled any more (something arrived)', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 4 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 0, defectiveQty: 1 }], complete: false });
    await expect(jd(M.cancelPo, { poOrderNo })).resolves.toMatchObject({ poResult: { code: 2 } });
  });

  it('refuses a receipt line of zero units or a negative defectiveQty (400), changing nothing', async () => {
    const goodsNo = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 4 }]);
    for (const line of [{ goodsNo, quantity: 0 }, { goodsNo, quantity: 1, defectiveQty: -1 }, { goodsNo, quantity: 0, defectiveQty: 0 }]) {
      const answer = await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [line], complete: false });
      expect(answer.status).toBe(400);
    }
    expect((await queryPo(poOrderNo)).poItemModelList).toEqual([expect.objectContaining({ realInstoreQty: '0', damagedQty: '0' })]);
  });
});

describe('duplicateSpPoOrderNo behaviour', () => {
  it('defaults to return-existing: a repeated spPoOrderNo answers the same poOrderNo, no second PO', async () => {
    expect((await control('GET', '/_sim/behaviour')).body).toMatchObject({ duplicateSpPoOrderNo: 'return-existing' });
    const goodsNo = await createGoods();
    const params = poParams([{ goodsNo, quantity: 2 }]);
    const { poOrderNo } = await jd(M.addPo, params);
    await expect(jd(M.addPo, params)).resolves.toMatchObject({ poOrderNo });
    expect(sim.state.purchaseOrders.list()).toHaveLength(1);
  });

  it('reject refuses a repeated spPoOrderNo with code 1000 and 采购单号已存在, creating nothing; new numbers still pass', async () => {
    const goodsNo = await createGoods();
    const params = poParams([{ goodsNo, quantity: 2 }]);
    const { poOrderNo } = await jd(M.addPo, params);
    expect((await control('POST', '/_sim/behaviour', { duplicateSpPoOrderNo: 'reject' })).body).toMatchObject({ duplicateSpPoOrderNo: 'reject', duplicateIsvUuid: 'return-existing' });

    const refused = await jdError(M.addPo, params);
    expect(refused).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('采购单号已存在'), en_desc: expect.stringMatching(/already exists/) });
    expect(refused.zh_desc).toContain(params.spPoOrderNo as string);
    expect(sim.state.purchaseOrders.list().map((po) => po.poOrderNo)).toEqual([poOrderNo]);
    await expect(jd(M.addPo, poParams([{ goodsNo, quantity: 1 }]))).resolves.toMatchObject({ poOrderNo: expect.stringMatching(/^EPL/) });
  });

  it('refuses a bad value (400, unchanged); reset restores return-existing', async () => {
    const bad = await control('POST', '/_sim/behaviour', { duplicateSpPoOrderNo: 'ignore' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('duplicateSpPoOrderNo');
    await control('POST', '/_sim/behaviour', { duplicateSpPoOrderNo: 'reject' });
    expect((await control('GET', '/_sim/behaviour')).body).toMatchObject({ duplicateSpPoOrderNo: 'reject' });
    await control('POST', '/_sim/reset');
    expect((await control('GET', '/_sim/behaviour')).body).toEqual({ duplicateIsvUuid: 'return-existing', lookupLagMs: 0, duplicateSpPoOrderNo: 'return-existing' });
  });
});
