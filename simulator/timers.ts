// Every timer the simulator starts (timeline stages, injected latency, held sockets) goes through one
// TimerSet, so close() and /_sim/reset can stop them all and jest exits without open handles.

export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs `task` after `delayMs`; the returned function cancels it. */
  after(delayMs: number, task: () => void): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, Math.max(0, delayMs));
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Resolves after `delayMs`, or never when the set is cleared first (the caller's socket is gone by then). */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.after(delayMs, resolve);
    });
  }

  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
