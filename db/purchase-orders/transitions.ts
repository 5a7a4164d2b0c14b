// The purchase order's status transitions written by its saga, each in one transaction with its
// operation-log line (db/document-transition.ts); the activity's idempotency key makes a retried
// activity change nothing twice. Receipts are receipts.ts, request verdicts requests.ts.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { PurchaseOrderFailureStage } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { documentTransition, recordDocumentEvent, type DocumentTable, type DocumentTransition } from '../document-transition';
import { writeOperationLog } from '../operation-log';
import { PURCHASE_ORDER_DOC_TYPE } from './records';

export const PURCHASE_ORDERS: DocumentTable = { table: 'purchase_orders', key: 'po_no', docType: PURCHASE_ORDER_DOC_TYPE, noun: 'Purchase order' };

function transition(t: DocumentTransition<PurchaseOrderStatus>) {
  return (trx: Knex.Transaction) => documentTransition(trx, PURCHASE_ORDERS, t);
}

/** JD holds the PO: WAITING_INBOUND with JD's number (pushed, or linked by an operator from PUSH_UNCONFIRMED). */
export async function recordPurchaseOrderPushed(
  db: Knex,
  input: { poNo: string; revision: number; poOrderNo: string; spPoOrderNo: string; jdWarehouseNo: string; recovered: boolean; linked?: boolean; idempotencyKey: string },
): Promise<void> {
  await db.transaction(
    transition({
      docNo: input.poNo,
      revision: input.revision,
      from: input.linked ? ['PUSH_UNCONFIRMED'] : ['PUSHING'],
      to: 'WAITING_INBOUND',
      set: { po_order_no: input.poOrderNo, sp_po_order_no: input.spPoOrderNo, jd_warehouse_no: input.jdWarehouseNo, failure_reason: null, failure_stage: null },
      action: input.linked ? 'linked' : 'pushed',
      detail: {
        poOrderNo: input.poOrderNo,
        spPoOrderNo: input.spPoOrderNo,
        jdWarehouseNo: input.jdWarehouseNo,
        ...(input.recovered && !input.linked && { recoveredAfterAmbiguousFailure: true }),
      },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

const FAILURE_ACTIONS: Record<PurchaseOrderFailureStage, string> = {
  preflight: 'preflight_failed',
  goods_sync: 'goods_sync_failed',
  push_rejected: 'push_rejected',
};

/** FAILED with the reason and where it stopped; JD holds nothing of this revision. */
export async function recordPurchaseOrderFailed(
  db: Knex,
  input: { poNo: string; revision: number; reason: string; stage: PurchaseOrderFailureStage; jdCode?: string; sku?: string; idempotencyKey: string },
): Promise<void> {
  await db.transaction(
    transition({
      docNo: input.poNo,
      revision: input.revision,
      from: ['PUSHING'],
      to: 'FAILED',
      set: { failure_reason: input.reason, failure_stage: input.stage },
      action: FAILURE_ACTIONS[input.stage],
      detail: { reason: input.reason, stage: input.stage, ...(input.jdCode !== undefined && { jdCode: input.jdCode }), ...(input.sku !== undefined && { sku: input.sku }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

/** JD says it already holds our number: PUSH_UNCONFIRMED until an operator links or repushes. */
export async function recordPurchaseOrderUnconfirmed(db: Knex, input: { poNo: string; revision: number; spPoOrderNo: string; jdMessage: string; idempotencyKey: string }): Promise<void> {
  await db.transaction(
    transition({
      docNo: input.poNo,
      revision: input.revision,
      from: ['PUSHING'],
      to: 'PUSH_UNCONFIRMED',
      set: { sp_po_order_no: input.spPoOrderNo },
      action: 'push_unconfirmed',
      detail: { spPoOrderNo: input.spPoOrderNo, jdMessage: input.jdMessage },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

/** The statuses a repush starts from (PUSHING: the run recorded its REPUSHED verdict first). */
const REPUSHABLE: readonly PurchaseOrderStatus[] = ['FAILED', 'PUSH_UNCONFIRMED', 'PUSHING'];

/**
 * PUSHING under `toRevision` (a new spPoOrderNo), the failure and the old number cleared. Compare-and-set
 * on the revision: a PO already at `toRevision` is left as it is (a retry), one at any revision but
 * `fromRevision` is refused (ConflictError `revision-superseded`).
 */
export async function recordPurchaseOrderRepush(db: Knex, input: { poNo: string; fromRevision: number; toRevision: number; actorRole?: 'system' | 'operator' }): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await trx('purchase_orders').where({ po_no: input.poNo }).forUpdate().first();
    if (!row) throw new NotFoundError(`No purchase order "${input.poNo}"`, 'not-found');
    if (row.push_revision === input.toRevision) return;
    if (row.push_revision !== input.fromRevision) {
      throw new ConflictError(`Purchase order ${input.poNo} is at push revision ${row.push_revision}, not ${input.fromRevision}; this run's repush is not recorded`, 'revision-superseded');
    }
    if (!REPUSHABLE.includes(row.status)) {
      throw new ConflictError(`Purchase order ${input.poNo} is ${row.status}, not ${REPUSHABLE.join(' or ')}; this run's repush is not recorded`, 'status-moved-on');
    }
    await trx('purchase_orders')
      .where({ po_no: input.poNo })
      .update({
        push_revision: input.toRevision,
        status: 'PUSHING',
        status_since: trx.fn.now(),
        sp_po_order_no: null,
        po_order_no: null,
        failure_reason: null,
        failure_stage: null,
        updated_at: trx.fn.now(),
      });
    await writeOperationLog(trx, {
      docType: PURCHASE_ORDER_DOC_TYPE,
      docKey: input.poNo,
      // The operator's repush line (the request's verdict, with the status it was in) comes first; this
      // one says what the system did about it.
      action: 'push_revision_raised',
      actorRole: input.actorRole ?? 'system',
      detail: { fromRevision: input.fromRevision, pushRevision: input.toRevision, previousSpPoOrderNo: row.sp_po_order_no },
    });
  });
}

/** A log line that changes no status (overdue at JD, webhook given up, serials not uploaded, …). */
export async function recordPurchaseOrderEvent(
  db: Knex,
  { poNo, ...input }: { poNo: string; revision: number; action: string; detail: Record<string, unknown>; idempotencyKey: string },
): Promise<void> {
  await recordDocumentEvent(db, PURCHASE_ORDERS, { docNo: poNo, ...input });
}
