// db/purchase-orders against a real, migrated PostgreSQL: creation (idempotent on poNo), lists and the
// detail, the saga's transitions, the operator's requests, serial batches — and above all receipts:
// every increase of JD's received quantities booked exactly once, under repeats, concurrent attempts and
// a retry after a commit whose answer was lost.
import type { Knex } from 'knex';
import {
  bookPurchaseReceipts,
  createPurchaseOrder,
  findPendingPurchaseOrderRequest,
  findPurchaseOrderRequest,
  getPurchaseOrder,
  getPurchaseOrderDetail,
  getSerialBatch,
  insertPendingPurchaseOrderRequest,
  insertSerialBatch,
  listOpenPurchaseOrders,
  listPurchaseOrders,
  listSerialBatches,
  markSerialBatch,
  nextSerialVersion,
  recordPurchaseOrderEvent,
  recordPurchaseOrderFailed,
  recordPurchaseOrderPushed,
  recordPurchaseOrderRepush,
  recordPurchaseOrderRequestDecision,
  recordPurchaseOrderUnconfirmed,
  setPurchaseOrderWorkflowId,
  withdrawPendingPurchaseOrderRequest,
  withdrawSerialBatch,
} from '../../db/purchase-orders';
import { readOperationLog } from '../../db/operation-log';
import { ledgerForDocument, stockBalances } from '../../db/stock-ledger';
import { ConflictError, NotFoundError, UnprocessableError } from '../../domain/errors';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { createTestDatabase } from '../harness';
import { jdNumberOf, poBody, progress, pushedPurchaseOrder, seedGoods, seedPurchaseOrderMasterData } from './seed';

let db: Knex;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedPurchaseOrderMasterData(db);
  for (const sku of ['TEA', 'CUP', 'POT']) await seedGoods(db, sku, { jdGoodsNo: `EMG-${sku}` });
});
afterAll(() => db?.destroy());

const book = (poNo: string, p: ReturnType<typeof progress>, status: PurchaseOrderStatus, seenReceipts: number, revision = 1) =>
  bookPurchaseReceipts(db, { poNo, revision, progress: p, status, seenReceipts });

/** Ledger quantity per SKU of the PO, and the receipts' quantity per SKU: they must always agree. */
async function ledgerAndReceipts(poNo: string): Promise<{ ledger: Record<string, number>; receipts: Record<string, number> }> {
  const detail = await getPurchaseOrderDetail(db, poNo);
  const sum = (entries: Array<{ sku: string; quantity: number }>) =>
    entries.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.sku]: (acc[e.sku] ?? 0) + e.quantity }), {});
  return { ledger: sum(detail.ledger), receipts: sum(detail.receipts.flatMap((r) => r.lines)) };
}

// ---------------------------------------------------------------- create, read, list

describe('creating a purchase order', () => {
  it('is PUSHING for an ECLP warehouse, NOT_PUSHED for another, with lines and a created log line', async () => {
    const jd = await createPurchaseOrder(db, poBody('PO-DB-C1', [['TEA', 10], ['CUP', 5]], { remark: '春茶' }), { actorRole: 'erp' });
    expect(jd.outcome).toBe('created');
    expect(jd.po).toMatchObject({
      poNo: 'PO-DB-C1',
      supplierCode: 'SUP',
      warehouseCode: 'BJ',
      remark: '春茶',
      status: 'PUSHING',
      statusLabel: '推送中',
      pushRevision: 1,
      poOrderNo: null,
      receiptCount: 0,
      receivedTotal: 0,
      closedShort: false,
      lines: [
        { lineNo: 1, sku: 'TEA', quantity: 10, unitPrice: null, receivedQuantity: 0, shortQuantity: 0, defectiveQuantity: 0, excessQuantity: 0 },
        { lineNo: 2, sku: 'CUP', quantity: 5, unitPrice: null, receivedQuantity: 0, shortQuantity: 0, defectiveQuantity: 0, excessQuantity: 0 },
      ],
    });
    const local = await createPurchaseOrder(db, poBody('PO-DB-C2', [['TEA', 1]], { warehouseCode: 'LOCAL', lines: [{ sku: 'TEA', quantity: 1, unitPrice: 12.5 }] }), { actorRole: 'erp' });
    expect(local.po).toMatchObject({ status: 'NOT_PUSHED', statusLabel: '未推送', lines: [{ sku: 'TEA', unitPrice: 12.5 }] });
    expect(await readOperationLog(db, 'PO', 'PO-DB-C1')).toEqual([
      expect.objectContaining({ action: 'created', actorRole: 'erp', detail: { lines: 2, supplierCode: 'SUP', warehouseCode: 'BJ', status: 'PUSHING' } }),
    ]);
  });

  it('is idempotent on poNo: the same body (in any key order) is "same", another body "different-body" and changes nothing', async () => {
    const body = poBody('PO-DB-C3', [['TEA', 2]]);
    expect((await createPurchaseOrder(db, body, { actorRole: 'erp' })).outcome).toBe('created');
    const reordered = { lines: [{ quantity: 2, sku: 'TEA' }], warehouseCode: 'BJ', supplierCode: 'SUP', poNo: 'PO-DB-C3' };
    expect((await createPurchaseOrder(db, reordered, { actorRole: 'erp' })).outcome).toBe('same');
    const other = await createPurchaseOrder(db, poBody('PO-DB-C3', [['TEA', 3]]), { actorRole: 'erp' });
    expect(other).toMatchObject({ outcome: 'different-body', po: { lines: [{ sku: 'TEA', quantity: 2 }] } });
    expect((await readOperationLog(db, 'PO', 'PO-DB-C3')).map((l) => l.action)).toEqual(['created']);
  });

  it('two concurrent creates of one PO: one creates, the other is "same"', async () => {
    const body = poBody('PO-DB-C4', [['CUP', 4]]);
    const outcomes = await Promise.all([createPurchaseOrder(db, body, { actorRole: 'erp' }), createPurchaseOrder(db, body, { actorRole: 'erp' })]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'same']);
    expect(await db('purchase_order_lines').where({ po_no: 'PO-DB-C4' })).toHaveLength(1);
  });

  it('refuses an unknown warehouse or SKU naming each field, and stores nothing; an unknown supplier is the pre-flight\'s to report', async () => {
    const err = await createPurchaseOrder(db, poBody('PO-DB-C5', [['TEA', 1], ['NOPE', 1]], { warehouseCode: 'XX' }), { actorRole: 'erp' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err).toMatchObject({
      reason: 'unknown-master-data',
      details: { errors: [{ field: 'warehouseCode', message: expect.stringContaining('XX') }, { field: 'lines.1.sku', message: expect.stringContaining('NOPE') }] },
    });
    expect(await db('purchase_orders').where({ po_no: 'PO-DB-C5' })).toEqual([]);
    const unmapped = await createPurchaseOrder(db, poBody('PO-DB-C6', [['TEA', 1]], { supplierCode: 'UNMAPPED' }), { actorRole: 'erp' });
    expect(unmapped.po).toMatchObject({ status: 'PUSHING', supplierCode: 'UNMAPPED' });
  });

  it('get throws NotFoundError; the workflow ID is stored', async () => {
    await expect(getPurchaseOrder(db, 'PO-DB-NONE')).rejects.toBeInstanceOf(NotFoundError);
    await expect(setPurchaseOrderWorkflowId(db, 'PO-DB-NONE', 'PO:PO-DB-NONE:1')).rejects.toBeInstanceOf(NotFoundError);
    await setPurchaseOrderWorkflowId(db, 'PO-DB-C1', 'PO:PO-DB-C1:1');
    expect((await getPurchaseOrder(db, 'PO-DB-C1')).workflowId).toBe('PO:PO-DB-C1:1');
  });
});

