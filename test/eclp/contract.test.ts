// The ECLP client against the JD simulator over real HTTP: every API, every error class, every cancel
// outcome, paging, partial receipts, idempotent merchant numbers, and credentials the gateway refuses.
// Expectations follow the shared client/simulator contract (see the brief in DESIGN.md §6 and eclp-api.md).
import { credentialsFromEnv, DEV_MERCHANT, type EclpConfig } from '../../eclp/config';
import {
  collect,
  createEclpClient,
  EclpBackendBusyError,
  EclpBusinessError,
  EclpConfigurationError,
  EclpMethod,
  EclpQuotaError,
  EclpTransportError,
  EclpValidationError,
  isAlreadyExistsRefusal,
  salesOrderProgress,
  SerialBillType,
  type EclpClient,
  type EclpClientOptions,
} from '../../eclp';
import { startSimulator } from '../../simulator/server';
import { caughtEclpError as caught, simControl, sleep, type ControlAnswer } from '../support';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const WAREHOUSE = '110000001';
const OTHER_WAREHOUSE = '110000002';
const SHIPPER = 'CYS0000010';
const SUPPLIER = 'EMS0000000000001';
const CATEGORY = '4159';

let sim: Simulator;
let client: EclpClient;
let sequence = 0;

function config(overrides: Partial<EclpConfig> = {}): EclpConfig {
  return { ...credentialsFromEnv(), ...DEV_MERCHANT, gatewayUrl: sim.gatewayUrl, timeoutMs: 5_000, ...overrides };
}
const clientWith = (overrides: Partial<EclpConfig> = {}, options: EclpClientOptions = {}) => createEclpClient(config(overrides), options);

