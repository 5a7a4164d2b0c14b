// Sales orders in sweep mode (SO_TRACKING=sweep): the warehouse sweeper asks JD about open orders 100 at a
// time and signals the runs whose JD status moved; a run asks JD itself only when told its order settled,
// and rarely as a safety net. API → Temporal (real dev server) → worker → simulator over HTTP → Postgres.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import request from 'supertest';
import { runJdEconomyScenario } from '../bench/scenarios/jd-economy';
import type { Timeline } from '../simulator/timeline';
import { salesOrderStatusQuery } from '../messages/sales-order';
import { sweeperStatusQuery } from '../messages/sweeper';
import { startTestStack, type TestStack } from './helpers/stack';
import {
  ApiClient,
  auth,
  eventually,
  jdStatusSignals,
  moreSweeps,
  saveReplayHistory,
  scheduledActivityTypes,
  SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH,
  SimControl,
  sleep,
  TOKENS,
  updatingReplayHistories,
  type EventuallyOptions,
  type History,
} from './support';

const FAST: Timeline['salesOrder'] = { pickAfterMs: 300, packAfterMs: 600, shipAfterMs: 1_000, deliverAfterMs: null };
const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };
const QUERY_ORDER = 'jingdong.eclp.order.queryOrder';
const EXT_QUERY_ORDER = 'jingdong.eclp.order.ext.queryOrder';
const JD_WAREHOUSE = '110000001';
/** Sweeps and signals take a few 300 ms intervals; a busy machine needs more. */
const WAIT: EventuallyOptions = { timeoutMs: 20_000, pollMs: 100 };

let stack: TestStack;
let sim: SimControl;
let sweeper: WorkflowHandle;

