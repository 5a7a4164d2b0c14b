// What must hold for returns and exchanges (售后单) after a chaos run, as pure functions over a snapshot of
// Postgres, the simulator (what JD "knows"), Temporal and the wire to JD, plus the script's journal of what
// it asked. Pure, so each check is tested on doctored snapshots (test/chaos/return-invariants.test.ts).
import { replacementRefundRequestId } from '../../activities/erp/returns';
import { RETURN_CLAIMING, type ReturnType } from '../../domain/return-order';
import { isvRtwNumOf } from '../../domain/return-order-numbers';
import type { ReturnStatus, SalesOrderStatus } from '../../domain/statuses';
import { workflowIds } from '../../messages/ids';
import {
  addTo,
  bookingViolations,
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
  sum,
  tally,
  wireAgainstJd,
  type InvariantResult,
  type LedgerEntryRow,
  type RequestSent,
  type WorkflowRow,
} from './invariants';
import type { JdPushCall } from './jd-wire';
import type { JdNumbers } from './world';
import { verdictsCalledFor, type CancelRow, type JdOrderRow } from './sales-order-invariants';

export interface ReturnLineRow {
  sku: string;
  /** Asked to be returned. */
  quantity: number;
}

export interface ReturnRow {
  returnNo: string;
  orderNo: string;
  type: ReturnType;
  warehouseCode: string;
  status: ReturnStatus;
  pushRevision: number;
  workflowId: string | null;
  /** JD's return the ERP follows, once pushed. */
  eclpRtwNo: string | null;
  failureReason: string | null;
  replacementOrderNo: string | null;
  /** What the operator must do; null when nothing. */
  attention: string | null;
  lines: ReturnLineRow[];
}

export interface ReturnReceiptLineRow {
  returnNo: string;
  receiptNo: string;
  revision: number;
  /** The JD return the receipt was booked from. */
  eclpRtwNo: string;
  warehouseCode: string;
  sku: string;
  quantity: number;
  goodsLevel: string | null;
}

/** doc_type 'RTN': the return number; booked once, entryNo 0. */
export type ReturnLedgerRow = LedgerEntryRow;

export interface ReturnRequestRow {
  requestId: string;
  returnNo: string;
  kind: string;
  verdict: string | null;
  resultingStatus: string | null;
  /** Epoch ms the verdict was recorded. */
  decidedAt: number | null;
}

/** A cancel request on a replacement order, with the push revision and status it was judged at. */
export interface ReplacementCancelRow extends CancelRow {
  revision: number;
  statusAtRequest: string | null;
}

/** A sales order a return refers to: the original one (what it shipped) or an exchange's replacement. */
export interface ReturnOrderRow {
  orderNo: string;
  status: SalesOrderStatus;
  pushRevision: number;
  eclpSoNo: string | null;
  /** Replacement orders: the exchange they belong to. */
  replacementFor: string | null;
  /** Per SKU: what left the warehouse (the ordered quantity until shipped quantities are recorded). */
  shipped: ReadonlyMap<string, number>;
}

export interface JdReturnRow {
  eclpRtwNo: string;
  isvRtwNum: string;
  eclpSoNo: string;
  warehouseNo: string;
  /** JD's status (eclp-api.md §4.3): 0, 100, 200 received, 300 cancelling, 400 cancelled, 500/600 rejected, 700 reported. */
  status: string;
  /** Epoch ms JD stored it (the simulator runs in the chaos process: same clock as the wire). */
  acceptedAt: number;
  lines: Array<{ goodsNo: string; planned: number; received: number; goodsLevel: string }>;
}

/** A RETURN_RECEIPT stock movement at JD: good returned units put back into stock. */
export interface JdReturnMovement {
  warehouseNo: string;
  goodsNo: string;
  quantity: number;
  eclpRtwNo: string;
}

export interface ReturnWorld extends JdNumbers {
  returns: ReturnRow[];
  receiptLines: ReturnReceiptLineRow[];
  ledger: ReturnLedgerRow[];
  requests: ReturnRequestRow[];
  /** The original orders and the replacement orders of the returns. */
  orders: ReturnOrderRow[];
  /** Cancel requests recorded on replacement orders (the refund an exchange's end asks for among them). */
  replacementCancels: ReplacementCancelRow[];
  jdReturns: JdReturnRow[];
  jdReturnReceipts: JdReturnMovement[];
  /** JD's sales orders (for the replacements). */
  jdOrders: JdOrderRow[];
  workflows: WorkflowRow[];
  /** Every transportRtw that went over the wire to JD (scripts/chaos/jd-wire.ts). */
  transportRtwCalls: JdPushCall[];
}

export interface ReturnRequestSent extends RequestSent {
  returnNo: string;
  kind: 'cancel';
}

/** A create as the script sent it: the answer it got, and for a 422 the fields the problem named. */
export interface ReturnCreateSent {
  returnNo: string;
  orderNo: string;
  answer?: number;
  /** 422: `errors[].field`. */
  fields?: string[];
  /** Sent at the same instant as other returns of the order that together ask for more than it shipped. */
  overclaiming?: boolean;
}

