// The return activities on the `eclp` queue against the simulator over HTTP and a real database: the push
// (transportRtw with the return's lines; after an ambiguous attempt, queryRtw before any re-send), the
// poll of the warehouse's outcome in every JD status, and cancelRtwOrder's verdicts. Run outside a
// workflow with MockActivityEnvironment (attempt numbers and heartbeats as Temporal would hand them over).
import { ApplicationFailureCategory } from '@temporalio/common';
import type { Knex } from 'knex';
import { createEclpActivities } from '../../activities/eclp';
import { createReturn } from '../../db/returns';
import type { EclpClient, ReturnState } from '../../eclp';
import { DEV_MERCHANT } from '../../eclp/config';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { createTestDatabase } from '../harness';
import { activityFailure as failure, goodsAtJd, recordingEclpClient, runActivity as run, type SentJdCall } from '../support/eclp-activities';
import { jdSalesOrderParams, simulatorForFile } from '../support';
import { returnBody, salesOrder, seedGoods, seedReturnMasterData } from './seed';

const BJ = '110000001';
const M = { rtw: 'jingdong.eclp.rtw.transportRtw', queryRtw: 'jingdong.eclp.rtw.queryRtw', cancelRtw: 'jingdong.eclp.rtw.cancelRtwOrder', addOrder: 'jingdong.eclp.order.addOrder' } as const;
const SKUS = ['RTN-E-TEA', 'RTN-E-CUP'] as const;
type Sku = (typeof SKUS)[number];

const simulator = simulatorForFile();
let db: Knex;
/** SKU → JD goods number at the (freshly reset) simulator. */
let jdGoods: Record<Sku, string>;
/** The business parameters of every JD call the client sent, by method. */
let sent: SentJdCall[];
let sequence = 0;
const next = (prefix: string) => `${prefix}-${(sequence += 1)}`;

/** A client of the file's simulator that remembers what it sent. */
const recordingClient = (): EclpClient => recordingEclpClient(simulator.sim.gatewayUrl, (call) => sent.push(call));

const activitiesWith = (eclp: EclpClient) => createEclpActivities({ eclp, db });
let activities: ReturnType<typeof activitiesWith>;

const sentOf = (method: string) => sent.filter((call) => call.method === method);

beforeAll(async () => {
  db = await createTestDatabase();
  await seedReturnMasterData(db);
  for (const sku of SKUS) await seedGoods(db, sku);
}, 60_000);
afterAll(() => db?.destroy());

beforeEach(async () => {
  sent = [];
  activities = activitiesWith(recordingClient());
  jdGoods = await goodsAtJd(recordingClient(), db, SKUS);
  sent = [];
});

/** A sales order shipped by the simulated warehouse and SHIPPED in the ERP under JD's outbound number. */
async function shippedOrder(lines: Array<[Sku, number]>): Promise<{ orderNo: string; eclpSoNo: string }> {
  const orderNo = next('SO-RTN-E');
  const { eclpSoNo } = await simulator.jd(
    M.addOrder,
    jdSalesOrderParams(`${orderNo}-1`, { goodsNo: lines.map(([sku]) => jdGoods[sku]).join(','), quantity: lines.map(([, q]) => q).join(',') }),
  );
  for (const step of ['pick', 'pack', 'ship']) await simulator.move(`/_sim/sales-orders/${eclpSoNo as string}/${step}`);
  await salesOrder(db, orderNo, lines.map(([sku, quantity]) => [sku, quantity, 10]));
  await db('sales_orders').where({ order_no: orderNo }).update({ eclp_so_no: eclpSoNo as string });
  return { orderNo, eclpSoNo: eclpSoNo as string };
}

/** A return in PUSHING at revision 1 (R1's repository, as the API creates it). */
async function newReturn(orderNo: string, lines: Array<[Sku, number]>, reason = '七天无理由退货'): Promise<string> {
  const returnNo = next('RTN-E');
  await createReturn(db, returnBody(returnNo, orderNo, lines, { reason }), { actorRole: 'erp' });
  return returnNo;
}

async function pushedReturn(lines: Array<[Sku, number]>): Promise<{ returnNo: string; eclpRtwNo: string; eclpSoNo: string }> {
  const { orderNo, eclpSoNo } = await shippedOrder(lines);
  const returnNo = await newReturn(orderNo, lines);
  const { eclpRtwNo } = await run(activities.ensureReturnAtJd, [returnNo, 1]);
  return { returnNo, eclpRtwNo, eclpSoNo };
}

