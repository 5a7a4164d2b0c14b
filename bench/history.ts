// History events per workflow, read from Temporal (the number the 51,200-event limit applies to).
import type { Client } from '@temporalio/client';

export async function historyLengths(client: Client, workflowIds: readonly string[]): Promise<number[]> {
  return Promise.all(
    workflowIds.map(async (workflowId) => {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      return history.events?.length ?? 0;
    }),
  );
}

export interface EventCounts {
  min: number;
  max: number;
  mean: number;
}

export function summariseCounts(counts: readonly number[]): EventCounts {
  if (counts.length === 0) return { min: NaN, max: NaN, mean: NaN };
  return { min: Math.min(...counts), max: Math.max(...counts), mean: counts.reduce((a, b) => a + b, 0) / counts.length };
}