/** What the warehouse did by hand, for the report. */
export interface WarehouseMoves {
  received: number;
  receivedShort: number;
  reported: number;
  rejected: number;
  /** Moves the simulator refused (the return had moved on at JD). */
  refused: number;
}

export interface ReturnJournal {
  creates: ReturnCreateSent[];
  requests: ReturnRequestSent[];
  /** Answers the API contract does not allow for what was asked, and outcomes the plan did not call for. */
  surprises: string[];
}

/** What a run must have seen for its verdict to mean anything. */
export interface ReturnExpectations {
  /**
   * Each of: a short receipt, a defective line, REJECTED, CANCELLED_AT_JD, CANCELLED_IN_ERP, a replacement
   * cancelled in the ERP, an attention item, a refused over-return — at least this often.
   */
  minOutcomes: number;
  /** REFUSED_BY_JD at least this often (the run has JD refuse that many cancels). */
  minRefused: number;
  /** transportRtw calls JD executed without the worker learning it (timeoutAfterCommit). */
  minAmbiguousPushes: number;
}

export const NO_RETURN_MINIMUMS: ReturnExpectations = { minOutcomes: 0, minRefused: 0, minAmbiguousPushes: 0 };

/** JD's return statuses (eclp-api.md §4.3). */
export const JD_RTW = { NEW: '0', INITIALISED: '100', RECEIVED: '200', CANCELLING: '300', CANCELLED: '400', REJECTED_OVERDUE: '500', REJECTED: '600', REPORTED: '700' } as const;
const JD_REJECTED: ReadonlySet<string> = new Set([JD_RTW.REJECTED_OVERDUE, JD_RTW.REJECTED]);
const JD_OPEN: ReadonlySet<string> = new Set([JD_RTW.NEW, JD_RTW.INITIALISED, JD_RTW.CANCELLING, JD_RTW.REPORTED]);
/** JD's level codes 100–199 are good stock (eclp-api.md §3.6). */
const isGood = (level: string | null | undefined) => {
  const code = Number(level ?? '100');
  return code >= 100 && code < 200;
};


/** Lookups every check needs: JD's returns by number and by our number, receipts per return and SKU. */
function index(world: ReturnWorld) {
  const jdByNo = new Map(world.jdReturns.map((r) => [r.eclpRtwNo, r]));
  const jdByIsv = new Map<string, JdReturnRow[]>();
  for (const r of world.jdReturns) jdByIsv.set(r.isvRtwNum, [...(jdByIsv.get(r.isvRtwNum) ?? []), r]);
  const skuOf = reverse(world.jdGoodsNo);
  const sku = (goodsNo: string) => skuOf.get(goodsNo) ?? `JD ${goodsNo}`;
  /** The JD return the ERP follows, else the one JD holds under our number. */
  const atJd = (ret: ReturnRow) => (ret.eclpRtwNo ? jdByNo.get(ret.eclpRtwNo) : jdByIsv.get(isvRtwNumOf(ret.returnNo, ret.pushRevision))?.[0]);
  const jdReceived = (jd: JdReturnRow) => {
    const bySku = new Map<string, number>();
    for (const line of jd.lines) addTo(bySku, sku(line.goodsNo), line.received);
    return bySku;
  };
  const receipts = new Map<string, Map<string, number>>();
  for (const line of world.receiptLines) {
    const bySku = receipts.get(line.returnNo) ?? new Map<string, number>();
    addTo(bySku, line.sku, line.quantity);
    receipts.set(line.returnNo, bySku);
  }
  const orders = new Map(world.orders.map((o) => [o.orderNo, o]));
  return { jdByNo, jdByIsv, atJd, jdReceived, receipts, sku, orders };
}

const describeJd = (jd: JdReturnRow | undefined) => (jd ? `JD ${jd.status} (${jd.eclpRtwNo})` : 'no JD return');

/**
 * 1. Every return ended where JD ended it — RECEIVED (JD 200), REJECTED (500/600), CANCELLED (400, or
 * never at JD) with its run completed — or is correctly waiting: FAILED with a reason and its run waiting
 * for the operator (JD holds nothing), WAITING_INBOUND only while JD has not finished it. Every return has
 * its run `RTN:{returnNo}:{rev}`; none failed, timed out or was terminated.
 */
