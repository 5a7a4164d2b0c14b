// Reading the outcome of a run, for every document type: each run's status from Temporal, and the master
// data that translates JD's numbers (goods, warehouses) back into ours.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { WorkflowRow } from './invariants';

/**
 * Each run's status from Temporal itself (describe per workflow id), not from the visibility list, which is
 * eventually consistent: right after a run closes it may still be listed as running, or not listed at all.
 * Runs that do not exist are left out. At most `parallel` requests at a time.
 */
export async function describeRuns(temporal: Client, workflowIds: readonly string[], parallel = 16): Promise<WorkflowRow[]> {
  const found: WorkflowRow[] = [];
  let next = 0;
  const worker = async () => {
    while (next < workflowIds.length) {
      const workflowId = workflowIds[next++]!;
      try {
        found.push({ workflowId, status: (await temporal.workflow.getHandle(workflowId).describe()).status.name });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, workflowIds.length) }, worker));
  return found;
}

/** sku → JD goods number and warehouse code → JD warehouse number, for what has them. */
export interface JdNumbers {
  jdGoodsNo: ReadonlyMap<string, string>;
  jdWarehouseNo: ReadonlyMap<string, string>;
}

export async function readJdNumbers(db: Knex): Promise<JdNumbers> {
  const [goods, warehouses] = await Promise.all([db('goods').select('sku', 'jd_goods_no'), db('warehouses').select('code', 'jd_warehouse_no')]);
  return {
    jdGoodsNo: new Map(goods.flatMap((g) => (g.jd_goods_no ? [[g.sku, g.jd_goods_no] satisfies [string, string]] : []))),
    jdWarehouseNo: new Map(warehouses.flatMap((w) => (w.jd_warehouse_no ? [[w.code, w.jd_warehouse_no] satisfies [string, string]] : []))),
  };
}

/**
 * Per document of `docType`, the time from its `from` operation-log line to the first of its `to` lines,
 * in ms (e.g. created → pushed); documents without a `to` line are left out.
 */
export async function logLatencies(db: Knex, docType: string, from: string, to: readonly string[]): Promise<number[]> {
  const rows = await db('operation_log as f')
    .join('operation_log as t', function () {
      this.on('t.doc_key', 'f.doc_key').andOnVal('t.doc_type', docType).andOnIn('t.action', [...to]);
    })
    .where({ 'f.doc_type': docType, 'f.action': from })
    .groupBy('f.doc_key', 'f.created_at')
    .select(db.raw('extract(epoch from (min(t.created_at) - f.created_at)) * 1000 as ms'));
  return rows.map((r: { ms: string }) => Number(r.ms));
}
