// How every document run starts: under its business-key workflow ID, joined (never duplicated) by a
// repeated start, and carrying from its first event the search attributes operators find it by.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair, type SignalDefinition } from '@temporalio/common';
import { DocStatus, DocType, ErpDocNo, StatusSince, WarehouseNo } from '../messages/search-attributes';

export interface DocumentStart<A> {
  workflowType: string;
  workflowId: string;
  input: A;
  docType: string;
  /** The ERP number an operator searches by; absent for runs that are no document's (a sweeper). */
  erpDocNo?: string;
  /** Further attributes known at the start (status, warehouse). */
  searchAttributes?: SearchAttributePair[];
  /** A closed run under this ID is final: starting it again is refused (WorkflowExecutionAlreadyStartedError). */
  once?: boolean;
}

/**
 * A workflow task handed to a worker that dies is given to another after this long (Temporal's default is
 * 10 s). A document's task replays a few dozen events in milliseconds, so 5 s is still ample on a busy
 * machine, and a killed worker's documents move on 5 s sooner (issue 13: recovery ≤ 15 s).
 */
export const DOCUMENT_WORKFLOW_TASK_TIMEOUT = '5 seconds';

export async function startDocument<A>(temporal: Client, taskQueue: string, start: DocumentStart<A>): Promise<void> {
  await temporal.workflow.start(start.workflowType, {
    workflowId: start.workflowId,
    taskQueue,
    workflowTaskTimeout: DOCUMENT_WORKFLOW_TASK_TIMEOUT,
    args: [start.input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    ...(start.once && { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE }),
    typedSearchAttributes: [
      { key: DocType, value: start.docType },
      ...(start.erpDocNo !== undefined ? [{ key: ErpDocNo, value: start.erpDocNo }] : []),
      ...(start.searchAttributes ?? []),
    ],
  });
}

export type PushRunStart = { workflowId: string; started: true } | { workflowId: string; started: false; reason: 'run-closed' };

/**
 * Starts the push of one document revision (a sales order, a purchase order): PUSHING from its first
 * event, at its JD warehouse. A repeated start joins the running run (USE_EXISTING); a run of that
 * revision that has closed is never started again (the document has moved on).
 */
export async function startPushRun<A>(
  temporal: Client,
  taskQueue: string,
  start: Pick<DocumentStart<A>, 'workflowType' | 'workflowId' | 'input' | 'docType'> & { erpDocNo: string; jdWarehouseNo: string },
): Promise<PushRunStart> {
  const { jdWarehouseNo, ...document } = start;
  try {
    await startDocument<A>(temporal, taskQueue, {
      ...document,
      searchAttributes: [
        { key: DocStatus, value: 'PUSHING' },
        { key: StatusSince, value: new Date() },
        { key: WarehouseNo, value: jdWarehouseNo },
      ],
      once: true,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId: start.workflowId, started: false, reason: 'run-closed' };
    throw err;
  }
  return { workflowId: start.workflowId, started: true };
}

/** Signals a document's run; false when the run is not running any more (a signal to it reaches nobody). */
export async function signalRun<Args extends unknown[]>(temporal: Client, workflowId: string, signal: SignalDefinition<Args> | string, ...args: Args): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowId).signal(signal, ...args);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
