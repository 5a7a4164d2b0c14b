// The sweeper's word to the order runs, sent from an activity. A client's signal is one direct call to
// the Temporal frontend, delivered at once and many in parallel; a signal sent from workflow code is a
// command the server carries out one after the other (a thousand shipments took minutes on a busy dev
// server) and writes two events per signal into the sweeper's history.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { jdStatusChangedSignal } from '../../messages/sales-order';

export interface JdStatusChange {
  workflowId: string;
  jdStatus: string;
  settled: boolean;
}

/** Signals in flight at once: enough to hide the round trip, few enough not to flood the frontend. */
const PARALLEL_SIGNALS = 32;

export function createSweepSignalActivities(deps: { temporal: Client }) {
  return {
    /**
     * Tells each run its order's new JD status. A run that has closed meanwhile (its own check found the
     * shipment) is counted, not an error. Any other failure fails the activity; a retry tells every run
     * again, which the runs take as the same news.
     */
    async signalJdStatusChanges(changes: JdStatusChange[]): Promise<{ delivered: number; closed: number }> {
      let delivered = 0;
      let closed = 0;
      let next = 0;
      const lane = async () => {
        while (next < changes.length) {
          const { workflowId, jdStatus, settled } = changes[next++]!;
          try {
            await deps.temporal.workflow.getHandle(workflowId).signal(jdStatusChangedSignal, { jdStatus, settled });
            delivered += 1;
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            closed += 1;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_SIGNALS, changes.length) }, lane));
      return { delivered, closed };
    },
  };
}
