// What must hold for sales orders after a chaos run, as pure functions over a snapshot of Postgres, the
// simulator (what JD "knows") and Temporal, plus the script's own journal of what it asked. Pure, so
// the checks themselves are tested on doctored snapshots (test/chaos/chaos.test.ts).
import type { SalesOrderStatus } from '../../domain/statuses';
import { workflowIds } from '../../messages/ids';
import {
  addTo,
  checkAnswers,
  countBy,
  differing,
  examples,
  invariant,
  keysOf,
  requestRecordViolations,
  reverse,
  runsFigure,
  settledViolations,
  tally,
  wireAgainstJd,
  type InvariantResult,
  type RequestSent,
  type WorkflowRow,
} from './invariants';
import type { AddOrderCall } from './jd-wire';
import type { JdNumbers } from './world';

export interface OrderRow {
  orderNo: string;
  status: SalesOrderStatus;
  pushRevision: number;
  eclpSoNo: string | null;
  warehouseCode: string;
  failureReason: string | null;
}

export interface CancelRow {
  requestId: string;
  orderNo: string;
  kind: string;
  verdict: string | null;
  resultingStatus: string | null;
  /** Epoch ms the verdict was recorded. */
  decidedAt: number | null;
}

export interface LedgerRow {
  warehouseCode: string;
  sku: string;
  docNo: string;
  docRevision: number;
  quantity: number;
}

/** Push outcomes from the operation log: a revision that failed its pre-flight or was refused has no JD order. */
export interface PushLogRow {
  orderNo: string;
  revision: number;
  action: 'pushed' | 'preflight_failed' | 'push_rejected';
}

export interface JdOrderRow {
  isvUUID: string;
  eclpSoNo: string;
  currentStatus: string;
  shipped: boolean;
  /** Epoch ms JD stored the order (the simulator runs in the chaos process: same clock as the wire). */
  acceptedAt: number;
}

export interface JdOutboundRow {
  warehouseNo: string;
  goodsNo: string;
  /** Negative: goods leaving, as the simulator books them. */
  quantity: number;
}

/** With sku → JD goods number, warehouse code → JD warehouse number (master data). */
export interface SalesOrderWorld extends JdNumbers {
  orders: OrderRow[];
  cancels: CancelRow[];
  ledger: LedgerRow[];
  pushLog: PushLogRow[];
  jdOrders: JdOrderRow[];
  jdOutbound: JdOutboundRow[];
  workflows: WorkflowRow[];
  /** Every addOrder that went over the wire to JD, with its isvUUID (scripts/chaos/jd-wire.ts). */
  addOrderCalls: AddOrderCall[];
}

/**
 * Where a request stands in its order's script: `in-review` (a refund of an order never approved), `single`
 * (the only cancel of its push revision), `pair` (send-back and refund sent at the same instant).
 */
export type CancelRole = 'in-review' | 'single' | 'pair';

export interface CancelSent extends RequestSent {
  orderNo: string;
  kind: 'sendBack' | 'buyerRefund';
  /** The push revision the request was aimed at (0: never approved). */
  revision: number;
  role: CancelRole;
}

/** What a run must have seen for its verdict to mean anything (docs/chaos.md, "minimums"). */
export interface SalesOrderExpectations {
  minCancelledAtJd: number;
  minBackToReview: number;
  /** addOrder calls JD executed without the worker learning it (timeoutAfterCommit), each to be recovered by lookup. */
  minAmbiguousPushes: number;
}

export const NO_MINIMUMS: SalesOrderExpectations = { minCancelledAtJd: 0, minBackToReview: 0, minAmbiguousPushes: 0 };

export interface SalesOrderJournal {
  cancels: CancelSent[];
  /** Answers the API contract does not allow for what was asked (docs/sales-orders.md). */
  surprises: string[];
}

export const JD_CANCELLED = '10028';

const isvUuid = (orderNo: string, revision: number) => `${orderNo}-${revision}`;
const workflowIdOf = workflowIds.salesOrder;

/** The revisions JD must have an order for: every claimed revision that got past pre-flight and was not refused. */
export function pushedRevisions(world: Pick<SalesOrderWorld, 'orders' | 'pushLog'>): Array<{ order: OrderRow; revision: number }> {
  const noJdOrder = new Set(world.pushLog.filter((p) => p.action !== 'pushed').map((p) => isvUuid(p.orderNo, p.revision)));
  return world.orders.flatMap((order) =>
    Array.from({ length: order.pushRevision }, (_, i) => ({ order, revision: i + 1 })).filter(({ revision }) => !noJdOrder.has(isvUuid(order.orderNo, revision))),
  );
}

