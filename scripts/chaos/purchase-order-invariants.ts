// What must hold for purchase orders after a chaos run, as pure functions over a snapshot of Postgres, the
// simulator (what JD "knows"), Temporal and the wire to JD, plus the script's journal of what it asked.
// Pure, so each check is tested on doctored snapshots (test/chaos/purchase-order-invariants.test.ts).
import type { PurchaseOrderRequestKind } from '../../domain/purchase-order';
import { spPoOrderNoOf } from '../../domain/purchase-order-numbers';
import type { PurchaseOrderStatus } from '../../domain/statuses';
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

export interface PoRow {
  poNo: string;
  status: PurchaseOrderStatus;
  pushRevision: number;
  warehouseCode: string;
  workflowId: string | null;
  /** JD's PO the ERP follows (pushed or linked). */
  poOrderNo: string | null;
  /** Our number at JD for the current revision, once pushed or attempted. */
  spPoOrderNo: string | null;
  failureReason: string | null;
}

/** Operation-log lines of a PO that the checks read: push outcomes, PUSH_UNCONFIRMED with JD's words, repushes. */
export interface PoLogRow {
  poNo: string;
  action: string;
  /** push_unconfirmed: the number JD said it already holds, and JD's words (the operator's attention reason). */
  spPoOrderNo?: string;
  jdMessage?: string;
}

export interface ReceiptLineRow {
  poNo: string;
  receiptNo: string;
  seq: number;
  revision: number;
  /** The JD PO whose progress the receipt was booked from. */
  poOrderNo: string;
  warehouseCode: string;
  sku: string;
  quantity: number;
}

/** doc_type 'PO': the PO number, and the receipt's seq as entryNo. */
export type PoLedgerRow = LedgerEntryRow;

export interface PoRequestRow {
  requestId: string;
  poNo: string;
  kind: PurchaseOrderRequestKind;
  /** The push revision the request was judged at. */
  revision: number;
  /** link: the JD number the operator gave. */
  poOrderNo: string | null;
  verdict: string | null;
  resultingStatus: string | null;
  /** Epoch ms the verdict was recorded. */
  decidedAt: number | null;
}

export interface JdPoRow {
  poOrderNo: string;
  spPoOrderNo: string;
  warehouseNo: string;
  /** JD's poOrderStatus: 10, 20, 70 (completed or closed), 90 cancelling, 91 cancelled, 92 cancel failed. */
  status: string;
  /** Ended by po.closePo rather than by receiving. */
  closed: boolean;
  /** Epoch ms JD stored the PO (the simulator runs in the chaos process: same clock as the wire). */
  acceptedAt: number;
  /** Per JD line: good units put away (realInstoreQty), defective ones (damagedQty) and what was never received (shortQty). */
  lines: Array<{ goodsNo: string; ordered: number; received: number; defective: number; short: number }>;
}

/** A PO_RECEIPT stock movement at JD: goods put away on one of its POs. */
export interface JdReceiptMovement {
  warehouseNo: string;
  goodsNo: string;
  quantity: number;
  poOrderNo: string;
}

export interface PurchaseOrderWorld extends JdNumbers {
  orders: PoRow[];
  log: PoLogRow[];
  receiptLines: ReceiptLineRow[];
  ledger: PoLedgerRow[];
  requests: PoRequestRow[];
  jdPurchaseOrders: JdPoRow[];
  jdReceipts: JdReceiptMovement[];
  workflows: WorkflowRow[];
  /** Every addPoOrder that went over the wire to JD (scripts/chaos/jd-wire.ts). */
  addPoOrderCalls: JdPushCall[];
}

export interface PoRequestSent extends RequestSent {
  poNo: string;
  kind: PurchaseOrderRequestKind;
  /** link: the JD number given. */
  poOrderNo?: string;
}

export interface PurchaseOrderJournal {
  requests: PoRequestSent[];
  /** Answers the API contract does not allow for what was asked, and outcomes the plan did not call for. */
  surprises: string[];
}

/** What a run must have seen for its verdict to mean anything. */
export interface PurchaseOrderExpectations {
  /** Each of CANCELLED_AT_JD, CLOSED_AT_JD and REPUSHED at least this often. */
  minVerdicts: number;
  /** LINKED at least this often (an operator resolved a PUSH_UNCONFIRMED PO by JD's number). */
  minLinked: number;
  /** addPoOrder calls JD executed without the worker learning it (timeoutAfterCommit). */
  minAmbiguousPushes: number;
}