describe('listing purchase orders', () => {
  it('filters by status, warehouse, supplier, JD number, short closing and verdict, newest first, with a total', async () => {
    const codes = (items: Array<{ poNo: string }>) => items.map((i) => i.poNo).filter((no) => no.startsWith('PO-DB-L'));
    await createPurchaseOrder(db, poBody('PO-DB-L1', [['TEA', 1]]), { actorRole: 'erp' });
    await createPurchaseOrder(db, poBody('PO-DB-L2', [['TEA', 1]], { warehouseCode: 'LOCAL', supplierCode: 'SUP2' }), { actorRole: 'erp' });
    await pushedPurchaseOrder(db, 'PO-DB-L3', [['TEA', 5]]);
    await book('PO-DB-L3', progress('PO-DB-L3', '70', [['TEA', 3, 2]]), 'RECEIVED', 0);
    const page = { limit: 100, offset: 0 };
    expect(codes((await listPurchaseOrders(db, { warehouseCode: 'LOCAL' }, page)).items)).toEqual(['PO-DB-L2']);
    expect(codes((await listPurchaseOrders(db, { supplierCode: 'SUP2' }, page)).items)).toEqual(['PO-DB-L2']);
    expect(codes((await listPurchaseOrders(db, { status: 'RECEIVED', closedShort: true }, page)).items)).toEqual(['PO-DB-L3']);
    expect(codes((await listPurchaseOrders(db, { poOrderNo: jdNumberOf('PO-DB-L3') }, page)).items)).toEqual(['PO-DB-L3']);
    const all = await listPurchaseOrders(db, {}, page);
    expect(codes(all.items)).toEqual(['PO-DB-L3', 'PO-DB-L2', 'PO-DB-L1']);
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.items[0]).not.toHaveProperty('lines');
    const second = await listPurchaseOrders(db, {}, { limit: 1, offset: 1 });
    expect(second.items).toHaveLength(1);
    expect(second.total).toBe(all.total);

    await insertPendingPurchaseOrderRequest(db, { requestId: 'PO-DB-L1-cancel', poNo: 'PO-DB-L1', revision: 1, kind: 'cancel', reason: 'x', actorRole: 'operator', source: 'api' });
    await recordPurchaseOrderRequestDecision(db, {
      poNo: 'PO-DB-L1',
      revision: 1,
      request: { requestId: 'PO-DB-L1-cancel', kind: 'cancel', reason: 'x', actorRole: 'operator', source: 'api', statusAtRequest: 'PUSHING' },
      verdict: 'CANCELLED_IN_ERP',
      status: 'CANCELLED',
      from: 'PUSHING',
      idempotencyKey: 'test/PO-DB-L1/cancel',
    });
    expect(codes((await listPurchaseOrders(db, { verdict: 'CANCELLED_IN_ERP' }, page)).items)).toEqual(['PO-DB-L1']);
  });

  it('lists the open POs of a JD warehouse in keyset pages for the sweeper', async () => {
    for (const no of ['PO-DB-O1', 'PO-DB-O2', 'PO-DB-O3']) {
      await pushedPurchaseOrder(db, no, [['CUP', 2]]);
      await setPurchaseOrderWorkflowId(db, no, `PO:${no}:1`);
    }
    await book('PO-DB-O2', progress('PO-DB-O2', '20', [['CUP', 1]]), 'PARTIALLY_RECEIVED', 0);
    await book('PO-DB-O3', progress('PO-DB-O3', '70', [['CUP', 2]]), 'RECEIVED', 0);
    const ours = (orders: Array<{ poNo: string }>) => orders.filter((o) => o.poNo.startsWith('PO-DB-O'));
    const first = await listOpenPurchaseOrders(db, '110000001', { afterPoNo: 'PO-DB-O', limit: 1 });
    expect(first).toEqual({ orders: [{ poNo: 'PO-DB-O1', poOrderNo: jdNumberOf('PO-DB-O1'), workflowId: 'PO:PO-DB-O1:1' }], nextAfter: 'PO-DB-O1' });
    const rest = await listOpenPurchaseOrders(db, '110000001', { afterPoNo: first.nextAfter!, limit: 100 });
    expect(ours(rest.orders)).toEqual([{ poNo: 'PO-DB-O2', poOrderNo: jdNumberOf('PO-DB-O2'), workflowId: 'PO:PO-DB-O2:1' }]);
    expect(rest.nextAfter).toBeUndefined();
    expect((await listOpenPurchaseOrders(db, '999', { limit: 10 })).orders).toEqual([]);
  });
});

