// The return invariants of the chaos run (scripts/chaos/return-invariants.ts) on doctored snapshots: each
// holds for a consistent world and fails for the breach it exists for, so a check that cannot fail would
// be noticed. Also the seeded plan.
import { failedInvariants as failing } from '../../scripts/chaos/invariants';
import { seededRandom } from '../../scripts/chaos/random';
import {
  checkExchangeReplacements,
  checkOneJdReturnPerPush,
  checkReturnCancels,
  checkReturnClaims,
  checkReturnCoverage,
  checkReturnLedger,
  checkReturnReceiptsMatchJd,
  checkReturns,
  checkReturnsSettled,
  NO_RETURN_MINIMUMS,
  type JdReturnRow,
  type ReturnJournal,
  type ReturnRow,
  type ReturnWorld,
} from '../../scripts/chaos/return-invariants';
import { EXCHANGE_FATES, planReturns } from '../../scripts/chaos/return-plan';

const BJ = '110000001';
const SH = '110000002';
const RTW = 'jingdong.eclp.rtw.transportRtw';

/**
 * A consistent world. A received in full (its push answer was lost and found by queryRtw; a cancel came
 * too late and JD refused it); B received short and defective; C rejected by the warehouse; D cancelled at
 * JD; E sent to a warehouse JD does not know, FAILED, cancelled in the ERP; F an exchange rejected while
 * its replacement was in review (cancelled in the ERP); G an exchange rejected after its replacement
 * shipped (attention); H an exchange cancelled whose replacement's refund came too late (it shipped); I an
 * exchange cancelled whose replacement was cancelled at JD; J an exchange received, its replacement
 * shipped; K FAILED and waiting for the operator; L at JD, not received yet. P1 and P2 share order OP,
 * a third return of it (P3) was refused.
 */
