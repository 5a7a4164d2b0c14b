// What an activity knows about the run that called it, for exactly-once writes.
import { Context } from '@temporalio/activity';

/** Key for exactly-once log rows: stable across retries of one activity, distinct between activities. */
export function activityKey(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return `${workflowExecution?.workflowId}/${workflowExecution?.runId}/${activityId}`;
}

/** The calling run's workflow ID (document activities always run inside one). */
export function callingWorkflowId(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error('document activities run inside a workflow');
  return id;
}
