// The purchase-order activities on the `eclp` queue against the simulator over HTTP and a real database:
// push (and its "already exists" answer), the progress poll and its fingerprint, the link check, cancel,
// close, the serial upload, and the sweeper's batched status query. Run outside a workflow with
// MockActivityEnvironment (attempt numbers and heartbeats as Temporal would hand them over).
import { ApplicationFailureCategory } from '@temporalio/common';
import type { Knex } from 'knex';
import { createEclpActivities } from '../../activities/eclp';
import { createPurchaseOrder, getSerialBatch, insertSerialBatch } from '../../db/purchase-orders';
import type { EclpClient } from '../../eclp';
import { DEV_MERCHANT } from '../../eclp/config';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { createTestDatabase } from '../harness';
import { activityFailure as failure, goodsAtJd, recordingEclpClient, runActivity as run, type SentJdCall } from '../support/eclp-activities';
import { simulatorForFile } from '../support';

const BJ = '110000001';
const SUPPLIER_NO = 'EMS0000000000001';
const M = { addPo: 'jingdong.eclp.po.addPoOrder', queryPo: 'jingdong.eclp.po.queryPoOrder', addSid: 'jingdong.eclp.po.addPoSidDetail' } as const;

const simulator = simulatorForFile();
let db: Knex;
/** SKU → JD goods number, created at the (freshly reset) simulator before each test. */
let jdGoods: Record<'SKU-EA' | 'SKU-EB', string>;
/** The business parameters of every JD call the client sent, by method. */
let sent: SentJdCall[];
let sequence = 0;
const nextPoNo = () => `PO-ECLP-${(sequence += 1)}`;

/** A client of the file's simulator that remembers what it sent. */
const recordingClient = (): EclpClient => recordingEclpClient(simulator.sim.gatewayUrl, (call) => sent.push(call));

const activitiesWith = (eclp: EclpClient, options = {}) => createEclpActivities({ eclp, db, options });
let activities: ReturnType<typeof activitiesWith>;

beforeAll(async () => {
  db = await createTestDatabase();
  await db('categories').insert({ code: 'OTHER', name: '其他', jd_first_category_no: '9000', jd_second_category_no: '9001', jd_third_category_no: '4159' });
  await db('warehouses').insert([
    { code: 'BJ', name: '北京仓', jd_warehouse_no: BJ, eclp_connected: true },
    { code: 'LOCAL', name: '本地仓', jd_warehouse_no: null, eclp_connected: false },
  ]);
  await db('suppliers').insert({ code: 'SUP', name: '供应商', jd_supplier_no: SUPPLIER_NO });
  for (const sku of ['SKU-EA', 'SKU-EB', 'SKU-EC']) await db('goods').insert({ sku, name: `商品 ${sku}`, category_code: 'OTHER', safe_days: 0, serial_managed: false, sync_status: 'NOT_SYNCED' });
}, 60_000);
afterAll(() => db?.destroy());

beforeEach(async () => {
  sent = [];
  activities = activitiesWith(recordingClient());
  jdGoods = await goodsAtJd(recordingClient(), db, ['SKU-EA', 'SKU-EB'] as const);
});

/** A PO in PUSHING at revision 1 (H1's repository, as the API creates it). */
async function createPo(lines: Array<{ sku: string; quantity: number; unitPrice?: number }>, extra: { remark?: string; supplierCode?: string; warehouseCode?: string } = {}): Promise<string> {
  const poNo = nextPoNo();
  await createPurchaseOrder(db, { poNo, supplierCode: extra.supplierCode ?? 'SUP', warehouseCode: extra.warehouseCode ?? 'BJ', lines, ...(extra.remark && { remark: extra.remark }) }, { actorRole: 'erp' });
  return poNo;
}

async function pushedPo(lines: Array<{ sku: string; quantity: number }>): Promise<{ poNo: string; poOrderNo: string }> {
  const poNo = await createPo(lines);
  const { poOrderNo } = await run(activities.ensurePurchaseOrderAtJd, [poNo, 1]);
  return { poNo, poOrderNo };
}

