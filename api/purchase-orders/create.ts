// Creating a PO: stored first, then, for an ECLP-connected warehouse, its push saga started at once. The
// row comes before the run (the run's pre-flight reads it); a create whose run could not start (Temporal
// was down) leaves a PUSHING row without a workflow id, and the same request again starts it.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import { findWarehouse } from '../../db/master-data';
import { createPurchaseOrder, getPurchaseOrder, setPurchaseOrderWorkflowId, type PurchaseOrderRecord } from '../../db/purchase-orders';
import { ConflictError } from '../../domain/errors';
import type { PurchaseOrderBody } from '../../domain/purchase-order';
import type { Actor } from '../auth';
import { pollingOf, type PurchaseOrderApiConfig } from '../config';
import type { RouteResult } from '../route';
import { startStoredDocumentRun, withTemporal } from '../temporal-errors';
import { purchaseOrderUrl, stateOf } from './answers';

export interface PurchaseOrderApiDeps {
  db: Knex;
  documents: DocumentClient;
  config: PurchaseOrderApiConfig;
}

export async function createPurchaseOrderAndPush(deps: PurchaseOrderApiDeps, body: PurchaseOrderBody, actor: Actor): Promise<RouteResult> {
  const { db, documents, config } = deps;
  const warehouse = await findWarehouse(db, body.warehouseCode);
  const jdWarehouseNo = warehouse?.eclpConnected ? warehouse.jdWarehouseNo : null;
  // Before anything is written: if Temporal is down this answers 503 with nothing changed.
  if (jdWarehouseNo && config.tracking === 'sweep') {
    await withTemporal(() => documents.sweepers.ensure({ jdWarehouseNo, intervalMs: config.sweepIntervalMs, sweepsPerRun: config.sweepsPerRun }), documents.temporal);
  }
  const { outcome, po } = await createPurchaseOrder(db, body, { actorRole: actor.role });
  if (outcome === 'different-body') {
    throw new ConflictError(`Purchase order ${po.poNo} already exists with a different body; a purchase order cannot be replaced`, 'po-exists', stateOf(po));
  }
  const created = outcome === 'created';
  const location = { Location: purchaseOrderUrl(po.poNo) };
  // A run is started once, under the workflow id the row then keeps: a stored id means it was started.
  const needsRun = po.status === 'PUSHING' && po.workflowId === null;
  if (!needsRun) return { status: created ? 201 : 200, body: po, headers: created ? location : undefined };

  const workflowId = await startPush(deps, po, jdWarehouseNo);
  if (workflowId !== undefined) await setPurchaseOrderWorkflowId(db, po.poNo, workflowId);
  const current = await getPurchaseOrder(db, po.poNo);
  // A repeat stays 200 also when it is the one that got the push going (Temporal was down at the create).
  return created ? { status: 202, body: current, headers: location } : { status: 200, body: current };
}

/** Starts (or joins) the PO's run; undefined when that revision's run has already closed (the PO moved on). */
function startPush({ documents, config }: PurchaseOrderApiDeps, po: PurchaseOrderRecord, jdWarehouseNo: string | null): Promise<string | undefined> {
  return startStoredDocumentRun(
    `Purchase order ${po.poNo}`,
    () =>
      documents.purchaseOrders.start({
        poNo: po.poNo,
        revision: po.pushRevision,
        // The search attribute only; the run's pre-flight judges the warehouse as it is then.
        jdWarehouseNo: jdWarehouseNo ?? po.jdWarehouseNo ?? '',
        polling: pollingOf(config),
        tracking: config.tracking === 'sweep' ? { mode: 'sweep', safetyPollIntervalMs: config.safetyPollIntervalMs } : { mode: 'poll' },
      }),
    documents.temporal,
  );
}
