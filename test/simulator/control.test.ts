// The /_sim/ control API (state, catalogue, timeline, reset, lookups, errors), the supertest entry point
// createSimulatorApp(), and the sign-curl helper that prints signed calls.
import request from 'supertest';
import { DEV_CREDENTIALS } from '../../eclp/config';
import { signedParams } from '../../simulator/jd-call';
import { DEFAULT_CATALOGUE } from '../../simulator/model/catalogue';
import { createSimulatorApp } from '../../simulator/server';
import { signedCurl } from '../../simulator/sign-curl';
import { DEMO_TIMELINE, type Timeline } from '../../simulator/timeline';
import { jdResult, simulatorForFile } from '../support';

type Row = Record<string, unknown>;

const simulator = simulatorForFile({ timeline: { salesOrder: { pickAfterMs: null } } });
/** The startup timeline of this simulator: demo values with a manual sales-order pick. */
const STARTUP: Timeline = { ...DEMO_TIMELINE, salesOrder: { ...DEMO_TIMELINE.salesOrder, pickAfterMs: null } };

const { control } = simulator;
const jd = (method: string, business: Row): Promise<Row> => jdResult(simulator.sim.gatewayUrl, method, business);

async function seedDocuments(): Promise<{ goodsNo: string; eclpSoNo: string; poOrderNo: string; isvUUID: string }> {
  const { goodsNo } = await jd('jingdong.eclp.goods.transportGoodsInfo', {
    deptNo: 'EBU0000000000001', isvGoodsNo: 'SKU-C', barcodes: '6900000000777', thirdCategoryNo: '4159', goodsName: '控制测试商品', safeDays: 0,
  });
  const { poOrderNo } = await jd('jingdong.eclp.po.addPoOrder', {
    spPoOrderNo: 'PO-C', deptNo: 'EBU0000000000001', whNo: '110000001', supplierNo: 'EMS0000000000001', deptGoodsNo: goodsNo, numApplication: 5, goodsStatus: 1,
  });
  const isvUUID = 'SO-C-1';
  const { eclpSoNo } = await jd('jingdong.eclp.order.addOrder', {
    isvUUID, isvSource: 'ISV0000000000001', shopNo: 'ESP0000000000001', departmentNo: 'EBU0000000000001', salePlatformSource: '6',
    consigneeName: '赵六', consigneeMobile: '13700000000', consigneeAddress: '深圳市南山区1号', orderMark: '0'.repeat(50), warehouseNo: '110000001', goodsNo, quantity: 1,
  });
  return { goodsNo: goodsNo as string, eclpSoNo: eclpSoNo as string, poOrderNo: poOrderNo as string, isvUUID };
}

describe('inspection', () => {
  it('GET /_sim/ lists the controls', async () => {
    const answer = await control('GET', '/_sim/');
    expect(answer.status).toBe(200);
    expect((answer.body as { controls: string[] }).controls).toEqual(expect.arrayContaining(['POST /_sim/reset', 'GET /_sim/state']));
  });

  it('GET /_sim/state shows documents, stock, catalogue and timeline', async () => {
    const { goodsNo, eclpSoNo, poOrderNo } = await seedDocuments();
    await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {});
    const { body } = await control('GET', '/_sim/state');
    expect(body).toMatchObject({
      goods: [expect.objectContaining({ goodsNo, isvGoodsNo: 'SKU-C', barcodes: ['6900000000777'] })],
      purchaseOrders: [expect.objectContaining({ poOrderNo, status: '70' })],
      salesOrders: [expect.objectContaining({ eclpSoNo, currentStatus: '10010' })],
      returns: [],
      stock: [{ warehouseNo: '110000001', goodsNo, totalNum: 5 }],
      catalogue: expect.objectContaining({ deptNo: 'EBU0000000000001', shopNo: 'ESP0000000000001', isvSource: 'ISV0000000000001' }),
      timeline: STARTUP,
    });
  });

  it('looks sales orders up by isvUUID and by number; unknown numbers are 404 JSON', async () => {
    const { eclpSoNo, isvUUID, poOrderNo } = await seedDocuments();
    expect((await control('GET', `/_sim/sales-orders?isvUUID=${isvUUID}`)).body).toEqual([expect.objectContaining({ eclpSoNo, isvUUID, currentStatus: '10010' })]);
    expect((await control('GET', '/_sim/sales-orders?isvUUID=NOPE')).body).toEqual([]);
    expect((await control('GET', `/_sim/sales-orders/${eclpSoNo}`)).body).toMatchObject({ eclpSoNo });
    expect((await control('GET', `/_sim/purchase-orders/${poOrderNo}`)).body).toMatchObject({ poOrderNo, status: '20' });
    for (const path of ['/_sim/sales-orders/ESL0', '/_sim/purchase-orders/EPL0', '/_sim/returns/ESR0', '/_sim/returns/ESR0/receive']) {
      const answer = await control(path.endsWith('receive') ? 'POST' : 'GET', path);
      expect(answer).toEqual({ status: 404, body: { error: expect.stringContaining('does not exist') } });
    }
  });
});