const receive = (poOrderNo: string, lines: Array<{ sku: 'SKU-EA' | 'SKU-EB'; quantity: number; defectiveQty?: number }>, complete = false) =>
  simulator.move(`/_sim/purchase-orders/${poOrderNo}/receive`, { lines: lines.map(({ sku, ...q }) => ({ goodsNo: jdGoods[sku], ...q })), complete });

describe('ensurePurchaseOrderAtJd', () => {
  it("pushes the PO under {poNo}-{revision}: JD's goods numbers, quantities, prices and remark; JD's EPL number back", async () => {
    const poNo = await createPo([{ sku: 'SKU-EA', quantity: 10, unitPrice: 12.5 }, { sku: 'SKU-EB', quantity: 3, unitPrice: 0 }], { remark: '春季备货' });
    const atJd = await run(activities.ensurePurchaseOrderAtJd, [poNo, 1]);
    expect(atJd).toEqual({ poOrderNo: expect.stringMatching(/^EPL\d+$/), spPoOrderNo: `${poNo}-1`, jdWarehouseNo: BJ, recovered: false });
    expect(sent.find((c) => c.method === M.addPo)?.params).toMatchObject({
      spPoOrderNo: `${poNo}-1`,
      whNo: BJ,
      supplierNo: SUPPLIER_NO,
      deptGoodsNo: `${jdGoods['SKU-EA']},${jdGoods['SKU-EB']}`,
      numApplication: '10,3',
      unitPrice: '12.5,0',
      inboundRemark: '春季备货',
    });
    const po = simulator.sim.state.purchaseOrders.find(atJd.poOrderNo);
    expect(po).toMatchObject({ spPoOrderNo: `${poNo}-1`, whNo: BJ, status: '20' });
  });

  it('a retry sends the same number again: JD answers its PO (no second one) and the push says it recovered', async () => {
    const poNo = await createPo([{ sku: 'SKU-EA', quantity: 2 }]);
    const first = await run(activities.ensurePurchaseOrderAtJd, [poNo, 1]);
    const again = await run(activities.ensurePurchaseOrderAtJd, [poNo, 1], 3);
    expect(again).toEqual({ ...first, recovered: true });
    expect(simulator.sim.state.purchaseOrders.list()).toHaveLength(1);
  });

  it('"already exists" (behaviour reject) → non-retryable PurchaseOrderPushUnconfirmed with JD\'s words and the number', async () => {
    const poNo = await createPo([{ sku: 'SKU-EA', quantity: 2 }]);
    await run(activities.ensurePurchaseOrderAtJd, [poNo, 1]);
    await simulator.control('POST', '/_sim/behaviour', { duplicateSpPoOrderNo: 'reject' });
    const refused = await failure(run(activities.ensurePurchaseOrderAtJd, [poNo, 1], 2));
    expect(refused).toMatchObject({
      type: FAILURE_TYPES.purchaseOrderPushUnconfirmed,
      nonRetryable: true,
      message: expect.stringContaining('采购单号已存在'),
      details: [{ spPoOrderNo: `${poNo}-1`, jdMessage: expect.stringContaining('采购单号已存在') }],
    });
    expect(simulator.sim.state.purchaseOrders.list()).toHaveLength(1);
  });

  it("JD's business rejection fails non-retryably with JD's words; JD being busy is retried", async () => {
    const poNo = await createPo([{ sku: 'SKU-EA', quantity: 2 }]);
    await simulator.control('POST', '/_sim/faults', { kind: 'businessError', method: M.addPo, message: '供应商已停用' });
    expect(await failure(run(activities.ensurePurchaseOrderAtJd, [poNo, 1]))).toMatchObject({ type: 'EclpBusinessError', nonRetryable: true, message: '供应商已停用' });
    await simulator.control('POST', '/_sim/faults', { kind: 'busy', method: M.addPo });
    expect(await failure(run(activities.ensurePurchaseOrderAtJd, [poNo, 1]))).toMatchObject({ type: 'EclpBackendBusyError', nonRetryable: false });
    expect(simulator.sim.state.purchaseOrders.list()).toHaveLength(0);
  });

  it('refuses, before calling JD, a PO no longer at the revision and master data JD cannot be sent, naming each problem', async () => {
    const poNo = await createPo([{ sku: 'SKU-EA', quantity: 2 }]);
    expect(await failure(run(activities.ensurePurchaseOrderAtJd, [poNo, 2]))).toMatchObject({ type: FAILURE_TYPES.purchaseOrderSuperseded, nonRetryable: true });
    expect(await failure(run(activities.ensurePurchaseOrderAtJd, ['PO-ECLP-NONE', 1]))).toMatchObject({ type: FAILURE_TYPES.purchaseOrderSuperseded, nonRetryable: true });

    const unsynced = await createPo([{ sku: 'SKU-EA', quantity: 1 }, { sku: 'SKU-EC', quantity: 1 }], { supplierCode: 'NOSUP' });
    const refused = await failure(run(activities.ensurePurchaseOrderAtJd, [unsynced, 1]));
    expect(refused).toMatchObject({ type: FAILURE_TYPES.purchaseOrderNotPushable, nonRetryable: true });
    expect(refused.message).toContain('SKU SKU-EC has no JD goods number');
    expect(refused.message).toContain('supplier NOSUP');
    expect(refused.message).not.toContain('SKU-EA');

    const local = await createPo([{ sku: 'SKU-EA', quantity: 1 }], { warehouseCode: 'LOCAL' });
    await db('purchase_orders').where({ po_no: local }).update({ status: 'PUSHING' });
    expect((await failure(run(activities.ensurePurchaseOrderAtJd, [local, 1]))).message).toContain('warehouse LOCAL is not ECLP-connected');
    expect(sent.filter((c) => c.method === M.addPo)).toEqual([]);
  });
});

