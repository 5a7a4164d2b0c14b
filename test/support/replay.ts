// Histories of real workflow runs, committed under test/replay/histories/ and replayed against today's
// workflow code by test/replay/. Tests that produce such a run refresh its file on request:
//   UPDATE_REPLAY_HISTORIES=1 npx jest <test file> -t '<test>'
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';

export type { History };

export const REPLAY_HISTORIES_DIR = path.join(__dirname, '..', 'replay', 'histories');

/** Whether this run was asked to refresh the committed histories. */
export function updatingReplayHistories(): boolean {
  return Boolean(process.env.UPDATE_REPLAY_HISTORIES);
}

/** Writes `history` to test/replay/histories/<fileName>, only when UPDATE_REPLAY_HISTORIES is set. */
export function saveReplayHistory(history: History, fileName: string): void {
  if (!updatingReplayHistories()) return;
  writeFileSync(path.join(REPLAY_HISTORIES_DIR, fileName), `${historyToJSON(history)}\n`);
}

/** The activity types a run scheduled, in order. */
export function scheduledActivityTypes(history: History): string[] {
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name || []);
}

/** The activity types whose completion the history records, in order ("JD answered, nothing booked yet"). */
export function completedActivityTypes(history: History): string[] {
  const typeOf = new Map<string, string>();
  const out: string[] = [];
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) typeOf.set(String(e.eventId), scheduled);
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) out.push(typeOf.get(String(completed.scheduledEventId)) ?? '?');
  }
  return out;
}

/** A committed history, by its file name under test/replay/histories/. */
export function loadReplayHistory(fileName: string): History {
  return historyFromJSON(JSON.parse(readFileSync(path.join(REPLAY_HISTORIES_DIR, fileName), 'utf8')));
}

let bundle: Promise<unknown> | undefined;

/**
 * Replays a committed history against today's workflows/ (bundled once per test file, quietly); rejects
 * with the DeterminismViolationError a change that breaks running workflows causes.
 */
export async function replayHistory(history: History): Promise<void> {
  // Loaded on first use: most files importing test/support never replay, and the worker package is heavy.
  const { bundleWorkflowCode, Worker } = await import('@temporalio/worker');
  const quiet = () => undefined;
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (message, meta) => console.error(message, meta) },
  });
  await Worker.runReplayHistory({ workflowBundle: (await bundle) as Awaited<ReturnType<typeof bundleWorkflowCode>> }, history);
}
