// Every simulated JD API over real HTTP with raw signed requests (eclp/protocol.ts via simulator/jd-call),
// not the ECLP client: happy paths, JD's response shapes and the validation refusals of each API.
import { simulatorForFile } from '../support';

type Row = Record<string, unknown>;

const DEPT = 'EBU0000000000001';
const SHOP = 'ESP0000000000001';
const ISV = 'ISV0000000000001';
const BJ = '110000001';
const SH = '110000002';
const SUPPLIER = 'EMS0000000000001';
const M = {
  goods: 'jingdong.eclp.goods.transportGoodsInfo',
  addPo: 'jingdong.eclp.po.addPoOrder',
  cancelPo: 'jingdong.eclp.po.cancalPoOrder',
  queryPo: 'jingdong.eclp.po.queryPoOrder',
  closePo: 'jingdong.eclp.po.closePo',
  addSid: 'jingdong.eclp.po.addPoSidDetail',
  stock: 'jingdong.eclp.stock.queryStock',
  addOrder: 'jingdong.eclp.order.addOrder',
  queryOrder: 'jingdong.eclp.order.queryOrder',
  queryOrderStatus: 'jingdong.eclp.order.queryOrderStatus',
  extQuery: 'jingdong.eclp.order.ext.queryOrder',
  rtw: 'jingdong.eclp.rtw.transportRtw',
  queryRtw: 'jingdong.eclp.rtw.queryRtw',
  goodsSerial: 'jingdong.eclp.goods.queryGoodsSerial',
  serialByBill: 'jingdong.eclp.serial.queryPageSerialByBillNo',
  serialInStock: 'jingdong.eclp.serial.queryInStockSIDBySku',
} as const;

const simulator = simulatorForFile();
const { raw, jd, jdError, control, move } = simulator;
let sequence = 0;
const unique = (prefix: string) => `${prefix}${(sequence += 1)}`;

const han = expect.stringMatching(/\p{Script=Han}/u);

function goodsParams(overrides: Row = {}): Row {
  const isvGoodsNo = unique('SKU-');
  return { deptNo: DEPT, isvGoodsNo, barcodes: `69${Date.now()}${sequence}`, thirdCategoryNo: '4159', goodsName: `商品${isvGoodsNo}`, safeDays: 0, ...overrides };
}

async function createGoods(overrides: Row = {}): Promise<{ goodsNo: string; isvGoodsNo: string }> {
  const params = goodsParams(overrides);
  const { goodsNo } = await jd(M.goods, params);
  return { goodsNo: goodsNo as string, isvGoodsNo: params.isvGoodsNo as string };
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

async function createPo(lines: Array<{ goodsNo: string; quantity: number }>, overrides: Row = {}): Promise<string> {
  return (await jd(M.addPo, poParams(lines, overrides))).poOrderNo as string;
}

function orderParams(lines: Array<{ goodsNo: string; quantity: number }>, overrides: Row = {}): Row {
  return {
    isvUUID: unique('SO-'),
    isvSource: ISV,
    shopNo: SHOP,
    departmentNo: DEPT,
    salePlatformSource: '6',
    salesPlatformOrderNo: unique('TB-'),
    consigneeName: '张三',
    consigneeMobile: '13800000000',
    consigneeAddress: '北京市朝阳区建国路1号',
    addressProvince: '北京',
    orderMark: '0'.repeat(50),
    warehouseNo: BJ,
    shipperNo: 'CYS0000010',
    goodsNo: lines.map((l) => l.goodsNo).join(','),
    quantity: lines.map((l) => l.quantity).join(','),
    price: lines.map(() => '19.90').join(','),
    ...overrides,
  };
}

async function createOrder(lines: Array<{ goodsNo: string; quantity: number }>, overrides: Row = {}): Promise<string> {
  return (await jd(M.addOrder, orderParams(lines, overrides))).eclpSoNo as string;
}

async function shipOrder(eclpSoNo: string): Promise<void> {
  await move(`/_sim/sales-orders/${eclpSoNo}/pick`);
  await move(`/_sim/sales-orders/${eclpSoNo}/pack`);
  await move(`/_sim/sales-orders/${eclpSoNo}/ship`);
}

async function stockRows(warehouseNo: string, extra: Row = {}): Promise<Row[]> {
  return (await jd(M.stock, { deptNo: DEPT, warehouseNo, ...extra })).querystock_result as Row[];
}

async function totalStock(goodsNo: string, warehouseNo = BJ): Promise<number> {
  const rows = await stockRows(warehouseNo, { goodsNo, returnZeroStock: 2 });
  return rows.reduce((sum, row) => sum + (row.totalNum as number), 0);
}

async function queryPo(poOrderNo: string): Promise<Row> {
  const [po] = (await jd(M.queryPo, { poOrderNo })).queryPoModelList as Row[];
  return po!;
}

describe('transportGoodsInfo', () => {
  it('creates goods with an EMG number; the same isvGoodsNo answers the same number', async () => {
    const params = goodsParams();
    const { goodsNo } = await jd(M.goods, params);
    expect(goodsNo).toMatch(/^EMG\d{13}$/);
    await expect(jd(M.goods, params)).resolves.toMatchObject({ goodsNo });
    expect(simulator.sim.state.goods.list()).toHaveLength(1);
  });

  it('accepts numbers as JSON strings or numbers, and the second third-level category', async () => {
    await expect(jd(M.goods, goodsParams({ safeDays: '30', thirdCategoryNo: 4160 }))).resolves.toMatchObject({ goodsNo: expect.stringMatching(/^EMG/) });
  });

  it('refuses a barcode already used by other goods (1000) but not the goods’ own barcode', async () => {
    const first = goodsParams({ barcodes: '6900000000001,6900000000002' });
    await jd(M.goods, first);
    const error = await jdError(M.goods, goodsParams({ barcodes: '6900000000002' }));
    expect(error).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('6900000000002') });
    await expect(jd(M.goods, first)).resolves.toMatchObject({ goodsNo: expect.any(String) });
  });

  it('refuses an unknown category (1000) until the catalogue knows it', async () => {
    expect(await jdError(M.goods, goodsParams({ thirdCategoryNo: '5000' }))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('5000') });
    await control('POST', '/_sim/catalogue', { categories: [{ firstNo: '9000', secondNo: '9001', thirdNo: '5000', name: '新类目' }] });
    await expect(jd(M.goods, goodsParams({ thirdCategoryNo: '5000' }))).resolves.toMatchObject({ goodsNo: expect.any(String) });
  });

  it('names a missing field (61) and refuses a foreign department (1000)', async () => {
    expect(await jdError(M.goods, goodsParams({ goodsName: '' }))).toMatchObject({ code: '61', zh_desc: expect.stringContaining('goodsName') });
    expect(await jdError(M.goods, goodsParams({ safeDays: -1 }))).toMatchObject({ code: '61', zh_desc: expect.stringContaining('safeDays') });
    expect(await jdError(M.goods, goodsParams({ deptNo: 'EBU0000000009999' }))).toMatchObject({ code: '1000', zh_desc: han });
  });
});

