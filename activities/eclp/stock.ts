// Stock reconciliation (库存对账), the JD side: one activity reads the ERP side of a warehouse (ledger and
// open documents, one snapshot), then every page of JD's queryStock for its JD warehouse, compares them
// per SKU and stores the report's lines itself — a warehouse has thousands of SKUs, and they must not
// travel through Temporal. The workflow gets a small summary back.
import { Context } from '@temporalio/activity';
import type { StockRow } from '../../eclp';
import {
  findStockReconciliation,
  goodsMapForStockReconciliation,
  readErpStockSide,
  stockMismatchesOf,
  storeStockReconciliationResult,
  type ErpStockSide,
  type StockReconciliationLine,
} from '../../db/stock-reconciliation';
import { MAX_SUMMARY_MISMATCHES, type StockMismatch, type StockReconciliationSummary } from '../../messages/stock-reconciliation';
import type { EclpActivityDeps } from './index';
import { jdCaller } from './failures';

/** queryStock's page size unless the run asks for another (JD_STOCK_PAGE_SIZE). */
export const DEFAULT_STOCK_PAGE_SIZE = 100;

export interface ReconcileWarehouseStockInput {
  reportId: string;
  warehouseCode: string;
  jdWarehouseNo: string;
  pageSize?: number;
}

/** Goods level 200–299 (defective) or stock status 2 (残品) (eclp-api.md §3.6). */
export function isDefectiveStock(row: Pick<StockRow, 'goodsLevel' | 'stockStatus'>): boolean {
  const level = Number(row.goodsLevel);
  return (Number.isFinite(level) && level >= 200 && level <= 299) || row.stockStatus === '2';
}

/**
 * What open documents cannot explain of `difference` (JD − ledger): JD may hold up to `openInbound` more
 * (received at JD, not yet booked) and up to `openOutbound` less (shipped at JD, not yet booked).
 */
export function unexplainedQuantity(difference: number, openInbound: number, openOutbound: number): number {
  if (difference > openInbound) return difference - openInbound;
  if (difference < -openOutbound) return difference + openOutbound;
  return 0;
}

/**
 * The report's lines. JD's rows are keyed to our SKU by goods.jd_goods_no, else by the row's isvSku when
 * that is a SKU we know (goods or ledger); a goods number we cannot place is a line of its own (sku null).
 */
export function reconcileStock(
  erp: ErpStockSide,
  jdRows: readonly StockRow[],
  goods: { skuOfGoodsNo: ReadonlyMap<string, string>; knownSkus: ReadonlySet<string>; jdGoodsNoOfSku?: ReadonlyMap<string, string> },
): StockReconciliationLine[] {
  type Acc = { sku: string | null; jdGoodsNo: string | null; jdIsvSku: string | null; onJd: boolean; total: number; usable: number; defective: number };
  const byKey = new Map<string, Acc>();
  for (const row of jdRows) {
    const sku = goods.skuOfGoodsNo.get(row.goodsNo) ?? (row.isvSku !== undefined && (goods.knownSkus.has(row.isvSku) || erp.ledger.has(row.isvSku)) ? row.isvSku : null);
    const key = sku !== null ? `sku:${sku}` : `jd:${row.goodsNo}`;
    const acc = byKey.get(key) ?? { sku, jdGoodsNo: row.goodsNo, jdIsvSku: row.isvSku ?? null, onJd: true, total: 0, usable: 0, defective: 0 };
    acc.total += row.totalQty;
    if (isDefectiveStock(row)) acc.defective += row.totalQty;
    else acc.usable += row.usableQty;
    byKey.set(key, acc);
  }
  for (const sku of erp.ledger.keys()) {
    // JD reported nothing for it: the goods number it has at JD (if synced) still names it for the operator.
    if (!byKey.has(`sku:${sku}`)) byKey.set(`sku:${sku}`, { sku, jdGoodsNo: goods.jdGoodsNoOfSku?.get(sku) ?? null, jdIsvSku: null, onJd: false, total: 0, usable: 0, defective: 0 });
  }
  const lines: StockReconciliationLine[] = [];
  for (const acc of byKey.values()) {
    const inLedger = acc.sku !== null && erp.ledger.has(acc.sku);
    const ledgerQty = acc.sku !== null ? (erp.ledger.get(acc.sku) ?? 0) : 0;
    const open = acc.sku !== null ? erp.open.get(acc.sku) : undefined;
    const openInboundQty = open?.inbound ?? 0;
    const openOutboundQty = open?.outbound ?? 0;
    const difference = acc.total - ledgerQty;
    lines.push({
      sku: acc.sku,
      jdGoodsNo: acc.jdGoodsNo,
      jdIsvSku: acc.jdIsvSku,
      side: acc.onJd && inLedger ? 'both' : acc.onJd ? 'jd-only' : 'erp-only',
      ledgerQty,
      jdTotalQty: acc.total,
      jdUsableQty: acc.usable,
      jdDefectiveQty: acc.defective,
      openInboundQty,
      openOutboundQty,
      difference,
      unexplainedQty: unexplainedQuantity(difference, openInboundQty, openOutboundQty),
    });
  }
  return lines.sort((a, b) => (a.sku ?? '\uffff').localeCompare(b.sku ?? '\uffff') || (a.jdGoodsNo ?? '').localeCompare(b.jdGoodsNo ?? ''));
}

