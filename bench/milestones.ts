// When each document reached each milestone, as reported by a driver's watcher (Postgres for the real
// system, in-process activities for the baselines). The load generator waits on it; the report reads it.

export interface MilestoneSink {
  mark(docNo: string, milestone: string, at: number): void;
  /** The document will not reach its milestones (JD refused it, the pre-flight failed, …). */
  fail(docNo: string, reason: string, at: number): void;
}

type Waiter = { milestone: string; resolve: (at: number | undefined) => void };

export class MilestoneTracker implements MilestoneSink {
  private readonly reached = new Map<string, Map<string, number>>();
  private readonly failures = new Map<string, string>();
  private readonly waiters = new Map<string, Waiter[]>();

  mark(docNo: string, milestone: string, at: number): void {
    let times = this.reached.get(docNo);
    if (!times) this.reached.set(docNo, (times = new Map()));
    // A retried activity may log twice in theory; the first time is when the milestone was reached.
    if (times.has(milestone)) return;
    times.set(milestone, at);
    this.settle(docNo, (w) => w.milestone === milestone, at);
  }

  fail(docNo: string, reason: string, _at: number): void {
    if (this.failures.has(docNo)) return;
    this.failures.set(docNo, reason);
    this.settle(docNo, () => true, undefined);
  }

  at(docNo: string, milestone: string): number | undefined {
    return this.reached.get(docNo)?.get(milestone);
  }

  failure(docNo: string): string | undefined {
    return this.failures.get(docNo);
  }

  /** Resolves with the time the milestone was reached, or undefined on failure or timeout. */
  waitFor(docNo: string, milestone: string, timeoutMs: number): Promise<number | undefined> {
    const known = this.at(docNo, milestone);
    if (known !== undefined) return Promise.resolve(known);
    if (this.failures.has(docNo)) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.set(docNo, (this.waiters.get(docNo) ?? []).filter((w) => w !== waiter));
        resolve(undefined);
      }, timeoutMs);
      const waiter: Waiter = {
        milestone,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.waiters.set(docNo, [...(this.waiters.get(docNo) ?? []), waiter]);
    });
  }

  /** Waits until every document reached `milestone` or failed, or the deadline passed. */
  async waitForAll(docNos: readonly string[], milestone: string, timeoutMs: number): Promise<{ reached: number; failed: number; missing: string[] }> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(docNos.map((docNo) => this.waitFor(docNo, milestone, Math.max(0, deadline - Date.now()))));
    const missing = docNos.filter((d) => this.at(d, milestone) === undefined && !this.failures.has(d));
    const failed = docNos.filter((d) => this.failures.has(d)).length;
    return { reached: docNos.length - missing.length - failed, failed, missing };
  }

  private settle(docNo: string, matches: (w: Waiter) => boolean, at: number | undefined): void {
    const waiting = this.waiters.get(docNo);
    if (!waiting) return;
    const keep: Waiter[] = [];
    for (const w of waiting) {
      if (matches(w)) w.resolve(at);
      else keep.push(w);
    }
    if (keep.length) this.waiters.set(docNo, keep);
    else this.waiters.delete(docNo);
  }
}
