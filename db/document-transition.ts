// One status change of a document saga (sales order, purchase order, return) and its operation-log line, in the
// caller's transaction. The log line's idempotency key (the activity's) makes a retried activity change
// nothing twice; the revision and `from` guards keep a late result of an old run from overwriting what
// happened since.
import type { Knex } from 'knex';
import { ConflictError } from '../domain/errors';
import { writeOperationLogOnce, type ActorRole } from './operation-log';

/** Where a document kind keeps its rows and log lines. */
export interface DocumentTable {
  table: 'sales_orders' | 'purchase_orders' | 'returns';
  /** The document number's column. */
  key: 'order_no' | 'po_no' | 'return_no';
  /** operation_log.doc_type */
  docType: string;
  /** For messages: "Sales order", "Purchase order", "Return". */
  noun: string;
}

export interface DocumentTransition<S extends string> {
  docNo: string;
  revision: number;
  /** The statuses this step moves the document from; any other means it moved on without this run. */
  from: readonly S[];
  to: S;
  /** Further columns to write with the status. */
  set?: Record<string, unknown>;
  action: string;
  actorRole?: ActorRole;
  detail: Record<string, unknown>;
  /** The activity's key: a retried activity finds its log line and changes nothing again. */
  idempotencyKey: string;
}

interface DocumentRow {
  status: string;
  push_revision: number;
  [column: string]: unknown;
}

/**
 * Returns false for a repeat. Refuses (ConflictError) to touch a document that has moved on — to another
 * push revision (`revision-superseded`), or out of the statuses the step starts from (`status-moved-on`).
 * `status_since` changes only when the status does.
 */
export async function documentTransition<S extends string>(trx: Knex.Transaction, doc: DocumentTable, t: DocumentTransition<S>): Promise<boolean> {
  const first = await writeOperationLogOnce(trx, {
    docType: doc.docType,
    docKey: t.docNo,
    action: t.action,
    actorRole: t.actorRole ?? 'system',
    detail: { pushRevision: t.revision, ...t.detail },
    idempotencyKey: t.idempotencyKey,
  });
  if (!first) return false;
  // A plain string: one query for either table (their typed rows differ only in columns this does not name).
  const table: string = doc.table;
  const updated = await trx<DocumentRow>(table)
    .where({ [doc.key]: t.docNo, push_revision: t.revision })
    .whereIn('status', [...t.from, t.to])
    .update({
      ...t.set,
      status: t.to,
      status_since: trx.raw('CASE WHEN status = ? THEN status_since ELSE now() END', [t.to]),
      updated_at: trx.fn.now(),
    });
  if (updated === 0) {
    const now = await trx<DocumentRow>(table).where({ [doc.key]: t.docNo }).first();
    if (now?.push_revision !== t.revision) {
      throw new ConflictError(`${doc.noun} ${t.docNo} is no longer at push revision ${t.revision}; this run's result is not recorded`, 'revision-superseded');
    }
    throw new ConflictError(`${doc.noun} ${t.docNo} is ${now.status}, not ${t.from.join(' or ')}; this run's ${t.action} is not recorded`, 'status-moved-on');
  }
  return true;
}

/** A log line that changes no status (overdue at JD, webhook given up, …), once per idempotency key. */
export async function recordDocumentEvent(
  db: Knex,
  doc: DocumentTable,
  input: { docNo: string; revision: number; action: string; detail: Record<string, unknown>; idempotencyKey: string },
): Promise<void> {
  await db.transaction(async (trx) => {
    await writeOperationLogOnce(trx, {
      docType: doc.docType,
      docKey: input.docNo,
      action: input.action,
      actorRole: 'system',
      detail: { pushRevision: input.revision, ...input.detail },
      idempotencyKey: input.idempotencyKey,
    });
  });
}
