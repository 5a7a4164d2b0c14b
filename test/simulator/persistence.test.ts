// The simulator's state file: what JD "knows" survives close/start with the same file, documents that
// were in flight carry on at their original schedule, numbers are never issued twice, a reset empties the
// file, and a file the simulator cannot read is moved aside instead of stopping the start.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { NumberFormat } from '../../simulator/ids';
import { callJd } from '../../simulator/jd-call';
import { SAVED_STATE_VERSION } from '../../simulator/saved-state';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/server';
import { MANUAL_TIMELINE, type TimelinePatch } from '../../simulator/timeline';
import { eventually, jdResult, simControl, sleep, type ControlAnswer } from '../support';

type Row = Record<string, unknown>;

const DEPT = 'EBU0000000000001';
const WAREHOUSE = '110000001';

let dir: string;
let stateFile: string;
const running = new Set<RunningSimulator>();

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sim-state-'));
  stateFile = path.join(dir, 'simulator.json');
});

afterEach(async () => {
  for (const sim of running) await sim.close();
  running.clear();
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ port: 0, stateFile, timeline: MANUAL_TIMELINE, ...options });
  running.add(sim);
  return sim;
}

async function stop(sim: RunningSimulator): Promise<void> {
  await sim.close();
  running.delete(sim);
}

const jd = (sim: RunningSimulator, method: string, business: Row): Promise<Row> => jdResult(sim.gatewayUrl, method, business);

async function jdError(sim: RunningSimulator, method: string, business: Row): Promise<Row> {
  const answer = await callJd(sim.gatewayUrl, method, business);
  const error = (answer.body as Row).error_response as Row | undefined;
  if (!error) throw new Error(`${method} unexpectedly succeeded: ${answer.text}`);
  return error;
}

const control = (sim: RunningSimulator, method: string, route: string, body?: unknown): Promise<ControlAnswer> => simControl(sim.url, method, route, body);

const createGoods = async (sim: RunningSimulator, isvGoodsNo: string, barcode: string, serial = '1') =>
  (await jd(sim, 'jingdong.eclp.goods.transportGoodsInfo', {
    deptNo: DEPT, isvGoodsNo, barcodes: barcode, thirdCategoryNo: '4159', goodsName: `商品${isvGoodsNo}`, safeDays: 0, serial,
  })).goodsNo as string;

const createPo = async (sim: RunningSimulator, spPoOrderNo: string, goodsNo: string, quantity: number) =>
  (await jd(sim, 'jingdong.eclp.po.addPoOrder', {
    spPoOrderNo, deptNo: DEPT, whNo: WAREHOUSE, supplierNo: 'EMS0000000000001', deptGoodsNo: goodsNo, numApplication: quantity, goodsStatus: 1,
  })).poOrderNo as string;

const createOrder = async (sim: RunningSimulator, isvUUID: string, goodsNo: string, quantity: number) =>
  (await jd(sim, 'jingdong.eclp.order.addOrder', {
    isvUUID, isvSource: 'ISV0000000000001', shopNo: 'ESP0000000000001', departmentNo: DEPT, salePlatformSource: '6',
    consigneeName: '张三', consigneeMobile: '13800000000', consigneeAddress: '北京市朝阳区建国路1号', orderMark: '0'.repeat(50),
    warehouseNo: WAREHOUSE, goodsNo, quantity,
  })).eclpSoNo as string;

async function orderStatus(sim: RunningSimulator, eclpSoNo: string): Promise<{ currentStatus: string; codes: string[] }> {
  const result = (await jd(sim, 'jingdong.eclp.order.queryOrder', { eclpSoNo })).queryorder_result as Row;
  return { currentStatus: result.currentStatus as string, codes: (result.orderStatusList as Row[]).map((e) => e.soStatusCode as string) };
}

async function purchaseOrder(sim: RunningSimulator, poOrderNo: string): Promise<Row | undefined> {
  return ((await jd(sim, 'jingdong.eclp.po.queryPoOrder', { poOrderNo })).queryPoModelList as Row[])[0];
}

async function stock(sim: RunningSimulator, goodsNo: string): Promise<number> {
  const rows = (await jd(sim, 'jingdong.eclp.stock.queryStock', { deptNo: DEPT, warehouseNo: WAREHOUSE, goodsNo, returnZeroStock: 2 })).querystock_result as Row[];
  return rows[0]?.totalNum as number;
}

