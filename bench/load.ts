// The two ways documents are offered to the system: a closed loop that keeps a fixed number of documents
// between approve and the first milestone (saturation), and an open loop at a fixed rate that does not
// wait for anything (latency at a known load, as a real ERP would send).
import { sleep } from '../test/support/timing';
import type { MilestoneTracker } from './milestones';

/** What submitting one document answered: when the approve was sent and when its answer came back. */
export interface Submitted {
  approvedAt: number;
  answeredAt: number;
}

export type Submit = (docNo: string) => Promise<Submitted>;

export interface Submission extends Partial<Submitted> {
  docNo: string;
  error?: string;
}

export interface ClosedLoopOptions {
  docNos: readonly string[];
  window: number;
  submit: Submit;
  tracker: MilestoneTracker;
  /** The milestone that frees a place in the window. */
  milestone: string;
  /** A document stuck this long frees its place anyway (and shows up as missing in the report). */
  stuckAfterMs: number;
  signal: AbortSignal;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<Submission[]> {
  const results: Submission[] = [];
  const interrupted = aborted(options.signal);
  let next = 0;
  const lane = async () => {
    while (next < options.docNos.length && !options.signal.aborted) {
      const docNo = options.docNos[next++]!;
      const submission = await submitOne(options.submit, docNo);
      results.push(submission);
      if (!submission.error) await Promise.race([options.tracker.waitFor(docNo, options.milestone, options.stuckAfterMs), interrupted]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.window, options.docNos.length)) }, lane));
  return results;
}

export interface OpenLoopOptions {
  docNos: readonly string[];
  ratePerSecond: number;
  submit: Submit;
  signal: AbortSignal;
}

/** Sends document i at start + i / rate, whatever happened to the earlier ones. */
export async function openLoop(options: OpenLoopOptions): Promise<Submission[]> {
  const start = Date.now();
  const pending: Array<Promise<Submission>> = [];
  for (let i = 0; i < options.docNos.length && !options.signal.aborted; i++) {
    const due = start + (i * 1000) / options.ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(submitOne(options.submit, options.docNos[i]!));
  }
  return Promise.all(pending);
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

async function submitOne(submit: Submit, docNo: string): Promise<Submission> {
  try {
    return { docNo, ...(await submit(docNo)) };
  } catch (err) {
    return { docNo, error: (err as Error).message };
  }
}
