// JD call economy at scale (issue 5 item 5, issue 10 §6): N open documents of each kind — sales orders
// waiting for shipment, purchase orders waiting for the warehouse's receipt — followed per document
// (SO_TRACKING=poll) and by the warehouse sweeper (SO_TRACKING=sweep, which applies to POs too), side
// by side in the same run: JD calls per document per hour (the simulator's counters over a window,
// scaled to an hour), detection latency (JD ships or receives → SHIPPED / RECEIVED in Postgres) and
// history events per workflow. One measurement, two document kinds: `DocumentKind` below says what
// differs (how a document is created and finished at JD, its statuses, table and JD method).
//
// The mode is API configuration that each run takes in its input, so the scenario serves one API
// instance per mode from this process (api/routes.ts: the code and routes of the API process) against
// the system's Temporal, PostgreSQL and workers. Both modes are measured without restarting the
// system's API, and an attached system (--attach) works the same way. Each kind and mode gets its own
// JD warehouse, so nothing else open in the system is swept or counted with it; run it alone (the
// simulator's counters and timeline are global).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { apiRoutes } from '../../api/routes';
import { purchaseOrderApiConfigFromEnv, salesOrderApiConfigFromEnv, type SalesOrderApiConfig } from '../../api/config';
import { createDocumentClient } from '../../client';
import { workflowIds } from '../../messages/ids';
import type { SalesOrderTrackingMode } from '../../messages/sales-order';
import { sweeperStatusQuery, type SweepReport, type SweeperState, type SweeperTotals } from '../../messages/sweeper';
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

/** order.ext.queryOrder and queryPoOrder answer this many numbers per call (eclp MAX_BATCH_NUMBERS). */
const JD_BATCH = 100;
const HOUR_MS = 3_600_000;
/** The simulator's default supplier (simulator/model/catalogue.ts): POs need one JD knows. */
const JD_SUPPLIER = 'EMS0000000000001';

export type DocumentKindName = 'sales-order' | 'purchase-order';

export interface JdEconomySettings {
  /** Open documents per mode, by kind; a kind left out is not measured. */
  documents: Partial<Record<DocumentKindName, number>>;
  /** Poll interval of poll mode and sweep interval of sweep mode: the same detection latency is asked of both. */
  intervalMs: number;
  /** How long JD calls are counted while every document waits for JD. */
  windowMs: number;
  /** SO_SAFETY_POLL_MS of sweep mode; default the API's (30 sweep intervals). */
  safetyPollIntervalMs?: number;
  /** API and simulator requests in flight while documents are submitted and moved. */
  concurrency: number;
  /** Workflows per kind and mode whose history is counted. */
  historySample: number;
  modes: SalesOrderTrackingMode[];
}

/** 1,000 open sales orders (issue 5) and 200 open purchase orders (issue 10 §6). */
export const JD_ECONOMY_FULL: JdEconomySettings = {
  documents: { 'sales-order': 1000, 'purchase-order': 200 },
  intervalMs: 10_000,
  windowMs: 40_000,
  concurrency: 16,
  historySample: 40,
  modes: ['poll', 'sweep'],
};
export const JD_ECONOMY_QUICK: JdEconomySettings = {
  documents: { 'sales-order': 20, 'purchase-order': 20 },
  intervalMs: 1_000,
  windowMs: 4_000,
  concurrency: 8,
  historySample: 5,
  modes: ['poll', 'sweep'],
};

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
  /** Every call the simulator counted in the window, per document per hour, by method. */
  byMethod: Record<string, number>;
  perOrderPerHour: number;
  /**
   * The measured figure with the safety polls of sweep mode spread as they are in a steady state (one
   * JD query per document per safety interval): documents of a short run all reach their first safety
   * poll at about the same time, inside or outside the window.
   */
  steadyStatePerOrderPerHour: number;
  /** The fewest calls that notice JD's outcome within one interval: one per document, or one per 100. */
  minimumPerOrderPerHour: number;
  inWindow: Record<string, number>;
}