function world(): ReturnWorld {
  const ret = (returnNo: string, status: ReturnRow['status'], lines: ReturnRow['lines'], extra: Partial<ReturnRow> = {}): ReturnRow => ({
    returnNo,
    orderNo: `O${returnNo}`,
    type: 'RETURN',
    warehouseCode: 'BJ',
    status,
    pushRevision: 1,
    workflowId: `RTN:${returnNo}:1`,
    eclpRtwNo: `ESR-${returnNo}`,
    failureReason: null,
    replacementOrderNo: null,
    attention: null,
    lines,
    ...extra,
  });
  const exchange = (returnNo: string, status: ReturnRow['status'], extra: Partial<ReturnRow> = {}) =>
    ret(returnNo, status, [{ sku: 'TEA', quantity: 1 }], { type: 'EXCHANGE', replacementOrderNo: `${returnNo}-EX`, ...extra });
  const jd = (returnNo: string, status: string, lines: JdReturnRow['lines'], extra: Partial<JdReturnRow> = {}): JdReturnRow => ({
    eclpRtwNo: `ESR-${returnNo}`,
    isvRtwNum: `${returnNo}-1`,
    eclpSoNo: `ESL-O${returnNo}`,
    warehouseNo: BJ,
    status,
    acceptedAt: 1_000,
    lines,
    ...extra,
  });
  const line = (goodsNo: string, planned: number, received: number, goodsLevel = '100') => ({ goodsNo, planned, received, goodsLevel });
  const order = (orderNo: string, shipped: Array<[string, number]>, extra: Partial<ReturnWorld['orders'][number]> = {}) => ({
    orderNo,
    status: 'SHIPPED' as const,
    pushRevision: 1,
    eclpSoNo: `ESL-${orderNo}`,
    replacementFor: null,
    shipped: new Map(shipped),
    ...extra,
  });
  const receipt = (returnNo: string, sku: string, quantity: number, goodsLevel: string | null = '100') => ({
    returnNo,
    receiptNo: `${returnNo}-R`,
    revision: 1,
    eclpRtwNo: `ESR-${returnNo}`,
    warehouseCode: 'BJ',
    sku,
    quantity,
    goodsLevel,
  });
  const receiptLines = [
    receipt('A', 'TEA', 2),
    receipt('A', 'CUP', 1),
    receipt('B', 'TEA', 2, '200'),
    receipt('J', 'TEA', 1),
    receipt('P1', 'TEA', 1),
    receipt('P2', 'TEA', 0, null),
  ];
  const tea1 = [{ sku: 'TEA', quantity: 1 }];
  return {
    returns: [
      ret('A', 'RECEIVED', [
        { sku: 'TEA', quantity: 2 },
        { sku: 'CUP', quantity: 1 },
      ]),
      ret('B', 'RECEIVED', [{ sku: 'TEA', quantity: 3 }]),
      ret('C', 'REJECTED', tea1),
      ret('D', 'CANCELLED', tea1),
      ret('E', 'CANCELLED', tea1, { warehouseCode: 'XX', eclpRtwNo: null, failureReason: 'JD rejected the return: 仓库不存在' }),
      exchange('F', 'REJECTED'),
      exchange('G', 'REJECTED', { attention: 'Replacement order G-EX has shipped although return G was rejected by the warehouse' }),
      exchange('H', 'CANCELLED'),
      exchange('I', 'CANCELLED'),
      exchange('J', 'RECEIVED'),
      ret('K', 'FAILED', tea1, { warehouseCode: 'XX', eclpRtwNo: null, failureReason: 'JD rejected the return: 仓库不存在' }),
      ret('L', 'WAITING_INBOUND', tea1),
      ret('P1', 'RECEIVED', tea1, { orderNo: 'OP' }),
      ret('P2', 'RECEIVED', tea1, { orderNo: 'OP' }),
    ],
    receiptLines,
    ledger: receiptLines.filter((l) => l.quantity > 0).map((l) => ({ warehouseCode: 'BJ', sku: l.sku, docNo: l.returnNo, docRevision: 1, entryNo: 0, quantity: l.quantity })),
    requests: [
      { requestId: 'req-a', returnNo: 'A', kind: 'cancel', verdict: 'REFUSED_BY_JD', resultingStatus: 'WAITING_INBOUND', decidedAt: 3_000 },
      { requestId: 'req-d', returnNo: 'D', kind: 'cancel', verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 3_000 },
      { requestId: 'req-e', returnNo: 'E', kind: 'cancel', verdict: 'CANCELLED_IN_ERP', resultingStatus: 'CANCELLED', decidedAt: 3_000 },
      { requestId: 'req-h', returnNo: 'H', kind: 'cancel', verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 3_000 },
      { requestId: 'req-i', returnNo: 'I', kind: 'cancel', verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 3_000 },
    ],
    orders: [
      ...['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'].map((no) => order(`O${no}`, [['TEA', 3], ['CUP', 1]])),
      order('OP', [['TEA', 2]]),
      order('F-EX', [['TEA', 1]], { status: 'CANCELLED', pushRevision: 0, eclpSoNo: null, replacementFor: 'F' }),
      order('G-EX', [['TEA', 1]], { replacementFor: 'G' }),
      order('H-EX', [['TEA', 1]], { replacementFor: 'H' }),
      order('I-EX', [['TEA', 1]], { status: 'CANCELLED', replacementFor: 'I' }),
      order('J-EX', [['TEA', 1]], { replacementFor: 'J' }),
    ],
    replacementCancels: [
      { requestId: 'F:replacement-refund', orderNo: 'F-EX', kind: 'buyerRefund', revision: 0, statusAtRequest: 'REVIEW', verdict: 'CANCELLED_IN_ERP', resultingStatus: 'CANCELLED', decidedAt: 4_000 },
      { requestId: 'H:replacement-refund', orderNo: 'H-EX', kind: 'buyerRefund', revision: 1, statusAtRequest: 'WMS_PICKING', verdict: 'REFUSED_BY_JD', resultingStatus: 'WMS_PICKING', decidedAt: 4_000 },
      { requestId: 'I:replacement-refund', orderNo: 'I-EX', kind: 'buyerRefund', revision: 1, statusAtRequest: 'WMS_PICKING', verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', decidedAt: 4_000 },
    ],
    jdReturns: [
      jd('A', '200', [line('EMG-TEA', 2, 2), line('EMG-CUP', 1, 1)], { acceptedAt: 1_200 }),
      jd('B', '200', [line('EMG-TEA', 3, 2, '200')]),
      jd('C', '600', [line('EMG-TEA', 1, 0)]),
      jd('D', '400', [line('EMG-TEA', 1, 0)]),
      jd('F', '600', [line('EMG-TEA', 1, 0)]),
      jd('G', '600', [line('EMG-TEA', 1, 0)]),
      jd('H', '400', [line('EMG-TEA', 1, 0)]),
      jd('I', '400', [line('EMG-TEA', 1, 0)]),
      jd('J', '200', [line('EMG-TEA', 1, 1)]),
      jd('L', '100', [line('EMG-TEA', 1, 0)]),
      jd('P1', '200', [line('EMG-TEA', 1, 1)], { eclpSoNo: 'ESL-OP' }),
      jd('P2', '200', [line('EMG-TEA', 1, 0)], { eclpSoNo: 'ESL-OP' }),
    ],
    jdReturnReceipts: [
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 2, eclpRtwNo: 'ESR-A' },
      { warehouseNo: BJ, goodsNo: 'EMG-CUP', quantity: 1, eclpRtwNo: 'ESR-A' },
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 1, eclpRtwNo: 'ESR-J' },
      { warehouseNo: BJ, goodsNo: 'EMG-TEA', quantity: 1, eclpRtwNo: 'ESR-P1' },
    ],
    jdOrders: [
      { isvUUID: 'G-EX-1', eclpSoNo: 'ESL-GEX', currentStatus: '10019', shipped: true, acceptedAt: 2_000 },
      { isvUUID: 'H-EX-1', eclpSoNo: 'ESL-HEX', currentStatus: '10019', shipped: true, acceptedAt: 2_000 },
      { isvUUID: 'I-EX-1', eclpSoNo: 'ESL-IEX', currentStatus: '10028', shipped: false, acceptedAt: 2_000 },
      { isvUUID: 'J-EX-1', eclpSoNo: 'ESL-JEX', currentStatus: '10019', shipped: true, acceptedAt: 2_000 },
    ],
    workflows: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'P1', 'P2']
      .map((no) => ({ workflowId: `RTN:${no}:1`, status: 'COMPLETED' }))
      .concat([
        { workflowId: 'RTN:K:1', status: 'RUNNING' },
        { workflowId: 'RTN:L:1', status: 'RUNNING' },
      ]),
    transportRtwCalls: [
      // A: JD stored it, the answer was lost; the retry found it with queryRtw and sent nothing more.
      { method: RTW, key: 'A-1', sentAt: 1_000, endedAt: 2_600, httpStatus: 0 },
      { method: RTW, key: 'B-1', sentAt: 900, endedAt: 1_010, httpStatus: 200 },
      // E: JD refused it (unknown warehouse) and stored nothing.
      { method: RTW, key: 'E-1', sentAt: 900, endedAt: 1_010, httpStatus: 200 },
    ],
    jdGoodsNo: new Map([
      ['TEA', 'EMG-TEA'],
      ['CUP', 'EMG-CUP'],
    ]),
    jdWarehouseNo: new Map([
      ['BJ', BJ],
      ['SH', SH],
      ['XX', '110009999'],
    ]),
  };
}