// ---------------------------------------------------------------- receipts: exactly once

describe('booking receipts', () => {
  it('two partial receipts then completion: one receipt per increase, ledger = receipts, remarks in the log', async () => {
    const po = 'PO-DB-R1';
    await pushedPurchaseOrder(db, po, [['TEA', 10], ['CUP', 5]]);
    const first = await book(po, progress(po, '20', [['TEA', 3], ['CUP', 0]]), 'PARTIALLY_RECEIVED', 0);
    expect(first).toEqual({
      receipts: [{ receiptNo: `${po}-R1`, seq: 1, pushRevision: 1, poOrderNo: jdNumberOf(po), warehouseCode: 'BJ', jdStatus: '20', receivedAt: expect.any(String), lines: [{ sku: 'TEA', quantity: 3 }] }],
      totalReceipts: 1,
      receivedTotal: 3,
    });
    const second = await book(po, progress(po, '20', [['TEA', 7], ['CUP', 5]]), 'PARTIALLY_RECEIVED', 1);
    expect(second.receipts.map((r) => [r.receiptNo, r.lines])).toEqual([[`${po}-R2`, [{ sku: 'CUP', quantity: 5 }, { sku: 'TEA', quantity: 4 }]]]);
    const done = await book(po, progress(po, '70', [['TEA', 10], ['CUP', 5]]), 'RECEIVED', 2);
    expect(done).toMatchObject({ receipts: [{ receiptNo: `${po}-R3`, lines: [{ sku: 'TEA', quantity: 3 }] }], totalReceipts: 3, receivedTotal: 15 });

    const detail = await getPurchaseOrderDetail(db, po);
    expect(detail).toMatchObject({ status: 'RECEIVED', jdStatus: '70', receiptCount: 3, receivedTotal: 15, closedShort: false });
    expect(detail.lines.map((l) => [l.sku, l.receivedQuantity, l.shortQuantity])).toEqual([['TEA', 10, 0], ['CUP', 5, 0]]);
    expect(detail.ledger.map((e) => [e.entryNo, e.sku, e.quantity, e.docRevision, e.warehouseCode])).toEqual([
      [1, 'TEA', 3, 1, 'BJ'],
      [2, 'CUP', 5, 1, 'BJ'],
      [2, 'TEA', 4, 1, 'BJ'],
      [3, 'TEA', 3, 1, 'BJ'],
    ]);
    expect(await ledgerAndReceipts(po)).toEqual({ ledger: { TEA: 10, CUP: 5 }, receipts: { TEA: 10, CUP: 5 } });
    expect(detail.log.filter((l) => l.action === 'receipt').map((l) => l.detail?.remark)).toEqual([
      `采购入库 ${po}-R1: TEA×3`,
      `采购入库 ${po}-R2: CUP×5, TEA×4`,
      `采购入库 ${po}-R3: TEA×3`,
    ]);
  });

  it('the same report again books nothing; a retry after a lost answer gets the receipt the lost attempt booked', async () => {
    const po = 'PO-DB-R2';
    await pushedPurchaseOrder(db, po, [['TEA', 10]]);
    const report = progress(po, '20', [['TEA', 4]]);
    await book(po, report, 'PARTIALLY_RECEIVED', 0);
    // The run saw the receipt: the same report is nothing new.
    expect(await book(po, report, 'PARTIALLY_RECEIVED', 1)).toEqual({ receipts: [], totalReceipts: 1, receivedTotal: 4 });
    // The run never heard the first answer (it still has seen 0): it gets receipt 1 again, nothing booked.
    const retried = await book(po, report, 'PARTIALLY_RECEIVED', 0);
    expect(retried.receipts.map((r) => r.receiptNo)).toEqual([`${po}-R1`]);
    expect(retried.totalReceipts).toBe(1);
    expect(await ledgerForDocument(db, 'PO', po)).toHaveLength(1);
    expect((await readOperationLog(db, 'PO', po)).filter((l) => l.action === 'receipt')).toHaveLength(1);
  });

  it('two attempts at once book once: the second waits for the PO row and then finds nothing new', async () => {
    const po = 'PO-DB-R3';
    await pushedPurchaseOrder(db, po, [['TEA', 10], ['POT', 2]]);
    const report = progress(po, '20', [['TEA', 6], ['POT', 1]]);
    // Hold the row so that both attempts are inside their transactions, waiting on the same lock.
    const holder = await db.transaction();
    await holder('purchase_orders').where({ po_no: po }).forUpdate().first();
    const attempts = Promise.all([book(po, report, 'PARTIALLY_RECEIVED', 0), book(po, report, 'PARTIALLY_RECEIVED', 0)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { rows } = await db.raw<{ rows: Array<{ n: number }> }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
    expect(rows[0]!.n).toBe(2);
    await holder.commit();
    const [a, b] = await attempts;
    // Both answer receipt 1 (the run had seen none); only one booked it.
    expect(a.receipts.map((r) => r.receiptNo)).toEqual([`${po}-R1`]);
    expect(b.receipts.map((r) => r.receiptNo)).toEqual([`${po}-R1`]);
    expect(await db('purchase_receipts').where({ po_no: po })).toHaveLength(1);
    expect(await ledgerAndReceipts(po)).toEqual({ ledger: { TEA: 6, POT: 1 }, receipts: { TEA: 6, POT: 1 } });
    expect((await getPurchaseOrder(db, po)).receivedTotal).toBe(7);
  });

  it('many concurrent attempts with growing reports: the ledger always equals the receipts and JD\'s last numbers', async () => {
    const po = 'PO-DB-R4';
    await pushedPurchaseOrder(db, po, [['TEA', 100]]);
    await Promise.all([5, 10, 10, 20, 15, 20, 5].map((received) => book(po, progress(po, '20', [['TEA', received]]), 'PARTIALLY_RECEIVED', 0)));
    const { ledger, receipts } = await ledgerAndReceipts(po);
    expect(ledger).toEqual(receipts);
    expect(ledger.TEA).toBe(20);
    expect((await getPurchaseOrder(db, po)).lines[0]!.receivedQuantity).toBe(20);
  });

  it('JD lowering a number books nothing and is logged once per report', async () => {
    const po = 'PO-DB-R5';
    await pushedPurchaseOrder(db, po, [['TEA', 10]]);
    await book(po, progress(po, '20', [['TEA', 5]]), 'PARTIALLY_RECEIVED', 0);
    const lowered = progress(po, '20', [['TEA', 4]]);
    expect(await book(po, lowered, 'PARTIALLY_RECEIVED', 1)).toEqual({ receipts: [], totalReceipts: 1, receivedTotal: 5 });
    await book(po, lowered, 'PARTIALLY_RECEIVED', 1);
    const logged = (await readOperationLog(db, 'PO', po)).filter((l) => l.action === 'jd_received_decreased');
    expect(logged).toEqual([expect.objectContaining({ detail: expect.objectContaining({ lines: [{ sku: 'TEA', booked: 5, jdReports: 4 }] }) })]);
    expect((await getPurchaseOrder(db, po)).lines[0]!.receivedQuantity).toBe(5);
    // Back above the booked quantity: only what exceeds it is new.
    const up = await book(po, progress(po, '20', [['TEA', 7]]), 'PARTIALLY_RECEIVED', 1);
    expect(up.receipts.map((r) => r.lines)).toEqual([[{ sku: 'TEA', quantity: 2 }]]);
    expect(await ledgerAndReceipts(po)).toEqual({ ledger: { TEA: 7 }, receipts: { TEA: 7 } });
  });

  it('an over-receipt is booked in full and recorded as excess', async () => {
    const po = 'PO-DB-R6';
    await pushedPurchaseOrder(db, po, [['CUP', 5]]);
    const done = await book(po, progress(po, '70', [['CUP', 7, 0, 0, 2]]), 'RECEIVED', 0);
    expect(done.receipts.map((r) => r.lines)).toEqual([[{ sku: 'CUP', quantity: 7 }]]);
    const stored = await getPurchaseOrder(db, po);
    expect(stored).toMatchObject({ status: 'RECEIVED', closedShort: false, lines: [{ quantity: 5, receivedQuantity: 7, excessQuantity: 2 }] });
    // JD left the excess out: it is still what arrived beyond the order.
    const po2 = 'PO-DB-R6b';
    await pushedPurchaseOrder(db, po2, [['CUP', 5]]);
    await book(po2, progress(po2, '70', [['CUP', 8]]), 'RECEIVED', 0);
    expect((await getPurchaseOrder(db, po2)).lines[0]).toMatchObject({ receivedQuantity: 8, excessQuantity: 3 });
  });

  it('a PO that ends short: status RECEIVED, closed_short, short and defective quantities as JD reports them', async () => {
    const po = 'PO-DB-R7';
    await pushedPurchaseOrder(db, po, [['TEA', 10], ['CUP', 4]]);
    await book(po, progress(po, '20', [['TEA', 6], ['CUP', 4]]), 'PARTIALLY_RECEIVED', 0);
    const before = await getPurchaseOrder(db, po);
    expect(before).toMatchObject({ status: 'PARTIALLY_RECEIVED', statusLabel: '部分入库', closedShort: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await book(po, progress(po, '70', [['TEA', 6, 4, 1], ['CUP', 4]]), 'RECEIVED', 1);
    const after = await getPurchaseOrder(db, po);
    expect(after).toMatchObject({ status: 'RECEIVED', jdStatus: '70', closedShort: true, receiptCount: 1 });
    expect(after.lines[0]).toMatchObject({ sku: 'TEA', receivedQuantity: 6, shortQuantity: 4, defectiveQuantity: 1 });
    expect(Date.parse(after.statusSince)).toBeGreaterThan(Date.parse(before.statusSince));
    expect(await ledgerAndReceipts(po)).toEqual({ ledger: { TEA: 6, CUP: 4 }, receipts: { TEA: 6, CUP: 4 } });
  });

  it('a stale report after the PO ended changes neither its status nor its stock', async () => {
    const po = 'PO-DB-R8';
    await pushedPurchaseOrder(db, po, [['TEA', 3]]);
    await book(po, progress(po, '70', [['TEA', 3]]), 'RECEIVED', 0);
    await book(po, progress(po, '20', [['TEA', 1]]), 'PARTIALLY_RECEIVED', 0);
    expect(await getPurchaseOrder(db, po)).toMatchObject({ status: 'RECEIVED', receiptCount: 1, lines: [{ receivedQuantity: 3 }] });
    expect((await readOperationLog(db, 'PO', po)).map((l) => l.action)).not.toContain('jd_received_decreased');
  });

  it('goods JD received that the PO does not order are logged once, not booked', async () => {
    const po = 'PO-DB-R10';
    await pushedPurchaseOrder(db, po, [['TEA', 3]]);
    const report = progress(po, '20', [['TEA', 1], ['CUP', 2]]);
    await book(po, report, 'PARTIALLY_RECEIVED', 0);
    await book(po, report, 'PARTIALLY_RECEIVED', 1);
    expect(await ledgerAndReceipts(po)).toEqual({ ledger: { TEA: 1 }, receipts: { TEA: 1 } });
    expect((await readOperationLog(db, 'PO', po)).filter((l) => l.action === 'jd_unexpected_goods')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ goods: [{ sku: 'CUP', jdReports: 2 }] }) }),
    ]);
  });

  it('refuses another JD PO\'s report', async () => {
    const po = 'PO-DB-R11';
    await pushedPurchaseOrder(db, po, [['TEA', 3]]);
    await expect(book(po, { ...progress(po, '20', [['TEA', 1]]), poOrderNo: 'EPLOTHER' }, 'PARTIALLY_RECEIVED', 0)).rejects.toMatchObject({ reason: 'jd-number-mismatch' });
    expect(await ledgerForDocument(db, 'PO', po)).toEqual([]);
  });

  it('refuses a PO no longer at the revision, and books nothing', async () => {
    const po = 'PO-DB-R9';
    await pushedPurchaseOrder(db, po, [['TEA', 3]]);
    const err = await book(po, progress(po, '20', [['TEA', 1]]), 'PARTIALLY_RECEIVED', 0, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ reason: 'revision-superseded' });
    expect(await ledgerForDocument(db, 'PO', po)).toEqual([]);
  });

  it('stock balances sum the receipts with the other documents per warehouse and SKU', async () => {
    const balances = await stockBalances(db, { warehouseCode: 'BJ', sku: 'POT' });
    expect(balances).toEqual([{ warehouseCode: 'BJ', sku: 'POT', quantity: 1 }]);
  });
});

