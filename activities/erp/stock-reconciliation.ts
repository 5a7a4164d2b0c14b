// Stock reconciliation (库存对账), the ERP side: the report's row as the run begins and when it fails, and
// the warehouses the daily round reconciles. The lines are stored by the JD activity (activities/eclp/stock.ts).
import {
  beginStockReconciliation as beginReport,
  eclpWarehousesForStockReconciliation,
  failStockReconciliation as failReport,
} from '../../db/stock-reconciliation';
import type { StockReconciliationTrigger } from '../../messages/stock-reconciliation';
import { callingWorkflowId } from '../context';
import type { ErpActivityDeps } from './index';

export function createStockReconciliationActivities(deps: ErpActivityDeps) {
  const { db } = deps;
  return {
    /** Stores the report RUNNING (or FAILED at once for a warehouse that is not at JD); repeatable. */
    async beginStockReconciliation(input: { reportId: string; warehouseCode: string; trigger: StockReconciliationTrigger }) {
      return beginReport(db, { ...input, workflowId: callingWorkflowId() });
    },

    /** The run gave up: the report says why. */
    async failStockReconciliation(reportId: string, error: string): Promise<void> {
      await failReport(db, reportId, error);
    },

    /** Every ECLP-connected warehouse, for the daily round. */
    async listStockReconciliationWarehouses(): Promise<Array<{ warehouseCode: string; jdWarehouseNo: string }>> {
      return eclpWarehousesForStockReconciliation(db);
    },
  };
}