/** Every order is done (SHIPPED, CANCELLED) or correctly waiting (REVIEW with no run, FAILED with its run waiting). */
export function checkSettled(world: SalesOrderWorld): InvariantResult {
  const workflows = new Map(world.workflows.map((w) => [w.workflowId, w.status]));
  const stuck: string[] = [];
  const wrongRun: string[] = [];
  for (const order of world.orders) {
    const current = order.pushRevision > 0 ? workflows.get(workflowIdOf(order.orderNo, order.pushRevision)) : undefined;
    switch (order.status) {
      case 'SHIPPED':
      case 'CANCELLED':
      case 'REVIEW':
        if (current === 'RUNNING') wrongRun.push(`${order.orderNo} is ${order.status} but its run r${order.pushRevision} is still running`);
        break;
      case 'FAILED':
        if (!order.failureReason) stuck.push(`${order.orderNo} is FAILED without a reason`);
        if (current !== 'RUNNING') wrongRun.push(`${order.orderNo} is FAILED but its run r${order.pushRevision} is ${current ?? 'missing'} (nobody waits for the operator)`);
        break;
      default:
        stuck.push(`${order.orderNo} still ${order.status} (r${order.pushRevision}${order.eclpSoNo ? `, ${order.eclpSoNo}` : ''})`);
    }
    for (let revision = 1; revision <= order.pushRevision; revision += 1) {
      const status = workflows.get(workflowIdOf(order.orderNo, revision));
      if (!status) wrongRun.push(`${order.orderNo} r${revision} was claimed but has no workflow run`);
      else if (revision < order.pushRevision && status !== 'COMPLETED') wrongRun.push(`${order.orderNo} r${revision} (superseded) is ${status}`);
    }
  }
  const figures = [`${world.orders.length} orders: ${tally(countBy(world.orders, (o) => o.status))}`, runsFigure(world.workflows)];
  return invariant('every order is in a terminal or correctly waiting state', figures, settledViolations('orders', { stuck, wrongRun }, world.workflows));
}

/** Exactly one JD order per push revision, none for orders that never pushed, and the ERP holds JD's number. */
export function checkOneJdOrderPerPush(world: SalesOrderWorld): InvariantResult {
  const pushed = pushedRevisions(world);
  const expected = new Set(pushed.map(({ order, revision }) => isvUuid(order.orderNo, revision)));
  const atJd = new Map<string, JdOrderRow[]>();
  for (const row of world.jdOrders) atJd.set(row.isvUUID, [...(atJd.get(row.isvUUID) ?? []), row]);
  const missing: string[] = [];
  const duplicates: string[] = [];
  const wrongNumber: string[] = [];
  for (const { order, revision } of pushed) {
    const rows = atJd.get(isvUuid(order.orderNo, revision)) ?? [];
    if (rows.length === 0) missing.push(`${order.orderNo} r${revision}`);
    if (rows.length > 1) duplicates.push(`${order.orderNo} r${revision}: ${rows.map((r) => r.eclpSoNo).join(', ')}`);
    if (revision === order.pushRevision && order.eclpSoNo && rows.length > 0 && !rows.some((r) => r.eclpSoNo === order.eclpSoNo)) {
      wrongNumber.push(`${order.orderNo} r${revision}: ERP holds ${order.eclpSoNo}, JD has ${rows.map((r) => r.eclpSoNo).join(', ')}`);
    }
  }
  const extra = world.jdOrders.filter((row) => !expected.has(row.isvUUID)).map((row) => `${row.isvUUID} (${row.eclpSoNo})`);
  const neverPushed = world.orders.filter((o) => o.pushRevision === 0);
  const neverPushedAtJd = world.jdOrders.filter((row) => neverPushed.some((o) => row.isvUUID.startsWith(`${o.orderNo}-`)));
  const figures = [
    `${pushed.length} push revisions over ${new Set(pushed.map((p) => p.order.orderNo)).size} orders; JD holds ${world.jdOrders.length} orders`,
    `missing at JD ${missing.length}, duplicated ${duplicates.length}, JD orders without a push revision ${extra.length}, ERP number ≠ JD number ${wrongNumber.length}`,
    `${neverPushed.length} orders never pushed; JD orders for them: ${neverPushedAtJd.length}`,
  ];
  return invariant('exactly one JD order per push revision, none for orders that never pushed', figures, [
    ...examples(missing, 'push revisions JD has no order for'),
    ...examples(duplicates, 'push revisions JD has several orders for'),
    ...examples(extra, 'JD orders no push revision accounts for'),
    ...examples(wrongNumber, 'orders whose JD number in the ERP is not JD\'s'),
  ]);
}

