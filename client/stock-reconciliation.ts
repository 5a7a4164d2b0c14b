// Starting stock reconciliations (库存对账): one run per report (`STOCK-RECON:{warehouse}:{reportId}`), and the
// Temporal Schedule that starts the daily round over every ECLP warehouse (one per task-queue pair, like
// the sweepers). The API process ensures the schedule at start and keeps trying while Temporal is away.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { DocType, WarehouseNo } from '../messages/search-attributes';
import type { StockReconciliationInput, StockReconciliationRoundInput, StockReconciliationSummary } from '../messages/stock-reconciliation';
import { startDocument } from './start';

export { STOCK_RECONCILIATION_TRIGGERS, type StockReconciliationTrigger } from '../messages/stock-reconciliation';

export interface StockReconciliationScheduleSpec {
  cron: string;
  timezone: string;
  /** queryStock's page size for the round's runs. */
  jdPageSize?: number;
}

/** What ensureScheduleInBackground logs through (pino's shape). */
export interface ScheduleLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export function stockReconciliationClient(temporal: Client, taskQueues: { erp: string; eclp: string }) {
  const scheduleId = workflowIds.stockReconciliationSchedule(taskQueues.erp);
  const scheduleHandle = () => temporal.schedule.getHandle(scheduleId);

  /** The schedule as configured: cron in the given zone, the round on the erp queue, never two at once. */
  const scheduleParts = (spec: StockReconciliationScheduleSpec) => ({
    spec: { cronExpressions: [spec.cron], timezone: spec.timezone },
    action: {
      type: 'startWorkflow' as const,
      workflowType: WORKFLOW_TYPES.stockReconciliationRound,
      // Temporal appends the scheduled time to it, so each round has its own ID.
      workflowId: `${scheduleId}/round`,
      taskQueue: taskQueues.erp,
      args: [(spec.jdPageSize !== undefined ? { jdPageSize: spec.jdPageSize } : {}) satisfies StockReconciliationRoundInput],
      typedSearchAttributes: [{ key: DocType, value: 'STOCK_ROUND' }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    state: { note: `stock reconciliation of every ECLP warehouse, cron "${spec.cron}" (${spec.timezone})` },
  });

  const client = {
    workflowId: workflowIds.stockReconciliation,
    scheduleId,

    handle: (warehouseCode: string, reportId: string) =>
      temporal.workflow.getHandle<(input: StockReconciliationInput) => Promise<StockReconciliationSummary>>(workflowIds.stockReconciliation(warehouseCode, reportId)),

    /** Starts one warehouse's reconciliation under its report id (a repeated start joins it). */
    async start(input: StockReconciliationInput & { jdWarehouseNo: string }): Promise<{ workflowId: string }> {
      const { jdWarehouseNo, ...args } = input;
      const workflowId = workflowIds.stockReconciliation(input.warehouseCode, input.reportId);
      await startDocument<StockReconciliationInput>(temporal, taskQueues.erp, {
        workflowType: WORKFLOW_TYPES.stockReconciliation,
        workflowId,
        input: args,
        docType: 'STOCK',
        erpDocNo: input.reportId,
        searchAttributes: [{ key: WarehouseNo, value: jdWarehouseNo }],
        once: true,
      });
      return { workflowId };
    },

    /** Creates the schedule, or brings an existing one to `spec` (cron, zone, action). */
    async ensureSchedule(spec: StockReconciliationScheduleSpec): Promise<'created' | 'updated'> {
      const parts = scheduleParts(spec);
      try {
        await temporal.schedule.create({ scheduleId, ...parts });
        return 'created';
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      }
      await scheduleHandle().update((previous) => ({ ...previous, spec: parts.spec, action: parts.action, policies: { ...previous.policies, ...parts.policies }, state: { ...previous.state, note: parts.state.note } }));
      return 'updated';
    },

    /**
     * ensureSchedule until it succeeds, with back-off (1 s doubling to a minute): a Temporal outage at the
     * API's start must not stop the API. `stop` ends the attempts.
     */
    ensureScheduleInBackground(spec: StockReconciliationScheduleSpec, logger: ScheduleLogger): { stop(): void; done: Promise<void> } {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let wake: (() => void) | undefined;
      const done = (async () => {
        for (let delay = RETRY_MIN_MS; !stopped; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
          try {
            const outcome = await client.ensureSchedule(spec);
            logger.info({ scheduleId, cron: spec.cron, timezone: spec.timezone, outcome }, 'stock reconciliation schedule ensured');
            return;
          } catch (err) {
            logger.warn({ scheduleId, retryInMs: delay, error: (err as Error).message }, 'could not ensure the stock reconciliation schedule; retrying');
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, delay);
            timer.unref();
          });
        }
      })();
      return {
        stop: () => {
          stopped = true;
          clearTimeout(timer);
          wake?.();
        },
        done,
      };
    },

    describeSchedule(): Promise<ScheduleDescription> {
      return scheduleHandle().describe();
    },

    /** Runs the round now (the schedule's overlap policy applies). */
    async triggerSchedule(): Promise<void> {
      await scheduleHandle().trigger();
    },

    /** Removes the schedule; false when there was none. */
    async deleteSchedule(): Promise<boolean> {
      try {
        await scheduleHandle().delete();
        return true;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      }
    },
  };
  return client;
}

export type StockReconciliationClient = ReturnType<typeof stockReconciliationClient>;
