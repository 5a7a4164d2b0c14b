// The chaos run (scripts/chaos/, docs/chaos.md): its sales-order invariant checks catch what they exist
// for (the purchase-order and return ones: purchase-order-invariants.test.ts, return-invariants.test.ts),
// the API answers outages with 503 problem+json and Retry-After, and a small configuration of the run — 30
// sales orders, 12 purchase orders and 12 returns, one worker SIGKILL, a Temporal and a PostgreSQL
// restart, JD faults — holds every invariant.
import net from 'node:net';
import { ServiceError } from '@temporalio/client';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp, isDatabaseUnavailable } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { route } from '../../api/route';
import { checkApiAvailability, checkNoUnexpectedExits, failedInvariants as failing } from '../../scripts/chaos/invariants';
import { summarize, verdictLatencies } from '../../scripts/chaos/latency';
import { parseChaosArgs } from '../../scripts/chaos/options';
import { seededRandom } from '../../scripts/chaos/random';
import { formatReport } from '../../scripts/chaos/report';
import { runChaos } from '../../scripts/chaos/run';
import {
  checkCancelOutcomes,
  checkCancelVerdicts,
  checkJdAgrees,
  checkOneJdOrderPerPush,
  checkPushRecovery,
  checkSalesOrders,
  checkSettled,
  checkStockLedger,
  NO_MINIMUMS,
  type SalesOrderJournal,
  type SalesOrderWorld,
} from '../../scripts/chaos/sales-order-invariants';
import { planSalesOrders } from '../../scripts/chaos/sales-order-plan';
import { faultSpecs } from '../../scripts/chaos/simulator';
import { freePort, type ApiExchange } from '../support';

// ---------------------------------------------------------------- the invariant checks

/**
 * A consistent world: A shipped; B never approved; C refunded at JD; D sent back (r1 cancelled at JD)
 * and shipped as r2; E cancelled by the warehouse, FAILED and waiting for an operator; F refused by JD
 * and sent back. A's push was answered late (JD stored it, the answer was lost) and found by lookup.
 */
