// Warehouse sweepers (SO_TRACKING=sweep): one long-running workflow per JD warehouse and task-queue pair.
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { WarehouseNo } from '../messages/search-attributes';
import type { SweeperInput } from '../messages/sweeper';
import { startDocument } from './start';

export function sweeperClient(temporal: Client, taskQueue: string) {
  /** When this process last made sure of each warehouse's sweeper. */
  const ensuredAt = new Map<string, number>();
  const workflowId = (jdWarehouseNo: string) => workflowIds.sweeper(jdWarehouseNo, taskQueue);

  return {
    workflowId,

    handle: (jdWarehouseNo: string) => temporal.workflow.getHandle(workflowId(jdWarehouseNo)),

    /**
     * Makes sure the JD warehouse has a running sweeper, at most once per sweep interval per warehouse and
     * process. A start that finds the sweeper running changes nothing (USE_EXISTING), and unlike
     * signal-with-start it writes nothing into the sweeper's history, so approvals do not grow it. A sweeper
     * that was stopped is thus back within one interval of the next approval; until then the orders' own
     * safety polls carry them.
     */
    async ensure(input: Omit<SweeperInput, 'carried'>): Promise<void> {
      const last = ensuredAt.get(input.jdWarehouseNo);
      if (last !== undefined && Date.now() - last < input.intervalMs) return;
      await startDocument(temporal, taskQueue, {
        workflowType: WORKFLOW_TYPES.sweeper,
        workflowId: workflowId(input.jdWarehouseNo),
        input,
        docType: 'SWEEP',
        searchAttributes: [{ key: WarehouseNo, value: input.jdWarehouseNo }],
      });
      ensuredAt.set(input.jdWarehouseNo, Date.now());
    },

    /** Terminates every running sweeper of this queue pair (a test stack or bench closing down). */
    async stopAll(reason: string): Promise<void> {
      const query = `WorkflowType = '${WORKFLOW_TYPES.sweeper}' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
      for await (const run of temporal.workflow.list({ query })) await temporal.workflow.getHandle(run.workflowId).terminate(reason);
    },
  };
}

export type SweeperClient = ReturnType<typeof sweeperClient>;
