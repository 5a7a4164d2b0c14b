// The purchase-order invariants of the chaos run (scripts/chaos/purchase-order-invariants.ts) on doctored
// snapshots: each holds for a consistent world and fails for the breach it exists for, so a check that
// cannot fail would be noticed. Also the seeded plan.
import { failedInvariants as failing } from '../../scripts/chaos/invariants';
import { fatesCoveringAll } from '../../scripts/chaos/plan';
import {
  checkNoDuplicateJdPos,
  checkPoLedger,
  checkPoRequestRecords,
  checkPoRequestVerdicts,
  checkPoSettled,
  checkPurchaseOrders,
  checkReceiptsMatchJd,
  NO_PO_MINIMUMS,
  type JdPoRow,
  type PurchaseOrderJournal,
  type PurchaseOrderWorld,
} from '../../scripts/chaos/purchase-order-invariants';
import { planPurchaseOrders } from '../../scripts/chaos/purchase-order-plan';
import { seededRandom } from '../../scripts/chaos/random';

const BJ = '110000001';
const SH = '110000002';
const jdLine = (goodsNo: string, ordered: number, received: number, extra: { defective?: number; short?: number } = {}) => ({ goodsNo, ordered, received, defective: extra.defective ?? 0, short: extra.short ?? 0 });

/**
 * A consistent world. A received on the timeline in three batches, short; B cancelled at JD before
 * anything arrived; C closed at JD after one receipt; D's push answer was lost, JD then said "already
 * exists", the operator linked JD's PO; E the same, but the operator had JD cancel it and pushed r2; F
 * refused by JD (FAILED) and cancelled in the ERP; G for a warehouse that is not ECLP-connected; I is
 * waiting PUSH_UNCONFIRMED for the operator and J at JD with nothing received yet — both correctly waiting.
 */