export const NO_PO_MINIMUMS: PurchaseOrderExpectations = { minVerdicts: 0, minLinked: 0, minAmbiguousPushes: 0 };

const JD = { COMPLETED: '70', CANCELLED: '91' } as const;
const isLive = (jd: JdPoRow) => jd.status !== JD.CANCELLED;
const isFinished = (jd: JdPoRow) => jd.status === JD.COMPLETED || jd.status === JD.CANCELLED;
const jdReceivedUnits = (jd: JdPoRow) => jd.lines.reduce((sum, l) => sum + l.received, 0);
const jdArrivedUnits = (jd: JdPoRow) => jd.lines.reduce((sum, l) => sum + l.received + l.defective, 0);

/** `{poNo}-{revision}` back into its parts (the PO number may itself contain dashes). */
function parseSpPoOrderNo(spPoOrderNo: string): { poNo: string; revision: number } | undefined {
  const match = /^(.+)-(\d+)$/.exec(spPoOrderNo);
  return match ? { poNo: match[1]!, revision: Number(match[2]) } : undefined;
}

/** Lookups every check needs: JD's POs by number and by ERP PO, the receipts per PO and SKU. */
function index(world: PurchaseOrderWorld) {
  const jdByNo = new Map(world.jdPurchaseOrders.map((jd) => [jd.poOrderNo, jd]));
  const jdByPo = new Map<string, JdPoRow[]>();
  for (const jd of world.jdPurchaseOrders) {
    const parsed = parseSpPoOrderNo(jd.spPoOrderNo);
    if (parsed) jdByPo.set(parsed.poNo, [...(jdByPo.get(parsed.poNo) ?? []), jd]);
  }
  const skuOf = reverse(world.jdGoodsNo);
  /** JD's good units per SKU of one JD PO. */
  const jdReceived = (jd: JdPoRow) => {
    const bySku = new Map<string, number>();
    for (const line of jd.lines) addTo(bySku, skuOf.get(line.goodsNo) ?? `JD ${line.goodsNo}`, line.received);
    return bySku;
  };
  const receipts = new Map<string, Map<string, number>>();
  for (const line of world.receiptLines) receipts.set(line.poNo, addTo(receipts.get(line.poNo) ?? new Map<string, number>(), line.sku, line.quantity));
  const linked = (po: PoRow) => (po.poOrderNo ? jdByNo.get(po.poOrderNo) : undefined);
  return { jdByNo, jdByPo, jdReceived, receipts, linked, skuOf };
}

/**
 * 1. Every PO ended (RECEIVED, CANCELLED, NOT_PUSHED, FAILED with its run waiting for the operator) or is
 * correctly waiting: PUSH_UNCONFIRMED with JD's words logged and its run waiting, WAITING_INBOUND or
 * PARTIALLY_RECEIVED only while JD has not finished its PO. A RECEIVED PO's JD PO finished; a run exists
 * for every PO that went to the saga, and none failed, timed out or was terminated.
 */
