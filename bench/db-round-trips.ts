// Database round trips the worker and API processes sent, as they report them (bench/db-count.cjs writes
// one file per process into a directory the bench gives them). Snapshots taken before and after a phase
// give the phase's round trips per process and per statement.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../test/support/timing';

export interface DbCounts {
  total: number;
  /** Role (the entry's folder: worker, api) → round trips; processes restarted mid-run are summed. */
  byProcess: Record<string, number>;
  /** Statement text (bind parameters as $n, digits as N) → round trips. */
  byStatement: Record<string, number>;
}

interface ProcessFile {
  total: number;
  byStatement: Record<string, number>;
}

export function readDbCounts(dir: string): DbCounts {
  const counts: DbCounts = { total: 0, byProcess: {}, byStatement: {} };
  if (!existsSync(dir)) return counts;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    let file: ProcessFile;
    try {
      file = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as ProcessFile;
    } catch {
      continue; // replaced between readdir and read (the writer renames atomically): the next read has it
    }
    const role = name.replace(/-\d+\.json$/, '');
    counts.total += file.total;
    counts.byProcess[role] = (counts.byProcess[role] ?? 0) + file.total;
    for (const [statement, n] of Object.entries(file.byStatement)) counts.byStatement[statement] = (counts.byStatement[statement] ?? 0) + n;
  }
  return counts;
}

/**
 * The counts once no process has sent anything for `quietMs` (the last documents' final steps, such as the
 * ERP webhook, run after the milestone the phase waits for), or after `maxMs` when something keeps
 * querying in the background (readiness checks: then they are counted too, which only overstates).
 */
export async function settledDbCounts(dir: string, { quietMs = 600, maxMs = 10_000 } = {}): Promise<DbCounts> {
  const deadline = Date.now() + maxMs;
  let last = readDbCounts(dir);
  for (;;) {
    await sleep(quietMs);
    const now = readDbCounts(dir);
    if (now.total === last.total || Date.now() > deadline) return now;
    last = now;
  }
}

export function dbCountsDelta(from: DbCounts, to: DbCounts): DbCounts {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)] as const).filter(([, v]) => v > 0));
  return { total: to.total - from.total, byProcess: minus(to.byProcess, from.byProcess), byStatement: minus(to.byStatement, from.byStatement) };
}
