// JD call economy at scale (issue 5 item 5): N open orders waiting for shipment, followed per order
// (SO_TRACKING=poll) and by the warehouse sweeper (SO_TRACKING=sweep), side by side: JD calls per order
// per hour (the simulator's counters over a window, scaled to an hour), detection latency (JD ships →
// SHIPPED in Postgres) and history events per workflow.
//
// The mode is API configuration that each run takes in its input, so the scenario serves one API
// instance per mode from this process (api/routes.ts: the code and routes of the API process) against
// the system's Temporal, PostgreSQL and workers. Both modes are measured without restarting the
// system's API, and an attached system (--attach) works the same way. Each mode gets its own JD
// warehouse, so nothing else open in the system is swept or counted with it; run it alone (the
// simulator's counters and timeline are global).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { apiRoutes } from '../../api/routes';
import { salesOrderApiConfigFromEnv } from '../../api/config';
import type { SalesOrderStatus } from '../../domain/statuses';
import { createDocumentClient } from '../../client';
import type { SalesOrderTrackingMode } from '../../messages/sales-order';
import { sweeperStatusQuery, type SweeperState } from '../../messages/sweeper';
import { TASK_QUEUES } from '../../messages/task-queues';
import { ApiClient, type Role } from '../../test/support/api-client';
import { HttpError } from '../../test/support/http';
import type { SimControl, SimStats } from '../../test/support/simulator';
import { eventually, sleep } from '../../test/support/timing';
import type { DriverContext } from '../drivers/types';
import { historyLengths, summariseCounts, type EventCounts } from '../history';
import { distribution, type Distribution } from '../metrics';
import type { BenchTarget } from '../target';
import type { ScenarioOutcome } from './index';

const EXT_QUERY_ORDER = 'jingdong.eclp.order.ext.queryOrder';
/** order.ext.queryOrder answers this many isvUUIDs per call (eclp MAX_BATCH_NUMBERS). */
const JD_BATCH = 100;
const HOUR_MS = 3_600_000;

export interface JdEconomySettings {
  /** Open orders per mode. */
  orders: number;
  /** Poll interval of poll mode and sweep interval of sweep mode: the same detection latency is asked of both. */
  intervalMs: number;
  /** How long JD calls are counted while every order waits for shipment. */
  windowMs: number;
  /** SO_SAFETY_POLL_MS of sweep mode; default the API's (30 sweep intervals). */
  safetyPollIntervalMs?: number;
  /** API and simulator requests in flight while orders are submitted and moved. */
  concurrency: number;
  /** Workflows per mode whose history is counted. */
  historySample: number;
  modes: SalesOrderTrackingMode[];
}

export const JD_ECONOMY_FULL: JdEconomySettings = { orders: 1000, intervalMs: 10_000, windowMs: 40_000, concurrency: 16, historySample: 40, modes: ['poll', 'sweep'] };
export const JD_ECONOMY_QUICK: JdEconomySettings = { orders: 20, intervalMs: 1_000, windowMs: 4_000, concurrency: 8, historySample: 5, modes: ['poll', 'sweep'] };

/**
 * What the scenario uses of the bench's ScenarioContext (bench/scenarios/index.ts); tests hand in the
 * same from their in-process stack, with the task queues its workers poll.
 */
export interface JdEconomyContext {
  target: Pick<BenchTarget, 'namespace'>;
  /** The system's API: master data and goods sync. */
  api: ApiClient;
  tokens: Partial<Record<Role, string>>;
  sim: SimControl;
  temporal: Client;
  db: Knex;
  driverContext: Pick<DriverContext, 'runId'>;
  options: { quick: boolean };
  signal: AbortSignal;
  log(line: string): void;
  /** The queues the system's workers poll; default erp/eclp. */
  taskQueues?: { erp: string; eclp: string };
}