export function checkPoSettled(world: PurchaseOrderWorld): InvariantResult {
  const { linked } = index(world);
  const runs = new Map(world.workflows.map((w) => [w.workflowId, w.status]));
  const stuck: string[] = [];
  const wrongRun: string[] = [];
  const disagree: string[] = [];
  for (const po of world.orders) {
    const workflowId = po.workflowId ?? workflowIds.purchaseOrder(po.poNo, 1);
    const run = runs.get(workflowId);
    const jd = linked(po);
    const jdSays = jd ? `JD ${jd.status} (${jd.poOrderNo})` : 'no JD PO';
    const ended = () => {
      if (run === undefined) wrongRun.push(`${po.poNo} is ${po.status} but has no workflow run ${workflowId}`);
      if (run === 'RUNNING') wrongRun.push(`${po.poNo} is ${po.status} but its run ${workflowId} is still running`);
    };
    const waits = () => {
      if (run !== 'RUNNING') wrongRun.push(`${po.poNo} is ${po.status} but its run ${workflowId} is ${run ?? 'missing'} (nobody waits for the operator)`);
    };
    switch (po.status) {
      case 'RECEIVED':
        ended();
        // JD's cancel after goods arrived ends a PO with what was received, as a close does.
        if (!jd || !(jd.status === JD.COMPLETED || (jd.status === JD.CANCELLED && jdReceivedUnits(jd) > 0))) disagree.push(`${po.poNo} is RECEIVED, ${jdSays}`);
        break;
      case 'CANCELLED':
        ended();
        if (jd && jd.status !== JD.CANCELLED) disagree.push(`${po.poNo} is CANCELLED, ${jdSays}`);
        break;
      case 'NOT_PUSHED':
        if (run !== undefined) wrongRun.push(`${po.poNo} is NOT_PUSHED but has a run ${workflowId} (${run})`);
        break;
      case 'FAILED':
        waits();
        if (!po.failureReason) stuck.push(`${po.poNo} is FAILED without a reason`);
        break;
      case 'PUSH_UNCONFIRMED': {
        waits();
        const said = world.log.find((l) => l.poNo === po.poNo && l.action === 'push_unconfirmed' && l.spPoOrderNo === po.spPoOrderNo && l.jdMessage);
        if (!said) stuck.push(`${po.poNo} is PUSH_UNCONFIRMED (${po.spPoOrderNo ?? 'no number'}) without JD's words logged for the operator`);
        break;
      }
      case 'WAITING_INBOUND':
      case 'PARTIALLY_RECEIVED':
        waits();
        if (!jd) disagree.push(`${po.poNo} is ${po.status}, ${jdSays}`);
        else if (isFinished(jd)) stuck.push(`${po.poNo} still ${po.status} although ${jdSays} has finished it`);
        break;
      default:
        stuck.push(`${po.poNo} still ${po.status} (r${po.pushRevision})`);
    }
  }
  const figures = [`${world.orders.length} purchase orders: ${tally(countBy(world.orders, (o) => o.status))}`, runsFigure(world.workflows)];
  return invariant('every purchase order is terminal or correctly waiting', figures, settledViolations('purchase orders', { stuck, disagree, wrongRun }, world.workflows));
}

/**
 * 2. The receipts of each PO add up, per SKU, to the good units JD put away (realInstoreQty) on the JD PO
 * the ERP follows; each receipt was booked from that JD PO; and JD received nothing on a PO the ERP does
 * not follow (that stock would never reach the ERP's books).
 */
export function checkReceiptsMatchJd(world: PurchaseOrderWorld): InvariantResult {
  const { receipts, linked, jdReceived } = index(world);
  const unequal: string[] = [];
  const foreign: string[] = [];
  let compared = 0;
  for (const po of world.orders) {
    const erp = receipts.get(po.poNo) ?? new Map<string, number>();
    const jd = linked(po);
    const atJd = jd ? jdReceived(jd) : new Map<string, number>();
    if (jd) compared += 1;
    for (const d of differing(erp, atJd)) unequal.push(`${po.poNo} ${d.key}: receipts ${d.ours}, JD ${d.theirs} (${jd ? jd.poOrderNo : 'no JD PO'})`);
  }
  for (const line of world.receiptLines) {
    const po = world.orders.find((o) => o.poNo === line.poNo);
    if (po?.poOrderNo !== line.poOrderNo) foreign.push(`${line.receiptNo} ${line.sku}×${line.quantity} booked from ${line.poOrderNo}, the PO follows ${po?.poOrderNo ?? 'none'}`);
  }
  const followed = new Set(world.orders.flatMap((o) => (o.poOrderNo ? [o.poOrderNo] : [])));
  const unfollowed = world.jdPurchaseOrders.filter((jd) => !followed.has(jd.poOrderNo));
  const lost = unfollowed.filter((jd) => jdReceivedUnits(jd) > 0).map((jd) => `${jd.poOrderNo} (${jd.spPoOrderNo}, JD ${jd.status}): ${jdReceivedUnits(jd)} units`);
  const jdLines = world.jdPurchaseOrders.filter((jd) => followed.has(jd.poOrderNo)).flatMap((jd) => jd.lines);
  const figures = [
    `${compared} purchase orders compared with their JD PO; ${new Set(world.receiptLines.map((l) => l.receiptNo)).size} receipts, ${sum(world.receiptLines.map((l) => l.quantity))} units; JD put away ${sum(jdLines.map((l) => l.received))}`,
    `JD's lines: ${jdLines.filter((l) => l.received > 0 && l.received < l.ordered).length} short (${sum(jdLines.map((l) => l.short))} units), ${jdLines.filter((l) => l.defective > 0).length} with defective units (${sum(jdLines.map((l) => l.defective))}), ${jdLines.filter((l) => l.received > l.ordered).length} over-received (${sum(jdLines.map((l) => Math.max(0, l.received - l.ordered)))} units)`,
    `${unfollowed.length} JD POs the ERP does not follow (cancelled revisions); goods received on them: ${lost.length}`,
  ];
  return invariant("receipts equal JD's received quantities per purchase order and SKU", figures, [
    ...examples(unequal, 'PO/SKU figures that differ'),
    ...examples(foreign, 'receipts booked from another JD PO'),
    ...examples(lost, 'JD POs the ERP does not follow that received goods'),
  ]);
}