function journal(): ReturnJournal {
  return {
    creates: [
      { returnNo: 'A', orderNo: 'OA', answer: 202 },
      { returnNo: 'P1', orderNo: 'OP', answer: 202, overclaiming: true },
      { returnNo: 'P2', orderNo: 'OP', answer: 202, overclaiming: true },
      { returnNo: 'P3', orderNo: 'OP', answer: 422, fields: ['lines.0.quantity'], overclaiming: true },
    ],
    requests: [
      { requestId: 'req-a', returnNo: 'A', kind: 'cancel', sentAt: 2_900, answer: 200, verdict: 'REFUSED_BY_JD' },
      { requestId: 'req-d', returnNo: 'D', kind: 'cancel', sentAt: 2_900, answer: 202 },
      { requestId: 'req-e', returnNo: 'E', kind: 'cancel', sentAt: 2_900, answer: 200, verdict: 'CANCELLED_IN_ERP' },
      { requestId: 'req-h', returnNo: 'H', kind: 'cancel', sentAt: 2_900, answer: 200, verdict: 'CANCELLED_AT_JD' },
      { requestId: 'req-i', returnNo: 'I', kind: 'cancel', sentAt: 2_900, answer: 200, verdict: 'CANCELLED_AT_JD' },
      // Refused from Postgres alone: never reached a run, so no record.
      { requestId: 'req-j', returnNo: 'J', kind: 'cancel', sentAt: 9_000, answer: 409, reason: 'already-received' },
    ],
    surprises: [],
  };
}

