// Sales orders in the chaos run: the plan, the runner and the invariants behind the ChaosDriver interface.
import type { ApiClient } from '../../test/support/api-client';
import type { ChaosDriver, ChaosWorld } from './driver';
import { ADD_ORDER } from './jd-wire';
import { formatLatency, summarize, verdictLatencies } from './latency';
import type { Random } from './random';
import { checkSalesOrders, NO_MINIMUMS, type SalesOrderExpectations } from './sales-order-invariants';
import { prepareMasterData } from './sales-order-master-data';
import { planSalesOrders, type SalesOrderPlan } from './sales-order-plan';
import { SalesOrderRunner } from './sales-order-runner';
import { isSettled, progress, readPushLatencies, readWorld } from './sales-order-world';
import { runScripts } from './script';

/** JD's warehouse moves for the run: pick 3 s after acceptance, pack 5 s, ship 7 s. */
export const SALES_ORDER_CHAOS_TIMELINE = { salesOrder: { pickAfterMs: 3_000, packAfterMs: 5_000, shipAfterMs: 7_000, deliverAfterMs: null } };

/**
 * `count` orders; `expected`: the minimums a run must reach for its verdict to count (ChaosOptions); its
 * `minAmbiguousPushes` addOrder calls are also the ones whose answers JD loses on top of the fault mix.
 */
export function salesOrderChaosDriver(count: number, expected: SalesOrderExpectations = NO_MINIMUMS): ChaosDriver {
  let plans: SalesOrderPlan[] = [];
  let runner: SalesOrderRunner | undefined;
  const journal = () => runner?.journal ?? { cancels: [], surprises: [] };
  return {
    name: 'sales orders',
    count,
    timeline: SALES_ORDER_CHAOS_TIMELINE,
    ...(expected.minAmbiguousPushes > 0 && { lostAnswers: { method: ADD_ORDER, calls: expected.minAmbiguousPushes } }),
    prepare: (api: ApiClient) => prepareMasterData(api),
    plan(random: Random, loadMs: number) {
      plans = planSalesOrders(random, count, loadMs);
    },
    async drive(api: ApiClient, t0: number) {
      const current = new SalesOrderRunner(api);
      runner = current;
      await runScripts(plans, t0, (plan) => current.run(plan), (plan, err) => current.journal.surprises.push(`${plan.orderNo}: ${err.message}`));
    },
    async unsettled(world: ChaosWorld) {
      const p = await progress(world.db, world.documents);
      if (isSettled(p)) return undefined;
      return `sales orders: ${p.open} open, ${p.undecidedCancels} cancels undecided, ${p.runningWorkflows} runs running (${p.failedOrders} FAILED orders wait)`;
    },
    async judge(world: ChaosWorld) {
      const snapshot = await readWorld(world.db, world.documents, await world.jdState(), world.jdPushes(ADD_ORDER));
      const verdicts = verdictLatencies(snapshot.cancels, journal().cancels);
      return {
        invariants: checkSalesOrders(snapshot, journal(), expected),
        figures: [
          `sales orders, approve → pushed to JD: ${formatLatency(summarize(await readPushLatencies(world.db)))}`,
          ...Object.entries(verdicts).map(([verdict, summary]) => `sales orders, cancel → ${verdict}: ${formatLatency(summary)}`),
        ],
      };
    },
  };
}