const savedFile = () => JSON.parse(readFileSync(stateFile, 'utf8')) as Row;
const digits = (number: string) => Number(number.replace(/^[A-Z]+/, ''));

/** A logger that keeps its warnings for the test to read. */
function warningSink(): { logger: pino.Logger; warnings: Row[] } {
  const warnings: Row[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Row) });
  return { logger, warnings };
}

describe('across a restart with the same state file', () => {
  it('keeps goods, a received purchase order and its stock, and ships a mid-timeline order on its original schedule', async () => {
    const timeline: TimelinePatch = {
      salesOrder: { pickAfterMs: 200, packAfterMs: 800, shipAfterMs: 2_000, deliverAfterMs: null },
      purchaseOrder: { receiveAfterMs: 100 },
      returnOrder: { receiveAfterMs: null },
    };
    const first = await start({ timeline });
    const goodsNo = await createGoods(first, 'SKU-P1', '6900000000101');
    const poOrderNo = await createPo(first, 'PO-P1', goodsNo, 10);
    await eventually(() => purchaseOrder(first, poOrderNo), (po) => po?.poOrderStatus === '70');
    const eclpSoNo = await createOrder(first, 'SO-P1', goodsNo, 3);
    const acceptedAt = first.state.salesOrders.find(eclpSoNo)!.acceptedAt;
    await eventually(() => orderStatus(first, eclpSoNo), (s) => s.currentStatus === '10017');
    await stop(first);

    // Packing falls due while the simulator is down.
    await sleep(acceptedAt + 900 - Date.now());
    const second = await start({ timeline });

    // The overdue stage runs at once, and only it: shipping is still ahead.
    const packed = await eventually(() => orderStatus(second, eclpSoNo), (s) => s.currentStatus !== '10017', { timeoutMs: 500 });
    expect(packed.codes).toEqual(['10010', '10016', '10017', '10018']);
    expect(Date.now()).toBeLessThan(acceptedAt + 2_000);

    // JD still knows the goods: the same SKU answers the same number, and new orders for it are accepted.
    await expect(createGoods(second, 'SKU-P1', '6900000000101')).resolves.toBe(goodsNo);
    const next = await createOrder(second, 'SO-P2', goodsNo, 1);
    await expect(jd(second, 'jingdong.eclp.order.cancelOrder', { eclpSoNo: next })).resolves.toMatchObject({ cancelorder_result: { code: 1 } });
    // The same isvUUID is still recognised as the order it was.
    await expect(createOrder(second, 'SO-P1', goodsNo, 3)).resolves.toBe(eclpSoNo);

    expect(await purchaseOrder(second, poOrderNo)).toMatchObject({ poOrderStatus: '70', poItemModelList: [{ realInstoreQty: '10', shortQty: '0' }] });
    expect(await stock(second, goodsNo)).toBe(10);

    const shipped = await eventually(() => orderStatus(second, eclpSoNo), (s) => s.currentStatus === '10019', { timeoutMs: 3_000, pollMs: 10 });
    const shippedSeenAt = Date.now();
    expect(shipped.codes).toEqual(['10010', '10016', '10017', '10018', '10019']);
    // Due at acceptance + 2 s, not re-counted from the restart (which would be about 0.9 s later).
    expect(shippedSeenAt).toBeGreaterThanOrEqual(acceptedAt + 2_000);
    expect(shippedSeenAt).toBeLessThan(acceptedAt + 2_600);
    expect(await stock(second, goodsNo)).toBe(7);
  });

  it('restores everything GET /_sim/state shows, and serial ownership with it', async () => {
    const first = await start();
    await control(first, 'POST', '/_sim/catalogue', {
      warehouses: [{ warehouseNo: '110000009', name: '广州仓' }],
      categories: [{ firstNo: '9000', secondNo: '9001', thirdNo: '5000', name: '新类目' }],
    });
    const serialGoods = await createGoods(first, 'SKU-S', '6900000000201', '2');
    const plainGoods = await jd(first, 'jingdong.eclp.goods.transportGoodsInfo', {
      deptNo: DEPT, isvGoodsNo: 'SKU-N', barcodes: '6900000000202,6900000000203', thirdCategoryNo: '5000', goodsName: '新类目商品', safeDays: 30,
    });
    const poOrderNo = await createPo(first, 'PO-S', serialGoods, 3);
    await jd(first, 'jingdong.eclp.po.addPoSidDetail', {
      poNo: poOrderNo, version: '1', deptGoodsNo: [serialGoods, serialGoods, serialGoods].join(','), serialNo: 'SN-1,SN-2,SN-3',
    });
    await control(first, 'POST', `/_sim/purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo: serialGoods, quantity: 2 }], complete: false });
    const cancelledPo = await createPo(first, 'PO-X', plainGoods.goodsNo as string, 1);
    await jd(first, 'jingdong.eclp.po.cancalPoOrder', { poOrderNo: cancelledPo });
    const eclpSoNo = await createOrder(first, 'SO-S', serialGoods, 1);
    for (const move of ['pick', 'pack', 'ship']) await control(first, 'POST', `/_sim/sales-orders/${eclpSoNo}/${move}`, {});
    const rtw = (await jd(first, 'jingdong.eclp.rtw.transportRtw', { eclpSoNo, isvRtwNum: 'RT-S', reson: '七天无理由' })).transportrtw_result as Row;
    await control(first, 'POST', `/_sim/returns/${rtw.eclpRtwNo as string}/receive`);
    await createOrder(first, 'SO-OPEN', plainGoods.goodsNo as string, 2);
    await control(first, 'POST', '/_sim/serials', { goodsNo: plainGoods.goodsNo, serialNumbers: ['SEED-1'], inStock: false });
    const before = (await control(first, 'GET', '/_sim/state')).body as Row;
    await stop(first);

    const second = await start();
    expect((await control(second, 'GET', '/_sim/state')).body).toEqual(before);
    // Not just the lists: the registries answer as before.
    expect((await control(second, 'POST', '/_sim/serials', { goodsNo: serialGoods, serialNumbers: ['SN-1'] })).status).toBe(409);
    await control(second, 'POST', `/_sim/purchase-orders/${poOrderNo}/receive`);
    // SN-1 left on SO-S and came back on RT-S (after SN-2 arrived): arrival order.
    expect(second.state.serials.inStockFor(serialGoods)).toEqual(['SN-2', 'SN-1', 'SN-3']);
    expect((await jdError(second, 'jingdong.eclp.goods.transportGoodsInfo', {
      deptNo: DEPT, isvGoodsNo: 'SKU-OTHER', barcodes: '6900000000203', thirdCategoryNo: '4159', goodsName: '重复条码', safeDays: 0,
    })).code).toBe('1000');
  });

  it('never issues a number twice, even after a burst ran the counter ahead of the clock', async () => {
    const first = await start();
    const goodsNo = await createGoods(first, 'SKU-N1', '6900000000301');
    // A busy JD: thousands of orders within a few milliseconds put the counter seconds ahead of the clock.
    let lastIssued = '';
    for (let i = 0; i < 5_000; i += 1) lastIssued = first.state.numbers.next(...NumberFormat.salesOrder);
    await stop(first);

    const second = await start();
    const eclpSoNo = await createOrder(second, 'SO-N1', goodsNo, 1);
    expect(digits(eclpSoNo)).toBeGreaterThan(digits(lastIssued));
  });

  it('writes a change within moments, without waiting for close, atomically and readable by the owner only', async () => {
    const sim = await start();
    const goodsNo = await createGoods(sim, 'SKU-W1', '6900000000401');
    const saved = await eventually(() => (readdirSync(dir).includes('simulator.json') ? savedFile() : undefined), (f) => f !== undefined, { timeoutMs: 2_000 });
    expect(saved).toMatchObject({ version: SAVED_STATE_VERSION, goods: [{ goodsNo, isvGoodsNo: 'SKU-W1' }] });
    expect(readdirSync(dir)).toEqual(['simulator.json']);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    // A change right before close is written by the close.
    const poOrderNo = await createPo(sim, 'PO-W1', goodsNo, 1);
    await stop(sim);
    expect(savedFile()).toMatchObject({ purchaseOrders: [{ poOrderNo }] });
  });

  it('does not keep faults, call counters or a changed timeline: the startup options decide them again', async () => {
    const first = await start();
    expect((await control(first, 'POST', '/_sim/faults', { kind: 'busy', method: 'jingdong.eclp.order.addOrder', rate: 0.5 })).status).toBe(201);
    await control(first, 'PUT', '/_sim/timeline', { salesOrder: { pickAfterMs: 5 } });
    await createGoods(first, 'SKU-F1', '6900000000501');
    await stop(first);

    const second = await start();
    expect((await control(second, 'GET', '/_sim/faults')).body).toEqual([]);
    expect((await control(second, 'GET', '/_sim/stats')).body).toEqual({ total: 0, byMethod: {} });
    expect((await control(second, 'GET', '/_sim/timeline')).body).toEqual(MANUAL_TIMELINE);
    expect(second.state.goods.findByIsvGoodsNo('SKU-F1')).toBeDefined();
  });

  it('POST /_sim/reset empties the file at once but keeps the number counters', async () => {
    const first = await start();
    const goodsNo = await createGoods(first, 'SKU-R1', '6900000000601');
    expect((await control(first, 'POST', '/_sim/reset')).status).toBe(204);
    const saved = savedFile();
    expect(saved).toMatchObject({ goods: [], purchaseOrders: [], salesOrders: [], returns: [], stockMovements: [] });
    expect((saved.numbers as Record<string, number>).EMG).toBe(digits(goodsNo));
    await stop(first);

    const second = await start();
    expect((await control(second, 'GET', '/_sim/state')).body).toMatchObject({ goods: [], salesOrders: [] });
    const again = await createGoods(second, 'SKU-R1', '6900000000601');
    expect(digits(again)).toBeGreaterThan(digits(goodsNo));
  });
});

describe('a state file the simulator cannot read', () => {
  const movedAside = (problem: string) => readdirSync(dir).filter((name) => name.startsWith(`simulator.json.${problem}-`));

  it('moves a corrupt file aside with a warning, starts empty and saves afresh', async () => {
    writeFileSync(stateFile, '{"version":1,"goods":[{"goodsNo":');
    const { logger, warnings } = warningSink();
    const sim = await start({ logger });

    expect(warnings).toEqual([expect.objectContaining({ problem: 'corrupt', msg: expect.stringMatching(/not valid JSON/) })]);
    const [aside] = movedAside('corrupt');
    expect(readFileSync(path.join(dir, aside!), 'utf8')).toBe('{"version":1,"goods":[{"goodsNo":');
    expect(sim.state.goods.list()).toEqual([]);

    const goodsNo = await createGoods(sim, 'SKU-C1', '6900000000701');
    await stop(sim);
    expect(savedFile()).toMatchObject({ version: SAVED_STATE_VERSION, goods: [{ goodsNo }] });
  });

  it('moves a file of another format version aside instead of misreading it', async () => {
    writeFileSync(stateFile, JSON.stringify({ version: 99, everything: 'different' }));
    const { logger, warnings } = warningSink();
    const sim = await start({ logger });
    expect(warnings).toEqual([expect.objectContaining({ problem: 'unknown-version', msg: expect.stringMatching(/format version 99/) })]);
    expect(movedAside('unknown-version')).toHaveLength(1);
    expect(readdirSync(dir)).not.toContain('simulator.json');
    expect(sim.state.snapshot().goods).toEqual([]);
  });

  it('treats a well-formed file with a broken record as corrupt and names the place, not the content', async () => {
    const first = await start();
    await createOrder(first, 'SO-B1', await createGoods(first, 'SKU-B1', '6900000000801'), 1);
    await stop(first);
    const saved = savedFile();
    delete ((saved.salesOrders as Row[])[0]!.consignee as Row).address;
    writeFileSync(stateFile, JSON.stringify(saved));

    const { logger, warnings } = warningSink();
    const second = await start({ logger });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/salesOrders\.0\.consignee\.address/);
    expect(JSON.stringify(warnings)).not.toMatch(/张三|13800000000/);
    expect(movedAside('corrupt')).toHaveLength(1);
    expect(second.state.salesOrders.list()).toEqual([]);
  });

  it('warns through the process when the simulator has no logger (npm start)', async () => {
    writeFileSync(stateFile, 'not json at all');
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await start({ logger: undefined });
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/moved to .*simulator\.json\.corrupt-/), 'SimulatorStateWarning');
    } finally {
      emitWarning.mockRestore();
    }
  });
});
