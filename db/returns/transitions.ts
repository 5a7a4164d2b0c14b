// The return's status transitions written by its saga, each in one transaction with its operation-log
// line (db/document-transition.ts); the activity's idempotency key makes a retried activity change
// nothing twice. The receipt is receipts.ts, request verdicts requests.ts.
import type { Knex } from 'knex';
import type { ReturnFailureStage } from '../../domain/return-order';
import type { ReturnStatus } from '../../domain/statuses';
import { documentTransition, recordDocumentEvent, type DocumentTable, type DocumentTransition } from '../document-transition';
import { writeOperationLogOnce } from '../operation-log';
import { ConflictError } from '../../domain/errors';
import { RETURN_DOC_TYPE } from './records';

/** Where returns keep their rows and log lines (the shared transition and request code). */
export const RETURNS: DocumentTable = { table: 'returns', key: 'return_no', docType: RETURN_DOC_TYPE, noun: 'Return' };

function transition(t: DocumentTransition<ReturnStatus>) {
  return (trx: Knex.Transaction) => documentTransition(trx, RETURNS, t);
}

/** JD holds the return: WAITING_INBOUND with JD's number and what the push sent. */
export async function recordReturnPushed(
  db: Knex,
  input: { returnNo: string; revision: number; eclpRtwNo: string; isvRtwNum: string; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean; idempotencyKey: string },
): Promise<void> {
  await db.transaction(
    transition({
      docNo: input.returnNo,
      revision: input.revision,
      from: ['PUSHING'],
      to: 'WAITING_INBOUND',
      set: { eclp_rtw_no: input.eclpRtwNo, isv_rtw_num: input.isvRtwNum, eclp_so_no: input.eclpSoNo, jd_warehouse_no: input.jdWarehouseNo, failure_reason: null, failure_stage: null },
      action: 'pushed',
      detail: {
        eclpRtwNo: input.eclpRtwNo,
        isvRtwNum: input.isvRtwNum,
        eclpSoNo: input.eclpSoNo,
        jdWarehouseNo: input.jdWarehouseNo,
        ...(input.recovered && { recoveredAfterAmbiguousFailure: true }),
      },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

const FAILURE_ACTIONS: Record<ReturnFailureStage, string> = { preflight: 'preflight_failed', push_rejected: 'push_rejected' };

/** FAILED with the reason and where it stopped; JD holds nothing of this revision. */
export async function recordReturnFailed(
  db: Knex,
  input: { returnNo: string; revision: number; reason: string; stage: ReturnFailureStage; jdCode?: string; idempotencyKey: string },
): Promise<void> {
  await db.transaction(
    transition({
      docNo: input.returnNo,
      revision: input.revision,
      from: ['PUSHING'],
      to: 'FAILED',
      set: { failure_reason: input.reason, failure_stage: input.stage },
      action: FAILURE_ACTIONS[input.stage],
      detail: { reason: input.reason, stage: input.stage, ...(input.jdCode !== undefined && { jdCode: input.jdCode }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

/** JD ended the return on its own: the warehouse rejected the parcel (500/600) or JD cancelled it (400). */
export async function recordReturnEnded(
  db: Knex,
  input: { returnNo: string; revision: number; status: 'REJECTED' | 'CANCELLED'; jdStatus: string; reason?: string; idempotencyKey: string },
): Promise<void> {
  await db.transaction(
    transition({
      docNo: input.returnNo,
      revision: input.revision,
      from: ['WAITING_INBOUND'],
      to: input.status,
      set: { jd_status: input.jdStatus, ...(input.status === 'REJECTED' && { reject_reason: input.reason ?? null }) },
      action: input.status === 'REJECTED' ? 'rejected' : 'cancelled_at_jd',
      detail: { jdStatus: input.jdStatus, ...(input.reason !== undefined && { reason: input.reason }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

/** A log line that changes no status (overdue at JD, webhook given up, the replacement compensated, …). */
export async function recordReturnEvent(
  db: Knex,
  { returnNo, ...input }: { returnNo: string; revision: number; action: string; detail: Record<string, unknown>; idempotencyKey: string },
): Promise<void> {
  await recordDocumentEvent(db, RETURNS, { docNo: returnNo, ...input });
}

/**
 * Puts the return on the operator's attention list (`attention` with the text to act on, `attention_since`)
 * with an 'attention' log line, once per idempotency key. Refuses (ConflictError `revision-superseded`) a
 * return no longer at `revision`.
 */
export async function recordReturnAttention(
  db: Knex,
  input: { returnNo: string; revision: number; attention: string; detail: Record<string, unknown>; idempotencyKey: string },
): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await trx('returns').where({ return_no: input.returnNo }).forUpdate().first();
    if (row?.push_revision !== input.revision) {
      throw new ConflictError(`Return ${input.returnNo} is no longer at push revision ${input.revision}; this run's attention item is not recorded`, 'revision-superseded');
    }
    const first = await writeOperationLogOnce(trx, {
      docType: RETURN_DOC_TYPE,
      docKey: input.returnNo,
      action: 'attention',
      actorRole: 'system',
      detail: { pushRevision: input.revision, attention: input.attention, ...input.detail },
      idempotencyKey: input.idempotencyKey,
    });
    if (!first) return;
    await trx('returns')
      .where({ return_no: input.returnNo })
      .update({ attention: input.attention, attention_since: row.attention === input.attention && row.attention_since ? row.attention_since : trx.fn.now(), updated_at: trx.fn.now() });
  });
}