export function checkReturnsSettled(world: ReturnWorld): InvariantResult {
  const { atJd } = index(world);
  const runs = new Map(world.workflows.map((w) => [w.workflowId, w.status]));
  const stuck: string[] = [];
  const disagree: string[] = [];
  const wrongRun: string[] = [];
  for (const ret of world.returns) {
    const workflowId = ret.workflowId ?? workflowIds.returnOrder(ret.returnNo, ret.pushRevision);
    const run = runs.get(workflowId);
    const jd = atJd(ret);
    const ended = (jdEnded: boolean) => {
      if (run !== 'COMPLETED') wrongRun.push(`${ret.returnNo} is ${ret.status} but its run ${workflowId} is ${run ?? 'missing'}`);
      if (!jdEnded) disagree.push(`${ret.returnNo} is ${ret.status}, ${describeJd(jd)}`);
    };
    switch (ret.status) {
      case 'RECEIVED':
        ended(jd?.status === JD_RTW.RECEIVED);
        break;
      case 'REJECTED':
        ended(jd !== undefined && JD_REJECTED.has(jd.status));
        break;
      case 'CANCELLED':
        ended(jd ? jd.status === JD_RTW.CANCELLED : ret.eclpRtwNo === null);
        break;
      case 'FAILED':
        if (run !== 'RUNNING') wrongRun.push(`${ret.returnNo} is FAILED but its run ${workflowId} is ${run ?? 'missing'} (nobody waits for the operator)`);
        if (!ret.failureReason) stuck.push(`${ret.returnNo} is FAILED without a reason`);
        if (jd) disagree.push(`${ret.returnNo} is FAILED, ${describeJd(jd)}`);
        break;
      case 'DRAFT':
        // Drafted when an order shipped although JD had refused its refund (issue 12 §5): no run and nothing
        // at JD until an operator confirms it (POST /v1/returns/{returnNo}/confirm); it is on the attention list.
        if (run !== undefined) wrongRun.push(`${ret.returnNo} is DRAFT but has a run ${workflowId} (${run})`);
        if (jd) disagree.push(`${ret.returnNo} is DRAFT, ${describeJd(jd)}`);
        break;
      case 'WAITING_INBOUND':
        if (run !== 'RUNNING') wrongRun.push(`${ret.returnNo} is WAITING_INBOUND but its run ${workflowId} is ${run ?? 'missing'}`);
        if (!jd) disagree.push(`${ret.returnNo} is WAITING_INBOUND, no JD return`);
        else if (!JD_OPEN.has(jd.status)) stuck.push(`${ret.returnNo} still WAITING_INBOUND although ${describeJd(jd)} has ended it`);
        break;
      default:
        stuck.push(`${ret.returnNo} still ${ret.status} (r${ret.pushRevision})`);
    }
  }
  const figures = [`${world.returns.length} returns (${tally(countBy(world.returns, (r) => r.type))}): ${tally(countBy(world.returns, (r) => r.status))}`, runsFigure(world.workflows)];
  return invariant('every return is terminal or correctly waiting, where JD ended it', figures, settledViolations('returns', { stuck, disagree, wrongRun }, world.workflows));
}

/**
 * 2. The sales-return receipt of each return equals, per SKU, what JD received on the JD return the ERP
 * follows (realQty), with JD's goods level; it was booked from that JD return; a return has a receipt
 * exactly when it is RECEIVED; and no JD return received goods the ERP has not booked.
 */
export function checkReturnReceiptsMatchJd(world: ReturnWorld): InvariantResult {
  const { jdByNo, atJd, jdReceived, receipts, sku } = index(world);
  const unequal: string[] = [];
  const foreign: string[] = [];
  const wrongLevel: string[] = [];
  const withoutReceipt: string[] = [];
  let compared = 0;
  for (const ret of world.returns) {
    const erp = receipts.get(ret.returnNo);
    if ((ret.status === 'RECEIVED') !== (erp !== undefined)) withoutReceipt.push(`${ret.returnNo} is ${ret.status} ${erp ? 'with' : 'without'} a receipt`);
    const jd = atJd(ret);
    if (!erp && !(jd?.status === JD_RTW.RECEIVED)) continue;
    compared += 1;
    for (const d of differing(erp ?? new Map<string, number>(), jd ? jdReceived(jd) : new Map<string, number>())) {
      unequal.push(`${ret.returnNo} ${d.key}: receipt ${d.ours}, JD ${d.theirs} (${jd ? jd.eclpRtwNo : 'no JD return'})`);
    }
  }
  for (const line of world.receiptLines) {
    const ret = world.returns.find((r) => r.returnNo === line.returnNo);
    if (ret?.eclpRtwNo !== line.eclpRtwNo) foreign.push(`${line.receiptNo} ${line.sku}×${line.quantity} booked from ${line.eclpRtwNo}, the return follows ${ret?.eclpRtwNo ?? 'none'}`);
    const jd = jdByNo.get(line.eclpRtwNo);
    const jdLevel = jd?.lines.find((l) => sku(l.goodsNo) === line.sku && l.received > 0)?.goodsLevel;
    if (line.quantity > 0 && jdLevel !== undefined && line.goodsLevel !== jdLevel) wrongLevel.push(`${line.receiptNo} ${line.sku}: goods level ${line.goodsLevel ?? 'none'}, JD ${jdLevel}`);
  }
  const followed = new Set(world.returns.flatMap((r) => (r.eclpRtwNo ? [r.eclpRtwNo] : [])));
  const unbooked = world.jdReturns
    .filter((jd) => jd.status === JD_RTW.RECEIVED && !followed.has(jd.eclpRtwNo))
    .map((jd) => `${jd.eclpRtwNo} (${jd.isvRtwNum}): ${sum(jd.lines.map((l) => l.received))} units`);
  const jdLines = world.jdReturns.filter((jd) => jd.status === JD_RTW.RECEIVED && followed.has(jd.eclpRtwNo)).flatMap((jd) => jd.lines);
  const figures = [
    `${compared} received returns compared with their JD return; ${new Set(world.receiptLines.map((l) => l.receiptNo)).size} receipts, ${sum(world.receiptLines.map((l) => l.quantity))} units; JD received ${sum(jdLines.map((l) => l.received))}`,
    `JD's lines: ${jdLines.filter((l) => l.received < l.planned).length} short (${sum(jdLines.map((l) => Math.max(0, l.planned - l.received)))} units), ${jdLines.filter((l) => l.received > 0 && !isGood(l.goodsLevel)).length} came back defective (${sum(jdLines.filter((l) => !isGood(l.goodsLevel)).map((l) => l.received))} units)`,
  ];
  return invariant("sales-return receipts equal JD's received quantities per return and SKU", figures, [
    ...examples(unequal, 'return/SKU figures that differ'),
    ...examples(foreign, 'receipts booked from another JD return'),
    ...examples(wrongLevel, 'receipt lines whose goods level is not JD\'s'),
    ...examples(withoutReceipt, 'returns whose receipt does not match their status'),
    ...examples(unbooked, 'JD returns received that no return books'),
  ]);
}