describe('purchase orders', () => {
  it('creates a PO in status 20, idempotent by spPoOrderNo, with JD string quantities', async () => {
    const goods = await createGoods();
    const params = poParams([{ goodsNo: goods.goodsNo, quantity: 10 }]);
    const { poOrderNo } = await jd(M.addPo, params);
    expect(poOrderNo).toMatch(/^EPL\d{13}$/);
    await expect(jd(M.addPo, params)).resolves.toMatchObject({ poOrderNo });
    expect(simulator.sim.state.purchaseOrders.list()).toHaveLength(1);

    const { queryPoModelList } = await jd(M.queryPo, { poOrderNo });
    expect(queryPoModelList).toEqual([
      expect.objectContaining({
        poOrderNo,
        isvPoOrderNo: params.spPoOrderNo,
        whNo: BJ,
        supplierNo: SUPPLIER,
        poOrderStatus: '20',
        poItemModelList: [expect.objectContaining({ goodsNo: goods.goodsNo, isvGoodsNo: goods.isvGoodsNo, numApplication: '10', realInstoreQty: '0' })],
      }),
    ]);
  });

  it('takes lines by merchant goods code', async () => {
    const goods = await createGoods();
    const poOrderNo = await createPo([], { deptGoodsNo: undefined, isvGoodsNo: goods.isvGoodsNo, numApplication: '3', goodsStatus: '1' });
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)?.lines).toEqual([expect.objectContaining({ goodsNo: goods.goodsNo, numApplication: 3 })]);
  });

  it('refuses unknown warehouse, supplier or goods (1000), bad line lists and quantities (61); nothing is created', async () => {
    const { goodsNo } = await createGoods();
    const line = [{ goodsNo, quantity: 1 }];
    expect(await jdError(M.addPo, poParams(line, { whNo: '119999999' }))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('119999999') });
    expect(await jdError(M.addPo, poParams(line, { supplierNo: 'EMS9999999999999' }))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('EMS9999999999999') });
    expect(await jdError(M.addPo, poParams([{ goodsNo: 'EMG0000000000000', quantity: 1 }]))).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('EMG0000000000000') });
    expect(await jdError(M.addPo, poParams(line, { numApplication: '1,2' }))).toMatchObject({ code: '61', zh_desc: expect.stringContaining('行数') });
    expect(await jdError(M.addPo, poParams([{ goodsNo, quantity: 0 }]))).toMatchObject({ code: '61', zh_desc: expect.stringContaining('numApplication') });
    expect(await jdError(M.addPo, poParams(line, { numApplication: '1.5' }))).toMatchObject({ code: '61', zh_desc: expect.stringContaining('numApplication') });
    expect(await jdError(M.addPo, poParams(line, { goodsStatus: undefined }))).toMatchObject({ code: '61', zh_desc: expect.stringContaining('goodsStatus') });
    expect(simulator.sim.state.purchaseOrders.list()).toHaveLength(0);
  });

  it('queries up to 100 numbers at once; unknown ones are absent, 101 is refused', async () => {
    const { goodsNo } = await createGoods();
    const a = await createPo([{ goodsNo, quantity: 1 }]);
    const b = await createPo([{ goodsNo, quantity: 2 }]);
    const { queryPoModelList } = await jd(M.queryPo, { poOrderNo: `${a},EPL0000000000000,${b}` });
    expect((queryPoModelList as Row[]).map((po) => po.poOrderNo)).toEqual([a, b]);
    const many = Array.from({ length: 101 }, (_, i) => `EPL${String(i).padStart(13, '0')}`).join(',');
    expect(await jdError(M.queryPo, { poOrderNo: many })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('100') });
  });

  it('partial receipt keeps 20 and raises stock; completion sets 70 and the shortfall', async () => {
    const { goodsNo } = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 10 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 4 }], complete: false });
    let [po] = (await jd(M.queryPo, { poOrderNo })).queryPoModelList as Row[];
    expect(po).toMatchObject({ poOrderStatus: '20', poItemModelList: [expect.objectContaining({ realInstoreQty: '4', shortQty: '0' })] });
    expect(await totalStock(goodsNo)).toBe(4);

    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 3 }], complete: true });
    [po] = (await jd(M.queryPo, { poOrderNo })).queryPoModelList as Row[];
    expect(po).toMatchObject({ poOrderStatus: '70', completeTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) });
    expect(po?.poItemModelList).toEqual([expect.objectContaining({ realInstoreQty: '7', shortQty: '3' })]);
    expect(await totalStock(goodsNo)).toBe(7);
    expect((await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {})).status).toBe(409);
  });

  it('receiving without lines takes everything outstanding and completes', async () => {
    const { goodsNo } = await createGoods();
    const poOrderNo = await createPo([{ goodsNo, quantity: 6 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 2 }], complete: false });
    const po = await move(`/_sim/purchase-orders/${poOrderNo}/receive`);
    expect(po).toMatchObject({ status: '70', lines: [expect.objectContaining({ realInstoreQty: 6, shortQty: 0 })] });
    expect(await totalStock(goodsNo)).toBe(6);
  });

  it('cancels an untouched PO (code 1, status 91), repeatably; refuses after a receipt (code 2, unchanged)', async () => {
    const { goodsNo } = await createGoods();
    const open = await createPo([{ goodsNo, quantity: 5 }]);
    await expect(jd(M.cancelPo, { poOrderNo: open })).resolves.toMatchObject({ poResult: { code: 1, msg: han } });
    await expect(jd(M.cancelPo, { poOrderNo: open })).resolves.toMatchObject({ poResult: { code: 1 } });
    expect(simulator.sim.state.purchaseOrders.find(open)?.status).toBe('91');

    const started = await createPo([{ goodsNo, quantity: 5 }]);
    await move(`/_sim/purchase-orders/${started}/receive`, { lines: [{ goodsNo, quantity: 1 }], complete: false });
    await expect(jd(M.cancelPo, { poOrderNo: started })).resolves.toMatchObject({ poResult: { code: 2, msg: han } });
    expect(simulator.sim.state.purchaseOrders.find(started)?.status).toBe('20');
    expect(await jdError(M.cancelPo, { poOrderNo: 'EPL0000000000000' })).toMatchObject({ code: '1000' });
  });
});

