// Purchase orders in sweep mode: the warehouse sweeper lists the warehouse's open POs from Postgres
// (listOpenPurchaseOrders), asks JD about them 100 at a time (queryPoOrder) and signals `jdStatusChanged`
// {jdStatus, settled: true} to a PO's run when JD's status or quantities moved and there is something to
// book or end on. Real Temporal dev server, the real sweeper workflow and erp/eclp activities on a worker,
// the simulator over HTTP, PostgreSQL.
//
// The PO runs of most tests here are stand-ins: workflows started on a task queue no worker polls. They
// never run, but they are open, so every signal the sweeper sends lands in their history, which is what
// these tests read, JD's moves made by hand. The last test runs a real PO through the API in sweep mode,
// received by the simulator's timeline in two batches, short.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import request from 'supertest';
import { createPurchaseOrder } from '../../db/purchase-orders';
import type { JdStatusChangedPayload } from '../../messages/sales-order';
import { sweeperStatusQuery, type SweeperState } from '../../messages/sweeper';
import { MANUAL_TIMELINE } from '../../simulator/timeline';
import { SWEEP_PURCHASE_ORDERS_PATCH } from '../../workflows/sweeper';
import { startTestStack, type TestStack } from '../helpers/stack';
import { uniqueTaskQueue } from '../harness';
import { auth, eventually, jdStatusSignals, moreSweeps, saveReplayHistory, scheduledActivityTypes, SimControl, updatingReplayHistories, type EventuallyOptions, type History } from '../support';

const JD_WAREHOUSE = '110000002';
const QUERY_PO = 'jingdong.eclp.po.queryPoOrder';
const WAIT: EventuallyOptions = { timeoutMs: 20_000, pollMs: 100 };

let stack: TestStack;
let sim: SimControl;
let sweeper: WorkflowHandle;
let goodsNo: string;
/** Where the stand-in runs wait: nobody polls it. */
const idleQueue = uniqueTaskQueue('po-sweep-idle');
const standIns: WorkflowHandle[] = [];
let sequence = 0;

beforeAll(async () => {
  stack = await startTestStack({
    timeline: MANUAL_TIMELINE,
    tracking: 'sweep',
    // The safety poll is a minute away: what a PO run learns here, the sweeper told it.
    env: { SO_SWEEP_INTERVAL_MS: '300', SO_SAFETY_POLL_MS: '60000', SO_SWEEPS_PER_RUN: '4' },
  });
  sim = new SimControl(stack.sim.url);
  const { db } = stack;
  await db('categories').insert({ code: 'OTHER', name: '其他', jd_first_category_no: '9000', jd_second_category_no: '9001', jd_third_category_no: '4159' });
  await db('warehouses').insert({ code: 'SH', name: '上海仓', jd_warehouse_no: JD_WAREHOUSE, eclp_connected: true });
  await db('suppliers').insert({ code: 'SUP', name: '供应商', jd_supplier_no: 'EMS0000000000001' });
  ({ goodsNo } = await stack.eclp.transportGoodsInfo({ isvGoodsNo: 'SKU-PS', goodsName: '商品 SKU-PS', barcodes: ['6950000019001'], thirdCategoryNo: '4159' }));
  await db('goods').insert({ sku: 'SKU-PS', name: '商品 SKU-PS', category_code: 'OTHER', safe_days: 0, serial_managed: false, sync_status: 'SYNCED', jd_goods_no: goodsNo });
  await db('goods_barcodes').insert({ sku: 'SKU-PS', barcode: '6950000019001', position: 0 });
  await stack.documents.sweepers.ensure({ jdWarehouseNo: JD_WAREHOUSE, intervalMs: 300, sweepsPerRun: 4 });
  sweeper = stack.documents.sweepers.handle(JD_WAREHOUSE);
}, 120_000);

afterAll(async () => {
  await Promise.all(standIns.map((h) => h.terminate('test done').catch(() => undefined)));
  await stack?.close();
});

// ---------------------------------------------------------------- helpers

/**
 * A PO as its pushed run leaves it: at JD (addPoOrder), in Postgres WAITING_INBOUND with JD's number and
 * the workflow ID of its (stand-in) run.
 */
async function openPo(quantity = 10): Promise<{ poNo: string; poOrderNo: string; run: WorkflowHandle }> {
  const poNo = `PO-SWP-${(sequence += 1)}`;
  await createPurchaseOrder(stack.db, { poNo, supplierCode: 'SUP', warehouseCode: 'SH', lines: [{ sku: 'SKU-PS', quantity }] }, { actorRole: 'erp' });
  const { poOrderNo } = await stack.eclp.addPoOrder({ spPoOrderNo: `${poNo}-1`, warehouseNo: JD_WAREHOUSE, supplierNo: 'EMS0000000000001', lines: [{ goodsNo, quantity }] });
  const run = await stack.client.workflow.start('purchaseOrderStandIn', { taskQueue: idleQueue, workflowId: `PO:${poNo}:1:${randomUUID()}`, args: [] });
  standIns.push(run);
  await stack.db('purchase_orders').where({ po_no: poNo }).update({ status: 'WAITING_INBOUND', po_order_no: poOrderNo, jd_warehouse_no: JD_WAREHOUSE, sp_po_order_no: `${poNo}-1`, workflow_id: run.workflowId });
  return { poNo, poOrderNo, run };
}

