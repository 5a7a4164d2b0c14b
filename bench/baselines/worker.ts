// The bench-only worker: runs the baseline workflows in the bench process, against the same Temporal
// server as the system under test, on task queues of its own (one pair per bench run).
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { MilestoneSink } from '../milestones';
import type { Submitted } from '../load';
import type { BenchDriver, PollingSetup } from '../drivers/types';
import { DocStatus, DocType, ErpDocNo, StatusSince, WarehouseNo } from '../../messages/search-attributes';
import { taskQueues } from '../../messages/task-queues';
import { createBaselineActivities } from './activities';
import { BASELINE_DOC_TYPE, type BaselineResult, type TimerLoopInput } from './workflows';

export interface BaselineWorker {
  client: Client;
  queues: { erp: string; eclp: string };
  /** Where the no-op "record" activities report milestones (the current phase's tracker). */
  track(sink: MilestoneSink | undefined): void;
  /** Baseline (a) for one document, started like the API starts the real saga. */
  startSameShape(driver: BenchDriver, docNo: string, setup: PollingSetup): Promise<Submitted>;
  /** Baseline (b): a timer-loop poll whose outcome is there at poll `readyAtPoll`. */
  startTimerLoop(workflowId: string, readyAtPoll: number, pollIntervalMs: number): Promise<WorkflowHandle>;
  baselineWorkflowId(kind: 'a' | 'b', docNo: string): string;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** Worker lifecycle lines at INFO would bury the bench's own progress lines. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export async function startBaselineWorker(options: { temporalAddress: string; namespace: string; runId: string; milestones: { accepted: string; done: string } }): Promise<BaselineWorker> {
  quietRuntime();
  const queues = taskQueues(`bench-${options.runId}`);
  let sink: MilestoneSink | undefined;
  const activities = createBaselineActivities(() => sink, options.milestones);
  const native = await NativeConnection.connect({ address: options.temporalAddress });
  const common = { connection: native, namespace: options.namespace, activities };
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const connection = await Connection.connect({ address: options.temporalAddress });
  try {
    // Two workers like worker/index.ts: workflows + ERP steps on `erp`, JD steps on `eclp`.
    workers = [
      await Worker.create({ ...common, taskQueue: queues.erp, workflowsPath: require.resolve('./workflows') }),
      await Worker.create({ ...common, taskQueue: queues.eclp }),
    ];
    running = Promise.all(workers.map((w) => w.run()));
  } catch (err) {
    await connection.close();
    await native.close();
    throw err;
  }
  const client = new Client({ connection, namespace: options.namespace });
  const workflowId = (kind: 'a' | 'b', docNo: string) => `BENCH-${kind.toUpperCase()}:${docNo}`;

  return {
    client,
    queues,
    track: (next) => {
      sink = next;
    },
    async startSameShape(driver, docNo, setup) {
      const approvedAt = Date.now();
      // Started like client/sales-orders.ts starts the saga: a workflow id, initial search attributes.
      await client.workflow.start(driver.baseline.workflowType, {
        workflowId: workflowId('a', docNo),
        taskQueue: queues.erp,
        args: [driver.baseline.input(docNo, setup)],
        typedSearchAttributes: [
          { key: DocType, value: BASELINE_DOC_TYPE },
          { key: ErpDocNo, value: docNo },
          { key: DocStatus, value: 'PUSHING' },
          { key: StatusSince, value: new Date() },
          { key: WarehouseNo, value: '110000001' },
        ],
      });
      return { approvedAt, answeredAt: Date.now() };
    },
    async startTimerLoop(id, readyAtPoll, pollIntervalMs) {
      const input: TimerLoopInput = { readyAtPoll, pollIntervalMs };
      return client.workflow.start<(input: TimerLoopInput) => Promise<BaselineResult>>('timerLoopPolling', { workflowId: id, taskQueue: queues.erp, args: [input] });
    },
    baselineWorkflowId: workflowId,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await native.close();
    },
  };
}