// po.closePo (采购关单, eclp-api.md §3.15d), defective quantities reported as damagedQty (§3.4), and the
// duplicateSpPoOrderNo behaviour switch (§3.2 is unsure what JD answers for a repeated spPoOrderNo).
describe('po.closePo', () => {
  it('closes a partly received PO: code 1, status 70, the rest short, stock as received, timeline stopped', async () => {
    const goodsNo = (await createGoods()).goodsNo;
    const poOrderNo = await createPo([{ goodsNo, quantity: 10 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 4 }], complete: false });

    await expect(jd(M.closePo, { poOrderNo })).resolves.toMatchObject({ poCloseJosResponse: { code: 1, msg: han } });
    const po = await queryPo(poOrderNo);
    expect(po).toMatchObject({ poOrderStatus: '70', completeTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) });
    expect(po.poItemModelList).toEqual([expect.objectContaining({ realInstoreQty: '4', shortQty: '6' })]);
    expect(await totalStock(goodsNo)).toBe(4);
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)?.closeTime).toEqual(expect.any(String));
    // Nothing more arrives on a closed PO.
    expect((await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {})).status).toBe(409);
  });

  it('is idempotent: closing a closed PO answers code 1 again and changes nothing', async () => {
    const goodsNo = (await createGoods()).goodsNo;
    const poOrderNo = await createPo([{ goodsNo, quantity: 5 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 2 }], complete: false });
    await jd(M.closePo, { poOrderNo });
    const before = structuredClone(simulator.sim.state.purchaseOrders.find(poOrderNo));
    await expect(jd(M.closePo, { poOrderNo })).resolves.toMatchObject({ poCloseJosResponse: { code: 1 } });
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)).toEqual(before);
  });

  it('refuses a PO completed by receipt, a cancelled PO and an unknown one with a Chinese business error, unchanged', async () => {
    const goodsNo = (await createGoods()).goodsNo;
    const completed = await createPo([{ goodsNo, quantity: 3 }]);
    await move(`/_sim/purchase-orders/${completed}/receive`);
    const completedError = await jdError(M.closePo, { poOrderNo: completed });
    expect(completedError).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('已完成') });
    expect(simulator.sim.state.purchaseOrders.find(completed)?.status).toBe('70');
    expect(simulator.sim.state.purchaseOrders.find(completed)?.closeTime).toBeUndefined();

    const cancelled = await createPo([{ goodsNo, quantity: 3 }]);
    await jd(M.cancelPo, { poOrderNo: cancelled });
    expect(await jdError(M.closePo, { poOrderNo: cancelled })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('已取消') });
    expect(simulator.sim.state.purchaseOrders.find(cancelled)?.status).toBe('91');

    expect(await jdError(M.closePo, { poOrderNo: 'EPL0000000000000' })).toMatchObject({ code: '1000', zh_desc: han });
    expect(await jdError(M.closePo, {})).toMatchObject({ code: '61', zh_desc: expect.stringContaining('poOrderNo') });
  });
});