describe('awaitPurchaseOrderProgress', () => {
  it('answers when JD has news, BENIGN "not finished" when the fingerprint is the one the run knows', async () => {
    const { poOrderNo } = await pushedPo([{ sku: 'SKU-EA', quantity: 10 }, { sku: 'SKU-EB', quantity: 4 }]);
    // A run that has booked nothing knows no fingerprint: an open PO with nothing arrived is not news.
    const untouched = await failure(run(activities.awaitPurchaseOrderProgress, [poOrderNo, '']));
    expect(untouched).toMatchObject({ type: FAILURE_TYPES.purchaseOrderNotFinished, nonRetryable: false, category: ApplicationFailureCategory.BENIGN });

    await receive(poOrderNo, [{ sku: 'SKU-EA', quantity: 4, defectiveQty: 1 }]);
    const partial = await run(activities.awaitPurchaseOrderProgress, [poOrderNo, '']);
    expect(partial).toEqual({
      poOrderNo,
      jdStatus: '20',
      finished: false,
      lines: [
        { sku: 'SKU-EA', goodsNo: jdGoods['SKU-EA'], receivedQty: 4, shortQty: 0, defectiveQty: 1, excessQty: 0 },
        { sku: 'SKU-EB', goodsNo: jdGoods['SKU-EB'], receivedQty: 0, shortQty: 0, defectiveQty: 0, excessQty: 0 },
      ],
      fingerprint: expect.any(String),
    });
    const nothingNew = await failure(run(activities.awaitPurchaseOrderProgress, [poOrderNo, partial.fingerprint]));
    expect(nothingNew).toMatchObject({ type: FAILURE_TYPES.purchaseOrderNotFinished, nonRetryable: false, category: ApplicationFailureCategory.BENIGN });

    // Over-receipt on A, B short: completed (70), finished, excess and short as JD reports them.
    await receive(poOrderNo, [{ sku: 'SKU-EA', quantity: 8 }, { sku: 'SKU-EB', quantity: 3 }], true);
    const done = await run(activities.awaitPurchaseOrderProgress, [poOrderNo, partial.fingerprint]);
    expect(done).toMatchObject({
      jdStatus: '70',
      finished: true,
      lines: [
        { sku: 'SKU-EA', receivedQty: 12, defectiveQty: 1, shortQty: 0, excessQty: 2 },
        { sku: 'SKU-EB', receivedQty: 3, shortQty: 1, excessQty: 0 },
      ],
    });
    await expect(run(activities.awaitPurchaseOrderProgress, [poOrderNo, done.fingerprint])).rejects.toMatchObject({ type: FAILURE_TYPES.purchaseOrderNotFinished });
  });

  it('JD cancelling (90) with the same quantities is nothing to act on; 91 after a receipt is the end, with what arrived', async () => {
    const { poOrderNo } = await pushedPo([{ sku: 'SKU-EA', quantity: 5 }]);
    await receive(poOrderNo, [{ sku: 'SKU-EA', quantity: 2 }]);
    const known = await run(activities.awaitPurchaseOrderProgress, [poOrderNo, '']);
    await simulator.move(`/_sim/purchase-orders/${poOrderNo}/cancel`, { outcome: 'cancelling' });
    expect(await failure(run(activities.awaitPurchaseOrderProgress, [poOrderNo, known.fingerprint]))).toMatchObject({
      type: FAILURE_TYPES.purchaseOrderNotFinished,
      category: ApplicationFailureCategory.BENIGN,
      message: expect.stringContaining('90'),
    });
    await simulator.move(`/_sim/purchase-orders/${poOrderNo}/cancel`, { outcome: 'cancelled' });
    expect(await run(activities.awaitPurchaseOrderProgress, [poOrderNo, known.fingerprint])).toMatchObject({
      jdStatus: '91',
      finished: true,
      lines: [{ sku: 'SKU-EA', receivedQty: 2, shortQty: 3 }],
    });
  });

  it('92 (cancel failed) is news but not the end', async () => {
    const { poOrderNo } = await pushedPo([{ sku: 'SKU-EA', quantity: 5 }]);
    await receive(poOrderNo, [{ sku: 'SKU-EA', quantity: 1 }]);
    const known = await run(activities.awaitPurchaseOrderProgress, [poOrderNo, '']);
    await simulator.move(`/_sim/purchase-orders/${poOrderNo}/cancel`, { outcome: 'cancel-failed' });
    expect(await run(activities.awaitPurchaseOrderProgress, [poOrderNo, known.fingerprint])).toMatchObject({ jdStatus: '92', finished: false });
  });

  it("sums JD's lines of one goods per SKU, and maps goods JD names only by number through the goods table", async () => {
    // A PO with two lines of the same goods, sent to JD directly (ours never repeats a SKU).
    const raw = await simulator.jd(M.addPo, {
      spPoOrderNo: 'PO-ECLP-RAW-1',
      deptNo: DEV_MERCHANT.deptNo,
      whNo: BJ,
      supplierNo: SUPPLIER_NO,
      deptGoodsNo: `${jdGoods['SKU-EA']},${jdGoods['SKU-EA']},${jdGoods['SKU-EB']}`,
      numApplication: '3,4,1',
      goodsStatus: '1,1,1',
    });
    const poOrderNo = raw.poOrderNo as string;
    await receive(poOrderNo, [{ sku: 'SKU-EA', quantity: 5 }]);
    const summed = await run(activities.awaitPurchaseOrderProgress, [poOrderNo, '']);
    expect(summed.lines).toEqual([expect.objectContaining({ sku: 'SKU-EA', receivedQty: 5 }), expect.objectContaining({ sku: 'SKU-EB', receivedQty: 0 })]);

    // The same answer without isvGoodsNo: the SKU comes from the goods row carrying JD's number.
    const real = recordingClient();
    const withoutIsv: EclpClient = {
      ...real,
      queryPoOrder: async (numbers) => (await real.queryPoOrder(numbers)).map((po) => ({ ...po, lines: po.lines.map(({ isvGoodsNo: _dropped, ...line }) => line) })),
    };
    const mapped = await run(activitiesWith(withoutIsv).awaitPurchaseOrderProgress, [poOrderNo, '']);
    expect(mapped).toEqual(summed);

    // Goods no row carries: retried visibly (not BENIGN), naming JD's number.
    await db('goods').where({ sku: 'SKU-EB' }).update({ jd_goods_no: null });
    const unmapped = await failure(run(activitiesWith(withoutIsv).awaitPurchaseOrderProgress, [poOrderNo, '']));
    expect(unmapped).toMatchObject({ type: FAILURE_TYPES.jdGoodsNotMapped, nonRetryable: false, message: expect.stringContaining(jdGoods['SKU-EB']) });
    expect(unmapped.category).toBeUndefined();
  });

  it('a PO JD does not show (yet) and JD refusing the query are retried, visibly', async () => {
    const missing = await failure(run(activities.awaitPurchaseOrderProgress, ['EPL0000000000000', '']));
    expect(missing).toMatchObject({ type: FAILURE_TYPES.purchaseOrderNotAtJd, nonRetryable: false });
    expect(missing.category).toBeUndefined();
    await simulator.control('POST', '/_sim/faults', { kind: 'businessError', method: M.queryPo, message: '查询过于频繁' });
    expect(await failure(run(activities.awaitPurchaseOrderProgress, ['EPL0000000000000', '']))).toMatchObject({ type: FAILURE_TYPES.jdQueryRefused, nonRetryable: false, message: '查询过于频繁' });
  });
});

