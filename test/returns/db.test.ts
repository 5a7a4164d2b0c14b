// db/returns against a real, migrated PostgreSQL: creation with every refusal naming its field (and what
// earlier returns of the order claim, also when created at once), an exchange's replacement order, reads
// and lists, the saga's transitions, the operator's requests — and the sales-return receipt, booked
// exactly once under repeats, concurrent attempts and a retry after a commit whose answer was lost.
import type { Knex } from 'knex';
import { readOperationLog } from '../../db/operation-log';
import {
  bookReturnReceived,
  createReturn,
  findPendingReturnRequest,
  findReturnRequest,
  getReturn,
  getReturnDetail,
  insertPendingReturnRequest,
  listReturns,
  listReturnsOfOrder,
  loadReturnPushMaterial,
  recordReturnAttention,
  recordReturnEnded,
  recordReturnEvent,
  recordReturnFailed,
  recordReturnPushed,
  recordReturnRequestDecision,
  returnReceiptRemark,
  setReturnWorkflowId,
  withdrawPendingReturnRequest,
} from '../../db/returns';
import { getSalesOrder, listSalesOrders } from '../../db/sales-orders';
import { ledgerForDocument, stockBalances } from '../../db/stock-ledger';
import { ConflictError, NotFoundError, UnprocessableError } from '../../domain/errors';
import type { ReturnBody } from '../../domain/return-order';
import { createTestDatabase } from '../harness';
import { CONSIGNEE, eclpRtwNoOf, pushedReturn, received, returnBody, salesOrder, seedGoods, seedReturnMasterData } from './seed';

let db: Knex;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedReturnMasterData(db);
  for (const sku of ['TEA', 'CUP', 'POT']) await seedGoods(db, sku);
  await seedGoods(db, 'GIFT');
});
afterAll(() => db?.destroy());

const create = (body: ReturnBody) => createReturn(db, body, { actorRole: 'erp' });

/** The refusal's field errors, or a failure when it was not refused. */
async function refusal(body: ReturnBody): Promise<Array<{ field: string; message: string }>> {
  const err = await create(body).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UnprocessableError);
  expect((err as UnprocessableError).reason).toBe('return-refused');
  return (err as UnprocessableError).details.errors as Array<{ field: string; message: string }>;
}

const book = (returnNo: string, outcome: ReturnType<typeof received>, revision = 1) => bookReturnReceived(db, { returnNo, revision, outcome });

// ---------------------------------------------------------------- create

