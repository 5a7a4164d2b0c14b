// Workflow IDs and types. Workflow ID = business key (DESIGN.md §4): a repeated request finds the same
// run instead of starting a second one. Keys are ERP document codes, never personal data.
import { TASK_QUEUES } from './task-queues';

export const workflowIds = {
  goodsSync: (sku: string) => `GOODS:${sku}`,
  salesOrder: (orderNo: string, revision: number) => `SO:${orderNo}:${revision}`,
  purchaseOrder: (poNo: string, revision: number) => `PO:${poNo}:${revision}`,
  returnOrder: (returnNo: string, revision: number) => `RTN:${returnNo}:${revision}`,
  /**
   * `SWEEP:{jdWarehouseNo}`; deployments (and test files) on their own task-queue pair read their own
   * database, so each gets its own sweeper: `SWEEP:{jdWarehouseNo}@{erpQueue}`.
   */
  sweeper: (jdWarehouseNo: string, erpTaskQueue: string = TASK_QUEUES.erp) =>
    erpTaskQueue === TASK_QUEUES.erp ? `SWEEP:${jdWarehouseNo}` : `SWEEP:${jdWarehouseNo}@${erpTaskQueue}`,
  /** One run per operator redelivery of an ERP webhook event (its n-th). */
  webhookRedelivery: (eventId: string, redelivery: number) => `WEBHOOK:${eventId}:redelivery-${redelivery}`,
  /** One stock reconciliation of one warehouse (`runKey`: a report id). */
  stockReconciliation: (warehouseCode: string, runKey: string) => `STOCK-RECON:${warehouseCode}:${runKey}`,
  /** The Temporal Schedule that reconciles every ECLP warehouse (per task-queue pair, like sweepers). */
  stockReconciliationSchedule: (erpTaskQueue: string = TASK_QUEUES.erp) =>
    erpTaskQueue === TASK_QUEUES.erp ? 'stock-reconciliation' : `stock-reconciliation@${erpTaskQueue}`,
  /** A read-only JD query run for an API request (serial numbers): `LOOKUP:{uuid}`. */
  jdLookup: (lookupId: string) => `LOOKUP:${lookupId}`,
  /** 推单测试: one run per go-live check. */
  goLiveCheck: (checkId: string) => `GOLIVE:${checkId}`,
  /** The singleton that refreshes JD's access token before it expires (per task-queue pair). */
  jdTokenRefresher: (erpTaskQueue: string = TASK_QUEUES.erp) => (erpTaskQueue === TASK_QUEUES.erp ? 'JD-TOKEN' : `JD-TOKEN@${erpTaskQueue}`),
  /** One OAuth code exchange (`state` is single-use). */
  jdAuthorisation: (stateId: string) => `JD-AUTH:${stateId}`,
};

/** Registered workflow function names (workflows/index.ts exports functions of these names). */
export const WORKFLOW_TYPES = {
  goodsSync: 'goodsSync',
  salesOrder: 'salesOrder',
  purchaseOrder: 'purchaseOrder',
  returnOrder: 'returnOrder',
  sweeper: 'warehouseSweeper',
  webhookRedelivery: 'webhookRedelivery',
  stockReconciliation: 'stockReconciliation',
  stockReconciliationRound: 'stockReconciliationRound',
  jdLookup: 'jdLookup',
  goLiveCheck: 'goLiveCheck',
  jdTokenRefresher: 'jdTokenRefresher',
  jdAuthorisation: 'jdAuthorisation',
} as const;
