// Starting JD authorisation runs (workflows/jd-token.ts): one `jdAuthorisation` per claimed OAuth state,
// and the singleton `jdTokenRefresher` of the task-queue pair.
import { createHash } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import type { JdAuthorisationInput, JdAuthorisationResult } from '../messages/jd-auth';
import { startDocument } from './start';

export type JdAuthorisationOutcome =
  | { status: 'authorised'; workflowId: string; result: JdAuthorisationResult }
  | { status: 'refused'; workflowId: string; reason: string }
  | { status: 'pending'; workflowId: string };

export function jdAuthClient(temporal: Client, taskQueues: { erp: string; eclp: string }) {
  /** The state is spent once claimed, but an ID is seen by many: it carries a digest, not the state. */
  const workflowId = (state: string) => workflowIds.jdAuthorisation(createHash('sha256').update(state).digest('hex').slice(0, 24));
  const refresherId = workflowIds.jdTokenRefresher(taskQueues.erp);

  return {
    workflowId,
    refresherId,

    /** Starts the code exchange of a claimed state (a repeated start joins the run). */
    async startAuthorisation(state: string): Promise<{ workflowId: string }> {
      const id = workflowId(state);
      await startDocument<JdAuthorisationInput>(temporal, taskQueues.erp, { workflowType: WORKFLOW_TYPES.jdAuthorisation, workflowId: id, input: { state }, docType: 'JD_AUTH', once: true });
      return { workflowId: id };
    },

    /** Waits up to `waitMs` for the exchange's outcome. */
    async authorisationOutcome(state: string, waitMs: number): Promise<JdAuthorisationOutcome> {
      const id = workflowId(state);
      const handle = temporal.workflow.getHandle<(input: JdAuthorisationInput) => Promise<JdAuthorisationResult>>(id);
      let timer: NodeJS.Timeout | undefined;
      try {
        const outcome = await Promise.race([
          handle.result().then((result) => ({ status: 'authorised' as const, workflowId: id, result })),
          new Promise<JdAuthorisationOutcome>((resolve) => {
            timer = setTimeout(() => resolve({ status: 'pending', workflowId: id }), waitMs);
          }),
        ]);
        return outcome;
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          const reason = (err.cause?.cause instanceof Error ? err.cause.cause.message : undefined) ?? err.cause?.message ?? err.message;
          return { status: 'refused', workflowId: id, reason };
        }
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export type JdAuthClient = ReturnType<typeof jdAuthClient>;