function world(): PurchaseOrderWorld {
  const po = (poNo: string, status: PurchaseOrderWorld['orders'][number]['status'], extra: Partial<PurchaseOrderWorld['orders'][number]> = {}) => ({
    poNo,
    status,
    pushRevision: 1,
    warehouseCode: 'BJ',
    workflowId: status === 'NOT_PUSHED' ? null : `PO:${poNo}:1`,
    poOrderNo: null,
    spPoOrderNo: null,
    failureReason: null,
    ...extra,
  });
  const receipt = (poNo: string, seq: number, sku: string, quantity: number, poOrderNo: string, warehouseCode = 'BJ', revision = 1) => ({
    poNo,
    receiptNo: `${poNo}-R${seq}`,
    seq,
    revision,
    poOrderNo,
    warehouseCode,
    sku,
    quantity,
  });
  const receiptLines = [
    receipt('A', 1, 'TEA', 2, 'EPL-A'),
    receipt('A', 2, 'TEA', 3, 'EPL-A'),
    receipt('A', 3, 'TEA', 3, 'EPL-A'),
    receipt('C', 1, 'CUP', 4, 'EPL-C', 'SH'),
    receipt('D', 1, 'TEA', 5, 'EPL-D'),
    receipt('E', 1, 'CUP', 2, 'EPL-E2', 'BJ', 2),
  ];
  return {
    orders: [
      po('A', 'RECEIVED', { poOrderNo: 'EPL-A', spPoOrderNo: 'A-1' }),
      po('B', 'CANCELLED', { poOrderNo: 'EPL-B', spPoOrderNo: 'B-1' }),
      po('C', 'RECEIVED', { poOrderNo: 'EPL-C', spPoOrderNo: 'C-1', warehouseCode: 'SH' }),
      po('D', 'RECEIVED', { poOrderNo: 'EPL-D', spPoOrderNo: 'D-1' }),
      po('E', 'RECEIVED', { poOrderNo: 'EPL-E2', spPoOrderNo: 'E-2', pushRevision: 2 }),
      po('F', 'CANCELLED', { spPoOrderNo: 'F-1' }),
      po('G', 'NOT_PUSHED', { warehouseCode: 'LOCAL' }),
      po('I', 'PUSH_UNCONFIRMED', { spPoOrderNo: 'I-1' }),
      po('J', 'WAITING_INBOUND', { poOrderNo: 'EPL-J', spPoOrderNo: 'J-1' }),
    ],
    log: [
      { poNo: 'D', action: 'push_unconfirmed', spPoOrderNo: 'D-1', jdMessage: '采购单号已存在，请勿重复下发（D-1）' },
      { poNo: 'D', action: 'linked' },
      { poNo: 'E', action: 'push_unconfirmed', spPoOrderNo: 'E-1', jdMessage: '采购单号已存在，请勿重复下发（E-1）' },
      { poNo: 'E', action: 'repush' },
      { poNo: 'E', action: 'pushed' },
      { poNo: 'F', action: 'push_rejected' },
      { poNo: 'I', action: 'push_unconfirmed', spPoOrderNo: 'I-1', jdMessage: '采购单号已存在，请勿重复下发（I-1）' },
    ],
    receiptLines,
    ledger: receiptLines.map((l) => ({ warehouseCode: l.warehouseCode, sku: l.sku, docNo: l.poNo, docRevision: l.revision, entryNo: l.seq, quantity: l.quantity })),
    requests: [
      { requestId: 'req-b', poNo: 'B', kind: 'cancel', revision: 1, poOrderNo: null, verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 3_000 },
      { requestId: 'req-c', poNo: 'C', kind: 'close', revision: 1, poOrderNo: null, verdict: 'CLOSED_AT_JD', resultingStatus: 'RECEIVED', decidedAt: 9_000 },
      { requestId: 'req-d', poNo: 'D', kind: 'link', revision: 1, poOrderNo: 'EPL-D', verdict: 'LINKED', resultingStatus: 'WAITING_INBOUND', decidedAt: 6_000 },
      { requestId: 'req-e', poNo: 'E', kind: 'repush', revision: 1, poOrderNo: null, verdict: 'REPUSHED', resultingStatus: 'PUSHING', decidedAt: 6_000 },
      { requestId: 'req-f', poNo: 'F', kind: 'cancel', revision: 1, poOrderNo: null, verdict: 'CANCELLED_IN_ERP', resultingStatus: 'CANCELLED', decidedAt: 4_000 },
    ],
    jdPurchaseOrders: [
      { poOrderNo: 'EPL-A', spPoOrderNo: 'A-1', warehouseNo: BJ, status: '70', closed: false, acceptedAt: 1_000, lines: [jdLine('EMG-TEA', 10, 8, { short: 2 })] },
      { poOrderNo: 'EPL-B', spPoOrderNo: 'B-1', warehouseNo: BJ, status: '91', closed: false, acceptedAt: 1_000, lines: [jdLine('EMG-TEA', 5, 0)] },
      { poOrderNo: 'EPL-C', spPoOrderNo: 'C-1', warehouseNo: SH, status: '70', closed: true, acceptedAt: 1_000, lines: [jdLine('EMG-CUP', 6, 4, { short: 2 })] },
      { poOrderNo: 'EPL-D', spPoOrderNo: 'D-1', warehouseNo: BJ, status: '70', closed: false, acceptedAt: 1_100, lines: [jdLine('EMG-TEA', 5, 5)] },
      { poOrderNo: 'EPL-E1', spPoOrderNo: 'E-1', warehouseNo: BJ, status: '91', closed: false, acceptedAt: 1_200, lines: [jdLine('EMG-CUP', 2, 0)] },
      { poOrderNo: 'EPL-E2', spPoOrderNo: 'E-2', warehouseNo: BJ, status: '70', closed: false, acceptedAt: 8_000, lines: [jdLine('EMG-CUP', 2, 2)] },
      { poOrderNo: 'EPL-I', spPoOrderNo: 'I-1', warehouseNo: BJ, status: '20', closed: false, acceptedAt: 9_000, lines: [jdLine('EMG-TEA', 5, 0)] },
      { poOrderNo: 'EPL-J', spPoOrderNo: 'J-1', warehouseNo: BJ, status: '20', closed: false, acceptedAt: 9_000, lines: [jdLine('EMG-TEA', 5, 0)] },
    ],
    jdReceipts: [
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 2, poOrderNo: 'EPL-A' },
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 3, poOrderNo: 'EPL-A' },
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 3, poOrderNo: 'EPL-A' },
      { warehouseNo: SH, goodsNo: 'EMG-CUP', quantity: 4, poOrderNo: 'EPL-C' },
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 5, poOrderNo: 'EPL-D' },
      { warehouseNo: BJ, goodsNo: 'EMG-CUP', quantity: 2, poOrderNo: 'EPL-E2' },
    ],
    workflows: ['A', 'B', 'C', 'D', 'E', 'F'].map((poNo) => ({ workflowId: `PO:${poNo}:1`, status: 'COMPLETED' })).concat([
      { workflowId: 'PO:I:1', status: 'RUNNING' },
      { workflowId: 'PO:J:1', status: 'RUNNING' },
    ]),
    addPoOrderCalls: [
      { method: 'jingdong.eclp.po.addPoOrder', key: 'A-1', sentAt: 900, endedAt: 1_010, httpStatus: 200 },
      // D: JD stored it, the answer was lost; the same number again was refused as a duplicate.
      { method: 'jingdong.eclp.po.addPoOrder', key: 'D-1', sentAt: 1_000, endedAt: 2_600, httpStatus: 0 },
      { method: 'jingdong.eclp.po.addPoOrder', key: 'D-1', sentAt: 3_000, endedAt: 3_050, httpStatus: 200 },
    ],
    jdGoodsNo: new Map([
      ['TEA', 'EMG-TEA'],
      ['CUP', 'EMG-CUP'],
    ]),
    jdWarehouseNo: new Map([
      ['BJ', BJ],
      ['SH', SH],
    ]),
  };
}

