// Serial numbers at JD (issue 12 §2) through the API against the real stack: a PO with uploaded serials is
// received (bill 11, in stock), a sales order ships (bill 24, they leave stock), a return is received
// (bill 12, back in stock); every query reads JD page by page (page size 3 here, so 7 serials take 3
// pages); by-document maps our numbers to JD's; the 4xx, JD's refusal (422), JD not answering (502),
// Temporal down (503) and the cap (`truncated`).
import request from 'supertest';
import { serialApiConfigFromEnv } from '../api/serials';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, CONSIGNEE, eventually, expectProblem, expectUnavailable, seedSalesOrderMasterData, simControl, type SimStats } from './support';

const SERIALS = ['SN-0001', 'SN-0002', 'SN-0003', 'SN-0004', 'SN-0005', 'SN-0006', 'SN-0007'];
const M = { byBill: 'jingdong.eclp.serial.queryPageSerialByBillNo', inStock: 'jingdong.eclp.serial.queryInStockSIDBySku', ofDoc: 'jingdong.eclp.goods.queryGoodsSerial' };

let stack: TestStack;
/** JD's numbers of the documents the flow creates. */
const jd = { poOrderNo: '', eclpSoNo: '', eclpRtwNo: '', goodsNo: '' };

const get = (url: string, on: Parameters<typeof request>[0] = stack.app) => request(on).get(url).set(auth('erp'));
const stats = async () => (await simControl(stack.sim.url, 'GET', '/_sim/stats')).body as SimStats;
const calls = async (method: string) => (await stats()).byMethod[method] ?? 0;
const serialsOf = (res: request.Response) => (res.body.items as Array<{ serialNo: string }>).map((i) => i.serialNo);