describe('checkJdPurchaseOrder', () => {
  it("answers JD's spPoOrderNo, warehouse and status for a known number; found false for an unknown one", async () => {
    const { poNo, poOrderNo } = await pushedPo([{ sku: 'SKU-EA', quantity: 1 }]);
    await expect(run(activities.checkJdPurchaseOrder, [poOrderNo])).resolves.toEqual({ found: true, spPoOrderNo: `${poNo}-1`, jdWarehouseNo: BJ, jdStatus: '20' });
    await expect(run(activities.checkJdPurchaseOrder, ['EPL0000000000000'])).resolves.toEqual({ found: false });
  });
});

describe('cancelPurchaseOrderAtJd and closePurchaseOrderAtJd', () => {
  it("cancel: 1 → cancelled; after a receipt → refused with JD's words; an unknown number → refused, not a failure", async () => {
    const open = await pushedPo([{ sku: 'SKU-EA', quantity: 2 }]);
    await expect(run(activities.cancelPurchaseOrderAtJd, [open.poOrderNo])).resolves.toMatchObject({ cancelled: true, jdCode: '1' });
    expect(simulator.sim.state.purchaseOrders.find(open.poOrderNo)?.status).toBe('91');
    // Again (a retry after a lost answer): still cancelled.
    await expect(run(activities.cancelPurchaseOrderAtJd, [open.poOrderNo])).resolves.toMatchObject({ cancelled: true });

    const started = await pushedPo([{ sku: 'SKU-EA', quantity: 2 }]);
    await receive(started.poOrderNo, [{ sku: 'SKU-EA', quantity: 1 }]);
    await expect(run(activities.cancelPurchaseOrderAtJd, [started.poOrderNo])).resolves.toEqual({ cancelled: false, jdCode: '2', jdMessage: expect.stringContaining('收货') });
    await expect(run(activities.cancelPurchaseOrderAtJd, ['EPL0000000000000'])).resolves.toEqual({ cancelled: false, jdCode: '1000', jdMessage: expect.stringContaining('不存在') });
  });

  it("close: a partly received PO closes; a completed one is refused with JD's words; an undocumented code is settled by status 70", async () => {
    const partly = await pushedPo([{ sku: 'SKU-EA', quantity: 5 }]);
    await receive(partly.poOrderNo, [{ sku: 'SKU-EA', quantity: 2 }]);
    await expect(run(activities.closePurchaseOrderAtJd, [partly.poOrderNo])).resolves.toMatchObject({ closed: true, jdCode: '1' });
    expect(simulator.sim.state.purchaseOrders.find(partly.poOrderNo)).toMatchObject({ status: '70', lines: [expect.objectContaining({ realInstoreQty: 2, shortQty: 3 })] });

    const completed = await pushedPo([{ sku: 'SKU-EA', quantity: 1 }]);
    await receive(completed.poOrderNo, [{ sku: 'SKU-EA', quantity: 1 }], true);
    await expect(run(activities.closePurchaseOrderAtJd, [completed.poOrderNo])).resolves.toEqual({ closed: false, jdCode: '1000', jdMessage: expect.stringContaining('已完成') });

    const real = recordingClient();
    const oddCode = (code: string): EclpClient => ({ ...real, closePo: async () => ({ result: 'unknown', code }) });
    await expect(run(activitiesWith(oddCode('7')).closePurchaseOrderAtJd, [partly.poOrderNo])).resolves.toEqual({ closed: true, jdCode: '7' });
    const open = await pushedPo([{ sku: 'SKU-EA', quantity: 1 }]);
    await expect(run(activitiesWith(oddCode('7')).closePurchaseOrderAtJd, [open.poOrderNo])).resolves.toEqual({ closed: false, jdCode: '7' });
  });
});