export interface JdEconomyModeResult {
  kind: DocumentKindName;
  mode: SalesOrderTrackingMode;
  /** Open documents of this kind (sales orders or POs). */
  orders: number;
  intervalMs: number;
  safetyPollIntervalMs: number | null;
  windowMs: number;
  jdCalls: JdCallFigures;
  /** JD's outcome (the simulator's ship or receive call) → SHIPPED / RECEIVED in Postgres. */
  detectionLatencyMs: Distribution;
  historyEventsPerWorkflow: EventCounts & { sampled: number };
  sweeper: {
    workflowId: string;
    sweepsInWindow: number;
    /** JD calls of this kind per sweep (`order.ext.queryOrder` or `queryPoOrder`). */
    jdCallsPerSweep: number | null;
    /** History events the sweeper wrote per hour while the documents waited. */
    historyEventsPerHour: number;
    historyEventsTotal: number;
    runs: number;
  } | null;
  /** Documents that reached the done status (SHIPPED, RECEIVED). */
  shipped: number;
  /** Documents that did not reach the done status in time (the figures above leave them out). */
  missing: number;
  durationS: number;
}

export interface JdEconomyRatio {
  jdCallsPerOrderPerHour: number | null;
  steadyState: number | null;
  detectionP50: number | null;
  historyEventsMean: number | null;
}

/** One kind's modes side by side. */
export interface JdEconomyKindResult {
  kind: DocumentKindName;
  title: string;
  modes: JdEconomyModeResult[];
  /** poll / sweep, when both ran. */
  ratio: JdEconomyRatio;
}

export interface JdEconomyResult {
  settings: JdEconomySettings;
  kinds: JdEconomyKindResult[];
}

// ------------------------------------------------------------------------------------------------------

interface Codes {
  category: string;
  carrier: string;
  supplier: string;
  sku: string;
  barcode: string;
  warehouse: (kind: DocumentKind, mode: SalesOrderTrackingMode) => string;
  jdWarehouseNo: (kind: DocumentKind, mode: SalesOrderTrackingMode) => string;
  docNo: (kind: DocumentKind, mode: SalesOrderTrackingMode, index: number) => string;
}

function codesFor(runId: string): Codes {
  const id = runId.replace(/[^A-Za-z0-9]/g, '');
  const m = (mode: SalesOrderTrackingMode) => (mode === 'poll' ? 'P' : 'S');
  return {
    category: `E${id}-CAT`,
    carrier: `E${id}-JD`,
    supplier: `E${id}-SUP`,
    sku: `E${id}-SKU`,
    barcode: `E${id}-1`,
    warehouse: (kind, mode) => `E${id}-${kind.letter}${m(mode)}`,
    // A JD warehouse per run, kind and mode: nothing else is open there, so its sweeper and counters are ours.
    jdWarehouseNo: (kind, mode) => `EW${id}${kind.letter}${m(mode)}`,
    docNo: (kind, mode, index) => `E${id}-${kind.letter}${m(mode)}-${String(index).padStart(5, '0')}`,
  };
}

/** What differs between the kinds of documents whose JD outcome is waited for. */
interface DocumentKind {
  name: DocumentKindName;
  /** For the table and the log. */
  title: string;
  /** In codes and document numbers. */
  letter: 'S' | 'P';
  table: string;
  keyColumn: string;
  /** JD's number of the document, which the simulator's manual moves take. */
  jdNoColumn: string;
  /** JD holds the document and is working on it: the wait the window measures. */
  waiting: string;
  /** JD's outcome booked. */
  done: string;
  /** The API's variable for the poll interval of this kind (the sweep settings are shared). */
  pollIntervalEnv: string;
  apiConfig(env: Record<string, string>): SalesOrderApiConfig;
  workflowId(docNo: string): string;
  /** Creates the document and starts its saga through the API (`retrying` around each request). */
  submit(api: ApiClient, codes: Codes, mode: SalesOrderTrackingMode, docNo: string): Promise<void>;
  /** JD's moves between acceptance and the measured wait (a sales order is picked and packed). */
  toWaiting?(sim: SimControl, jdNo: string): Promise<void>;
  /** JD's outcome: shipped, received in full. */
  finishAtJd(sim: SimControl, jdNo: string): Promise<void>;
  /** The sweeper's JD calls for this kind so far. */
  sweeperJdCalls(totals: SweeperTotals): number;
  /** Runs of this kind the sweep told of a change. */
  sweepChanged(sweep: SweepReport): number;
}