describe('defective quantities', () => {
  it('a receipt line with defectiveQty is reported as damagedQty, not put away, and not short on completion', async () => {
    const goodsNo = (await createGoods()).goodsNo;
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
    const goodsNo = (await createGoods()).goodsNo;
    const poOrderNo = await createPo([{ goodsNo, quantity: 4 }]);
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 0, defectiveQty: 1 }], complete: false });
    await expect(jd(M.cancelPo, { poOrderNo })).resolves.toMatchObject({ poResult: { code: 2 } });
  });

  it('refuses a receipt line of zero units or a negative defectiveQty (400), changing nothing', async () => {
    const goodsNo = (await createGoods()).goodsNo;
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
    const goodsNo = (await createGoods()).goodsNo;
    const params = poParams([{ goodsNo, quantity: 2 }]);
    const { poOrderNo } = await jd(M.addPo, params);
    await expect(jd(M.addPo, params)).resolves.toMatchObject({ poOrderNo });
    expect(simulator.sim.state.purchaseOrders.list()).toHaveLength(1);
  });

  it('reject refuses a repeated spPoOrderNo with code 1000 and 采购单号已存在, creating nothing; new numbers still pass', async () => {
    const goodsNo = (await createGoods()).goodsNo;
    const params = poParams([{ goodsNo, quantity: 2 }]);
    const { poOrderNo } = await jd(M.addPo, params);
    expect((await control('POST', '/_sim/behaviour', { duplicateSpPoOrderNo: 'reject' })).body).toMatchObject({ duplicateSpPoOrderNo: 'reject', duplicateIsvUuid: 'return-existing' });

    const refused = await jdError(M.addPo, params);
    expect(refused).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('采购单号已存在'), en_desc: expect.stringMatching(/already exists/) });
    expect(refused.zh_desc).toContain(params.spPoOrderNo as string);
    expect(simulator.sim.state.purchaseOrders.list().map((po) => po.poOrderNo)).toEqual([poOrderNo]);
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

