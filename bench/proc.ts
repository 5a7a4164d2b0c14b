// CPU seconds and resident memory of the system's processes, read from /proc (Linux): the worker and API
// children by pid, the Temporal dev server and PostgreSQL as whole process trees (PostgreSQL forks a
// backend per connection), the bench process itself, and the machine's overall CPU use.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  own: number;
  /** cutime + cstime: children it has reaped (how PostgreSQL's ended backends are still counted). */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: num(4), own: num(14) + num(15), reaped: num(16) + num(17) };
  } catch {
    return undefined;
  }
}

function readRssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.set(stat.pid, stat);
  }
  return stats;
}

function treeOf(root: number, stats: Map<number, ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    if (!stats.has(pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * The topmost descendants of `ancestor` whose command line matches: the Temporal dev server
 * (`start-dev`) and the embedded PostgreSQL started by this process.
 */
export function findServerRoots(ancestor: number, pattern: RegExp): number[] {
  const stats = allStats();
  const tree = new Set(treeOf(ancestor, stats));
  const matches = [...tree].filter((pid) => pid !== ancestor && pattern.test(cmdline(pid)));
  const matchSet = new Set(matches);
  return matches.filter((pid) => !matchSet.has(stats.get(pid)?.ppid ?? -1));
}

export interface CpuSnapshot {
  at: number;
  /** CPU seconds so far per role. */
  cpuSeconds: Record<string, number>;
  /** Machine-wide jiffies from /proc/stat. */
  system: { busy: number; total: number };
}

export interface ProcessRoles {
  /** Role name → root pids whose whole trees count for the role. */
  trees: Record<string, number[]>;
  /** Roles counted as the single process only (the bench itself: its children are other roles). */
  single: Record<string, number>;
  /**
   * Tree roles whose root does the work and whose children are helpers (a worker's esbuild service):
   * the root's VmHWM is reported for them. Not for PostgreSQL, whose root is the idle postmaster.
   */
  highWaterMarkOfRoot?: readonly string[];
}

function systemTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Samples RSS of every role every `intervalMs` (for peaks) and answers CPU snapshots on demand. */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly peakRssKb = new Map<string, number>();
  private readonly hwmKb = new Map<string, number>();

  constructor(private readonly roles: () => ProcessRoles) {}

  start(intervalMs = 500): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): CpuSnapshot {
    const stats = allStats();
    const { trees, single } = this.roles();
    const cpuSeconds: Record<string, number> = {};
    for (const [role, roots] of Object.entries(trees)) {
      let ticks = 0;
      for (const root of roots) for (const pid of treeOf(root, stats)) ticks += stats.get(pid)!.own + stats.get(pid)!.reaped;
      cpuSeconds[role] = ticks / CLOCK_TICKS;
    }
    for (const [role, pid] of Object.entries(single)) cpuSeconds[role] = (stats.get(pid)?.own ?? 0) / CLOCK_TICKS;
    return { at: Date.now(), cpuSeconds, system: systemTicks() };
  }

  /** Forgets the sampled peaks (not the kernel's high-water marks): peaks of the phases that follow. */
  resetPeaks(): void {
    this.peakRssKb.clear();
  }

  /** Highest sampled resident set per role (sum over the role's processes), in MiB. */
  peakRssMb(role: string): number | null {
    const kb = this.peakRssKb.get(role);
    return kb === undefined ? null : kb / 1024;
  }

  /** The kernel's own high-water mark (VmHWM) of a single-process role (or its working root), in MiB. */
  highWaterMarkMb(role: string): number | null {
    const kb = this.hwmKb.get(role);
    return kb === undefined ? null : kb / 1024;
  }

  private sample(): void {
    const stats = allStats();
    const { trees, single, highWaterMarkOfRoot = [] } = this.roles();
    const note = (role: string, rss: number, hwm: number) => {
      this.peakRssKb.set(role, Math.max(this.peakRssKb.get(role) ?? 0, rss));
      if (hwm > 0) this.hwmKb.set(role, Math.max(this.hwmKb.get(role) ?? 0, hwm));
    };
    for (const [role, roots] of Object.entries(trees)) {
      const pids = roots.flatMap((root) => treeOf(root, stats));
      if (!pids.length) continue;
      // VmHWM is per process: it stands for the role when the role is one process or its root does the work.
      const hwm = pids.length === 1 || (roots.length === 1 && highWaterMarkOfRoot.includes(role)) ? readRssKb(roots[0] ?? pids[0]!, 'VmHWM') : 0;
      note(role, pids.reduce((sum, pid) => sum + readRssKb(pid, 'VmRSS'), 0), hwm);
    }
    for (const [role, pid] of Object.entries(single)) note(role, readRssKb(pid, 'VmRSS'), readRssKb(pid, 'VmHWM'));
  }
}

export interface CpuDelta {
  seconds: number;
  cpuSeconds: Record<string, number>;
  /** Share of all cores busy over the interval, 0..1. */
  systemBusy: number;
  /** CPU seconds of processes that are not part of the measured system (other jobs on the machine). */
  foreignCpuSeconds: number;
}

export function cpuDelta(from: CpuSnapshot, to: CpuSnapshot): CpuDelta {
  const cpuSeconds: Record<string, number> = {};
  for (const [role, value] of Object.entries(to.cpuSeconds)) cpuSeconds[role] = Math.max(0, value - (from.cpuSeconds[role] ?? 0));
  const total = to.system.total - from.system.total;
  const busySeconds = (to.system.busy - from.system.busy) / CLOCK_TICKS;
  const ours = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
  return {
    seconds: (to.at - from.at) / 1000,
    cpuSeconds,
    systemBusy: total > 0 ? (to.system.busy - from.system.busy) / total : NaN,
    foreignCpuSeconds: Math.max(0, busySeconds - ours),
  };
}
