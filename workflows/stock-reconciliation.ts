// Stock reconciliation (库存对账, issue 12): `stockReconciliation` compares one warehouse's ERP ledger with
// JD's queryStock — the report is stored RUNNING, one JD activity pages through JD's stock and stores the
// lines, and an unexplained difference is told to the ERP as `stock.mismatch`. `stockReconciliationRound`
// is what the daily Temporal Schedule starts: one child run per ECLP warehouse, none stopping the others.
import { ActivityFailure, ParentClosePolicy, executeChild, log, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import type { ErpActivities } from '../activities/erp';
import { workflowIds } from '../messages/ids';
import {
  STOCK_MISMATCH_EVENT,
  stockMismatchEventId,
  stockReconciliationStatusQuery,
  type StockReconciliationInput,
  type StockReconciliationRoundInput,
  type StockReconciliationRoundResult,
  type StockReconciliationState,
  type StockReconciliationSummary,
} from '../messages/stock-reconciliation';
import { ERP_ACTIVITY_OPTIONS, jdCallOptions } from './saga/activity-options';
import { tellErp } from './saga/erp-webhook';
import { jdRejectionOf } from './saga/failures';
import { identifyDocument, publishStatus } from './saga/visibility';

const erp = proxyActivities<ErpActivities>(ERP_ACTIVITY_OPTIONS);

/**
 * One walk through JD's stock may take minutes for a large warehouse (it heartbeats per page); JD trouble
 * is retried with JD's back-off for up to an hour, then the report says FAILED with the last error.
 */
function stockActivities(erpQueue: string) {
  return proxyActivities<EclpActivities>({
    ...jdCallOptions(erpQueue),
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '2 minutes',
    scheduleToCloseTimeout: '1 hour',
  });
}

export async function stockReconciliation(input: StockReconciliationInput): Promise<StockReconciliationSummary> {
  const { reportId, warehouseCode } = input;
  const state: StockReconciliationState = { reportId, warehouseCode, status: 'RUNNING' };
  setHandler(stockReconciliationStatusQuery, () => ({ ...state }));
  identifyDocument('STOCK', reportId);

  const failed = (jdWarehouseNo: string | null, error: string): StockReconciliationSummary => {
    state.status = 'FAILED';
    publishStatus({ status: 'FAILED', changed: true });
    return { reportId, warehouseCode, jdWarehouseNo, status: 'FAILED', skuCount: 0, differenceCount: 0, mismatchCount: 0, mismatches: [], error };
  };

  const begun = await erp.beginStockReconciliation({ reportId, warehouseCode, trigger: input.trigger });
  if (!begun.ok) return failed(null, begun.problem);
  const { jdWarehouseNo } = begun;
  publishStatus({ status: 'RUNNING', changed: true, jdWarehouseNo });

  let summary: StockReconciliationSummary;
  try {
    summary = await stockActivities(workflowInfo().taskQueue).reconcileWarehouseStock({ reportId, warehouseCode, jdWarehouseNo, ...(input.jdPageSize !== undefined && { pageSize: input.jdPageSize }) });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const rejected = jdRejectionOf(err);
    const error = rejected ? `JD refused the stock query: ${rejected.message}` : `JD's stock could not be read: ${err.cause?.message ?? err.message}`;
    log.error('Stock reconciliation failed', { reportId, warehouseCode, error });
    await erp.failStockReconciliation(reportId, error);
    return failed(jdWarehouseNo, error);
  }
  if (summary.status === 'FAILED') return failed(jdWarehouseNo, summary.error ?? 'failed');

  state.status = 'DONE';
  state.mismatchCount = summary.mismatchCount;
  // MISMATCH for the Temporal UI (`DocType = "STOCK" AND DocStatus = "MISMATCH"`); the report says DONE.
  publishStatus({ status: summary.mismatchCount > 0 ? 'MISMATCH' : 'DONE', changed: true });
  if (summary.mismatchCount > 0) {
    const eventId = stockMismatchEventId(reportId);
    await tellErp(
      { type: 'STOCK', key: reportId },
      {
        id: eventId,
        type: STOCK_MISMATCH_EVENT,
        occurredAt: new Date().toISOString(),
        // SKUs and quantities only: nothing personal.
        data: {
          reportId,
          warehouseCode,
          jdWarehouseNo,
          mismatchCount: summary.mismatchCount,
          mismatches: summary.mismatches,
          truncated: summary.mismatchCount > summary.mismatches.length,
          reportUrl: `/v1/stock/reconciliations/${reportId}`,
        },
      },
      (error) => erp.markWebhookGaveUp(eventId, error, 0),
    );
  }
  return summary;
}

export async function stockReconciliationRound(input: StockReconciliationRoundInput = {}): Promise<StockReconciliationRoundResult> {
  identifyDocument('STOCK_ROUND', workflowInfo().workflowId);
  const warehouses = await erp.listStockReconciliationWarehouses();
  const reports = await Promise.all(
    warehouses.map(async ({ warehouseCode }) => {
      const reportId = uuid4();
      try {
        const summary = await executeChild(stockReconciliation, {
          workflowId: workflowIds.stockReconciliation(warehouseCode, reportId),
          args: [{ warehouseCode, reportId, trigger: 'schedule', ...(input.jdPageSize !== undefined && { jdPageSize: input.jdPageSize }) }],
          // A round that is terminated leaves its reports to finish on their own.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        return { warehouseCode, reportId, status: summary.status, mismatchCount: summary.mismatchCount, ...(summary.error !== undefined && { error: summary.error }) };
      } catch (err) {
        // One warehouse failing does not stop the others.
        const error = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        log.error('A warehouse could not be reconciled', { warehouseCode, reportId, error });
        return { warehouseCode, reportId, status: 'FAILED' as const, mismatchCount: 0, error };
      }
    }),
  );
  return { reports };
}