/**
 * JD's state of each pushed revision agrees with the ERP's: a superseded revision was cancelled at JD
 * (never shipped), and the current one shipped exactly when the ERP says SHIPPED.
 */
export function checkJdAgrees(world: SalesOrderWorld): InvariantResult {
  const byUuid = new Map(world.jdOrders.map((row) => [row.isvUUID, row]));
  const disagree: string[] = [];
  let compared = 0;
  for (const { order, revision } of pushedRevisions(world)) {
    const jd = byUuid.get(isvUuid(order.orderNo, revision));
    if (!jd) continue; // reported by the one-order-per-push invariant
    compared += 1;
    const jdSays = jd.shipped ? 'shipped' : jd.currentStatus === JD_CANCELLED ? 'cancelled' : `open (${jd.currentStatus})`;
    const erpSays = revision < order.pushRevision ? 'superseded' : order.status;
    const agrees =
      erpSays === 'superseded' || erpSays === 'REVIEW' || erpSays === 'CANCELLED' || erpSays === 'FAILED'
        ? jdSays === 'cancelled'
        : erpSays === 'SHIPPED'
          ? jdSays === 'shipped'
          : jdSays.startsWith('open'); // PUSHING/WMS_PICKING: still open at JD (and reported as not settled)
    if (!agrees) disagree.push(`${order.orderNo} r${revision}: ERP ${erpSays}, JD ${jdSays} (${jd.eclpSoNo})`);
  }
  const figures = [`${compared} pushed revisions compared; ${compared - disagree.length} agree`];
  return invariant('JD\'s state of every pushed revision agrees with the ERP (superseded and cancelled ones are cancelled at JD)', figures, examples(disagree, 'revisions where JD and the ERP disagree'));
}

/** The ERP's stock ledger books exactly what JD shipped, per warehouse and SKU, and only for shipped revisions. */
export function checkStockLedger(world: SalesOrderWorld): InvariantResult {
  const skuOf = reverse(world.jdGoodsNo);
  const codeOf = reverse(world.jdWarehouseNo);
  const key = (warehouse: string, sku: string) => `${warehouse}/${sku}`;
  const erp = new Map<string, number>();
  for (const row of world.ledger) addTo(erp, key(row.warehouseCode, row.sku), row.quantity);
  const jd = new Map<string, number>();
  for (const row of world.jdOutbound) addTo(jd, key(codeOf.get(row.warehouseNo) ?? `JD ${row.warehouseNo}`, skuOf.get(row.goodsNo) ?? `JD ${row.goodsNo}`), row.quantity);
  const keys = keysOf(erp, jd);
  const unequal = differing(erp, jd).map((d) => `${d.key}: ERP ${d.ours}, JD ${d.theirs}`);

  const shipped = new Set(world.orders.filter((o) => o.status === 'SHIPPED').map((o) => isvUuid(o.orderNo, o.pushRevision)));
  const booked = new Set(world.ledger.map((row) => isvUuid(row.docNo, row.docRevision)));
  const unbooked = [...shipped].filter((doc) => !booked.has(doc));
  const bookedNotShipped = [...booked].filter((doc) => !shipped.has(doc));
  const total = (m: Map<string, number>) => [...m.values()].reduce((sum, q) => sum + q, 0);
  const figures = [
    ...keys.map((k) => `${k.padEnd(14)} ERP ledger ${String(erp.get(k) ?? 0).padStart(6)}   JD outbound ${String(jd.get(k) ?? 0).padStart(6)}`),
    `total: ERP ${total(erp)}, JD ${total(jd)}; ${booked.size} revisions booked, ${shipped.size} orders SHIPPED`,
  ];
  return invariant('stock ledger equals JD\'s outbound per warehouse and SKU', figures, [
    ...examples(unequal, 'warehouse/SKU figures that differ'),
    ...examples(unbooked, 'shipped revisions without ledger rows'),
    ...examples(bookedNotShipped, 'ledger documents for revisions that are not SHIPPED'),
  ]);
}