/** Unique merchant numbers per test, so idempotency never hides a missing reset. */
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence += 1)}`;

const control = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ControlAnswer> => simControl(sim.url, method, path, body);

async function expectControl(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const answer = await control(method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const MANUAL_TIMELINE = {
  salesOrder: { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null },
  purchaseOrder: { receiveAfterMs: null },
  returnOrder: { receiveAfterMs: null },
};

async function stats(): Promise<{ total: number; byMethod: Record<string, number> }> {
  return (await expectControl('GET', '/_sim/stats')) as { total: number; byMethod: Record<string, number> };
}

async function ordersByIsvUuid(isvUuid: string): Promise<unknown[]> {
  return (await expectControl('GET', `/_sim/sales-orders?isvUUID=${encodeURIComponent(isvUuid)}`)) as unknown[];
}

async function createGoods(options: { serialManaged?: boolean } = {}): Promise<{ goodsNo: string; isvGoodsNo: string; barcode: string }> {
  const isvGoodsNo = unique('SKU');
  const barcode = `69${Date.now()}${sequence}`;
  const { goodsNo } = await client.transportGoodsInfo({
    isvGoodsNo,
    goodsName: `测试商品 ${isvGoodsNo}`,
    barcodes: [barcode],
    thirdCategoryNo: CATEGORY,
    ...(options.serialManaged !== undefined && { serialManaged: options.serialManaged }),
  });
  return { goodsNo, isvGoodsNo, barcode };
}

const consignee = { name: '张三', mobile: '13800000000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路1号' };

function orderInput(goodsNo: string, overrides: Partial<Parameters<EclpClient['addOrder']>[0]> = {}) {
  return {
    isvUuid: unique('SO'),
    shopOrderNo: unique('TB'),
    warehouseNo: WAREHOUSE,
    shipperNo: SHIPPER,
    consignee,
    lines: [{ goodsNo, quantity: 2, price: 19.9 }],
    ...overrides,
  };
}

async function shippedOrder(goodsNo: string, wayBill?: string): Promise<{ eclpSoNo: string; isvUuid: string }> {
  const input = orderInput(goodsNo);
  const { eclpSoNo } = await client.addOrder(input);
  for (const step of ['pick', 'pack']) await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/${step}`);
  await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/ship`, wayBill === undefined ? {} : { wayBill });
  return { eclpSoNo, isvUuid: input.isvUuid };
}

async function stockOf(goodsNo: string, warehouseNo = WAREHOUSE): Promise<number> {
  const page = await client.queryStock({ warehouseNo, goodsNo, includeZeroStock: true });
  return page.items.filter((row) => row.goodsNo === goodsNo).reduce((sum, row) => sum + row.totalQty, 0);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  client = clientWith();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  await expectControl('POST', '/_sim/reset');
  await expectControl('PUT', '/_sim/timeline', MANUAL_TIMELINE);
});

describe('goods', () => {
  it('creates goods, and the same isvGoodsNo again returns the same goodsNo', async () => {
    const first = await createGoods();
    expect(first.goodsNo).toMatch(/^EMG\d{13}$/);
    const again = await client.transportGoodsInfo({ isvGoodsNo: first.isvGoodsNo, goodsName: 'x', barcodes: [first.barcode], thirdCategoryNo: CATEGORY });
    expect(again.goodsNo).toBe(first.goodsNo);
  });

  it('refuses a barcode owned by other goods, and an unknown category, with business errors', async () => {
    const owner = await createGoods();
    const duplicate = await caught(client.transportGoodsInfo({ isvGoodsNo: unique('SKU'), goodsName: 'x', barcodes: [owner.barcode], thirdCategoryNo: CATEGORY }));
    expect(duplicate).toBeInstanceOf(EclpBusinessError);
    expect(duplicate).toMatchObject({ code: '1000', retryable: false, zhDesc: expect.stringMatching(/\p{Script=Han}/u) });
    const badCategory = await caught(client.transportGoodsInfo({ isvGoodsNo: unique('SKU'), goodsName: 'x', barcodes: ['6911111111111'], thirdCategoryNo: '999999' }));
    expect(badCategory).toMatchObject({ name: 'EclpBusinessError', code: '1000' });
  });
});

describe('purchase orders', () => {
  async function newPo(quantity = 10) {
    const goods = await createGoods();
    const spPoOrderNo = unique('PO');
    const { poOrderNo } = await client.addPoOrder({ spPoOrderNo, warehouseNo: WAREHOUSE, supplierNo: SUPPLIER, lines: [{ goodsNo: goods.goodsNo, quantity }] });
    return { goods, spPoOrderNo, poOrderNo };
  }

  it('creates a PO in status 20; the same spPoOrderNo returns the same poOrderNo', async () => {
    const { goods, spPoOrderNo, poOrderNo } = await newPo();
    expect(poOrderNo).toMatch(/^EPL\d{13}$/);
    const again = await client.addPoOrder({ spPoOrderNo, warehouseNo: WAREHOUSE, supplierNo: SUPPLIER, lines: [{ goodsNo: goods.goodsNo, quantity: 10 }] });
    expect(again.poOrderNo).toBe(poOrderNo);
    const [po] = await client.queryPoOrder([poOrderNo]);
    expect(po).toMatchObject({ poOrderNo, spPoOrderNo, status: { code: '20', name: 'INITIALISED', known: true }, lines: [{ goodsNo: goods.goodsNo, orderedQty: 10, receivedQty: 0 }] });
  });

  it('accepts lines by the merchant goods code too', async () => {
    const goods = await createGoods();
    const { poOrderNo } = await client.addPoOrder({ spPoOrderNo: unique('PO'), warehouseNo: WAREHOUSE, supplierNo: SUPPLIER, lines: [{ isvGoodsNo: goods.isvGoodsNo, quantity: 3 }] });
    const [po] = await client.queryPoOrder([poOrderNo]);
    expect(po?.lines).toEqual([expect.objectContaining({ goodsNo: goods.goodsNo, orderedQty: 3 })]);
  });

  it('reports a partial receipt in status 20, then completion as 70 with the shortfall; stock follows', async () => {
    const { goods, poOrderNo } = await newPo(10);
    await expectControl('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo: goods.goodsNo, quantity: 4 }], complete: false });
    let [po] = await client.queryPoOrder([poOrderNo]);
    expect(po).toMatchObject({ status: { code: '20' }, lines: [{ goodsNo: goods.goodsNo, orderedQty: 10, receivedQty: 4 }] });
    expect(await stockOf(goods.goodsNo)).toBe(4);

    await expectControl('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo: goods.goodsNo, quantity: 3 }], complete: true });
    [po] = await client.queryPoOrder([poOrderNo]);
    expect(po).toMatchObject({ status: { code: '70', name: 'COMPLETED' }, lines: [{ receivedQty: 7, shortQty: 3 }] });
    expect(await stockOf(goods.goodsNo)).toBe(7);
  });

  it('cancels an untouched PO (91) and refuses to cancel a received one, leaving its status', async () => {
    const open = await newPo();
    await expect(client.cancelPoOrder(open.poOrderNo)).resolves.toMatchObject({ result: 'cancelled', code: '1' });
    const received = await newPo();
    await expectControl('POST', `/_sim/purchase-orders/${received.poOrderNo}/receive`, { lines: [{ goodsNo: received.goods.goodsNo, quantity: 1 }], complete: false });
    const refusal = await client.cancelPoOrder(received.poOrderNo);
    expect(refusal).toMatchObject({ result: 'refused', code: '2', message: expect.stringMatching(/\p{Script=Han}/u) });

    const states = await client.queryPoOrder([open.poOrderNo, received.poOrderNo]);
    expect(states.find((po) => po.poOrderNo === open.poOrderNo)?.status).toEqual({ code: '91', name: 'CANCELLED', known: true });
    expect(states.find((po) => po.poOrderNo === received.poOrderNo)?.status.code).toBe('20');
  });

  it('closes a partly received PO (closePo → closed, then 70 with the shortfall), again harmlessly; refuses a completed one', async () => {
    const { goods, poOrderNo } = await newPo(10);
    await expectControl('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo: goods.goodsNo, quantity: 6 }], complete: false });
    await expect(client.closePo(poOrderNo)).resolves.toEqual({ result: 'closed', code: '1', message: expect.stringMatching(/\p{Script=Han}/u) });
    const [po] = await client.queryPoOrder([poOrderNo]);
    expect(po).toMatchObject({ status: { code: '70', name: 'COMPLETED', known: true }, lines: [{ receivedQty: 6, shortQty: 4 }] });
    await expect(client.closePo(poOrderNo)).resolves.toMatchObject({ result: 'closed', code: '1' });
    expect((await stats()).byMethod[EclpMethod.CLOSE_PO]).toBe(2);

    const completed = await newPo(2);
    await expectControl('POST', `/_sim/purchase-orders/${completed.poOrderNo}/receive`, {});
    const refusal = await caught(client.closePo(completed.poOrderNo));
    expect(refusal).toBeInstanceOf(EclpBusinessError);
    expect(refusal).toMatchObject({ method: 'jingdong.eclp.po.closePo', code: '1000', retryable: false, zhDesc: expect.stringContaining('已完成') });
  });

  it('reports defective units of a receipt as damagedQty', async () => {
    const { goods, poOrderNo } = await newPo(10);
    await expectControl('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo: goods.goodsNo, quantity: 7, defectiveQty: 2 }], complete: true });
    const [po] = await client.queryPoOrder([poOrderNo]);
    expect(po).toMatchObject({ status: { code: '70' }, lines: [{ receivedQty: 7, damagedQty: 2, shortQty: 1 }] });
  });

  it('under duplicateSpPoOrderNo: reject, a repeated spPoOrderNo is a business refusal isAlreadyExistsRefusal recognises', async () => {
    const { goods, spPoOrderNo } = await newPo();
    await expectControl('POST', '/_sim/behaviour', { duplicateSpPoOrderNo: 'reject' });
    const refusal = await caught(client.addPoOrder({ spPoOrderNo, warehouseNo: WAREHOUSE, supplierNo: SUPPLIER, lines: [{ goodsNo: goods.goodsNo, quantity: 10 }] }));
    expect(refusal).toBeInstanceOf(EclpBusinessError);
    expect(refusal).toMatchObject({ code: '1000', zhDesc: expect.stringContaining('采购单号已存在') });
    expect(isAlreadyExistsRefusal(refusal)).toBe(true);
  });

  it('answers a batch query with the known POs only; more than 100 never leaves the client', async () => {
    const a = await newPo();
    const b = await newPo();
    const states = await client.queryPoOrder([a.poOrderNo, 'EPL9999999999999', b.poOrderNo]);
    expect(states.map((po) => po.poOrderNo).sort()).toEqual([a.poOrderNo, b.poOrderNo].sort());

    const before = await stats();
    const many = Array.from({ length: 101 }, (_, i) => `EPL${String(i).padStart(13, '0')}`);
    await expect(client.queryPoOrder(many)).rejects.toBeInstanceOf(EclpValidationError);
    expect((await stats()).total).toBe(before.total);
  });
});

describe('sales orders', () => {
  it('creates an order in 10010; the same isvUUID returns the same eclpSoNo and no second order', async () => {
    const { goodsNo } = await createGoods();
    const input = orderInput(goodsNo);
    const { eclpSoNo } = await client.addOrder(input);
    expect(eclpSoNo).toMatch(/^ESL\d{13}$/);
    await expect(client.addOrder(input)).resolves.toEqual({ eclpSoNo });
    expect(await ordersByIsvUuid(input.isvUuid)).toHaveLength(1);

    const detail = await client.queryOrder(eclpSoNo);
    expect(detail).toMatchObject({
      eclpSoNo,
      isvUuid: input.isvUuid,
      currentStatus: { code: '10010', name: 'NEW', known: true },
      history: [expect.objectContaining({ status: { code: '10010', name: 'NEW', known: true } })],
      wayBills: [],
      lines: [expect.objectContaining({ goodsNo, quantity: 2 })],
    });
    expect(salesOrderProgress(detail)).toMatchObject({ shipped: false, cancellable: true, cancelled: false });
  });

  it('follows the flow pick → pack → ship (waybill) → deliver', async () => {
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await client.addOrder(orderInput(goodsNo));
    await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/pick`);
    await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/pack`);
    let detail = await client.queryOrder(eclpSoNo);
    expect(detail.currentStatus.code).toBe('10018');
    expect(salesOrderProgress(detail)).toMatchObject({ shipped: false, cancellable: false });

    await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/ship`, {});
    detail = await client.queryOrder(eclpSoNo);
    expect(detail.currentStatus).toEqual({ code: '10019', name: 'SHIPPED', known: true });
    expect(detail.history.map((entry) => entry.status.code)).toEqual(['10010', '10016', '10017', '10018', '10019']);
    const shipped = salesOrderProgress(detail);
    expect(shipped).toMatchObject({ shipped: true, delivered: false, wayBill: expect.stringMatching(/^JDV\d{12}$/) });
    expect(shipped.shippedAt).toEqual(expect.any(String));

    await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/deliver`);
    expect(salesOrderProgress(await client.queryOrder(eclpSoNo))).toMatchObject({ shipped: true, delivered: true });
  });

  it('moves on its own along the timeline', async () => {
    await expectControl('PUT', '/_sim/timeline', { salesOrder: { pickAfterMs: 50, packAfterMs: 100, shipAfterMs: 150, deliverAfterMs: null } });
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await client.addOrder(orderInput(goodsNo));
    const deadline = Date.now() + 10_000;
    let progress = salesOrderProgress(await client.queryOrder(eclpSoNo));
    while (!progress.shipped && Date.now() < deadline) {
      await sleep(50);
      progress = salesOrderProgress(await client.queryOrder(eclpSoNo));
    }
    expect(progress).toMatchObject({ shipped: true, delivered: false });
  });

  it('cancel before picking succeeds (10028) and repeats harmlessly; once picked it is refused with history unchanged', async () => {
    const { goodsNo } = await createGoods();
    const early = await client.addOrder(orderInput(goodsNo));
    await expect(client.cancelOrder(early.eclpSoNo)).resolves.toMatchObject({ result: 'cancelled', code: '1' });
    await expect(client.cancelOrder(early.eclpSoNo)).resolves.toMatchObject({ result: 'cancelled', code: '1' });
    const cancelled = await client.queryOrder(early.eclpSoNo);
    expect(cancelled.currentStatus.code).toBe('10028');
    expect(salesOrderProgress(cancelled)).toMatchObject({ cancelled: true, shipped: false });

    // A manual pick runs 10016 → 10017; 10017 is past the cancellable set (eclp-api.md §4.1).
    const late = await client.addOrder(orderInput(goodsNo));
    await expectControl('POST', `/_sim/sales-orders/${late.eclpSoNo}/pick`);
    const before = await client.queryOrder(late.eclpSoNo);
    expect(salesOrderProgress(before)).toMatchObject({ cancellable: false });
    const refusal = await client.cancelOrder(late.eclpSoNo);
    expect(refusal).toMatchObject({ result: 'refused', code: '2', message: expect.stringMatching(/\p{Script=Han}/u) });
    const after = await client.queryOrder(late.eclpSoNo);
    expect(after.history).toEqual(before.history);
    expect(after.currentStatus.code).toBe('10017');
  });

  it('shows a cancel by the warehouse as 10028', async () => {
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await client.addOrder(orderInput(goodsNo));
    await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/cancel`, { reason: '仓库缺货' });
    expect(salesOrderProgress(await client.queryOrder(eclpSoNo))).toMatchObject({ cancelled: true });
  });

  it('looks orders up by isvUUID: known ones with status and waybill, unknown ones absent', async () => {
    const { goodsNo } = await createGoods();
    const open = orderInput(goodsNo);
    const { eclpSoNo: openSoNo } = await client.addOrder(open);
    const { eclpSoNo: shippedSoNo, isvUuid: shippedUuid } = await shippedOrder(goodsNo, 'JDV000000000777');

    const rows = await client.queryOrdersByIsvUuid([open.isvUuid, 'NEVER-SENT-1', shippedUuid]);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.isvUuid === open.isvUuid)).toMatchObject({
      eclpSoNo: openSoNo,
      shopOrderNo: open.shopOrderNo,
      status: { code: '10010', known: true },
      resultCode: '1',
    });
    expect(rows.find((row) => row.isvUuid === shippedUuid)).toMatchObject({
      eclpSoNo: shippedSoNo,
      status: { code: '10019', name: 'SHIPPED' },
      wayBills: ['JDV000000000777'],
    });
    await expect(client.queryOrdersByIsvUuid(['NEVER-SENT-2'])).resolves.toEqual([]);
  });

  it('rejects an unknown warehouse (1000) and a zero quantity (61) as business errors, naming the problem in Chinese', async () => {
    const { goodsNo } = await createGoods();
    const warehouse = await caught(client.addOrder(orderInput(goodsNo, { warehouseNo: '119999999' })));
    expect(warehouse).toMatchObject({ name: 'EclpBusinessError', code: '1000', retryable: false, zhDesc: expect.stringMatching(/\p{Script=Han}/u) });
    const quantity = await caught(client.addOrder(orderInput(goodsNo, { lines: [{ goodsNo, quantity: 0, price: 1 }] })));
    expect(quantity).toMatchObject({ name: 'EclpBusinessError', code: '61', zhDesc: expect.stringMatching(/\p{Script=Han}/u) });
    const unknownOrder = await caught(client.queryOrder('ESL9999999999999'));
    expect(unknownOrder).toMatchObject({ name: 'EclpBusinessError', code: '1000' });
  });

  it('never sends a line value with a comma', async () => {
    const before = await stats();
    const error = await caught(client.addOrder(orderInput('EMG1', { lines: [{ isvGoodsNo: 'SKU,1', quantity: 1, price: 1 }] })));
    expect(error).toMatchObject({ name: 'EclpValidationError', field: 'lines.isvGoodsNo', line: 1 });
    expect((await stats()).total).toBe(before.total);
  });
});

