// Attention items of the three document sagas, read from their own tables: pushes that failed, POs JD
// may or may not hold, returns the warehouse refused or that left an exchange to a human, documents JD
// has had for longer than their kind's expected wait, and ERP webhooks whose retries ran out.
import type { AttentionItem, AttentionSource } from './types';

const iso = (value: Date | string) => new Date(value).toISOString();

/** Statuses in which JD (or the push to it) has the document and nothing is asked of a human yet. */
const WAITING = {
  SO: ['PUSHING', 'WMS_PICKING'],
  PO: ['PUSHING', 'WAITING_INBOUND', 'PARTIALLY_RECEIVED'],
  RTN: ['PUSHING', 'WAITING_INBOUND'],
} as const;

interface DocumentRow {
  no: string;
  status: string;
  status_since: Date;
  workflow_id: string | null;
  warehouse_code: string;
  failure_reason: string | null;
}

export const failedPushAttention: AttentionSource = async (db) => {
  const [orders, pos, returns] = await Promise.all([
    db<DocumentRow>('sales_orders').select({ no: 'order_no' }, 'status', 'status_since', 'workflow_id', 'warehouse_code', 'failure_reason').where({ status: 'FAILED' }),
    db<DocumentRow>('purchase_orders').select({ no: 'po_no' }, 'status', 'status_since', 'workflow_id', 'warehouse_code', 'failure_reason').where({ status: 'FAILED' }),
    db<DocumentRow & { type: string; replacement_order_no: string | null }>('returns')
      .select({ no: 'return_no' }, 'status', 'status_since', 'workflow_id', 'warehouse_code', 'failure_reason', 'type', 'replacement_order_no')
      .where({ status: 'FAILED' }),
  ]);
  const item = (subject: 'SO' | 'PO' | 'RTN', href: string, nextAction: string) => (row: DocumentRow): AttentionItem => ({
    kind: 'push_failed',
    subject,
    documentNo: row.no,
    why: row.failure_reason ?? 'the push failed',
    since: iso(row.status_since),
    nextAction,
    href: `${href}/${encodeURIComponent(row.no)}`,
    ...(row.workflow_id && { workflowId: row.workflow_id }),
    warehouseCode: row.warehouse_code,
  });
  return [
    ...orders.map((row) =>
      item('SO', '/v1/sales-orders', `fix what the reason names, then POST /v1/sales-orders/${row.no}/send-back (back to review, then approve again) or /refund to cancel`)(row),
    ),
    ...pos.map((row) => item('PO', '/v1/purchase-orders', `fix what the reason names, then POST /v1/purchase-orders/${row.no}/repush, or /cancel`)(row)),
    ...returns.map((row) =>
      row.type === 'EXCHANGE'
        ? {
            ...item('RTN', '/v1/returns', `fix what the reason names and create the exchange again, or POST /v1/returns/${row.no}/cancel, which also cancels the replacement order ${row.replacement_order_no ?? ''} while it is in review`.trim())(row),
            kind: 'exchange_return_failed',
          }
        : item('RTN', '/v1/returns', `fix what the reason names and create the return again under a new number, or POST /v1/returns/${row.no}/cancel`)(row),
    ),
  ];
};

export const unconfirmedPurchaseOrderAttention: AttentionSource = async (db) => {
  const rows = await db<DocumentRow & { sp_po_order_no: string | null }>('purchase_orders')
    .select({ no: 'po_no' }, 'status', 'status_since', 'workflow_id', 'warehouse_code', 'failure_reason', 'sp_po_order_no')
    .where({ status: 'PUSH_UNCONFIRMED' });
  return rows.map((row) => ({
    kind: 'push_unconfirmed',
    subject: 'PO',
    documentNo: row.no,
    why: `JD answered "already exists" for ${row.sp_po_order_no ?? 'the push'} after an unanswered attempt: JD may or may not hold this PO`,
    since: iso(row.status_since),
    nextAction: `find the PO in JD's console; POST /v1/purchase-orders/${row.no}/link {"poOrderNo":"EPL…"} if JD has it, else /repush`,
    href: `/v1/purchase-orders/${encodeURIComponent(row.no)}`,
    ...(row.workflow_id && { workflowId: row.workflow_id }),
    warehouseCode: row.warehouse_code,
  }));
};

