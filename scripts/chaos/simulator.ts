// The fault mix the chaos run injects into JD calls during the storm, and the JD behaviour it runs
// against, through the simulator's control API (/_sim/faults, /_sim/behaviour; the client is
// test/support/simulator.ts).
import { simControl, type SimControl } from '../../test/support/simulator';

export const FAULT_MIX_KINDS = ['latency', 'timeoutAfterCommit', 'http5xx', 'busy', 'quota'] as const;
export type FaultMixKind = (typeof FAULT_MIX_KINDS)[number];

/** How the fault rate is shared out among the kinds. */
const SHARE: Record<FaultMixKind, number> = { latency: 0.3, timeoutAfterCommit: 0.2, http5xx: 0.2, busy: 0.2, quota: 0.1 };

export interface FaultMix {
  /** Share of JD calls hit by some fault (latency adds to the others; of the rest one applies). */
  rate: number;
  /** The kinds injected; the rate is shared among them in the proportions of SHARE. */
  kinds: readonly FaultMixKind[];
  /** How long a `latency` fault delays a call, and how long `timeoutAfterCommit` holds the socket. */
  latencyMs: number;
  /** On top of the mix, per method: the next `calls` calls are executed by JD and their answers lost (the drivers' lostAnswers). */
  lostAnswers: ReadonlyArray<{ method: string; calls: number }>;
  /** The drivers' own faults (ChaosDriver.faults), after the lost answers and before the mix. */
  extra?: readonly FaultSpec[];
}

/** The busy share is split among JD's transient codes: 66 never reached the backend, after 43/65/67 it may have executed. */
const BUSY_CODES = ['66', '43', '65', '67'] as const;

/**
 * The mix of the issue: slow answers, answers lost after JD committed, HTTP 5xx, gateway busy (66) and
 * quota (2). Quota is the rarest: its failure asks Temporal to wait at least a minute
 * (EclpQuotaError.retryAfterMs), which each hit adds to one order's time to settle.
 */
export interface FaultSpec {
  kind: string;
  rate?: number;
  next?: number;
  method?: string;
  latencyMs?: number;
  code?: string;
  /** businessError: JD's words. */
  message?: string;
}

export function faultSpecs(mix: FaultMix): FaultSpec[] {
  const total = mix.kinds.reduce((sum, kind) => sum + SHARE[kind], 0);
  const rateOf = (kind: FaultMixKind) => (mix.rate * SHARE[kind]) / total;
  const specs = mix.kinds.flatMap((kind): FaultSpec[] => {
    if (kind === 'busy') return BUSY_CODES.map((code) => ({ kind, code, rate: Number((rateOf(kind) / BUSY_CODES.length).toFixed(4)) }));
    return [{ kind, rate: Number(rateOf(kind).toFixed(4)), ...((kind === 'latency' || kind === 'timeoutAfterCommit') && { latencyMs: mix.latencyMs }) }];
  });
  // A rate alone may never hit one of the few pushes of a small run: these surely do. Of the faults that
  // match one call only the oldest applies (simulator/faults.ts), so these go first.
  const ambiguous = mix.lostAnswers.filter((l) => l.calls > 0).map((l): FaultSpec => ({ kind: 'timeoutAfterCommit', method: l.method, next: l.calls, latencyMs: mix.latencyMs }));
  return [...ambiguous, ...(mix.extra ?? []), ...specs.filter((spec) => (spec.rate ?? 0) > 0)];
}

export async function injectFaultMix(sim: SimControl, mix: FaultMix): Promise<void> {
  for (const spec of faultSpecs(mix)) await sim.injectFault(spec);
}

export type DuplicateAnswer = 'return-existing' | 'reject';

export interface JdBehaviour {
  /** addOrder with an isvUUID JD already holds: answer the existing order, or refuse it as a duplicate. */
  duplicateIsvUuid: DuplicateAnswer;
  /** How long a new order stays invisible to the lookup by isvUUID. */
  lookupLagMs: number;
  /**
   * addPoOrder with a spPoOrderNo JD already holds: answer the existing PO, or refuse it as a duplicate —
   * then an ambiguous push ends PUSH_UNCONFIRMED and waits for an operator (JD has no lookup by our number).
   */
  duplicateSpPoOrderNo: DuplicateAnswer;
}

/**
 * Sets how the simulated JD answers where its real behaviour is unknown. A simulator without the control
 * fails the run: a run that silently kept the forgiving defaults would prove less than it claims.
 */
export async function setJdBehaviour(sim: SimControl, behaviour: JdBehaviour): Promise<void> {
  const answer = await simControl(sim.baseUrl, 'POST', '/_sim/behaviour', behaviour);
  if (answer.status === 404) throw new Error('the simulator has no POST /_sim/behaviour control (404): it cannot refuse duplicate isvUUIDs or spPoOrderNos or lag lookups, so this run would not test them');
  if (answer.status !== 200) throw new Error(`POST /_sim/behaviour answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const set = answer.body as Partial<JdBehaviour>;
  if (set.duplicateIsvUuid !== behaviour.duplicateIsvUuid || set.lookupLagMs !== behaviour.lookupLagMs || set.duplicateSpPoOrderNo !== behaviour.duplicateSpPoOrderNo) {
    throw new Error(`POST /_sim/behaviour did not take ${JSON.stringify(behaviour)}: the simulator answered ${JSON.stringify(set)}`);
  }
}
