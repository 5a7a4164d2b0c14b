// The sales-return receipt (销售退货单): JD's completion of a return becomes ONE receipt that raises stock
// by what the warehouse put away. The receipt's number is the return's (`{returnNo}-R`) and unique per
// return, and it is written under the return's row lock: a repeated report, two attempts at once, or a
// retry after a commit whose answer was lost all find the receipt and book nothing more.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { returnReceiptNoOf } from '../../domain/return-order';
import { writeOperationLog } from '../operation-log';
import { bookInbound } from '../stock-ledger';
import { getReturn } from './find';
import { RETURN_DOC_TYPE, toSalesReturnReceipt, type ReturnRecord, type SalesReturnReceiptRecord } from './records';

/** JD's completed return as the poll reports it: per SKU (JD's lines of one goods summed). */
export interface JdReceivedReturn {
  eclpRtwNo?: string;
  jdStatus: string;
  finishedAt?: string;
  lines: ReadonlyArray<{ sku: string; goodsNo?: string; receivedQty: number; goodsLevel?: string }>;
}

export interface ReturnReceiptBooking {
  receipt: SalesReturnReceiptRecord;
  /** The return as it is after the booking (lines with received quantity and goods level). */
  ret: ReturnRecord;
  /** False when an earlier attempt had booked it (the same receipt is answered). */
  bookedNow: boolean;
}

/** The operation-log remark of a receipt: `销售退货入库 R1-R: TEA×3, CUP×1; 短少 CUP×1`. */
export function returnReceiptRemark(receiptNo: string, lines: ReadonlyArray<{ sku: string; quantity: number; receivedQuantity: number }>): string {
  const received = lines.filter((l) => l.receivedQuantity > 0).map((l) => `${l.sku}×${l.receivedQuantity}`);
  const short = lines.filter((l) => l.receivedQuantity < l.quantity).map((l) => `${l.sku}×${l.quantity - l.receivedQuantity}`);
  return `销售退货入库 ${receiptNo}: ${received.length > 0 ? received.join(', ') : '无'}${short.length > 0 ? `; 短少 ${short.join(', ')}` : ''}`;
}

/**
 * In one transaction with the return's row locked: the receipt with one line per return line (JD's
 * received quantity of the SKU, 0 when JD reports none, and its goods level), the return lines' received
 * quantity and goods level, the stock ledger raised by what JD received (doc 'RTN', the push revision),
 * RECEIVED with JD's status, and a 'received' log line with the remark. JD goods the return does not
 * list are logged, not booked. A return that already has its receipt answers it unchanged.
 *
 * Refuses (ConflictError) a return no longer at `revision` (`revision-superseded`), one that is not
 * WAITING_INBOUND (`status-moved-on`), and a report about another JD return (`jd-number-mismatch`).
 */
