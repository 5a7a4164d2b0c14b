// How every document run starts: under its business-key workflow ID, joined (never duplicated) by a
// repeated start, and carrying from its first event the search attributes operators find it by.
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { DocType, ErpDocNo } from '../messages/search-attributes';

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

export async function startDocument<A>(temporal: Client, taskQueue: string, start: DocumentStart<A>): Promise<void> {
  await temporal.workflow.start(start.workflowType, {
    workflowId: start.workflowId,
    taskQueue,
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