describe('returns and stock', () => {
  it('registers a return for a shipped order (100), idempotent by isvRtwNum; receipt → 200 and stock back', async () => {
    const { goodsNo } = await createGoods();
    const po = await client.addPoOrder({ spPoOrderNo: unique('PO'), warehouseNo: WAREHOUSE, supplierNo: SUPPLIER, lines: [{ goodsNo, quantity: 10 }] });
    await expectControl('POST', `/_sim/purchase-orders/${po.poOrderNo}/receive`, {});
    expect(await stockOf(goodsNo)).toBe(10);
    const { eclpSoNo } = await shippedOrder(goodsNo);
    expect(await stockOf(goodsNo)).toBe(8);

    const isvRtwNum = unique('RT');
    const created = await client.transportRtw({ eclpSoNo, isvRtwNum, warehouseNo: WAREHOUSE, reason: '七天无理由退货' });
    expect(created.eclpRtwNo).toMatch(/^ESR\d{13}$/);
    expect(created.status?.code ?? '100').toBe('100');
    await expect(client.transportRtw({ eclpSoNo, isvRtwNum, warehouseNo: WAREHOUSE })).resolves.toMatchObject({ eclpRtwNo: created.eclpRtwNo });
    await expect(client.queryRtw({ eclpRtwNo: created.eclpRtwNo })).resolves.toEqual([
      expect.objectContaining({ eclpRtwNo: created.eclpRtwNo, isvRtwNum, eclpSoNo, status: { code: '100', name: 'INITIALISED', known: true } }),
    ]);

    await expectControl('POST', `/_sim/returns/${created.eclpRtwNo}/receive`, {});
    const [received] = await client.queryRtw({ eclpSoNo });
    expect(received).toMatchObject({ status: { code: '200', name: 'COMPLETED' }, lines: [expect.objectContaining({ goodsNo, receivedQty: 2 })] });
    expect(await stockOf(goodsNo)).toBe(10);
  });

  it('shows a rejected return as 600', async () => {
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await shippedOrder(goodsNo);
    const { eclpRtwNo } = await client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT') });
    await expectControl('POST', `/_sim/returns/${eclpRtwNo}/reject`, { reason: '包装破损' });
    await expect(client.queryRtw({ eclpRtwNo })).resolves.toEqual([expect.objectContaining({ status: { code: '600', name: 'REJECTED', known: true } })]);
  });

  it('carries the lines asked for (isvGoodsNo/planQty/goodsLevel) and refuses more than shipped less other returns, in Chinese', async () => {
    const a = await createGoods();
    const b = await createGoods();
    const { eclpSoNo } = await client.addOrder(orderInput(a.goodsNo, { lines: [{ goodsNo: a.goodsNo, quantity: 3, price: 1 }, { goodsNo: b.goodsNo, quantity: 1, price: 1 }] }));
    for (const step of ['pick', 'pack', 'ship']) await expectControl('POST', `/_sim/sales-orders/${eclpSoNo}/${step}`, step === 'ship' ? {} : undefined);

    const first = await client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT'), lines: [{ isvGoodsNo: a.isvGoodsNo, quantity: 2 }] });
    await expect(client.queryRtw({ eclpRtwNo: first.eclpRtwNo })).resolves.toEqual([
      expect.objectContaining({ lines: [{ goodsNo: a.goodsNo, isvGoodsNo: a.isvGoodsNo, plannedQty: 2, receivedQty: 0, goodsLevel: '100' }] }),
    ]);
    const tooMany = await caught(client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT'), lines: [{ isvGoodsNo: a.isvGoodsNo, quantity: 2 }] }));
    expect(tooMany).toBeInstanceOf(EclpBusinessError);
    expect(tooMany).toMatchObject({ code: '1000', retryable: false, zhDesc: expect.stringContaining('超过可退数量1') });
    const other = await createGoods();
    await expect(caught(client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT'), lines: [{ isvGoodsNo: other.isvGoodsNo, quantity: 1 }] }))).resolves.toMatchObject({
      code: '1000',
      zhDesc: expect.stringContaining('不在原销售出库单'),
    });
    // The rest of A and all of B; a cancelled return gives its quantities back.
    const second = await client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT'), lines: [{ isvGoodsNo: a.isvGoodsNo, quantity: 1 }, { isvGoodsNo: b.isvGoodsNo, quantity: 1, goodsLevel: '200' }] });
    expect((await client.queryRtw({ eclpRtwNo: second.eclpRtwNo }))[0]?.lines.map((l) => [l.isvGoodsNo, l.plannedQty, l.goodsLevel])).toEqual([
      [a.isvGoodsNo, 1, '100'],
      [b.isvGoodsNo, 1, '200'],
    ]);
    await expect(client.cancelRtwOrder({ isvRtwNum: (await client.queryRtw({ eclpRtwNo: first.eclpRtwNo }))[0]!.isvRtwNum! })).resolves.toMatchObject({ result: 'cancelled' });
    await expect(client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT'), lines: [{ isvGoodsNo: a.isvGoodsNo, quantity: 2 }] })).resolves.toMatchObject({ eclpRtwNo: expect.stringMatching(/^ESR/) });
  });

  it('cancels a return not yet received (cancelRtwOrder → cancelled, 400), again harmlessly; refuses a received one with code 2', async () => {
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await shippedOrder(goodsNo);
    const isvRtwNum = unique('RT');
    const { eclpRtwNo } = await client.transportRtw({ eclpSoNo, isvRtwNum, lines: [{ isvGoodsNo: (await client.queryOrder(eclpSoNo)).lines[0]!.isvGoodsNo!, quantity: 1 }] });
    await expect(client.cancelRtwOrder({ isvRtwNum, eclpRtwNo, reason: '客户下错单' })).resolves.toEqual({ result: 'cancelled', code: '1', message: expect.stringMatching(/\p{Script=Han}/u) });
    await expect(client.cancelRtwOrder({ isvRtwNum, eclpRtwNo })).resolves.toMatchObject({ result: 'cancelled', code: '1' });
    await expect(client.queryRtw({ eclpRtwNo })).resolves.toEqual([expect.objectContaining({ status: { code: '400', name: 'CANCELLED', known: true } })]);
    expect((await stats()).byMethod[EclpMethod.CANCEL_RTW_ORDER]).toBe(2);

    const received = await client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT') });
    await expectControl('POST', `/_sim/returns/${received.eclpRtwNo}/receive`, {});
    const [rtw] = await client.queryRtw({ eclpRtwNo: received.eclpRtwNo });
    const refusal = await client.cancelRtwOrder({ isvRtwNum: rtw!.isvRtwNum!, eclpRtwNo: received.eclpRtwNo });
    expect(refusal).toMatchObject({ result: 'refused', code: '2', message: expect.stringContaining('已完成') });
    await expect(caught(client.cancelRtwOrder({ isvRtwNum: 'NEVER-SENT' }))).resolves.toMatchObject({ name: 'EclpBusinessError', code: '1000', zhDesc: expect.stringContaining('不存在') });
  });

  it("reports a short, defective receipt per line, and an overdue rejection (500) with the warehouse's words", async () => {
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await shippedOrder(goodsNo);
    const { eclpRtwNo } = await client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT') });
    await expectControl('POST', `/_sim/returns/${eclpRtwNo}/receive`, { lines: [{ goodsNo, quantity: 1, goodsLevel: '200' }] });
    await expect(client.queryRtw({ eclpRtwNo })).resolves.toEqual([
      expect.objectContaining({ status: expect.objectContaining({ code: '200' }), lines: [expect.objectContaining({ goodsNo, plannedQty: 2, receivedQty: 1, goodsLevel: '200' })] }),
    ]);

    const late = await client.transportRtw({ eclpSoNo: (await shippedOrder(goodsNo)).eclpSoNo, isvRtwNum: unique('RT') });
    await expectControl('POST', `/_sim/returns/${late.eclpRtwNo}/reject`, { reason: '超过退货期限', overdue: true });
    await expect(client.queryRtw({ eclpRtwNo: late.eclpRtwNo })).resolves.toEqual([
      expect.objectContaining({ status: { code: '500', name: 'REJECTED_OVERDUE', known: true }, message: '超过退货期限' }),
    ]);
  });

  it('refuses a return for an order that has not shipped', async () => {
    const { goodsNo } = await createGoods();
    const { eclpSoNo } = await client.addOrder(orderInput(goodsNo));
    await expect(client.transportRtw({ eclpSoNo, isvRtwNum: unique('RT') })).rejects.toBeInstanceOf(EclpBusinessError);
    await expect(client.queryRtw({ eclpSoNo })).resolves.toEqual([]);
  });

  it('pages through stock rows', async () => {
    const goods = await Promise.all([1, 2, 3, 4, 5].map(() => createGoods()));
    const { poOrderNo } = await client.addPoOrder({
      spPoOrderNo: unique('PO'),
      warehouseNo: OTHER_WAREHOUSE,
      supplierNo: SUPPLIER,
      lines: goods.map((g, i) => ({ goodsNo: g.goodsNo, quantity: i + 1 })),
    });
    await expectControl('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {});
    const first = await client.queryStock({ warehouseNo: OTHER_WAREHOUSE, page: 1, pageSize: 2 });
    expect(first.items).toHaveLength(2);
    const rows = await collect(client.iterateStock({ warehouseNo: OTHER_WAREHOUSE }, 2));
    expect(rows.map((row) => [row.goodsNo, row.totalQty]).sort()).toEqual(goods.map((g, i) => [g.goodsNo, i + 1]).sort());
    expect(rows.every((row) => row.warehouseNo === OTHER_WAREHOUSE)).toBe(true);
  });
});

describe('serial numbers', () => {
  it('uploads serials for a PO; after receipt they are on the bill and in stock, paged', async () => {
    const { goodsNo } = await createGoods({ serialManaged: true });
    const { poOrderNo } = await client.addPoOrder({ spPoOrderNo: unique('PO'), warehouseNo: WAREHOUSE, supplierNo: SUPPLIER, lines: [{ goodsNo, quantity: 5 }] });
    const serialNos = ['SN-A1', 'SN-A2', 'SN-A3', 'SN-A4', 'SN-A5'];
    const upload = await client.addPoSidDetail({ poOrderNo, pin: 'dev_merchant_pin', serials: serialNos.map((serialNo) => ({ goodsNo, serialNo })) });
    expect(typeof upload.result).toBe('string');
    await expectControl('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {});

    const onDocument = await client.queryGoodsSerial(poOrderNo);
    expect(onDocument.map((s) => s.serialNo).sort()).toEqual(serialNos);
    expect(onDocument.every((s) => s.goodsNo === goodsNo)).toBe(true);

    const firstPage = await client.queryPageSerialByBillNo({ billNo: poOrderNo, billType: SerialBillType.PURCHASE_INBOUND, page: 1, pageSize: 2 });
    expect(firstPage).toMatchObject({ page: 1, pageSize: 2, total: 5 });
    expect(firstPage.items).toHaveLength(2);
    const onBill = await collect(client.iterateSerialsByBill({ billNo: poOrderNo, billType: SerialBillType.PURCHASE_INBOUND }, 2));
    expect(onBill.map((s) => s.serialNo).sort()).toEqual(serialNos);

    const inStock = await collect(client.iterateInStockSerials({ goodsNo }, 2));
    expect([...inStock].sort()).toEqual(serialNos);
    await expect(client.queryInStockSIDBySku({ goodsNo, page: 3, pageSize: 2 })).resolves.toMatchObject({ items: [expect.any(String)], total: 5 });
  });
});

describe('faults', () => {
  let goodsNo: string;
  beforeEach(async () => {
    ({ goodsNo } = await createGoods());
  });

  const inject = (fault: Record<string, unknown>) => expectControl('POST', '/_sim/faults', fault);

  it('busy (66): retryable, nothing committed, the retry succeeds', async () => {
    await inject({ kind: 'busy', method: EclpMethod.ADD_ORDER });
    const input = orderInput(goodsNo);
    const error = await caught(client.addOrder(input));
    expect(error).toBeInstanceOf(EclpBackendBusyError);
    expect(error).toMatchObject({ code: '66', retryable: true, mayHaveCommitted: false });
    expect(await ordersByIsvUuid(input.isvUuid)).toHaveLength(0);
    await expect(client.addOrder(input)).resolves.toEqual({ eclpSoNo: expect.stringMatching(/^ESL/) });
  });

  it('quota (2): retryable with a back-off of at least a minute', async () => {
    await inject({ kind: 'quota' });
    const error = await caught(client.queryPoOrder(['EPL0000000000001']));
    expect(error).toBeInstanceOf(EclpQuotaError);
    expect(error).toMatchObject({ code: '2', retryable: true, retryAfterMs: expect.any(Number) });
    expect((error as EclpQuotaError).retryAfterMs).toBeGreaterThanOrEqual(60_000);
  });

  it('HTTP 503: retryable transport error, nothing committed at the simulator', async () => {
    await inject({ kind: 'http5xx', method: EclpMethod.ADD_ORDER });
    const input = orderInput(goodsNo);
    const error = await caught(client.addOrder(input));
    expect(error).toBeInstanceOf(EclpTransportError);
    expect(error).toMatchObject({ failure: 'http-status', httpStatus: 503, retryable: true, mayHaveCommitted: true });
    expect(await ordersByIsvUuid(input.isvUuid)).toHaveLength(0);
  });

  it('business rejection: JD text verbatim, not retryable', async () => {
    await inject({ kind: 'businessError', method: EclpMethod.ADD_ORDER, message: '仓库已爆仓，暂停接单' });
    await expect(caught(client.addOrder(orderInput(goodsNo)))).resolves.toMatchObject({
      name: 'EclpBusinessError',
      code: '1000',
      zhDesc: '仓库已爆仓，暂停接单',
      retryable: false,
    });
    await inject({ kind: 'businessError' });
    await expect(caught(client.queryOrder('ESL0000000000001'))).resolves.toMatchObject({ code: '1000', zhDesc: expect.stringMatching(/\p{Script=Han}/u) });
  });

  it('a fault with a rate fires until deleted', async () => {
    await inject({ kind: 'busy', method: EclpMethod.QUERY_PO_ORDER, rate: 1 });
    for (let i = 0; i < 3; i += 1) await expect(client.queryPoOrder(['EPL0000000000001'])).rejects.toBeInstanceOf(EclpBackendBusyError);
    await expectControl('DELETE', '/_sim/faults');
    await expect(client.queryPoOrder(['EPL0000000000001'])).resolves.toEqual([]);
  });

  it('latency beyond the client timeout: a timeout that may have committed — and it did', async () => {
    await inject({ kind: 'latency', method: EclpMethod.ADD_ORDER, latencyMs: 1_000 });
    const input = orderInput(goodsNo);
    const error = await caught(clientWith({ timeoutMs: 200 }).addOrder(input));
    expect(error).toMatchObject({ name: 'EclpTransportError', failure: 'timeout', mayHaveCommitted: true });
    const deadline = Date.now() + 5_000;
    while ((await ordersByIsvUuid(input.isvUuid)).length === 0 && Date.now() < deadline) await sleep(100);
    expect(await ordersByIsvUuid(input.isvUuid)).toHaveLength(1);
  });

  it('timeout after commit: the lookup by isvUUID finds the order and a re-send creates no second one', async () => {
    await inject({ kind: 'timeoutAfterCommit', method: EclpMethod.ADD_ORDER, latencyMs: 1_500 });
    const input = orderInput(goodsNo);
    const error = await caught(clientWith({ timeoutMs: 300 }).addOrder(input));
    expect(error).toMatchObject({ name: 'EclpTransportError', failure: 'timeout', retryable: true, mayHaveCommitted: true });

    const [found] = await client.queryOrdersByIsvUuid([input.isvUuid]);
    expect(found?.eclpSoNo).toMatch(/^ESL\d{13}$/);
    await expect(client.addOrder(input)).resolves.toEqual({ eclpSoNo: found?.eclpSoNo });
    expect(await ordersByIsvUuid(input.isvUuid)).toHaveLength(1);
  });
});

describe('gateway checks', () => {
  it('refuses a wrong app secret with code 12 and counts the refused call', async () => {
    const before = await stats();
    const error = await caught(clientWith({ appSecret: 'not-the-dev-secret' }).queryOrder('ESL0000000000001'));
    expect(error).toBeInstanceOf(EclpConfigurationError);
    expect(error).toMatchObject({ code: '12', retryable: false });
    expect(error.message).toContain('JD_APP_SECRET');
    expect(error.message).not.toContain('not-the-dev-secret');
    const after = await stats();
    expect(after.total).toBe(before.total + 1);
    expect(after.byMethod[EclpMethod.QUERY_ORDER] ?? 0).toBe((before.byMethod[EclpMethod.QUERY_ORDER] ?? 0) + 1);
  });

  it('refuses a wrong access token with code 19', async () => {
    const error = await caught(clientWith({ accessToken: 'stale-token-123' }).queryOrder('ESL0000000000001'));
    expect(error).toMatchObject({ name: 'EclpConfigurationError', code: '19' });
    expect(error.message).toContain('refresh JD_ACCESS_TOKEN');
    expect(error.message).not.toContain('stale-token-123');
  });

  it('refuses an unknown app key (21) and a clock ten minutes off (8)', async () => {
    await expect(caught(clientWith({ appKey: 'someone-else' }).queryOrder('ESL1'))).resolves.toMatchObject({ name: 'EclpConfigurationError', code: '21' });
    const skewed = clientWith({}, { now: () => new Date(Date.now() - 10 * 60_000) });
    await expect(caught(skewed.queryOrder('ESL1'))).resolves.toMatchObject({ name: 'EclpConfigurationError', code: '8' });
  });

  it('accepts HMAC-MD5 signatures as well', async () => {
    const hmac = clientWith({}, { signMethod: 'hmacmd5' });
    await expect(hmac.queryOrdersByIsvUuid(['NEVER-SENT'])).resolves.toEqual([]);
  });
});