export interface JdCallFigures {
  /** Every call the simulator counted in the window, per order per hour, by method. */
  byMethod: Record<string, number>;
  perOrderPerHour: number;
  /**
   * The measured figure with the safety polls of sweep mode spread as they are in a steady state (one
   * queryOrder per order per safety interval): orders of a short run all reach their first safety poll
   * at about the same time, inside or outside the window.
   */
  steadyStatePerOrderPerHour: number;
  /** The fewest calls that notice a shipment within one interval: one per order, or one per 100 orders. */
  minimumPerOrderPerHour: number;
  inWindow: Record<string, number>;
}

export interface JdEconomyModeResult {
  mode: SalesOrderTrackingMode;
  orders: number;
  intervalMs: number;
  safetyPollIntervalMs: number | null;
  windowMs: number;
  jdCalls: JdCallFigures;
  /** JD's shipment (the simulator's ship call) → SHIPPED in Postgres. */
  detectionLatencyMs: Distribution;
  historyEventsPerWorkflow: EventCounts & { sampled: number };
  sweeper: {
    workflowId: string;
    sweepsInWindow: number;
    jdCallsPerSweep: number | null;
    /** History events the sweeper wrote per hour while the orders waited. */
    historyEventsPerHour: number;
    historyEventsTotal: number;
    runs: number;
  } | null;
  shipped: number;
  /** Orders that did not reach SHIPPED in time (the figures above leave them out). */
  missing: number;
  durationS: number;
}

export interface JdEconomyResult {
  settings: JdEconomySettings;
  modes: JdEconomyModeResult[];
  /** poll / sweep, when both ran. */
  ratio: { jdCallsPerOrderPerHour: number | null; steadyState: number | null; detectionP50: number | null; historyEventsMean: number | null };
}

// ------------------------------------------------------------------------------------------------------

function tokensSpec(tokens: Partial<Record<Role, string>>): string {
  const spec = Object.entries(tokens)
    .filter(([, token]) => token)
    .map(([role, token]) => `${role}:${token}`)
    .join(',');
  if (!tokens.erp) throw new Error('the JD economy scenario needs the erp token (it creates and approves orders)');
  return spec;
}

async function forEachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      if (signal.aborted) throw new Error('aborted');
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * As an ERP would: a 503 (Temporal slow or away; the API says nothing changed or retry is safe) is
 * retried after a pause. An approve whose first attempt did get through answers 409 on the retry.
 */
async function retrying<T>(call: () => Promise<T>, done?: (err: HttpError) => boolean): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt > 1 && err instanceof HttpError && done?.(err)) return undefined;
      if (!(err instanceof HttpError) || err.status !== 503 || attempt >= 10) throw err;
      await sleep(1_000);
    }
  }
}

/**
 * Waits until `count()` reaches `target`, for as long as it keeps moving: a busy machine is slow, not
 * wrong, so only `stallMs` without any progress gives up. Returns the last count.
 */
async function untilAll(what: string, target: number, stallMs: number, ctx: Pick<JdEconomyContext, 'signal' | 'log'>, count: () => Promise<number>): Promise<number> {
  let last = -1;
  let movedAt = Date.now();
  let toldAt = Date.now();
  for (;;) {
    const now = await count();
    if (now >= target) return now;
    if (now !== last) [last, movedAt] = [now, Date.now()];
    if (ctx.signal.aborted) throw new Error('aborted');
    if (Date.now() - movedAt > stallMs) return now;
    if (Date.now() - toldAt > 15_000) {
      ctx.log(`${what}: ${now} of ${target}`);
      toldAt = Date.now();
    }
    await sleep(250);
  }
}

const delta = (from: SimStats, to: SimStats): Record<string, number> =>
  Object.fromEntries(Object.entries(to.byMethod).flatMap(([method, n]) => (n - (from.byMethod[method] ?? 0) > 0 ? [[method, n - (from.byMethod[method] ?? 0)]] : [])));

const round = (value: number, digits = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value);

