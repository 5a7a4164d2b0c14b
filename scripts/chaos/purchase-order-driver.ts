// Purchase orders in the chaos run: the plan, the runner and the invariants behind the ChaosDriver
// interface, mixed into the same storm as the sales orders.
import type { ApiClient } from '../../test/support/api-client';
import type { SimControl } from '../../test/support/simulator';
import type { ChaosDriver, ChaosWorld } from './driver';
import { ADD_PO_ORDER } from './jd-wire';
import { formatLatency, summarize, verdictLatencies } from './latency';
import { checkPurchaseOrders, NO_PO_MINIMUMS, type PurchaseOrderExpectations } from './purchase-order-invariants';
import { preparePurchaseOrderMasterData } from './purchase-order-master-data';
import { PURCHASE_ORDER_CHAOS_TIMELINE, planPurchaseOrders, type PurchaseOrderPlan } from './purchase-order-plan';
import { PurchaseOrderRunner } from './purchase-order-runner';
import { isPurchaseOrderSettled, purchaseOrderProgress, readPoPushLatencies, readPurchaseOrderWorld } from './purchase-order-world';
import type { Random } from './random';
import { runScripts } from './script';

export interface PurchaseOrderDriverOptions {
  count: number;
  /** addPoOrder calls whose answers JD loses on top of the fault mix. */
  ambiguousPushes: number;
  expected?: PurchaseOrderExpectations;
}

export function purchaseOrderChaosDriver({ count, ambiguousPushes, expected = NO_PO_MINIMUMS }: PurchaseOrderDriverOptions): ChaosDriver {
  let plans: PurchaseOrderPlan[] = [];
  let runner: PurchaseOrderRunner | undefined;
  const journal = () => runner?.journal ?? { requests: [], surprises: [] };
  return {
    name: 'purchase orders',
    count,
    timeline: PURCHASE_ORDER_CHAOS_TIMELINE,
    ...(ambiguousPushes > 0 && { lostAnswers: { method: ADD_PO_ORDER, calls: ambiguousPushes } }),
    prepare: (api: ApiClient) => preparePurchaseOrderMasterData(api),
    plan(random: Random, loadMs: number) {
      plans = planPurchaseOrders(random, count, loadMs);
    },
    async drive(api: ApiClient, t0: number, jd: SimControl) {
      const current = new PurchaseOrderRunner(api, jd);
      runner = current;
      await runScripts(plans, t0, (plan) => current.run(plan), (plan, err) => current.journal.surprises.push(`${plan.poNo}: ${err.message}`));
    },
    async unsettled(world: ChaosWorld) {
      const p = await purchaseOrderProgress(world.db, world.documents);
      if (isPurchaseOrderSettled(p)) return undefined;
      return `purchase orders: ${p.open} open, ${p.undecided} requests undecided, ${p.runningWorkflows} runs running (${p.waiting} wait for an operator)`;
    },
    async judge(world: ChaosWorld) {
      const snapshot = await readPurchaseOrderWorld(world.db, world.documents, await world.jdState(), world.jdPushes(ADD_PO_ORDER));
      const verdicts = verdictLatencies(snapshot.requests, journal().requests, (row) => `${row.kind} → ${row.verdict}`);
      const operator = runner?.operator;
      return {
        invariants: checkPurchaseOrders(snapshot, journal(), expected),
        figures: [
          `purchase orders, created → JD holds it: ${formatLatency(summarize(await readPoPushLatencies(world.db)))}`,
          ...Object.entries(verdicts).map(([verdict, summary]) => `purchase orders, ${verdict}: ${formatLatency(summary)}`),
          ...(operator
            ? [
                `purchase orders, operator: linked ${operator.linked} PUSH_UNCONFIRMED (${operator.linkedAsJdHadGoods} because JD's PO had goods), had JD cancel and pushed again ${operator.repushedAfterJdCancel}; mapped a supplier and pushed again ${operator.supplierMapped}; cancelled ${operator.cancelledFailed} FAILED`,
              ]
            : []),
        ],
      };
    },
  };
}
