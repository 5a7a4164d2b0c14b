// Serial numbers of a PO's goods (addPoSidDetail): stored as a batch, then handed to the PO's run, which
// uploads it once JD holds the PO. A batch's id is derived from its content, so the same request again
// finds the stored batch and answers it (signalling it once more) instead of refusing it as a repeat.
import { createHash } from 'node:crypto';
import { getPurchaseOrder, insertSerialBatch, withdrawSerialBatch, type PurchaseOrderRecord } from '../../db/purchase-orders';
import { ConflictError, UnprocessableError } from '../../domain/errors';
import { PURCHASE_ORDER_FINAL } from '../../domain/purchase-order';
import type { RouteResult } from '../route';
import { withTemporal } from '../temporal-errors';
import { purchaseOrderUrl, stateOf } from './answers';
import type { PurchaseOrderApiDeps } from './create';

/** `{poNo}#SN-{hash}`: within the signal's id alphabet and at most 78 characters. */
export function serialBatchIdOf(poNo: string, sku: string, serialNos: readonly string[]): string {
  const hash = createHash('sha256').update([poNo, sku, ...serialNos].join('\n')).digest('hex').slice(0, 24);
  return `${poNo}#SN-${hash}`;
}

export async function submitPurchaseOrderSerials(deps: PurchaseOrderApiDeps, poNo: string, body: { sku: string; serialNos: string[] }): Promise<RouteResult> {
  const { db, documents } = deps;
  const po = await getPurchaseOrder(db, poNo);
  if (!po.lines.some((line) => line.sku === body.sku)) {
    const message = `is not a line of purchase order ${poNo} (its SKUs: ${po.lines.map((l) => l.sku).join(', ')})`;
    throw new UnprocessableError(`SKU ${body.sku} ${message}`, 'sku-not-on-order', { errors: [{ field: 'sku', message }] });
  }
  if (PURCHASE_ORDER_FINAL.has(po.status)) {
    throw new ConflictError(`Purchase order ${poNo} is ${po.status} (${po.statusLabel}): serial numbers go with a purchase order JD still receives`, 'po-final', stateOf(po));
  }
  const { workflowId } = po;
  if (workflowId === null) throw notRunning(po);
  const batchId = serialBatchIdOf(poNo, body.sku, body.serialNos);
  const { batch, created } = await insertSerialBatch(db, { batchId, poNo, sku: body.sku, serialNos: body.serialNos });
  // A batch this call stored goes again when its signal reached no run: the answer says nothing happened.
  // One stored by an earlier call is signalled once more (the run takes a batch id once) and stays.
  let delivered: boolean;
  try {
    delivered = await withTemporal(() => documents.purchaseOrders.sendSerialBatch(workflowId, batchId), documents.temporal);
  } catch (err) {
    if (created) await withdrawSerialBatch(db, batchId);
    throw err;
  }
  if (!delivered) {
    if (created) await withdrawSerialBatch(db, batchId);
    throw notRunning(await getPurchaseOrder(db, poNo));
  }
  return {
    status: 202,
    body: { batchId, poNo, sku: batch.sku, serialCount: batch.serialNos.length, status: batch.status, poUrl: purchaseOrderUrl(poNo) },
    headers: { Location: purchaseOrderUrl(poNo) },
  };
}

function notRunning(po: PurchaseOrderRecord): ConflictError {
  return new ConflictError(
    `The workflow of purchase order ${po.poNo} (${po.workflowId ?? 'none started'}) is not running; the purchase order is ${po.status}. Send the serial numbers again once its push runs.`,
    'workflow-not-running',
    stateOf(po),
  );
}
