// Faults injected into /routerjson calls on demand (the /_sim/faults control). Each fault either fires
// on the next N matching calls and then disappears, or fires at random with a rate until deleted.

export const FAULT_KINDS = ['latency', 'timeoutAfterCommit', 'http5xx', 'busy', 'busyAfterCommit', 'quota', 'businessError'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Gateway codes a `busy` fault may answer (eclp-api.md §1.7): 66 says the backend was not reached; 43, 65
 * and 67 leave open whether it executed the call ("may have committed").
 */
export const BUSY_CODES = ['43', '65', '66', '67'] as const;
export type BusyCode = (typeof BUSY_CODES)[number];
/** The codes after which JD may have executed the call: the only ones `busyAfterCommit` answers. */
export const MAY_HAVE_COMMITTED_CODES = ['43', '65', '67'] as const satisfies readonly BusyCode[];
export const DEFAULT_BUSY_CODE: BusyCode = '66';
export const DEFAULT_BUSY_AFTER_COMMIT_CODE: BusyCode = '65';

export const DEFAULT_LATENCY_MS = 2_000;
export const DEFAULT_HOLD_MS = 60_000;
export const DEFAULT_BUSINESS_ERROR = '业务校验失败：仓库拒绝接收该单据（模拟）';

export interface FaultSpec {
  kind: FaultKind;
  method?: string;
  next?: number;
  rate?: number;
  latencyMs?: number;
  message?: string;
  /** `busy` / `busyAfterCommit` only: the gateway code answered. */
  code?: BusyCode;
}

export interface Fault extends FaultSpec {
  id: string;
  /** How many calls it has hit so far. */
  fired: number;
}

/** What happens to one call: an added delay, then at most one outcome that replaces or follows handling. */
export interface FaultPlan {
  delayMs: number;
  outcome?: Fault;
}

export class FaultBook {
  private readonly faults: Fault[] = [];
  private sequence = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** `spec` must carry exactly one of next/rate; without either it fires once. */
  add(spec: FaultSpec): Fault {
    if (spec.next !== undefined && spec.rate !== undefined) throw new Error('a fault takes either next or rate, not both');
    this.sequence += 1;
    const fault: Fault = { ...spec, id: `F${this.sequence}`, fired: 0 };
    if (fault.rate === undefined && fault.next === undefined) fault.next = 1;
    this.faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const index = this.faults.findIndex((f) => f.id === id);
    if (index < 0) return false;
    this.faults.splice(index, 1);
    return true;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /**
   * Decides the faults for one call of `method`, consuming `next` counts. Latencies add up; of the other
   * kinds only the oldest firing one applies, so two outcomes never fight over one answer.
   */
  draw(method: string): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    for (const fault of [...this.faults]) {
      if (fault.method !== undefined && fault.method !== method) continue;
      if (fault.kind !== 'latency' && plan.outcome) continue;
      if (fault.rate !== undefined && this.random() >= fault.rate) continue;
      fault.fired += 1;
      if (fault.next !== undefined) {
        fault.next -= 1;
        if (fault.next <= 0) this.remove(fault.id);
      }
      if (fault.kind === 'latency') plan.delayMs += fault.latencyMs ?? DEFAULT_LATENCY_MS;
      else plan.outcome = { ...fault };
    }
    return plan;
  }
}