const receive = (poOrderNo: string, quantity: number, complete = false) => sim.control('POST', `purchase-orders/${poOrderNo}/receive`, { lines: [{ goodsNo, quantity }], complete });
const warehouseCancel = (poOrderNo: string, outcome: string) => sim.control('POST', `purchase-orders/${poOrderNo}/cancel`, { outcome });
const state = (): Promise<SweeperState> => sweeper.query(sweeperStatusQuery);

/** Two sweeps from now: the sweeper has seen whatever JD reports at this moment. */
const twoSweeps = () => moreSweeps(sweeper, 2, WAIT);

/** What the sweeper told a run, in order. */
const told = async (run: WorkflowHandle): Promise<JdStatusChangedPayload[]> => jdStatusSignals(await run.fetchHistory());

async function toldEventually(run: WorkflowHandle, count: number): Promise<JdStatusChangedPayload[]> {
  return eventually(() => told(run), (t) => t.length >= count, { what: `${count} signal(s) to ${run.workflowId}`, ...WAIT });
}

/**
 * With UPDATE_REPLAY_HISTORIES: a finished sweeper run that swept POs and signalled one, replayed by
 * test/replay/sweeper-replay.test.ts.
 */
async function saveSweeperRunThatToldAPo(): Promise<void> {
  if (!updatingReplayHistories()) return;
  const signalledIn = (await state()).totals.runs;
  await eventually(async () => (await state()).totals.runs > signalledIn, { what: 'the run that signalled finished', ...WAIT });
  let sweeperRun: History | undefined;
  for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${sweeper.workflowId}' AND ExecutionStatus = 'ContinuedAsNew'` })) {
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const types = scheduledActivityTypes(history);
    if (types.includes('queryJdPurchaseOrderStatuses') && types.includes('signalJdStatusChanges')) sweeperRun = history;
  }
  expect(sweeperRun).toBeDefined();
  saveReplayHistory(sweeperRun!, 'sweeper-purchase-orders-run.json');
}

// ---------------------------------------------------------------- tests

