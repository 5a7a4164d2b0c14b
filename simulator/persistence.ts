// The optional state file that lets the simulator remember across restarts (`npm start` keeps it at
// .data/simulator.json next to Temporal's and PostgreSQL's state, so the three stay in step). Without it
// the simulator stays purely in memory, as tests want.
//
// Writes are coalesced: the first change arms a short timer and later changes ride along, so a stream of
// calls costs one write per interval and can never postpone the save indefinitely. Each write replaces the
// file atomically (temp file, fsync, rename): a crash leaves the previous or the next state, never half
// of one. The timer's window is all a hard kill can lose; close() writes whatever is pending.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Operations } from './operations';
import { parseSavedState, restoreState, serializeState } from './saved-state';
import type { SimulatorState } from './state';

/** Long enough to coalesce a burst of calls, short enough that a hard kill loses little. */
export const DEFAULT_SAVE_DELAY_MS = 200;

/** Where the state file's problems are reported; they never stop the simulator. */
export type StateFileWarn = (message: string, details?: Record<string, unknown>) => void;

export interface StateFileOptions {
  path: string;
  warn: StateFileWarn;
  saveDelayMs?: number;
}

/** The file itself: read, atomic replace, and moving an unreadable one out of the way. */
export class StateFile {
  readonly path: string;

  constructor(filePath: string) {
    this.path = path.resolve(filePath);
  }

  /** The file's text, or undefined when there is none yet. */
  read(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  write(text: string): void {
    mkdirSync(path.dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    // Owner-only: the file holds consignees' names, phones and addresses.
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, text);
      // Without it a machine crash right after the rename can leave an empty file under the real name.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
  }

  /** Renames the file to `<path>.<problem>-<time>` and answers the new name; the original stays for a human to inspect. */
  moveAside(problem: string): string {
    const aside = `${this.path}.${problem}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.path, aside);
    return aside;
  }
}

export interface StatePersistence {
  /** Writes pending changes now. */
  flush(): void;
  /** Writes pending changes and stops listening; later changes stay in memory only. */
  close(): void;
}

/**
 * Restores `state` from the file (moving an unreadable or unknown-version file aside, with a warning),
 * re-arms the timeline of documents that were in flight, and from then on saves after every change.
 * Call it on a freshly constructed state, before the simulator serves calls.
 */
export function persistState(state: SimulatorState, operations: Operations, options: StateFileOptions): StatePersistence {
  const file = new StateFile(options.path);
  const delayMs = options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS;
  let lastWritten: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const existing = file.read();
  if (existing !== undefined) {
    const parsed = parseSavedState(existing);
    if (parsed.ok) {
      restoreState(state, parsed.saved);
      lastWritten = existing;
    } else {
      const aside = file.moveAside(parsed.problem);
      options.warn(`simulator state file ${file.path} was not loaded (${parsed.detail}); moved to ${aside}, starting empty`, {
        problem: parsed.problem,
      });
    }
  }
  operations.resumeTimeline();

  const save = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const text = serializeState(state);
    // Most calls are queries: comparing is cheaper than rewriting the file for nothing.
    if (text === lastWritten) return;
    try {
      file.write(text);
      lastWritten = text;
    } catch (error) {
      // Keep serving from memory; the next change tries again.
      options.warn(`simulator state file ${file.path} could not be written: ${(error as Error).message}`, {
        code: (error as NodeJS.ErrnoException).code,
      });
    }
  };

  state.onChange((change) => {
    if (closed) return;
    // A reset must reach the file before the control answers, or a restart right after would bring
    // the old documents back.
    if (change === 'reset') return save();
    timer ??= setTimeout(save, delayMs);
  });

  return {
    flush: save,
    close() {
      if (closed) return;
      save();
      closed = true;
    },
  };
}
