// The fault mix the chaos run injects into JD calls during the storm, through the simulator's control
// API (/_sim/faults; the client is test/support/simulator.ts).
import type { SimControl } from '../../test/support/simulator';

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
}

/**
 * The mix of the issue: slow answers, answers lost after JD committed, HTTP 5xx, gateway busy (66) and
 * quota (2). Quota is the rarest: its failure asks Temporal to wait at least a minute
 * (EclpQuotaError.retryAfterMs), which each hit adds to one order's time to settle.
 */
export function faultSpecs(mix: FaultMix): Array<{ kind: string; rate: number; latencyMs?: number }> {
  const total = mix.kinds.reduce((sum, kind) => sum + SHARE[kind], 0);
  return mix.kinds
    .map((kind) => ({
      kind,
      rate: Number(((mix.rate * SHARE[kind]) / total).toFixed(4)),
      ...((kind === 'latency' || kind === 'timeoutAfterCommit') && { latencyMs: mix.latencyMs }),
    }))
    .filter((spec) => spec.rate > 0);
}

export async function injectFaultMix(sim: SimControl, mix: FaultMix): Promise<void> {
  for (const spec of faultSpecs(mix)) await sim.injectFault(spec);
}