const MINIMUMS = { minOutcomes: 1, minRefused: 1, minAmbiguousPushes: 1 };
const text = (result: { violations: string[] }) => result.violations.join('\n');
const returnOf = (w: ReturnWorld, returnNo: string) => w.returns.find((r) => r.returnNo === returnNo)!;
const jdOf = (w: ReturnWorld, returnNo: string) => w.jdReturns.find((r) => r.isvRtwNum === `${returnNo}-1`)!;

describe('return invariants', () => {
  it('hold for a consistent world, which reaches every minimum', () => {
    expect(failing(checkReturns(world(), journal(), MINIMUMS))).toEqual([]);
  });

  it('1. catch a return stuck pushing, one waiting on a JD return that ended, one RECEIVED that JD never received, and runs that do not match', () => {
    const w = world();
    w.returns.push({ ...returnOf(w, 'C'), returnNo: 'M', status: 'PUSHING', workflowId: 'RTN:M:1', eclpRtwNo: null });
    jdOf(w, 'L').status = '200';
    jdOf(w, 'J').status = '100';
    w.workflows.find((r) => r.workflowId === 'RTN:K:1')!.status = 'COMPLETED';
    w.workflows.find((r) => r.workflowId === 'RTN:C:1')!.status = 'TERMINATED';
    const result = checkReturnsSettled(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/M still PUSHING/);
    expect(text(result)).toMatch(/L still WAITING_INBOUND although JD 200 \(ESR-L\) has ended it/);
    expect(text(result)).toMatch(/J is RECEIVED, JD 100 \(ESR-J\)/);
    expect(text(result)).toMatch(/K is FAILED but its run RTN:K:1 is COMPLETED/);
    expect(text(result)).toMatch(/RTN:C:1 TERMINATED/);
  });

  it('1. catch a return CANCELLED that JD still holds open, and a FAILED one JD holds', () => {
    const w = world();
    jdOf(w, 'D').status = '100';
    w.jdReturns.push({ ...jdOf(w, 'L'), eclpRtwNo: 'ESR-K', isvRtwNum: 'K-1' });
    const result = checkReturnsSettled(w);
    expect(text(result)).toMatch(/D is CANCELLED, JD 100 \(ESR-D\)/);
    expect(text(result)).toMatch(/K is FAILED, JD 100 \(ESR-K\)/);
  });

  it('2. catch a receipt that differs from JD, one booked from another JD return, a goods level that is not JD\'s, a RECEIVED return without a receipt, and goods JD received that nobody books', () => {
    const w = world();
    w.receiptLines.find((l) => l.returnNo === 'A' && l.sku === 'TEA')!.quantity = 3;
    w.receiptLines.find((l) => l.returnNo === 'J')!.eclpRtwNo = 'ESR-X';
    w.receiptLines.find((l) => l.returnNo === 'B')!.goodsLevel = '100';
    w.receiptLines = w.receiptLines.filter((l) => l.returnNo !== 'P1');
    w.jdReturns.push({ ...jdOf(w, 'J'), eclpRtwNo: 'ESR-Z', isvRtwNum: 'Z-1' });
    const result = checkReturnReceiptsMatchJd(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/A TEA: receipt 3, JD 2 \(ESR-A\)/);
    expect(text(result)).toMatch(/J-R TEA×1 booked from ESR-X, the return follows ESR-J/);
    expect(text(result)).toMatch(/B-R TEA: goods level 100, JD 200/);
    expect(text(result)).toMatch(/P1 is RECEIVED without a receipt/);
    expect(text(result)).toMatch(/P1 TEA: receipt 0, JD 1/);
    expect(text(result)).toMatch(/ESR-Z \(Z-1\): 1 units/);
  });

  it('3. catch a receipt line booked twice, one never booked, a row without a receipt, a row that differs, and a ledger that differs from what JD received', () => {
    const w = world();
    w.ledger.push({ warehouseCode: 'BJ', sku: 'TEA', docNo: 'A', docRevision: 1, entryNo: 1, quantity: 2 });
    w.ledger = w.ledger.filter((l) => l.docNo !== 'J');
    w.ledger.push({ warehouseCode: 'BJ', sku: 'TEA', docNo: 'C', docRevision: 1, entryNo: 0, quantity: 1 });
    w.ledger.find((l) => l.docNo === 'B')!.warehouseCode = 'SH';
    const result = checkReturnLedger(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/A\/TEA: 2 rows \(2 \+ 2\)/);
    expect(text(result)).toMatch(/receipt lines without a ledger row: J-R TEA×1/);
    expect(text(result)).toMatch(/ledger rows without a receipt line: C\/TEA: 1/);
    expect(text(result)).toMatch(/B\/TEA: ledger SH r1 2, receipt BJ r1 2/);
    expect(text(result)).toMatch(/SH\/TEA: ERP 2, JD received 0/);
    // Defective units count as received at JD, though JD keeps them out of sellable stock.
    expect(checkReturnLedger(world()).figures.join('\n')).toMatch(/BJ\/TEA +ERP ledger +6 +JD received +6 \(4 into stock, 2 defective\)/);
  });

  it('4. catch returns claiming more than the order shipped, a refused create that was stored, and an over-claiming group with no refusal or a refusal that does not name the line', () => {
    const w = world();
    // A third return of OP that stands: P1, P2 and P3 together claim 3 of 2.
    w.returns.push({ ...returnOf(w, 'P1'), returnNo: 'P3', status: 'WAITING_INBOUND' });
    w.returns.push({ ...returnOf(w, 'A'), returnNo: 'A2', lines: [{ sku: 'BOX', quantity: 1 }], status: 'FAILED' });
    const j = journal();
    j.creates.find((c) => c.returnNo === 'P3')!.answer = 202;
    j.creates.push({ returnNo: 'A2', orderNo: 'OA', answer: 422, fields: ['lines.0.sku'] });
    const result = checkReturnClaims(w, j);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/OP TEA: returns claim 3, it shipped 2/);
    expect(text(result)).toMatch(/OA BOX: returns claim 1, it shipped 0/);
    expect(text(result)).toMatch(/A2 \(422 lines\.0\.sku\) exists/);
    expect(text(result)).toMatch(/not exactly one create was refused: OP: P1 202, P2 202, P3 202/);
    expect(text(result)).toMatch(/refusals that do not name the line quantity: A2: lines\.0\.sku/);
    // Rejected and cancelled returns claim nothing: C's unit may be returned again.
    const again = world();
    again.returns.push({ ...returnOf(again, 'C'), returnNo: 'C2', status: 'RECEIVED', lines: [{ sku: 'TEA', quantity: 3 }] });
    expect(text(checkReturnClaims(again, journal()))).not.toMatch(/OC TEA/);
  });

  it('5. catch a pushed return JD does not hold, a JD return for one never pushed, one unlike what was asked, a number held twice or by nobody', () => {
    const w = world();
    w.jdReturns = w.jdReturns.filter((r) => r.isvRtwNum !== 'D-1');
    w.jdReturns.push({ ...jdOf(w, 'C'), eclpRtwNo: 'ESR-E', isvRtwNum: 'E-1', status: '400' });
    Object.assign(jdOf(w, 'B'), { warehouseNo: SH, eclpSoNo: 'ESL-OX' });
    jdOf(w, 'B').lines[0]!.planned = 2;
    w.jdReturns.push({ ...jdOf(w, 'C'), eclpRtwNo: 'ESR-C2' });
    w.jdReturns.push({ ...jdOf(w, 'C'), eclpRtwNo: 'ESR-Q', isvRtwNum: 'Q-1' });
    const result = checkOneJdReturnPerPush(w, MINIMUMS);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/D follows ESR-D, which JD does not hold/);
    expect(text(result)).toMatch(/E \(CANCELLED, never pushed\): JD holds ESR-E/);
    expect(text(result)).toMatch(/B \(ESR-B\): outbound ESL-OX, the order's is ESL-OB; warehouse 110000002, the return's is 110000001; TEA planned 2, asked 3/);
    expect(text(result)).toMatch(/numbers JD holds several returns under: C-1: ESR-C, ESR-C2/);
    expect(text(result)).toMatch(/JD returns no return accounts for: ESR-Q \(Q-1\)/);
  });

  it('5. catch a transportRtw sent again after JD held the return, and a run without ambiguous pushes', () => {
    const w = world();
    w.transportRtwCalls.push({ method: RTW, key: 'A-1', sentAt: 2_700, endedAt: 2_760, httpStatus: 200 });
    const result = checkOneJdReturnPerPush(w, MINIMUMS);
    expect(text(result)).toMatch(/A-1: 1 more transportRtw after JD stored it/);
    // JD de-duplicates, so nothing else notices.
    expect(failing(checkReturns(w, journal(), MINIMUMS))).toEqual([expect.stringMatching(/^exactly one JD return per pushed return revision/)]);
    const calm = world();
    calm.transportRtwCalls = calm.transportRtwCalls.filter((c) => c.httpStatus !== 0);
    expect(text(checkOneJdReturnPerPush(calm, MINIMUMS))).toMatch(/only 0 transportRtw calls were executed without an answer \(minimum 1\)/);
  });

  it('6. catch a replacement left in REVIEW without an attention item, a shipped one nobody was told about, and one that is not linked back', () => {
    const w = world();
    // F's replacement was never compensated: still in review, no refund, no attention.
    Object.assign(w.orders.find((o) => o.orderNo === 'F-EX')!, { status: 'REVIEW' });
    w.replacementCancels = w.replacementCancels.filter((c) => c.orderNo !== 'F-EX');
    // G's replacement shipped, but the attention item is missing.
    returnOf(w, 'G').attention = null;
    w.orders.find((o) => o.orderNo === 'J-EX')!.replacementFor = null;
    const result = checkExchangeReplacements(w);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/F REJECTED, replacement F-EX REVIEW, no refund asked, no attention item/);
    expect(text(result)).toMatch(/G REJECTED, replacement G-EX SHIPPED, no refund asked, no attention item/);
    expect(text(result)).toMatch(/J → J-EX \(replacement for nothing\)/);
  });

  it('6. catch a refund without a verdict, a refund whose verdict JD contradicts, and a replacement refunded although its return was received', () => {
    const w = world();
    w.replacementCancels.find((c) => c.orderNo === 'H-EX')!.verdict = null;
    // I's refund says JD cancelled the replacement, but JD shipped it.
    w.jdOrders.find((o) => o.isvUUID === 'I-EX-1')!.shipped = true;
    w.orders.find((o) => o.orderNo === 'I-EX')!.status = 'SHIPPED';
    w.replacementCancels.push({ requestId: 'J:replacement-refund', orderNo: 'J-EX', kind: 'buyerRefund', revision: 1, statusAtRequest: 'WMS_PICKING', verdict: 'REFUSED_BY_JD', resultingStatus: 'WMS_PICKING', decidedAt: 5_000 });
    const result = checkExchangeReplacements(w);
    expect(text(result)).toMatch(/H CANCELLED, replacement H-EX SHIPPED: refund H:replacement-refund has no verdict/);
    expect(text(result)).toMatch(/I CANCELLED, replacement I-EX SHIPPED: refund → CANCELLED_AT_JD/);
    expect(text(result)).toMatch(/I CANCELLED, replacement I-EX SHIPPED \(refund CANCELLED_AT_JD\), no attention item/);
    expect(text(result)).toMatch(/J RECEIVED, replacement J-EX SHIPPED: refund REFUSED_BY_JD/);
  });

  it('7. catch cancels answered against the return\'s end, and requests without a verdict, never recorded, contradicted or never sent', () => {
    const w = world();
    // D's cancel says JD cancelled it, but the warehouse received it.
    returnOf(w, 'D').status = 'RECEIVED';
    jdOf(w, 'D').status = '200';
    const j = journal();
    j.requests.push({ requestId: 'req-c', returnNo: 'C', kind: 'cancel', sentAt: 9_000, answer: 409, reason: 'already-received' });
    w.requests.find((r) => r.requestId === 'req-h')!.verdict = null;
    w.requests.push({ requestId: 'req-ghost', returnNo: 'B', kind: 'cancel', verdict: 'ALREADY_RECEIVED', resultingStatus: 'RECEIVED', decidedAt: 5_000 });
    j.requests.find((r) => r.requestId === 'req-e')!.verdict = 'REFUSED_BY_JD';
    j.requests.push({ requestId: 'req-lost', returnNo: 'L', kind: 'cancel', sentAt: 9_000, answer: 202 });
    const result = checkReturnCancels(w, j);
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(/cancel D → CANCELLED_AT_JD \(the return ended RECEIVED, JD 200 \(ESR-D\)\)/);
    expect(text(result)).toMatch(/cancel C → 409 already-received \(the return ended REJECTED/);
    expect(text(result)).toMatch(/cancel H .*recorded without a verdict/);
    expect(text(result)).toMatch(/cancel L .*no record/);
    expect(text(result)).toMatch(/API said REFUSED_BY_JD, record says CANCELLED_IN_ERP/);
    expect(text(result)).toMatch(/never sent: cancel B \(req-ghost\)/);
  });

  it('7. catch a refusal JD never made: the return ended cancelled', () => {
    const w = world();
    returnOf(w, 'A').status = 'CANCELLED';
    jdOf(w, 'A').status = '400';
    expect(text(checkReturnCancels(w, journal()))).toMatch(/cancel A → REFUSED_BY_JD \(the return ended CANCELLED, JD 400/);
  });

  it('8. catch a run that never went down a path', () => {
    const w = world();
    w.returns = w.returns.filter((r) => r.type === 'RETURN' && r.status === 'RECEIVED');
    w.requests = [];
    w.jdReturns = w.jdReturns.filter((r) => r.status === '200' && r.lines.every((l) => l.received === l.planned && l.goodsLevel === '100'));
    const j = journal();
    j.creates = j.creates.filter((c) => c.answer !== 422);
    const result = checkReturnCoverage(w, j, MINIMUMS);
    expect(result.ok).toBe(false);
    for (const path of ['received short', 'received defective', 'REJECTED', 'CANCELLED_AT_JD', 'CANCELLED_IN_ERP', 'REFUSED_BY_JD', 'replacement cancelled in the ERP', 'attention item', 'over-return refused']) {
      expect(text(result)).toContain(`${path} 0 < 1`);
    }
    expect(checkReturnCoverage(w, j, NO_RETURN_MINIMUMS).ok).toBe(true);
  });

  it('catch an answer outside the contract', () => {
    const j = journal();
    j.surprises.push('CHAOS-RTN-01 create: HTTP 500');
    expect(failing(checkReturns(world(), j, MINIMUMS))).toEqual([expect.stringMatching(/^every API answer about returns is one the contract allows.*CHAOS-RTN-01 create: HTTP 500/)]);
  });
});

