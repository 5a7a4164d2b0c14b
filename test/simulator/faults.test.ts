// Injected faults (/_sim/faults): each kind's answer, whether the call's effect was committed, and how
// faults are matched (method), consumed (next) or drawn (rate), listed and deleted.
import { GATEWAY_MESSAGES } from '../../eclp/protocol';
import { DEFAULT_BUSINESS_ERROR } from '../../simulator/faults';
import { callJd, type JdCallOptions } from '../../simulator/jd-call';
import { jdSalesOrderParams, simulatorForFile } from '../support';

type Row = Record<string, unknown>;
const ADD_ORDER = 'jingdong.eclp.order.addOrder';
const QUERY_STOCK = 'jingdong.eclp.stock.queryStock';

const simulator = simulatorForFile({ random: () => draws.shift() ?? 0.99 });
let goodsNo: string;
let sequence = 0;
/** Fed to the simulator's rate-based faults; tests push the draws they want. */
const draws: number[] = [];

const { control } = simulator;

async function inject(fault: Row): Promise<Row> {
  const answer = await control('POST', '/_sim/faults', fault);
  expect(answer.status).toBe(201);
  return answer.body as Row;
}

function orderParams(): Row {
  return jdSalesOrderParams(`SO-F${(sequence += 1)}`, { goodsNo, quantity: '1' });
}

const addOrder = (params: Row, options: JdCallOptions = {}) => callJd(simulator.sim.gatewayUrl, ADD_ORDER, params, options);
const queryStock = () => callJd(simulator.sim.gatewayUrl, QUERY_STOCK, { deptNo: 'EBU0000000000001', warehouseNo: '110000001' });
const ordersFor = (isvUUID: unknown) => simulator.sim.state.salesOrders.list().filter((o) => o.isvUUID === isvUUID);
const errorCode = (body: unknown) => ((body as Row).error_response as Row | undefined)?.code;

beforeEach(async () => {
  draws.length = 0;
  const goods = await callJd(simulator.sim.gatewayUrl, 'jingdong.eclp.goods.transportGoodsInfo', {
    deptNo: 'EBU0000000000001', isvGoodsNo: 'SKU-F', barcodes: '6912345678901', thirdCategoryNo: '4159', goodsName: '故障测试商品', safeDays: 0,
  });
  goodsNo = ((goods.body as Row).jingdong_eclp_goods_transportGoodsInfo_responce as Row).goodsNo as string;
});