const toMismatch = (l: StockReconciliationLine): StockMismatch => ({ sku: l.sku, jdGoodsNo: l.jdGoodsNo, ledgerQty: l.ledgerQty, jdTotalQty: l.jdTotalQty, unexplainedQty: l.unexplainedQty });

export function createEclpStockActivities(deps: EclpActivityDeps) {
  const { eclp, db } = deps;
  const jd = jdCaller(deps.options);

  /** The summary of a report already stored (a retry after the commit). */
  async function storedSummary(reportId: string): Promise<StockReconciliationSummary | undefined> {
    const report = await findStockReconciliation(db, reportId);
    if (!report || report.status === 'RUNNING') return undefined;
    return {
      reportId,
      warehouseCode: report.warehouseCode,
      jdWarehouseNo: report.jdWarehouseNo,
      status: report.status,
      skuCount: report.skuCount,
      differenceCount: report.differenceCount,
      mismatchCount: report.mismatchCount,
      mismatches: (await stockMismatchesOf(db, reportId, MAX_SUMMARY_MISMATCHES)).map(toMismatch),
      ...(report.error !== null && { error: report.error }),
    };
  }

  return {
    /**
     * Compares the ERP's stock of one warehouse with JD's and stores the report (DONE). Idempotent: a
     * report stored already is answered from Postgres. Heartbeats once per JD page.
     */
    async reconcileWarehouseStock(input: ReconcileWarehouseStockInput): Promise<StockReconciliationSummary> {
      const stored = await storedSummary(input.reportId);
      if (stored) return stored;
      const pageSize = input.pageSize ?? DEFAULT_STOCK_PAGE_SIZE;
      // The ERP side first: whatever JD does after this snapshot belongs to a document open in it.
      const erp = await readErpStockSide(db, input.warehouseCode);
      const rows: StockRow[] = [];
      await jd(async () => {
        for await (const row of eclp.iterateStock({ warehouseNo: input.jdWarehouseNo, includeZeroStock: false }, pageSize)) {
          rows.push(row);
          if (rows.length % pageSize === 0) Context.current().heartbeat({ rows: rows.length });
        }
      });
      const goodsNos = [...new Set(rows.map((r) => r.goodsNo))];
      const skus = [...new Set([...rows.flatMap((r) => (r.isvSku !== undefined ? [r.isvSku] : [])), ...erp.ledger.keys()])];
      const lines = reconcileStock(erp, rows, await goodsMapForStockReconciliation(db, goodsNos, skus));
      await storeStockReconciliationResult(db, input.reportId, lines, { jdRowCount: rows.length });
      // Stored now, or by a concurrent attempt, or failed meanwhile: the row says which.
      const summary = await storedSummary(input.reportId);
      if (!summary) throw new Error(`stock reconciliation ${input.reportId} is still RUNNING after its result was stored`);
      return summary;
    },
  };
}
