// Creating a return (售后单): stored first — with the checks against the original order and, for an
// exchange, its replacement order in REVIEW — then its push saga started at once (every return is for an
// ECLP warehouse: the create refuses any other). The row comes before the run (the run's pre-flight reads
// it); a create whose run could not start (Temporal was down) leaves a PUSHING row without a workflow id,
// and the same request again starts it.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import { findWarehouse } from '../../db/master-data';
import { createReturn, getReturn, setReturnWorkflowId, type ReturnRecord } from '../../db/returns';
import { ConflictError } from '../../domain/errors';
import type { ReturnBody } from '../../domain/return-order';
import type { Actor } from '../auth';
import { pollingOf, type ReturnApiConfig } from '../config';
import type { RouteResult } from '../route';
import { startStoredDocumentRun } from '../temporal-errors';
import { returnUrl, stateOf } from './answers';

export interface ReturnApiDeps {
  db: Knex;
  documents: DocumentClient;
  config: ReturnApiConfig;
}

export async function createReturnAndPush(deps: ReturnApiDeps, body: ReturnBody, actor: Actor): Promise<RouteResult> {
  const { db } = deps;
  const { outcome, ret } = await createReturn(db, body, { actorRole: actor.role });
  if (outcome === 'different-body') {
    throw new ConflictError(`Return ${ret.returnNo} already exists with a different body; a return cannot be replaced`, 'return-exists', stateOf(ret));
  }
  const created = outcome === 'created';
  const location = { Location: returnUrl(ret.returnNo) };
  // A run is started once, under the workflow id the row then keeps: a stored id means it was started.
  const needsRun = ret.status === 'PUSHING' && ret.workflowId === null;
  if (!needsRun) return { status: created ? 202 : 200, body: ret, headers: created ? location : undefined };

  const workflowId = await startPush(deps, ret);
  if (workflowId !== undefined) await setReturnWorkflowId(db, ret.returnNo, workflowId);
  const current = await getReturn(db, ret.returnNo);
  // A repeat stays 200 also when it is the one that got the push going (Temporal was down at the create).
  return created ? { status: 202, body: current, headers: location } : { status: 200, body: current };
}

/** Starts (or joins) the return's run; undefined when that revision's run has already closed (the return moved on). */
export async function startPush({ db, documents, config }: ReturnApiDeps, ret: ReturnRecord): Promise<string | undefined> {
  // The search attribute only; the run's pre-flight judges the warehouse as it is then.
  const jdWarehouseNo = ret.jdWarehouseNo ?? (await findWarehouse(db, ret.warehouseCode))?.jdWarehouseNo ?? '';
  return startStoredDocumentRun(
    `Return ${ret.returnNo}`,
    () => documents.returns.start({ returnNo: ret.returnNo, revision: ret.pushRevision, jdWarehouseNo, polling: pollingOf(config) }),
    documents.temporal,
  );
}