describe('timeline and catalogue', () => {
  it('PUT /_sim/timeline merges a partial change and returns the full timeline', async () => {
    const answer = await control('PUT', '/_sim/timeline', { salesOrder: { shipAfterMs: 1234 }, returnOrder: { receiveAfterMs: null } });
    expect(answer).toEqual({
      status: 200,
      body: { ...STARTUP, salesOrder: { ...STARTUP.salesOrder, shipAfterMs: 1234 }, returnOrder: { ...STARTUP.returnOrder, receiveAfterMs: null } },
    });
    expect((await control('GET', '/_sim/timeline')).body).toEqual(answer.body);
  });

  it.each([
    ['a negative delay', { salesOrder: { pickAfterMs: -1 } }],
    ['an unknown stage', { salesOrder: { teleportAfterMs: 1 } }],
    ['a text delay', { purchaseOrder: { receiveAfterMs: 'soon' } }],
  ])('refuses %s with 400 and changes nothing', async (_what, patch) => {
    const answer = await control('PUT', '/_sim/timeline', patch);
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid request body', issues: expect.any(Array) } });
    expect(simulator.sim.state.timeline).toEqual(STARTUP);
  });

  it('the default catalogue is the documented one; POST /_sim/catalogue extends it until reset', async () => {
    expect((await control('GET', '/_sim/catalogue')).body).toEqual({
      deptNo: 'EBU0000000000001', shopNo: 'ESP0000000000001', isvSource: 'ISV0000000000001', ...DEFAULT_CATALOGUE,
    });
    expect(DEFAULT_CATALOGUE.warehouses.map((w) => w.warehouseNo)).toEqual(['110000001', '110000002']);
    expect(DEFAULT_CATALOGUE.categories.map((c) => [c.firstNo, c.secondNo, c.thirdNo])).toEqual([['9000', '9001', '4159'], ['9000', '9001', '4160']]);

    const added = await control('POST', '/_sim/catalogue', { suppliers: [{ supplierNo: 'EMS0000000000002', name: '第二供应商' }] });
    expect(added.status).toBe(200);
    expect((added.body as Row).suppliers).toEqual([...DEFAULT_CATALOGUE.suppliers, { supplierNo: 'EMS0000000000002', name: '第二供应商' }]);
    expect((await control('POST', '/_sim/catalogue', { warehouses: [{ warehouseNo: '' }] })).status).toBe(400);

    await control('POST', '/_sim/reset');
    expect((await control('GET', '/_sim/catalogue')).body).toMatchObject({ suppliers: DEFAULT_CATALOGUE.suppliers });
  });
});