/**
 * 3. The stock ledger (doc type RTN) books each receipt line with units exactly once — one row per return
 * and SKU, with the receipt's quantity, revision and warehouse — and nothing else; per warehouse and SKU
 * it equals what JD received on returns (its good units are JD's RETURN_RECEIPT movements; defective ones
 * JD keeps out of sellable stock, which the figures show apart).
 */
export function checkReturnLedger(world: ReturnWorld): InvariantResult {
  const key = (returnNo: string, sku: string) => `${returnNo}/${sku}`;
  // A line nothing came back on books nothing (the ledger keeps quantities > 0 only).
  const lines = world.receiptLines.filter((l) => l.quantity > 0);
  const booking = bookingViolations(
    lines.map((l) => ({ key: key(l.returnNo, l.sku), quantity: l.quantity, revision: l.revision, warehouseCode: l.warehouseCode, label: `${l.receiptNo} ${l.sku}×${l.quantity}` })),
    world.ledger.map((r) => ({ key: key(r.docNo, r.sku), quantity: r.quantity, revision: r.docRevision, warehouseCode: r.warehouseCode })),
  );
  const codeOf = reverse(world.jdWarehouseNo);
  const skuOf = reverse(world.jdGoodsNo);
  const place = (warehouseNo: string, goodsNo: string) => `${codeOf.get(warehouseNo) ?? `JD ${warehouseNo}`}/${skuOf.get(goodsNo) ?? `JD ${goodsNo}`}`;
  const erp = new Map<string, number>();
  for (const row of world.ledger) addTo(erp, `${row.warehouseCode}/${row.sku}`, row.quantity);
  const jdGood = new Map<string, number>();
  for (const m of world.jdReturnReceipts) addTo(jdGood, place(m.warehouseNo, m.goodsNo), m.quantity);
  const jdDefective = new Map<string, number>();
  for (const jd of world.jdReturns.filter((r) => r.status === JD_RTW.RECEIVED)) {
    for (const line of jd.lines) if (!isGood(line.goodsLevel) && line.received > 0) addTo(jdDefective, place(jd.warehouseNo, line.goodsNo), line.received);
  }
  const places = keysOf(erp, jdGood, jdDefective);
  const jdReceived = new Map(places.map((k) => [k, (jdGood.get(k) ?? 0) + (jdDefective.get(k) ?? 0)]));
  const jdAll = (k: string) => jdReceived.get(k) ?? 0;
  const unequal = differing(erp, jdReceived).map((d) => `${d.key}: ERP ${d.ours}, JD received ${d.theirs}`);
  const defective = sum(jdDefective.values());
  const figures = [
    ...places.map((k) => `${k.padEnd(14)} ERP ledger ${String(erp.get(k) ?? 0).padStart(5)}   JD received ${String(jdAll(k)).padStart(5)} (${jdGood.get(k) ?? 0} into stock, ${jdDefective.get(k) ?? 0} defective)`),
    `${world.ledger.length} ledger rows for ${lines.length} receipt lines with units; total ERP ${sum(erp.values())}, JD ${sum(jdGood.values()) + defective}`,
    `${defective} units came back defective: the ledger books them like good ones (it has no goods level), JD keeps them out of sellable stock`,
  ];
  return invariant('stock ledger equals the sales-return receipts (each booked once) and what JD received', figures, [...booking, ...examples(unequal, 'warehouse/SKU figures that differ from JD')]);
}

