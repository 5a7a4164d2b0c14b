// What the real JD may answer where eclp-api.md is unsure (issue 9 §5): a repeated isvUUID refused instead
// of answered, a lookup that lags behind the create (/_sim/behaviour), busy codes that may have committed
// (faults `busy` with `code`, `busyAfterCommit`), and short, multi-parcel shipments (ship control).
import { GATEWAY_MESSAGES } from '../../eclp/protocol';
import { callJd } from '../../simulator/jd-call';
import { jdSalesOrderParams, simulatorForFile, sleep } from '../support';

type Row = Record<string, unknown>;
const ADD_ORDER = 'jingdong.eclp.order.addOrder';
const LOOKUP = 'jingdong.eclp.order.ext.queryOrder';
const QUERY_ORDER = 'jingdong.eclp.order.queryOrder';

const simulator = simulatorForFile();
let sequence = 0;

const { control } = simulator;
const result = (body: unknown, method: string) => (body as Row)[`${method.split('.').join('_')}_responce`] as Row | undefined;
const failure = (body: unknown) => (body as Row).error_response as Row | undefined;
const ordersFor = (isvUUID: unknown) => simulator.sim.state.salesOrders.list().filter((o) => o.isvUUID === isvUUID);

async function syncGoods(isvGoodsNo: string, barcode: string): Promise<string> {
  const answer = await callJd(simulator.sim.gatewayUrl, 'jingdong.eclp.goods.transportGoodsInfo', {
    deptNo: 'EBU0000000000001', isvGoodsNo, barcodes: barcode, thirdCategoryNo: '4159', goodsName: `商品${isvGoodsNo}`, safeDays: 0,
  });
  return result(answer.body, 'jingdong.eclp.goods.transportGoodsInfo')!.goodsNo as string;
}

function orderParams(lines: { isvGoodsNo: string; quantity: number }[] = [{ isvGoodsNo: 'SKU-A', quantity: 1 }]): Row {
  return jdSalesOrderParams(`SO-J${(sequence += 1)}`, { isvGoodsNo: lines.map((l) => l.isvGoodsNo).join(','), quantity: lines.map((l) => l.quantity).join(',') });
}

const addOrder = (params: Row) => callJd(simulator.sim.gatewayUrl, ADD_ORDER, params);
const lookUp = async (isvUUID: unknown) => result((await callJd(simulator.sim.gatewayUrl, LOOKUP, { isvUUID })).body, LOOKUP)!.queryorder_result as Row[];

beforeEach(async () => {
  await syncGoods('SKU-A', '6912345678001');
  await syncGoods('SKU-B', '6912345678002');
});

