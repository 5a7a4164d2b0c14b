// The warehouse sweeper (SO_TRACKING=sweep, DESIGN.md §4 "JD call economy"): one long-running workflow
// per JD warehouse that, every interval, reads the warehouse's orders in WMS配货 from Postgres, asks JD
// about them 100 at a time (`order.ext.queryOrder`) and signals `jdStatusChanged` (from an activity:
// activities/erp/sweep-signals.ts) to each order's run whose JD status moved. Per-order polling costs
// one JD call per order per interval; this costs one per hundred. The sweeper owns no order: the orders' runs still decide everything, and each also checks JD
// itself now and then, so a sweeper that is stopped or stuck delays shipments but never strands one.
import {
  ActivityFailure,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EclpActivities, JdStatusRow } from '../activities/eclp';
import type { ErpActivities, JdStatusChange, OpenSalesOrder } from '../activities/erp';
import { FAILURE_TYPES } from '../messages/failure-types';
import { sweeperStatusQuery, type SweepReport, type SweeperInput, type SweeperState, type SweeperTotals } from '../messages/sweeper';
import { eclpQueueOf } from '../messages/task-queues';
import { DocType, WarehouseNo } from '../messages/search-attributes';

/** `order.ext.queryOrder` answers at most this many isvUUIDs per call (eclp MAX_BATCH_NUMBERS). */
export const JD_BATCH_SIZE = 100;
/** Open orders read per Postgres activity: ten JD calls' worth, asked in parallel. */
export const OPEN_ORDERS_PAGE = 1000;
export const DEFAULT_SWEEPS_PER_RUN = 100;
/** A run also ends before its sweep count when its history grows this long (a very big warehouse). */
const MAX_HISTORY_EVENTS_PER_RUN = 8_000;

const NO_TOTALS: SweeperTotals = { runs: 0, sweeps: 0, jdCalls: 0, failedJdCalls: 0, signals: 0, undeliveredSignals: 0, historyEvents: 0 };

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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

  /** isvUUID → JD status last seen, only for orders still open: the carried state stays the size of the open set. */
  const lastSeen = new Map(Object.entries(input.carried?.lastSeen ?? {}));
  const totals: SweeperTotals = { ...NO_TOTALS, ...input.carried?.totals };
  let sweepsInRun = 0;
  let lastSweep: SweepReport | undefined;

  setHandler(sweeperStatusQuery, (): SweeperState => ({
    jdWarehouseNo,
    intervalMs,
    sweepsInRun,
    tracked: lastSeen.size,
    totals: { ...totals },
    historyEventsSoFar: totals.historyEvents + workflowInfo().historyLength,
    ...(lastSweep !== undefined && { lastSweep }),
  }));
  // Also when started without the API (the CLI, a test): operators find sweepers by `DocType = "SWEEP"`.
  upsertSearchAttributes([
    { key: DocType, value: 'SWEEP' },
    { key: WarehouseNo, value: jdWarehouseNo },
  ]);

  /** What changed in one page of open orders; unanswered batches are counted and asked again next sweep. */
  const askJd = async (orders: OpenSalesOrder[]) => {
    const batches = chunk(orders, JD_BATCH_SIZE);
    const answers = await Promise.all(
      batches.map((batch) =>
        jd.queryJdSalesOrderStatuses(batch.map((o) => o.isvUuid)).then(
          (rows): JdStatusRow[] => rows,
          (err: unknown) => {
            if (!(err instanceof ActivityFailure)) throw err;
            log.warn('JD did not answer a sweep batch; those orders are asked again next sweep', { jdWarehouseNo, orders: batch.length, error: err.cause?.message });
            return undefined;
          },
        ),
      ),
    );
    const byIsvUuid = new Map(answers.flatMap((rows) => rows ?? []).map((row) => [row.isvUuid, row]));
    const changes: Array<JdStatusChange & { isvUuid: string }> = [];
    for (const order of orders) {
      const row = byIsvUuid.get(order.isvUuid);
      if (!row) continue;
      const before = lastSeen.get(order.isvUuid);
      if (before === row.jdStatus) continue;
      // First sight of an order JD is still working on: its run knows it was just pushed, nothing to tell.
      if (before === undefined && !row.settled) {
        lastSeen.set(order.isvUuid, row.jdStatus);
        continue;
      }
      changes.push({ isvUuid: order.isvUuid, workflowId: order.workflowId, jdStatus: row.jdStatus, settled: row.settled });
    }
    return { jdCalls: batches.length, failedJdCalls: answers.filter((rows) => rows === undefined).length, changes };
  };

  /** A change counts as seen once its run was told (or has closed); otherwise the next sweep tells it again. */
  const tell = async (changes: Array<JdStatusChange & { isvUuid: string }>): Promise<void> => {
    if (changes.length === 0) return;
    try {
      const sent = await erp.signalJdStatusChanges(changes.map(({ workflowId, jdStatus, settled }) => ({ workflowId, jdStatus, settled })));
      totals.signals += sent.delivered;
      totals.undeliveredSignals += sent.closed;
      for (const change of changes) lastSeen.set(change.isvUuid, change.jdStatus);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('Could not signal the order runs; the next sweep tells them again', { jdWarehouseNo, runs: changes.length, error: err.cause?.message });
    }
  };

  const sweep = async (): Promise<SweepReport> => {
    const began = Date.now();
    const report: SweepReport = { startedAt: new Date(began).toISOString(), durationMs: 0, openOrders: 0, jdCalls: 0, failedJdCalls: 0, changed: 0 };
    const open = new Set<string>();
    let afterOrderNo: string | undefined;
    for (;;) {
      let page;
      try {
        page = await erp.listOpenSalesOrders(jdWarehouseNo, { ...(afterOrderNo !== undefined && { afterOrderNo }), limit: OPEN_ORDERS_PAGE });
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('Could not read the open orders; this sweep is skipped', { jdWarehouseNo, error: err.cause?.message });
        // Without the complete open set nothing may be forgotten: keep every remembered status.
        return { ...report, durationMs: Date.now() - began, skipped: err.cause?.message ?? err.message };
      }
      for (const order of page.orders) open.add(order.isvUuid);
      const asked = await askJd(page.orders);
      await tell(asked.changes);
      report.openOrders += page.orders.length;
      report.jdCalls += asked.jdCalls;
      report.failedJdCalls += asked.failedJdCalls;
      report.changed += asked.changes.length;
      if (page.nextAfter === undefined) break;
      afterOrderNo = page.nextAfter;
    }
    for (const isvUuid of [...lastSeen.keys()]) if (!open.has(isvUuid)) lastSeen.delete(isvUuid);
    return { ...report, durationMs: Date.now() - began };
  };

  while (sweepsInRun < sweepsPerRun) {
    const began = Date.now();
    lastSweep = await sweep();
    sweepsInRun += 1;
    totals.sweeps += 1;
    totals.jdCalls += lastSweep.jdCalls;
    totals.failedJdCalls += lastSweep.failedJdCalls;
    const wait = began + intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS_PER_RUN) break;
  }
  const carried = {
    lastSeen: Object.fromEntries(lastSeen),
    totals: { ...totals, runs: totals.runs + 1, historyEvents: totals.historyEvents + workflowInfo().historyLength },
  };
  return continueAsNew<typeof warehouseSweeper>({ ...input, carried });
}