/**
 * 4. No order is claimed for more than it shipped: per original order and SKU, the returns that still
 * claim (not cancelled or rejected) add up to at most what left the warehouse, and only for SKUs it
 * shipped; a create the API refused left no return behind, and every over-claiming group had one refused.
 */
export function checkReturnClaims(world: ReturnWorld, journal: ReturnJournal): InvariantResult {
  const { orders } = index(world);
  const claims = new Map<string, Map<string, number>>();
  for (const ret of world.returns.filter((r) => RETURN_CLAIMING.has(r.status))) {
    const bySku = claims.get(ret.orderNo) ?? new Map<string, number>();
    for (const line of ret.lines) addTo(bySku, line.sku, line.quantity);
    claims.set(ret.orderNo, bySku);
  }
  const over: string[] = [];
  for (const [orderNo, bySku] of claims) {
    const order = orders.get(orderNo);
    for (const [sku, claimed] of bySku) {
      const shipped = order?.shipped.get(sku) ?? 0;
      if (claimed > shipped) over.push(`${orderNo} ${sku}: returns claim ${claimed}, it shipped ${shipped}`);
    }
  }
  const known = new Set(world.returns.map((r) => r.returnNo));
  const refused = journal.creates.filter((c) => c.answer === 422);
  const refusedButStored = refused.filter((c) => known.has(c.returnNo)).map((c) => `${c.returnNo} (422 ${c.fields?.join(', ') ?? ''}) exists`);
  const groups = new Map<string, ReturnCreateSent[]>();
  for (const c of journal.creates.filter((c) => c.overclaiming)) groups.set(c.orderNo, [...(groups.get(c.orderNo) ?? []), c]);
  // The group asks for one unit more than the order shipped, whichever two come first: exactly one must be refused.
  const notOneRefused = [...groups]
    .filter(([, sent]) => sent.filter((c) => c.answer === 422).length !== 1)
    .map(([orderNo, sent]) => `${orderNo}: ${sent.map((c) => `${c.returnNo} ${c.answer ?? 'no answer'}`).join(', ')}`);
  const notNamingLine = refused.filter((c) => !c.fields?.some((f) => /^lines\.\d+\.quantity$/.test(f))).map((c) => `${c.returnNo}: ${c.fields?.join(', ') || 'no field named'}`);
  const figures = [
    `${claims.size} orders claimed by ${world.returns.filter((r) => RETURN_CLAIMING.has(r.status)).length} returns; ${sum([...claims.values()].map((m) => sum(m.values())))} units claimed`,
    `${groups.size} orders were asked for more at one instant; ${refused.length} creates refused (422)`,
  ];
  return invariant('no return claims more than its order shipped (concurrent over-returns refused naming the line)', figures, [
    ...examples(over, 'order/SKU claimed beyond what shipped'),
    ...examples(refusedButStored, 'returns refused that were stored anyway'),
    ...examples(notOneRefused, 'over-claiming groups in which not exactly one create was refused'),
    ...examples(notNamingLine, 'refusals that do not name the line quantity'),
  ]);
}

/**
 * 5. Exactly one JD return per pushed return revision: JD holds one return under `{returnNo}-{rev}` for
 * every return the ERP records as pushed — the one the ERP follows, against the original order's outbound,
 * in the return's warehouse with the return's quantities — and none for a return never pushed; none
 * nobody accounts for, none twice under one number; no transportRtw went over the wire for a number JD
 * already held (a JD that does not de-duplicate would hold two); and the run had pushes JD executed
 * without answering.
 */
