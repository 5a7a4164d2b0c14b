// The ERP's stock ledger (库存流水): one signed row per SKU and document revision — and per entry, for a
// document that books more than once (a purchase order's receipts, entry = the receipt's number).
// Outbound rows are negative. The unique key (doc_type, doc_no, doc_revision, sku, entry_no) makes
// booking idempotent, so an activity retried after a commit it never heard about books nothing twice.
import type { Knex } from 'knex';
import type { StockLedgerRow } from './tables';

export type LedgerDocType = 'SO' | 'PO' | 'RTN';

export interface LedgerBooking {
  warehouseCode: string;
  docType: LedgerDocType;
  docNo: string;
  docRevision: number;
  /** Which booking of the document revision this is (a PO's receipt seq); 0, the default, for documents booked once. */
  entryNo?: number;
  /** Positive quantities; the direction comes from the function called. */
  lines: ReadonlyArray<{ sku: string; quantity: number }>;
}

export interface LedgerEntry {
  warehouseCode: string;
  sku: string;
  quantity: number;
  docType: LedgerDocType;
  docNo: string;
  docRevision: number;
  entryNo: number;
  at: string;
}

async function book(db: Knex | Knex.Transaction, booking: LedgerBooking, sign: 1 | -1): Promise<number> {
  const rows = booking.lines
    .filter((line) => line.quantity > 0)
    .map((line) => ({
      warehouse_code: booking.warehouseCode,
      sku: line.sku,
      quantity: sign * line.quantity,
      doc_type: booking.docType,
      doc_no: booking.docNo,
      doc_revision: booking.docRevision,
      entry_no: booking.entryNo ?? 0,
    }));
  if (rows.length === 0) return 0;
  const inserted = await db('stock_ledger').insert(rows).onConflict(['doc_type', 'doc_no', 'doc_revision', 'sku', 'entry_no']).ignore().returning('id');
  return inserted.length;
}

/** Books goods leaving a warehouse; returns how many rows were new (0 on a repeat). */
export function bookOutbound(db: Knex | Knex.Transaction, booking: LedgerBooking): Promise<number> {
  return book(db, booking, -1);
}

/** Books goods arriving in a warehouse; returns how many rows were new (0 on a repeat). */
export function bookInbound(db: Knex | Knex.Transaction, booking: LedgerBooking): Promise<number> {
  return book(db, booking, 1);
}

export async function ledgerForDocument(db: Knex | Knex.Transaction, docType: LedgerDocType, docNo: string): Promise<LedgerEntry[]> {
  const rows = await db('stock_ledger').where({ doc_type: docType, doc_no: docNo }).orderBy([{ column: 'doc_revision' }, { column: 'entry_no' }, { column: 'sku' }]);
  return rows.map((r) => ({
    warehouseCode: r.warehouse_code,
    sku: r.sku,
    quantity: r.quantity,
    docType: r.doc_type,
    docNo: r.doc_no,
    docRevision: r.doc_revision,
    entryNo: r.entry_no,
    at: r.created_at.toISOString(),
  }));
}

/** Sum of all movements per warehouse and SKU (filters optional). */
export async function stockBalances(db: Knex, filter: { warehouseCode?: string; sku?: string } = {}): Promise<Array<{ warehouseCode: string; sku: string; quantity: number }>> {
  const query = db('stock_ledger').select('warehouse_code', 'sku').sum<Array<Pick<StockLedgerRow, 'warehouse_code' | 'sku'> & { total: string }>>({ total: 'quantity' }).groupBy('warehouse_code', 'sku').orderBy(['warehouse_code', 'sku']);
  if (filter.warehouseCode) query.where({ warehouse_code: filter.warehouseCode });
  if (filter.sku) query.where({ sku: filter.sku });
  const rows = await query;
  return rows.map((r) => ({ warehouseCode: r.warehouse_code, sku: r.sku, quantity: Number(r.total) }));
}
