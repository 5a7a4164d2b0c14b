// Serial-number batches (序列号) of a purchase order: stored by the API, uploaded by the PO's run once JD
// holds the PO (addPoSidDetail), each batch once.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError, UnprocessableError } from '../../domain/errors';
import { writeOperationLog } from '../operation-log';
import type { PurchaseOrderSerialStatus } from '../tables';
import { PURCHASE_ORDER_DOC_TYPE, toSerialBatch, type SerialBatchRecord } from './records';

export interface NewSerialBatch {
  batchId: string;
  poNo: string;
  sku: string;
  serialNos: string[];
}

/**
 * Stores a batch as pending. The same batch id again with the same SKU and serials answers the stored
 * batch (`created: false`); with others it is a conflict. Refused, naming the field: a SKU that is not a
 * line of the PO, and serial numbers an earlier batch of this PO already holds (JD would take the second
 * upload as a new version that repeats them).
 */
export async function insertSerialBatch(db: Knex, batch: NewSerialBatch): Promise<{ batch: SerialBatchRecord; created: boolean }> {
  return db.transaction(async (trx) => {
    // Two batches of one PO at once must not both pass the repeat check below.
    const po = await trx('purchase_orders').where({ po_no: batch.poNo }).forUpdate().first();
    if (!po) throw new NotFoundError(`No purchase order "${batch.poNo}"`, 'not-found');
    const existing = await trx('purchase_order_serials').where({ batch_id: batch.batchId }).first();
    if (existing) {
      const same = existing.po_no === batch.poNo && existing.sku === batch.sku && JSON.stringify(existing.serial_nos) === JSON.stringify(batch.serialNos);
      if (same) return { batch: toSerialBatch(existing), created: false };
      throw new ConflictError(`Serial batch ${batch.batchId} already exists with other serial numbers`, 'batch-exists', { batchId: batch.batchId });
    }
    const line = await trx('purchase_order_lines').where({ po_no: batch.poNo, sku: batch.sku }).first();
    if (!line) {
      throw new UnprocessableError(`SKU ${batch.sku} is not a line of purchase order ${batch.poNo}`, 'sku-not-on-order', {
        errors: [{ field: 'sku', message: `is not a line of purchase order ${batch.poNo}` }],
      });
    }
    const { rows } = await trx.raw<{ rows: Array<{ serial_no: string; batch_id: string }> }>(
      `SELECT s.serial_no, b.batch_id FROM purchase_order_serials b, unnest(b.serial_nos) AS s(serial_no)
        WHERE b.po_no = ? AND s.serial_no = ANY(?::text[]) ORDER BY b.created_at, s.serial_no`,
      [batch.poNo, batch.serialNos],
    );
    if (rows.length > 0) {
      const earlier = new Map(rows.map((r) => [r.serial_no, r.batch_id]));
      const errors = batch.serialNos.flatMap((serialNo, i) => {
        const owner = earlier.get(serialNo);
        return owner === undefined ? [] : [{ field: `serialNos.${i}`, message: `${serialNo} is already in batch ${owner} of purchase order ${batch.poNo}` }];
      });
      throw new UnprocessableError(`Serial numbers already sent for purchase order ${batch.poNo}: ${[...earlier.keys()].join(', ')}`, 'serials-already-sent', {
        errors,
        serialNos: [...earlier.keys()],
      });
    }
    const [row] = await trx('purchase_order_serials')
      .insert({ batch_id: batch.batchId, po_no: batch.poNo, sku: batch.sku, serial_nos: batch.serialNos })
      .returning('*');
    return { batch: toSerialBatch(row!), created: true };
  });
}

/**
 * A batch the API stored whose signal reached no run (Temporal was down, or the run had closed): the API
 * answers that nothing happened, so the batch must not stay behind. One already uploaded stays.
 */
export async function withdrawSerialBatch(db: Knex, batchId: string): Promise<void> {
  await db('purchase_order_serials').where({ batch_id: batchId, status: 'pending' }).delete();
}

export async function getSerialBatch(db: Knex | Knex.Transaction, batchId: string): Promise<SerialBatchRecord | undefined> {
  const row = await db('purchase_order_serials').where({ batch_id: batchId }).first();
  return row ? toSerialBatch(row) : undefined;
}

export async function listSerialBatches(db: Knex | Knex.Transaction, poNo: string): Promise<SerialBatchRecord[]> {
  const rows = await db('purchase_order_serials').where({ po_no: poNo }).orderBy([{ column: 'created_at' }, { column: 'batch_id' }]);
  return rows.map(toSerialBatch);
}

/** The `version` of the next upload of the PO's serial list: its uploaded batches + 1. */
export async function nextSerialVersion(db: Knex | Knex.Transaction, poNo: string): Promise<number> {
  const [counted] = await db('purchase_order_serials').where({ po_no: poNo, status: 'uploaded' }).count<{ count: string }[]>({ count: '*' });
  return Number(counted?.count ?? 0) + 1;
}

/**
 * The upload's outcome. An uploaded batch stays uploaded (a late failure of a retried attempt must not
 * hide that JD has it).
 */
export async function markSerialBatch(
  db: Knex,
  batchId: string,
  result: { status: Exclude<PurchaseOrderSerialStatus, 'pending'>; version?: number; jdResult?: string; error?: string },
): Promise<void> {
  // The batch and its line in the PO's operation log together: the log shows what JD was sent and said.
  const updated = await db.transaction(async (trx) => {
    const rows = await trx('purchase_order_serials')
      .where({ batch_id: batchId })
      .whereNot({ status: 'uploaded' })
      .update({
        status: result.status,
        version: result.version ?? null,
        jd_result: result.jdResult ?? null,
        error: result.error ?? null,
        ...(result.status === 'uploaded' && { uploaded_at: trx.fn.now() }),
      })
      .returning(['po_no', 'sku', 'serial_nos']);
    for (const row of rows) {
      await writeOperationLog(trx, {
        docType: PURCHASE_ORDER_DOC_TYPE,
        docKey: row.po_no,
        action: result.status === 'uploaded' ? 'serials_uploaded' : 'serials_refused',
        actorRole: 'system',
        detail: { batchId, sku: row.sku, serials: row.serial_nos.length, ...(result.version !== undefined && { version: result.version }), ...(result.jdResult !== undefined && { jdResult: result.jdResult }), ...(result.error !== undefined && { error: result.error }) },
      });
    }
    return rows.length;
  });
  if (updated === 0 && !(await getSerialBatch(db, batchId))) throw new NotFoundError(`No serial batch "${batchId}"`, 'not-found');
}