describe('uploadPurchaseOrderSerials', () => {
  it('uploads a stored batch once, as the next version, with the configured pin (else the deptNo); a repeat sends nothing', async () => {
    const { poNo, poOrderNo } = await pushedPo([{ sku: 'SKU-EA', quantity: 3 }]);
    await insertSerialBatch(db, { batchId: `${poNo}-S1`, poNo, sku: 'SKU-EA', serialNos: ['SN-EA-1', 'SN-EA-2'] });
    await insertSerialBatch(db, { batchId: `${poNo}-S2`, poNo, sku: 'SKU-EA', serialNos: ['SN-EA-3'] });

    await expect(run(activities.uploadPurchaseOrderSerials, [poNo, `${poNo}-S1`, poOrderNo])).resolves.toEqual({ uploaded: true, jdResult: '1' });
    expect(sent.filter((c) => c.method === M.addSid).map((c) => c.params)).toEqual([
      { poNo: poOrderNo, version: 1, deptGoodsNo: `${jdGoods['SKU-EA']},${jdGoods['SKU-EA']}`, serialNo: 'SN-EA-1,SN-EA-2', pin: DEV_MERCHANT.deptNo },
    ]);
    expect(await getSerialBatch(db, `${poNo}-S1`)).toMatchObject({ status: 'uploaded', version: 1, jdResult: '1', uploadedAt: expect.any(String) });

    const withPin = activitiesWith(recordingClient(), { jdAccountPin: 'merchant_pin' });
    await expect(run(withPin.uploadPurchaseOrderSerials, [poNo, `${poNo}-S2`, poOrderNo])).resolves.toEqual({ uploaded: true, jdResult: '1' });
    expect(sent.filter((c) => c.method === M.addSid).at(-1)?.params).toMatchObject({ version: 2, serialNo: 'SN-EA-3', pin: 'merchant_pin' });

    const calls = sent.length;
    await expect(run(activities.uploadPurchaseOrderSerials, [poNo, `${poNo}-S1`, poOrderNo])).resolves.toEqual({ uploaded: true, jdResult: '1' });
    expect(sent.length).toBe(calls);
    // The serials are JD's: they come into stock when the PO is received.
    expect(simulator.sim.state.serials.snapshot().pending[poOrderNo]).toHaveLength(3);
  });

  it("records JD's refusal on the batch (failed, JD's words) instead of failing; an unknown batch is answered, not thrown", async () => {
    const { poNo, poOrderNo } = await pushedPo([{ sku: 'SKU-EA', quantity: 3 }]);
    await run(activities.cancelPurchaseOrderAtJd, [poOrderNo]);
    await insertSerialBatch(db, { batchId: `${poNo}-S1`, poNo, sku: 'SKU-EA', serialNos: ['SN-EA-9'] });
    const outcome = await run(activities.uploadPurchaseOrderSerials, [poNo, `${poNo}-S1`, poOrderNo]);
    expect(outcome).toEqual({ uploaded: false, error: expect.stringMatching(/\p{Script=Han}/u) });
    expect(await getSerialBatch(db, `${poNo}-S1`)).toMatchObject({ status: 'failed', error: outcome.error, uploadedAt: null });

    await expect(run(activities.uploadPurchaseOrderSerials, [poNo, 'NO-SUCH-BATCH', poOrderNo])).resolves.toEqual({ uploaded: false, error: expect.stringContaining('NO-SUCH-BATCH') });
  });
});