export function checkOneJdReturnPerPush(world: ReturnWorld, expected: ReturnExpectations): InvariantResult {
  const { jdByIsv, jdByNo, orders, sku } = index(world);
  const missing: string[] = [];
  const stray: string[] = [];
  const differs: string[] = [];
  const twice = [...jdByIsv].filter(([, rows]) => rows.length > 1).map(([isv, rows]) => `${isv}: ${rows.map((r) => r.eclpRtwNo).join(', ')}`);
  for (const ret of world.returns) {
    const isv = isvRtwNumOf(ret.returnNo, ret.pushRevision);
    const held = jdByIsv.get(isv) ?? [];
    if (!ret.eclpRtwNo) {
      if (held.length > 0 && ret.status !== 'PUSHING') stray.push(`${ret.returnNo} (${ret.status}, never pushed): JD holds ${held.map((r) => r.eclpRtwNo).join(', ')}`);
      continue;
    }
    const jd = jdByNo.get(ret.eclpRtwNo);
    if (!jd) {
      missing.push(`${ret.returnNo} follows ${ret.eclpRtwNo}, which JD does not hold`);
      continue;
    }
    const what: string[] = [];
    if (jd.isvRtwNum !== isv) what.push(`number ${jd.isvRtwNum}, not ${isv}`);
    const order = orders.get(ret.orderNo);
    if (jd.eclpSoNo !== order?.eclpSoNo) what.push(`outbound ${jd.eclpSoNo}, the order's is ${order?.eclpSoNo ?? 'unknown'}`);
    if (jd.warehouseNo !== world.jdWarehouseNo.get(ret.warehouseCode)) what.push(`warehouse ${jd.warehouseNo}, the return's is ${world.jdWarehouseNo.get(ret.warehouseCode) ?? 'unmapped'}`);
    const planned = new Map<string, number>();
    for (const line of jd.lines) addTo(planned, sku(line.goodsNo), line.planned);
    const asked = new Map(ret.lines.map((l) => [l.sku, l.quantity]));
    for (const s of new Set([...planned.keys(), ...asked.keys()])) if ((planned.get(s) ?? 0) !== (asked.get(s) ?? 0)) what.push(`${s} planned ${planned.get(s) ?? 0}, asked ${asked.get(s) ?? 0}`);
    if (what.length > 0) differs.push(`${ret.returnNo} (${jd.eclpRtwNo}): ${what.join('; ')}`);
  }
  const ours = new Set(world.returns.map((r) => isvRtwNumOf(r.returnNo, r.pushRevision)));
  const nobody = world.jdReturns.filter((jd) => !ours.has(jd.isvRtwNum)).map((jd) => `${jd.eclpRtwNo} (${jd.isvRtwNum})`);

  const { resent, ambiguous } = wireAgainstJd(world.transportRtwCalls, new Map(world.jdReturns.map((jd) => [jd.isvRtwNum, jd.acceptedAt])));
  const perNumber = countBy(world.transportRtwCalls, (c) => c.key);
  const pushed = world.returns.filter((r) => r.eclpRtwNo).length;
  const figures = [
    `${pushed} returns pushed; JD holds ${world.jdReturns.length} returns under ${jdByIsv.size} numbers (${tally(countBy(world.jdReturns, (r) => r.status))})`,
    `${world.transportRtwCalls.length} transportRtw calls over ${perNumber.size} numbers (at most ${Math.max(0, ...perNumber.values())} for one); JD executed ${ambiguous} without answering, minimum ${expected.minAmbiguousPushes}; numbers sent again after JD held them: ${resent.size}`,
  ];
  return invariant('exactly one JD return per pushed return revision, the one the ERP follows', figures, [
    ...examples(missing, 'returns whose JD return JD does not hold'),
    ...examples(stray, 'JD returns for returns never pushed'),
    ...examples(differs, 'JD returns that are not what the ERP asked for'),
    ...examples(twice, 'numbers JD holds several returns under'),
    ...examples(nobody, 'JD returns no return accounts for'),
    ...examples(
      [...resent].map(([isv, n]) => `${isv}: ${n} more transportRtw after JD stored it`),
      'return numbers JD would hold twice if it did not de-duplicate',
    ),
    ...(ambiguous < expected.minAmbiguousPushes ? [`only ${ambiguous} transportRtw calls were executed without an answer (minimum ${expected.minAmbiguousPushes}): the lookup before a re-send was not exercised`] : []),
  ]);
}

/** The refund an exchange's end asked for on its replacement, and whether its verdict fits what JD did with it. */
function replacementRefund(world: ReturnWorld, ret: ReturnRow, replacement: ReturnOrderRow | undefined) {
  const requestId = replacementRefundRequestId(ret.returnNo);
  const row = world.replacementCancels.find((c) => c.requestId === requestId);
  if (!row || !replacement) return { row, fits: true };
  const { revision } = row;
  const jd = world.jdOrders.find((o) => o.isvUUID === `${replacement.orderNo}-${revision}`);
  // Judged like the script's own refunds (sales-order-invariants): by what JD did with that revision.
  const role = row.statusAtRequest === 'REVIEW' ? 'in-review' : 'single';
  const called = verdictsCalledFor({ requestId, orderNo: replacement.orderNo, kind: 'buyerRefund', revision, role, sentAt: 0 }, jd, revision > 0);
  return { row, fits: !row.verdict || !called || called.first.includes(row.verdict) };
}

/**
 * 6. An exchange's replacement order is linked both ways, and when the return ended without goods
 * (REJECTED or CANCELLED) it does not go out unnoticed: it is CANCELLED, or it shipped after the refund
 * its return asked for came too late (the order shows the refusal), or the return carries an attention
 * item — never left in REVIEW (or anywhere else) without one. Every refund asked has a verdict that fits
 * what JD did with the order. While the return stands (received, waiting, failed) its replacement is left
 * alone: no refund, no attention.
 */
