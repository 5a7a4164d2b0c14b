// Purchase receipts (采购入库单): what JD reports received becomes receipts that raise stock, each
// increase exactly once. JD reports cumulative quantities per goods, and the PO's lines store what has
// been booked so far: under the PO's row lock, the difference is what is new. So a repeated report, two
// attempts at once, or a retry after a commit whose answer was lost, all book nothing more.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { PURCHASE_ORDER_FINAL, receiptNoOf } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { writeOperationLog, writeOperationLogOnce } from '../operation-log';
import { bookInbound } from '../stock-ledger';
import type { PurchaseOrderLineRow } from '../tables';
import { PURCHASE_ORDER_DOC_TYPE, toPurchaseReceipt, type PurchaseReceiptRecord } from './records';

/** JD's report on the PO (queryPoOrder), per SKU, cumulative: what the booking compares with the lines. */
export interface JdReceiptProgress {
  poOrderNo: string;
  jdStatus: string;
  lines: ReadonlyArray<{ sku: string; receivedQty: number; shortQty: number; defectiveQty: number; excessQty: number }>;
}

export interface PurchaseReceiptBookingResult {
  /** Receipts with seq > `seenReceipts`: booked now, or by an earlier attempt whose answer was lost. */
  receipts: PurchaseReceiptRecord[];
  totalReceipts: number;
  receivedTotal: number;
}

/** Receipt lines in SKU order (code points, whatever the database's collation), as booked and as read back. */
function bySku(a: { sku: string }, b: { sku: string }): number {
  return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
}

/** A line that has received less than ordered. */
export function isShort(line: Pick<PurchaseOrderLineRow, 'quantity' | 'received_quantity'>): boolean {
  return line.received_quantity < line.quantity;
}

/** The PO remark of a receipt: `采购入库 PO-1-R2: TEA×3, CUP×1`. */
export function receiptRemark(receiptNo: string, lines: ReadonlyArray<{ sku: string; quantity: number }>): string {
  return `采购入库 ${receiptNo}: ${lines.map((l) => `${l.sku}×${l.quantity}`).join(', ')}`;
}

/**
 * In one transaction, with the PO row locked: every SKU whose JD received quantity exceeds what is
 * booked becomes a line of ONE new receipt (seq = receipts + 1), booked into the stock ledger (entry =
 * seq) with a 'receipt' log line carrying the PO remark. Always: each line's short/defective/excess as
 * JD reports them, JD's status, and `status` (a PO that has ended keeps its end: only a stale report can
 * disagree with it); `closed_short` when RECEIVED with a line below its ordered quantity.
 *
 * A quantity JD lowered books nothing (stock is not taken back on JD's word alone) and is logged once
 * per distinct report ('jd_received_decreased'); so are goods JD received that the PO does not order
 * ('jd_unexpected_goods'). Refuses (ConflictError) a PO no longer at `revision` (`revision-superseded`)
 * and a report about another JD PO (`jd-number-mismatch`).
 */