describe('fault kinds', () => {
  it('latency delays the answer, then handles the call normally', async () => {
    await inject({ kind: 'latency', latencyMs: 300 });
    const startedAt = Date.now();
    const answer = await queryStock();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(answer.body).toMatchObject({ jingdong_eclp_stock_queryStock_responce: { code: '0' } });
  });

  it('timeoutAfterCommit commits the effect although the caller, giving up, never gets an answer', async () => {
    await inject({ kind: 'timeoutAfterCommit', method: ADD_ORDER, latencyMs: 5_000 });
    const params = orderParams();
    const startedAt = Date.now();
    await expect(addOrder(params, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort/i);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(ordersFor(params.isvUUID)).toHaveLength(1);
    // The retry with the same isvUUID finds the committed order instead of creating a second one.
    const retry = await addOrder(params);
    expect(retry.body).toMatchObject({ jingdong_eclp_order_addOrder_responce: { code: '0', eclpSoNo: ordersFor(params.isvUUID)[0]?.eclpSoNo } });
    expect(ordersFor(params.isvUUID)).toHaveLength(1);
  });

  it('timeoutAfterCommit drops the connection after latencyMs', async () => {
    await inject({ kind: 'timeoutAfterCommit', latencyMs: 150 });
    const startedAt = Date.now();
    await expect(queryStock()).rejects.toThrow(/fetch failed/);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  it('http5xx answers HTTP 503 with an HTML page and commits nothing', async () => {
    await inject({ kind: 'http5xx', method: ADD_ORDER });
    const params = orderParams();
    const answer = await addOrder(params);
    expect(answer.status).toBe(503);
    expect(answer.body).toBeUndefined();
    expect(answer.text).toMatch(/<html>.*503/s);
    expect(ordersFor(params.isvUUID)).toHaveLength(0);
  });

  it.each([
    ['busy', '66'],
    ['quota', '2'],
  ] as const)('%s answers gateway code %s with JD’s texts and commits nothing', async (kind, code) => {
    await inject({ kind, method: ADD_ORDER });
    const params = orderParams();
    const answer = await addOrder(params);
    expect(answer).toMatchObject({ status: 200, body: { error_response: { code, zh_desc: GATEWAY_MESSAGES[code].zh, en_desc: GATEWAY_MESSAGES[code].en } } });
    expect(ordersFor(params.isvUUID)).toHaveLength(0);
  });

  it('businessError answers 1000 with the given or a default Chinese text and commits nothing', async () => {
    await inject({ kind: 'businessError', method: ADD_ORDER, message: '仓库已爆仓，暂停接单' });
    const params = orderParams();
    expect((await addOrder(params)).body).toMatchObject({ error_response: { code: '1000', zh_desc: '仓库已爆仓，暂停接单' } });
    await inject({ kind: 'businessError' });
    expect((await addOrder(params)).body).toMatchObject({ error_response: { code: '1000', zh_desc: DEFAULT_BUSINESS_ERROR } });
    expect(ordersFor(params.isvUUID)).toHaveLength(0);
  });

  it('latency and an outcome combine: delayed, then busy', async () => {
    await inject({ kind: 'latency', latencyMs: 200 });
    await inject({ kind: 'busy' });
    const startedAt = Date.now();
    expect(errorCode((await queryStock()).body)).toBe('66');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
  });
});

describe('fault matching and lifetime', () => {
  it('a method-bound fault leaves other methods alone', async () => {
    await inject({ kind: 'busy', method: ADD_ORDER });
    expect(errorCode((await queryStock()).body)).toBeUndefined();
    expect(errorCode((await addOrder(orderParams())).body)).toBe('66');
  });

  it('next: N fires on the next N matching calls, then removes itself', async () => {
    const fault = await inject({ kind: 'quota', next: 2 });
    expect(fault).toMatchObject({ id: expect.any(String), kind: 'quota', next: 2, fired: 0 });
    expect(errorCode((await queryStock()).body)).toBe('2');
    expect((await control('GET', '/_sim/faults')).body).toEqual([expect.objectContaining({ id: fault.id, next: 1, fired: 1 })]);
    expect(errorCode((await queryStock()).body)).toBe('2');
    expect(errorCode((await queryStock()).body)).toBeUndefined();
    expect((await control('GET', '/_sim/faults')).body).toEqual([]);
  });

  it('without next or rate a fault fires once', async () => {
    await inject({ kind: 'busy' });
    expect(errorCode((await queryStock()).body)).toBe('66');
    expect(errorCode((await queryStock()).body)).toBeUndefined();
  });

  it('rate fires with that probability until deleted', async () => {
    const fault = await inject({ kind: 'busy', rate: 0.5 });
    draws.push(0.1, 0.7, 0.49, 0.5);
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push(errorCode((await queryStock()).body));
    expect(codes).toEqual(['66', undefined, '66', undefined]);
    expect((await control('GET', '/_sim/faults')).body).toEqual([expect.objectContaining({ id: fault.id, rate: 0.5, fired: 2 })]);
    expect((await control('DELETE', `/_sim/faults/${fault.id as string}`)).status).toBe(204);
    draws.push(0);
    expect(errorCode((await queryStock()).body)).toBeUndefined();
  });

  it('a refused (unauthenticated) call does not consume a fault', async () => {
    await inject({ kind: 'busy' });
    const refused = await callJd(simulator.sim.gatewayUrl, QUERY_STOCK, {}, { params: { access_token: 'wrong' } });
    expect(errorCode(refused.body)).toBe('19');
    expect(errorCode((await queryStock()).body)).toBe('66');
  });

  it('DELETE /_sim/faults removes all; unknown ids are 404; bad specs are 400', async () => {
    await inject({ kind: 'busy', rate: 1 });
    await inject({ kind: 'quota', next: 5 });
    expect((await control('DELETE', '/_sim/faults')).status).toBe(204);
    expect((await control('GET', '/_sim/faults')).body).toEqual([]);
    expect((await control('DELETE', '/_sim/faults/F999')).status).toBe(404);
    expect((await control('POST', '/_sim/faults', { kind: 'busy', next: 1, rate: 0.5 })).status).toBe(400);
    expect((await control('POST', '/_sim/faults', { kind: 'meteor' })).status).toBe(400);
    expect((await control('POST', '/_sim/faults', { kind: 'busy', rate: 2 })).status).toBe(400);
    expect((await control('POST', '/_sim/faults', { kind: 'busy', next: 0 })).status).toBe(400);
  });

  it('faulted calls are counted like any other', async () => {
    await inject({ kind: 'busy', next: 2 });
    await queryStock();
    await queryStock();
    await queryStock();
    expect((await control('GET', '/_sim/stats')).body).toMatchObject({ byMethod: { [QUERY_STOCK]: 3 } });
  });
});
