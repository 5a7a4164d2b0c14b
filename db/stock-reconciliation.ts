// Stock reconciliation reports (库存对账): the run's row (RUNNING → DONE | FAILED), its lines (one per SKU:
// the ERP ledger against JD's queryStock, with what open documents explain), and what the reconciliation
// reads of the ERP side: the ledger per SKU, the quantities in documents still open at JD, the goods map.
import type { Knex } from 'knex';
import { stockBalances } from './stock-ledger';
import type { Writes } from './tables';

export type StockReconciliationTrigger = 'api' | 'schedule';
export type StockReconciliationStatus = 'RUNNING' | 'DONE' | 'FAILED';
export type StockLineSide = 'both' | 'jd-only' | 'erp-only';

export interface StockReconciliationRow {
  id: string;
  warehouse_code: string;
  jd_warehouse_no: string | null;
  trigger: StockReconciliationTrigger;
  status: StockReconciliationStatus;
  workflow_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  sku_count: number;
  difference_count: number;
  mismatch_count: number;
  jd_row_count: number;
  error: string | null;
}

export interface StockReconciliationLineRow {
  report_id: string;
  line_no: number;
  sku: string | null;
  jd_goods_no: string | null;
  jd_isv_sku: string | null;
  side: StockLineSide;
  ledger_qty: number;
  jd_total_qty: number;
  jd_usable_qty: number;
  jd_defective_qty: number;
  open_inbound_qty: number;
  open_outbound_qty: number;
  difference: number;
  unexplained_qty: number;
}

declare module 'knex/types/tables' {
  interface Tables {
    stock_reconciliations: Knex.CompositeTableType<StockReconciliationRow, Writes<StockReconciliationRow>, Writes<StockReconciliationRow>>;
    stock_reconciliation_lines: Knex.CompositeTableType<StockReconciliationLineRow, Writes<StockReconciliationLineRow>, Writes<StockReconciliationLineRow>>;
  }
}

/** One SKU of a report. */
export interface StockReconciliationLine {
  /** Our SKU; null for a JD goods number no SKU of ours carries (then `jdGoodsNo` names it). */
  sku: string | null;
  jdGoodsNo: string | null;
  /** The merchant SKU JD has on record (queryStock's isvSku), when JD reported one. */
  jdIsvSku?: string | null;
  side: StockLineSide;
  ledgerQty: number;
  /** Every stock row JD reported for the goods (all stock types, statuses and levels). */
  jdTotalQty: number;
  jdUsableQty: number;
  /** Goods level 200–299 or stock status 2. The ledger keeps no goods level, so it is part of jdTotalQty. */
  jdDefectiveQty: number;
  /** Ordered but not yet received in purchase orders and returns still open at JD. */
  openInboundQty: number;
  /** Ordered in sales orders still open at JD (pushed, not shipped). */
  openOutboundQty: number;
  /** jdTotalQty − ledgerQty. */
  difference: number;
  /** The part of the difference open documents cannot explain; 0 when they can. */
  unexplainedQty: number;
}