// ---------------------------------------------------------------- transitions

describe('the saga\'s transitions', () => {
  it('pushed, failed, unconfirmed: once per key, never over a PO that moved on', async () => {
    await createPurchaseOrder(db, poBody('PO-DB-T1', [['TEA', 1]]), { actorRole: 'erp' });
    const pushed = { poNo: 'PO-DB-T1', revision: 1, poOrderNo: 'EPLT1', spPoOrderNo: 'PO-DB-T1-1', jdWarehouseNo: '110000001', recovered: true, idempotencyKey: 'k/T1/pushed' };
    await recordPurchaseOrderPushed(db, pushed);
    await recordPurchaseOrderPushed(db, pushed);
    expect(await getPurchaseOrder(db, 'PO-DB-T1')).toMatchObject({ status: 'WAITING_INBOUND', poOrderNo: 'EPLT1', spPoOrderNo: 'PO-DB-T1-1', jdWarehouseNo: '110000001' });
    expect((await readOperationLog(db, 'PO', 'PO-DB-T1')).filter((l) => l.action === 'pushed')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ pushRevision: 1, poOrderNo: 'EPLT1', recoveredAfterAmbiguousFailure: true }) }),
    ]);
    await expect(recordPurchaseOrderFailed(db, { poNo: 'PO-DB-T1', revision: 1, reason: 'x', stage: 'push_rejected', idempotencyKey: 'k/T1/failed' })).rejects.toMatchObject({ reason: 'status-moved-on' });

    await createPurchaseOrder(db, poBody('PO-DB-T2', [['TEA', 1]]), { actorRole: 'erp' });
    await recordPurchaseOrderFailed(db, { poNo: 'PO-DB-T2', revision: 1, reason: 'JD rejected: 商品不存在', stage: 'push_rejected', jdCode: '1001', sku: 'TEA', idempotencyKey: 'k/T2/failed' });
    expect(await getPurchaseOrder(db, 'PO-DB-T2')).toMatchObject({ status: 'FAILED', failureReason: 'JD rejected: 商品不存在', failureStage: 'push_rejected' });
    expect((await readOperationLog(db, 'PO', 'PO-DB-T2')).at(-1)).toMatchObject({ action: 'push_rejected', detail: { pushRevision: 1, jdCode: '1001', sku: 'TEA' } });

    await createPurchaseOrder(db, poBody('PO-DB-T3', [['TEA', 1]]), { actorRole: 'erp' });
    await recordPurchaseOrderUnconfirmed(db, { poNo: 'PO-DB-T3', revision: 1, spPoOrderNo: 'PO-DB-T3-1', jdMessage: '采购单号已存在', idempotencyKey: 'k/T3/u' });
    expect(await getPurchaseOrder(db, 'PO-DB-T3')).toMatchObject({ status: 'PUSH_UNCONFIRMED', spPoOrderNo: 'PO-DB-T3-1' });
    await expect(recordPurchaseOrderPushed(db, { ...pushed, poNo: 'PO-DB-T3', revision: 2, idempotencyKey: 'k/T3/p2' })).rejects.toMatchObject({ reason: 'revision-superseded' });
    await recordPurchaseOrderPushed(db, { ...pushed, poNo: 'PO-DB-T3', poOrderNo: 'EPLT3', spPoOrderNo: 'PO-DB-T3-1', linked: true, idempotencyKey: 'k/T3/link' });
    expect(await getPurchaseOrder(db, 'PO-DB-T3')).toMatchObject({ status: 'WAITING_INBOUND', poOrderNo: 'EPLT3' });
    expect((await readOperationLog(db, 'PO', 'PO-DB-T3')).at(-1)).toMatchObject({ action: 'linked' });
  });

  it('a repush moves to the next revision once, clearing the failure; another revision is refused', async () => {
    await createPurchaseOrder(db, poBody('PO-DB-T4', [['TEA', 1]]), { actorRole: 'erp' });
    await recordPurchaseOrderUnconfirmed(db, { poNo: 'PO-DB-T4', revision: 1, spPoOrderNo: 'PO-DB-T4-1', jdMessage: '采购单号已存在', idempotencyKey: 'k/T4/u' });
    await recordPurchaseOrderRepush(db, { poNo: 'PO-DB-T4', fromRevision: 1, toRevision: 2 });
    await recordPurchaseOrderRepush(db, { poNo: 'PO-DB-T4', fromRevision: 1, toRevision: 2 });
    expect(await getPurchaseOrder(db, 'PO-DB-T4')).toMatchObject({ status: 'PUSHING', pushRevision: 2, spPoOrderNo: null, failureReason: null });
    expect((await readOperationLog(db, 'PO', 'PO-DB-T4')).filter((l) => l.action === 'push_revision_raised')).toEqual([
      expect.objectContaining({ detail: { fromRevision: 1, pushRevision: 2, previousSpPoOrderNo: 'PO-DB-T4-1' } }),
    ]);
    await expect(recordPurchaseOrderRepush(db, { poNo: 'PO-DB-T4', fromRevision: 1, toRevision: 3 })).rejects.toMatchObject({ reason: 'revision-superseded' });
    await recordPurchaseOrderEvent(db, { poNo: 'PO-DB-T4', revision: 2, action: 'jd_overdue', detail: { waitedMs: 1 }, idempotencyKey: 'k/T4/e' });
    await recordPurchaseOrderEvent(db, { poNo: 'PO-DB-T4', revision: 2, action: 'jd_overdue', detail: { waitedMs: 1 }, idempotencyKey: 'k/T4/e' });
    expect((await readOperationLog(db, 'PO', 'PO-DB-T4')).filter((l) => l.action === 'jd_overdue')).toEqual([expect.objectContaining({ actorRole: 'system', detail: { pushRevision: 2, waitedMs: 1 } })]);
  });
});

