// Optional scenarios the bench runs on its running stack after the standard phases (the JD call economy
// of issue 5 item 5 and issue 10 §6, sales and purchase orders, is the first). A scenario is a module in
// this folder exporting one function; the list below names it, and a module that is not there yet is
// reported as unavailable, not as an error.
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { ApiClient, Role } from '../../test/support/api-client';
import type { SimControl } from '../../test/support/simulator';
import type { BenchDriver, DriverContext } from '../drivers/types';
import type { BenchTarget } from '../target';

export interface ScenarioContext {
  /** The running system; `target.stack` (embedded runs) can kill and restart its parts, `target.restart` re-configures them. */
  target: BenchTarget;
  api: ApiClient;
  tokens: Partial<Record<Role, string>>;
  sim: SimControl;
  temporal: Client;
  /** The system's PostgreSQL. */
  db: Knex;
  /** The run's driver (sales-order unless --type says otherwise), its context and master data already prepared. */
  driver: BenchDriver;
  driverContext: DriverContext;
  options: { orders: number; quick: boolean };
  signal: AbortSignal;
  log(line: string): void;
}

export interface ScenarioOutcome {
  /** Any JSON-able figures; stored in the report under `scenarios[<name>].result`. */
  result: unknown;
  /** Printed under the scenario's heading; the first row is the header. */
  rows: string[][];
}

export type ScenarioRun = (ctx: ScenarioContext) => Promise<ScenarioOutcome>;

export interface ScenarioEntry {
  name: string;
  title: string;
  /** Module in this folder and the function it exports. */
  module: string;
  exportName: string;
}

export const SCENARIOS: readonly ScenarioEntry[] = [
  {
    name: 'jd-economy',
    title: 'JD call economy at scale: per-document polling vs batched sweeper, sales orders and purchase orders',
    module: 'jd-economy',
    exportName: 'runJdEconomyScenario',
  },
];

/** The scenario's function, or undefined when its module is not in the tree. */
export async function loadScenario(entry: ScenarioEntry): Promise<ScenarioRun | undefined> {
  const file = path.join(__dirname, entry.module);
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String((err as Error).message).includes(entry.module)) return undefined;
    throw err;
  }
  const run = loaded[entry.exportName];
  if (typeof run !== 'function') throw new Error(`bench/scenarios/${entry.module} does not export a function ${entry.exportName}`);
  return run as ScenarioRun;
}