describe('/_sim/behaviour', () => {
  it('answers the defaults, takes partial bodies, refuses bad ones unchanged, and reset restores the defaults', async () => {
    expect(await control('GET', '/_sim/behaviour')).toEqual({ status: 200, body: { duplicateIsvUuid: 'return-existing', lookupLagMs: 0, duplicateSpPoOrderNo: 'return-existing' } });
    expect((await control('POST', '/_sim/behaviour', { duplicateIsvUuid: 'reject' })).body).toEqual({ duplicateIsvUuid: 'reject', lookupLagMs: 0, duplicateSpPoOrderNo: 'return-existing' });
    expect((await control('POST', '/_sim/behaviour', { lookupLagMs: 1500 })).body).toEqual({ duplicateIsvUuid: 'reject', lookupLagMs: 1500, duplicateSpPoOrderNo: 'return-existing' });

    for (const bad of [{ duplicateIsvUuid: 'ignore' }, { lookupLagMs: -1 }, { lookupLagMs: 1.5 }, { lookupLag: 10 }]) {
      const answer = await control('POST', '/_sim/behaviour', bad);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain(Object.keys(bad)[0]);
    }
    expect((await control('GET', '/_sim/behaviour')).body).toEqual({ duplicateIsvUuid: 'reject', lookupLagMs: 1500, duplicateSpPoOrderNo: 'return-existing' });

    await control('POST', '/_sim/reset');
    expect((await control('GET', '/_sim/behaviour')).body).toEqual({ duplicateIsvUuid: 'return-existing', lookupLagMs: 0, duplicateSpPoOrderNo: 'return-existing' });
  });

  it('return-existing answers a repeated isvUUID with the same eclpSoNo; reject refuses it with code 1000 and 已存在, creating nothing', async () => {
    const params = orderParams();
    const first = result((await addOrder(params)).body, ADD_ORDER)!.eclpSoNo;
    expect(result((await addOrder(params)).body, ADD_ORDER)!.eclpSoNo).toBe(first);

    await control('POST', '/_sim/behaviour', { duplicateIsvUuid: 'reject' });
    const refused = failure((await addOrder(params)).body);
    expect(refused).toMatchObject({ code: '1000', zh_desc: expect.stringContaining('isvUUID已存在'), en_desc: expect.stringMatching(/already exists/) });
    expect(ordersFor(params.isvUUID).map((o) => o.eclpSoNo)).toEqual([first]);
    // A new isvUUID is still accepted under reject.
    expect(result((await addOrder(orderParams())).body, ADD_ORDER)!.eclpSoNo).toMatch(/^ESL/);
  });

  it('lookupLagMs hides a new order from order.ext.queryOrder for that long, then shows it', async () => {
    await control('POST', '/_sim/behaviour', { lookupLagMs: 600 });
    const params = orderParams();
    const eclpSoNo = result((await addOrder(params)).body, ADD_ORDER)!.eclpSoNo;
    expect(await lookUp(params.isvUUID)).toEqual([]);
    // queryOrder by eclpSoNo is not the lagging lookup.
    expect(result((await callJd(simulator.sim.gatewayUrl, QUERY_ORDER, { eclpSoNo })).body, QUERY_ORDER)).toBeDefined();
    await sleep(700);
    expect(await lookUp(params.isvUUID)).toEqual([expect.objectContaining({ isvUUID: params.isvUUID, eclpSoNo })]);
  });
});

describe('busy codes', () => {
  it.each(['43', '65', '66', '67'])('busy with code %s answers that gateway code and JD text, and creates nothing', async (code) => {
    expect((await control('POST', '/_sim/faults', { kind: 'busy', method: ADD_ORDER, code })).status).toBe(201);
    const params = orderParams();
    const answer = failure((await addOrder(params)).body);
    expect(answer).toEqual({ code, zh_desc: GATEWAY_MESSAGES[code as '43'].zh, en_desc: GATEWAY_MESSAGES[code as '43'].en });
    expect(ordersFor(params.isvUUID)).toHaveLength(0);
  });

  it('busy without a code still answers 66', async () => {
    await control('POST', '/_sim/faults', { kind: 'busy', method: ADD_ORDER });
    expect(failure((await addOrder(orderParams())).body)?.code).toBe('66');
  });

  it.each([['43'], ['65'], ['67'], [undefined]])('busyAfterCommit (code %s) creates the order and answers the may-have-committed code', async (code) => {
    await control('POST', '/_sim/faults', { kind: 'busyAfterCommit', method: ADD_ORDER, ...(code && { code }) });
    const params = orderParams();
    expect(failure((await addOrder(params)).body)?.code).toBe(code ?? '65');
    expect(ordersFor(params.isvUUID)).toHaveLength(1);
  });

  it('refuses a code JD does not use for busy, busyAfterCommit with 66, and a code on other kinds', async () => {
    for (const spec of [{ kind: 'busy', code: '61' }, { kind: 'busyAfterCommit', code: '66' }, { kind: 'quota', code: '65' }]) {
      const answer = await control('POST', '/_sim/faults', spec);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('code');
    }
    expect((await control('GET', '/_sim/faults')).body).toEqual([]);
  });
});