beforeAll(async () => {
  stack = await startTestStack({
    env: { JD_SERIAL_PAGE_SIZE: '3', JD_LOOKUP_TIMEOUT_MS: '20000' },
    // Sales orders ship by themselves within a second; POs and returns are received by the test.
    timeline: { salesOrder: { pickAfterMs: 100, packAfterMs: 200, shipAfterMs: 300 }, purchaseOrder: { receiveAfterMs: null }, returnOrder: { receiveAfterMs: null } },
  });
  await seedSalesOrderMasterData(stack, { goods: [['SER-A', '6950000120001'], ['SER-NEW', '6950000120002']], synced: ['SER-A'] });
  await request(stack.app).put('/v1/suppliers/SUP').set(auth('erp')).send({ name: '供应商', jdSupplierNo: 'EMS0000000000001' }).expect(201);
  jd.goodsNo = (await stack.db('goods').where({ sku: 'SER-A' }).first())?.jd_goods_no ?? '';
  expect(jd.goodsNo).toMatch(/^EMG/);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('configuration', () => {
  it('JD page size 100, 60 s per lookup, 20,000 serials per answer unless the environment says otherwise', () => {
    expect(serialApiConfigFromEnv({})).toEqual({ pageSize: 100, timeoutMs: 60_000, maxItems: 20_000 });
    expect(serialApiConfigFromEnv({ JD_SERIAL_PAGE_SIZE: '3', JD_LOOKUP_TIMEOUT_MS: '5000', JD_LOOKUP_MAX_ITEMS: '10' })).toEqual({ pageSize: 3, timeoutMs: 5_000, maxItems: 10 });
    expect(() => serialApiConfigFromEnv({ JD_SERIAL_PAGE_SIZE: '0' })).toThrow(/JD_SERIAL_PAGE_SIZE/);
  });
});

describe('a serial-managed goods through PO, shipment and return', () => {
  it('a PO with uploaded serials is received: 7 serials on bill 11 and in stock, read 3 pages at a time', async () => {
    await request(stack.app)
      .post('/v1/purchase-orders')
      .set(auth('erp'))
      .send({ poNo: 'SER-PO-1', supplierCode: 'SUP', warehouseCode: 'BJ', lines: [{ sku: 'SER-A', quantity: 7 }] })
      .expect(202);
    jd.poOrderNo = await eventually(async () => (await stack.db('purchase_orders').where({ po_no: 'SER-PO-1' }).first())?.po_order_no ?? '', (no) => no !== '', { timeoutMs: 15_000, what: 'PO at JD' });
    await request(stack.app).post('/v1/purchase-orders/SER-PO-1/serials').set(auth('erp')).send({ sku: 'SER-A', serialNos: SERIALS }).expect(202);
    await eventually(() => stack.sim.state.serials.pendingFor(jd.poOrderNo).length === 7, { timeoutMs: 15_000, what: 'serials uploaded to JD' });
    stack.sim.operations.receivePurchaseOrder(jd.poOrderNo, undefined, true);

    const before = await calls(M.byBill);
    const byBill = await get(`/v1/serials?billNo=${jd.poOrderNo}&billType=11`).expect(200);
    expect(await calls(M.byBill)).toBe(before + 3);
    expect(byBill.body).toMatchObject({ billNo: jd.poOrderNo, billType: '11', total: 7, truncated: false });
    expect(serialsOf(byBill)).toEqual(SERIALS);
    expect(byBill.body.items[0]).toEqual({
      serialNo: 'SN-0001',
      goodsNo: jd.goodsNo,
      sku: 'SER-A',
      billNo: jd.poOrderNo,
      billType: '11',
      billTypeName: '采购入库',
      scannedAt: expect.any(String),
      warehouseNo: '110000001',
    });

    const stockBefore = await calls(M.inStock);
    const inStock = await get('/v1/goods/SER-A/serials-in-stock').expect(200);
    expect(await calls(M.inStock)).toBe(stockBefore + 3);
    expect(inStock.body).toEqual({ sku: 'SER-A', jdGoodsNo: jd.goodsNo, items: SERIALS.map((serialNo) => ({ serialNo })), total: 7, truncated: false });

    const ofPo = await get('/v1/serials/by-document/purchase-order/SER-PO-1').expect(200);
    expect(ofPo.body).toMatchObject({ type: 'purchase-order', docNo: 'SER-PO-1', jdDocNo: jd.poOrderNo, total: 7, truncated: false });
    expect(ofPo.body.items[0]).toEqual({ serialNo: 'SN-0001', goodsNo: jd.goodsNo, sku: 'SER-A', businessNo: jd.poOrderNo, businessType: '11' });
  }, 60_000);

  it('a sales order ships: its serials are on bill 24 and have left stock', async () => {
    await request(stack.app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send({ orderNo: 'SER-SO-1', warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'SER-A', quantity: 2, price: 99 }] })
      .expect(201);
    await request(stack.app).post('/v1/sales-orders/SER-SO-1/approve').set(auth('erp')).expect(202);
    const order = await eventually(async () => stack.db('sales_orders').where({ order_no: 'SER-SO-1' }).first(), (row) => row?.status === 'SHIPPED', { timeoutMs: 20_000, what: 'order shipped' });
    jd.eclpSoNo = order?.eclp_so_no ?? '';

    const byBill = await get(`/v1/serials?billNo=${jd.eclpSoNo}&billType=24`).expect(200);
    expect(byBill.body).toMatchObject({ total: 2, truncated: false });
    expect(serialsOf(byBill)).toEqual(['SN-0001', 'SN-0002']);
    expect(byBill.body.items[0]).toMatchObject({ billType: '24', billTypeName: '销售出库', sku: 'SER-A' });
    // Not on the other bill types of the same number.
    expect((await get(`/v1/serials?billNo=${jd.eclpSoNo}&billType=12`).expect(200)).body).toMatchObject({ items: [], total: 0, truncated: false });

    expect(serialsOf(await get('/v1/goods/SER-A/serials-in-stock').expect(200))).toEqual(SERIALS.slice(2));
    const ofSo = await get('/v1/serials/by-document/sales-order/SER-SO-1').expect(200);
    expect(ofSo.body).toMatchObject({ type: 'sales-order', docNo: 'SER-SO-1', jdDocNo: jd.eclpSoNo, total: 2 });
    expect(serialsOf(ofSo)).toEqual(['SN-0001', 'SN-0002']);
  }, 60_000);

  it('a return is received: the serials that went out come back on bill 12 and into stock', async () => {
    await request(stack.app)
      .post('/v1/returns')
      .set(auth('erp'))
      .send({ returnNo: 'SER-RTN-1', orderNo: 'SER-SO-1', type: 'RETURN', warehouseCode: 'BJ', reason: '七天无理由退货', lines: [{ sku: 'SER-A', quantity: 1 }] })
      .expect(202);
    jd.eclpRtwNo = await eventually(async () => (await stack.db('returns').where({ return_no: 'SER-RTN-1' }).first())?.eclp_rtw_no ?? '', (no) => no !== '', { timeoutMs: 15_000, what: 'return at JD' });
    stack.sim.operations.receiveReturn(jd.eclpRtwNo);

    const byBill = await get(`/v1/serials?billNo=${jd.eclpRtwNo}&billType=12`).expect(200);
    expect(byBill.body).toMatchObject({ total: 1, truncated: false });
    expect(byBill.body.items).toEqual([expect.objectContaining({ serialNo: 'SN-0001', billType: '12', billTypeName: '销售退货入库', sku: 'SER-A' })]);
    expect(serialsOf(await get('/v1/goods/SER-A/serials-in-stock').expect(200))).toEqual([...SERIALS.slice(2), 'SN-0001']);
    const ofReturn = await get('/v1/serials/by-document/return/SER-RTN-1').expect(200);
    expect(ofReturn.body).toMatchObject({ type: 'return', docNo: 'SER-RTN-1', jdDocNo: jd.eclpRtwNo, total: 1 });
    expect(ofReturn.body.items).toEqual([{ serialNo: 'SN-0001', goodsNo: jd.goodsNo, sku: 'SER-A', businessNo: jd.eclpRtwNo, businessType: '12' }]);
    // The shipment's bill still says what left.
    expect(serialsOf(await get('/v1/serials/by-document/sales-order/SER-SO-1').expect(200))).toEqual(['SN-0001', 'SN-0002']);
  }, 60_000);

  it('a long list is cut at JD_LOOKUP_MAX_ITEMS with truncated: true and JD\'s total', async () => {
    const capped = await get('/v1/goods/SER-A/serials-in-stock', stack.apiWith({ JD_LOOKUP_MAX_ITEMS: '4' })).expect(200);
    expect(capped.body).toMatchObject({ total: 6, truncated: true });
    expect(serialsOf(capped)).toEqual(SERIALS.slice(2, 6));
  }, 30_000);
});

describe('refusals', () => {
  it('400 naming the field: a bill type outside JD\'s list, a missing or too long billNo, text JD cannot take, an unknown document type', async () => {
    for (const billType of ['99', 'PURCHASE_INBOUND', '']) {
      const res = await get(`/v1/serials?billNo=EPL1&billType=${encodeURIComponent(billType)}`);
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'query.billType', message: expect.stringContaining('11 (PURCHASE_INBOUND)') })]);
    }
    expect((await get('/v1/serials?billType=11')).body.errors).toEqual([expect.objectContaining({ field: 'query.billNo' })]);
    expect((await get(`/v1/serials?billType=11&billNo=${'E'.repeat(51)}`)).body.errors).toEqual([expect.objectContaining({ field: 'query.billNo', message: expect.stringContaining('50') })]);
    expect((await get(`/v1/serials?billType=11&billNo=${encodeURIComponent('EPL\u202E1')}`)).body.errors).toEqual([expect.objectContaining({ field: 'query.billNo' })]);
    expect((await get('/v1/serials?billType=11&billNo=EPL1&page=2')).body.errors).toEqual([expect.objectContaining({ field: 'query.page' })]);
    const badType = await get('/v1/serials/by-document/invoice/SER-SO-1');
    expectProblem(badType, 400);
    expect(badType.body.errors).toEqual([expect.objectContaining({ field: 'path.type' })]);
  });

  it('404 for an unknown SKU or document, 422 for a SKU or document not at JD; nothing is asked of JD', async () => {
    await request(stack.app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send({ orderNo: 'SER-SO-REVIEW', warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'SER-A', quantity: 1, price: 1 }] })
      .expect(201);
    const before = await stats();
    expectProblem(await get('/v1/goods/NO-SUCH-SKU/serials-in-stock'), 404);
    const notSynced = await get('/v1/goods/SER-NEW/serials-in-stock');
    expectProblem(notSynced, 422);
    expect(notSynced.body).toMatchObject({ type: expect.stringMatching(/goods-not-at-jd$/), errors: [{ field: 'path.sku' }] });
    for (const type of ['sales-order', 'purchase-order', 'return']) expectProblem(await get(`/v1/serials/by-document/${type}/NO-SUCH-DOC`), 404);
    const inReview = await get('/v1/serials/by-document/sales-order/SER-SO-REVIEW');
    expectProblem(inReview, 422);
    expect(inReview.body).toMatchObject({ type: expect.stringMatching(/not-at-jd$/), documentStatus: 'REVIEW', errors: [{ field: 'path.docNo' }] });
    expect((await stats()).total).toBe(before.total);
  });

  it('roles: erp and operator read, no token is 401', async () => {
    await request(stack.app).get('/v1/serials/by-document/sales-order/SER-SO-1').set(auth('operator')).expect(200);
    expectProblem(await request(stack.app).get('/v1/serials/by-document/sales-order/SER-SO-1'), 401);
  });

  it("JD's refusal is a 422 with JD's words", async () => {
    await simControl(stack.sim.url, 'POST', '/_sim/faults', { kind: 'businessError', method: M.byBill, next: 1, message: '单据不存在（模拟）' });
    const res = await get('/v1/serials?billNo=EPL404&billType=11');
    expectProblem(res, 422);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/jd-refused$/), jdMessage: '单据不存在（模拟）', jdCode: expect.any(String), detail: expect.stringContaining('单据不存在（模拟）') });
  }, 30_000);

  it('JD not answering within JD_LOOKUP_TIMEOUT_MS is a 502 with the last failure', async () => {
    const fault = (await simControl(stack.sim.url, 'POST', '/_sim/faults', { kind: 'busy', method: M.inStock, rate: 1 })).body as { id: string };
    try {
      const res = await get('/v1/goods/SER-A/serials-in-stock', stack.apiWith({ JD_LOOKUP_TIMEOUT_MS: '3000' }));
      expectProblem(res, 502);
      expect(res.body).toMatchObject({ type: expect.stringMatching(/jd-unavailable$/), workflowId: expect.stringMatching(/^LOOKUP:/) });
      expect(res.body.detail).toMatch(/66|平台连接后端服务不可用/);
    } finally {
      await simControl(stack.sim.url, 'DELETE', `/_sim/faults/${fault.id}`);
    }
  }, 30_000);

  it('Temporal down is a 503 with Retry-After', async () => {
    expectUnavailable(await get('/v1/serials/by-document/sales-order/SER-SO-1', stack.apiWithTemporalDown()));
  }, 30_000);
});