export function checkExchangeReplacements(world: ReturnWorld): InvariantResult {
  const { orders } = index(world);
  const unnoticed: string[] = [];
  const unlinked: string[] = [];
  const undecided: string[] = [];
  const wrongVerdict: string[] = [];
  const touched: string[] = [];
  const outcomes = new Map<string, number>();
  for (const ret of world.returns) {
    if (ret.type !== 'EXCHANGE') {
      if (ret.replacementOrderNo || ret.attention) unlinked.push(`${ret.returnNo} is a RETURN with ${ret.replacementOrderNo ? `replacement ${ret.replacementOrderNo}` : 'an attention item'}`);
      continue;
    }
    const replacement = ret.replacementOrderNo ? orders.get(ret.replacementOrderNo) : undefined;
    if (!replacement || replacement.replacementFor !== ret.returnNo) {
      unlinked.push(`${ret.returnNo} → ${ret.replacementOrderNo ?? 'no replacement'}${replacement ? ` (replacement for ${replacement.replacementFor ?? 'nothing'})` : ''}`);
      continue;
    }
    const { row: refund, fits } = replacementRefund(world, ret, replacement);
    const ended = ret.status === 'REJECTED' || ret.status === 'CANCELLED';
    const said = `${ret.returnNo} ${ret.status}, replacement ${replacement.orderNo} ${replacement.status}`;
    if (!ended) {
      if (refund || ret.attention) touched.push(`${said}: ${refund ? `refund ${refund.verdict ?? 'pending'}` : ''}${ret.attention ? ' attention' : ''}`);
      addTo(outcomes, `${ret.status} → replacement ${replacement.status}`, 1);
      continue;
    }
    if (refund && !refund.verdict) undecided.push(`${said}: refund ${refund.requestId} has no verdict`);
    if (!fits) wrongVerdict.push(`${said}: refund → ${refund?.verdict} (JD ${world.jdOrders.find((o) => o.isvUUID === `${replacement.orderNo}-${refund?.revision}`)?.currentStatus ?? 'never held it'})`);
    // Shipped after its refund came too late: the verdict (REFUSED_BY_JD, ALREADY_SHIPPED) fits only an order JD shipped.
    const refundedTooLate = replacement.status === 'SHIPPED' && Boolean(refund?.verdict) && fits;
    const explained = ret.attention !== null || replacement.status === 'CANCELLED' || refundedTooLate;
    if (!explained) unnoticed.push(`${said}${refund ? ` (refund ${refund.verdict ?? 'pending'})` : ', no refund asked'}, no attention item`);
    const how = ret.attention ? 'attention' : refund ? `refund ${refund.verdict ?? 'pending'}` : 'untouched';
    addTo(outcomes, `${ret.status} → replacement ${replacement.status} (${how})`, 1);
  }
  const exchanges = world.returns.filter((r) => r.type === 'EXCHANGE').length;
  const figures = [`${exchanges} exchanges: ${tally(outcomes)}`, `${world.returns.filter((r) => r.attention).length} returns carry an attention item`];
  return invariant('no replacement order of a rejected or cancelled exchange goes out unnoticed (cancelled, refunded too late, or an attention item)', figures, [
    ...examples(unnoticed, 'replacement orders left without an attention item'),
    ...examples(unlinked, 'exchanges not linked both ways to their replacement order'),
    ...examples(undecided, 'replacement refunds without a verdict'),
    ...examples(wrongVerdict, 'replacement refunds answered against what JD did with the order'),
    ...examples(touched, 'replacements refunded or flagged although their return stands'),
  ]);
}

/** A 409 is written `409 <reason>` among the outcomes: the API refused from Postgres alone. */
const refusal = (reason: string) => `409 ${reason}`;

function cancelFits(outcome: string, ret: ReturnRow, jd: JdReturnRow | undefined, world: ReturnWorld, requestId: string): boolean {
  const cancelledBySomeoneElse = () =>
    ret.status === 'CANCELLED' && world.requests.some((r) => r.returnNo === ret.returnNo && r.requestId !== requestId && (r.verdict === 'CANCELLED_AT_JD' || r.verdict === 'CANCELLED_IN_ERP'));
  switch (outcome) {
    case 'CANCELLED_AT_JD':
      return ret.status === 'CANCELLED' && jd?.status === JD_RTW.CANCELLED;
    case 'CANCELLED_IN_ERP':
      return ret.status === 'CANCELLED' && !ret.eclpRtwNo && jd === undefined;
    case 'REFUSED_BY_JD':
      // JD said no: the return carried on and JD ended it otherwise.
      return (ret.status === 'RECEIVED' || ret.status === 'REJECTED') && jd !== undefined && jd.status !== JD_RTW.CANCELLED;
    case 'ALREADY_RECEIVED':
    case refusal('already-received'):
      return ret.status === 'RECEIVED';
    case 'ALREADY_REJECTED':
    case refusal('already-rejected'):
      return ret.status === 'REJECTED';
    case 'ALREADY_CANCELLED':
    case refusal('already-cancelled'):
      return cancelledBySomeoneElse();
    default:
      return false;
  }
}

