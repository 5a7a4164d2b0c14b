// Waiting for JD's outcome of a document it holds (shipped, received, cancelled by the warehouse), in
// either of the two ways a saga can follow JD, behind one call:
// - poll: one activity whose retry policy is the poll loop (history O(1) however long JD takes);
// - sweep: a warehouse sweeper signals when JD settled the document; the run then asks JD once, and
//   on its own every safety interval in case no sweeper runs. The wait is one timer, however long.
// Either way a cancel request interrupts the wait, and an answer that raced the interruption is kept.
import { CancellationScope, condition, setHandler } from '@temporalio/workflow';
import { checkJdStatusPayload, jdStatusChangedSignal } from '../../messages/sweeper';
import { failureTypeOf, isActivityTimeout } from './failures';

export type JdTracking = { mode: 'poll' } | { mode: 'sweep'; safetyPollIntervalMs: number };

export type JdWait<O> =
  | { kind: 'outcome'; outcome: O }
  /** A cancel request is waiting: decide it, then wait again. */
  | { kind: 'interrupted' }
  /** `maxWaitMs` passed without an outcome: log it, then wait again (JD still has the document). */
  | { kind: 'overdue' };

export interface JdOutcomeWatchOptions<O> {
  tracking: JdTracking;
  maxWaitMs: number;
  /** The poll activity through its polling proxy (`jdPollOptions`). */
  poll: () => Promise<O>;
  /** The same activity asked once (`jdCheckOptions`). */
  check: () => Promise<O>;
  /** The failure type of the activity's "not finished yet". */
  notFinishedType: string;
  /** True while a request should interrupt the wait (the saga's cancel inbox has one). */
  interrupted: () => boolean;
}

export interface JdOutcomeWatch<O> {
  /** Starts the overdue clock: call when JD accepted the document. */
  begin(): void;
  /** The sweeper says JD settled the document: the sweep-mode wait looks at JD now. */
  settled(): void;
  next(): Promise<JdWait<O>>;
}

type Raced<O> = { settled: 'outcome'; outcome: O } | { settled: 'error'; error: unknown } | { settled: 'interrupted' };

export function watchJdOutcome<O>(options: JdOutcomeWatchOptions<O>): JdOutcomeWatch<O> {
  const { tracking, maxWaitMs, interrupted } = options;
  let overdueAt = 0;
  let settledAtJd = false;

  /** Asks JD (one activity, however many attempts) until it answers or a request interrupts. */
  const askOrInterrupt = async (ask: () => Promise<O>): Promise<Raced<O>> => {
    const askScope = new CancellationScope();
    const answered = askScope.run(ask).then(
      (outcome) => ({ settled: 'outcome' as const, outcome }),
      (error: unknown) => ({ settled: 'error' as const, error }),
    );
    const waitScope = new CancellationScope();
    const asked = waitScope.run(() => condition(interrupted)).then(
      () => ({ settled: 'asked' as const }),
      () => ({ settled: 'stopped' as const }),
    );
    const first = await Promise.race([answered, asked]);
    if (first.settled === 'asked') {
      askScope.cancel();
      // The activity may have completed just before the cancel reached it: an outcome must not be missed.
      const last = await answered;
      return last.settled === 'outcome' ? last : { settled: 'interrupted' };
    }
    waitScope.cancel();
    return first.settled === 'stopped' ? answered : first;
  };

  const byPolling = async (): Promise<JdWait<O>> => {
    const raced = await askOrInterrupt(options.poll);
    if (raced.settled !== 'error') return raced.settled === 'outcome' ? { kind: 'outcome', outcome: raced.outcome } : { kind: 'interrupted' };
    if (isActivityTimeout(raced.error)) return { kind: 'overdue' };
    throw raced.error;
  };

  const bySweeping = async (safetyPollIntervalMs: number): Promise<JdWait<O>> => {
    // A request that came while JD was asked is decided before the next wait (no timer is started).
    while (!interrupted()) {
      await condition(() => interrupted() || settledAtJd, safetyPollIntervalMs);
      if (interrupted()) return { kind: 'interrupted' };
      settledAtJd = false;
      const raced = await askOrInterrupt(options.check);
      if (raced.settled !== 'error') return raced.settled === 'outcome' ? { kind: 'outcome', outcome: raced.outcome } : { kind: 'interrupted' };
      if (failureTypeOf(raced.error) !== options.notFinishedType) throw raced.error;
      if (Date.now() < overdueAt) continue;
      overdueAt = Date.now() + maxWaitMs;
      return { kind: 'overdue' };
    }
    return { kind: 'interrupted' };
  };

  return {
    begin: () => {
      overdueAt = Date.now() + maxWaitMs;
    },
    settled: () => {
      settledAtJd = true;
    },
    next: () => (tracking.mode === 'sweep' ? bySweeping(tracking.safetyPollIntervalMs) : byPolling()),
  };
}

/**
 * The warehouse sweeper's word (`jdStatusChanged`): JD's status is remembered, and a settled one makes a
 * sweep-mode wait look at JD now. A poll-mode run may be told too (its warehouse got a sweeper later):
 * it only remembers the status. A malformed payload is counted and logged by `ignore`.
 */
export function listenToSweeper(watch: JdOutcomeWatch<unknown>, remember: (jdStatus: string) => void, ignore: (signal: string, problem: string) => void): void {
  setHandler(jdStatusChangedSignal, (raw: unknown) => {
    const checked = checkJdStatusPayload(raw);
    if (!checked.ok) return ignore('jdStatusChanged', checked.problem);
    remember(checked.value.jdStatus);
    if (checked.value.settled) watch.settled();
  });
}

/** What a saga does next while JD holds its document: work waiting in the saga first, else JD's next word. */
export type WhileAtJd<W, O> = { kind: 'work'; work: W } | { kind: 'outcome'; outcome: O };

/**
 * The wait every saga runs while JD holds its document: work the saga has waiting (a cancel request, a
 * serial batch) is handed back first; otherwise JD is asked, and an overdue wait is reported through
 * `overdue` and goes on. The watch's `interrupted` must be true exactly while `take` would give work.
 */
export async function nextWhileAtJd<W, O>(watch: JdOutcomeWatch<O>, take: () => W | undefined, overdue: () => Promise<void>): Promise<WhileAtJd<W, O>> {
  for (;;) {
    const work = take();
    if (work !== undefined) return { kind: 'work', work };
    const next = await watch.next();
    if (next.kind === 'outcome') return next;
    if (next.kind === 'overdue') await overdue();
  }
}