const notFinished = { type: FAILURE_TYPES.returnNotFinished, nonRetryable: false, category: ApplicationFailureCategory.BENIGN };

describe('ensureReturnAtJd', () => {
  it("sends transportRtw against the original outbound under {returnNo}-{revision}, with the return's lines", async () => {
    const { orderNo, eclpSoNo } = await shippedOrder([['RTN-E-TEA', 3], ['RTN-E-CUP', 1]]);
    const returnNo = await newReturn(orderNo, [['RTN-E-TEA', 2]], '茶叶受潮');
    const atJd = await run(activities.ensureReturnAtJd, [returnNo, 1]);
    expect(atJd).toEqual({ eclpRtwNo: expect.stringMatching(/^ESR\d+$/), isvRtwNum: `${returnNo}-1`, eclpSoNo, jdWarehouseNo: BJ, recovered: false });
    expect(sentOf(M.rtw).map((c) => c.params)).toEqual([
      { eclpSoNo, isvRtwNum: `${returnNo}-1`, warehouseNo: BJ, reson: '茶叶受潮', isvGoodsNo: 'RTN-E-TEA', planQty: '2', goodsLevel: '100' },
    ]);
    expect(sentOf(M.queryRtw)).toEqual([]);
    // JD holds only what the return asked for, not the whole outbound.
    expect(simulator.sim.state.returns.find(atJd.eclpRtwNo)).toMatchObject({ isvRtwNum: `${returnNo}-1`, status: '100', lines: [expect.objectContaining({ goodsNo: jdGoods['RTN-E-TEA'], planQty: 2 })] });
  });

  it('an ambiguous first attempt whose transportRtw reached JD: attempt 2 finds the return by queryRtw and does not send it again', async () => {
    const { orderNo, eclpSoNo } = await shippedOrder([['RTN-E-TEA', 2]]);
    const returnNo = await newReturn(orderNo, [['RTN-E-TEA', 2]]);
    await simulator.control('POST', '/_sim/faults', { kind: 'busyAfterCommit', code: '65', method: M.rtw });
    const ambiguous = await failure(run(activities.ensureReturnAtJd, [returnNo, 1]));
    expect(ambiguous).toMatchObject({ type: 'EclpBackendBusyError', nonRetryable: false });
    expect(simulator.sim.state.returns.list()).toHaveLength(1);

    const again = await run(activities.ensureReturnAtJd, [returnNo, 1], 2);
    expect(again).toEqual({ eclpRtwNo: simulator.sim.state.returns.list()[0]!.eclpRtwNo, isvRtwNum: `${returnNo}-1`, eclpSoNo, jdWarehouseNo: BJ, recovered: true });
    expect(sentOf(M.queryRtw).map((c) => c.params)).toEqual([{ eclpSoNo, isvRtwNum: `${returnNo}-1` }]);
    expect(sentOf(M.rtw)).toHaveLength(1);
  });

  it('a return an earlier attempt never registered is looked up, not found, and sent', async () => {
    const { orderNo, eclpSoNo } = await shippedOrder([['RTN-E-TEA', 2]]);
    const returnNo = await newReturn(orderNo, [['RTN-E-TEA', 1]]);
    // Another return of the same outbound at JD must not be mistaken for this one.
    await recordingClient().transportRtw({ eclpSoNo, isvRtwNum: 'OTHER-RETURN-1', lines: [{ isvGoodsNo: 'RTN-E-TEA', quantity: 1 }] });
    await simulator.control('POST', '/_sim/faults', { kind: 'busy', method: M.rtw });
    expect(await failure(run(activities.ensureReturnAtJd, [returnNo, 1]))).toMatchObject({ type: 'EclpBackendBusyError', nonRetryable: false });

    const sentAgain = await run(activities.ensureReturnAtJd, [returnNo, 1], 2);
    expect(sentAgain).toMatchObject({ isvRtwNum: `${returnNo}-1`, recovered: false });
    expect(sentOf(M.queryRtw)).toHaveLength(1);
    expect(sentOf(M.rtw)).toHaveLength(3);
    expect(simulator.sim.state.returns.list().map((r) => r.isvRtwNum).sort()).toEqual([`${returnNo}-1`, 'OTHER-RETURN-1'].sort());
  });

  it("JD's refusal (more than the outbound has left to return) fails non-retryably with JD's words", async () => {
    const { orderNo, eclpSoNo } = await shippedOrder([['RTN-E-TEA', 2]]);
    await recordingClient().transportRtw({ eclpSoNo, isvRtwNum: 'RETURNED-ELSEWHERE', lines: [{ isvGoodsNo: 'RTN-E-TEA', quantity: 2 }] });
    const returnNo = await newReturn(orderNo, [['RTN-E-TEA', 1]]);
    const refused = await failure(run(activities.ensureReturnAtJd, [returnNo, 1]));
    expect(refused).toMatchObject({ type: 'EclpBusinessError', nonRetryable: true, message: expect.stringContaining('超过可退数量0') });
  });

  it('refuses, before calling JD, a return not pushing at the revision and data JD cannot be sent, naming each problem', async () => {
    const { orderNo } = await shippedOrder([['RTN-E-TEA', 2], ['RTN-E-CUP', 1]]);
    const returnNo = await newReturn(orderNo, [['RTN-E-TEA', 1], ['RTN-E-CUP', 1]]);
    const superseded = { type: FAILURE_TYPES.returnSuperseded, nonRetryable: true };
    expect(await failure(run(activities.ensureReturnAtJd, [returnNo, 2]))).toMatchObject(superseded);
    expect(await failure(run(activities.ensureReturnAtJd, ['RTN-E-NONE', 1]))).toMatchObject(superseded);

    await db('goods').where({ sku: 'RTN-E-CUP' }).update({ jd_goods_no: null });
    await db('warehouses').where({ code: 'BJ' }).update({ eclp_connected: false });
    try {
      const refused = await failure(run(activities.ensureReturnAtJd, [returnNo, 1]));
      expect(refused).toMatchObject({ type: FAILURE_TYPES.returnNotPushable, nonRetryable: true });
      expect(refused.message).toContain('SKU RTN-E-CUP has no JD goods number');
      expect(refused.message).toContain('warehouse BJ is not ECLP-connected');
      expect(refused.message).not.toContain('RTN-E-TEA');
    } finally {
      await db('warehouses').where({ code: 'BJ' }).update({ eclp_connected: true });
    }
    await db('sales_orders').where({ order_no: orderNo }).update({ eclp_so_no: null });
    expect((await failure(run(activities.ensureReturnAtJd, [returnNo, 1]))).message).toContain('has no JD outbound number');

    await db('returns').where({ return_no: returnNo }).update({ status: 'CANCELLED' });
    expect(await failure(run(activities.ensureReturnAtJd, [returnNo, 1]))).toMatchObject(superseded);
    expect(sent).toEqual([]);
  });
});