export async function bookPurchaseReceipts(
  db: Knex,
  input: { poNo: string; revision: number; progress: JdReceiptProgress; status: PurchaseOrderStatus; seenReceipts: number },
): Promise<PurchaseReceiptBookingResult> {
  const { poNo, revision, progress } = input;
  return db.transaction(async (trx) => {
    const po = await trx('purchase_orders').where({ po_no: poNo }).forUpdate().first();
    if (!po) throw new NotFoundError(`No purchase order "${poNo}"`, 'not-found');
    if (po.push_revision !== revision) {
      throw new ConflictError(`Purchase order ${poNo} is no longer at push revision ${revision}; this run's receipts are not booked`, 'revision-superseded');
    }
    if (po.status === 'NOT_PUSHED') throw new ConflictError(`Purchase order ${poNo} was never pushed to JD; JD's receipts are not booked`, 'not-pushed');
    if (po.po_order_no !== null && po.po_order_no !== progress.poOrderNo) {
      throw new ConflictError(`Purchase order ${poNo} is JD's ${po.po_order_no}, not ${progress.poOrderNo}; that report is not booked here`, 'jd-number-mismatch');
    }
    const stale = PURCHASE_ORDER_FINAL.has(po.status) && po.status !== input.status;
    const status = stale ? po.status : input.status;

    const reported = new Map<string, JdReceiptProgress['lines'][number]>();
    for (const line of progress.lines) {
      const seen = reported.get(line.sku);
      // JD reports a goods once per PO line; one SKU per PO line here, so a repeat is summed like JD's batches.
      reported.set(line.sku, seen ? { sku: line.sku, receivedQty: seen.receivedQty + line.receivedQty, shortQty: seen.shortQty + line.shortQty, defectiveQty: seen.defectiveQty + line.defectiveQty, excessQty: seen.excessQty + line.excessQty } : line);
    }
    const lines = await trx('purchase_order_lines').where({ po_no: poNo }).orderBy('line_no');
    const increases: Array<{ sku: string; quantity: number }> = [];
    const decreases: Array<{ sku: string; booked: number; jdReports: number }> = [];
    const updated = lines.map((line) => {
      const jd = reported.get(line.sku);
      if (!jd) return line;
      const delta = jd.receivedQty - line.received_quantity;
      if (delta > 0) increases.push({ sku: line.sku, quantity: delta });
      if (delta < 0) decreases.push({ sku: line.sku, booked: line.received_quantity, jdReports: jd.receivedQty });
      const received = Math.max(line.received_quantity, jd.receivedQty);
      return {
        ...line,
        received_quantity: received,
        short_quantity: jd.shortQty,
        defective_quantity: jd.defectiveQty,
        // JD's word, but never less than what arrived beyond the order.
        excess_quantity: Math.max(jd.excessQty, received - line.quantity, 0),
      };
    });
    for (const [i, line] of updated.entries()) {
      const before = lines[i]!;
      if (line === before) continue;
      await trx('purchase_order_lines')
        .where({ po_no: poNo, line_no: line.line_no })
        .update({ received_quantity: line.received_quantity, short_quantity: line.short_quantity, defective_quantity: line.defective_quantity, excess_quantity: line.excess_quantity });
    }

    increases.sort(bySku);
    let receipts = po.receipts;
    const bookedNow = increases.reduce((sum, l) => sum + l.quantity, 0);
    if (increases.length > 0) {
      receipts += 1;
      const receiptNo = receiptNoOf(poNo, receipts);
      await trx('purchase_receipts').insert({
        receipt_no: receiptNo,
        po_no: poNo,
        seq: receipts,
        push_revision: revision,
        po_order_no: progress.poOrderNo,
        warehouse_code: po.warehouse_code,
        jd_status: progress.jdStatus,
      });
      await trx('purchase_receipt_lines').insert(increases.map((l) => ({ receipt_no: receiptNo, ...l })));
      await bookInbound(trx, { warehouseCode: po.warehouse_code, docType: 'PO', docNo: poNo, docRevision: revision, entryNo: receipts, lines: increases });
      await writeOperationLog(trx, {
        docType: PURCHASE_ORDER_DOC_TYPE,
        docKey: poNo,
        action: 'receipt',
        actorRole: 'system',
        detail: { pushRevision: revision, receiptNo, seq: receipts, poOrderNo: progress.poOrderNo, jdStatus: progress.jdStatus, lines: increases, remark: receiptRemark(receiptNo, increases) },
      });
    }
    if (decreases.length > 0 && !stale) {
      await writeOperationLogOnce(trx, {
        docType: PURCHASE_ORDER_DOC_TYPE,
        docKey: poNo,
        action: 'jd_received_decreased',
        actorRole: 'system',
        detail: { pushRevision: revision, poOrderNo: progress.poOrderNo, jdStatus: progress.jdStatus, lines: decreases },
        // Once per distinct report, whichever run or attempt sees it.
        idempotencyKey: `PO:${poNo}:${revision}:jd_received_decreased:${decreases.map((d) => `${d.sku}=${d.jdReports}<${d.booked}`).join(',')}`,
      });
    }
    const unexpected = [...reported.values()].filter((jd) => !lines.some((line) => line.sku === jd.sku) && jd.receivedQty > 0);
    if (unexpected.length > 0 && !stale) {
      // Goods JD received that the PO does not order: not stock of this PO; the operator sorts it out with JD.
      const goods = unexpected.map((jd) => ({ sku: jd.sku, jdReports: jd.receivedQty }));
      await writeOperationLogOnce(trx, {
        docType: PURCHASE_ORDER_DOC_TYPE,
        docKey: poNo,
        action: 'jd_unexpected_goods',
        actorRole: 'system',
        detail: { pushRevision: revision, poOrderNo: progress.poOrderNo, jdStatus: progress.jdStatus, goods },
        idempotencyKey: `PO:${poNo}:${revision}:jd_unexpected_goods:${goods.map((g) => `${g.sku}=${g.jdReports}`).join(',')}`,
      });
    }
    const closedShort = status === 'RECEIVED' && updated.some(isShort);
    await trx('purchase_orders')
      .where({ po_no: poNo })
      .update({
        receipts,
        received_total: po.received_total + bookedNow,
        jd_status: progress.jdStatus,
        closed_short: closedShort,
        ...(status !== po.status && { status, status_since: trx.fn.now() }),
        updated_at: trx.fn.now(),
      });
    return { receipts: await receiptsAfter(trx, poNo, input.seenReceipts), totalReceipts: receipts, receivedTotal: po.received_total + bookedNow };
  });
}

async function receiptsAfter(db: Knex | Knex.Transaction, poNo: string, seq: number): Promise<PurchaseReceiptRecord[]> {
  const rows = await db('purchase_receipts').where({ po_no: poNo }).where('seq', '>', seq).orderBy('seq');
  if (rows.length === 0) return [];
  const lines = (await db('purchase_receipt_lines').whereIn('receipt_no', rows.map((r) => r.receipt_no))).sort(bySku);
  return rows.map((row) => toPurchaseReceipt(row, lines));
}

export function listPurchaseReceipts(db: Knex | Knex.Transaction, poNo: string): Promise<PurchaseReceiptRecord[]> {
  return receiptsAfter(db, poNo, 0);
}