beforeAll(async () => {
  stack = await startTestStack({
    tracking: 'sweep',
    timeline: { salesOrder: FAST },
    // The safety poll is a minute away unless a test says otherwise: what ships here, the sweeper found.
    env: { SO_SWEEP_INTERVAL_MS: '300', SO_SAFETY_POLL_MS: '60000', SO_SWEEPS_PER_RUN: '3', CANCEL_WAIT_MS: '6000' },
  });
  sim = new SimControl(stack.sim.url);
  sweeper = stack.documents.sweepers.handle(JD_WAREHOUSE);
  const put = (url: string, body: object) => request(stack.app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: JD_WAREHOUSE, eclpConnected: true });
  await put('/v1/carriers/JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await put('/v1/goods/SKU-A', { name: '商品 SKU-A', barcodes: ['6950000009001'], categoryCode: 'OTHER' });
  await request(stack.app).post('/v1/goods/SKU-A/sync').set(auth('erp')).expect(202);
  await stack.client.workflow.getHandle('GOODS:SKU-A').result();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

// ---------------------------------------------------------------- helpers

type App = TestStack['app'];

async function createOrder(orderNo: string) {
  const res = await request(stack.app)
    .post('/v1/sales-orders')
    .set(auth('erp'))
    .send({
      orderNo,
      warehouseCode: 'BJ',
      carrierCode: 'JDEX',
      consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
      lines: [{ sku: 'SKU-A', quantity: 2, price: 59.9 }],
    });
  expect(res.status).toBe(201);
}

async function approve(orderNo: string, app: App = stack.app): Promise<WorkflowHandle> {
  const res = await request(app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp'));
  expect(res.status).toBe(202);
  return stack.client.workflow.getHandle(res.body.workflowId);
}

async function getOrder(orderNo: string) {
  const res = await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator'));
  expect(res.status).toBe(200);
  return res.body;
}

/** Two sweeps from now: the sweeper has seen whatever is open at JD at this moment. */
const twoSweeps = () => moreSweeps(sweeper, 2, WAIT);

async function waitForStatus(orderNo: string, status: string) {
  await eventually(async () => (await getOrder(orderNo)).status === status, { what: `${orderNo} in ${status}`, ...WAIT });
  return getOrder(orderNo);
}

const setTimeline = (salesOrder: Timeline['salesOrder']) => sim.setTimeline({ salesOrder });
const jdCalls = async (method: string) => (await sim.stats()).byMethod[method] ?? 0;
const moveAtJd = async (eclpSoNo: string, ...moves: Array<'pick' | 'pack' | 'ship'>) => {
  for (const move of moves) await sim.moveSalesOrder(eclpSoNo, move);
};
const cancelRequest = (orderNo: string, kind: 'send-back' | 'refund', reason: string) =>
  request(stack.app).post(`/v1/sales-orders/${orderNo}/${kind}`).set(auth('operator')).send({ reason });


// ---------------------------------------------------------------- sweep mode

describe('sweep mode', () => {
  it('an order ships through the sweeper: told by a signal, JD asked once for the details, no polling', async () => {
    await setTimeline(FAST);
    await createOrder('SWP-1');
    const queriesBefore = await jdCalls(QUERY_ORDER);
    const handle = await approve('SWP-1');
    expect(await handle.result()).toMatchObject({ orderNo: 'SWP-1', status: 'SHIPPED', eclpSoNo: expect.stringMatching(/^ESL/) });
    const order = await getOrder('SWP-1');
    expect(order).toMatchObject({ status: 'SHIPPED', wayBill: expect.stringMatching(/^JDV/), jdShipperNo: 'CYS0000010' });
    expect(order.log.map((e: { action: string }) => e.action)).toEqual(['created', 'approved', 'pushed', 'shipped']);
    // One queryOrder: the run's look at the details once the sweeper said 10019 (its safety poll is a minute away).
    expect(await jdCalls(QUERY_ORDER)).toBe(queriesBefore + 1);

    const history = await handle.fetchHistory();
    const told = jdStatusSignals(history);
    expect(told.at(-1)).toEqual({ jdStatus: '10019', settled: true });
    // Each status is told once, although the sweeper continued as new several times meanwhile.
    expect(new Set(told.map((t) => t.jdStatus)).size).toBe(told.length);
    expect(told.slice(0, -1).every((t) => !t.settled)).toBe(true);
    expect(scheduledActivityTypes(history)).toEqual(SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH);
    expect(await handle.query(salesOrderStatusQuery)).toMatchObject({ status: 'SHIPPED', tracking: 'sweep', jdStatus: '10019' });
    const historyJson = historyToJSON(history);
    expect(historyJson).not.toContain('王小明');

    // One sweeper for the warehouse, still running, its history cut by continue-as-new.
    await eventually(async () => (await sweeper.query(sweeperStatusQuery)).totals.runs >= 1, { what: 'the sweeper continued as new', ...WAIT });
    const described = await sweeper.describe();
    expect(described.status.name).toBe('RUNNING');
    const state = await sweeper.query(sweeperStatusQuery);
    expect(state).toMatchObject({ jdWarehouseNo: JD_WAREHOUSE, intervalMs: 300 });
    expect(state.totals.signals).toBeGreaterThanOrEqual(told.length);
    expect(described.historyLength).toBeLessThan(200);

    saveReplayHistory(history, 'sales-order-sweep-mode.json');
    if (updatingReplayHistories()) {
      // A finished sweeper run that signalled: replayed like the orders' runs (test/replay/).
      let sweeperRun: History | undefined;
      for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${sweeper.workflowId}' AND ExecutionStatus = 'ContinuedAsNew'` })) {
        const runHistory = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
        if (scheduledActivityTypes(runHistory).includes('signalJdStatusChanges')) sweeperRun = runHistory;
      }
      expect(sweeperRun).toBeDefined();
      saveReplayHistory(sweeperRun!, 'sales-order-sweeper-run.json');
    }
  });

  it('send-back: cancelled at JD before picking; refused after it, and the sweeper still brings the shipment', async () => {
    await setTimeline(MANUAL);
    await createOrder('SWP-SB-1');
    const first = await approve('SWP-SB-1');
    await waitForStatus('SWP-SB-1', 'WMS_PICKING');
    const back = await cancelRequest('SWP-SB-1', 'send-back', '客户改地址');
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'REVIEW' });
    expect(await first.result()).toMatchObject({ status: 'REVIEW' });

    await createOrder('SWP-SB-2');
    const handle = await approve('SWP-SB-2');
    const picking = await waitForStatus('SWP-SB-2', 'WMS_PICKING');
    // First sight of an order at 10010 is not told (the run knows it just pushed); a later change is.
    await twoSweeps();
    await moveAtJd(picking.eclpSoNo, 'pick');
    // The sweeper tells the run about the pick; not settled, so the run does not ask JD.
    await eventually(async () => (await handle.query(salesOrderStatusQuery)).jdStatus === '10017', { what: 'the run knows JD picked', ...WAIT });
    const refused = await cancelRequest('SWP-SB-2', 'send-back', '仓库已拣货');
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ verdict: 'REFUSED_BY_JD', status: 'WMS_PICKING' });

    const queriesBefore = await jdCalls(QUERY_ORDER);
    await moveAtJd(picking.eclpSoNo, 'pack', 'ship');
    expect(await handle.result()).toMatchObject({ status: 'SHIPPED' });
    expect(await jdCalls(QUERY_ORDER)).toBe(queriesBefore + 1);
    // Packed and shipped in one go: the sweeper may have seen 10018 in between, or not.
    const told = jdStatusSignals(await handle.fetchHistory()).map((t) => t.jdStatus);
    expect(told[0]).toBe('10017');
    expect(told.at(-1)).toBe('10019');
    expect(told.length).toBeLessThanOrEqual(3);
  });

  it('a stopped sweeper does not strand an order: the safety poll finds the shipment, and the next approval restarts the sweeper', async () => {
    await setTimeline(MANUAL);
    const api = stack.apiWith({ SO_SAFETY_POLL_MS: '1500' });
    await createOrder('SWP-SAFE-1');
    const handle = await approve('SWP-SAFE-1', api);
    const picking = await waitForStatus('SWP-SAFE-1', 'WMS_PICKING');
    await sweeper.terminate('test: the sweeper is gone');
    // A sweep activity already running when the sweeper was stopped may still reach JD.
    await sleep(500);
    const lookupsBefore = await jdCalls(EXT_QUERY_ORDER);

    await moveAtJd(picking.eclpSoNo, 'pick', 'pack', 'ship');
    const shippedAt = Date.now();
    expect(await handle.result()).toMatchObject({ status: 'SHIPPED' });
    expect(Date.now() - shippedAt).toBeLessThan(10_000);
    expect(await jdCalls(EXT_QUERY_ORDER)).toBe(lookupsBefore);
    expect(jdStatusSignals(await handle.fetchHistory()).filter((t) => t.settled)).toEqual([]);

    // The API ensures the sweeper at most once per sweep interval (300 ms here).
    await sleep(400);
    await createOrder('SWP-SAFE-2');
    const next = await approve('SWP-SAFE-2', api);
    expect((await sweeper.describe()).status.name).toBe('RUNNING');
    await waitForStatus('SWP-SAFE-2', 'WMS_PICKING');
    expect((await cancelRequest('SWP-SAFE-2', 'refund', '买家退款')).body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'CANCELLED' });
    expect(await next.result()).toMatchObject({ status: 'CANCELLED' });
  });

  it('a malformed jdStatusChanged signal is counted and ignored', async () => {
    await setTimeline(MANUAL);
    await createOrder('SWP-BAD-1');
    const handle = await approve('SWP-BAD-1');
    await waitForStatus('SWP-BAD-1', 'WMS_PICKING');
    await handle.signal('jdStatusChanged', { jdStatus: 'shipped!', settled: 'yes' });
    await eventually(async () => (await handle.query(salesOrderStatusQuery)).ignoredSignals === 1, { what: 'the run counted the bad signal', ...WAIT });
    expect(await handle.query(salesOrderStatusQuery)).toMatchObject({ status: 'WMS_PICKING', tracking: 'sweep' });
    expect((await cancelRequest('SWP-BAD-1', 'refund', '买家退款')).body).toMatchObject({ verdict: 'CANCELLED_AT_JD' });
  });
});

