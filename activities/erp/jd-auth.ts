// JD authorisation's database side: the refresher's plan (when to refresh, how to back off) from the
// stored token and the workers' settings, and the start-or-signal of the singleton refresher after an
// authorisation stored a new pair.
import { Context } from '@temporalio/activity';
import { readJdTokenStatus, recordJdTokenRefreshDue } from '../../db/jd-auth';
import { WORKFLOW_TYPES, workflowIds } from '../../messages/ids';
import { jdTokenStoredSignal, type JdTokenRefreshPlan, type JdTokenStored } from '../../messages/jd-auth';
import { DocType } from '../../messages/search-attributes';
import type { ErpActivityDeps } from './index';

/** The refresher's settings (ErpActivityDeps.jdToken), read from the environment by the worker. */
export interface JdTokenSettings {
  /** JD_TOKEN_REFRESH_BEFORE_MS: refresh this long before the token expires (default 1 h, as JD's SDK does). */
  refreshBeforeMs: number;
  /** JD_TOKEN_REFRESH_RETRY_MS: first wait after a failed refresh (doubling). */
  retryInitialMs: number;
  /** JD_TOKEN_REFRESH_RETRY_MAX_MS: longest wait between two refresh attempts. */
  retryMaxMs: number;
}

export const JD_TOKEN_DEFAULTS: JdTokenSettings = { refreshBeforeMs: 3_600_000, retryInitialMs: 10_000, retryMaxMs: 10 * 60_000 };

export function createJdAuthActivities(deps: ErpActivityDeps) {
  const settings = { ...JD_TOKEN_DEFAULTS, ...deps.jdToken };
  return {
    /** When the stored pair is to be refreshed (and records it, for the attention list's "expiring"). */
    async planJdTokenRefresh(): Promise<JdTokenRefreshPlan> {
      const retry = { initialIntervalMs: settings.retryInitialMs, maximumIntervalMs: settings.retryMaxMs };
      const status = await readJdTokenStatus(deps.db);
      if (!status) return { hasToken: false, retry };
      const refreshAt = new Date(Date.parse(status.expiresAt) - settings.refreshBeforeMs);
      await recordJdTokenRefreshDue(deps.db, status.generation, refreshAt);
      return { hasToken: true, generation: status.generation, expiresAt: status.expiresAt, refreshAt: refreshAt.toISOString(), retry };
    },

    /** Starts the refresher of this task-queue pair if it is not running, and tells it of the new pair. */
    async ensureJdTokenRefresher(stored: JdTokenStored): Promise<{ workflowId: string }> {
      const taskQueue = Context.current().info.taskQueue;
      const workflowId = workflowIds.jdTokenRefresher(taskQueue);
      await deps.temporal.workflow.signalWithStart(WORKFLOW_TYPES.jdTokenRefresher, {
        workflowId,
        taskQueue,
        args: [{}],
        signal: jdTokenStoredSignal,
        signalArgs: [stored],
        typedSearchAttributes: [{ key: DocType, value: 'JD_TOKEN' }],
      });
      return { workflowId };
    },
  };
}