// ---------------------------------------------------------------- requests

describe('operator requests', () => {
  const decide = (poNo: string, over: Partial<Parameters<typeof recordPurchaseOrderRequestDecision>[1]> & { requestId: string; key: string }) =>
    recordPurchaseOrderRequestDecision(db, {
      poNo,
      revision: 1,
      request: { requestId: over.requestId, kind: 'cancel', reason: '供应商停产', actorRole: 'admin', source: 'api', statusAtRequest: 'WAITING_INBOUND' },
      verdict: 'CANCELLED_AT_JD',
      status: 'CANCELLED',
      from: 'WAITING_INBOUND',
      idempotencyKey: over.key,
      ...over,
    });

  it('the API\'s pending row: stored once, found while pending, withdrawn when the signal found no run', async () => {
    await pushedPurchaseOrder(db, 'PO-DB-Q1', [['TEA', 1]]);
    await pushedPurchaseOrder(db, 'PO-DB-Q1b', [['TEA', 1]]);
    const stored = await insertPendingPurchaseOrderRequest(db, { requestId: 'q1', poNo: 'PO-DB-Q1', revision: 1, kind: 'cancel', reason: 'r', actorRole: 'operator', source: 'api' });
    expect(stored).toMatchObject({ requestId: 'q1', poNo: 'PO-DB-Q1', kind: 'cancel', verdict: null, source: 'api', actorRole: 'operator' });
    // The id is taken: the caller gets the owner's row and tells the difference.
    expect(await insertPendingPurchaseOrderRequest(db, { requestId: 'q1', poNo: 'PO-DB-Q1b', revision: 1, kind: 'close', reason: 'r', actorRole: 'operator', source: 'api' })).toMatchObject({ poNo: 'PO-DB-Q1', kind: 'cancel' });
    expect(await findPendingPurchaseOrderRequest(db, 'PO-DB-Q1')).toMatchObject({ requestId: 'q1' });
    expect(await findPendingPurchaseOrderRequest(db, 'PO-DB-Q1', 'close')).toBeUndefined();
    await withdrawPendingPurchaseOrderRequest(db, 'q1');
    expect(await findPurchaseOrderRequest(db, 'q1')).toBeUndefined();
  });

  it('a decision on the API\'s request: verdict, status and log line together, once per key, source and role from the API\'s row', async () => {
    await pushedPurchaseOrder(db, 'PO-DB-Q2', [['TEA', 1]]);
    await insertPendingPurchaseOrderRequest(db, { requestId: 'q2', poNo: 'PO-DB-Q2', revision: 1, kind: 'cancel', reason: '供应商停产', actorRole: 'operator', source: 'api' });
    await decide('PO-DB-Q2', { requestId: 'q2', key: 'k/q2', jdMessage: '取消成功' });
    await decide('PO-DB-Q2', { requestId: 'q2', key: 'k/q2', jdMessage: '取消成功' });
    expect(await findPurchaseOrderRequest(db, 'q2')).toMatchObject({ verdict: 'CANCELLED_AT_JD', resultingStatus: 'CANCELLED', jdMessage: '取消成功', source: 'api', actorRole: 'operator', statusAtRequest: 'WAITING_INBOUND', decidedAt: expect.any(String) });
    expect(await getPurchaseOrder(db, 'PO-DB-Q2')).toMatchObject({ status: 'CANCELLED', statusLabel: '已取消' });
    expect((await readOperationLog(db, 'PO', 'PO-DB-Q2')).filter((l) => l.action === 'cancel')).toEqual([
      expect.objectContaining({ actorRole: 'operator', detail: { pushRevision: 1, requestId: 'q2', verdict: 'CANCELLED_AT_JD', source: 'api', reason: '供应商停产', jdMessage: '取消成功' } }),
    ]);
  });

  it('trusts no claim without the API\'s row, and files another PO\'s request id under its own key', async () => {
    await pushedPurchaseOrder(db, 'PO-DB-Q3', [['TEA', 1]]);
    // Typed into the Temporal UI claiming the API and admin: recorded as temporal/operator.
    await decide('PO-DB-Q3', { requestId: 'q3-ui', key: 'k/q3', verdict: 'REFUSED_BY_JD', status: 'WAITING_INBOUND' });
    expect(await findPurchaseOrderRequest(db, 'q3-ui')).toMatchObject({ poNo: 'PO-DB-Q3', source: 'temporal', actorRole: 'operator', verdict: 'REFUSED_BY_JD' });
    await insertPendingPurchaseOrderRequest(db, { requestId: 'q3-other', poNo: 'PO-DB-Q1b', revision: 1, kind: 'cancel', reason: 'r', actorRole: 'admin', source: 'api' });
    await decide('PO-DB-Q3', { requestId: 'q3-other', key: 'k/q3-other', verdict: 'REFUSED_BY_JD', status: 'WAITING_INBOUND' });
    expect(await findPurchaseOrderRequest(db, 'q3-other')).toMatchObject({ poNo: 'PO-DB-Q1b', verdict: null });
    expect(await findPurchaseOrderRequest(db, 'PO-DB-Q3:1#q3-other')).toMatchObject({ poNo: 'PO-DB-Q3', source: 'temporal', actorRole: 'operator', verdict: 'REFUSED_BY_JD' });
    expect(await getPurchaseOrder(db, 'PO-DB-Q3')).toMatchObject({ status: 'WAITING_INBOUND' });
  });

  it('a PO that ended meanwhile keeps its end and the verdict says so; another revision is refused', async () => {
    await pushedPurchaseOrder(db, 'PO-DB-Q4', [['TEA', 2]]);
    await book('PO-DB-Q4', progress('PO-DB-Q4', '70', [['TEA', 2]]), 'RECEIVED', 0);
    await decide('PO-DB-Q4', { requestId: 'q4', key: 'k/q4' });
    expect(await findPurchaseOrderRequest(db, 'q4')).toMatchObject({ verdict: 'ALREADY_RECEIVED', resultingStatus: 'RECEIVED' });
    expect(await getPurchaseOrder(db, 'PO-DB-Q4')).toMatchObject({ status: 'RECEIVED' });
    await expect(decide('PO-DB-Q4', { requestId: 'q4b', key: 'k/q4b', revision: 2 })).rejects.toMatchObject({ reason: 'revision-superseded' });
  });

  it('a close decided after the closing report ends the PO RECEIVED and short', async () => {
    await pushedPurchaseOrder(db, 'PO-DB-Q5', [['TEA', 10]]);
    await book('PO-DB-Q5', progress('PO-DB-Q5', '20', [['TEA', 4]]), 'PARTIALLY_RECEIVED', 0);
    await decide('PO-DB-Q5', {
      requestId: 'q5',
      key: 'k/q5',
      request: { requestId: 'q5', kind: 'close', reason: '不再补货', actorRole: 'operator', source: 'api', statusAtRequest: 'PARTIALLY_RECEIVED' },
      verdict: 'CLOSED_AT_JD',
      status: 'RECEIVED',
      from: 'PARTIALLY_RECEIVED',
    });
    expect(await getPurchaseOrder(db, 'PO-DB-Q5')).toMatchObject({ status: 'RECEIVED', closedShort: true });
    expect((await readOperationLog(db, 'PO', 'PO-DB-Q5')).at(-1)).toMatchObject({ action: 'close', detail: { verdict: 'CLOSED_AT_JD' } });
  });
});