/**
 * 3. The stock ledger (doc type PO) books each receipt line exactly once — one row per PO, receipt and
 * SKU, with the receipt's quantity, revision and warehouse — so it equals the receipts per PO and SKU; and
 * per warehouse and SKU it equals what JD put away on POs (its PO_RECEIPT stock movements).
 */
export function checkPoLedger(world: PurchaseOrderWorld): InvariantResult {
  const key = (poNo: string, seq: number, sku: string) => `${poNo}#${seq}/${sku}`;
  const booking = bookingViolations(
    world.receiptLines.map((l) => ({ key: key(l.poNo, l.seq, l.sku), quantity: l.quantity, revision: l.revision, warehouseCode: l.warehouseCode, label: `${l.receiptNo} ${l.sku}×${l.quantity}` })),
    world.ledger.map((r) => ({ key: key(r.docNo, r.entryNo, r.sku), quantity: r.quantity, revision: r.docRevision, warehouseCode: r.warehouseCode })),
  );
  const codeOf = reverse(world.jdWarehouseNo);
  const skuOf = reverse(world.jdGoodsNo);
  const place = (warehouse: string, sku: string) => `${warehouse}/${sku}`;
  const erp = new Map<string, number>();
  for (const row of world.ledger) addTo(erp, place(row.warehouseCode, row.sku), row.quantity);
  const jd = new Map<string, number>();
  for (const m of world.jdReceipts) addTo(jd, place(codeOf.get(m.warehouseNo) ?? `JD ${m.warehouseNo}`, skuOf.get(m.goodsNo) ?? `JD ${m.goodsNo}`), m.quantity);
  const places = keysOf(erp, jd);
  const unequal = differing(erp, jd).map((d) => `${d.key}: ERP ${d.ours}, JD ${d.theirs}`);
  const figures = [
    ...places.map((k) => `${k.padEnd(22)} ERP ledger ${String(erp.get(k) ?? 0).padStart(6)}   JD put away ${String(jd.get(k) ?? 0).padStart(6)}`),
    `${world.ledger.length} ledger rows for ${world.receiptLines.length} receipt lines; total ERP ${sum(erp.values())}, JD ${sum(jd.values())}`,
  ];
  return invariant('stock ledger equals the receipts (each booked once) and what JD put away', figures, [...booking, ...examples(unequal, 'warehouse/SKU figures that differ from JD')]);
}

/**
 * 4. Zero duplicate JD POs: per ERP PO, JD holds at most one live (not cancelled) PO across its
 * spPoOrderNo revisions and it is the one the ERP follows, under the current revision's number; a PO
 * that is FAILED, NOT_PUSHED, cancelled in the ERP alone or was repushed has no stray live JD PO; JD holds
 * no PO for a revision the ERP never claimed, none under one number twice, none nobody accounts for. The
 * run must also have had pushes JD executed without answering.
 */