describe('sales orders', () => {
  it('creates an order in 10010, idempotent by isvUUID, and answers queryOrder in JD shape', async () => {
    const { goodsNo, isvGoodsNo } = await createGoods();
    const params = orderParams([{ goodsNo, quantity: 2 }]);
    const { eclpSoNo } = await jd(M.addOrder, params);
    expect(eclpSoNo).toMatch(/^ESL\d{13}$/);
    await expect(jd(M.addOrder, params)).resolves.toMatchObject({ eclpSoNo });
    expect((await control('GET', `/_sim/sales-orders?isvUUID=${params.isvUUID as string}`)).body).toHaveLength(1);

    const { queryorder_result: detail } = await jd(M.queryOrder, { eclpSoNo });
    expect(detail).toMatchObject({
      eclpSoNo,
      isvUUID: params.isvUUID,
      warehouseNo: BJ,
      shipperNo: 'CYS0000010',
      shipperName: '京东快递',
      consigneeName: '张三',
      currentStatus: '10010',
      wayBill: '',
      orderDetailList: [expect.objectContaining({ goodsNo, isvGoodsNo, quantity: 2 })],
      orderStatusList: [expect.objectContaining({ soStatusCode: '10010', soStatusName: han, operateTime: expect.any(String) })],
    });
    await expect(jd(M.queryOrderStatus, { eclpSoNo })).resolves.toMatchObject({
      queryorderstatus_result: { eclpSoNo, isvUUID: params.isvUUID, orderStatusList: [expect.objectContaining({ soStatusCode: '10010' })] },
    });
  });

  it('resolves lines by merchant goods code; goodsNo wins when both are sent', async () => {
    const a = await createGoods();
    const b = await createGoods();
    const byIsv = await createOrder([], { goodsNo: undefined, isvGoodsNo: a.isvGoodsNo, quantity: '1', price: undefined });
    expect(simulator.sim.state.salesOrders.find(byIsv)?.lines[0]?.goodsNo).toBe(a.goodsNo);
    const both = await createOrder([], { goodsNo: b.goodsNo, isvGoodsNo: a.isvGoodsNo, quantity: '1', price: undefined });
    expect(simulator.sim.state.salesOrders.find(both)?.lines[0]?.goodsNo).toBe(b.goodsNo);
  });

  it.each([
    ['consigneeName', { consigneeName: '' }],
    ['consigneeAddress', { consigneeAddress: undefined }],
    ['consigneeMobile', { consigneeMobile: undefined, consigneePhone: undefined }],
    ['quantity', { quantity: '0' }],
    ['quantity', { quantity: '-2' }],
    ['quantity', { quantity: 'abc' }],
    ['price', { price: '1,2' }],
    ['orderMark', { orderMark: undefined }],
    ['shopNo', { shopNo: undefined }],
  ])('refuses a bad %s (%j) with 61 naming it, creating nothing', async (field, overrides) => {
    const { goodsNo } = await createGoods();
    const error = await jdError(M.addOrder, orderParams([{ goodsNo, quantity: 1 }], overrides));
    expect(error).toMatchObject({ code: '61', zh_desc: expect.stringContaining(field), en_desc: expect.any(String) });
    expect(error.zh_desc).toMatch(/\p{Script=Han}/u);
    expect(simulator.sim.state.salesOrders.list()).toHaveLength(0);
  });

  it('accepts a phone instead of a mobile, and B2B orders without a shop', async () => {
    const { goodsNo } = await createGoods();
    await expect(createOrder([{ goodsNo, quantity: 1 }], { consigneeMobile: undefined, consigneePhone: '010-12345678' })).resolves.toMatch(/^ESL/);
    await expect(createOrder([{ goodsNo, quantity: 1 }], { soType: 2, shopNo: undefined })).resolves.toMatch(/^ESL/);
  });

  it.each([
    ['warehouse', { warehouseNo: '119999999' }],
    ['shipper', { shipperNo: 'CYS9999999' }],
    ['goods', { goodsNo: 'EMG0000000000000' }],
    ['shop', { shopNo: 'ESP0000000009999' }],
    ['ISV source', { isvSource: 'ISV0000000009999' }],
    ['department', { departmentNo: 'EBU0000000009999' }],
  ])('refuses an unknown %s with 1000', async (_what, overrides) => {
    const { goodsNo } = await createGoods();
    await expect(jdError(M.addOrder, orderParams([{ goodsNo, quantity: 1 }], overrides))).resolves.toMatchObject({ code: '1000', zh_desc: han });
    expect(simulator.sim.state.salesOrders.list()).toHaveLength(0);
  });

  it('knows a warehouse and shipper once the catalogue has them', async () => {
    const { goodsNo } = await createGoods();
    await control('POST', '/_sim/catalogue', { warehouses: [{ warehouseNo: '110000009', name: '广州仓' }], shippers: [{ shipperNo: 'CYS0000099', name: '顺丰' }] });
    await expect(createOrder([{ goodsNo, quantity: 1 }], { warehouseNo: '110000009', shipperNo: 'CYS0000099' })).resolves.toMatch(/^ESL/);
  });

  it('refuses mismatched line lists with 61', async () => {
    const a = await createGoods();
    const b = await createGoods();
    const error = await jdError(M.addOrder, orderParams([a, b].map((g) => ({ goodsNo: g.goodsNo, quantity: 1 })), { quantity: '1' }));
    expect(error).toMatchObject({ code: '61', zh_desc: expect.stringMatching(/quantity.*行数/) });
  });

  it('answers order.ext.queryOrder with one row per known isvUUID', async () => {
    const { goodsNo } = await createGoods();
    const params = orderParams([{ goodsNo, quantity: 1 }]);
    const { eclpSoNo } = await jd(M.addOrder, params);
    const result = await jd(M.extQuery, { isvUUID: `${params.isvUUID as string},NEVER-SENT`, isvSource: ISV, departmentNo: DEPT });
    expect(Object.keys(await raw(M.extQuery, { isvUUID: 'X' }))).toEqual(['jingdong_eclp_order_ext_queryOrder_responce']);
    expect(result.queryorder_result).toEqual([
      { isvUUID: params.isvUUID, spSoNo: params.salesPlatformOrderNo, eclpSoNo, wayBill: '', mainStatus: 10010, resultCode: 1, resultMessage: han, operTime: expect.any(String) },
    ]);
    await shipOrder(eclpSoNo as string);
    const [shipped] = (await jd(M.extQuery, { spSoNos: params.salesPlatformOrderNo })).queryorder_result as Row[];
    expect(shipped).toMatchObject({ eclpSoNo, mainStatus: 10019, wayBill: expect.stringMatching(/^JDV\d{12}$/) });
    expect(await jdError(M.extQuery, {})).toMatchObject({ code: '61', zh_desc: expect.stringContaining('isvUUID') });
  });

  it('refuses queries for unknown orders with 1000', async () => {
    expect(await jdError(M.queryOrder, { eclpSoNo: 'ESL0000000000000' })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('ESL0000000000000') });
    expect(await jdError('jingdong.eclp.order.cancelOrder', { eclpSoNo: 'ESL0000000000000' })).toMatchObject({ code: '1000' });
    expect(await jdError(M.queryOrder, {})).toMatchObject({ code: '61', zh_desc: expect.stringContaining('eclpSoNo') });
  });
});