describe('reset and errors', () => {
  it('POST /_sim/reset clears documents, stock, serials, faults and counters and restores the startup timeline', async () => {
    const { goodsNo, poOrderNo } = await seedDocuments();
    await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, {});
    await control('POST', '/_sim/serials', { goodsNo, serialNumbers: ['SN-R'] });
    await control('POST', '/_sim/faults', { kind: 'busy', rate: 1, method: 'jingdong.eclp.order.cancelOrder' });
    await control('PUT', '/_sim/timeline', { purchaseOrder: { receiveAfterMs: 1 } });

    expect((await control('POST', '/_sim/reset')).status).toBe(204);
    const { body } = await control('GET', '/_sim/state');
    expect(body).toMatchObject({ goods: [], purchaseOrders: [], salesOrders: [], returns: [], stock: [], stockMovements: [], serials: { records: [], inStock: {} }, timeline: STARTUP });
    expect((await control('GET', '/_sim/faults')).body).toEqual([]);
    expect((await control('GET', '/_sim/stats')).body).toEqual({ total: 0, byMethod: {} });
  });

  it('numbers stay unique across a reset', async () => {
    const before = await seedDocuments();
    await control('POST', '/_sim/reset');
    const after = await seedDocuments();
    expect(after.eclpSoNo).not.toBe(before.eclpSoNo);
    expect(after.goodsNo).not.toBe(before.goodsNo);
  });

  it('answers malformed JSON and unknown controls with JSON errors', async () => {
    expect(await control('PUT', '/_sim/timeline', undefined, '{"salesOrder":')).toMatchObject({ status: 400, body: { error: expect.any(String) } });
    expect(await control('GET', '/_sim/nothing-here')).toMatchObject({ status: 404, body: { error: expect.any(String) } });
    expect((await control('POST', '/_sim/purchase-orders/EPL0/receive', { lines: [] })).status).toBe(400);
  });

  it('a receipt naming goods not on the document is 409', async () => {
    const { poOrderNo } = await seedDocuments();
    expect((await control('POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo: 'EMG0', quantity: 1 }] })).status).toBe(409);
    expect(simulator.sim.state.purchaseOrders.find(poOrderNo)?.lines[0]?.realInstoreQty).toBe(0);
  });
});

describe('createSimulatorApp (supertest)', () => {
  it('serves the gateway and the control API without listening', async () => {
    const simulator = createSimulatorApp({ credentials: DEV_CREDENTIALS });
    try {
      const params = signedParams('jingdong.eclp.stock.queryStock', { deptNo: 'EBU0000000000001', warehouseNo: '110000002' });
      const answer = await request(simulator.app).post('/routerjson').type('form').send(params);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ jingdong_eclp_stock_queryStock_responce: { code: '0', querystock_result: [] } });
      const stats = await request(simulator.app).get('/_sim/stats');
      expect(stats.body).toEqual({ total: 1, byMethod: { 'jingdong.eclp.stock.queryStock': 1 } });
    } finally {
      simulator.dispose();
    }
  });
});

describe('sign-curl', () => {
  const parse = (command: string) => {
    const match = /^curl -sS -X POST '([^']+)' --data-urlencode '360buy_param_json=(.*)'$/.exec(command);
    if (!match) throw new Error(`unexpected command: ${command}`);
    return { url: match[1] ?? '', json: match[2] ?? '' };
  };

  it('prints a curl command the simulator accepts', async () => {
    const command = signedCurl('jingdong.eclp.stock.queryStock', '{"deptNo":"EBU0000000000001","warehouseNo":"110000001"}', { ECLP_GATEWAY_URL: simulator.sim.gatewayUrl });
    const { url, json } = parse(command);
    expect(url.startsWith(`${simulator.sim.gatewayUrl}?`)).toBe(true);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `360buy_param_json=${encodeURIComponent(json)}` });
    expect(await response.json()).toEqual({ jingdong_eclp_stock_queryStock_responce: { code: '0', querystock_result: [] } });
  });

  it('never prints a real access token or the secret', () => {
    const command = signedCurl('jingdong.eclp.order.queryOrder', '{"eclpSoNo":"ESL1"}', { JD_ACCESS_TOKEN: 'real-token-xyz', JD_APP_SECRET: 'real-secret-xyz' });
    expect(command).toContain('access_token=${JD_ACCESS_TOKEN}');
    expect(command).not.toContain('real-token-xyz');
    expect(command).not.toContain('real-secret-xyz');
    expect(() => signedCurl('m', '[1]')).toThrow(/JSON object/);
  });
});
