// The warehouse sweeper (SO_TRACKING=sweep, DESIGN.md §4 "JD call economy"): one long-running workflow
// per JD warehouse that, every interval, reads the warehouse's documents JD is working on from Postgres —
// sales orders in WMS配货 and purchase orders waiting for or partly through their inbound — asks JD about
// them 100 at a time (`order.ext.queryOrder`, `queryPoOrder`) and signals `jdStatusChanged` (from an
// activity: activities/erp/sweep-signals.ts) to each document's run whose JD status moved. Per-document
// polling costs one JD call per document per interval; this costs one per hundred. The sweeper owns no
// document: their runs still decide everything, and each also checks JD itself now and then, so a
// sweeper that is stopped or stuck delays shipments and receipts but never strands one.
import {
  ActivityFailure,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import type { ErpActivities, OpenPurchaseOrder, OpenSalesOrder } from '../activities/erp';
import { FAILURE_TYPES } from '../messages/failure-types';
import {
  sweeperStatusQuery,
  type PurchaseOrderSweepReport,
  type SweepReport,
  type SweeperInput,
  type SweeperState,
  type SweeperTotals,
} from '../messages/sweeper';
import { eclpQueueOf } from '../messages/task-queues';
import { DocType, WarehouseNo } from '../messages/search-attributes';

/** `order.ext.queryOrder` and `queryPoOrder` answer at most this many numbers per call (eclp MAX_BATCH_NUMBERS). */
export const JD_BATCH_SIZE = 100;
/** Open documents read per Postgres activity: ten JD calls' worth, asked in parallel. */
export const OPEN_ORDERS_PAGE = 1000;
export const DEFAULT_SWEEPS_PER_RUN = 100;
/** A run also ends before its sweep count when its history grows this long (a very big warehouse). */
const MAX_HISTORY_EVENTS_PER_RUN = 8_000;
/**
 * Sweepers started before purchase orders were swept replay their history without the PO commands;
 * runs since record the marker, and every run after a continue-as-new sweeps POs.
 */
export const SWEEP_PURCHASE_ORDERS_PATCH = 'sweeper-purchase-orders';

const NO_TOTALS: SweeperTotals = { runs: 0, sweeps: 0, jdCalls: 0, failedJdCalls: 0, signals: 0, undeliveredSignals: 0, historyEvents: 0 };

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JD's answer about one document, as the sweeper compares it. */
interface JdSighting {
  key: string;
  jdStatus: string;
  /** What is remembered and compared: the status (sales orders) or status + quantities (POs). */
  seen: string;
  settled: boolean;
}

interface Change {
  key: string;
  seen: string;
  workflowId: string;
  jdStatus: string;
  settled: boolean;
}

/** One kind of document the sweeper follows: how to page its open set, ask JD and judge a change. */
interface SweptKind<D> {
  /** For log lines: "orders", "purchase orders". */
  what: string;
  /** Key → what was seen last, only for documents still open: the carried state stays the size of the open set. */
  lastSeen: Map<string, string>;
  page(after: string | undefined): Promise<{ items: D[]; nextAfter?: string }>;
  keyOf(doc: D): string;
  workflowIdOf(doc: D): string;
  ask(keys: string[]): Promise<JdSighting[]>;
  /**
   * Whether a run hears of changes that are not settled. A sales order's run wants every status (its
   * cancel rules depend on it); a PO's run only what it can book or end on.
   */
  tellsUnsettled: boolean;
}

interface KindSweep {
  open: number;
  jdCalls: number;
  failedJdCalls: number;
  changed: number;
  /** The open documents could not be read from Postgres: nothing was asked or forgotten this time. */
  skipped?: string;
}

export async function warehouseSweeper(input: SweeperInput): Promise<never> {
  const { jdWarehouseNo, intervalMs } = input;
  const sweepsPerRun = input.sweepsPerRun ?? DEFAULT_SWEEPS_PER_RUN;
  // A batch JD does not answer is given up for this sweep after about one interval (at least a minute of
  // retries): the next sweep asks again, and a sweep never piles up behind an outage.
  const patience = Math.max(intervalMs, 60_000);
  const erp = proxyActivities<ErpActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: patience,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  const jd = proxyActivities<EclpActivities>({
    taskQueue: eclpQueueOf(workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: patience,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [FAILURE_TYPES.sweepBatchTooLarge] },
  });
  const sweepsPurchaseOrders = patched(SWEEP_PURCHASE_ORDERS_PATCH);

  const totals: SweeperTotals = { ...NO_TOTALS, ...input.carried?.totals };
  let sweepsInRun = 0;
  let lastSweep: SweepReport | undefined;

  const salesOrders: SweptKind<OpenSalesOrder> = {
    what: 'orders',
    lastSeen: new Map(Object.entries(input.carried?.lastSeen ?? {})),
    page: async (after) => {
      const page = await erp.listOpenSalesOrders(jdWarehouseNo, { ...(after !== undefined && { afterOrderNo: after }), limit: OPEN_ORDERS_PAGE });
      return { items: page.orders, ...(page.nextAfter !== undefined && { nextAfter: page.nextAfter }) };
    },
    keyOf: (order) => order.isvUuid,
    workflowIdOf: (order) => order.workflowId,
    ask: async (isvUuids) => (await jd.queryJdSalesOrderStatuses(isvUuids)).map((row) => ({ key: row.isvUuid, jdStatus: row.jdStatus, seen: row.jdStatus, settled: row.settled })),
    tellsUnsettled: true,
  };
  const purchaseOrders: SweptKind<OpenPurchaseOrder> = {
    what: 'purchase orders',
    lastSeen: new Map(Object.entries(input.carried?.purchaseOrders?.lastSeen ?? {})),
    page: async (after) => {
      const page = await erp.listOpenPurchaseOrders(jdWarehouseNo, { ...(after !== undefined && { afterPoNo: after }), limit: OPEN_ORDERS_PAGE });
      return { items: page.orders, ...(page.nextAfter !== undefined && { nextAfter: page.nextAfter }) };
    },
    keyOf: (po) => po.poOrderNo,
    workflowIdOf: (po) => po.workflowId,
    ask: async (poOrderNos) =>
      (await jd.queryJdPurchaseOrderStatuses(poOrderNos)).map((row) => ({ key: row.poOrderNo, jdStatus: row.jdStatus, seen: row.fingerprint, settled: row.settled })),
    tellsUnsettled: false,
  };

  setHandler(sweeperStatusQuery, (): SweeperState => ({
    jdWarehouseNo,
    intervalMs,
    sweepsInRun,
    tracked: salesOrders.lastSeen.size,
    ...(sweepsPurchaseOrders && { trackedPurchaseOrders: purchaseOrders.lastSeen.size }),
    totals: { ...totals },
    historyEventsSoFar: totals.historyEvents + workflowInfo().historyLength,
    ...(lastSweep !== undefined && { lastSweep }),
  }));
  // Also when started without the API (the CLI, a test): operators find sweepers by `DocType = "SWEEP"`.
  upsertSearchAttributes([
    { key: DocType, value: 'SWEEP' },
    { key: WarehouseNo, value: jdWarehouseNo },
  ]);

  /** What changed in one page of open documents; unanswered batches are counted and asked again next sweep. */
  const askJd = async <D>(kind: SweptKind<D>, docs: D[]) => {
    const batches = chunk(docs, JD_BATCH_SIZE);
    const answers = await Promise.all(
      batches.map((batch) =>
        kind.ask(batch.map(kind.keyOf)).then(
          (rows): JdSighting[] => rows,
          (err: unknown) => {
            if (!(err instanceof ActivityFailure)) throw err;
            log.warn(`JD did not answer a sweep batch; those ${kind.what} are asked again next sweep`, { jdWarehouseNo, documents: batch.length, error: err.cause?.message });
            return undefined;
          },
        ),
      ),
    );
    const byKey = new Map(answers.flatMap((rows) => rows ?? []).map((row) => [row.key, row]));
    const changes: Change[] = [];
    for (const doc of docs) {
      const key = kind.keyOf(doc);
      const row = byKey.get(key);
      if (!row) continue;
      const before = kind.lastSeen.get(key);
      if (before === row.seen) continue;
      // First sight of a document JD is still working on: its run knows it was just pushed, nothing to tell.
      if (!row.settled && (before === undefined || !kind.tellsUnsettled)) {
        kind.lastSeen.set(key, row.seen);
        continue;
      }
      changes.push({ key, seen: row.seen, workflowId: kind.workflowIdOf(doc), jdStatus: row.jdStatus, settled: row.settled });
    }
    return { jdCalls: batches.length, failedJdCalls: answers.filter((rows) => rows === undefined).length, changes };
  };

  /** A change counts as seen once its run was told (or has closed); otherwise the next sweep tells it again. */
  const tell = async (kind: Pick<SweptKind<unknown>, 'what' | 'lastSeen'>, changes: Change[]): Promise<void> => {
    if (changes.length === 0) return;
    try {
      const sent = await erp.signalJdStatusChanges(changes.map(({ workflowId, jdStatus, settled }) => ({ workflowId, jdStatus, settled })));
      totals.signals += sent.delivered;
      totals.undeliveredSignals += sent.closed;
      for (const change of changes) kind.lastSeen.set(change.key, change.seen);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn(`Could not signal the runs of the ${kind.what}; the next sweep tells them again`, { jdWarehouseNo, runs: changes.length, error: err.cause?.message });
    }
  };

  /** Pages through one kind's open set, asking JD and telling the runs page by page. */
  const sweepKind = async <D>(kind: SweptKind<D>): Promise<KindSweep> => {
    const swept: KindSweep = { open: 0, jdCalls: 0, failedJdCalls: 0, changed: 0 };
    const open = new Set<string>();
    let after: string | undefined;
    for (;;) {
      let page;
      try {
        page = await kind.page(after);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn(`Could not read the open ${kind.what}; this sweep skips them`, { jdWarehouseNo, error: err.cause?.message });
        // Without the complete open set nothing may be forgotten: keep every remembered status.
        return { ...swept, skipped: err.cause?.message ?? err.message };
      }
      for (const doc of page.items) open.add(kind.keyOf(doc));
      const asked = await askJd(kind, page.items);
      await tell(kind, asked.changes);
      swept.open += page.items.length;
      swept.jdCalls += asked.jdCalls;
      swept.failedJdCalls += asked.failedJdCalls;
      swept.changed += asked.changes.length;
      if (page.nextAfter === undefined) break;
      after = page.nextAfter;
    }
    for (const key of [...kind.lastSeen.keys()]) if (!open.has(key)) kind.lastSeen.delete(key);
    return swept;
  };

  const sweep = async (): Promise<SweepReport> => {
    const began = Date.now();
    const { open, skipped, ...orders } = await sweepKind(salesOrders);
    const report: SweepReport = { startedAt: new Date(began).toISOString(), durationMs: 0, openOrders: open, ...orders, ...(skipped !== undefined && { skipped }) };
    if (sweepsPurchaseOrders) {
      const { open: openPurchaseOrders, ...rest } = await sweepKind(purchaseOrders);
      report.purchaseOrders = { openPurchaseOrders, ...rest } satisfies PurchaseOrderSweepReport;
    }
    return { ...report, durationMs: Date.now() - began };
  };

  while (sweepsInRun < sweepsPerRun) {
    const began = Date.now();
    lastSweep = await sweep();
    sweepsInRun += 1;
    totals.sweeps += 1;
    totals.jdCalls += lastSweep.jdCalls;
    totals.failedJdCalls += lastSweep.failedJdCalls;
    if (lastSweep.purchaseOrders) {
      totals.purchaseOrderJdCalls = (totals.purchaseOrderJdCalls ?? 0) + lastSweep.purchaseOrders.jdCalls;
      totals.failedPurchaseOrderJdCalls = (totals.failedPurchaseOrderJdCalls ?? 0) + lastSweep.purchaseOrders.failedJdCalls;
    }
    const wait = began + intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS_PER_RUN) break;
  }
  const carried: NonNullable<SweeperInput['carried']> = {
    lastSeen: Object.fromEntries(salesOrders.lastSeen),
    ...(sweepsPurchaseOrders && { purchaseOrders: { lastSeen: Object.fromEntries(purchaseOrders.lastSeen) } }),
    totals: { ...totals, runs: totals.runs + 1, historyEvents: totals.historyEvents + workflowInfo().historyLength },
  };
  return continueAsNew<typeof warehouseSweeper>({ ...input, carried });
}