function world(): SalesOrderWorld {
  return {
    orders: [
      { orderNo: 'A', status: 'SHIPPED', pushRevision: 1, eclpSoNo: 'ESL-A1', warehouseCode: 'BJ', failureReason: null },
      { orderNo: 'B', status: 'REVIEW', pushRevision: 0, eclpSoNo: null, warehouseCode: 'BJ', failureReason: null },
      { orderNo: 'C', status: 'CANCELLED', pushRevision: 1, eclpSoNo: 'ESL-C1', warehouseCode: 'BJ', failureReason: null },
      { orderNo: 'D', status: 'SHIPPED', pushRevision: 2, eclpSoNo: 'ESL-D2', warehouseCode: 'SH', failureReason: null },
      { orderNo: 'E', status: 'FAILED', pushRevision: 1, eclpSoNo: 'ESL-E1', warehouseCode: 'BJ', failureReason: 'JD cancelled the order' },
      { orderNo: 'F', status: 'REVIEW', pushRevision: 1, eclpSoNo: null, warehouseCode: 'XX', failureReason: null },
    ],
    cancels: [
      { requestId: 'req-c', orderNo: 'C', kind: 'buyerRefund', verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 2_000 },
      { requestId: 'req-d', orderNo: 'D', kind: 'sendBack', verdict: 'CANCELLED_AT_JD', resultingStatus: 'REVIEW', decidedAt: 9_000 },
      { requestId: 'req-f', orderNo: 'F', kind: 'sendBack', verdict: 'BACK_TO_REVIEW', resultingStatus: 'REVIEW', decidedAt: 3_000 },
    ],
    ledger: [
      { warehouseCode: 'BJ', sku: 'TEA', docNo: 'A', docRevision: 1, quantity: -2 },
      { warehouseCode: 'SH', sku: 'TEA', docNo: 'D', docRevision: 2, quantity: -1 },
      { warehouseCode: 'SH', sku: 'CUP', docNo: 'D', docRevision: 2, quantity: -3 },
    ],
    pushLog: [
      { orderNo: 'A', revision: 1, action: 'pushed' },
      { orderNo: 'C', revision: 1, action: 'pushed' },
      { orderNo: 'D', revision: 1, action: 'pushed' },
      { orderNo: 'D', revision: 2, action: 'pushed' },
      { orderNo: 'E', revision: 1, action: 'pushed' },
      { orderNo: 'F', revision: 1, action: 'push_rejected' },
    ],
    jdOrders: [
      { isvUUID: 'A-1', eclpSoNo: 'ESL-A1', currentStatus: '10019', shipped: true, acceptedAt: 1_100 },
      { isvUUID: 'C-1', eclpSoNo: 'ESL-C1', currentStatus: '10028', shipped: false, acceptedAt: 1_200 },
      { isvUUID: 'D-1', eclpSoNo: 'ESL-D1', currentStatus: '10028', shipped: false, acceptedAt: 1_300 },
      { isvUUID: 'D-2', eclpSoNo: 'ESL-D2', currentStatus: '10034', shipped: true, acceptedAt: 9_500 },
      { isvUUID: 'E-1', eclpSoNo: 'ESL-E1', currentStatus: '10028', shipped: false, acceptedAt: 1_400 },
    ],
    addOrderCalls: [
      // A: stored by JD, answer lost (timeoutAfterCommit); the worker then found it by isvUUID and sent nothing more.
      { isvUUID: 'A-1', sentAt: 1_000, endedAt: 2_600, httpStatus: 0 },
      // C: JD busy before executing anything, then sent again and stored.
      { isvUUID: 'C-1', sentAt: 1_050, endedAt: 1_060, httpStatus: 200 },
      { isvUUID: 'C-1', sentAt: 1_150, endedAt: 1_210, httpStatus: 200 },
      { isvUUID: 'D-1', sentAt: 1_250, endedAt: 1_310, httpStatus: 200 },
      { isvUUID: 'D-2', sentAt: 9_450, endedAt: 9_510, httpStatus: 200 },
      { isvUUID: 'E-1', sentAt: 1_350, endedAt: 1_410, httpStatus: 200 },
      // F: JD refused it (unknown warehouse) and stored nothing.
      { isvUUID: 'F-1', sentAt: 1_500, endedAt: 1_510, httpStatus: 200 },
    ],
    jdOutbound: [
      { warehouseNo: '110000001', goodsNo: 'EMG-TEA', quantity: -2 },
      { warehouseNo: '110000002', goodsNo: 'EMG-TEA', quantity: -1 },
      { warehouseNo: '110000002', goodsNo: 'EMG-CUP', quantity: -3 },
    ],
    workflows: [
      { workflowId: 'SO:A:1', status: 'COMPLETED' },
      { workflowId: 'SO:C:1', status: 'COMPLETED' },
      { workflowId: 'SO:D:1', status: 'COMPLETED' },
      { workflowId: 'SO:D:2', status: 'COMPLETED' },
      { workflowId: 'SO:E:1', status: 'RUNNING' },
      { workflowId: 'SO:F:1', status: 'COMPLETED' },
    ],
    jdGoodsNo: new Map([
      ['TEA', 'EMG-TEA'],
      ['CUP', 'EMG-CUP'],
    ]),
    jdWarehouseNo: new Map([
      ['BJ', '110000001'],
      ['SH', '110000002'],
    ]),
  };
}

function journal(): SalesOrderJournal {
  return {
    cancels: [
      { requestId: 'req-c', orderNo: 'C', kind: 'buyerRefund', revision: 1, role: 'single', sentAt: 1_000, answer: 200, verdict: 'CANCELLED_AT_JD' },
      { requestId: 'req-d', orderNo: 'D', kind: 'sendBack', revision: 1, role: 'single', sentAt: 1_000, answer: 202 },
      // Refused from Postgres alone (already shipped): never reached a workflow, so no record.
      { requestId: 'req-a', orderNo: 'A', kind: 'buyerRefund', revision: 1, role: 'single', sentAt: 1_000, answer: 409, reason: 'already-shipped' },
      { requestId: 'req-f', orderNo: 'F', kind: 'sendBack', revision: 1, role: 'single', sentAt: 2_000, answer: 200, verdict: 'BACK_TO_REVIEW' },
    ],
    surprises: [],
  };
}