describe('awaitReturnOutcome', () => {
  it('is BENIGN "not finished" in 0, 100, 300 and 700', async () => {
    const { eclpRtwNo } = await pushedReturn([['RTN-E-TEA', 2]]);
    expect(await failure(run(activities.awaitReturnOutcome, [eclpRtwNo]))).toMatchObject({ ...notFinished, message: expect.stringContaining('100') });
    await simulator.move(`/_sim/returns/${eclpRtwNo}/report`);
    expect(await failure(run(activities.awaitReturnOutcome, [eclpRtwNo]))).toMatchObject({ ...notFinished, message: expect.stringContaining('700') });

    const cancelling = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.move(`/_sim/returns/${cancelling.eclpRtwNo}/cancel`, { outcome: 'cancelling' });
    expect(await failure(run(activities.awaitReturnOutcome, [cancelling.eclpRtwNo]))).toMatchObject({ ...notFinished, message: expect.stringContaining('300') });

    await simulator.control('PUT', '/_sim/timeline', { returnOrder: { initialiseAfterMs: null } });
    const fresh = await pushedReturn([['RTN-E-TEA', 1]]);
    expect(await failure(run(activities.awaitReturnOutcome, [fresh.eclpRtwNo]))).toMatchObject({ ...notFinished, message: expect.stringContaining('JD status 0') });
  });

  it("200 → received: JD's quantities and goods level per SKU, short lines as JD reports them", async () => {
    const { eclpRtwNo } = await pushedReturn([['RTN-E-TEA', 3], ['RTN-E-CUP', 1]]);
    await simulator.move(`/_sim/returns/${eclpRtwNo}/receive`, { lines: [{ goodsNo: jdGoods['RTN-E-TEA'], quantity: 2, goodsLevel: '200' }] });
    const outcome = await run(activities.awaitReturnOutcome, [eclpRtwNo]);
    expect(outcome).toEqual({
      kind: 'received',
      jdStatus: '200',
      finishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      lines: [
        { sku: 'RTN-E-CUP', goodsNo: jdGoods['RTN-E-CUP'], plannedQty: 1, receivedQty: 0 },
        { sku: 'RTN-E-TEA', goodsNo: jdGoods['RTN-E-TEA'], plannedQty: 3, receivedQty: 2, goodsLevel: '200' },
      ],
    });
  });

  it("500/600 → rejected with the warehouse's words; 400 → cancelled", async () => {
    const rejected = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.move(`/_sim/returns/${rejected.eclpRtwNo}/reject`, { reason: '包装破损，拒收' });
    await expect(run(activities.awaitReturnOutcome, [rejected.eclpRtwNo])).resolves.toEqual({ kind: 'rejected', jdStatus: '600', reason: '包装破损，拒收' });

    const overdue = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.move(`/_sim/returns/${overdue.eclpRtwNo}/reject`, { overdue: true });
    await expect(run(activities.awaitReturnOutcome, [overdue.eclpRtwNo])).resolves.toEqual({ kind: 'rejected', jdStatus: '500', reason: '超期拒收' });

    const cancelled = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.move(`/_sim/returns/${cancelled.eclpRtwNo}/cancel`, { reason: '仓库取消' });
    await expect(run(activities.awaitReturnOutcome, [cancelled.eclpRtwNo])).resolves.toEqual({ kind: 'cancelled', jdStatus: '400' });
  });

  it('a return JD does not show (yet) and a refused query are retried visibly, not BENIGN', async () => {
    const missing = await failure(run(activities.awaitReturnOutcome, ['ESR0000000000000']));
    expect(missing).toMatchObject({ type: FAILURE_TYPES.returnNotAtJd, nonRetryable: false });
    expect(missing.category).not.toBe(ApplicationFailureCategory.BENIGN);

    const { eclpRtwNo } = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.control('POST', '/_sim/faults', { kind: 'businessError', method: M.queryRtw, message: '系统繁忙' });
    expect(await failure(run(activities.awaitReturnOutcome, [eclpRtwNo]))).toMatchObject({ type: FAILURE_TYPES.jdQueryRefused, nonRetryable: false, message: '系统繁忙' });
  });

  it("maps JD's goods numbers to SKUs when JD leaves out isvGoodsNo, sums a SKU's lines, and reports its worst goods level", async () => {
    const real = recordingClient();
    const rtw = (lines: ReturnState['lines']): ReturnState => ({ eclpRtwNo: 'ESR1', status: { code: '200', name: 'COMPLETED', known: true }, lines });
    const answers: ReturnState[] = [
      rtw([
        { goodsNo: jdGoods['RTN-E-TEA'], plannedQty: 3, receivedQty: 2, goodsLevel: '100' },
        { goodsNo: jdGoods['RTN-E-TEA'], plannedQty: 0, receivedQty: 1, goodsLevel: '200' },
        { goodsNo: jdGoods['RTN-E-CUP'], plannedQty: 1, receivedQty: 0, goodsLevel: '400' },
      ]),
      rtw([{ goodsNo: 'EMG-NOBODY', plannedQty: 1, receivedQty: 1 }]),
    ];
    const fake = activitiesWith({ ...real, queryRtw: async () => [answers.shift()!] });
    await expect(run(fake.awaitReturnOutcome, ['ESR1'])).resolves.toEqual({
      kind: 'received',
      jdStatus: '200',
      lines: [
        { sku: 'RTN-E-CUP', goodsNo: jdGoods['RTN-E-CUP'], plannedQty: 1, receivedQty: 0 },
        { sku: 'RTN-E-TEA', goodsNo: jdGoods['RTN-E-TEA'], plannedQty: 3, receivedQty: 3, goodsLevel: '200' },
      ],
    });
    expect(await failure(run(fake.awaitReturnOutcome, ['ESR1']))).toMatchObject({ type: FAILURE_TYPES.jdGoodsNotMapped, nonRetryable: false, message: expect.stringContaining('EMG-NOBODY') });
  });
});