export function checkNoDuplicateJdPos(world: PurchaseOrderWorld, expected: PurchaseOrderExpectations): InvariantResult {
  const { jdByNo, jdByPo } = index(world);
  const duplicates: string[] = [];
  const stray: string[] = [];
  const wrongLink: string[] = [];
  const beyond: string[] = [];
  const numbers = countBy(world.jdPurchaseOrders, (jd) => jd.spPoOrderNo);
  const sameNumber = [...numbers].filter(([, n]) => n > 1).map(([sp, n]) => `${sp}: ${n} JD POs`);
  for (const po of world.orders) {
    const atJd = jdByPo.get(po.poNo) ?? [];
    const live = atJd.filter(isLive);
    const describe = (list: JdPoRow[]) => list.map((jd) => `${jd.poOrderNo} (${jd.spPoOrderNo}, JD ${jd.status})`).join(', ');
    if (live.length > 1) duplicates.push(`${po.poNo} (${po.status}): ${describe(live)}`);
    for (const jd of atJd) {
      const revision = parseSpPoOrderNo(jd.spPoOrderNo)!.revision;
      if (po.status === 'NOT_PUSHED' || revision > po.pushRevision) beyond.push(`${po.poNo} (${po.status}, r${po.pushRevision}): ${describe([jd])}`);
    }
    const current = spPoOrderNoOf(po.poNo, po.pushRevision);
    if (po.poOrderNo) {
      const jd = jdByNo.get(po.poOrderNo);
      if (!jd) wrongLink.push(`${po.poNo} follows ${po.poOrderNo}, which JD does not hold`);
      else if (jd.spPoOrderNo !== current) wrongLink.push(`${po.poNo} (r${po.pushRevision}) follows ${po.poOrderNo}, which carries ${jd.spPoOrderNo}, not ${current}`);
      const others = live.filter((l) => l.poOrderNo !== po.poOrderNo);
      if (others.length > 0) stray.push(`${po.poNo} (${po.status}) follows ${po.poOrderNo}; JD also holds ${describe(others)}`);
    } else {
      // Without a JD PO of its own a PO may only be waiting on the current number: pushing, or JD said it holds it.
      const waiting = po.status === 'PUSHING' || po.status === 'PUSH_UNCONFIRMED';
      const unexplained = live.filter((l) => !(waiting && l.spPoOrderNo === current));
      if (unexplained.length > 0) stray.push(`${po.poNo} (${po.status}, follows no JD PO): JD holds ${describe(unexplained)}`);
    }
  }
  const known = new Set(world.orders.map((o) => o.poNo));
  const nobody = world.jdPurchaseOrders.filter((jd) => !known.has(parseSpPoOrderNo(jd.spPoOrderNo)?.poNo ?? '')).map((jd) => `${jd.poOrderNo} (${jd.spPoOrderNo})`);

  // A number sent again is expected here (JD has no lookup by our number, so the saga asks and JD refuses the duplicate).
  const { ambiguous } = wireAgainstJd(world.addPoOrderCalls, new Map(world.jdPurchaseOrders.map((jd) => [jd.spPoOrderNo, jd.acceptedAt])));
  const perNumber = countBy(world.addPoOrderCalls, (c) => c.key);
  const unconfirmed = new Set(world.log.filter((l) => l.action === 'push_unconfirmed').map((l) => l.poNo));
  const repushed = new Set(world.log.filter((l) => l.action === 'repush').map((l) => l.poNo));
  const liveCount = world.jdPurchaseOrders.filter(isLive).length;
  const figures = [
    `${world.orders.filter((o) => o.status !== 'NOT_PUSHED').length} purchase orders went to the saga; JD holds ${world.jdPurchaseOrders.length} POs (${liveCount} live, ${world.jdPurchaseOrders.length - liveCount} cancelled) under ${numbers.size} numbers`,
    `${world.addPoOrderCalls.length} addPoOrder calls over ${perNumber.size} numbers (at most ${Math.max(0, ...perNumber.values())} for one); JD executed ${ambiguous} without answering, minimum ${expected.minAmbiguousPushes}`,
    `${unconfirmed.size} purchase orders were PUSH_UNCONFIRMED; ${repushed.size} were pushed again under a new revision`,
  ];
  return invariant('zero duplicate JD POs: at most one live JD PO per purchase order, the one the ERP follows', figures, [
    ...examples(duplicates, 'purchase orders JD holds several live POs for'),
    ...examples(stray, 'live JD POs the ERP does not follow'),
    ...examples(wrongLink, 'purchase orders that follow a JD PO that is not theirs'),
    ...examples(beyond, 'JD POs for a revision the ERP never pushed'),
    ...examples(sameNumber, 'numbers JD holds several POs under'),
    ...examples(nobody, 'JD POs no purchase order accounts for'),
    ...(ambiguous < expected.minAmbiguousPushes ? [`only ${ambiguous} addPoOrder calls were executed without an answer (minimum ${expected.minAmbiguousPushes}): ambiguous pushes were not exercised`] : []),
  ]);
}

