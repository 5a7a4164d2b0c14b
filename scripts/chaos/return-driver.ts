// Returns and exchanges in the chaos run: the plan, the runner and the invariants behind the ChaosDriver
// interface, mixed into the same storm as the sales and purchase orders. Each return ships a sales order
// of its own first, so the sales-order invariants judge those orders (and the replacement orders) too.
import { EclpMethod } from '../../eclp/methods';
import type { ApiClient } from '../../test/support/api-client';
import type { SimControl } from '../../test/support/simulator';
import type { ChaosDriver, ChaosWorld } from './driver';
import { TRANSPORT_RTW } from './jd-wire';
import { formatLatency, summarize, verdictLatencies } from './latency';
import type { Random } from './random';
import { checkReturns, NO_RETURN_MINIMUMS, type ReturnExpectations } from './return-invariants';
import { planReturns, RETURN_CHAOS_TIMELINE, type ReturnPlan } from './return-plan';
import { ReturnRunner } from './return-runner';
import { isReturnSettled, readReturnPushLatencies, readReturnWorld, returnProgress } from './return-world';
import { prepareMasterData } from './sales-order-master-data';
import { runScripts } from './script';

export interface ReturnDriverOptions {
  count: number;
  /** transportRtw calls whose answers JD loses on top of the fault mix. */
  ambiguousPushes: number;
  /** cancelRtwOrder calls JD refuses (the first ones of the run): a return whose cancel JD refused is then received. */
  cancelRefusals: number;
  expected?: ReturnExpectations;
}

export function returnChaosDriver({ count, ambiguousPushes, cancelRefusals, expected = NO_RETURN_MINIMUMS }: ReturnDriverOptions): ChaosDriver {
  let plans: ReturnPlan[] = [];
  let runner: ReturnRunner | undefined;
  const journal = () => (runner ? { ...runner.journal, surprises: runner.surprises() } : { creates: [], requests: [], surprises: [] });
  return {
    name: 'returns',
    count,
    timeline: RETURN_CHAOS_TIMELINE,
    ...(ambiguousPushes > 0 && { lostAnswers: { method: TRANSPORT_RTW, calls: ambiguousPushes } }),
    ...(cancelRefusals > 0 && { faults: [{ kind: 'businessError', method: EclpMethod.CANCEL_RTW_ORDER, next: cancelRefusals, message: '退货单已在仓库处理中，不允许取消（混沌测试）' }] }),
    // Its sales orders need the sales-order master data (the carrier; the warehouse JD does not know).
    prepare: (api: ApiClient) => prepareMasterData(api),
    plan(random: Random, loadMs: number) {
      plans = planReturns(random, count, loadMs);
    },
    async drive(api: ApiClient, t0: number, jd: SimControl) {
      const current = new ReturnRunner(api, jd);
      runner = current;
      await runScripts(plans, t0, (plan) => current.run(plan), (plan, err) => current.journal.surprises.push(`${plan.returnNo}: ${err.message}`));
    },
    async unsettled(world: ChaosWorld) {
      const p = await returnProgress(world.db, world.documents);
      if (isReturnSettled(p)) return undefined;
      return `returns: ${p.open} open, ${p.undecided} cancels undecided, ${p.runningWorkflows} runs running (${p.waiting} FAILED wait for an operator)`;
    },
    async judge(world: ChaosWorld) {
      const snapshot = await readReturnWorld(world.db, world.documents, await world.jdState(), world.jdPushes(TRANSPORT_RTW));
      const verdicts = verdictLatencies(snapshot.requests, journal().requests);
      const moves = runner?.warehouse;
      return {
        invariants: checkReturns(snapshot, journal(), expected),
        figures: [
          `returns, created → JD holds it: ${formatLatency(summarize(await readReturnPushLatencies(world.db)))}`,
          ...Object.entries(verdicts).map(([verdict, summary]) => `returns, cancel → ${verdict}: ${formatLatency(summary)}`),
          ...(moves
            ? [`returns, the warehouse by hand: received ${moves.received} (${moves.receivedShort} short or defective, ${moves.reported} after a report to the merchant), rejected ${moves.rejected}; moves JD refused ${moves.refused}`]
            : []),
        ],
      };
    },
  };
}