describe('the return plan', () => {
  it('is the same for the same seed, has every fate even in a small run, and sends each fate where it belongs', () => {
    const a = planReturns(seededRandom(7), 60, 120_000);
    expect(planReturns(seededRandom(7), 60, 120_000)).toEqual(a);
    const fates = ['full', 'partial', 'short', 'reported', 'reject', 'cancel', 'cancel-after-receipt', 'exchange-ships', 'exchange-rejected', 'exchange-cancelled', 'exchange-shipped-rejected', 'jd-refuses'];
    expect(new Set(a.map((p) => p.fate))).toEqual(new Set(fates));
    expect(new Set(planReturns(seededRandom(1), fates.length, 40_000).map((p) => p.fate))).toEqual(new Set(fates));
    for (const plan of a) {
      expect(plan.startMs).toBeLessThanOrEqual(0.7 * 120_000);
      expect(plan.orderLines.every((l) => l.quantity >= 2)).toBe(true);
      expect(plan.type === 'EXCHANGE').toBe(plan.replacementLines !== undefined);
      if (EXCHANGE_FATES.has(plan.fate)) expect(plan.type).toBe('EXCHANGE');
      if (plan.fate === 'jd-refuses') expect(plan.warehouseCode).toBe('XX');
      else expect(['BJ', 'SH']).toContain(plan.warehouseCode);
      if (plan.fate !== 'partial') {
        expect(plan.returns).toEqual([{ returnNo: plan.returnNo, lines: plan.orderLines.map(({ sku, quantity }) => ({ sku, quantity })) }]);
        continue;
      }
      // Two returns share each line; the third asks one unit more than they leave.
      const [first, second, third] = plan.returns;
      for (const [i, line] of plan.orderLines.entries()) expect(first!.lines[i]!.quantity + second!.lines[i]!.quantity).toBe(line.quantity);
      expect([...first!.lines, ...second!.lines].every((l) => l.quantity >= 1)).toBe(true);
      expect(third!.lines).toEqual([{ sku: plan.orderLines[0]!.sku, quantity: 1 }]);
    }
  });
});
