// The stock reconciliation's contract (workflows/stock-reconciliation.ts): one warehouse's run, the daily
// round over every ECLP warehouse (started by a Temporal Schedule), their results and the stock.mismatch
// event. Payloads stay small: the report's lines live in Postgres, the workflow carries a summary only.
import { defineQuery } from '@temporalio/workflow';

export const STOCK_RECONCILIATION_TRIGGERS = ['api', 'schedule'] as const;
export type StockReconciliationTrigger = (typeof STOCK_RECONCILIATION_TRIGGERS)[number];

export const STOCK_RECONCILIATION_STATUSES = ['RUNNING', 'DONE', 'FAILED'] as const;
export type StockReconciliationStatus = (typeof STOCK_RECONCILIATION_STATUSES)[number];

/** The ERP webhook event sent when a report holds a difference open documents cannot explain. */
export const STOCK_MISMATCH_EVENT = 'stock.mismatch';
/** At most this many SKUs travel in a summary and in the event; the report (GET by id) has them all. */
export const MAX_SUMMARY_MISMATCHES = 50;

export const stockMismatchEventId = (reportId: string) => `${STOCK_MISMATCH_EVENT}/${reportId}`;

export interface StockReconciliationInput {
  /** The ERP's warehouse code (master data); its JD warehouse is read when the run begins. */
  warehouseCode: string;
  /** The report's id (uuid), chosen by the starter: the API answers with it, the round makes one per warehouse. */
  reportId: string;
  trigger: StockReconciliationTrigger;
  /** queryStock's page size (JD_STOCK_PAGE_SIZE); default 100. */
  jdPageSize?: number;
}

/** One SKU JD and the ERP disagree on beyond what open documents explain. */
export interface StockMismatch {
  /** Null for a JD goods number no SKU of ours carries. */
  sku: string | null;
  jdGoodsNo: string | null;
  ledgerQty: number;
  jdTotalQty: number;
  unexplainedQty: number;
}

export interface StockReconciliationSummary {
  reportId: string;
  warehouseCode: string;
  jdWarehouseNo: string | null;
  status: Exclude<StockReconciliationStatus, 'RUNNING'>;
  skuCount: number;
  /** SKUs whose JD total differs from the ledger at all. */
  differenceCount: number;
  /** SKUs with an unexplained difference. */
  mismatchCount: number;
  /** The largest unexplained differences, at most MAX_SUMMARY_MISMATCHES. */
  mismatches: StockMismatch[];
  error?: string;
}

export interface StockReconciliationRoundInput {
  jdPageSize?: number;
}

export interface StockReconciliationRoundResult {
  reports: Array<{ warehouseCode: string; reportId: string; status: 'DONE' | 'FAILED'; mismatchCount: number; error?: string }>;
}

export interface StockReconciliationState {
  reportId: string;
  warehouseCode: string;
  status: StockReconciliationStatus;
  mismatchCount?: number;
}

export const stockReconciliationStatusQuery = defineQuery<StockReconciliationState>('status');