export const returnAttention: AttentionSource = async (db) => {
  const rows = await db('returns')
    .select('return_no', 'order_no', 'status', 'status_since', 'workflow_id', 'warehouse_code', 'reject_reason', 'attention', 'attention_since', 'type')
    .where({ status: 'REJECTED' })
    .orWhereNotNull('attention');
  const items: AttentionItem[] = [];
  for (const row of rows) {
    const common = {
      subject: 'RTN' as const,
      documentNo: row.return_no as string,
      href: `/v1/returns/${encodeURIComponent(row.return_no)}`,
      ...(row.workflow_id && { workflowId: row.workflow_id as string }),
      warehouseCode: row.warehouse_code as string,
    };
    if (row.status === 'REJECTED') {
      items.push({
        ...common,
        kind: 'return_rejected',
        why: `the warehouse refused the returned parcel${row.reject_reason ? `: ${row.reject_reason}` : ''}`,
        since: iso(row.status_since),
        nextAction: `settle with the buyer of order ${row.order_no} (the parcel goes back to them); acknowledge with POST /v1/attention/acknowledge`,
      });
    }
    if (row.attention) {
      items.push({
        ...common,
        kind: row.type === 'EXCHANGE' ? 'exchange_needs_decision' : 'return_needs_decision',
        why: row.attention as string,
        since: iso(row.attention_since ?? row.status_since),
        nextAction: 'decide with the buyer (recover the replacement or refund it), then POST /v1/attention/acknowledge',
      });
    }
  }
  return items;
};

/** Longer at JD than the kind's expected wait, or still PUSHING (no run carries it: Temporal was down at the create). */
export const overdueAttention: AttentionSource = async (db, { now, waitingThresholdMs, pushingThresholdMs }) => {
  const since = (ms: number) => new Date(now.getTime() - ms);
  const query = (table: string, key: string, subject: 'SO' | 'PO' | 'RTN', statuses: readonly string[]) =>
    db<DocumentRow>(table)
      .select({ no: key }, 'status', 'status_since', 'workflow_id', 'warehouse_code', 'failure_reason')
      .where((q) => {
        q.where('status', 'PUSHING').andWhere('status_since', '<', since(pushingThresholdMs));
        q.orWhere((inner) => inner.whereIn('status', statuses.filter((s) => s !== 'PUSHING')).andWhere('status_since', '<', since(waitingThresholdMs[subject])));
      })
      .then((rows) => rows.map((row) => ({ row, subject })));
  const rows = (
    await Promise.all([
      query('sales_orders', 'order_no', 'SO', WAITING.SO),
      query('purchase_orders', 'po_no', 'PO', WAITING.PO),
      query('returns', 'return_no', 'RTN', WAITING.RTN),
    ])
  ).flat();
  const path = { SO: '/v1/sales-orders', PO: '/v1/purchase-orders', RTN: '/v1/returns' };
  return rows.map(({ row, subject }): AttentionItem => {
    const pushing = row.status === 'PUSHING';
    const hours = Math.round((now.getTime() - new Date(row.status_since).getTime()) / 3_600_000);
    return {
      kind: pushing ? 'push_stuck' : 'waiting_for_jd',
      subject,
      documentNo: row.no,
      why: pushing
        ? `in PUSHING since ${iso(row.status_since)}: the push has not resolved (no run was started if Temporal was down when the document was created)`
        : `JD has had it in ${row.status} for ${hours} h, longer than expected`,
      since: iso(row.status_since),
      nextAction: pushing
        ? `open the workflow; if none runs, repeat the create call (idempotent) so a run starts`
        : `ask the warehouse about it; GET ${path[subject]}/${row.no} shows JD's last status`,
      href: `${path[subject]}/${encodeURIComponent(row.no)}`,
      ...(row.workflow_id && { workflowId: row.workflow_id }),
      warehouseCode: row.warehouse_code,
    };
  });
};

export const webhookAttention: AttentionSource = async (db) => {
  const rows = await db('webhook_deliveries').select('event_id', 'event_type', 'doc_type', 'doc_key', 'last_error', 'last_http_status', 'failed_at', 'updated_at').where({ status: 'failed' });
  return rows.map((row) => ({
    kind: 'webhook_gave_up',
    subject: 'WEBHOOK',
    documentNo: row.event_id as string,
    why: `${row.event_type} for ${row.doc_type} ${row.doc_key} was not accepted by the ERP${row.last_http_status ? ` (HTTP ${row.last_http_status})` : ''}${row.last_error ? `: ${String(row.last_error).slice(0, 200)}` : ''}`,
    since: iso(row.failed_at ?? row.updated_at),
    nextAction: `fix the receiver, then POST /v1/webhooks/${row.event_id}/redeliver`,
    href: `/v1/webhooks/${encodeURIComponent(row.event_id)}`,
  }));
};