// ---------------------------------------------------------------- serial batches

describe('serial batches', () => {
  it('stores a batch once, refuses serials an earlier batch holds (naming them), a SKU not on the PO, and a reused batch id', async () => {
    await pushedPurchaseOrder(db, 'PO-DB-S1', [['TEA', 3], ['CUP', 3]]);
    const first = await insertSerialBatch(db, { batchId: 'b1', poNo: 'PO-DB-S1', sku: 'TEA', serialNos: ['SN1', 'SN2'] });
    expect(first).toEqual({ created: true, batch: expect.objectContaining({ batchId: 'b1', poNo: 'PO-DB-S1', sku: 'TEA', serialNos: ['SN1', 'SN2'], status: 'pending', version: null }) });
    expect(await insertSerialBatch(db, { batchId: 'b1', poNo: 'PO-DB-S1', sku: 'TEA', serialNos: ['SN1', 'SN2'] })).toMatchObject({ created: false });
    await expect(insertSerialBatch(db, { batchId: 'b1', poNo: 'PO-DB-S1', sku: 'TEA', serialNos: ['SN9'] })).rejects.toMatchObject({ reason: 'batch-exists' });

    const repeated = await insertSerialBatch(db, { batchId: 'b2', poNo: 'PO-DB-S1', sku: 'CUP', serialNos: ['SN3', 'SN2'] }).catch((e: unknown) => e);
    expect(repeated).toBeInstanceOf(UnprocessableError);
    expect(repeated).toMatchObject({ reason: 'serials-already-sent', message: expect.stringContaining('SN2'), details: { serialNos: ['SN2'], errors: [{ field: 'serialNos.1', message: expect.stringContaining('batch b1') }] } });
    await expect(insertSerialBatch(db, { batchId: 'b3', poNo: 'PO-DB-S1', sku: 'POT', serialNos: ['SN4'] })).rejects.toMatchObject({ reason: 'sku-not-on-order', details: { errors: [{ field: 'sku' }] } });
    await expect(insertSerialBatch(db, { batchId: 'b4', poNo: 'PO-DB-NONE', sku: 'TEA', serialNos: ['SN4'] })).rejects.toBeInstanceOf(NotFoundError);
    // Another PO may carry the same serial numbers (a return, a second supplier shipment): only this PO's batches count.
    await pushedPurchaseOrder(db, 'PO-DB-S2', [['TEA', 3]]);
    expect((await insertSerialBatch(db, { batchId: 'b5', poNo: 'PO-DB-S2', sku: 'TEA', serialNos: ['SN1'] })).created).toBe(true);
  });

  it('numbers uploads per PO and never turns an uploaded batch back into a failed one', async () => {
    await insertSerialBatch(db, { batchId: 'b6', poNo: 'PO-DB-S1', sku: 'CUP', serialNos: ['SN6'] });
    expect(await nextSerialVersion(db, 'PO-DB-S1')).toBe(1);
    await markSerialBatch(db, 'b1', { status: 'uploaded', version: 1, jdResult: '1' });
    expect(await nextSerialVersion(db, 'PO-DB-S1')).toBe(2);
    await markSerialBatch(db, 'b1', { status: 'failed', error: 'late' });
    expect(await getSerialBatch(db, 'b1')).toMatchObject({ status: 'uploaded', version: 1, jdResult: '1', uploadedAt: expect.any(String) });
    await markSerialBatch(db, 'b6', { status: 'failed', error: 'JD: 序列号重复' });
    expect((await listSerialBatches(db, 'PO-DB-S1')).map((b) => [b.batchId, b.status])).toEqual([['b1', 'uploaded'], ['b6', 'failed']]);
    await expect(markSerialBatch(db, 'nope', { status: 'uploaded' })).rejects.toBeInstanceOf(NotFoundError);
    const detail = await getPurchaseOrderDetail(db, 'PO-DB-S1');
    expect(detail.serialBatches.map((b) => b.batchId)).toEqual(['b1', 'b6']);
  });

  it('a batch whose signal reached no run is withdrawn while pending; an uploaded one stays', async () => {
    await insertSerialBatch(db, { batchId: 'b7', poNo: 'PO-DB-S1', sku: 'CUP', serialNos: ['SN7'] });
    await withdrawSerialBatch(db, 'b7');
    await withdrawSerialBatch(db, 'b1');
    expect(await getSerialBatch(db, 'b7')).toBeUndefined();
    expect(await getSerialBatch(db, 'b1')).toMatchObject({ status: 'uploaded' });
    // Withdrawn, its serial numbers may be sent again.
    expect((await insertSerialBatch(db, { batchId: 'b8', poNo: 'PO-DB-S1', sku: 'CUP', serialNos: ['SN7'] })).created).toBe(true);
  });
});