/** A 409 is written `409 <reason>` among the outcomes: the API refused from Postgres alone (or the verdict came too late). */
const refusal = (reason: string) => `409 ${reason}`;

/**
 * Whether `outcome` is what the request had to get, judged by where the PO and its JD PO ended: the state
 * at the instant of the request is a race the script cannot observe, the end is not.
 */
function verdictFits(request: PoRequestSent, outcome: string, po: PoRow, jd: JdPoRow | undefined, world: PurchaseOrderWorld, row: PoRequestRow | undefined): boolean {
  const receipts = world.receiptLines.filter((l) => l.poNo === po.poNo).length;
  const cancelledBySomeoneElse = () =>
    po.status === 'CANCELLED' && world.requests.some((r) => r.poNo === po.poNo && r.requestId !== request.requestId && (r.verdict === 'CANCELLED_AT_JD' || r.verdict === 'CANCELLED_IN_ERP'));
  const received = po.status === 'RECEIVED';
  switch (request.kind) {
    case 'cancel':
      switch (outcome) {
        case 'CANCELLED_AT_JD':
          return po.status === 'CANCELLED' && jd?.status === JD.CANCELLED && jdArrivedUnits(jd) === 0 && receipts === 0;
        case 'CANCELLED_IN_ERP':
          return po.status === 'CANCELLED' && !po.poOrderNo && receipts === 0;
        case 'REFUSED_BY_JD':
          return jd !== undefined && (jdArrivedUnits(jd) > 0 || jd.status === JD.COMPLETED) && po.status !== 'CANCELLED';
        case 'ALREADY_RECEIVED':
        case refusal('already-received'):
          return received;
        case 'ALREADY_CANCELLED':
        case refusal('already-cancelled'):
          return cancelledBySomeoneElse();
        case refusal('push-unconfirmed'):
          return world.log.some((l) => l.poNo === po.poNo && l.action === 'push_unconfirmed');
        case refusal('not-at-jd'):
          return po.status === 'NOT_PUSHED';
        default:
          return false;
      }
    case 'close':
      switch (outcome) {
        case 'CLOSED_AT_JD':
          return received && jd?.status === JD.COMPLETED && jd.closed;
        case 'REFUSED_BY_JD':
          // JD finished it first (the last batch arrived, or it was cancelled): the close found nothing to close.
          return jd !== undefined && ((jd.status === JD.COMPLETED && !jd.closed && received) || jd.status === JD.CANCELLED);
        case 'ALREADY_RECEIVED':
        case refusal('already-received'):
          return received;
        default:
          return false;
      }
    case 'link': {
      const given = request.poOrderNo ? world.jdPurchaseOrders.find((j) => j.poOrderNo === request.poOrderNo) : undefined;
      const ours = row ? spPoOrderNoOf(po.poNo, row.revision) : undefined;
      switch (outcome) {
        case 'LINKED':
          return given !== undefined && given.spPoOrderNo === ours && po.poOrderNo === given.poOrderNo;
        case 'LINK_REFUSED':
          return given === undefined || given.spPoOrderNo !== ours;
        case 'ALREADY_RECEIVED':
        case refusal('already-received'):
          return received;
        default:
          return false;
      }
    }
    case 'repush':
      switch (outcome) {
        case 'REPUSHED':
          return row !== undefined && po.pushRevision > row.revision;
        default:
          return false;
      }
  }
}

/**
 * 5. Every cancel, close, link and repush got the verdict the PO's end calls for — a cancel accepted means
 * JD cancelled the PO (91) and nothing was received; a close means JD closed it (70) and the PO is
 * RECEIVED; a refusal means JD had moved on; a 409 means the PO had — and the run saw enough of the
 * verdicts that prove each path works at all.
 */
