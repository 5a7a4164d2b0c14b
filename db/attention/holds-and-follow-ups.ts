// The attention list's items of holds (挂起) and of cancels JD refused (issue 12 §4–5):
// - cancel_refused: an order still at JD (WMS配货) after JD refused a send-back, refund or hold of its
//   current push: it will ship; since = the refusal, with JD's words;
// - return_draft: a return drafted when such an order shipped after a refused refund, waiting for an
//   operator to confirm it;
// - hold_expired: a held order past its `until` (holds are never released automatically).
import type { Knex } from 'knex';
import type { CancelKind } from '../../domain/sales-order';
import type { AttentionItem, AttentionSource } from './types';

const KIND_WORDS: Record<CancelKind, string> = { sendBack: 'send-back (打回审核)', buyerRefund: 'refund', hold: 'hold (挂起)' };


interface RefusedRow {
  order_no: string;
  workflow_id: string | null;
  warehouse_code: string;
  request_id: string;
  kind: CancelKind;
  reason: string;
  jd_message: string | null;
  decided_at: Date;
}

async function refusedCancels(db: Knex): Promise<AttentionItem[]> {
  // The latest refusal per order, of its current push, while JD still has the order.
  const rows = await db
    .select<RefusedRow[]>('o.order_no', 'o.workflow_id', 'o.warehouse_code', 'c.request_id', 'c.kind', 'c.reason', 'c.jd_message', 'c.decided_at')
    .from('sales_orders as o')
    .join('cancel_requests as c', function joinRefusals() {
      this.on('c.order_no', '=', 'o.order_no').andOn('c.push_revision', '=', 'o.push_revision');
    })
    .where('o.status', 'WMS_PICKING')
    .where('c.verdict', 'REFUSED_BY_JD')
    // A go-live test order is listed as go_live_order_will_ship (db/attention/go-live-checks.ts), louder.
    .whereNull('o.go_live_check_id')
    .orderBy([{ column: 'o.order_no' }, { column: 'c.decided_at', order: 'desc' }]);
  const latest = new Map<string, RefusedRow>();
  for (const row of rows) if (!latest.has(row.order_no)) latest.set(row.order_no, row);
  return [...latest.values()].map((row) => ({
    kind: 'cancel_refused',
    subject: 'SO',
    documentNo: row.order_no,
    why: `JD refused the ${KIND_WORDS[row.kind]} (${row.jd_message ?? 'no reason given'}): picking had begun, the order will ship`,
    since: row.decided_at.toISOString(),
    nextAction:
      row.kind === 'buyerRefund'
        ? 'Nothing to do until it ships: a return draft is then created; confirm it with POST /v1/returns/{returnNo}/confirm'
        : `Tell the buyer; once shipped, create a return (POST /v1/returns) if the goods must come back`,
    href: `/v1/sales-orders/${row.order_no}`,
    ...(row.workflow_id !== null && { workflowId: row.workflow_id }),
    warehouseCode: row.warehouse_code,
  }));
}

async function returnDrafts(db: Knex): Promise<AttentionItem[]> {
  const rows = await db<{ return_no: string; order_no: string; warehouse_code: string; reason: string; status: string; created_at: Date; cancel_request_id: string | null }>('returns')
    .where({ status: 'DRAFT' })
    .select('return_no', 'order_no', 'warehouse_code', 'reason', 'created_at')
    .orderBy('created_at');
  return rows.map((row) => ({
    kind: 'return_draft',
    subject: 'RTN',
    documentNo: row.return_no,
    why: `Sales order ${row.order_no} shipped although the buyer was refunded (refund reason: ${row.reason}) — JD had refused to cancel it; its return is drafted and waits for confirmation`,
    since: row.created_at.toISOString(),
    nextAction: `POST /v1/returns/${row.return_no}/confirm`,
    href: `/v1/returns/${row.return_no}`,
    warehouseCode: row.warehouse_code,
  }));
}

async function expiredHolds(db: Knex, now: Date): Promise<AttentionItem[]> {
  const rows = await db<{ order_no: string; status: string; workflow_id: string | null; warehouse_code: string; hold_reason: string | null; hold_until: Date | null }>('sales_orders')
    .where({ status: 'HELD' })
    .where('hold_until', '<=', now)
    .select('order_no', 'workflow_id', 'warehouse_code', 'hold_reason', 'hold_until')
    .orderBy('hold_until');
  return rows.map((row) => ({
    kind: 'hold_expired',
    subject: 'SO',
    documentNo: row.order_no,
    why: `Held (挂起) until ${row.hold_until!.toISOString()}${row.hold_reason ? ` (${row.hold_reason})` : ''}; that time has passed and holds are never released automatically`,
    since: row.hold_until!.toISOString(),
    nextAction: `POST /v1/sales-orders/${row.order_no}/release, or refund it (POST /v1/sales-orders/${row.order_no}/refund)`,
    href: `/v1/sales-orders/${row.order_no}`,
    ...(row.workflow_id !== null && { workflowId: row.workflow_id }),
    warehouseCode: row.warehouse_code,
  }));
}

export const holdAndFollowUpAttention: AttentionSource = async (db, context) => {
  const [refused, drafts, holds] = await Promise.all([refusedCancels(db), returnDrafts(db), expiredHolds(db, context.now)]);
  return [...refused, ...drafts, ...holds];
};