describe('returns', () => {
  async function shippedOrder(quantity = 2) {
    const { goodsNo } = await createGoods();
    const eclpSoNo = await createOrder([{ goodsNo, quantity }]);
    await shipOrder(eclpSoNo);
    return { goodsNo, eclpSoNo };
  }

  it('registers a return for a shipped order (100), idempotent by isvRtwNum, queryable both ways', async () => {
    const { goodsNo, eclpSoNo } = await shippedOrder(2);
    const isvRtwNum = unique('RT-');
    const { transportrtw_result: created } = await jd(M.rtw, { eclpSoNo, isvRtwNum, warehouseNo: BJ, reson: '七天无理由', orderInType: 1 });
    expect(created).toMatchObject({ eclpRtwNo: expect.stringMatching(/^ESR\d{13}$/), isvRtwNum, eclpSoNo, status: '100', resultCode: 1 });
    const { eclpRtwNo } = created as Row;
    await expect(jd(M.rtw, { eclpSoNo, isvRtwNum })).resolves.toMatchObject({ transportrtw_result: { eclpRtwNo } });
    expect(simulator.sim.state.returns.list()).toHaveLength(1);

    const bySo = (await jd(M.queryRtw, { eclpSoNo })).queryrtw_result;
    const byRtw = (await jd(M.queryRtw, { eclpRtwNo })).queryrtw_result;
    expect(bySo).toEqual(byRtw);
    expect(bySo).toEqual([
      expect.objectContaining({ eclpRtwNo, status: '100', reason: '七天无理由', rtwDetailsModelList: [expect.objectContaining({ goodsNo, planQty: 2, realQty: 0 })] }),
    ]);
  });

  it('receipt sets 200 with realQty and raises stock; a partial receipt counts what came back', async () => {
    const { goodsNo, eclpSoNo } = await shippedOrder(3);
    expect(await totalStock(goodsNo)).toBe(-3);
    const { eclpRtwNo } = (await jd(M.rtw, { eclpSoNo, isvRtwNum: unique('RT-') })).transportrtw_result as Row;
    await move(`/_sim/returns/${eclpRtwNo as string}/receive`, { lines: [{ goodsNo, quantity: 2 }] });
    const [received] = (await jd(M.queryRtw, { eclpRtwNo })).queryrtw_result as Row[];
    expect(received).toMatchObject({ status: '200', finishTime: expect.any(String), rtwDetailsModelList: [expect.objectContaining({ planQty: 3, realQty: 2 })] });
    expect(await totalStock(goodsNo)).toBe(-1);
  });

  it('rejection sets 600 and leaves stock alone', async () => {
    const { goodsNo, eclpSoNo } = await shippedOrder(1);
    const { eclpRtwNo } = (await jd(M.rtw, { eclpSoNo, isvRtwNum: unique('RT-') })).transportrtw_result as Row;
    await move(`/_sim/returns/${eclpRtwNo as string}/reject`, { reason: '包装破损' });
    await expect(jd(M.queryRtw, { eclpRtwNo })).resolves.toMatchObject({ queryrtw_result: [expect.objectContaining({ status: '600', msg: '包装破损' })] });
    expect(await totalStock(goodsNo)).toBe(-1);
    expect((await control('POST', `/_sim/returns/${eclpRtwNo as string}/receive`)).status).toBe(409);
  });

  it('refuses a return for an unshipped or unknown order (1000), and bad queries (61)', async () => {
    const { goodsNo } = await createGoods();
    const eclpSoNo = await createOrder([{ goodsNo, quantity: 1 }]);
    expect(await jdError(M.rtw, { eclpSoNo, isvRtwNum: 'RT-X' })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('发货') });
    expect(await jdError(M.rtw, { eclpSoNo: 'ESL0000000000000', isvRtwNum: 'RT-Y' })).toMatchObject({ code: '1000' });
    expect(await jdError(M.rtw, { eclpSoNo })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('isvRtwNum') });
    await expect(jd(M.queryRtw, { eclpSoNo })).resolves.toMatchObject({ queryrtw_result: [] });
    expect(await jdError(M.queryRtw, { eclpSoNo, eclpRtwNo: 'ESR1' })).toMatchObject({ code: '61' });
  });
});