describe('cancelReturnAtJd', () => {
  it('cancels a return not yet received (code 1), again harmlessly; the request names our number, JD\'s and the reason', async () => {
    const { returnNo, eclpRtwNo } = await pushedReturn([['RTN-E-TEA', 1]]);
    await expect(run(activities.cancelReturnAtJd, [returnNo, 1, eclpRtwNo, '客户撤回退货'])).resolves.toEqual({ cancelled: true, jdCode: '1', jdMessage: '取消成功' });
    await expect(run(activities.cancelReturnAtJd, [returnNo, 1, eclpRtwNo, '客户撤回退货'])).resolves.toMatchObject({ cancelled: true, jdCode: '1' });
    expect(sentOf(M.cancelRtw)[0]?.params).toEqual({ isvRtwNum: `${returnNo}-1`, eclpRtwNum: eclpRtwNo, cancelReson: '客户撤回退货', ownerNo: DEV_MERCHANT.deptNo, orderInType: 1 });
    expect(simulator.sim.state.returns.find(eclpRtwNo)?.status).toBe('400');
  });

  it("JD's refusal (received, or the call itself refused) is an answer with JD's words, not a failure", async () => {
    const received = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.move(`/_sim/returns/${received.eclpRtwNo}/receive`);
    await expect(run(activities.cancelReturnAtJd, [received.returnNo, 1, received.eclpRtwNo, '客户撤回'])).resolves.toEqual({
      cancelled: false,
      jdCode: '2',
      jdMessage: expect.stringContaining('不允许取消'),
    });
    const open = await pushedReturn([['RTN-E-TEA', 1]]);
    await simulator.control('POST', '/_sim/faults', { kind: 'businessError', method: M.cancelRtw, message: '退货单正在入库，不能取消' });
    await expect(run(activities.cancelReturnAtJd, [open.returnNo, 1, open.eclpRtwNo, '客户撤回'])).resolves.toEqual({ cancelled: false, jdCode: '1000', jdMessage: '退货单正在入库，不能取消' });
    await simulator.control('POST', '/_sim/faults', { kind: 'busy', method: M.cancelRtw });
    expect(await failure(run(activities.cancelReturnAtJd, [open.returnNo, 1, open.eclpRtwNo, '客户撤回']))).toMatchObject({ type: 'EclpBackendBusyError', nonRetryable: false });
  });

  it('a refusal on a retry is checked against JD: a cancel an earlier attempt got done (answer lost) is reported cancelled', async () => {
    const { returnNo, eclpRtwNo } = await pushedReturn([['RTN-E-TEA', 1]]);
    // JD cancelled the return on an attempt whose answer was lost; the retry is refused.
    await simulator.move(`/_sim/returns/${eclpRtwNo}/cancel`);
    await simulator.control('POST', '/_sim/faults', { kind: 'businessError', method: M.cancelRtw, next: 2, message: '退货单状态不允许取消' });
    await expect(run(activities.cancelReturnAtJd, [returnNo, 1, eclpRtwNo, '客户撤回'], 2)).resolves.toMatchObject({ cancelled: true, jdMessage: '退货单状态不允许取消' });
    // A first attempt's refusal is JD's answer as it stands.
    await expect(run(activities.cancelReturnAtJd, [returnNo, 1, eclpRtwNo, '客户撤回'], 1)).resolves.toMatchObject({ cancelled: false });
  });

  it('a code JD has not documented is settled by the status queryRtw reports (400 → cancelled)', async () => {
    const { returnNo, eclpRtwNo } = await pushedReturn([['RTN-E-TEA', 1]]);
    const real = recordingClient();
    const undocumented = activitiesWith({ ...real, cancelRtwOrder: async () => ({ result: 'unknown', code: '9' }) });
    await expect(run(undocumented.cancelReturnAtJd, [returnNo, 1, eclpRtwNo, 'x'])).resolves.toEqual({ cancelled: false, jdCode: '9' });
    await simulator.move(`/_sim/returns/${eclpRtwNo}/cancel`);
    await expect(run(undocumented.cancelReturnAtJd, [returnNo, 1, eclpRtwNo, 'x'])).resolves.toEqual({ cancelled: true, jdCode: '9' });
  });
});
