// Watching the warehouse sweeper from tests: what it told a document's run, and waiting for its sweeps.
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { JdStatusChangedPayload } from '../../messages/sales-order';
import { sweeperStatusQuery } from '../../messages/sweeper';
import type { History } from './replay';
import { eventually, type EventuallyOptions } from './timing';

/** The `jdStatusChanged` signals in a run's history, in order (what the sweeper told it). */
export function jdStatusSignals(history: History): JdStatusChangedPayload[] {
  return (history.events ?? []).flatMap((e) => {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== 'jdStatusChanged') return [];
    return [defaultPayloadConverter.fromPayload<JdStatusChangedPayload>(signal.input!.payloads![0] as Payload)];
  });
}

/** Resolves once the sweeper has swept `count` more times: it has seen whatever JD reported when called. */
export async function moreSweeps(sweeper: WorkflowHandle, count: number, options: EventuallyOptions = {}): Promise<void> {
  const { sweeps } = (await sweeper.query(sweeperStatusQuery)).totals;
  await eventually(async () => (await sweeper.query(sweeperStatusQuery)).totals.sweeps >= sweeps + count, { what: `${count} more sweeps`, ...options });
}
