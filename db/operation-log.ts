// 操作记录: who did what to which document, written in the same transaction as the change itself.
import type { Knex } from 'knex';
import type { OperationLogRow } from './tables';

export type ActorRole = 'erp' | 'operator' | 'admin' | 'system';

/** Roles typed into the Temporal UI are free text; the log keeps the known ones and files the rest under operator. */
export function knownActorRole(role: string): ActorRole {
  return role === 'erp' || role === 'operator' || role === 'admin' || role === 'system' ? role : 'operator';
}

export interface OperationLogEntry {
  docType: string;
  docKey: string;
  action: string;
  actorRole: ActorRole;
  detail?: Record<string, unknown>;
  /** Set by activities: a retry with the same key writes nothing (see `writeOperationLogOnce`). */
  idempotencyKey?: string;
}

/** A log line as the document GET endpoints show it. */
export interface OperationLogRecord {
  docType: string;
  docKey: string;
  action: string;
  /** Null only in rows written by hand: this code always names a role. */
  actorRole: OperationLogRow['actor_role'];
  detail: OperationLogRow['detail'];
  at: string;
}

function toRow(entry: OperationLogEntry) {
  return {
    doc_type: entry.docType,
    doc_key: entry.docKey,
    action: entry.action,
    actor_role: entry.actorRole,
    detail: JSON.stringify(entry.detail ?? {}),
    idempotency_key: entry.idempotencyKey ?? null,
  };
}

export async function writeOperationLog(db: Knex | Knex.Transaction, entry: OperationLogEntry): Promise<void> {
  await db('operation_log').insert(toRow(entry));
}

/**
 * Writes the log row unless a row with the same idempotency key exists. Returns false for a repeat,
 * so the caller (inside the same transaction) can skip the state change it already made.
 */
export async function writeOperationLogOnce(trx: Knex.Transaction, entry: OperationLogEntry & { idempotencyKey: string }): Promise<boolean> {
  const inserted = await trx('operation_log')
    .insert(toRow(entry))
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

export async function readOperationLog(db: Knex, docType: string, docKey: string): Promise<OperationLogRecord[]> {
  const rows = await db('operation_log')
    .where({ doc_type: docType, doc_key: docKey })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select('doc_type', 'doc_key', 'action', 'actor_role', 'detail', 'created_at');
  return rows.map((r) => ({
    docType: r.doc_type,
    docKey: r.doc_key,
    action: r.action,
    actorRole: r.actor_role,
    detail: r.detail,
    at: r.created_at.toISOString(),
  }));
}
