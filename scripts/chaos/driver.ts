// What a document type brings to the chaos run. The harness (stack, faults, disruptions, API recording,
// quiescence, the availability invariant, the report) is shared; sales orders, purchase orders and
// returns plug in by implementing this, not by copying the harness.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import type { StateSnapshot } from '../../simulator/state';
import type { TimelinePatch } from '../../simulator/timeline';
import type { ApiClient } from '../../test/support/api-client';
import type { SimControl } from '../../test/support/simulator';
import type { InvariantResult } from './invariants';
import type { JdPushCall } from './jd-wire';
import type { Random } from './random';
import type { FaultSpec } from './simulator';

/** Where a driver reads the outcome: Postgres, Temporal (through client/), what JD (the simulator) knows, and the wire to JD. */
export interface ChaosWorld {
  db: Knex;
  documents: DocumentClient;
  jdState(): Promise<StateSnapshot>;
  /** Every push of `method` (jd-wire ADD_ORDER, ADD_PO_ORDER, TRANSPORT_RTW) the worker sent to JD, as the recorder in front of the simulator saw it. */
  jdPushes(method: string): JdPushCall[];
}

export interface ChaosDriver {
  /** The documents it drives, for log lines ("sales orders"). */
  readonly name: string;
  /** How many documents its plan holds (the log line and the report's header). */
  readonly count: number;
  /** Simulator timeline its documents need; merged over the demo timeline. */
  readonly timeline: TimelinePatch;
  /** On top of the fault mix: the next `calls` calls of `method` are executed by JD and their answers lost. */
  readonly lostAnswers?: { method: string; calls: number };
  /** Faults of its own documents' JD calls (e.g. JD refusing the next cancels), injected before the mix so that they surely fire. */
  readonly faults?: readonly FaultSpec[];
  /** Master data through the API, before the storm (no faults, no disruptions yet). */
  prepare(api: ApiClient): Promise<void>;
  /** Plans its documents over `loadMs` using only `random`, so a seed repeats the plan. */
  plan(random: Random, loadMs: number): void;
  /**
   * Carries the plan out from `t0` through the API; `jd` is the simulator's control, for what the warehouse
   * does by hand and what an operator looks up in JD's backend. Resolves when every document's script is
   * done. Never rejects.
   */
  drive(api: ApiClient, t0: number, jd: SimControl): Promise<void>;
  /** What is still moving (a log line), or undefined once its documents have settled. */
  unsettled(world: ChaosWorld): Promise<string | undefined>;
  /** Its invariants, and figures for the report's header (e.g. latencies). */
  judge(world: ChaosWorld): Promise<{ invariants: InvariantResult[]; figures: string[] }>;
}
