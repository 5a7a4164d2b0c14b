// The attention list's stock items (GET /v1/attention): a warehouse whose newest finished reconciliation
// found differences open documents cannot explain (someone must count or check those SKUs), and a
// warehouse whose newest scheduled reconciliation FAILED (nobody knows whether its stock agrees).
import type { Knex } from 'knex';
import { latestStockReconciliations, stockMismatchesOf } from '../stock-reconciliation';
import type { AttentionItem, AttentionSource } from './types';

/** SKUs named in an item's next action; the report lists them all. */
const NAMED_SKUS = 5;

const reportHref = (id: string) => `/v1/stock/reconciliations/${id}`;
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

async function mismatchItems(db: Knex): Promise<AttentionItem[]> {
  const latest = await latestStockReconciliations(db, { statuses: ['DONE'] });
  const items: AttentionItem[] = [];
  for (const report of latest) {
    if (report.mismatchCount === 0) continue;
    const worst = await stockMismatchesOf(db, report.id, NAMED_SKUS);
    const named = worst.map((l) => `${l.sku ?? `JD goods ${l.jdGoodsNo} (no SKU of ours)`} ${signed(l.unexplainedQty)}`);
    const more = report.mismatchCount > worst.length ? ` and ${report.mismatchCount - worst.length} more` : '';
    items.push({
      kind: 'stock_mismatch',
      subject: 'STOCK',
      documentNo: report.id,
      why: `JD's stock in warehouse ${report.warehouseCode} differs from the ledger by more than open documents explain for ${report.mismatchCount} SKU(s): ${named.join(', ')}${more} (JD − ledger, unexplained)`,
      since: report.finishedAt ?? report.startedAt,
      nextAction: `Count or check ${worst.map((l) => l.sku ?? `JD goods ${l.jdGoodsNo}`).join(', ')}${more} at the warehouse and correct the ledger or JD, then GET /v1/stock/reconciliation?warehouse=${report.warehouseCode} to reconcile again`,
      href: reportHref(report.id),
      ...(report.workflowId && { workflowId: report.workflowId }),
      warehouseCode: report.warehouseCode,
    });
  }
  return items;
}

async function failedScheduleItems(db: Knex): Promise<AttentionItem[]> {
  const latest = await latestStockReconciliations(db, { statuses: ['DONE', 'FAILED'], trigger: 'schedule' });
  return latest
    .filter((report) => report.status === 'FAILED')
    .map((report) => ({
      kind: 'stock_reconciliation_failed',
      subject: 'STOCK' as const,
      documentNo: report.id,
      why: `The scheduled stock reconciliation of warehouse ${report.warehouseCode} failed: ${report.error ?? 'no reason recorded'}`,
      since: report.finishedAt ?? report.startedAt,
      nextAction: `Fix the cause (JD's words above), then GET /v1/stock/reconciliation?warehouse=${report.warehouseCode} to reconcile now`,
      href: reportHref(report.id),
      ...(report.workflowId && { workflowId: report.workflowId }),
      warehouseCode: report.warehouseCode,
    }));
}

export const stockMismatchAttention: AttentionSource = async (db) => [...(await mismatchItems(db)), ...(await failedScheduleItems(db))];