/**
 * 7. Every cancel got the verdict the return's end calls for — accepted means JD cancelled it (400), or it
 * never reached JD and was cancelled in the ERP; refused means JD ended it otherwise; a 409 means it had
 * ended — and every cancel the API took has a recorded verdict, nothing recorded that was not sent.
 */
export function checkReturnCancels(world: ReturnWorld, journal: ReturnJournal): InvariantResult {
  const { atJd } = index(world);
  const rows = new Map(world.requests.map((r) => [r.requestId, r]));
  const byNo = new Map(world.returns.map((r) => [r.returnNo, r]));
  const wrong: string[] = [];
  for (const request of journal.requests) {
    const outcome = request.answer === 409 ? refusal(request.reason ?? 'without a reason') : (rows.get(request.requestId)?.verdict ?? request.verdict ?? undefined);
    const ret = byNo.get(request.returnNo);
    if (outcome === undefined || !ret) continue; // no verdict: reported below
    const jd = atJd(ret);
    if (!cancelFits(outcome, ret, jd, world, request.requestId)) wrong.push(`cancel ${ret.returnNo} → ${outcome} (the return ended ${ret.status}, ${describeJd(jd)})`);
  }
  const sent = journal.requests.map((r) => ({ ...r, label: `cancel ${r.returnNo} (${r.requestId.slice(0, 8)}, answered ${r.answer ?? 'never'})` }));
  const recorded = world.requests.map((r) => ({ ...r, label: `${r.kind} ${r.returnNo} (${r.requestId})` }));
  const figures = [
    `${journal.requests.length} cancels sent; final answers: ${tally(countBy(journal.requests, (r) => String(r.answer ?? 'gave up')))}`,
    `${world.requests.length} recorded, undecided ${world.requests.filter((r) => !r.verdict).length}; verdicts: ${tally(countBy(world.requests.filter((r) => r.verdict), (r) => r.verdict!))}; API refusals: ${tally(countBy(journal.requests.filter((r) => r.answer === 409), (r) => refusal(r.reason ?? '?')))}`,
  ];
  return invariant("every return cancel has a recorded verdict, the one the return's end called for", figures, [
    ...examples(wrong, "cancels answered against their return's end"),
    ...requestRecordViolations(sent, recorded),
  ]);
}

/** 8. The run went down every path the returns have, often enough to prove each works at all. */
export function checkReturnCoverage(world: ReturnWorld, journal: ReturnJournal, expected: ReturnExpectations): InvariantResult {
  const jdLines = world.jdReturns.filter((jd) => jd.status === JD_RTW.RECEIVED).flatMap((jd) => jd.lines);
  const verdicts = countBy(world.requests.filter((r) => r.verdict), (r) => r.verdict!);
  const replacementsCancelledInErp = world.returns.filter((r) => {
    const refund = world.replacementCancels.find((c) => c.requestId === replacementRefundRequestId(r.returnNo));
    return r.type === 'EXCHANGE' && refund?.verdict === 'CANCELLED_IN_ERP';
  }).length;
  const seen: Array<[string, number, number]> = [
    ['received short', jdLines.filter((l) => l.received < l.planned).length, expected.minOutcomes],
    ['received defective', jdLines.filter((l) => l.received > 0 && !isGood(l.goodsLevel)).length, expected.minOutcomes],
    ['REJECTED', world.returns.filter((r) => r.status === 'REJECTED').length, expected.minOutcomes],
    ['CANCELLED_AT_JD', verdicts.get('CANCELLED_AT_JD') ?? 0, expected.minOutcomes],
    ['CANCELLED_IN_ERP', verdicts.get('CANCELLED_IN_ERP') ?? 0, expected.minOutcomes],
    ['REFUSED_BY_JD', verdicts.get('REFUSED_BY_JD') ?? 0, expected.minRefused],
    ['replacement cancelled in the ERP', replacementsCancelledInErp, expected.minOutcomes],
    ['attention item', world.returns.filter((r) => r.attention).length, expected.minOutcomes],
    ['over-return refused', journal.creates.filter((c) => c.answer === 422).length, expected.minOutcomes],
  ];
  const tooFew = seen.filter(([, n, min]) => n < min).map(([what, n, min]) => `${what} ${n} < ${min}: that path was not exercised`);
  return invariant('the returns went down every path (short, defective, rejected, cancelled, refused, compensated, flagged)', [seen.map(([what, n, min]) => `${what} ${n} (≥ ${min})`).join(', ')], tooFew);
}

export function checkReturns(world: ReturnWorld, journal: ReturnJournal, expected: ReturnExpectations = NO_RETURN_MINIMUMS): InvariantResult[] {
  return [
    checkReturnsSettled(world),
    checkReturnReceiptsMatchJd(world),
    checkReturnLedger(world),
    checkReturnClaims(world, journal),
    checkOneJdReturnPerPush(world, expected),
    checkExchangeReplacements(world),
    checkReturnCancels(world, journal),
    checkReturnCoverage(world, journal, expected),
    checkAnswers(journal.surprises, 'returns'),
  ];
}