describe('sales-order invariants', () => {
  const MINIMUMS = { minCancelledAtJd: 2, minBackToReview: 1, minAmbiguousPushes: 1 };

  it('hold for a consistent world, which reaches every minimum', () => {
    expect(failing(checkSalesOrders(world(), journal(), MINIMUMS))).toEqual([]);
  });

  it('catch a cancel refused with 409 although JD cancelled the revision, and a refund in review that was refused', () => {
    // An API that refuses every cancel: each answer is a 409 and nothing is recorded.
    const j = journal();
    j.cancels.push({ requestId: 'req-b', orderNo: 'B', kind: 'buyerRefund', revision: 0, role: 'in-review', sentAt: 1_000 });
    for (const request of j.cancels) Object.assign(request, { answer: 409, reason: 'already-cancelled', verdict: undefined });
    const w = world();
    w.cancels = [];
    const result = checkCancelVerdicts(w, j, MINIMUMS);
    expect(result.ok).toBe(false);
    const text = result.violations.join('\n');
    expect(text).toMatch(/C r1 \(JD 10028\): buyerRefund → 409 already-cancelled \(expected CANCELLED_AT_JD\)/);
    expect(text).toMatch(/B r0 \(never approved\): buyerRefund → 409 already-cancelled \(expected CANCELLED_IN_ERP\)/);
    expect(text).toMatch(/F r1 \(JD never held it\): sendBack → 409 already-cancelled \(expected BACK_TO_REVIEW\)/);
    expect(text).toMatch(/A r1 \(shipped at JD\): buyerRefund → 409 already-cancelled/);
    expect(text).toMatch(/CANCELLED_AT_JD 0 < 2/);
    expect(text).toMatch(/BACK_TO_REVIEW 0 < 1/);
  });

  it('catch a cancel that claims JD cancelled an order JD shipped, and a pair that both cancelled at JD', () => {
    const w = world();
    w.cancels.push({ requestId: 'req-a', orderNo: 'A', kind: 'buyerRefund', verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 2_000 });
    w.cancels.push({ requestId: 'req-c2', orderNo: 'C', kind: 'sendBack', verdict: 'CANCELLED_AT_JD', resultingStatus: 'REVIEW', decidedAt: 2_000 });
    const j = journal();
    Object.assign(j.cancels.find((c) => c.requestId === 'req-a')!, { answer: 202, reason: undefined });
    for (const c of j.cancels.filter((c) => c.orderNo === 'C')) c.role = 'pair';
    j.cancels.push({ requestId: 'req-c2', orderNo: 'C', kind: 'sendBack', revision: 1, role: 'pair', sentAt: 1_000, answer: 202 });
    const text = checkCancelVerdicts(w, j, NO_MINIMUMS).violations.join('\n');
    expect(text).toMatch(/A r1 \(shipped at JD\): buyerRefund → CANCELLED_AT_JD/);
    expect(text).toMatch(/C r1 \(JD 10028\): buyerRefund → CANCELLED_AT_JD .*, sendBack → CANCELLED_AT_JD/);
    // The same pair is right when the second request finds the order already cancelled.
    w.cancels.find((c) => c.requestId === 'req-c2')!.verdict = 'ALREADY_CANCELLED';
    expect(checkCancelVerdicts(w, j, NO_MINIMUMS).violations).toEqual([expect.stringMatching(/^1 cancels answered against their order's state: A r1 /)]);
  });

  it('catch a push sent again after JD held the order (JD answering the existing order hides it)', () => {
    const w = world();
    w.addOrderCalls.push({ isvUUID: 'A-1', sentAt: 2_700, endedAt: 2_760, httpStatus: 200 });
    const result = checkPushRecovery(w, MINIMUMS);
    expect(result.ok).toBe(false);
    expect(result.violations.join()).toMatch(/A-1: 1 more addOrder after JD stored it/);
    // Every other invariant is blind to it: JD still holds one order under A-1.
    expect(failing(checkSalesOrders(w, journal(), MINIMUMS))).toEqual([expect.stringMatching(/^every ambiguous push was recovered by lookup/)]);
  });

  it('with JD refusing a repeated isvUUID, a lost answer that is not looked up shows as a JD order no push accounts for', () => {
    // The worker sent A again instead of looking it up; JD refused the duplicate; the saga took that for a rejection.
    const w = world();
    w.addOrderCalls.push({ isvUUID: 'A-1', sentAt: 2_700, endedAt: 2_760, httpStatus: 200 });
    w.pushLog.find((p) => p.orderNo === 'A')!.action = 'push_rejected';
    Object.assign(w.orders.find((o) => o.orderNo === 'A')!, { status: 'FAILED', eclpSoNo: null, failureReason: 'JD rejected the order: isvUUID已存在' });
    w.ledger = w.ledger.filter((row) => row.docNo !== 'A');
    const duplicate = checkOneJdOrderPerPush(w);
    expect(duplicate.ok).toBe(false);
    expect(duplicate.violations.join()).toMatch(/JD orders no push revision accounts for: A-1 \(ESL-A1\)/);
    expect(checkPushRecovery(w, MINIMUMS).violations.join()).toMatch(/A-1: 1 more addOrder/);
  });

  it('catch a run in which no push was executed without an answer', () => {
    const w = world();
    w.addOrderCalls = w.addOrderCalls.filter((c) => c.httpStatus !== 0);
    expect(checkPushRecovery(w, MINIMUMS).violations.join()).toMatch(/only 0 addOrder calls were executed without an answer \(minimum 1\)/);
  });

  it('catch a worker or API that died by itself', () => {
    expect(checkNoUnexpectedExits([], 0).ok).toBe(true);
    const result = checkNoUnexpectedExits([{ name: 'worker', at: 12_500, exit: 'code 1' }], 10_000);
    expect(result.ok).toBe(false);
    expect(result.violations.join()).toMatch(/worker at t\+2\.5s \(code 1\)/);
  });

  it('catch an order left open and a workflow run that failed', () => {
    const w = world();
    w.orders[0]!.status = 'WMS_PICKING';
    w.workflows[0]!.status = 'FAILED';
    const result = checkSettled(w);
    expect(result.ok).toBe(false);
    expect(result.violations.join()).toMatch(/A still WMS_PICKING/);
    expect(result.violations.join()).toMatch(/SO:A:1 FAILED/);
  });

  it('catch a FAILED order nobody waits for, and a claimed revision without a run', () => {
    const w = world();
    w.workflows = w.workflows.filter((wf) => wf.workflowId !== 'SO:E:1' && wf.workflowId !== 'SO:D:1');
    const text = checkSettled(w).violations.join();
    expect(text).toMatch(/E is FAILED but its run r1 is missing/);
    expect(text).toMatch(/D r1 was claimed but has no workflow run/);
  });

  it('catch a JD order for an order that never pushed, a missing one and a duplicate', () => {
    const w = world();
    w.jdOrders.push({ isvUUID: 'B-1', eclpSoNo: 'ESL-B1', currentStatus: '10010', shipped: false, acceptedAt: 5_000 });
    w.jdOrders = w.jdOrders.filter((o) => o.isvUUID !== 'C-1');
    w.jdOrders.push({ isvUUID: 'A-1', eclpSoNo: 'ESL-A1-BIS', currentStatus: '10010', shipped: false, acceptedAt: 5_000 });
    const result = checkOneJdOrderPerPush(w);
    expect(result.ok).toBe(false);
    const text = result.violations.join();
    expect(text).toMatch(/B-1 \(ESL-B1\)/);
    expect(text).toMatch(/push revisions JD has no order for: C r1/);
    expect(text).toMatch(/A r1: ESL-A1, ESL-A1-BIS/);
    expect(result.figures.join()).toMatch(/JD orders for them: 1/);
  });

  it('catch an ERP that holds another JD number than JD', () => {
    const w = world();
    w.orders[0]!.eclpSoNo = 'ESL-OTHER';
    expect(checkOneJdOrderPerPush(w).violations.join()).toMatch(/ERP holds ESL-OTHER, JD has ESL-A1/);
  });

  it('catch a superseded revision that shipped at JD, and a shipment the ERP missed', () => {
    const w = world();
    w.jdOrders.find((o) => o.isvUUID === 'D-1')!.shipped = true;
    w.jdOrders.find((o) => o.isvUUID === 'C-1')!.shipped = true;
    const text = checkJdAgrees(w).violations.join();
    expect(text).toMatch(/D r1: ERP superseded, JD shipped/);
    expect(text).toMatch(/C r1: ERP CANCELLED, JD shipped/);
  });

  it('catch a ledger that differs from JD, a double booking and a booking without a shipment', () => {
    const w = world();
    w.ledger.push({ warehouseCode: 'SH', sku: 'CUP', docNo: 'C', docRevision: 1, quantity: -3 });
    const result = checkStockLedger(w);
    expect(result.ok).toBe(false);
    expect(result.violations.join()).toMatch(/SH\/CUP: ERP -6, JD -3/);
    expect(result.violations.join()).toMatch(/ledger documents for revisions that are not SHIPPED: C-1/);
    const unbooked = world();
    unbooked.ledger = unbooked.ledger.filter((row) => row.docNo !== 'A');
    unbooked.jdOutbound = unbooked.jdOutbound.filter((row) => row.warehouseNo !== '110000001');
    expect(checkStockLedger(unbooked).violations.join()).toMatch(/shipped revisions without ledger rows: A-1/);
  });

  it('catch a cancel without a verdict, one never recorded, a contradiction and a phantom', () => {
    const w = world();
    w.cancels[1]!.verdict = null;
    w.cancels.push({ requestId: 'req-ghost', orderNo: 'A', kind: 'sendBack', verdict: 'ALREADY_SHIPPED', resultingStatus: 'SHIPPED', decidedAt: 5_000 });
    const j = journal();
    j.cancels[0]!.verdict = 'REFUSED_BY_JD';
    j.cancels.push({ requestId: 'req-lost', orderNo: 'E', kind: 'sendBack', revision: 1, role: 'single', sentAt: 1_000, answer: 202 });
    const text = checkCancelOutcomes(w, j).violations.join();
    expect(text).toMatch(/sendBack D .*recorded without a verdict/);
    expect(text).toMatch(/sendBack E .*no record/);
    expect(text).toMatch(/API said REFUSED_BY_JD, record says CANCELLED_AT_JD/);
    expect(text).toMatch(/never sent: sendBack A \(req-ghost\)/);
  });
});

describe('latency figures', () => {
  it('summarise request → verdict per verdict, leaving out requests nothing was recorded for', () => {
    expect(verdictLatencies(world().cancels, journal().cancels)).toEqual({
      CANCELLED_AT_JD: { count: 2, p50Ms: 1_000, p95Ms: 8_000, maxMs: 8_000 },
      BACK_TO_REVIEW: { count: 1, p50Ms: 1_000, p95Ms: 1_000, maxMs: 1_000 },
    });
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ count: 5, p50Ms: 3, p95Ms: 5, maxMs: 5 });
    expect(summarize([])).toBeUndefined();
  });
});

describe('API availability invariant', () => {
  const t0 = 1_000_000;
  const window = { kind: 'postgres-restart' as const, from: t0 + 10_000, to: t0 + 20_000 };
  const exchange = (sentAt: number, status: number, extra: Partial<ApiExchange> = {}): ApiExchange => ({
    sentAt: t0 + sentAt,
    endedAt: t0 + sentAt + 50,
    method: 'POST',
    route: '/v1/sales-orders/{orderNo}/approve',
    status,
    ...extra,
  });
  const outage = { contentType: 'application/problem+json; charset=utf-8', retryAfter: '5' };

  it('accepts 503 problem+json with Retry-After inside a restart window', () => {
    const result = checkApiAvailability([exchange(1_000, 202), exchange(12_000, 503, outage), exchange(30_000, 200)], [window], 0, t0);
    expect(result.violations).toEqual([]);
    expect(result.figures.join()).toMatch(/postgres-restart window .*: 1 5xx/);
  });

  it('rejects a 5xx outside the windows, a 500 or a bare 503 inside, a request without an answer and an abandoned call', () => {
    const result = checkApiAvailability(
      [exchange(1_000, 503, outage), exchange(12_000, 500, outage), exchange(13_000, 503, { contentType: 'text/html' }), exchange(14_000, 0, { failure: 'ECONNRESET' })],
      [window],
      1,
      t0,
    );
    expect(result.ok).toBe(false);
    const text = result.violations.join('\n');
    expect(text).toMatch(/1 5xx outside the restart windows: .* at t\+1\.0s: 503/);
    expect(text).toMatch(/2 outage answers that are not 503 problem\+json with Retry-After/);
    expect(text).toMatch(/1 requests without an answer/);
    expect(text).toMatch(/1 calls abandoned/);
  });
});

describe('the run plan', () => {
  it('is the same for the same seed and mixes every fate', () => {
    const a = planSalesOrders(seededRandom(7), 300, 120_000);
    const b = planSalesOrders(seededRandom(7), 300, 120_000);
    expect(a).toEqual(b);
    expect(new Set(a.map((p) => p.fate))).toEqual(new Set(['ship', 'never-approved', 'refund-in-review', 'send-back', 'refund', 'send-back-and-refund', 'rejected-then-send-back']));
    expect(a.filter((p) => p.fate === 'rejected-then-send-back').every((p) => p.warehouseCode === 'XX')).toBe(true);
    expect(a.some((p) => p.reapprove?.refundAfterMs !== undefined)).toBe(true);
    for (const plan of a) expect(new Set(plan.lines.map((l) => l.sku)).size).toBe(plan.lines.length);
  });

  it('reads the command line, and refuses what it does not know', () => {
    expect(parseChaosArgs(['--help'])).toBeUndefined();
    expect(parseChaosArgs(['--orders', '40', '--seed', '9', '--fault-kinds', 'busy,quota'])).toMatchObject({ orders: 40, seed: 9, loadMs: 20_000, faultKinds: ['busy', 'quota'] });
    expect(() => parseChaosArgs(['--orders', 'many'])).toThrow(/--orders must be a whole number/);
    expect(() => parseChaosArgs(['--fault-kinds', 'meteor'])).toThrow(/--fault-kinds/);
    expect(() => parseChaosArgs(['--bogus'])).toThrow(/bogus/);
    // JD refuses repeated isvUUIDs and lags its lookup unless told otherwise; the minimums grow with the run.
    expect(parseChaosArgs(['--orders', '300'])).toMatchObject({ duplicateIsvUuid: 'reject', lookupLagMs: 2_000, ambiguousPushes: 10, minCancelledAtJd: 5, minBackToReview: 2 });
    expect(parseChaosArgs(['--orders', '30'])).toMatchObject({ ambiguousPushes: 1, minCancelledAtJd: 1, minBackToReview: 1 });
    // Purchase orders ride along (a third as many), JD refusing a repeated spPoOrderNo; none means no PO minimums.
    expect(parseChaosArgs(['--orders', '300'])).toMatchObject({ purchaseOrders: 100, duplicateSpPoOrderNo: 'reject', poAmbiguousPushes: 3, minPoVerdicts: 2 });
    expect(parseChaosArgs(['--orders', '30'])).toMatchObject({ purchaseOrders: 10, poAmbiguousPushes: 1, minPoVerdicts: 1 });
    expect(parseChaosArgs(['--purchase-orders', '0'])).toMatchObject({ purchaseOrders: 0, poAmbiguousPushes: 0, minPoVerdicts: 0 });
    // Returns too (a sixth as many), with lost transportRtw answers and refused cancels; none means no return minimums.
    expect(parseChaosArgs(['--orders', '300'])).toMatchObject({ returns: 50, rtwAmbiguousPushes: 2, rtwCancelRefusals: 2, minReturnOutcomes: 1 });
    expect(parseChaosArgs(['--orders', '30'])).toMatchObject({ returns: 5, rtwAmbiguousPushes: 1, rtwCancelRefusals: 1, minReturnOutcomes: 1 });
    expect(parseChaosArgs(['--returns', '0'])).toMatchObject({ returns: 0, rtwAmbiguousPushes: 0, rtwCancelRefusals: 0, minReturnOutcomes: 0 });
    expect(parseChaosArgs(['--duplicate-sp-po-order-no', 'return-existing'])).toMatchObject({ duplicateSpPoOrderNo: 'return-existing' });
    expect(() => parseChaosArgs(['--duplicate-sp-po-order-no', 'ignore'])).toThrow(/--duplicate-sp-po-order-no takes reject or return-existing/);
    expect(parseChaosArgs(['--duplicate-isv-uuid', 'return-existing', '--min-back-to-review', '0'])).toMatchObject({ duplicateIsvUuid: 'return-existing', minBackToReview: 0 });
    expect(() => parseChaosArgs(['--duplicate-isv-uuid', 'ignore'])).toThrow(/--duplicate-isv-uuid takes reject or return-existing/);
  });

  it('injects the lost push answers first (addOrder, addPoOrder), and busy answers with each of JD\'s transient codes', () => {
    const lostAnswers = [
      { method: 'jingdong.eclp.order.addOrder', calls: 3 },
      { method: 'jingdong.eclp.po.addPoOrder', calls: 2 },
    ];
    const specs = faultSpecs({ rate: 0.1, kinds: ['busy', 'timeoutAfterCommit'], latencyMs: 1_500, lostAnswers });
    expect(specs.slice(0, 2)).toEqual([
      { kind: 'timeoutAfterCommit', method: 'jingdong.eclp.order.addOrder', next: 3, latencyMs: 1_500 },
      { kind: 'timeoutAfterCommit', method: 'jingdong.eclp.po.addPoOrder', next: 2, latencyMs: 1_500 },
    ]);
    expect(specs.filter((s) => s.kind === 'busy').map((s) => s.code)).toEqual(['66', '43', '65', '67']);
  });
});

// ---------------------------------------------------------------- outages answered as 503

describe('API answers an unreachable database or Temporal with 503 problem+json and Retry-After', () => {
  const TOKEN = 'erp-token-0123456789';
  function appThrowing(failure: () => Promise<unknown>) {
    return createApp({
      tokens: parseApiTokens(`erp:${TOKEN}`),
      logger: pino({ level: 'silent' }),
      routes: [
        route({ method: 'get', path: '/v1/probe', summary: 'probe', tag: 'test', roles: ['erp'], responses: {}, handler: async () => ({ status: 200, body: await failure() }) }),
      ],
    });
  }
  const probe = (failure: () => Promise<unknown>) => request(appThrowing(failure)).get('/v1/probe').set('Authorization', `Bearer ${TOKEN}`);

  // knex reports each failed connection attempt on the console; here they are the point of the test.
  const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };
  let blackHole: net.Server;
  const held: net.Socket[] = [];
  let knex: Knex | undefined;
  beforeAll(async () => {
    // Accepts connections and never answers: what a hung or half-restarted server looks like to a pool.
    blackHole = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await knex?.destroy();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('a refused connection (server down) is a 503 that does not leak the connection string', async () => {
    const port = await freePort();
    const down = knexFactory({ client: 'pg', connection: `postgres://app:s3cret-password@127.0.0.1:${port}/eclp`, pool: { min: 0, max: 2 }, log: quiet });
    try {
      const res = await probe(() => down.raw('select 1'));
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ status: 503, type: expect.stringMatching(/unavailable$/) });
      expect(res.text).not.toMatch(/s3cret/);
    } finally {
      await down.destroy();
    }
  });

  it('a pool that cannot get a connection in time is a 503 (knex acquire timeout)', async () => {
    const { port } = blackHole.address() as net.AddressInfo;
    knex = knexFactory({ client: 'pg', connection: `postgres://app:pw@127.0.0.1:${port}/eclp`, pool: { min: 0, max: 1, acquireTimeoutMillis: 300 }, log: quiet });
    const res = await probe(() => knex!.raw('select 1'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it.each([
    ['the server shutting down for a restart (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['the server starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['a refused connection wrapped in a cause', new Error('query failed', { cause: Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }) })],
  ])('%s is a 503', async (_what, error) => {
    const res = await probe(() => Promise.reject(error));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it('Temporal unreachable outside withTemporal is a 503 too', async () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established', metadata: {} });
    const res = await probe(() => Promise.reject(new ServiceError('Failed to start workflow', { cause: grpc })));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('a bug is still a 500, and a constraint violation is no outage', async () => {
    expect((await probe(() => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')")))).status).toBe(500);
    // How the API words a refused write is its own business (api/app.ts); here it only must not invite a retry.
    const uniqueViolation = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(isDatabaseUnavailable(uniqueViolation)).toBe(false);
    expect((await probe(() => Promise.reject(uniqueViolation))).status).not.toBe(503);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' }))).toBe(false);
  });
});

// ---------------------------------------------------------------- the run itself, small

describe('npm run chaos, small configuration', () => {
  it('30 sales orders, 12 purchase orders and 12 returns through a worker SIGKILL, a Temporal and a PostgreSQL restart and JD faults: every invariant holds', async () => {
    const lines: string[] = [];
    const report = await runChaos(
      {
        orders: 30,
        // Every purchase-order fate once (fatesCoveringAll), a few more by weight.
        purchaseOrders: 12,
        // Every return fate once (fatesCoveringAll): returns and exchanges, each with a sales order of its own.
        returns: 12,
        seed: 20261129,
        loadMs: 40_000,
        workerKills: 1,
        restartTemporal: true,
        restartPostgres: true,
        downMs: 3_000,
        faultRate: 0.1,
        // A quota hit makes its order wait a minute (JD's advice on code 2): too long for the suite; `npm run chaos` has it.
        faultKinds: ['latency', 'timeoutAfterCommit', 'http5xx', 'busy'],
        faultLatencyMs: 1_500,
        ambiguousPushes: 2,
        duplicateIsvUuid: 'reject',
        lookupLagMs: 2_000,
        // Each lost addPoOrder answer leaves its PO PUSH_UNCONFIRMED: the operator links one, re-pushes the next.
        poAmbiguousPushes: 3,
        duplicateSpPoOrderNo: 'reject',
        rtwAmbiguousPushes: 1,
        rtwCancelRefusals: 1,
        minCancelledAtJd: 1,
        minBackToReview: 1,
        minPoVerdicts: 1,
        minReturnOutcomes: 1,
        settleTimeoutMs: 100_000,
        windowGraceMs: 10_000,
        showLogs: false,
        keepData: false,
      },
      { log: (line) => lines.push(line) },
    );
    const text = formatReport(report);
    if (!report.ok) console.log(`${lines.join('\n')}\n${text}`);
    // Among them: the minimums of verdicts and lost push answers, and no process that died by itself.
    expect(failing(report.invariants)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.unexpectedExits).toEqual([]);
    expect(report.timings.settled).toBe(true);
    expect(report.faultsFired['timeoutAfterCommit@order.addOrder']).toBe(2);
    expect(report.faultsFired['timeoutAfterCommit@po.addPoOrder']).toBe(3);
    expect(report.faultsFired['timeoutAfterCommit@rtw.transportRtw']).toBe(1);
    expect(report.faultsFired['businessError@rtw.cancelRtwOrder']).toBe(1);
    expect(report.invariants.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^zero duplicate JD POs/),
        expect.stringMatching(/^receipts equal JD's received/),
        expect.stringMatching(/^sales-return receipts equal JD's received/),
        expect.stringMatching(/^no replacement order of a rejected or cancelled exchange/),
      ]),
    );
    // The disruptions really happened, and the faults really fired.
    expect(report.disruptions.map((d) => d.kind).sort()).toEqual(['postgres-restart', 'temporal-restart', 'worker-kill']);
    expect(Object.values(report.faultsFired).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 170_000);
});