// ---------------------------------------------------------------- call economy

describe('JD call economy (the bench scenario, small)', () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('sweeping asks JD once per 100 open orders per interval, polling once per order; both notice every shipment without the safety poll', async () => {
    server = await new Promise<Server>((resolve) => {
      const s = stack.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const orders = 120;
    const intervalMs = 2_000;
    const safetyPollIntervalMs = 120_000;
    const { result, rows } = await runJdEconomyScenario(
      {
        target: { namespace: stack.client.options.namespace },
        api: new ApiClient({ baseUrl: apiUrl, tokens: TOKENS }),
        tokens: TOKENS,
        sim,
        temporal: stack.client,
        db: stack.db,
        driverContext: { runId: 'T1' },
        options: { quick: true },
        signal: new AbortController().signal,
        log: () => undefined,
        taskQueues: stack.queues,
      },
      // The safety poll is kept out of the window: this measures the sweeper against polling.
      { documents: { 'sales-order': orders }, intervalMs, windowMs: 6_000, safetyPollIntervalMs, concurrency: 8, historySample: 6 },
    );
    const [salesOrders] = result.kinds;
    const poll = salesOrders!.modes.find((m) => m.mode === 'poll')!;
    const sweep = salesOrders!.modes.find((m) => m.mode === 'sweep')!;
    const intervals = (m: typeof poll) => m.windowMs / intervalMs;

    // Polling: up to one queryOrder per order per interval (fewer when this busy test process lags behind).
    const pollsPerOrderPerInterval = (poll.jdCalls.inWindow[QUERY_ORDER] ?? 0) / orders / intervals(poll);
    expect(pollsPerOrderPerInterval).toBeGreaterThan(0.4);
    expect(pollsPerOrderPerInterval).toBeLessThan(1.2);
    expect(poll.sweeper).toBeNull();

    // Sweeping: ceil(120 / 100) = 2 order.ext.queryOrder calls per sweep, nothing per order.
    expect(sweep.sweeper!.jdCallsPerSweep).toBe(2);
    const sweeps = sweep.sweeper!.sweepsInWindow;
    expect(sweeps).toBeGreaterThanOrEqual(3);
    expect(sweep.jdCalls.inWindow[EXT_QUERY_ORDER]).toBeGreaterThanOrEqual(2 * (sweeps - 1));
    expect(sweep.jdCalls.inWindow[EXT_QUERY_ORDER]).toBeLessThanOrEqual(2 * (sweeps + 1));
    expect(sweep.jdCalls.inWindow[QUERY_ORDER] ?? 0).toBe(0);
    // An order of magnitude and more: up to 1 per order against 2/120 per order and interval.
    expect(salesOrders!.ratio.jdCallsPerOrderPerHour).toBeGreaterThan(20);

    for (const mode of [poll, sweep]) {
      expect(mode.missing).toBe(0);
      expect(mode.shipped).toBe(orders);
      // Noticed by the polls or the sweeps (how soon depends on how busy this process is), not by the safety poll.
      expect(mode.detectionLatencyMs.max).toBeLessThan(safetyPollIntervalMs / 4);
      expect(mode.historyEventsPerWorkflow.sampled).toBe(6);
    }
    expect(rows[0]).toContain('JD calls/order/h');
    expect(rows.map((r) => r[1])).toEqual(['mode', 'poll', 'sweep', 'poll / sweep']);
    // The scenario stops its sweeper when its orders are shipped.
    expect((await stack.client.workflow.getHandle(sweep.sweeper!.workflowId).describe()).status.name).toBe('TERMINATED');
  }, 300_000);
});