export interface StockReconciliationReport {
  id: string;
  warehouseCode: string;
  jdWarehouseNo: string | null;
  trigger: StockReconciliationTrigger;
  status: StockReconciliationStatus;
  workflowId: string | null;
  startedAt: string;
  finishedAt: string | null;
  skuCount: number;
  differenceCount: number;
  mismatchCount: number;
  jdRowCount: number;
  error: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toReport(row: StockReconciliationRow): StockReconciliationReport {
  return {
    id: row.id,
    warehouseCode: row.warehouse_code,
    jdWarehouseNo: row.jd_warehouse_no,
    trigger: row.trigger,
    status: row.status,
    workflowId: row.workflow_id,
    startedAt: row.started_at.toISOString(),
    finishedAt: iso(row.finished_at),
    skuCount: row.sku_count,
    differenceCount: row.difference_count,
    mismatchCount: row.mismatch_count,
    jdRowCount: row.jd_row_count,
    error: row.error,
  };
}

function toLine(row: StockReconciliationLineRow): StockReconciliationLine {
  return {
    sku: row.sku,
    jdGoodsNo: row.jd_goods_no,
    jdIsvSku: row.jd_isv_sku,
    side: row.side,
    ledgerQty: row.ledger_qty,
    jdTotalQty: row.jd_total_qty,
    jdUsableQty: row.jd_usable_qty,
    jdDefectiveQty: row.jd_defective_qty,
    openInboundQty: row.open_inbound_qty,
    openOutboundQty: row.open_outbound_qty,
    difference: row.difference,
    unexplainedQty: row.unexplained_qty,
  };
}

// ---------------------------------------------------------------- the run's row

/** The warehouses the daily round reconciles: ECLP-connected, with their JD number. */
export async function eclpWarehousesForStockReconciliation(db: Knex): Promise<Array<{ warehouseCode: string; jdWarehouseNo: string }>> {
  const rows = await db('warehouses').where({ eclp_connected: true }).whereNotNull('jd_warehouse_no').orderBy('code').select('code', 'jd_warehouse_no');
  return rows.map((r) => ({ warehouseCode: r.code, jdWarehouseNo: r.jd_warehouse_no! }));
}

/**
 * The run begins: its report is stored RUNNING (a retried call finds it and changes nothing). The warehouse
 * is judged as it is now: one that is not (or no longer) ECLP-connected ends the report FAILED at once.
 */
export async function beginStockReconciliation(
  db: Knex,
  input: { reportId: string; warehouseCode: string; trigger: StockReconciliationTrigger; workflowId: string },
): Promise<{ ok: true; jdWarehouseNo: string; status: StockReconciliationStatus } | { ok: false; problem: string }> {
  const existing = await db('stock_reconciliations').where({ id: input.reportId }).first();
  if (existing) {
    if (existing.jd_warehouse_no && existing.status !== 'FAILED') return { ok: true, jdWarehouseNo: existing.jd_warehouse_no, status: existing.status };
    return { ok: false, problem: existing.error ?? `warehouse ${input.warehouseCode} is not a JD (ECLP) warehouse` };
  }
  const warehouse = await db('warehouses').where({ code: input.warehouseCode }).first();
  const jdWarehouseNo = warehouse?.eclp_connected && warehouse.jd_warehouse_no ? warehouse.jd_warehouse_no : null;
  const problem = !warehouse
    ? `warehouse ${input.warehouseCode} does not exist`
    : jdWarehouseNo === null
      ? `warehouse ${input.warehouseCode} is not a JD (ECLP) warehouse; its stock is not at JD`
      : undefined;
  await db('stock_reconciliations')
    .insert({
      id: input.reportId,
      warehouse_code: input.warehouseCode,
      jd_warehouse_no: jdWarehouseNo,
      trigger: input.trigger,
      workflow_id: input.workflowId,
      status: problem ? 'FAILED' : 'RUNNING',
      ...(problem && { error: problem, finished_at: db.fn.now() }),
    })
    .onConflict('id')
    .ignore();
  return problem ? { ok: false, problem } : { ok: true, jdWarehouseNo: jdWarehouseNo!, status: 'RUNNING' };
}

/** The run could not finish (JD kept refusing, the time ran out): the report says why. Only a RUNNING report changes. */
export async function failStockReconciliation(db: Knex, reportId: string, error: string): Promise<void> {
  await db('stock_reconciliations').where({ id: reportId, status: 'RUNNING' }).update({ status: 'FAILED', error, finished_at: db.fn.now() });
}

/**
 * Stores the lines and ends the report DONE, in one transaction; a report that is no longer RUNNING (an
 * earlier attempt stored it, or it was failed meanwhile) is left as it is. False then.
 */
export async function storeStockReconciliationResult(db: Knex, reportId: string, lines: readonly StockReconciliationLine[], counts: { jdRowCount: number }): Promise<boolean> {
  return db.transaction(async (trx) => {
    const row = await trx('stock_reconciliations').where({ id: reportId }).forUpdate().first();
    if (!row || row.status !== 'RUNNING') return false;
    await trx('stock_reconciliation_lines').where({ report_id: reportId }).delete();
    const rows = lines.map((l, i) => ({
      report_id: reportId,
      line_no: i + 1,
      sku: l.sku,
      jd_goods_no: l.jdGoodsNo,
      jd_isv_sku: l.jdIsvSku ?? null,
      side: l.side,
      ledger_qty: l.ledgerQty,
      jd_total_qty: l.jdTotalQty,
      jd_usable_qty: l.jdUsableQty,
      jd_defective_qty: l.jdDefectiveQty,
      open_inbound_qty: l.openInboundQty,
      open_outbound_qty: l.openOutboundQty,
      difference: l.difference,
      unexplained_qty: l.unexplainedQty,
    }));
    // 14 parameters a row: 1,000 rows stay well below PostgreSQL's 65,535 bind parameters.
    for (let i = 0; i < rows.length; i += 1_000) await trx('stock_reconciliation_lines').insert(rows.slice(i, i + 1_000));
    await trx('stock_reconciliations')
      .where({ id: reportId })
      .update({
        status: 'DONE',
        finished_at: trx.fn.now(),
        sku_count: lines.length,
        difference_count: lines.filter((l) => l.difference !== 0).length,
        mismatch_count: lines.filter((l) => l.unexplainedQty !== 0).length,
        jd_row_count: counts.jdRowCount,
      });
    return true;
  });
}

// ---------------------------------------------------------------- reading reports

export async function findStockReconciliation(db: Knex, reportId: string): Promise<StockReconciliationReport | undefined> {
  const row = await db('stock_reconciliations').where({ id: reportId }).first();
  return row && toReport(row);
}

/** The report with its lines: unexplained differences first (largest first), then by SKU. */
export async function getStockReconciliationWithLines(db: Knex, reportId: string): Promise<(StockReconciliationReport & { lines: StockReconciliationLine[] }) | undefined> {
  const report = await findStockReconciliation(db, reportId);
  if (!report) return undefined;
  const rows = await db('stock_reconciliation_lines')
    .where({ report_id: reportId })
    .orderByRaw('(unexplained_qty <> 0) DESC, abs(unexplained_qty) DESC, sku NULLS LAST, jd_goods_no');
  return { ...report, lines: rows.map(toLine) };
}

/** The largest unexplained differences of a report (for the webhook and the attention list). */
export async function stockMismatchesOf(db: Knex, reportId: string, limit: number): Promise<StockReconciliationLine[]> {
  const rows = await db('stock_reconciliation_lines')
    .where({ report_id: reportId })
    .whereNot({ unexplained_qty: 0 })
    .orderByRaw('abs(unexplained_qty) DESC, sku NULLS LAST, jd_goods_no')
    .limit(limit);
  return rows.map(toLine);
}

export interface StockReconciliationFilter {
  warehouseCode?: string;
  /** true: reports with unexplained differences; false: reports without (finished DONE). */
  mismatch?: boolean;
  limit: number;
}

/** Reports, newest first. */
export async function listStockReconciliations(db: Knex, filter: StockReconciliationFilter): Promise<StockReconciliationReport[]> {
  const query = db('stock_reconciliations').orderBy([{ column: 'started_at', order: 'desc' }, { column: 'id' }]).limit(filter.limit);
  if (filter.warehouseCode) query.where({ warehouse_code: filter.warehouseCode });
  if (filter.mismatch === true) query.where('mismatch_count', '>', 0);
  if (filter.mismatch === false) query.where({ status: 'DONE', mismatch_count: 0 });
  return (await query).map(toReport);
}

/** Per warehouse, its newest report in `statuses` (of `trigger` when given). */
export async function latestStockReconciliations(db: Knex, filter: { statuses: readonly StockReconciliationStatus[]; trigger?: StockReconciliationTrigger }): Promise<StockReconciliationReport[]> {
  const query = db('stock_reconciliations')
    .distinctOn('warehouse_code')
    .whereIn('status', filter.statuses)
    .orderBy([{ column: 'warehouse_code' }, { column: 'started_at', order: 'desc' }]);
  if (filter.trigger) query.where({ trigger: filter.trigger });
  return (await query).map(toReport);
}

// ---------------------------------------------------------------- the ERP side of a reconciliation

/** Sales orders that may still leave the warehouse at JD: pushed (or being pushed), not shipped. */
export const OPEN_OUTBOUND_SALES_ORDER_STATUSES = ['PUSHING', 'WMS_PICKING'] as const;
/** Purchase orders JD may still receive against: pushed (or being pushed, or unconfirmed), not fully received. */
export const OPEN_INBOUND_PURCHASE_ORDER_STATUSES = ['PUSHING', 'PUSH_UNCONFIRMED', 'WAITING_INBOUND', 'PARTIALLY_RECEIVED'] as const;
/** Returns JD may still receive. */
export const OPEN_INBOUND_RETURN_STATUSES = ['PUSHING', 'WAITING_INBOUND'] as const;

export interface ErpStockSide {
  /** Ledger balance per SKU (every SKU with a movement in the warehouse). */
  ledger: Map<string, number>;
  /** Per SKU: quantities JD may still receive / ship for documents open at JD. */
  open: Map<string, { inbound: number; outbound: number }>;
}

/**
 * The ledger and the open documents of one warehouse, read in one snapshot (REPEATABLE READ), so a booking
 * that lands between the reads cannot count twice or not at all. Read this BEFORE asking JD: anything JD
 * does after the snapshot belongs to a document that was open in it, so open documents explain it.
 */
export async function readErpStockSide(db: Knex, warehouseCode: string): Promise<ErpStockSide> {
  return db.transaction(
    async (trx) => {
      const balances = await stockBalances(trx, { warehouseCode });
      const outbound = await trx('sales_order_lines as l')
        .join('sales_orders as o', 'o.order_no', 'l.order_no')
        .where('o.warehouse_code', warehouseCode)
        .whereIn('o.status', OPEN_OUTBOUND_SALES_ORDER_STATUSES)
        .groupBy('l.sku')
        .select('l.sku')
        .sum<Array<{ sku: string; qty: string }>>({ qty: 'l.quantity' });
      const purchases = await trx('purchase_order_lines as l')
        .join('purchase_orders as o', 'o.po_no', 'l.po_no')
        .where('o.warehouse_code', warehouseCode)
        .whereIn('o.status', OPEN_INBOUND_PURCHASE_ORDER_STATUSES)
        .groupBy('l.sku')
        .select('l.sku')
        .select(trx.raw('sum(greatest(l.quantity - l.received_quantity, 0)) as qty'));
      const returns = await trx('return_lines as l')
        .join('returns as r', 'r.return_no', 'l.return_no')
        .where('r.warehouse_code', warehouseCode)
        .whereIn('r.status', OPEN_INBOUND_RETURN_STATUSES)
        .groupBy('l.sku')
        .select('l.sku')
        .select(trx.raw('sum(greatest(l.quantity - coalesce(l.received_quantity, 0), 0)) as qty'));
      const open = new Map<string, { inbound: number; outbound: number }>();
      const add = (sku: string, kind: 'inbound' | 'outbound', qty: number) => {
        const entry = open.get(sku) ?? { inbound: 0, outbound: 0 };
        entry[kind] += qty;
        open.set(sku, entry);
      };
      for (const r of outbound) add(r.sku, 'outbound', Number(r.qty));
      for (const r of [...purchases, ...returns] as Array<{ sku: string; qty: string }>) add(r.sku, 'inbound', Number(r.qty));
      return { ledger: new Map(balances.map((b) => [b.sku, b.quantity])), open };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

/**
 * How JD's goods numbers map to our SKUs (goods.jd_goods_no); of `skus` (JD's isvSku values and the ledger's
 * SKUs), which are goods we know and the JD number each carries.
 */
export async function goodsMapForStockReconciliation(
  db: Knex,
  jdGoodsNos: readonly string[],
  skus: readonly string[],
): Promise<{ skuOfGoodsNo: Map<string, string>; knownSkus: Set<string>; jdGoodsNoOfSku: Map<string, string> }> {
  const skuOfGoodsNo = new Map<string, string>();
  for (let i = 0; i < jdGoodsNos.length; i += 1_000) {
    const rows = await db('goods').whereIn('jd_goods_no', jdGoodsNos.slice(i, i + 1_000)).select('sku', 'jd_goods_no');
    for (const r of rows) if (r.jd_goods_no) skuOfGoodsNo.set(r.jd_goods_no, r.sku);
  }
  const knownSkus = new Set<string>();
  const jdGoodsNoOfSku = new Map<string, string>();
  for (let i = 0; i < skus.length; i += 1_000) {
    const rows = await db('goods').whereIn('sku', skus.slice(i, i + 1_000)).select('sku', 'jd_goods_no');
    for (const r of rows) {
      knownSkus.add(r.sku);
      if (r.jd_goods_no) jdGoodsNoOfSku.set(r.sku, r.jd_goods_no);
    }
  }
  return { skuOfGoodsNo, knownSkus, jdGoodsNoOfSku };
}