/** Every cancel the script sent has a recorded verdict; nothing is recorded that was not sent. */
export function checkCancelOutcomes(world: SalesOrderWorld, journal: SalesOrderJournal): InvariantResult {
  const sent = journal.cancels.map((c) => ({ ...c, label: `${c.kind} ${c.orderNo} (${c.requestId.slice(0, 8)}, answered ${c.answer ?? 'never'})` }));
  const recorded = world.cancels.map((row) => ({ ...row, label: `${row.kind} ${row.orderNo} (${row.requestId})` }));
  const answers = countBy(journal.cancels, (c) => String(c.answer ?? 'gave up'));
  const figures = [
    `${journal.cancels.length} cancel requests sent (${tally(countBy(journal.cancels, (c) => c.kind))}); final answers: ${tally(answers)}`,
    `${world.cancels.length} recorded; verdicts: ${tally(countBy(world.cancels, (c) => c.verdict ?? 'none yet'))}`,
  ];
  return invariant('every cancel signal has a recorded outcome', figures, requestRecordViolations(sent, recorded));
}

/** A 409 is written `409 <reason>` among the verdicts: the API refused from Postgres alone. */
const refusal = (reason: string) => `409 ${reason}`;
const TOO_LATE = ['REFUSED_BY_JD', 'ALREADY_SHIPPED', refusal('already-shipped')];

/**
 * What JD's final state of the revision says each request must have been answered. JD is the witness
 * because the order's state at the instant of the request is a race the script cannot observe: a revision
 * JD cancelled was cancelled by one of ours (nothing else cancels in the run but an exchange's refund of
 * its replacement, judged the same way by the return checks), one JD shipped was too late for every
 * cancel, and one JD never held (refused push) was resolved in the ERP alone.
 */
export function verdictsCalledFor(request: CancelSent, jd: JdOrderRow | undefined, pushed: boolean): { first: string[]; second: string[] } | undefined {
  if (request.role === 'in-review') return { first: ['CANCELLED_IN_ERP'], second: [] };
  // After the first request of a pair decided, the order is REVIEW (send-back) or CANCELLED (refund).
  const second = request.kind === 'buyerRefund' ? ['CANCELLED_IN_ERP', 'ALREADY_CANCELLED', refusal('already-cancelled')] : ['ALREADY_CANCELLED', refusal('already-cancelled')];
  if (!jd) {
    if (pushed) return undefined; // missing at JD: the one-order-per-push invariant reports it
    return { first: [request.kind === 'sendBack' ? 'BACK_TO_REVIEW' : 'CANCELLED_IN_ERP'], second };
  }
  if (jd.shipped) return { first: TOO_LATE, second: TOO_LATE };
  if (jd.currentStatus === JD_CANCELLED) return { first: ['CANCELLED_AT_JD'], second };
  return undefined; // still open at JD: not settled, reported there
}

/**
 * Each cancel got the verdict its order's state called for — no blanket acceptance of a 409 or of any
 * verdict — and the run saw enough of the verdicts that prove compensation works at all.
 */