describe('queryJdPurchaseOrderStatuses (the sweeper)', () => {
  it('one queryPoOrder for up to 100 numbers: status, fingerprint and whether the run has something to act on', async () => {
    const fresh = await pushedPo([{ sku: 'SKU-EA', quantity: 4 }]);
    const partly = await pushedPo([{ sku: 'SKU-EA', quantity: 4 }]);
    await receive(partly.poOrderNo, [{ sku: 'SKU-EA', quantity: 1 }]);
    const cancelling = await pushedPo([{ sku: 'SKU-EA', quantity: 4 }]);
    await simulator.move(`/_sim/purchase-orders/${cancelling.poOrderNo}/cancel`, { outcome: 'cancelling' });
    const cancelled = await pushedPo([{ sku: 'SKU-EA', quantity: 4 }]);
    await run(activities.cancelPurchaseOrderAtJd, [cancelled.poOrderNo]);
    const failedCancel = await pushedPo([{ sku: 'SKU-EA', quantity: 4 }]);
    await simulator.move(`/_sim/purchase-orders/${failedCancel.poOrderNo}/cancel`, { outcome: 'cancel-failed' });

    const numbers = [fresh, partly, cancelling, cancelled, failedCancel].map((p) => p.poOrderNo);
    const before = sent.length;
    const rows = await run(activities.queryJdPurchaseOrderStatuses, [[...numbers, 'EPL0000000000000']]);
    expect(sent.length).toBe(before + 1);
    expect(rows.map(({ poOrderNo, jdStatus, settled }) => ({ poOrderNo, jdStatus, settled }))).toEqual([
      { poOrderNo: fresh.poOrderNo, jdStatus: '20', settled: false },
      { poOrderNo: partly.poOrderNo, jdStatus: '20', settled: true },
      { poOrderNo: cancelling.poOrderNo, jdStatus: '90', settled: false },
      { poOrderNo: cancelled.poOrderNo, jdStatus: '91', settled: true },
      { poOrderNo: failedCancel.poOrderNo, jdStatus: '92', settled: true },
    ]);
    expect(new Set(rows.map((r) => r.fingerprint)).size).toBe(5);

    // A further receipt changes the fingerprint, nothing else does.
    const again = await run(activities.queryJdPurchaseOrderStatuses, [numbers]);
    expect(again).toEqual(rows);
    await receive(partly.poOrderNo, [{ sku: 'SKU-EA', quantity: 1 }]);
    const moved = await run(activities.queryJdPurchaseOrderStatuses, [[partly.poOrderNo]]);
    expect(moved[0]).toMatchObject({ jdStatus: '20', settled: true });
    expect(moved[0]!.fingerprint).not.toBe(rows[1]!.fingerprint);
  });

  it('refuses more than 100 numbers non-retryably, asking JD nothing', async () => {
    const before = sent.length;
    const many = Array.from({ length: 101 }, (_, i) => `EPL${String(i).padStart(13, '0')}`);
    expect(await failure(run(activities.queryJdPurchaseOrderStatuses, [many]))).toMatchObject({ type: FAILURE_TYPES.sweepBatchTooLarge, nonRetryable: true });
    expect(sent.length).toBe(before);
  });
});