export async function bookReturnReceived(db: Knex, input: { returnNo: string; revision: number; outcome: JdReceivedReturn }): Promise<ReturnReceiptBooking> {
  const { returnNo, revision, outcome } = input;
  const bookedNow = await db.transaction(async (trx) => {
    const row = await trx('returns').where({ return_no: returnNo }).forUpdate().first();
    if (!row) throw new NotFoundError(`No return "${returnNo}"`, 'not-found');
    if (row.push_revision !== revision) {
      throw new ConflictError(`Return ${returnNo} is no longer at push revision ${revision}; this run's receipt is not booked`, 'revision-superseded');
    }
    if (await trx('sales_return_receipts').where({ return_no: returnNo }).first()) return false;
    if (row.status !== 'WAITING_INBOUND' || row.eclp_rtw_no === null) {
      throw new ConflictError(`Return ${returnNo} is ${row.status}, not WAITING_INBOUND at JD; JD's receipt is not booked`, 'status-moved-on');
    }
    if (outcome.eclpRtwNo !== undefined && outcome.eclpRtwNo !== row.eclp_rtw_no) {
      throw new ConflictError(`Return ${returnNo} is JD's ${row.eclp_rtw_no}, not ${outcome.eclpRtwNo}; that report is not booked here`, 'jd-number-mismatch');
    }

    const returnLines = await trx('return_lines').where({ return_no: returnNo }).orderBy('line_no');
    const goods = await trx('goods').whereIn('sku', returnLines.map((l) => l.sku)).select('sku', 'jd_goods_no');
    const goodsNoOf = new Map(goods.map((g) => [g.sku, g.jd_goods_no]));
    const matched = new Set<number>();
    const lines = returnLines.map((line) => {
      const goodsNo = goodsNoOf.get(line.sku);
      const reported = outcome.lines.flatMap((jd, i) => (jd.sku === line.sku || (goodsNo != null && jd.goodsNo === goodsNo) ? [[i, jd] as const] : []));
      for (const [i] of reported) matched.add(i);
      const level = reported.map(([, jd]) => jd.goodsLevel).find((l) => l !== undefined);
      return {
        lineNo: line.line_no,
        sku: line.sku,
        quantity: line.quantity,
        receivedQuantity: reported.reduce((sum, [, jd]) => sum + Math.max(jd.receivedQty, 0), 0),
        goodsLevel: level ?? null,
      };
    });
    const unexpected = outcome.lines.filter((jd, i) => !matched.has(i) && jd.receivedQty > 0);

    const receiptNo = returnReceiptNoOf(returnNo);
    await trx('sales_return_receipts').insert({
      receipt_no: receiptNo,
      return_no: returnNo,
      push_revision: revision,
      eclp_rtw_no: row.eclp_rtw_no,
      warehouse_code: row.warehouse_code,
      jd_status: outcome.jdStatus,
    });
    await trx('sales_return_receipt_lines').insert(lines.map((l) => ({ receipt_no: receiptNo, sku: l.sku, quantity: l.receivedQuantity, goods_level: l.goodsLevel })));
    for (const l of lines) {
      await trx('return_lines').where({ return_no: returnNo, line_no: l.lineNo }).update({ received_quantity: l.receivedQuantity, goods_level: l.goodsLevel });
    }
    await bookInbound(trx, {
      warehouseCode: row.warehouse_code,
      docType: 'RTN',
      docNo: returnNo,
      docRevision: revision,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.receivedQuantity })),
    });
    await trx('returns').where({ return_no: returnNo }).update({ status: 'RECEIVED', status_since: trx.fn.now(), jd_status: outcome.jdStatus, updated_at: trx.fn.now() });
    const short = lines.filter((l) => l.receivedQuantity < l.quantity).map((l) => ({ sku: l.sku, quantity: l.quantity, receivedQuantity: l.receivedQuantity }));
    await writeOperationLog(trx, {
      docType: RETURN_DOC_TYPE,
      docKey: returnNo,
      action: 'received',
      actorRole: 'system',
      detail: {
        pushRevision: revision,
        receiptNo,
        eclpRtwNo: row.eclp_rtw_no,
        jdStatus: outcome.jdStatus,
        ...(outcome.finishedAt !== undefined && { finishedAt: outcome.finishedAt }),
        lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, receivedQuantity: l.receivedQuantity, ...(l.goodsLevel !== null && { goodsLevel: l.goodsLevel }) })),
        ...(short.length > 0 && { short }),
        remark: returnReceiptRemark(receiptNo, lines),
      },
    });
    if (unexpected.length > 0) {
      // Goods JD received that the return does not list: not this return's stock; the operator sorts it out with JD.
      await writeOperationLog(trx, {
        docType: RETURN_DOC_TYPE,
        docKey: returnNo,
        action: 'jd_unexpected_goods',
        actorRole: 'system',
        detail: { pushRevision: revision, eclpRtwNo: row.eclp_rtw_no, goods: unexpected.map((jd) => ({ sku: jd.sku, goodsNo: jd.goodsNo, jdReports: jd.receivedQty })) },
      });
    }
    return true;
  });
  const [receipt, ret] = await Promise.all([getReturnReceipt(db, returnNo), getReturn(db, returnNo)]);
  return { receipt: receipt!, ret, bookedNow };
}

export async function getReturnReceipt(db: Knex | Knex.Transaction, returnNo: string): Promise<SalesReturnReceiptRecord | undefined> {
  const row = await db('sales_return_receipts').where({ return_no: returnNo }).first();
  if (!row) return undefined;
  const lines = await db('sales_return_receipt_lines').where({ receipt_no: row.receipt_no });
  // In the return's line order, whatever the database's collation.
  const order = (await db('return_lines').where({ return_no: returnNo }).select('sku', 'line_no')).reduce((m, l) => m.set(l.sku, l.line_no), new Map<string, number>());
  lines.sort((a, b) => (order.get(a.sku) ?? Infinity) - (order.get(b.sku) ?? Infinity));
  return toSalesReturnReceipt(row, lines);
}