function journal(): PurchaseOrderJournal {
  return {
    requests: [
      { requestId: 'req-b', poNo: 'B', kind: 'cancel', sentAt: 1_500, answer: 200, verdict: 'CANCELLED_AT_JD' },
      { requestId: 'req-c', poNo: 'C', kind: 'close', sentAt: 7_000, answer: 202 },
      { requestId: 'req-d', poNo: 'D', kind: 'link', poOrderNo: 'EPL-D', sentAt: 5_000, answer: 200, verdict: 'LINKED' },
      { requestId: 'req-e', poNo: 'E', kind: 'repush', sentAt: 5_000, answer: 200, verdict: 'REPUSHED' },
      { requestId: 'req-f', poNo: 'F', kind: 'cancel', sentAt: 3_500, answer: 200, verdict: 'CANCELLED_IN_ERP' },
      // Refused from Postgres alone: never reached a run, so no record.
      { requestId: 'req-g', poNo: 'G', kind: 'cancel', sentAt: 1_000, answer: 409, reason: 'not-at-jd' },
      { requestId: 'req-a', poNo: 'A', kind: 'cancel', sentAt: 30_000, answer: 409, reason: 'already-received' },
    ],
    surprises: [],
  };
}

const MINIMUMS = { minVerdicts: 1, minLinked: 1, minAmbiguousPushes: 1 };
const text = (result: { violations: string[] }) => result.violations.join('\n');
const jdPo = (w: PurchaseOrderWorld, poOrderNo: string): JdPoRow => w.jdPurchaseOrders.find((p) => p.poOrderNo === poOrderNo)!;

