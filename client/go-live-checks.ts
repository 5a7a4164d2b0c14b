// Placeholder wired by the integrator (issue 12); its owner fills it.
import type { Client } from '@temporalio/client';

export function goLiveCheckClient(_temporal: Client, _taskQueues: { erp: string; eclp: string }) {
  return {};
}