describe('short and multi-parcel shipments', () => {
  async function packedOrder(lines: { isvGoodsNo: string; quantity: number }[]) {
    const eclpSoNo = result((await addOrder(orderParams(lines))).body, ADD_ORDER)!.eclpSoNo as string;
    await control('POST', `/_sim/sales-orders/${eclpSoNo}/pick`);
    await control('POST', `/_sim/sales-orders/${eclpSoNo}/pack`);
    return eclpSoNo;
  }
  const detail = async (eclpSoNo: string) => result((await callJd(simulator.sim.gatewayUrl, QUERY_ORDER, { eclpSoNo })).body, QUERY_ORDER)!.queryorder_result as Row;
  const stockOf = (isvGoodsNo: string) => simulator.sim.state.stock.snapshot().levels.find((l) => simulator.sim.state.goods.find(l.goodsNo)?.isvGoodsNo === isvGoodsNo)?.totalNum ?? 0;

  it('ships realOutQty of the named lines and the rest in full, one parcel per waybill of "a,b", and moves only that stock', async () => {
    const eclpSoNo = await packedOrder([{ isvGoodsNo: 'SKU-A', quantity: 3 }, { isvGoodsNo: 'SKU-B', quantity: 2 }]);
    const shipped = await control('POST', `/_sim/sales-orders/${eclpSoNo}/ship`, { wayBill: 'JDVA001,JDVA002', lines: [{ isvGoodsNo: 'SKU-A', realOutQty: 1 }] });
    expect(shipped.status).toBe(200);

    const order = await detail(eclpSoNo);
    expect(order).toMatchObject({ currentStatus: '10019', wayBill: 'JDVA001,JDVA002' });
    expect((order.orderDetailList as Row[]).map((l) => [l.isvGoodsNo, l.quantity, l.realOutQty])).toEqual([
      ['SKU-A', 3, 1],
      ['SKU-B', 2, 2],
    ]);
    expect((order.orderPackageList as Row[]).map((p) => p.wayBill)).toEqual(['JDVA001', 'JDVA002']);
    expect(stockOf('SKU-A')).toBe(-1);
    expect(stockOf('SKU-B')).toBe(-2);
  });

  it('a line shipped with 0 moves no stock; by goodsNo works as well as by isvGoodsNo', async () => {
    const eclpSoNo = await packedOrder([{ isvGoodsNo: 'SKU-A', quantity: 2 }]);
    const goodsNo = simulator.sim.state.salesOrders.find(eclpSoNo)!.lines[0]!.goodsNo;
    expect((await control('POST', `/_sim/sales-orders/${eclpSoNo}/ship`, { lines: [{ goodsNo, realOutQty: 0 }] })).status).toBe(200);
    expect(((await detail(eclpSoNo)).orderDetailList as Row[])[0]).toMatchObject({ quantity: 2, realOutQty: 0 });
    expect(stockOf('SKU-A')).toBe(0);
  });

  it('refuses more than ordered, an unknown line, a malformed body or an empty waybill, and ships nothing', async () => {
    const eclpSoNo = await packedOrder([{ isvGoodsNo: 'SKU-A', quantity: 2 }]);
    const attempts: Array<[Row, number, string]> = [
      [{ lines: [{ isvGoodsNo: 'SKU-A', realOutQty: 3 }] }, 409, 'ordered 2'],
      [{ lines: [{ isvGoodsNo: 'SKU-Z', realOutQty: 1 }] }, 409, 'SKU-Z'],
      [{ lines: [{ isvGoodsNo: 'SKU-A', realOutQty: -1 }] }, 400, 'realOutQty'],
      [{ lines: [{ realOutQty: 1 }] }, 400, 'goodsNo'],
      [{ wayBill: 'a,,b' }, 400, 'wayBill'],
    ];
    for (const [body, status, mention] of attempts) {
      const answer = await control('POST', `/_sim/sales-orders/${eclpSoNo}/ship`, body);
      expect([answer.status, JSON.stringify(answer.body)]).toEqual([status, expect.stringContaining(mention)]);
    }
    expect((await detail(eclpSoNo)).currentStatus).toBe('10018');
    expect(stockOf('SKU-A')).toBe(0);
  });
});