describe('stock', () => {
  it('moves with PO receipts, shipments and return receipts, per warehouse', async () => {
    const { goodsNo } = await createGoods();
    const po = await createPo([{ goodsNo, quantity: 10 }]);
    await move(`/_sim/purchase-orders/${po}/receive`);
    const eclpSoNo = await createOrder([{ goodsNo, quantity: 4 }]);
    await shipOrder(eclpSoNo);
    const { eclpRtwNo } = (await jd(M.rtw, { eclpSoNo, isvRtwNum: unique('RT-') })).transportrtw_result as Row;
    await move(`/_sim/returns/${eclpRtwNo as string}/receive`);
    expect(await totalStock(goodsNo, BJ)).toBe(10);
    expect(await totalStock(goodsNo, SH)).toBe(0);
    expect(simulator.sim.state.stock.snapshot().movements.map((m) => [m.reason, m.quantity])).toEqual([
      ['PO_RECEIPT', 10],
      ['SHIPMENT', -4],
      ['RETURN_RECEIPT', 4],
    ]);
    const [row] = await stockRows(BJ);
    expect(row).toMatchObject({ deptNo: DEPT, warehouseNo: BJ, warehouseName: '北京仓', goodsNo, totalNum: 10, usableNum: 10, stockStatus: '1', stockType: '1' });
  });

  it('pages rows with currentPage/pageSize, omits zero rows unless asked', async () => {
    const goods = [];
    for (let i = 0; i < 5; i += 1) goods.push(await createGoods());
    const idle = await createGoods();
    const po = await createPo(goods.map((g, i) => ({ goodsNo: g.goodsNo, quantity: i + 1 })), { whNo: SH });
    await move(`/_sim/purchase-orders/${po}/receive`);

    const pages = [];
    for (let page = 1; page <= 3; page += 1) pages.push(await stockRows(SH, { currentPage: page, pageSize: 2 }));
    expect(pages.map((rows) => rows.length)).toEqual([2, 2, 1]);
    expect(pages.flat().every((row) => row.recordCount === 5)).toBe(true);
    expect(pages.flat().map((row) => row.goodsNo).sort()).toEqual(goods.map((g) => g.goodsNo).sort());
    expect(await stockRows(SH, { currentPage: 4, pageSize: 2 })).toEqual([]);

    const withZero = await stockRows(SH, { returnZeroStock: 2 });
    expect(withZero).toHaveLength(6);
    expect(withZero.find((row) => row.goodsNo === idle.goodsNo)).toMatchObject({ totalNum: 0 });
    expect(await stockRows(SH, { stockStatus: 2 })).toEqual([]);
  });

  it('refuses an unknown warehouse (1000) and a missing one (61)', async () => {
    expect(await jdError(M.stock, { deptNo: DEPT, warehouseNo: '119999999' })).toMatchObject({ code: '1000' });
    expect(await jdError(M.stock, { deptNo: DEPT })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('warehouseNo') });
    expect(await jdError(M.stock, { deptNo: DEPT, warehouseNo: BJ, pageSize: 0 })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('pageSize') });
  });
});