describe('the sweeper and purchase orders', () => {
  it('tells a PO run each time JD reports something to book or end on, once, and nothing while there is nothing', async () => {
    const po = await openPo(10);
    await twoSweeps();
    // 20 with nothing received: the run knows it just pushed; nothing to tell.
    expect(await told(po.run)).toEqual([]);
    expect((await state()).trackedPurchaseOrders).toBeGreaterThanOrEqual(1);

    await receive(po.poOrderNo, 4);
    expect(await toldEventually(po.run, 1)).toEqual([{ jdStatus: '20', settled: true }]);
    await receive(po.poOrderNo, 3);
    expect(await toldEventually(po.run, 2)).toEqual([{ jdStatus: '20', settled: true }, { jdStatus: '20', settled: true }]);
    // Nothing new at JD: sweeps go on, nothing more is told.
    await twoSweeps();
    expect(await told(po.run)).toHaveLength(2);

    await receive(po.poOrderNo, 3, true);
    expect((await toldEventually(po.run, 3)).at(-1)).toEqual({ jdStatus: '70', settled: true });
    await twoSweeps();
    expect(await told(po.run)).toHaveLength(3);
    await saveSweeperRunThatToldAPo();
    await stack.db('purchase_orders').where({ po_no: po.poNo }).update({ status: 'RECEIVED' });
  });

  it("JD's cancel: 90 with nothing received is not told, 91 is; a PO that left the open set is forgotten", async () => {
    const cancelled = await openPo(5);
    const failed = await openPo(5);
    await twoSweeps();
    await warehouseCancel(cancelled.poOrderNo, 'cancelling');
    await warehouseCancel(failed.poOrderNo, 'cancelling');
    await twoSweeps();
    expect(await told(cancelled.run)).toEqual([]);
    expect(await told(failed.run)).toEqual([]);

    await warehouseCancel(cancelled.poOrderNo, 'cancelled');
    await warehouseCancel(failed.poOrderNo, 'cancel-failed');
    expect(await toldEventually(cancelled.run, 1)).toEqual([{ jdStatus: '91', settled: true }]);
    expect(await toldEventually(failed.run, 1)).toEqual([{ jdStatus: '92', settled: true }]);

    // The runs book the end: the POs leave WAITING_INBOUND, and the sweeper stops remembering them.
    const trackedBefore = (await state()).trackedPurchaseOrders!;
    await stack.db('purchase_orders').whereIn('po_no', [cancelled.poNo, failed.poNo]).update({ status: 'CANCELLED' });
    await twoSweeps();
    expect((await state()).trackedPurchaseOrders).toBe(trackedBefore - 2);
  });

  it('a run that closed meanwhile is counted as undelivered, and the sweep goes on', async () => {
    const po = await openPo(2);
    await twoSweeps();
    await po.run.terminate('test: the run ended by its own poll');
    const { undeliveredSignals } = (await state()).totals;
    await receive(po.poOrderNo, 2, true);
    await eventually(async () => (await state()).totals.undeliveredSignals > undeliveredSignals, { what: 'the undelivered signal counted', ...WAIT });
    await stack.db('purchase_orders').where({ po_no: po.poNo }).update({ status: 'RECEIVED' });
  });

  it('asks JD once per 100 open POs per sweep, apart from the sales orders; continues as new carrying what it saw', async () => {
    const before = (await state()).totals;
    const many = await Promise.all(Array.from({ length: 130 }, () => openPo(1)));
    // One snapshot: the next query may already reach a new run, before its first sweep.
    const { lastSweep, totals } = await eventually(state, (now) => now.lastSweep?.purchaseOrders?.openPurchaseOrders === 130, { what: 'a sweep that saw 130 open POs', ...WAIT });
    expect(lastSweep).toMatchObject({ openOrders: 0, jdCalls: 0, purchaseOrders: { openPurchaseOrders: 130, jdCalls: 2, failedJdCalls: 0 } });
    expect(totals.purchaseOrderJdCalls! - (before.purchaseOrderJdCalls ?? 0)).toBeGreaterThanOrEqual(2);
    expect(totals.jdCalls).toBe(before.jdCalls);
    const stats = await sim.stats();
    expect(stats.byMethod[QUERY_PO]).toBeGreaterThan(0);

    // A receipt on one of them is told after a continue-as-new (4 sweeps per run): the fingerprints travelled.
    const runs = (await state()).totals.runs;
    await eventually(async () => (await state()).totals.runs > runs, { what: 'the sweeper continued as new', ...WAIT });
    expect(await told(many[0]!.run)).toEqual([]);
    await receive(many[0]!.poOrderNo, 1, true);
    expect(await toldEventually(many[0]!.run, 1)).toEqual([{ jdStatus: '70', settled: true }]);
    await twoSweeps();
    expect(await told(many[1]!.run)).toEqual([]);
    await stack.db('purchase_orders').whereIn('po_no', many.map((p) => p.poNo)).update({ status: 'RECEIVED' });
  });

  it(`records the ${SWEEP_PURCHASE_ORDERS_PATCH} marker in every run`, async () => {
    // The current run may have just begun: wait for its first PO page.
    const history = await eventually(() => sweeper.fetchHistory(), (h) => scheduledActivityTypes(h).includes('listOpenPurchaseOrders'), { what: 'a PO sweep in the current run', ...WAIT });
    const markers = (history.events ?? []).flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? []);
    expect(markers).toEqual(['core_patch']);
  });

  it('a real PO in sweep mode: received in two timeline batches, short, each receipt booked once after the sweeper told the run', async () => {
    await sim.setTimeline({ purchaseOrder: { receiveAfterMs: 800, receiptBatches: 2, receiptIntervalMs: 1_500, shortRatio: 0.2 } });
    const created = await request(stack.app)
      .post('/v1/purchase-orders')
      .set(auth('erp'))
      .send({ poNo: 'PO-SWP-E2E', supplierCode: 'SUP', warehouseCode: 'SH', lines: [{ sku: 'SKU-PS', quantity: 10 }] });
    expect(created.status).toBe(202);
    const run = stack.client.workflow.getHandle(created.body.workflowId as string);
    expect(await run.result()).toMatchObject({ poNo: 'PO-SWP-E2E', status: 'RECEIVED', receipts: 2 });

    const po = (await request(stack.app).get('/v1/purchase-orders/PO-SWP-E2E').set(auth('operator')).expect(200)).body;
    expect(po).toMatchObject({ status: 'RECEIVED', closedShort: true, lines: [{ sku: 'SKU-PS', quantity: 10, receivedQuantity: 8, shortQuantity: 2 }] });
    expect(po.receipts.map((r: { lines: unknown }) => r.lines)).toEqual([[{ sku: 'SKU-PS', quantity: 4 }], [{ sku: 'SKU-PS', quantity: 4 }]]);
    expect(po.ledger.reduce((sum: number, e: { quantity: number }) => sum + e.quantity, 0)).toBe(8);

    // Told by the sweeper (settled each time), then the run looked at JD once per signal at most.
    const signals = await told(run);
    expect(signals.length).toBeGreaterThanOrEqual(2);
    expect(signals.every((t) => t.settled)).toBe(true);
    expect(signals.at(-1)).toEqual({ jdStatus: '70', settled: true });
    const looks = scheduledActivityTypes(await run.fetchHistory()).filter((t) => t === 'awaitPurchaseOrderProgress');
    expect(looks.length).toBeLessThanOrEqual(signals.length);
  });
});