const SALES_ORDERS: DocumentKind = {
  name: 'sales-order',
  title: 'sales orders',
  letter: 'S',
  table: 'sales_orders',
  keyColumn: 'order_no',
  jdNoColumn: 'eclp_so_no',
  waiting: 'WMS_PICKING',
  done: 'SHIPPED',
  pollIntervalEnv: 'SO_POLL_INTERVAL_MS',
  apiConfig: salesOrderApiConfigFromEnv,
  workflowId: (orderNo) => workflowIds.salesOrder(orderNo, 1),
  async submit(api, codes, mode, orderNo) {
    const body = {
      orderNo,
      warehouseCode: codes.warehouse(SALES_ORDERS, mode),
      carrierCode: codes.carrier,
      // Test data, not a person.
      consignee: { name: '压测收货人', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号压测楼' },
      lines: [{ sku: codes.sku, quantity: 1, price: 10 }],
    };
    await retrying(() => api.post('/v1/sales-orders', body));
    await retrying(() => api.post(`/v1/sales-orders/${orderNo}/approve`), (err) => err.status === 409);
  },
  async toWaiting(sim, eclpSoNo) {
    await sim.moveSalesOrder(eclpSoNo, 'pick');
    await sim.moveSalesOrder(eclpSoNo, 'pack');
  },
  finishAtJd: (sim, eclpSoNo) => sim.moveSalesOrder(eclpSoNo, 'ship'),
  sweeperJdCalls: (totals) => totals.jdCalls,
  sweepChanged: (sweep) => sweep.changed,
};

const PURCHASE_ORDERS: DocumentKind = {
  name: 'purchase-order',
  title: 'purchase orders',
  letter: 'P',
  table: 'purchase_orders',
  keyColumn: 'po_no',
  jdNoColumn: 'po_order_no',
  waiting: 'WAITING_INBOUND',
  done: 'RECEIVED',
  pollIntervalEnv: 'PO_POLL_INTERVAL_MS',
  apiConfig: purchaseOrderApiConfigFromEnv,
  workflowId: (poNo) => workflowIds.purchaseOrder(poNo, 1),
  async submit(api, codes, mode, poNo) {
    const body = { poNo, supplierCode: codes.supplier, warehouseCode: codes.warehouse(PURCHASE_ORDERS, mode), lines: [{ sku: codes.sku, quantity: 10, unitPrice: 8 }] };
    // Creating a PO for an ECLP-connected warehouse starts its push: there is no approve step.
    await retrying(() => api.post('/v1/purchase-orders', body));
  },
  finishAtJd: async (sim, poOrderNo) => {
    await sim.control('POST', `purchase-orders/${encodeURIComponent(poOrderNo)}/receive`, { complete: true });
  },
  sweeperJdCalls: (totals) => totals.purchaseOrderJdCalls ?? 0,
  sweepChanged: (sweep) => sweep.purchaseOrders?.changed ?? 0,
};

export const DOCUMENT_KINDS: Readonly<Record<DocumentKindName, DocumentKind>> = { 'sales-order': SALES_ORDERS, 'purchase-order': PURCHASE_ORDERS };

// ------------------------------------------------------------------------------------------------------

function tokensSpec(tokens: Partial<Record<Role, string>>): string {
  const spec = Object.entries(tokens)
    .filter(([, token]) => token)
    .map(([role, token]) => `${role}:${token}`)
    .join(',');
  if (!tokens.erp) throw new Error('the JD economy scenario needs the erp token (it creates sales and purchase orders)');
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

async function prepare(ctx: JdEconomyContext, codes: Codes, kinds: readonly DocumentKind[], modes: readonly SalesOrderTrackingMode[]): Promise<void> {
  const places = kinds.flatMap((kind) => modes.map((mode) => ({ kind, mode })));
  await ctx.sim.control('POST', 'catalogue', { warehouses: places.map(({ kind, mode }) => ({ warehouseNo: codes.jdWarehouseNo(kind, mode), name: `经济测试仓 ${kind.letter}${mode}` })) });
  await ctx.api.put(`/v1/categories/${codes.category}`, { name: '经济测试类目', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await ctx.api.put(`/v1/carriers/${codes.carrier}`, { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await ctx.api.put(`/v1/suppliers/${codes.supplier}`, { name: '经济测试供应商', jdSupplierNo: JD_SUPPLIER });
  for (const { kind, mode } of places) {
    await ctx.api.put(`/v1/warehouses/${codes.warehouse(kind, mode)}`, { name: `经济测试仓 ${kind.letter}${mode}`, jdWarehouseNo: codes.jdWarehouseNo(kind, mode), eclpConnected: true });
  }
  await ctx.api.put(`/v1/goods/${codes.sku}`, { name: '经济测试商品', barcodes: [codes.barcode], categoryCode: codes.category });
  await ctx.api.post(`/v1/goods/${codes.sku}/sync`);
  const synced = async () => {
    const { body } = await ctx.api.get<{ syncStatus: string; syncError?: string }>(`/v1/goods/${codes.sku}`);
    if (body.syncStatus === 'SYNC_FAILED') throw new Error(`goods ${codes.sku} did not sync: ${body.syncError ?? 'no reason'}`);
    return body.syncStatus === 'SYNCED';
  };
  await eventually(synced, { what: `goods ${codes.sku} synced to JD`, timeoutMs: 60_000, pollMs: 250, signal: ctx.signal });
}

async function countInStatus(db: Knex, kind: DocumentKind, docNos: readonly string[], status: string): Promise<number> {
  let count = 0;
  for (let i = 0; i < docNos.length; i += 1000) {
    const [row] = await db(kind.table).whereIn(kind.keyColumn, docNos.slice(i, i + 1000)).andWhere({ status }).count<{ n: string }[]>({ n: '*' });
    count += Number(row?.n ?? 0);
  }
  return count;
}

interface DocumentRow {
  docNo: string;
  status: string;
  statusSince: Date;
  jdNo: string | null;
}

async function rowsOf(db: Knex, kind: DocumentKind, docNos: readonly string[]): Promise<DocumentRow[]> {
  const rows: DocumentRow[] = [];
  for (let i = 0; i < docNos.length; i += 1000) {
    rows.push(
      ...(await db(kind.table)
        .whereIn(kind.keyColumn, docNos.slice(i, i + 1000))
        .select({ docNo: kind.keyColumn, status: 'status', statusSince: 'status_since', jdNo: kind.jdNoColumn })),
    );
  }
  return rows;
}

async function runMode(ctx: JdEconomyContext, settings: JdEconomySettings, codes: Codes, kind: DocumentKind, n: number, mode: SalesOrderTrackingMode): Promise<JdEconomyModeResult> {
  const started = Date.now();
  const { intervalMs, windowMs, concurrency } = settings;
  const { signal } = ctx;
  const what = `jd-economy ${kind.title} ${mode}`;
  const env: Record<string, string> = {
    SO_TRACKING: mode,
    [kind.pollIntervalEnv]: String(intervalMs),
    SO_SWEEP_INTERVAL_MS: String(intervalMs),
    ...(settings.safetyPollIntervalMs !== undefined && { SO_SAFETY_POLL_MS: String(settings.safetyPollIntervalMs) }),
  };
  // What the mode's API will put into each run's input (its default when the settings name none).
  const safetyPollIntervalMs = mode === 'sweep' ? kind.apiConfig(env).safetyPollIntervalMs : null;
  const docNos = Array.from({ length: n }, (_, i) => codes.docNo(kind, mode, i + 1));
  const jdWarehouseNo = codes.jdWarehouseNo(kind, mode);
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
    // 1. N documents through the mode's API, all held by JD (the timeline moves nothing).
    ctx.log(`${what}: submitting ${n}`);
    let submitted = 0;
    let toldAt = Date.now();
    await forEachLimited(docNos, concurrency, signal, async (docNo) => {
      if (Date.now() - toldAt > 15_000) {
        ctx.log(`${what}: ${submitted} of ${n} submitted`);
        toldAt = Date.now();
      }
      await kind.submit(api, codes, mode, docNo);
      submitted += 1;
    });
    const atJd = await untilAll(`${what} in ${kind.waiting}`, n, 60_000, ctx, () => countInStatus(ctx.db, kind, docNos, kind.waiting));
    if (atJd < n) throw new Error(`only ${atJd} of ${n} ${kind.title} (${mode}) reached ${kind.waiting}; none moved for 60 s`);
    const jdNos = (await rowsOf(ctx.db, kind, docNos)).map((row) => row.jdNo!);

    // 2. Brought to the measured wait (sales orders picked and packed: waiting for shipment). The window
    // starts once the system is quiet again: in sweep mode the sweeper tells every run about the moves,
    // and that burst must not be in the window.
    const sweepsBefore = mode === 'sweep' ? (await sweeperState()).totals.sweeps : 0;
    const toWaiting = kind.toWaiting;
    if (toWaiting) {
      ctx.log(`${what}: moving at JD to the wait`);
      await forEachLimited(jdNos, concurrency, signal, (jdNo) => toWaiting(ctx.sim, jdNo));
    }
    if (mode === 'sweep') {
      // A whole sweep after the last move that found nothing new: every run has been told.
      const caughtUp = async () => {
        const state = await sweeper.query(sweeperStatusQuery).catch(() => undefined);
        return state !== undefined && state.totals.sweeps >= sweepsBefore + 2 && state.lastSweep !== undefined && kind.sweepChanged(state.lastSweep) === 0;
      };
      await eventually(caughtUp, { what: 'the sweeper caught up', timeoutMs: Math.max(60_000, 10 * intervalMs), pollMs: 250, signal });
    }
    await sleep(intervalMs * 1.5, signal);

    // 3. The window: JD calls while every document waits.
    ctx.log(`${what}: counting JD calls for ${Math.round(windowMs / 1000)} s`);
    const sweeperBefore = mode === 'sweep' ? await sweeperState() : undefined;
    const statsBefore = await ctx.sim.stats();
    const windowStart = Date.now();
    await sleep(windowMs, signal);
    const statsAfter = await ctx.sim.stats();
    const windowEnd = Date.now();
    const sweeperAfter = mode === 'sweep' ? await sweeperState() : undefined;
    const inWindow = delta(statsBefore, statsAfter);
    const perDocPerHour = (calls: number) => (calls / n) * (HOUR_MS / (windowEnd - windowStart));
    const byMethod = Object.fromEntries(Object.entries(inWindow).map(([method, calls]) => [method, round(perDocPerHour(calls), 2)]));
    const total = perDocPerHour(Object.values(inWindow).reduce((a, b) => a + b, 0));
    // The sweeper's own calls (it counts them per kind; a PO's safety poll uses the same JD method).
    const sweepCalls = sweeperBefore && sweeperAfter ? kind.sweeperJdCalls(sweeperAfter.totals) - kind.sweeperJdCalls(sweeperBefore.totals) : 0;
    const steadyState = mode === 'sweep' && safetyPollIntervalMs !== null ? perDocPerHour(sweepCalls) + HOUR_MS / safetyPollIntervalMs : total;

    // 4. JD finishes every document, spread over two intervals; each detection is timed from its move.
    ctx.log(`${what}: finishing at JD`);
    const finishedAt = new Map<string, number>();
    const spreadMs = 2 * intervalMs;
    const finishStart = Date.now();
    await forEachLimited(jdNos, concurrency, signal, async (jdNo, index) => {
      const due = finishStart + (index * spreadMs) / n;
      // No abort listener per document (one lane per request in flight checks the signal between documents).
      if (due > Date.now()) await sleep(due - Date.now());
      finishedAt.set(docNos[index]!, Date.now());
      await kind.finishAtJd(ctx.sim, jdNo);
    });
    // What never arrives (nothing moved for a safety interval and more) is reported as missing.
    const stallMs = Math.max(60_000, 5 * intervalMs) + (safetyPollIntervalMs ?? 0);
    const done = await untilAll(`${what} ${kind.done}`, n, stallMs, ctx, () => countInStatus(ctx.db, kind, docNos, kind.done));
    if (done < n) ctx.log(`${what}: ${n - done} not ${kind.done}; measuring what arrived`);
    const rows = await rowsOf(ctx.db, kind, docNos);
    const latencies = rows.filter((row) => row.status === kind.done).map((row) => new Date(row.statusSince).getTime() - finishedAt.get(row.docNo)!);

    // 5. History events of a sample of finished runs, and what the sweeper cost.
    const step = Math.max(1, Math.floor(n / settings.historySample));
    const sample = docNos.filter((_, i) => i % step === 0).slice(0, settings.historySample);
    const lengths = await historyLengths(ctx.temporal, sample.map(kind.workflowId));
    let sweeperFigures: JdEconomyModeResult['sweeper'] = null;
    if (sweeperBefore && sweeperAfter) {
      const end = await sweeperState();
      const sweeps = sweeperAfter.totals.sweeps - sweeperBefore.totals.sweeps;
      sweeperFigures = {
        workflowId: sweeper.workflowId,
        sweepsInWindow: sweeps,
        jdCallsPerSweep: sweeps > 0 ? round(sweepCalls / sweeps, 2) : null,
        historyEventsPerHour: round(((sweeperAfter.historyEventsSoFar - sweeperBefore.historyEventsSoFar) * HOUR_MS) / (windowEnd - windowStart), 0),
        historyEventsTotal: end.historyEventsSoFar,
        runs: end.totals.runs + 1,
      };
    }
    const summary = summariseCounts(lengths);
    return {
      kind: kind.name,
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
    // A real system keeps its sweeper; the scenario leaves nothing running (its documents are done, or it failed).
    if (mode === 'sweep') await sweeper.terminate('jd-economy scenario finished').catch(() => undefined);
  }
}

const ratioOf = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? round(a / b, 1) : null);

function ratioOfModes(modes: readonly JdEconomyModeResult[]): JdEconomyRatio {
  const poll = modes.find((m) => m.mode === 'poll');
  const sweep = modes.find((m) => m.mode === 'sweep');
  return {
    jdCallsPerOrderPerHour: ratioOf(poll?.jdCalls.perOrderPerHour, sweep?.jdCalls.perOrderPerHour),
    steadyState: ratioOf(poll?.jdCalls.steadyStatePerOrderPerHour, sweep?.jdCalls.steadyStatePerOrderPerHour),
    detectionP50: ratioOf(poll?.detectionLatencyMs.p50, sweep?.detectionLatencyMs.p50),
    historyEventsMean: ratioOf(poll?.historyEventsPerWorkflow.mean, sweep?.historyEventsPerWorkflow.mean),
  };
}

/** Per kind: a row per mode, then `poll / sweep` with the ratios of the figures compared. */
export function jdEconomyRows(result: JdEconomyResult): string[][] {
  const header = ['document', 'mode', 'open', 'interval s', 'JD calls/order/h', 'steady state', 'minimum', 'by method', 'detect p50 ms', 'p95', 'max', 'events/workflow', 'sweeper events/h', 'missing'];
  const times = (ratio: number | null) => (ratio === null ? '-' : `×${ratio}`);
  const rows = result.kinds.flatMap((k) => [
    ...k.modes.map((m) => [
      k.title,
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
    ]),
    ...(k.modes.length > 1
      ? [[k.title, 'poll / sweep', '', '', times(k.ratio.jdCallsPerOrderPerHour), times(k.ratio.steadyState), '', '', times(k.ratio.detectionP50), '', '', times(k.ratio.historyEventsMean), '', '']]
      : []),
  ]);
  return [header, ...rows];
}

/**
 * The bench's `jd-economy` scenario (bench/scenarios/index.ts). `settings` override the full (1,000
 * sales orders and 200 purchase orders) or quick sizes; the bench passes none.
 */
export async function runJdEconomyScenario(ctx: JdEconomyContext, settings: Partial<JdEconomySettings> = {}): Promise<ScenarioOutcome & { result: JdEconomyResult }> {
  const chosen: JdEconomySettings = { ...(ctx.options.quick ? JD_ECONOMY_QUICK : JD_ECONOMY_FULL), ...settings };
  const kinds = (Object.keys(DOCUMENT_KINDS) as DocumentKindName[]).filter((name) => (chosen.documents[name] ?? 0) > 0).map((name) => DOCUMENT_KINDS[name]);
  const codes = codesFor(ctx.driverContext.runId);
  const timeline = await ctx.sim.timeline();
  try {
    // Nothing moves by itself: documents wait at JD (a PO in 20 初始化) until the scenario moves them.
    await ctx.sim.setTimeline({
      salesOrder: { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null },
      purchaseOrder: { initialiseAfterMs: 0, receiveAfterMs: null },
    });
    await prepare(ctx, codes, kinds, chosen.modes);
    const results: JdEconomyKindResult[] = [];
    for (const kind of kinds) {
      const modes: JdEconomyModeResult[] = [];
      for (const mode of chosen.modes) modes.push(await runMode(ctx, chosen, codes, kind, chosen.documents[kind.name]!, mode));
      results.push({ kind: kind.name, title: kind.title, modes, ratio: ratioOfModes(modes) });
    }
    const result: JdEconomyResult = { settings: chosen, kinds: results };
    return { result, rows: jdEconomyRows(result) };
  } finally {
    await ctx.sim.setTimeline(timeline);
  }
}