describe('purchase-order invariants', () => {
  it('hold for a consistent world, which reaches every minimum', () => {
    expect(failing(checkPurchaseOrders(world(), journal(), MINIMUMS))).toEqual([]);
  });

  it('1. catch a PO stuck pushing, one RECEIVED that JD never finished, one waiting on a JD PO that finished, and runs that do not match', () => {
    const w = world();
    w.orders.push({ poNo: 'K', status: 'PUSHING', pushRevision: 1, warehouseCode: 'BJ', workflowId: 'PO:K:1', poOrderNo: null, spPoOrderNo: null, failureReason: null });
    jdPo(w, 'EPL-A').status = '20';
    jdPo(w, 'EPL-J').status = '70';
    w.workflows.find((r) => r.workflowId === 'PO:I:1')!.status = 'COMPLETED';
    w.workflows.find((r) => r.workflowId === 'PO:B:1')!.status = 'TERMINATED';
    const result = checkPoSettled(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/K still PUSHING/);
    expect(text(result)).toMatch(/A is RECEIVED, JD 20 \(EPL-A\)/);
    expect(text(result)).toMatch(/J still WAITING_INBOUND although JD 70 \(EPL-J\) has finished it/);
    expect(text(result)).toMatch(/I is PUSH_UNCONFIRMED but its run PO:I:1 is COMPLETED/);
    expect(text(result)).toMatch(/PO:B:1 TERMINATED/);
  });

  it('1. catch a PUSH_UNCONFIRMED PO without JD\'s words for the operator, and a RECEIVED PO without a run', () => {
    const w = world();
    w.log = w.log.filter((l) => l.poNo !== 'I');
    w.workflows = w.workflows.filter((r) => r.workflowId !== 'PO:A:1');
    const result = checkPoSettled(w);
    expect(text(result)).toMatch(/I is PUSH_UNCONFIRMED \(I-1\) without JD's words/);
    expect(text(result)).toMatch(/A is RECEIVED but has no workflow run PO:A:1/);
  });

  it('2. catch receipts that differ from JD, one booked from another JD PO, and goods JD received on a PO the ERP does not follow', () => {
    const w = world();
    w.receiptLines.find((l) => l.receiptNo === 'A-R3')!.quantity = 4;
    w.receiptLines.find((l) => l.receiptNo === 'D-R1')!.poOrderNo = 'EPL-X';
    jdPo(w, 'EPL-E1').lines[0]!.received = 1;
    const result = checkReceiptsMatchJd(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/A TEA: receipts 9, JD 8 \(EPL-A\)/);
    expect(text(result)).toMatch(/D-R1 TEA×5 booked from EPL-X, the PO follows EPL-D/);
    expect(text(result)).toMatch(/EPL-E1 \(E-1, JD 91\): 1 units/);
    // A PO that never reached JD has no receipts.
    const phantom = world();
    phantom.receiptLines.push({ poNo: 'F', receiptNo: 'F-R1', seq: 1, revision: 1, poOrderNo: 'EPL-F', warehouseCode: 'BJ', sku: 'TEA', quantity: 1 });
    expect(text(checkReceiptsMatchJd(phantom))).toMatch(/F TEA: receipts 1, JD 0 \(no JD PO\)/);
  });

  it('3. catch a receipt booked twice, one never booked, a row without a receipt, a row that differs, and a ledger that differs from JD', () => {
    const w = world();
    w.ledger.push({ warehouseCode: 'BJ', sku: 'TEA', docNo: 'A', docRevision: 1, entryNo: 2, quantity: 3 });
    w.ledger = w.ledger.filter((l) => !(l.docNo === 'D'));
    w.ledger.push({ warehouseCode: 'BJ', sku: 'CUP', docNo: 'B', docRevision: 1, entryNo: 1, quantity: 1 });
    w.ledger.find((l) => l.docNo === 'C')!.warehouseCode = 'BJ';
    const result = checkPoLedger(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/A#2\/TEA: 2 rows \(3 \+ 3\)/);
    expect(text(result)).toMatch(/receipt lines without a ledger row: D-R1 TEA×5/);
    expect(text(result)).toMatch(/ledger rows without a receipt line: B#1\/CUP: 1/);
    expect(text(result)).toMatch(/C#1\/CUP: ledger BJ r1 4, receipt SH r1 4/);
    expect(text(result)).toMatch(/BJ\/TEA: ERP 11, JD 13/);
  });

  it('4. catch two live JD POs for one PO, a stray one for a FAILED or cancelled PO, a wrong link, and a JD PO for a revision never pushed', () => {
    const w = world();
    // The operator re-pushed E, but JD never cancelled its first PO.
    jdPo(w, 'EPL-E1').status = '20';
    // F was refused... yet JD holds a live PO under its number.
    w.jdPurchaseOrders.push({ poOrderNo: 'EPL-F', spPoOrderNo: 'F-1', warehouseNo: BJ, status: '20', closed: false, acceptedAt: 2_000, lines: [jdLine('EMG-TEA', 5, 0)] });
    // D follows a JD PO that carries another number, A one JD does not hold.
    w.orders.find((o) => o.poNo === 'D')!.poOrderNo = 'EPL-B';
    w.jdPurchaseOrders.push({ poOrderNo: 'EPL-A3', spPoOrderNo: 'A-3', warehouseNo: BJ, status: '91', closed: false, acceptedAt: 2_000, lines: [] });
    w.jdPurchaseOrders.push({ poOrderNo: 'EPL-Z', spPoOrderNo: 'Z-1', warehouseNo: BJ, status: '20', closed: false, acceptedAt: 2_000, lines: [] });
    const result = checkNoDuplicateJdPos(w, MINIMUMS);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/E \(RECEIVED\): EPL-E1 \(E-1, JD 20\), EPL-E2 \(E-2, JD 70\)/);
    expect(text(result)).toMatch(/F \(CANCELLED, follows no JD PO\): JD holds EPL-F/);
    expect(text(result)).toMatch(/D \(r1\) follows EPL-B, which carries B-1, not D-1/);
    expect(text(result)).toMatch(/A \(RECEIVED, r1\): EPL-A3 \(A-3, JD 91\)/);
    expect(text(result)).toMatch(/JD POs no purchase order accounts for: EPL-Z \(Z-1\)/);
  });

  it('4. catch a NOT_PUSHED PO JD holds, one number JD holds twice, and a run without ambiguous pushes', () => {
    const w = world();
    w.jdPurchaseOrders.push({ poOrderNo: 'EPL-G', spPoOrderNo: 'G-1', warehouseNo: BJ, status: '20', closed: false, acceptedAt: 2_000, lines: [] });
    w.jdPurchaseOrders.push({ poOrderNo: 'EPL-A-BIS', spPoOrderNo: 'A-1', warehouseNo: BJ, status: '91', closed: false, acceptedAt: 2_000, lines: [] });
    w.addPoOrderCalls = w.addPoOrderCalls.filter((c) => c.httpStatus !== 0);
    const result = checkNoDuplicateJdPos(w, MINIMUMS);
    expect(text(result)).toMatch(/G \(NOT_PUSHED, r1\): EPL-G/);
    expect(text(result)).toMatch(/numbers JD holds several POs under: A-1: 2 JD POs/);
    expect(text(result)).toMatch(/only 0 addPoOrder calls were executed without an answer \(minimum 1\)/);
    // A PO waiting PUSH_UNCONFIRMED may have a live JD PO under its current number — that is why it waits.
    expect(text(result)).not.toMatch(/I \(/);
  });

  it('5. catch a cancel that claims JD cancelled a PO that received goods, a close JD never made, and refusals against the PO\'s end', () => {
    const w = world();
    const j = journal();
    // JD never cancelled B: it received goods, and the ERP booked them.
    Object.assign(jdPo(w, 'EPL-B'), { status: '70', lines: [jdLine('EMG-TEA', 5, 5)] });
    // C ran to completion at JD; the close claims otherwise.
    jdPo(w, 'EPL-C').closed = false;
    // A refused cancel of a PO nothing had arrived on, and a 409 "already received" for a cancelled PO.
    j.requests.push({ requestId: 'req-j', poNo: 'J', kind: 'cancel', sentAt: 9_500, answer: 200, verdict: 'REFUSED_BY_JD' });
    w.requests.push({ requestId: 'req-j', poNo: 'J', kind: 'cancel', revision: 1, poOrderNo: null, verdict: 'REFUSED_BY_JD', resultingStatus: 'WAITING_INBOUND', decidedAt: 9_600 });
    j.requests.push({ requestId: 'req-f2', poNo: 'F', kind: 'cancel', sentAt: 9_500, answer: 409, reason: 'already-received' });
    const result = checkPoRequestVerdicts(w, j, MINIMUMS);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/cancel B → CANCELLED_AT_JD \(PO ended CANCELLED, JD 70, 5 units arrived\)/);
    expect(text(result)).toMatch(/close C → CLOSED_AT_JD \(PO ended RECEIVED, JD 70, 4 units arrived\)/);
    expect(text(result)).toMatch(/cancel J → REFUSED_BY_JD \(PO ended WAITING_INBOUND, JD 20, 0 units arrived\)/);
    expect(text(result)).toMatch(/cancel F → 409 already-received \(PO ended CANCELLED, no JD PO\)/);
  });

  it('5. catch a link to a JD PO that is not the PO\'s, a repush that pushed nothing, and a run without the verdicts that prove each path', () => {
    const w = world();
    const j = journal();
    w.requests.find((r) => r.requestId === 'req-d')!.poOrderNo = 'EPL-B';
    j.requests.find((r) => r.requestId === 'req-d')!.poOrderNo = 'EPL-B';
    w.orders.find((o) => o.poNo === 'E')!.pushRevision = 1;
    expect(text(checkPoRequestVerdicts(w, j, MINIMUMS))).toMatch(/link D → LINKED[\s\S]*repush E → REPUSHED/);
    // An API that refuses every cancel and close with 409: nothing recorded, and the minimums are not reached.
    const refusing = journal();
    for (const request of refusing.requests) if (request.kind === 'cancel' || request.kind === 'close') Object.assign(request, { answer: 409, reason: 'not-partially-received', verdict: undefined });
    const none = world();
    none.requests = none.requests.filter((r) => r.kind !== 'cancel' && r.kind !== 'close');
    const result = checkPoRequestVerdicts(none, refusing, { ...MINIMUMS, minVerdicts: 1 });
    expect(text(result)).toMatch(/cancel B → 409 not-partially-received/);
    expect(text(result)).toMatch(/CANCELLED_AT_JD 0 < 1/);
    expect(text(result)).toMatch(/CLOSED_AT_JD 0 < 1/);
    expect(checkPoRequestVerdicts(world(), journal(), { ...MINIMUMS, minLinked: 2 }).violations).toEqual([expect.stringMatching(/^LINKED 1 < 2/)]);
  });

  it('catch a request without a verdict, one never recorded, a contradiction and a phantom', () => {
    const w = world();
    w.requests.find((r) => r.requestId === 'req-c')!.verdict = null;
    w.requests.push({ requestId: 'req-ghost', poNo: 'A', kind: 'close', revision: 1, poOrderNo: null, verdict: 'ALREADY_RECEIVED', resultingStatus: 'RECEIVED', decidedAt: 5_000 });
    const j = journal();
    j.requests.find((r) => r.requestId === 'req-b')!.verdict = 'REFUSED_BY_JD';
    j.requests.push({ requestId: 'req-lost', poNo: 'J', kind: 'cancel', sentAt: 9_000, answer: 202 });
    const result = checkPoRequestRecords(w, j);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/close C .*recorded without a verdict/);
    expect(text(result)).toMatch(/cancel J .*no record/);
    expect(text(result)).toMatch(/API said REFUSED_BY_JD, record says CANCELLED_AT_JD/);
    expect(text(result)).toMatch(/never sent: close A \(req-ghost\)/);
  });

  it('catch an answer outside the contract', () => {
    const j = journal();
    j.surprises.push('H create: HTTP 500');
    expect(failing(checkPurchaseOrders(world(), j, NO_PO_MINIMUMS))).toEqual([expect.stringMatching(/^every API answer about purchase orders is one the contract allows.*H create: HTTP 500/)]);
  });
});

describe('the purchase-order plan', () => {
  it('is the same for the same seed, has every fate even in a small run, and sends each fate where it belongs', () => {
    const a = planPurchaseOrders(seededRandom(7), 100, 120_000);
    expect(planPurchaseOrders(seededRandom(7), 100, 120_000)).toEqual(a);
    const fates = ['receive', 'receive-by-hand', 'new-goods', 'cancel-early', 'cancel-late', 'close', 'supplier-unmapped', 'jd-rejects', 'not-pushed'];
    expect(new Set(a.map((p) => p.fate))).toEqual(new Set(fates));
    expect(new Set(planPurchaseOrders(seededRandom(1), fates.length, 40_000).map((p) => p.fate))).toEqual(new Set(fates));
    for (const plan of a) {
      expect(new Set(plan.lines.map((l) => l.sku)).size).toBe(plan.lines.length);
      expect(plan.lines.every((l) => l.quantity >= 5)).toBe(true);
      expect(plan.newGoods.length > 0).toBe(plan.fate === 'new-goods');
      expect(plan.newGoods.every((g) => plan.lines.some((l) => l.sku === g.sku))).toBe(true);
      if (plan.fate === 'not-pushed') expect(plan.warehouseCode).toBe('LOCAL');
      if (plan.fate === 'supplier-unmapped') expect(plan.supplierCode).toBe(`LATE-${plan.poNo}`);
      if (plan.fate === 'jd-rejects') expect(plan.supplierCode).toBe('SUP-NOJD');
      if (plan.fate === 'cancel-early') expect(plan.cancelAfterMs).toBeLessThanOrEqual(5_000);
    }
    expect(new Set(a.flatMap((p) => p.newGoods.map((g) => g.barcode))).size).toBe(a.filter((p) => p.fate === 'new-goods').length);
  });

  it('draws fates by weight once every fate has its one', () => {
    const fates = fatesCoveringAll(seededRandom(3), 1_000, { a: 9, b: 1, never: 0 });
    expect(fates.filter((f) => f === 'never')).toHaveLength(0);
    expect(fates.filter((f) => f === 'b').length).toBeGreaterThanOrEqual(1);
    expect(fates.filter((f) => f === 'a').length).toBeGreaterThan(800);
    expect(fatesCoveringAll(seededRandom(3), 1, { a: 1, b: 1 })).toHaveLength(1);
  });
});
