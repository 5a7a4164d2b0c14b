// Starting and reading the goLiveCheck workflow (推单测试, `GOLIVE:{checkId}`): one run per check, on the
// erp queue; it starts the test orders' sales-order runs itself.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { goLiveCheckStatusQuery, type GoLiveCheckInput, type GoLiveCheckResult, type GoLiveCheckState } from '../messages/go-live-check';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { DocStatus, StatusSince } from '../messages/search-attributes';
import { startDocument } from './start';

export type { GoLiveCheckState } from '../messages/go-live-check';

export function goLiveCheckClient(temporal: Client, taskQueues: { erp: string; eclp: string }) {
  return {
    workflowId: workflowIds.goLiveCheck,

    handle: (checkId: string) => temporal.workflow.getHandle<(input: GoLiveCheckInput) => Promise<GoLiveCheckResult>>(workflowIds.goLiveCheck(checkId)),

    /**
     * Starts the check's run; a repeated start joins the running run, and a closed run is never started
     * again (`started: false`: the check has ended).
     */
    async start(input: GoLiveCheckInput): Promise<{ workflowId: string; started: boolean }> {
      const workflowId = workflowIds.goLiveCheck(input.checkId);
      try {
        await startDocument<GoLiveCheckInput>(temporal, taskQueues.erp, {
          workflowType: WORKFLOW_TYPES.goLiveCheck,
          workflowId,
          input,
          docType: 'GOLIVE',
          erpDocNo: input.checkId,
          searchAttributes: [
            { key: DocStatus, value: 'RUNNING' },
            { key: StatusSince, value: new Date() },
          ],
          once: true,
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
        throw err;
      }
      return { workflowId, started: true };
    },

    /** What the running check reports (the `status` query). */
    status(checkId: string): Promise<GoLiveCheckState> {
      return temporal.workflow.getHandle(workflowIds.goLiveCheck(checkId)).query(goLiveCheckStatusQuery);
    },
  };
}

export type GoLiveCheckClient = ReturnType<typeof goLiveCheckClient>;