export function checkPoRequestVerdicts(world: PurchaseOrderWorld, journal: PurchaseOrderJournal, expected: PurchaseOrderExpectations): InvariantResult {
  const { linked } = index(world);
  const rows = new Map(world.requests.map((r) => [r.requestId, r]));
  const orders = new Map(world.orders.map((o) => [o.poNo, o]));
  const wrong: string[] = [];
  for (const request of journal.requests) {
    const row = rows.get(request.requestId);
    const outcome = request.answer === 409 ? refusal(request.reason ?? 'without a reason') : (row?.verdict ?? request.verdict ?? undefined);
    const po = orders.get(request.poNo);
    if (outcome === undefined || !po) continue; // no verdict: the request-record invariant reports it
    const jd = linked(po);
    if (!verdictFits(request, outcome, po, jd, world, row)) {
      const end = `${po.status}, ${jd ? `JD ${jd.status}${jd.closed ? ' closed' : ''}, ${jdArrivedUnits(jd)} units arrived` : 'no JD PO'}`;
      wrong.push(`${request.kind} ${po.poNo} → ${outcome} (PO ended ${end})`);
    }
  }
  const verdicts = countBy(world.requests.filter((r) => r.verdict), (r) => r.verdict!);
  const byKind = countBy(world.requests.filter((r) => r.verdict), (r) => `${r.kind} → ${r.verdict}`);
  const refusals = countBy(journal.requests.filter((r) => r.answer === 409), (r) => `${r.kind} ${refusal(r.reason ?? '?')}`);
  const seen = (verdict: string) => verdicts.get(verdict) ?? 0;
  const minimums: Array<[string, number, string]> = [
    ['CANCELLED_AT_JD', expected.minVerdicts, 'no proof that a cancel reaches JD in time'],
    ['CLOSED_AT_JD', expected.minVerdicts, 'no proof that a partly received PO is closed at JD'],
    ['REPUSHED', expected.minVerdicts, 'no proof that a PO is pushed again under a new revision'],
    ['LINKED', expected.minLinked, 'no proof that a PUSH_UNCONFIRMED PO is linked to JD\'s PO'],
  ];
  const tooFew = minimums.filter(([verdict, min]) => seen(verdict) < min).map(([verdict, min, why]) => `${verdict} ${seen(verdict)} < ${min}: ${why}`);
  const figures = [
    `${journal.requests.length} requests sent; verdicts recorded: ${tally(byKind)}`,
    `API refusals: ${tally(refusals)}`,
    `minimums: ${minimums.map(([verdict, min]) => `${verdict} ≥ ${min}`).join(', ')}`,
  ];
  return invariant("every purchase-order request got the verdict its PO's state called for, and the run saw enough of each", figures, [
    ...examples(wrong, 'requests answered against their purchase order\'s state'),
    ...tooFew,
  ]);
}

/** Every cancel, close, link and repush the API took has a recorded verdict; nothing is recorded that was not sent. */
export function checkPoRequestRecords(world: PurchaseOrderWorld, journal: PurchaseOrderJournal): InvariantResult {
  const sent = journal.requests.map((r) => ({ ...r, label: `${r.kind} ${r.poNo} (${r.requestId.slice(0, 8)}, answered ${r.answer ?? 'never'})` }));
  const recorded = world.requests.map((r) => ({ ...r, label: `${r.kind} ${r.poNo} (${r.requestId})` }));
  const figures = [
    `${journal.requests.length} requests sent (${tally(countBy(journal.requests, (r) => r.kind))}); final answers: ${tally(countBy(journal.requests, (r) => String(r.answer ?? 'gave up')))}`,
    `${world.requests.length} recorded; undecided: ${world.requests.filter((r) => !r.verdict).length}`,
  ];
  return invariant('every purchase-order request has a recorded verdict', figures, requestRecordViolations(sent, recorded));
}

export function checkPurchaseOrders(world: PurchaseOrderWorld, journal: PurchaseOrderJournal, expected: PurchaseOrderExpectations = NO_PO_MINIMUMS): InvariantResult[] {
  return [
    checkPoSettled(world),
    checkReceiptsMatchJd(world),
    checkPoLedger(world),
    checkNoDuplicateJdPos(world, expected),
    checkPoRequestVerdicts(world, journal, expected),
    checkPoRequestRecords(world, journal),
    checkAnswers(journal.surprises, 'purchase orders'),
  ];
}