describe('creating a return', () => {
  it('is PUSHING with its lines and a created log line; idempotent on returnNo', async () => {
    await salesOrder(db, 'SO-RDB-C1', [['TEA', 5, 59.9], ['CUP', 2, 12]]);
    const body = returnBody('RDB-C1', 'SO-RDB-C1', [['TEA', 2], ['CUP', 1]]);
    const first = await create(body);
    expect(first.outcome).toBe('created');
    expect(first.ret).toMatchObject({
      returnNo: 'RDB-C1',
      orderNo: 'SO-RDB-C1',
      type: 'RETURN',
      warehouseCode: 'BJ',
      reason: '七天无理由退货',
      status: 'PUSHING',
      statusLabel: '推送中',
      pushRevision: 1,
      workflowId: null,
      eclpRtwNo: null,
      replacementOrderNo: null,
      attention: null,
      lines: [
        { lineNo: 1, sku: 'TEA', quantity: 2, receivedQuantity: null, shortQuantity: null, goodsLevel: null },
        { lineNo: 2, sku: 'CUP', quantity: 1, receivedQuantity: null, shortQuantity: null, goodsLevel: null },
      ],
    });
    expect(await readOperationLog(db, 'RTN', 'RDB-C1')).toEqual([
      expect.objectContaining({ action: 'created', actorRole: 'erp', detail: expect.objectContaining({ type: 'RETURN', orderNo: 'SO-RDB-C1', status: 'PUSHING' }) }),
    ]);

    // Key order does not matter; a repeat checks nothing again and changes nothing.
    const again = await create({ lines: body.lines, reason: body.reason, warehouseCode: 'BJ', type: 'RETURN', orderNo: 'SO-RDB-C1', returnNo: 'RDB-C1' });
    expect(again).toEqual({ outcome: 'same', ret: first.ret });
    const other = await create({ ...body, reason: '质量问题' });
    expect(other.outcome).toBe('different-body');
    expect(other.ret.reason).toBe('七天无理由退货');
    expect(await readOperationLog(db, 'RTN', 'RDB-C1')).toHaveLength(1);
  });

  it('refuses, naming each field: an order that is unknown or not shipped, a warehouse unknown or not ECLP-connected', async () => {
    expect(await refusal(returnBody('RDB-R1', 'SO-NONE', [['TEA', 1]], { warehouseCode: 'NOWH' }))).toEqual([
      { field: 'orderNo', message: 'sales order SO-NONE does not exist' },
      { field: 'warehouseCode', message: 'warehouse NOWH does not exist in master data' },
    ]);
    await salesOrder(db, 'SO-RDB-R2', [['TEA', 5, 10]], 'WMS_PICKING');
    expect(await refusal(returnBody('RDB-R2', 'SO-RDB-R2', [['TEA', 1]], { warehouseCode: 'LOCAL' }))).toEqual([
      { field: 'orderNo', message: expect.stringMatching(/^sales order SO-RDB-R2 is WMS_PICKING \(WMS配货\), not SHIPPED/) },
      { field: 'warehouseCode', message: expect.stringMatching(/^warehouse LOCAL is not ECLP-connected/) },
    ]);
    expect(await db('returns').whereIn('return_no', ['RDB-R1', 'RDB-R2'])).toEqual([]);
  });

  it('refuses a SKU not on the order and more than was shipped, naming the line and the numbers', async () => {
    // CUP was ordered 4 and shipped 3: shipped counts, not ordered.
    await salesOrder(db, 'SO-RDB-R3', [['TEA', 5, 10], ['CUP', 4, 5, 3]]);
    const fields = await refusal(returnBody('RDB-R3', 'SO-RDB-R3', [['TEA', 5], ['POT', 1], ['CUP', 4]]));
    expect(fields).toEqual([
      { field: 'lines.1.sku', message: 'SKU POT is not on sales order SO-RDB-R3' },
      { field: 'lines.2.quantity', message: 'SKU CUP: 4 asked, but sales order SO-RDB-R3 shipped 3, earlier returns claim 0, available 3' },
    ]);
    expect((await create(returnBody('RDB-R3', 'SO-RDB-R3', [['TEA', 5], ['CUP', 3]]))).outcome).toBe('created');
  });

  it('two returns across one order: the second gets what the first left, a third nothing; a return that ended without goods frees its claim', async () => {
    await salesOrder(db, 'SO-RDB-T', [['TEA', 5, 10], ['CUP', 2, 5]]);
    expect((await create(returnBody('RDB-T1', 'SO-RDB-T', [['TEA', 3]]))).outcome).toBe('created');
    expect((await create(returnBody('RDB-T2', 'SO-RDB-T', [['TEA', 2], ['CUP', 2]]))).outcome).toBe('created');
    expect(await refusal(returnBody('RDB-T3', 'SO-RDB-T', [['CUP', 1], ['TEA', 1]]))).toEqual([
      { field: 'lines.0.quantity', message: 'SKU CUP: 1 asked, but sales order SO-RDB-T shipped 2, earlier returns claim 2, available 0' },
      { field: 'lines.1.quantity', message: 'SKU TEA: 1 asked, but sales order SO-RDB-T shipped 5, earlier returns claim 5, available 0' },
    ]);

    // FAILED still claims (it may be cancelled or fixed); REJECTED and CANCELLED do not.
    await recordReturnFailed(db, { returnNo: 'RDB-T1', revision: 1, reason: 'x', stage: 'preflight', idempotencyKey: 'test/RDB-T1/failed' });
    await refusal(returnBody('RDB-T3', 'SO-RDB-T', [['TEA', 1]]));
    await db('returns').where({ return_no: 'RDB-T1' }).update({ status: 'CANCELLED' });
    expect((await create(returnBody('RDB-T3', 'SO-RDB-T', [['TEA', 3]]))).outcome).toBe('created');
    expect((await listReturnsOfOrder(db, 'SO-RDB-T')).map((r) => [r.returnNo, r.status, r.lines.map((l) => `${l.sku}×${l.quantity}`).join(',')])).toEqual([
      ['RDB-T1', 'CANCELLED', 'TEA×3'],
      ['RDB-T2', 'PUSHING', 'TEA×2,CUP×2'],
      ['RDB-T3', 'PUSHING', 'TEA×3'],
    ]);
  });

  it('returns of one order created at once never claim more than it shipped', async () => {
    await salesOrder(db, 'SO-RDB-P', [['TEA', 10, 10]]);
    const attempts = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => create(returnBody(`RDB-P${i}`, 'SO-RDB-P', [['TEA', 3]]))));
    const created = attempts.filter((a) => a.status === 'fulfilled');
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect((r.reason as UnprocessableError).details.errors).toEqual([{ field: 'lines.0.quantity', message: expect.stringContaining('available 1') }]);
    const claimed = await db('return_lines').join('returns', 'returns.return_no', 'return_lines.return_no').where('returns.order_no', 'SO-RDB-P').sum({ total: 'return_lines.quantity' });
    expect(Number(claimed[0]!.total)).toBe(9);
  });

  it('two concurrent creates of one return: one creates, the other is "same"', async () => {
    await salesOrder(db, 'SO-RDB-S', [['TEA', 2, 10]]);
    const body = returnBody('RDB-S1', 'SO-RDB-S', [['TEA', 2]]);
    const outcomes = await Promise.all([create(body), create(body)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'same']);
    expect(await db('return_lines').where({ return_no: 'RDB-S1' })).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- exchanges

describe('an exchange', () => {
  it('creates its replacement order in REVIEW through the sales-order code: the original warehouse, carrier and consignee, given or original prices, linked both ways', async () => {
    await salesOrder(db, 'SO-RDB-X1', [['TEA', 3, 59.9], ['CUP', 2, 12]]);
    const { outcome, ret } = await create(
      returnBody('RDB-X1', 'SO-RDB-X1', [['TEA', 1]], { type: 'EXCHANGE', warehouseCode: 'SH', replacementLines: [{ sku: 'TEA', quantity: 1 }, { sku: 'GIFT', quantity: 1, price: 0 }] }),
    );
    expect(outcome).toBe('created');
    expect(ret).toMatchObject({ type: 'EXCHANGE', warehouseCode: 'SH', replacementOrderNo: 'RDB-X1-EX' });
    const replacement = await getSalesOrder(db, 'RDB-X1-EX');
    expect(replacement).toMatchObject({
      orderNo: 'RDB-X1-EX',
      status: 'REVIEW',
      // The goods go out from where the original order went out, not where the return comes in.
      warehouseCode: 'BJ',
      carrierCode: 'JDEX',
      consignee: { ...CONSIGNEE, phone: null, town: null },
      lines: [
        { sku: 'TEA', quantity: 1, price: 59.9, shippedQuantity: null },
        { sku: 'GIFT', quantity: 1, price: 0, shippedQuantity: null },
      ],
      remark: '换货: 售后单 RDB-X1, 原订单 SO-RDB-X1',
      replacementFor: 'RDB-X1',
    });
    expect(await readOperationLog(db, 'sales_order', 'RDB-X1-EX')).toEqual([expect.objectContaining({ action: 'created', actorRole: 'erp', detail: expect.objectContaining({ replacementFor: 'RDB-X1' }) })]);
    expect((await getReturnDetail(db, 'RDB-X1')).replacementOrder).toEqual({ orderNo: 'RDB-X1-EX', status: 'REVIEW', statusLabel: '待审核' });
    expect((await getSalesOrder(db, 'SO-RDB-X1')).replacementFor).toBeNull();
    expect((await listSalesOrders(db, { status: 'REVIEW' }, { limit: 100, offset: 0 })).items.find((o) => o.orderNo === 'RDB-X1-EX')?.replacementFor).toBe('RDB-X1');

    // A repeat creates no second order.
    expect((await create(returnBody('RDB-X1', 'SO-RDB-X1', [['TEA', 1]], { type: 'EXCHANGE', warehouseCode: 'SH', replacementLines: [{ sku: 'TEA', quantity: 1 }, { sku: 'GIFT', quantity: 1, price: 0 }] }))).outcome).toBe('same');
  });

  it('refuses replacement SKUs that are unknown or have no price, and a replacement number already taken; nothing is created', async () => {
    await salesOrder(db, 'SO-RDB-X2', [['TEA', 3, 59.9]]);
    const body = returnBody('RDB-X2', 'SO-RDB-X2', [['TEA', 1]], { type: 'EXCHANGE', replacementLines: [{ sku: 'NOPE', quantity: 1, price: 1 }, { sku: 'CUP', quantity: 1 }] });
    expect(await refusal(body)).toEqual([
      { field: 'replacementLines.0.sku', message: 'SKU NOPE does not exist in master data' },
      { field: 'replacementLines.1.price', message: 'SKU CUP is not on sales order SO-RDB-X2: give the price it goes out at' },
    ]);
    await salesOrder(db, 'RDB-X3-EX', [['TEA', 1, 1]], 'REVIEW');
    expect(await refusal(returnBody('RDB-X3', 'SO-RDB-X2', [['TEA', 1]], { type: 'EXCHANGE', replacementLines: [{ sku: 'TEA', quantity: 1 }] }))).toEqual([
      { field: 'returnNo', message: 'sales order RDB-X3-EX already exists: the replacement order of this exchange needs that number' },
    ]);
    // The replacement number must itself be a valid order number.
    const long = `RDB-X4-${'L'.repeat(42)}`;
    expect(await refusal(returnBody(long, 'SO-RDB-X2', [['TEA', 1]], { type: 'EXCHANGE', replacementLines: [{ sku: 'TEA', quantity: 1 }] }))).toEqual([
      { field: 'returnNo', message: expect.stringMatching(/^the replacement order number .*-EX .*choose a shorter returnNo$/) },
    ]);
    expect(await db('returns').whereIn('return_no', ['RDB-X2', 'RDB-X3', long])).toEqual([]);
    expect(await db('sales_orders').whereIn('order_no', ['RDB-X2-EX', `${long}-EX`])).toEqual([]);
  });
});

// ---------------------------------------------------------------- read

describe('reading and listing', () => {
  it('the detail, the lists by filter, the workflow ID, the push material', async () => {
    await salesOrder(db, 'SO-RDB-L', [['TEA', 9, 10]]);
    await create(returnBody('RDB-L1', 'SO-RDB-L', [['TEA', 1]]));
    await create(returnBody('RDB-L2', 'SO-RDB-L', [['TEA', 1]], { type: 'EXCHANGE', warehouseCode: 'SH', replacementLines: [{ sku: 'TEA', quantity: 1 }] }));
    await setReturnWorkflowId(db, 'RDB-L1', 'RTN:RDB-L1:1');
    await expect(setReturnWorkflowId(db, 'RDB-NONE', 'x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(getReturn(db, 'RDB-NONE')).rejects.toBeInstanceOf(NotFoundError);
    await recordReturnAttention(db, { returnNo: 'RDB-L2', revision: 1, attention: 'look', detail: {}, idempotencyKey: 'test/RDB-L2/attention' });

    const detail = await getReturnDetail(db, 'RDB-L1');
    expect(detail).toMatchObject({ workflowId: 'RTN:RDB-L1:1', receipt: null, ledger: [], requests: [], replacementOrder: null, log: [expect.objectContaining({ action: 'created' })] });

    const page = { limit: 100, offset: 0 };
    const list = (filter: Parameters<typeof listReturns>[1]) => listReturns(db, { orderNo: 'SO-RDB-L', ...filter }, page).then((r) => r.items.map((i) => i.returnNo));
    expect(await list({})).toEqual(['RDB-L2', 'RDB-L1']);
    expect(await list({ type: 'EXCHANGE' })).toEqual(['RDB-L2']);
    expect(await list({ warehouseCode: 'BJ' })).toEqual(['RDB-L1']);
    expect(await list({ attention: true })).toEqual(['RDB-L2']);
    expect(await list({ attention: false })).toEqual(['RDB-L1']);
    expect(await list({ status: 'RECEIVED' })).toEqual([]);
    expect(await list({ createdFrom: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await list({ createdBefore: new Date(Date.now() + 60_000) })).toEqual(['RDB-L2', 'RDB-L1']);
    const total = await listReturns(db, { orderNo: 'SO-RDB-L' }, { limit: 1, offset: 1 });
    expect({ total: total.total, items: total.items.map((i) => i.returnNo) }).toEqual({ total: 2, items: ['RDB-L1'] });
    expect(total.items[0]).not.toHaveProperty('lines');

    expect(await listReturnsOfOrder(db, 'SO-RDB-L')).toEqual([
      { returnNo: 'RDB-L1', type: 'RETURN', status: 'PUSHING', statusLabel: '推送中', warehouseCode: 'BJ', replacementOrderNo: null, createdAt: expect.any(String), lines: [{ sku: 'TEA', quantity: 1, receivedQuantity: null }] },
      expect.objectContaining({ returnNo: 'RDB-L2', type: 'EXCHANGE', replacementOrderNo: 'RDB-L2-EX' }),
    ]);
    expect(await listReturnsOfOrder(db, 'SO-NONE')).toEqual([]);

    const material = await loadReturnPushMaterial(db, 'RDB-L2', 1);
    expect(material).toMatchObject({
      ret: { returnNo: 'RDB-L2' },
      order: { orderNo: 'SO-RDB-L', status: 'SHIPPED', eclpSoNo: 'ESLSORDBL' },
      warehouse: { code: 'SH', eclpConnected: true, jdWarehouseNo: '120000001' },
    });
    expect([...material!.goods]).toEqual([['TEA', { jdGoodsNo: 'EMG-TEA' }]]);
    expect(await loadReturnPushMaterial(db, 'RDB-L2', 2)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- transitions

describe('the saga\'s transitions', () => {
  it('pushed, then rejected by the warehouse with its reason; each once per key; a late or old write is refused', async () => {
    await salesOrder(db, 'SO-RDB-W', [['TEA', 9, 10]]);
    await create(returnBody('RDB-W1', 'SO-RDB-W', [['TEA', 1]]));
    const pushed = { returnNo: 'RDB-W1', revision: 1, eclpRtwNo: 'ERW1', isvRtwNum: 'RDB-W1-1', eclpSoNo: 'ESL1', jdWarehouseNo: '110000001', recovered: true, idempotencyKey: 'k/pushed' };
    await recordReturnPushed(db, pushed);
    await recordReturnPushed(db, pushed);
    expect(await getReturn(db, 'RDB-W1')).toMatchObject({ status: 'WAITING_INBOUND', statusLabel: '待入库', eclpRtwNo: 'ERW1', isvRtwNum: 'RDB-W1-1', eclpSoNo: 'ESL1', jdWarehouseNo: '110000001' });
    await expect(recordReturnPushed(db, { ...pushed, revision: 2, idempotencyKey: 'k/pushed2' })).rejects.toMatchObject({ reason: 'revision-superseded' });
    await expect(recordReturnFailed(db, { returnNo: 'RDB-W1', revision: 1, reason: 'late', stage: 'push_rejected', idempotencyKey: 'k/failed' })).rejects.toBeInstanceOf(ConflictError);

    await recordReturnEnded(db, { returnNo: 'RDB-W1', revision: 1, status: 'REJECTED', jdStatus: '600', reason: '包裹破损 整单拒收', idempotencyKey: 'k/ended' });
    await recordReturnEnded(db, { returnNo: 'RDB-W1', revision: 1, status: 'REJECTED', jdStatus: '600', reason: '包裹破损 整单拒收', idempotencyKey: 'k/ended' });
    expect(await getReturn(db, 'RDB-W1')).toMatchObject({ status: 'REJECTED', statusLabel: '拒收', jdStatus: '600', rejectReason: '包裹破损 整单拒收' });
    await recordReturnEvent(db, { returnNo: 'RDB-W1', revision: 1, action: 'webhook_failed', detail: { event: 'return.rejected' }, idempotencyKey: 'k/event' });
    await recordReturnEvent(db, { returnNo: 'RDB-W1', revision: 1, action: 'webhook_failed', detail: { event: 'return.rejected' }, idempotencyKey: 'k/event' });
    expect((await readOperationLog(db, 'RTN', 'RDB-W1')).map((l) => l.action)).toEqual(['created', 'pushed', 'rejected', 'webhook_failed']);
    expect((await readOperationLog(db, 'RTN', 'RDB-W1'))[1]!.detail).toMatchObject({ pushRevision: 1, eclpRtwNo: 'ERW1', recoveredAfterAmbiguousFailure: true });
  });

  it('FAILED with the stage; JD cancelling on its own; an attention item once per key, refused for another revision', async () => {
    await salesOrder(db, 'SO-RDB-F', [['TEA', 9, 10]]);
    await create(returnBody('RDB-F1', 'SO-RDB-F', [['TEA', 1]]));
    await recordReturnFailed(db, { returnNo: 'RDB-F1', revision: 1, reason: 'JD rejected the return: 1001', stage: 'push_rejected', jdCode: '1001', idempotencyKey: 'f/failed' });
    expect(await getReturn(db, 'RDB-F1')).toMatchObject({ status: 'FAILED', failureReason: 'JD rejected the return: 1001', failureStage: 'push_rejected' });
    expect((await readOperationLog(db, 'RTN', 'RDB-F1')).at(-1)).toMatchObject({ action: 'push_rejected', detail: { jdCode: '1001', stage: 'push_rejected' } });

    const ret = await pushedReturn(db, returnBody('RDB-F2', 'SO-RDB-F', [['TEA', 1]]));
    await recordReturnEnded(db, { returnNo: ret.returnNo, revision: 1, status: 'CANCELLED', jdStatus: '400', idempotencyKey: 'f/ended' });
    expect(await getReturn(db, 'RDB-F2')).toMatchObject({ status: 'CANCELLED', jdStatus: '400', rejectReason: null });
    expect((await readOperationLog(db, 'RTN', 'RDB-F2')).at(-1)).toMatchObject({ action: 'cancelled_at_jd' });

    await recordReturnAttention(db, { returnNo: 'RDB-F2', revision: 1, attention: 'do this', detail: { replacement: { action: 'attention' } }, idempotencyKey: 'f/att' });
    await recordReturnAttention(db, { returnNo: 'RDB-F2', revision: 1, attention: 'do this', detail: {}, idempotencyKey: 'f/att' });
    expect(await getReturn(db, 'RDB-F2')).toMatchObject({ attention: 'do this', attentionSince: expect.any(String) });
    expect((await readOperationLog(db, 'RTN', 'RDB-F2')).filter((l) => l.action === 'attention')).toEqual([expect.objectContaining({ detail: { pushRevision: 1, attention: 'do this', replacement: { action: 'attention' } } })]);
    await expect(recordReturnAttention(db, { returnNo: 'RDB-F2', revision: 2, attention: 'x', detail: {}, idempotencyKey: 'f/att2' })).rejects.toMatchObject({ reason: 'revision-superseded' });
  });
});

// ---------------------------------------------------------------- receipts

describe('the sales-return receipt', () => {
  async function ledgerAndReceipt(returnNo: string) {
    const detail = await getReturnDetail(db, returnNo);
    return { ledger: detail.ledger.map((e) => [e.sku, e.quantity]), receipt: detail.receipt?.lines.filter((l) => l.quantity > 0).map((l) => [l.sku, l.quantity]) };
  }

  it('books what JD received: one receipt, the lines\' received quantity and goods level, stock raised, RECEIVED, the remark', async () => {
    await salesOrder(db, 'SO-RDB-B1', [['TEA', 5, 10], ['CUP', 2, 5]]);
    await pushedReturn(db, returnBody('RDB-B1', 'SO-RDB-B1', [['TEA', 3], ['CUP', 2]], { warehouseCode: 'SH' }));
    const before = await stockBalances(db, { warehouseCode: 'SH' });
    const booked = await book('RDB-B1', received([['TEA', 3, '100'], ['CUP', 1, '200']]));
    expect(booked.bookedNow).toBe(true);
    expect(booked.receipt).toEqual({
      receiptNo: 'RDB-B1-R',
      pushRevision: 1,
      eclpRtwNo: eclpRtwNoOf('RDB-B1'),
      warehouseCode: 'SH',
      jdStatus: '200',
      receivedAt: expect.any(String),
      lines: [
        { sku: 'TEA', quantity: 3, goodsLevel: '100' },
        { sku: 'CUP', quantity: 1, goodsLevel: '200' },
      ],
    });
    expect(booked.ret).toMatchObject({
      status: 'RECEIVED',
      jdStatus: '200',
      lines: [
        { sku: 'TEA', quantity: 3, receivedQuantity: 3, shortQuantity: 0, goodsLevel: '100' },
        { sku: 'CUP', quantity: 2, receivedQuantity: 1, shortQuantity: 1, goodsLevel: '200' },
      ],
    });
    expect(await ledgerForDocument(db, 'RTN', 'RDB-B1')).toEqual([
      expect.objectContaining({ warehouseCode: 'SH', sku: 'CUP', quantity: 1, docType: 'RTN', docRevision: 1, entryNo: 0 }),
      expect.objectContaining({ warehouseCode: 'SH', sku: 'TEA', quantity: 3, docType: 'RTN', docRevision: 1, entryNo: 0 }),
    ]);
    const after = await stockBalances(db, { warehouseCode: 'SH' });
    const delta = (sku: string) => (after.find((b) => b.sku === sku)?.quantity ?? 0) - (before.find((b) => b.sku === sku)?.quantity ?? 0);
    expect([delta('TEA'), delta('CUP')]).toEqual([3, 1]);
    expect((await readOperationLog(db, 'RTN', 'RDB-B1')).at(-1)).toMatchObject({
      action: 'received',
      detail: { receiptNo: 'RDB-B1-R', short: [{ sku: 'CUP', quantity: 2, receivedQuantity: 1 }], remark: '销售退货入库 RDB-B1-R: TEA×3, CUP×1; 短少 CUP×1' },
    });
    // Received: the claim stays (the goods came back against this order).
    expect(await refusal(returnBody('RDB-B1b', 'SO-RDB-B1', [['CUP', 1]]))).toEqual([{ field: 'lines.0.quantity', message: expect.stringContaining('earlier returns claim 2, available 0') }]);
  });

  it('a repeat after a lost answer books nothing and answers the same receipt; JD goods not on the return are logged once, not booked', async () => {
    await salesOrder(db, 'SO-RDB-B2', [['TEA', 5, 10]]);
    await pushedReturn(db, returnBody('RDB-B2', 'SO-RDB-B2', [['TEA', 4]]));
    // JD reports the SKU by its goods number only, in two batches, plus goods the return does not list.
    const report = { kind: 'received' as const, jdStatus: '200', lines: [{ sku: '', goodsNo: 'EMG-TEA', plannedQty: 4, receivedQty: 2 }, { sku: 'TEA', goodsNo: 'EMG-TEA', plannedQty: 0, receivedQty: 1 }, { sku: 'POT', goodsNo: 'EMG-POT', plannedQty: 0, receivedQty: 1 }] };
    const first = await book('RDB-B2', report);
    const again = await book('RDB-B2', report);
    expect(again.bookedNow).toBe(false);
    expect(again.receipt).toEqual(first.receipt);
    expect(first.receipt.lines).toEqual([{ sku: 'TEA', quantity: 3, goodsLevel: null }]);
    expect(await ledgerAndReceipt('RDB-B2')).toEqual({ ledger: [['TEA', 3]], receipt: [['TEA', 3]] });
    const log = await readOperationLog(db, 'RTN', 'RDB-B2');
    expect(log.filter((l) => l.action === 'received')).toHaveLength(1);
    expect(log.filter((l) => l.action === 'jd_unexpected_goods')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ goods: [{ sku: 'POT', goodsNo: 'EMG-POT', jdReports: 1 }] }) })]);
  });

  it('attempts at once book once; nothing received is a receipt of zeros and no stock', async () => {
    await salesOrder(db, 'SO-RDB-B3', [['TEA', 5, 10]]);
    await pushedReturn(db, returnBody('RDB-B3', 'SO-RDB-B3', [['TEA', 4]]));
    const results = await Promise.all(Array.from({ length: 5 }, () => book('RDB-B3', received([['TEA', 4]]))));
    expect(results.filter((r) => r.bookedNow)).toHaveLength(1);
    expect(await ledgerAndReceipt('RDB-B3')).toEqual({ ledger: [['TEA', 4]], receipt: [['TEA', 4]] });

    await pushedReturn(db, returnBody('RDB-B4', 'SO-RDB-B3', [['TEA', 1]]));
    const none = await book('RDB-B4', received([]));
    expect(none.receipt.lines).toEqual([{ sku: 'TEA', quantity: 0, goodsLevel: null }]);
    expect(none.ret.lines[0]).toMatchObject({ receivedQuantity: 0, shortQuantity: 1 });
    expect(await ledgerForDocument(db, 'RTN', 'RDB-B4')).toEqual([]);
  });

  it('refuses another revision, a return not at JD, and a report about another JD return', async () => {
    await salesOrder(db, 'SO-RDB-B5', [['TEA', 5, 10]]);
    await pushedReturn(db, returnBody('RDB-B5', 'SO-RDB-B5', [['TEA', 1]]));
    await expect(book('RDB-B5', received([['TEA', 1]]), 2)).rejects.toMatchObject({ reason: 'revision-superseded' });
    await expect(bookReturnReceived(db, { returnNo: 'RDB-B5', revision: 1, outcome: { ...received([['TEA', 1]]), eclpRtwNo: 'ERWOTHER' } })).rejects.toMatchObject({ reason: 'jd-number-mismatch' });
    await create(returnBody('RDB-B6', 'SO-RDB-B5', [['TEA', 1]]));
    await expect(book('RDB-B6', received([['TEA', 1]]))).rejects.toMatchObject({ reason: 'status-moved-on' });
    await expect(book('RDB-NONE', received([]))).rejects.toBeInstanceOf(NotFoundError);
    expect(await db('sales_return_receipts').whereIn('return_no', ['RDB-B5', 'RDB-B6'])).toEqual([]);
  });

  it('the remark names what came back and what fell short', () => {
    expect(returnReceiptRemark('R-R', [{ sku: 'A', quantity: 2, receivedQuantity: 0 }])).toBe('销售退货入库 R-R: 无; 短少 A×2');
    expect(returnReceiptRemark('R-R', [{ sku: 'A', quantity: 2, receivedQuantity: 3 }])).toBe('销售退货入库 R-R: A×3');
  });
});

// ---------------------------------------------------------------- requests

describe('cancel requests', () => {
  it('pending as the API recorded it, withdrawn, then decided by the run with its status change, once', async () => {
    await salesOrder(db, 'SO-RDB-Q', [['TEA', 9, 10]]);
    await pushedReturn(db, returnBody('RDB-Q1', 'SO-RDB-Q', [['TEA', 1]]));
    const request = { requestId: 'rq-1', returnNo: 'RDB-Q1', revision: 1, kind: 'cancel' as const, reason: '客户撤回', actorRole: 'operator', source: 'api' as const };
    expect(await insertPendingReturnRequest(db, request)).toMatchObject({ requestId: 'rq-1', returnNo: 'RDB-Q1', verdict: null, source: 'api', actorRole: 'operator' });
    expect(await insertPendingReturnRequest(db, { ...request, returnNo: 'RDB-OTHER' })).toMatchObject({ returnNo: 'RDB-Q1' });
    expect(await findPendingReturnRequest(db, 'RDB-Q1')).toMatchObject({ requestId: 'rq-1' });
    await withdrawPendingReturnRequest(db, 'rq-1');
    expect(await findReturnRequest(db, 'rq-1')).toBeUndefined();

    await insertPendingReturnRequest(db, request);
    const refused = { returnNo: 'RDB-Q1', revision: 1, request: { ...request, statusAtRequest: 'WAITING_INBOUND' as const }, verdict: 'REFUSED_BY_JD' as const, status: 'WAITING_INBOUND' as const, from: 'WAITING_INBOUND' as const, jdMessage: '已入库中, 不能取消', idempotencyKey: 'q/1' };
    await recordReturnRequestDecision(db, refused);
    expect(await findReturnRequest(db, 'rq-1')).toMatchObject({ verdict: 'REFUSED_BY_JD', resultingStatus: 'WAITING_INBOUND', jdMessage: '已入库中, 不能取消', decidedAt: expect.any(String) });
    expect((await getReturn(db, 'RDB-Q1')).status).toBe('WAITING_INBOUND');

    // From the Temporal UI (no API record), accepted: CANCELLED; repeated with the same key, written once.
    const ui = { ...refused, request: { ...refused.request, requestId: 'ui-1', source: 'temporal' as const, actorRole: 'admin' }, verdict: 'CANCELLED_AT_JD' as const, status: 'CANCELLED' as const, idempotencyKey: 'q/2' };
    await recordReturnRequestDecision(db, ui);
    await recordReturnRequestDecision(db, ui);
    expect(await getReturn(db, 'RDB-Q1')).toMatchObject({ status: 'CANCELLED' });
    expect(await findReturnRequest(db, 'ui-1')).toMatchObject({ verdict: 'CANCELLED_AT_JD', source: 'temporal', actorRole: 'operator' });
    expect((await getReturnDetail(db, 'RDB-Q1')).requests.map((r) => r.requestId)).toEqual(['rq-1', 'ui-1']);
    expect((await readOperationLog(db, 'RTN', 'RDB-Q1')).filter((l) => l.action === 'cancel').map((l) => l.detail?.verdict)).toEqual(['REFUSED_BY_JD', 'CANCELLED_AT_JD']);
  });

  it('a return that ended while the run decided keeps its end, and the verdict says so; another revision is refused', async () => {
    await salesOrder(db, 'SO-RDB-Q2', [['TEA', 9, 10]]);
    await pushedReturn(db, returnBody('RDB-Q2', 'SO-RDB-Q2', [['TEA', 1]]));
    await book('RDB-Q2', received([['TEA', 1]]));
    const request = { requestId: 'rq-2', kind: 'cancel' as const, actorRole: 'operator', source: 'api' as const, statusAtRequest: 'WAITING_INBOUND' as const };
    await recordReturnRequestDecision(db, { returnNo: 'RDB-Q2', revision: 1, request, verdict: 'CANCELLED_AT_JD', status: 'CANCELLED', from: 'WAITING_INBOUND', idempotencyKey: 'q2/1' });
    expect(await getReturn(db, 'RDB-Q2')).toMatchObject({ status: 'RECEIVED' });
    expect(await findReturnRequest(db, 'rq-2')).toMatchObject({ verdict: 'ALREADY_RECEIVED', resultingStatus: 'RECEIVED' });
    await expect(recordReturnRequestDecision(db, { returnNo: 'RDB-Q2', revision: 2, request: { ...request, requestId: 'rq-3' }, verdict: 'CANCELLED_AT_JD', status: 'CANCELLED', idempotencyKey: 'q2/2' })).rejects.toMatchObject({
      reason: 'revision-superseded',
    });
  });
});