describe('serial numbers', () => {
  async function poWithSerials(quantity: number, serials: string[]) {
    const { goodsNo } = await createGoods({ serial: 2 });
    const poOrderNo = await createPo([{ goodsNo, quantity }]);
    const result = await jd(M.addSid, { poNo: poOrderNo, version: 1, pin: 'merchant-pin', deptGoodsNo: serials.map(() => goodsNo).join(','), serialNo: serials.join(',') });
    expect(result).toMatchObject({ addPoSidResult: expect.any(String) });
    return { goodsNo, poOrderNo };
  }

  it('uploaded serials come into stock when the PO is received, queryable by bill and by goods, paged', async () => {
    const serials = ['SN1', 'SN2', 'SN3', 'SN4', 'SN5'];
    const { goodsNo, poOrderNo } = await poWithSerials(5, serials);
    await expect(jd(M.serialInStock, { goodsNo, pageNo: 1, pageSize: 10 })).resolves.toMatchObject({ queryinstocksidbysku_result: { total: 0, serialNos: [] } });

    await move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity: 3 }], complete: false });
    await expect(jd(M.serialInStock, { goodsNo, pageNo: 1, pageSize: 10 })).resolves.toMatchObject({ queryinstocksidbysku_result: { total: 3, serialNos: ['SN1', 'SN2', 'SN3'] } });
    await move(`/_sim/purchase-orders/${poOrderNo}/receive`);

    const { goodsSerialList } = await jd(M.goodsSerial, { bizNo: poOrderNo });
    expect(goodsSerialList).toHaveLength(5);
    expect((goodsSerialList as Row[])[0]).toEqual({ businessNo: poOrderNo, businessType: '11', departmentNo: DEPT, goodsNo, serialNumber: 'SN1' });

    const page2 = (await jd(M.serialByBill, { billNo: poOrderNo, billType: 11, pageNo: 2, pageSize: 2 })).querypageserialbybillno_result;
    expect(page2).toMatchObject({ totalRecords: 5, pageNo: 2, pageSize: 2, storeId: BJ, storeName: '北京仓' });
    expect((page2 as Row).serialNumbers).toEqual([
      expect.objectContaining({ serialNumber: 'SN3', goodsNo, bizNo: poOrderNo, bizType: '11', warehouseNo: BJ }),
      expect.objectContaining({ serialNumber: 'SN4' }),
    ]);
    await expect(jd(M.serialByBill, { billNo: poOrderNo, billType: 24, pageNo: 1, pageSize: 2 })).resolves.toMatchObject({ querypageserialbybillno_result: { totalRecords: 0, serialNumbers: [] } });

    const stockPage3 = (await jd(M.serialInStock, { goodsNo, pageNo: 3, pageSize: 2 })).queryinstocksidbysku_result;
    expect(stockPage3).toEqual({ total: 5, pageNo: 3, pageSize: 2, serialNos: ['SN5'] });
  });

  it('a re-sent upload is harmless; a serial known for the goods elsewhere is refused (1000)', async () => {
    const { goodsNo, poOrderNo } = await poWithSerials(2, ['SN-A', 'SN-B']);
    await jd(M.addSid, { poNo: poOrderNo, version: 1, pin: 'p', deptGoodsNo: `${goodsNo},${goodsNo}`, serialNo: 'SN-A,SN-B' });
    expect(simulator.sim.state.serials.pendingFor(poOrderNo)).toHaveLength(2);
    const other = await createPo([{ goodsNo, quantity: 1 }]);
    expect(await jdError(M.addSid, { poNo: other, version: 1, pin: 'p', deptGoodsNo: goodsNo, serialNo: 'SN-B' })).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('SN-B') });
  });

  it('refuses mismatched lists (61), goods not on the PO and unknown POs (1000)', async () => {
    const { goodsNo, poOrderNo } = await poWithSerials(2, ['SN-C']);
    const stranger = await createGoods();
    expect(await jdError(M.addSid, { poNo: poOrderNo, version: 1, pin: 'p', deptGoodsNo: goodsNo, serialNo: 'SN-D,SN-E' })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('行数') });
    expect(await jdError(M.addSid, { poNo: poOrderNo, version: 1, pin: 'p', deptGoodsNo: stranger.goodsNo, serialNo: 'SN-F' })).toMatchObject({ code: '1000' });
    expect(await jdError(M.addSid, { poNo: 'EPL0000000000000', version: 1, pin: 'p', deptGoodsNo: goodsNo, serialNo: 'SN-G' })).toMatchObject({ code: '1000' });
    expect(await jdError(M.serialByBill, { billNo: poOrderNo, billType: 99, pageNo: 1, pageSize: 2 })).toMatchObject({ code: '61', zh_desc: expect.stringContaining('billType') });
    expect(await jdError(M.serialInStock, { goodsNo: 'EMG0000000000000', pageNo: 1, pageSize: 2 })).toMatchObject({ code: '1000' });
  });

  it('/_sim/serials seeds serials in stock on a chosen bill', async () => {
    const { goodsNo } = await createGoods();
    const seeded = await control('POST', '/_sim/serials', { goodsNo, serialNumbers: ['S-1', 'S-2'], billNo: 'ESL0000000000042', billType: '24', inStock: false });
    expect(seeded).toMatchObject({ status: 201, body: { goodsNo, billNo: 'ESL0000000000042', billType: '24', inStock: [] } });
    await expect(jd(M.serialByBill, { billNo: 'ESL0000000000042', billType: 24, pageNo: 1, pageSize: 10 })).resolves.toMatchObject({ querypageserialbybillno_result: { totalRecords: 2 } });
    await control('POST', '/_sim/serials', { goodsNo, serialNumbers: ['S-3'] });
    await expect(jd(M.serialInStock, { goodsNo, pageNo: 1, pageSize: 10 })).resolves.toMatchObject({ queryinstocksidbysku_result: { serialNos: ['S-3'] } });
    expect((await control('POST', '/_sim/serials', { goodsNo, serialNumbers: ['S-3'] })).status).toBe(409);
    expect((await control('POST', '/_sim/serials', { goodsNo: 'EMG0000000000000', serialNumbers: ['S-9'] })).status).toBe(404);
  });
});