/** One API instance with the mode's configuration, listening on a free local port. */
async function modeApi(ctx: JdEconomyContext, env: Record<string, string>) {
  const app = createApp({
    tokens: parseApiTokens(tokensSpec(ctx.tokens)),
    logger: pino({ level: 'silent' }),
    routes: apiRoutes({ db: ctx.db, temporal: ctx.temporal, namespace: ctx.target.namespace, taskQueues: ctx.taskQueues, env }),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    api: new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, tokens: ctx.tokens }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Codes {
  category: string;
  carrier: string;
  sku: string;
  barcode: string;
  warehouse: (mode: SalesOrderTrackingMode) => string;
  jdWarehouseNo: (mode: SalesOrderTrackingMode) => string;
  orderNo: (mode: SalesOrderTrackingMode, index: number) => string;
}

function codesFor(runId: string): Codes {
  const id = runId.replace(/[^A-Za-z0-9]/g, '');
  return {
    category: `E${id}-CAT`,
    carrier: `E${id}-JD`,
    sku: `E${id}-SKU`,
    barcode: `E${id}-1`,
    warehouse: (mode) => `E${id}-${mode.toUpperCase()}`,
    // A JD warehouse per run and mode: nothing else is open there, so its sweeper and counters are ours.
    jdWarehouseNo: (mode) => `EW${id}${mode === 'poll' ? 'P' : 'S'}`,
    orderNo: (mode, index) => `E${id}-${mode === 'poll' ? 'P' : 'S'}-${String(index).padStart(5, '0')}`,
  };
}

async function prepare(ctx: JdEconomyContext, codes: Codes, modes: readonly SalesOrderTrackingMode[]): Promise<void> {
  await ctx.sim.control('POST', 'catalogue', { warehouses: modes.map((mode) => ({ warehouseNo: codes.jdWarehouseNo(mode), name: `经济测试仓 ${mode}` })) });
  await ctx.api.put(`/v1/categories/${codes.category}`, { name: '经济测试类目', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await ctx.api.put(`/v1/carriers/${codes.carrier}`, { name: '京东快递', jdShipperNo: 'CYS0000010' });
  for (const mode of modes) await ctx.api.put(`/v1/warehouses/${codes.warehouse(mode)}`, { name: `经济测试仓 ${mode}`, jdWarehouseNo: codes.jdWarehouseNo(mode), eclpConnected: true });
  await ctx.api.put(`/v1/goods/${codes.sku}`, { name: '经济测试商品', barcodes: [codes.barcode], categoryCode: codes.category });
  await ctx.api.post(`/v1/goods/${codes.sku}/sync`);
  const synced = async () => {
    const { body } = await ctx.api.get<{ syncStatus: string; syncError?: string }>(`/v1/goods/${codes.sku}`);
    if (body.syncStatus === 'SYNC_FAILED') throw new Error(`goods ${codes.sku} did not sync: ${body.syncError ?? 'no reason'}`);
    return body.syncStatus === 'SYNCED';
  };
  await eventually(synced, { what: `goods ${codes.sku} synced to JD`, timeoutMs: 60_000, pollMs: 250, signal: ctx.signal });
}

async function countInStatus(db: Knex, orderNos: readonly string[], status: SalesOrderStatus): Promise<number> {
  let count = 0;
  for (let i = 0; i < orderNos.length; i += 1000) {
    const [row] = await db('sales_orders').whereIn('order_no', orderNos.slice(i, i + 1000)).andWhere({ status }).count<{ n: string }[]>({ n: '*' });
    count += Number(row?.n ?? 0);
  }
  return count;
}

async function rowsOf(db: Knex, orderNos: readonly string[]): Promise<Array<{ order_no: string; status: string; status_since: Date; eclp_so_no: string | null }>> {
  const rows: Array<{ order_no: string; status: string; status_since: Date; eclp_so_no: string | null }> = [];
  for (let i = 0; i < orderNos.length; i += 1000) {
    rows.push(...(await db('sales_orders').whereIn('order_no', orderNos.slice(i, i + 1000)).select('order_no', 'status', 'status_since', 'eclp_so_no')));
  }
  return rows;
}

async function runMode(ctx: JdEconomyContext, settings: JdEconomySettings, codes: Codes, mode: SalesOrderTrackingMode): Promise<JdEconomyModeResult> {
  const started = Date.now();
  const { orders: n, intervalMs, windowMs, concurrency } = settings;
  const { signal } = ctx;
  const env: Record<string, string> = {
    SO_TRACKING: mode,
    SO_POLL_INTERVAL_MS: String(intervalMs),
    SO_SWEEP_INTERVAL_MS: String(intervalMs),
    ...(settings.safetyPollIntervalMs !== undefined && { SO_SAFETY_POLL_MS: String(settings.safetyPollIntervalMs) }),
  };
  // What the mode's API will put into each run's input (its default when the settings name none).
  const safetyPollIntervalMs = mode === 'sweep' ? salesOrderApiConfigFromEnv(env).safetyPollIntervalMs : null;
  const orderNos = Array.from({ length: n }, (_, i) => codes.orderNo(mode, i + 1));
  const jdWarehouseNo = codes.jdWarehouseNo(mode);
  const documents = createDocumentClient(ctx.temporal, ctx.taskQueues ?? TASK_QUEUES);
  const sweeper = documents.sweepers.handle(jdWarehouseNo);
  /** A query waits for the sweeper's worker; on a busy machine it may time out once or twice. */
  const sweeperState = async (): Promise<SweeperState> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await sweeper.query(sweeperStatusQuery);
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(1_000);
      }
    }
  };
  const { api, close } = await modeApi(ctx, env);
  try {
    // 1. N orders, approved through the mode's API, all in WMS配货 at JD (the timeline moves nothing).
    ctx.log(`jd-economy ${mode}: submitting ${n} orders`);
    let submitted = 0;
    let toldAt = Date.now();
    await forEachLimited(orderNos, concurrency, signal, async (orderNo) => {
      if (Date.now() - toldAt > 15_000) {
        ctx.log(`jd-economy ${mode}: ${submitted} of ${n} submitted`);
        toldAt = Date.now();
      }
      const body = {
        orderNo,
        warehouseCode: codes.warehouse(mode),
        carrierCode: codes.carrier,
        // Test data, not a person.
        consignee: { name: '压测收货人', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号压测楼' },
        lines: [{ sku: codes.sku, quantity: 1, price: 10 }],
      };
      await retrying(() => api.post('/v1/sales-orders', body));
      await retrying(() => api.post(`/v1/sales-orders/${orderNo}/approve`), (err) => err.status === 409);
      submitted += 1;
    });
    const picking = await untilAll(`${mode} orders in WMS_PICKING`, n, 60_000, ctx, () => countInStatus(ctx.db, orderNos, 'WMS_PICKING'));
    if (picking < n) throw new Error(`only ${picking} of ${n} ${mode} orders reached WMS_PICKING; none moved for 60 s`);
    const eclpSoNos = (await rowsOf(ctx.db, orderNos)).map((row) => row.eclp_so_no!);

    // 2. Picked and packed: waiting for shipment. The window starts once the system is quiet again: in
    // sweep mode the sweeper tells every run about the pick, and that burst must not be in the window.
    ctx.log(`jd-economy ${mode}: picking and packing at JD`);
    const sweepsBeforePack = mode === 'sweep' ? (await sweeperState()).totals.sweeps : 0;
    await forEachLimited(eclpSoNos, concurrency, signal, async (eclpSoNo) => {
      await ctx.sim.moveSalesOrder(eclpSoNo, 'pick');
      await ctx.sim.moveSalesOrder(eclpSoNo, 'pack');
    });
    if (mode === 'sweep') {
      // A whole sweep after the last pack that found nothing new: every run has been told.
      const caughtUp = async () => {
        const state = await sweeper.query(sweeperStatusQuery).catch(() => undefined);
        return state !== undefined && state.totals.sweeps >= sweepsBeforePack + 2 && state.lastSweep?.changed === 0;
      };
      await eventually(caughtUp, { what: 'the sweeper caught up with the packs', timeoutMs: Math.max(60_000, 10 * intervalMs), pollMs: 250, signal });
    }
    await sleep(intervalMs * 1.5, signal);

    // 3. The window: JD calls while every order waits.
    ctx.log(`jd-economy ${mode}: counting JD calls for ${Math.round(windowMs / 1000)} s`);
    const sweeperBefore = mode === 'sweep' ? await sweeperState() : undefined;
    const statsBefore = await ctx.sim.stats();
    const windowStart = Date.now();
    await sleep(windowMs, signal);
    const statsAfter = await ctx.sim.stats();
    const windowEnd = Date.now();
    const sweeperAfter = mode === 'sweep' ? await sweeperState() : undefined;
    const inWindow = delta(statsBefore, statsAfter);
    const perOrderPerHour = (calls: number) => (calls / n) * (HOUR_MS / (windowEnd - windowStart));
    const byMethod = Object.fromEntries(Object.entries(inWindow).map(([method, calls]) => [method, round(perOrderPerHour(calls), 2)]));
    const total = perOrderPerHour(Object.values(inWindow).reduce((a, b) => a + b, 0));
    const steadyState =
      mode === 'sweep' && safetyPollIntervalMs !== null ? perOrderPerHour(inWindow[EXT_QUERY_ORDER] ?? 0) + HOUR_MS / safetyPollIntervalMs : total;

    // 4. JD ships every order, spread over two intervals; each detection is timed from its ship call.
    ctx.log(`jd-economy ${mode}: shipping at JD`);
    const shippedAt = new Map<string, number>();
    const spreadMs = 2 * intervalMs;
    const shipStart = Date.now();
    await forEachLimited(eclpSoNos, concurrency, signal, async (eclpSoNo, index) => {
      const due = shipStart + (index * spreadMs) / n;
      // No abort listener per order (one lane per request in flight checks the signal between orders).
      if (due > Date.now()) await sleep(due - Date.now());
      shippedAt.set(orderNos[index]!, Date.now());
      await ctx.sim.moveSalesOrder(eclpSoNo, 'ship');
    });
    // What never arrives (nothing moved for a safety interval and more) is reported as missing.
    const shipped = await untilAll(`${mode} orders SHIPPED`, n, Math.max(60_000, 5 * intervalMs) + (safetyPollIntervalMs ?? 0), ctx, () => countInStatus(ctx.db, orderNos, 'SHIPPED'));
    if (shipped < n) ctx.log(`jd-economy ${mode}: ${n - shipped} orders not SHIPPED; measuring what arrived`);
    const rows = await rowsOf(ctx.db, orderNos);
    const latencies = rows.filter((row) => row.status === 'SHIPPED').map((row) => new Date(row.status_since).getTime() - shippedAt.get(row.order_no)!);

    // 5. History events of a sample of finished runs, and what the sweeper cost.
    const step = Math.max(1, Math.floor(n / settings.historySample));
    const sample = orderNos.filter((_, i) => i % step === 0).slice(0, settings.historySample);
    const lengths = await historyLengths(ctx.temporal, sample.map((orderNo) => documents.salesOrders.workflowId(orderNo, 1)));
    let sweeperFigures: JdEconomyModeResult['sweeper'] = null;
    if (mode === 'sweep') {
      const end = await sweeperState();
      const sweeps = sweeperAfter!.totals.sweeps - sweeperBefore!.totals.sweeps;
      sweeperFigures = {
        workflowId: sweeper.workflowId,
        sweepsInWindow: sweeps,
        jdCallsPerSweep: sweeps > 0 ? round((sweeperAfter!.totals.jdCalls - sweeperBefore!.totals.jdCalls) / sweeps, 2) : null,
        historyEventsPerHour: round(((sweeperAfter!.historyEventsSoFar - sweeperBefore!.historyEventsSoFar) * HOUR_MS) / (windowEnd - windowStart), 0),
        historyEventsTotal: end.historyEventsSoFar,
        runs: end.totals.runs + 1,
      };
    }
    const summary = summariseCounts(lengths);
    return {
      mode,
      orders: n,
      intervalMs,
      safetyPollIntervalMs,
      windowMs: windowEnd - windowStart,
      jdCalls: {
        byMethod,
        perOrderPerHour: round(total, 2),
        steadyStatePerOrderPerHour: round(steadyState, 2),
        minimumPerOrderPerHour: round((HOUR_MS / intervalMs) * (mode === 'sweep' ? Math.ceil(n / JD_BATCH) / n : 1), 2),
        inWindow,
      },
      detectionLatencyMs: distribution(latencies),
      historyEventsPerWorkflow: { ...summary, mean: round(summary.mean), sampled: lengths.length },
      sweeper: sweeperFigures,
      shipped: latencies.length,
      missing: n - latencies.length,
      durationS: round((Date.now() - started) / 1000),
    };
  } finally {
    await close();
    // A real system keeps its sweeper; the scenario leaves nothing running (its orders are shipped, or it failed).
    if (mode === 'sweep') await sweeper.terminate('jd-economy scenario finished').catch(() => undefined);
  }
}

const ratioOf = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? round(a / b, 1) : null);

export function jdEconomyRows(result: JdEconomyResult): string[][] {
  const header = ['mode', 'orders', 'interval s', 'JD calls/order/h', 'steady state', 'minimum', 'by method', 'detect p50 ms', 'p95', 'max', 'events/workflow', 'sweeper events/h', 'missing'];
  const rows = result.modes.map((m) => [
    m.mode,
    String(m.orders),
    String(m.intervalMs / 1000),
    String(m.jdCalls.perOrderPerHour),
    String(m.jdCalls.steadyStatePerOrderPerHour),
    String(m.jdCalls.minimumPerOrderPerHour),
    Object.entries(m.jdCalls.byMethod)
      .map(([method, calls]) => `${method.replace('jingdong.eclp.', '')} ${calls}`)
      .join('; '),
    String(Math.round(m.detectionLatencyMs.p50)),
    String(Math.round(m.detectionLatencyMs.p95)),
    String(Math.round(m.detectionLatencyMs.max)),
    `${m.historyEventsPerWorkflow.mean} (max ${m.historyEventsPerWorkflow.max})`,
    m.sweeper ? String(m.sweeper.historyEventsPerHour) : '-',
    String(m.missing),
  ]);
  return [header, ...rows];
}

/**
 * The bench's `jd-economy` scenario (bench/scenarios/index.ts). `settings` override the full (1,000
 * orders) or quick sizes; the bench passes none.
 */
export async function runJdEconomyScenario(ctx: JdEconomyContext, settings: Partial<JdEconomySettings> = {}): Promise<ScenarioOutcome & { result: JdEconomyResult }> {
  const chosen: JdEconomySettings = { ...(ctx.options.quick ? JD_ECONOMY_QUICK : JD_ECONOMY_FULL), ...settings };
  const codes = codesFor(ctx.driverContext.runId);
  const timeline = await ctx.sim.timeline();
  try {
    // Nothing moves by itself: the orders wait in WMS配货 until the scenario moves them.
    await ctx.sim.setTimeline({ salesOrder: { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null } });
    await prepare(ctx, codes, chosen.modes);
    const modes: JdEconomyModeResult[] = [];
    for (const mode of chosen.modes) modes.push(await runMode(ctx, chosen, codes, mode));
    const poll = modes.find((m) => m.mode === 'poll');
    const sweep = modes.find((m) => m.mode === 'sweep');
    const result: JdEconomyResult = {
      settings: chosen,
      modes,
      ratio: {
        jdCallsPerOrderPerHour: ratioOf(poll?.jdCalls.perOrderPerHour, sweep?.jdCalls.perOrderPerHour),
        steadyState: ratioOf(poll?.jdCalls.steadyStatePerOrderPerHour, sweep?.jdCalls.steadyStatePerOrderPerHour),
        detectionP50: ratioOf(poll?.detectionLatencyMs.p50, sweep?.detectionLatencyMs.p50),
        historyEventsMean: ratioOf(poll?.historyEventsPerWorkflow.mean, sweep?.historyEventsPerWorkflow.mean),
      },
    };
    return { result, rows: jdEconomyRows(result) };
  } finally {
    await ctx.sim.setTimeline(timeline);
  }
}
