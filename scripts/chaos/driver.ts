// What a document type brings to the chaos run. The harness (stack, faults, disruptions, API recording,
// quiescence, the availability invariant, the report) is shared; purchase orders and returns plug in
// by implementing this, not by copying the harness.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import type { StateSnapshot } from '../../simulator/state';
import type { TimelinePatch } from '../../simulator/timeline';
import type { ApiClient } from '../../test/support/api-client';
import type { InvariantResult } from './invariants';
import type { AddOrderCall } from './jd-wire';
import type { Random } from './random';

/** Where a driver reads the outcome: Postgres, Temporal (through client/), what JD (the simulator) knows, and the wire to JD. */
export interface ChaosWorld {
  db: Knex;
  documents: DocumentClient;
  jdState(): Promise<StateSnapshot>;
  /** Every addOrder the worker sent to JD, as the recorder in front of the simulator saw it. */
  addOrderCalls(): AddOrderCall[];
}

export interface ChaosDriver {
  /** The documents it drives, for log lines ("sales orders"). */
  readonly name: string;
  /** Simulator timeline its documents need; merged over the demo timeline. */
  readonly timeline: TimelinePatch;
  /** Master data through the API, before the storm (no faults, no disruptions yet). */
  prepare(api: ApiClient): Promise<void>;
  /** Plans `count` documents over `loadMs` using only `random`, so a seed repeats the plan. */
  plan(random: Random, count: number, loadMs: number): void;
  /** Carries the plan out from `t0`; resolves when every document's script is done. Never rejects. */
  drive(api: ApiClient, t0: number): Promise<void>;
  /** What is still moving (a log line), or undefined once its documents have settled. */
  unsettled(world: ChaosWorld): Promise<string | undefined>;
  /** Its invariants, and figures for the report's header (e.g. latencies). */
  judge(world: ChaosWorld): Promise<{ invariants: InvariantResult[]; figures: string[] }>;
}