export function checkCancelVerdicts(world: SalesOrderWorld, journal: SalesOrderJournal, expected: SalesOrderExpectations): InvariantResult {
  const rows = new Map(world.cancels.map((row) => [row.requestId, row]));
  const jdByUuid = new Map(world.jdOrders.map((row) => [row.isvUUID, row]));
  const notPushed = new Set(world.pushLog.filter((p) => p.action !== 'pushed').map((p) => isvUuid(p.orderNo, p.revision)));
  const outcomeOf = (request: CancelSent): string | undefined =>
    request.answer === 409 ? refusal(request.reason ?? 'without a reason') : (rows.get(request.requestId)?.verdict ?? request.verdict ?? undefined);
  const wrong: string[] = [];
  const groups = new Map<string, CancelSent[]>();
  for (const request of journal.cancels) {
    const key = `${request.orderNo}/${request.revision}/${request.role}`;
    groups.set(key, [...(groups.get(key) ?? []), request]);
  }
  for (const requests of groups.values()) {
    const first = requests[0]!;
    const uuid = isvUuid(first.orderNo, first.revision);
    const jd = jdByUuid.get(uuid);
    const outcomes = requests.map(outcomeOf);
    if (outcomes.some((o) => o === undefined)) continue; // no verdict: the cancel-outcome invariant reports it
    const called = requests.map((r) => verdictsCalledFor(r, jd, !notPushed.has(uuid)));
    if (called.some((c) => c === undefined)) continue;
    const state = jd ? (jd.shipped ? 'shipped at JD' : `JD ${jd.currentStatus}`) : first.role === 'in-review' ? 'never approved' : 'JD never held it';
    // One request (the only one, or one of a pair) takes the revision's decisive verdict; the other of a pair answers what is left.
    const decisive = requests.findIndex((_, i) => called[i]!.first.includes(outcomes[i]!));
    const fits = decisive >= 0 && requests.every((_, i) => i === decisive || called[i]!.second.includes(outcomes[i]!));
    if (!fits) {
      wrong.push(`${first.orderNo} r${first.revision} (${state}): ${requests.map((r, i) => `${r.kind} → ${outcomes[i]} (expected ${called[i]!.first.join(' | ')})`).join(', ')}`);
    }
  }
  const verdicts = countBy(world.cancels.filter((c) => c.verdict), (c) => c.verdict!);
  const refusals = countBy(journal.cancels.filter((c) => c.answer === 409), (c) => refusal(c.reason ?? '?'));
  const seen = (verdict: string) => verdicts.get(verdict) ?? 0;
  const tooFew = [
    ...(seen('CANCELLED_AT_JD') < expected.minCancelledAtJd ? [`CANCELLED_AT_JD ${seen('CANCELLED_AT_JD')} < ${expected.minCancelledAtJd}: no proof that a cancel reaches JD in time`] : []),
    ...(seen('BACK_TO_REVIEW') < expected.minBackToReview ? [`BACK_TO_REVIEW ${seen('BACK_TO_REVIEW')} < ${expected.minBackToReview}: no proof that a FAILED order is sent back`] : []),
  ];
  const figures = [
    `verdicts recorded: ${tally(verdicts)}; API refusals: ${tally(refusals)}`,
    `minimums: CANCELLED_AT_JD ≥ ${expected.minCancelledAtJd}, BACK_TO_REVIEW ≥ ${expected.minBackToReview}`,
  ];
  return invariant('every cancel got the verdict its order\'s state called for, and the run saw enough of each', figures, [
    ...examples(wrong, 'cancels answered against their order\'s state'),
    ...tooFew,
  ]);
}

/**
 * Every push JD executed without the worker learning it was recovered by looking it up: no addOrder for an
 * isvUUID went over the wire once JD held that order (a JD that does not de-duplicate would hold two), and
 * the run really had such ambiguous pushes.
 */
export function checkPushRecovery(world: SalesOrderWorld, expected: SalesOrderExpectations): InvariantResult {
  const accepted = new Map(world.jdOrders.map((row) => [row.isvUUID, row.acceptedAt]));
  const { resent, ambiguous } = wireAgainstJd(
    world.addOrderCalls.map((c) => ({ ...c, key: c.isvUUID })),
    accepted,
  );
  const perUuid = countBy(world.addOrderCalls, (c) => c.isvUUID);
  const most = Math.max(0, ...perUuid.values());
  const figures = [
    `${world.addOrderCalls.length} addOrder calls over ${perUuid.size} isvUUIDs (at most ${most} for one); JD executed ${ambiguous} without answering (timeoutAfterCommit), minimum ${expected.minAmbiguousPushes}`,
    `isvUUIDs sent again after JD held the order: ${resent.size}`,
  ];
  return invariant('every ambiguous push was recovered by lookup: no isvUUID sent again once JD held it', figures, [
    ...examples(
      [...resent].map(([uuid, n]) => `${uuid}: ${n} more addOrder after JD stored it at ${new Date(accepted.get(uuid)!).toISOString()}`),
      'isvUUIDs JD would hold twice if it did not de-duplicate',
    ),
    ...(ambiguous < expected.minAmbiguousPushes ? [`only ${ambiguous} addOrder calls were executed without an answer (minimum ${expected.minAmbiguousPushes}): the recovery was not exercised`] : []),
  ]);
}

export function checkSalesOrders(world: SalesOrderWorld, journal: SalesOrderJournal, expected: SalesOrderExpectations = NO_MINIMUMS): InvariantResult[] {
  return [
    checkSettled(world),
    checkOneJdOrderPerPush(world),
    checkPushRecovery(world, expected),
    checkJdAgrees(world),
    checkStockLedger(world),
    checkCancelOutcomes(world, journal),
    checkCancelVerdicts(world, journal, expected),
    checkAnswers(journal.surprises, 'sales orders'),
  ];
}
