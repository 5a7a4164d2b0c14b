// Return drafts (草稿, issue 12 §5): when JD refused a buyer refund because picking had begun and the order
// then ships, a return is drafted in the shipment's own transaction — type RETURN, the order's shipped
// lines, the refund's reason, linked to the order and the refused request — and waits for an operator to
// confirm it (POST /v1/returns/{returnNo}/confirm), which checks it like a created return and pushes it.
import type { Knex } from 'knex';
import { refundReturnDraftNoOf, type ReturnBody } from '../../domain/return-order';
import { bodyHash } from '../body-hash';
import { writeOperationLog } from '../operation-log';
import { RETURN_DOC_TYPE } from './records';


/**
 * Drafts the return of a shipped order whose refund JD refused at this push revision; nothing when there
 * is no such refund or nothing shipped. Deterministic (the number derives from the order, the link is
 * unique): a retried shipment booking drafts it once. Answers the draft's number when one exists.
 */
export async function draftReturnForRefusedRefund(
  trx: Knex.Transaction,
  shipped: { orderNo: string; revision: number; warehouseCode: string; lines: ReadonlyArray<{ sku: string; quantity: number }> },
): Promise<string | undefined> {
  const refund = await trx('cancel_requests')
    .where({ order_no: shipped.orderNo, push_revision: shipped.revision, kind: 'buyerRefund', verdict: 'REFUSED_BY_JD' })
    .orderBy([{ column: 'decided_at', order: 'desc' }, { column: 'request_id' }])
    .first();
  if (!refund) return undefined;
  const existing = await trx('returns').where({ cancel_request_id: refund.request_id }).first();
  if (existing) return existing.return_no;
  const lines = shipped.lines.filter((line) => line.quantity > 0);
  if (lines.length === 0) return undefined;
  const returnNo = refundReturnDraftNoOf(shipped.orderNo);
  const body: ReturnBody = { returnNo, orderNo: shipped.orderNo, type: 'RETURN', warehouseCode: shipped.warehouseCode, reason: refund.reason, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) };
  const inserted = await trx('returns')
    .insert({
      return_no: returnNo,
      order_no: shipped.orderNo,
      type: 'RETURN',
      warehouse_code: shipped.warehouseCode,
      reason: refund.reason,
      body_hash: bodyHash(body),
      status: 'DRAFT',
      cancel_request_id: refund.request_id,
    })
    .onConflict('return_no')
    .ignore()
    .returning('return_no');
  const draft = { returnNo, cancelRequestId: refund.request_id };
  if (inserted.length === 0) {
    // The ERP had created a return under that very number itself: no draft, the order's log says why.
    await writeOperationLog(trx, { docType: 'sales_order', docKey: shipped.orderNo, action: 'return_draft_skipped', actorRole: 'system', detail: { ...draft, why: 'return-number-taken' } });
    return undefined;
  }
  await trx('return_lines').insert(body.lines.map((line, i) => ({ return_no: returnNo, line_no: i + 1, sku: line.sku, quantity: line.quantity })));
  await writeOperationLog(trx, {
    docType: RETURN_DOC_TYPE,
    docKey: returnNo,
    action: 'created',
    actorRole: 'system',
    detail: { type: 'RETURN', orderNo: shipped.orderNo, warehouseCode: shipped.warehouseCode, lines: body.lines, status: 'DRAFT', draftFor: 'refund-refused-by-jd', cancelRequestId: refund.request_id },
  });
  await writeOperationLog(trx, { docType: 'sales_order', docKey: shipped.orderNo, action: 'return_drafted', actorRole: 'system', detail: { ...draft, pushRevision: shipped.revision } });
  return returnNo;
}
