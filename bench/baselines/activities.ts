// The baselines' activities: named like the saga's, answering at once. The push and the shipped record note the
// milestone in the bench's memory (the baseline's equivalent of the operation-log rows the real
// activities write), which is all the work they do.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { MilestoneSink } from '../milestones';

const NOOP_JD_WAREHOUSE = '110000001';

/** When the no-op "warehouse" has its outcome: from a time (load phases) or at a poll (history phase). */
export type ReadyWhen = { readyAt: number } | { readyAtPoll: number };

const isReady = (ready: ReadyWhen, poll: number) => ('readyAt' in ready ? Date.now() >= ready.readyAt : poll >= ready.readyAtPoll);

export function createBaselineActivities(sink: () => MilestoneSink | undefined, milestones: { accepted: string; done: string }) {
  return {
    /**
     * The saga's one push step (claim, pre-flight, push, record WMS_PICKING); `acceptedAt` stands for JD's
     * acceptance, from which the no-op "warehouse" counts its ship delay.
     */
    async pushSalesOrder(orderNo: string, _revision: number): Promise<{ kind: 'pushed'; eclpSoNo: string; jdWarehouseNo: string; acceptedAt: number }> {
      const acceptedAt = Date.now();
      sink()?.mark(orderNo, milestones.accepted, acceptedAt);
      return { kind: 'pushed', eclpSoNo: `NOOP-${orderNo}`, jdWarehouseNo: NOOP_JD_WAREHOUSE, acceptedAt };
    },
    /** Retry-policy polling like the saga's: "not yet" is a BENIGN failure until the outcome is there. */
    async awaitSalesOrderOutcome(ready: ReadyWhen): Promise<{ polls: number }> {
      const { attempt } = Context.current().info;
      if (!isReady(ready, attempt)) {
        throw ApplicationFailure.create({ type: 'SalesOrderNotFinished', message: 'not shipped yet', nonRetryable: false, category: ApplicationFailureCategory.BENIGN });
      }
      return { polls: attempt };
    },
    async recordSalesOrderShipped(orderNo: string, _revision: number): Promise<void> {
      sink()?.mark(orderNo, milestones.done, Date.now());
    },
    async deliverWebhook(_orderNo: string): Promise<void> {},
    /** Baseline (b)'s poll: one question, one answer. */
    async pollOnce(ready: ReadyWhen, poll: number): Promise<boolean> {
      return isReady(ready, poll);
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
