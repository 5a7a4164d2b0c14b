// The returns API (issue 11 §1) against the real stack: create (idempotent on returnNo; refused with 422
// naming the line against the original order; an exchange gets its replacement order in REVIEW; the push
// starts at once), reads and lists, the sales order's view of its returns, the operator's cancel (routed
// by the return's state, signalled to the run, answered with its verdict or 202), and what a Temporal
// outage leaves behind. The saga itself is tested in test/return-order-saga.test.ts: the API here starts
// its runs on a task queue no worker polls, so a return's state is the test's to set and every signal the
// API sends can be read back from the run's history.
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import type { createApp } from '../../api/app';
import { returnApiConfigFromEnv } from '../../api/config';
import { bookInbound } from '../../db/stock-ledger';
import type { ReturnVerdict } from '../../domain/return-order';
import type { ReturnStatus } from '../../domain/statuses';
import { WORKFLOW_TYPES, workflowIds } from '../../messages/ids';
import { DocStatus, DocType, ErpDocNo, WarehouseNo } from '../../messages/search-attributes';
import { startTestStack, type TestStack } from '../helpers/stack';
import { auth, CONSIGNEE, eventually, expectProblem, expectUnavailable, signalsIn, sleep } from '../support';

/** Short, so the 202 answers come quickly; the verdict tests write their verdict well within it. */
const CANCEL_WAIT_MS = 1_500;

let stack: TestStack;
/** The API on a queue pair no worker polls: the runs it starts take signals and stay where the test puts them. */
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  stack = await startTestStack({ env: { CANCEL_WAIT_MS: String(CANCEL_WAIT_MS) } });
  app = stack.idleApi();
  const put = (url: string, body: object) => request(app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  await put('/v1/warehouses/LOCAL', { name: '本地仓', eclpConnected: false });
  await put('/v1/carriers/JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await put('/v1/goods/RTN-API-A', { name: '龙井', barcodes: ['6950000031001'], categoryCode: 'OTHER' });
  await put('/v1/goods/RTN-API-B', { name: '碧螺春', barcodes: ['6950000031002'], categoryCode: 'OTHER' });
  await put('/v1/goods/RTN-API-C', { name: '茶杯', barcodes: ['6950000031003'], categoryCode: 'OTHER' });
  // The order most returns here are made against: plenty shipped, so that the returns never run out.
  await shippedOrder('RTN-API-SO', { A: 1000, B: 1000 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const SKU = { A: 'RTN-API-A', B: 'RTN-API-B', C: 'RTN-API-C' } as const;

/** A sales order as the sales-order saga leaves it once JD shipped it: SHIPPED, JD's number, shipped quantities. */
async function shippedOrder(orderNo: string, shipped: Partial<Record<'A' | 'B', number>>, ordered: Partial<Record<'A' | 'B', number>> = shipped): Promise<void> {
  const lines = Object.entries(ordered).map(([k, quantity]) => ({ sku: SKU[k as 'A' | 'B'], quantity, price: k === 'A' ? 59.9 : 12 }));
  await request(app)
    .post('/v1/sales-orders')
    .set(auth('erp'))
    .send({ orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines })
    .expect(201);
  await stack.db('sales_orders').where({ order_no: orderNo }).update({ status: 'SHIPPED', eclp_so_no: `ESL${orderNo.replace(/\D/g, '').padStart(13, '0')}`, shipped_at: stack.db.fn.now() });
  for (const [k, quantity] of Object.entries(shipped)) {
    await stack.db('sales_order_lines').where({ order_no: orderNo, sku: SKU[k as 'A' | 'B'] }).update({ shipped_quantity: quantity, short_quantity: (ordered[k as 'A' | 'B'] ?? quantity) - quantity });
  }
}

const returnBody = (returnNo: string, over: Record<string, unknown> = {}) => ({
  returnNo,
  orderNo: 'RTN-API-SO',
  type: 'RETURN',
  warehouseCode: 'BJ',
  reason: '七天无理由退货',
  lines: [{ sku: SKU.A, quantity: 1 }],
  ...over,
});

const create = (returnNo: string, over: Record<string, unknown> = {}, on = app) => request(on).post('/v1/returns').set(auth('erp')).send(returnBody(returnNo, over));

/** A return created through the API (its run waiting on the idle queue) and moved to `status` as the saga would have. */
async function returnIn(returnNo: string, status: ReturnStatus, set: Record<string, unknown> = {}): Promise<string> {
  const res = await create(returnNo).expect(202);
  await stack.db('returns').where({ return_no: returnNo }).update({ status, ...set });
  return res.body.workflowId as string;
}

const signalsOf = async (workflowId: string) => signalsIn(await stack.client.workflow.getHandle(workflowId).fetchHistory());

/** What the run writes when it decides a cancel (db/returns recordReturnRequestDecision, reduced to the row). */
const decide = (requestId: string, verdict: ReturnVerdict, resultingStatus: ReturnStatus, jdMessage?: string) =>
  stack.db('return_requests').where({ request_id: requestId }).update({ verdict, resulting_status: resultingStatus, jd_message: jdMessage ?? null, decided_at: stack.db.fn.now() });

const requests = (returnNo: string) => stack.db('return_requests').where({ return_no: returnNo }).orderBy('requested_at');

const fieldsOf = (res: request.Response) => (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();

describe('configuration', () => {
  it('returns poll at the sales-order interval and are overdue after 30 days', () => {
    expect(returnApiConfigFromEnv({})).toEqual({ pollIntervalMs: 300_000, pollMaxWaitMs: 30 * 24 * 3600_000, cancelWaitMs: 10_000 });
    expect(returnApiConfigFromEnv({ SO_POLL_INTERVAL_MS: '2000', RTN_POLL_MAX_WAIT_MS: '86400000', CANCEL_WAIT_MS: '500' })).toEqual({ pollIntervalMs: 2_000, pollMaxWaitMs: 86_400_000, cancelWaitMs: 500 });
    expect(() => returnApiConfigFromEnv({ RTN_POLL_MAX_WAIT_MS: '30d' })).toThrow(/RTN_POLL_MAX_WAIT_MS/);
  });
});

describe('POST /v1/returns', () => {
  it('a return: 202, stored PUSHING with its workflow id, the run started with its search attributes; the same body again starts nothing new', async () => {
    const res = await create('RTN-API-1', { lines: [{ sku: SKU.A, quantity: 2 }, { sku: SKU.B, quantity: 1 }] });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/returns/RTN-API-1');
    const workflowId = workflowIds.returnOrder('RTN-API-1', 1);
    expect(res.body).toMatchObject({
      returnNo: 'RTN-API-1',
      orderNo: 'RTN-API-SO',
      type: 'RETURN',
      warehouseCode: 'BJ',
      status: 'PUSHING',
      statusLabel: '推送中',
      pushRevision: 1,
      workflowId,
      replacementOrderNo: null,
      lines: [
        { sku: SKU.A, quantity: 2, receivedQuantity: null },
        { sku: SKU.B, quantity: 1, receivedQuantity: null },
      ],
    });
    expect(await stack.db('returns').where({ return_no: 'RTN-API-1' }).first()).toMatchObject({ workflow_id: workflowId, status: 'PUSHING' });

    const handle = stack.client.workflow.getHandle(workflowId);
    const described = await handle.describe();
    expect(described.type).toBe(WORKFLOW_TYPES.returnOrder);
    expect(described.taskQueue).toBe(stack.idleQueues.erp);
    expect(described.typedSearchAttributes.get(DocType)).toBe('RTN');
    expect(described.typedSearchAttributes.get(ErpDocNo)).toBe('RTN-API-1');
    expect(described.typedSearchAttributes.get(WarehouseNo)).toBe('110000001');
    expect(described.typedSearchAttributes.get(DocStatus)).toBe('PUSHING');
    // Polled at the interval the API is configured with (the tests' SO_POLL_INTERVAL_MS), overdue after 30 days.
    const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(defaultPayloadConverter.fromPayload(started!)).toEqual({ returnNo: 'RTN-API-1', revision: 1, polling: { intervalMs: 300, maxWaitMs: 30 * 24 * 3600_000 } });

    // Keys in another order are the same body.
    const { reason, ...rest } = returnBody('RTN-API-1', { lines: [{ sku: SKU.A, quantity: 2 }, { sku: SKU.B, quantity: 1 }] });
    const again = await request(app).post('/v1/returns').set(auth('erp')).send({ reason, ...rest });
    expect(again.status).toBe(200);
    expect(again.headers.location).toBeUndefined();
    expect(again.body).toMatchObject({ returnNo: 'RTN-API-1', workflowId, status: 'PUSHING' });
    const { count } = await stack.client.workflow.count(`WorkflowId = "${workflowId}"`);
    expect(count).toBeLessThanOrEqual(1);
    const detail = await request(app).get('/v1/returns/RTN-API-1').set(auth('erp')).expect(200);
    expect(detail.body.log.filter((e: { action: string }) => e.action === 'created')).toHaveLength(1);
  });

  it('another body under the same returnNo is a 409 with the current state, and changes nothing', async () => {
    await create('RTN-API-IDEM').expect(202);
    const other = await create('RTN-API-IDEM', { reason: '尺码不合适' });
    expectProblem(other, 409, 'return-exists');
    expect(other.body).toMatchObject({ currentStatus: 'PUSHING', workflowId: workflowIds.returnOrder('RTN-API-IDEM', 1) });
    expect((await stack.db('returns').where({ return_no: 'RTN-API-IDEM' }).first())?.reason).toBe('七天无理由退货');
  });

  it('an exchange: 202 with its replacement order in REVIEW, linked both ways; the original order lists its returns', async () => {
    await shippedOrder('RTN-API-SO-EX', { A: 3, B: 2 });
    const res = await create('RTN-API-EX-1', {
      orderNo: 'RTN-API-SO-EX',
      type: 'EXCHANGE',
      reason: '换货：包装破损',
      lines: [{ sku: SKU.A, quantity: 1 }],
      replacementLines: [{ sku: SKU.A, quantity: 1 }, { sku: SKU.C, quantity: 2, price: 8.5 }],
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ type: 'EXCHANGE', status: 'PUSHING', replacementOrderNo: 'RTN-API-EX-1-EX', workflowId: workflowIds.returnOrder('RTN-API-EX-1', 1) });

    const replacement = await request(app).get('/v1/sales-orders/RTN-API-EX-1-EX').set(auth('operator')).expect(200);
    expect(replacement.body).toMatchObject({
      orderNo: 'RTN-API-EX-1-EX',
      status: 'REVIEW',
      replacementFor: 'RTN-API-EX-1',
      warehouseCode: 'BJ',
      carrierCode: 'JDEX',
      consignee: expect.objectContaining({ name: '王小明', address: '建国路88号' }),
      lines: [expect.objectContaining({ sku: SKU.A, quantity: 1, price: 59.9 }), expect.objectContaining({ sku: SKU.C, quantity: 2, price: 8.5 })],
      returns: [],
    });
    // No run for the replacement until the operator approves it.
    await expect(stack.client.workflow.getHandle(workflowIds.salesOrder('RTN-API-EX-1-EX', 1)).describe()).rejects.toThrow(/not found/i);

    const original = await request(app).get('/v1/sales-orders/RTN-API-SO-EX').set(auth('erp')).expect(200);
    expect(original.body).toMatchObject({ replacementFor: null, returns: [expect.objectContaining({ returnNo: 'RTN-API-EX-1', type: 'EXCHANGE', status: 'PUSHING', replacementOrderNo: 'RTN-API-EX-1-EX', lines: [{ sku: SKU.A, quantity: 1, receivedQuantity: null }] })] });

    const detail = await request(app).get('/v1/returns/RTN-API-EX-1').set(auth('operator')).expect(200);
    expect(detail.body.replacementOrder).toEqual({ orderNo: 'RTN-API-EX-1-EX', status: 'REVIEW', statusLabel: expect.any(String) });
  });

  it('refuses with 422 naming the line: an order not shipped, a SKU not on it, more than it shipped, a warehouse JD does not run', async () => {
    await shippedOrder('RTN-API-SO-422', { A: 2 }, { A: 3 });
    await request(app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send({ orderNo: 'RTN-API-SO-OPEN', warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: SKU.A, quantity: 1, price: 1 }] })
      .expect(201);

    const notShipped = await create('RTN-API-422-1', { orderNo: 'RTN-API-SO-OPEN' });
    expectProblem(notShipped, 422);
    expect(fieldsOf(notShipped)).toEqual(['orderNo']);
    expectProblem(await create('RTN-API-422-2', { orderNo: 'RTN-API-SO-NONE' }), 422);

    const notOnOrder = await create('RTN-API-422-3', { orderNo: 'RTN-API-SO-422', lines: [{ sku: SKU.A, quantity: 1 }, { sku: SKU.B, quantity: 1 }] });
    expectProblem(notOnOrder, 422);
    expect(fieldsOf(notOnOrder)).toEqual(['lines.1.sku']);

    // JD shipped 2 of the 3 ordered: what was shipped is what can come back.
    const tooMany = await create('RTN-API-422-4', { orderNo: 'RTN-API-SO-422', lines: [{ sku: SKU.A, quantity: 3 }] });
    expectProblem(tooMany, 422);
    expect(tooMany.body.errors).toEqual([{ field: 'lines.0.quantity', message: expect.stringMatching(/2/) }]);

    const local = await create('RTN-API-422-5', { orderNo: 'RTN-API-SO-422', warehouseCode: 'LOCAL' });
    expectProblem(local, 422);
    expect(fieldsOf(local)).toEqual(['warehouseCode']);

    const unknownReplacement = await create('RTN-API-422-6', { orderNo: 'RTN-API-SO-422', type: 'EXCHANGE', replacementLines: [{ sku: 'RTN-API-NOPE', quantity: 1, price: 1 }, { sku: SKU.C, quantity: 1 }] });
    expectProblem(unknownReplacement, 422);
    expect(fieldsOf(unknownReplacement)).toEqual(['replacementLines.0.sku', 'replacementLines.1.price']);

    const refused = ['RTN-API-422-1', 'RTN-API-422-2', 'RTN-API-422-3', 'RTN-API-422-4', 'RTN-API-422-5', 'RTN-API-422-6'];
    expect(await stack.db('returns').whereIn('return_no', refused)).toEqual([]);
    expect(await stack.db('sales_orders').where({ order_no: 'RTN-API-422-6-EX' }).first()).toBeUndefined();
  });

  it('counts earlier returns of the order: a partial return leaves only the rest; a cancelled one gives its quantity back', async () => {
    await shippedOrder('RTN-API-SO-PART', { A: 3 });
    const order = { orderNo: 'RTN-API-SO-PART' };
    await create('RTN-API-PART-1', { ...order, lines: [{ sku: SKU.A, quantity: 2 }] }).expect(202);
    const over = await create('RTN-API-PART-2', { ...order, lines: [{ sku: SKU.A, quantity: 2 }] });
    expectProblem(over, 422);
    expect(over.body.errors).toEqual([{ field: 'lines.0.quantity', message: expect.stringMatching(/1/) }]);
    await create('RTN-API-PART-2', { ...order, lines: [{ sku: SKU.A, quantity: 1 }] }).expect(202);
    expectProblem(await create('RTN-API-PART-3', { ...order, lines: [{ sku: SKU.A, quantity: 1 }] }), 422);

    await stack.db('returns').where({ return_no: 'RTN-API-PART-1' }).update({ status: 'CANCELLED' });
    await create('RTN-API-PART-3', { ...order, lines: [{ sku: SKU.A, quantity: 2 }] }).expect(202);
    const listed = await request(app).get('/v1/sales-orders/RTN-API-SO-PART').set(auth('erp')).expect(200);
    expect(listed.body.returns.map((r: { returnNo: string; status: string }) => [r.returnNo, r.status])).toEqual([
      ['RTN-API-PART-1', 'CANCELLED'],
      ['RTN-API-PART-2', 'PUSHING'],
      ['RTN-API-PART-3', 'PUSHING'],
    ]);
  });

  it('refuses bad bodies with 400 naming each field, before anything is written', async () => {
    // An exchange without replacement lines is well-formed: the create refuses it as a business rule (422).
    const exchange = await create('RTN-API-BAD-1', { type: 'EXCHANGE' });
    expectProblem(exchange, 422);
    expect(fieldsOf(exchange)).toEqual(['replacementLines']);
    const returnWithReplacement = await create('RTN-API-BAD-2', { replacementLines: [{ sku: SKU.C, quantity: 1 }] });
    expect(fieldsOf(returnWithReplacement)).toEqual(['replacementLines']);
    const res = await create('RTN-API-BAD-3', { type: 'SWAP', lines: [{ sku: SKU.A, quantity: 0 }, { sku: SKU.A, quantity: 1 }], colour: 'red' });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['colour', 'lines', 'lines.0.quantity', 'type']));
    expect(await stack.db('returns').whereIn('return_no', ['RTN-API-BAD-1', 'RTN-API-BAD-2', 'RTN-API-BAD-3'])).toEqual([]);
  });

  it('roles: the ERP creates; an operator may not', async () => {
    expectProblem(await request(app).post('/v1/returns').set(auth('operator')).send(returnBody('RTN-API-ROLE')), 403);
    expectProblem(await request(app).post('/v1/returns').send(returnBody('RTN-API-ROLE')), 401);
  });
});

describe('GET /v1/returns/{returnNo} and the list', () => {
  it('shows the lines with what JD received, the receipt, the ledger, the requests and the log', async () => {
    await returnIn('RTN-API-READ', 'RECEIVED', { eclp_rtw_no: 'ERW0000000000900', isv_rtw_num: 'RTN-API-READ-1', jd_status: '200' });
    await stack.db('return_lines').where({ return_no: 'RTN-API-READ' }).update({ received_quantity: 1, goods_level: '200' });
    await stack.db('sales_return_receipts').insert({ receipt_no: 'RTN-API-READ-R', return_no: 'RTN-API-READ', push_revision: 1, eclp_rtw_no: 'ERW0000000000900', warehouse_code: 'BJ', jd_status: '200' });
    await stack.db('sales_return_receipt_lines').insert({ receipt_no: 'RTN-API-READ-R', sku: SKU.A, quantity: 1, goods_level: '200' });
    await bookInbound(stack.db, { warehouseCode: 'BJ', docType: 'RTN', docNo: 'RTN-API-READ', docRevision: 1, lines: [{ sku: SKU.A, quantity: 1 }] });

    const res = await request(app).get('/v1/returns/RTN-API-READ').set(auth('operator'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      returnNo: 'RTN-API-READ',
      status: 'RECEIVED',
      statusLabel: '已入库',
      eclpRtwNo: 'ERW0000000000900',
      isvRtwNum: 'RTN-API-READ-1',
      lines: [{ sku: SKU.A, quantity: 1, receivedQuantity: 1, shortQuantity: 0, goodsLevel: '200' }],
      receipt: { receiptNo: 'RTN-API-READ-R', eclpRtwNo: 'ERW0000000000900', lines: [{ sku: SKU.A, quantity: 1, goodsLevel: '200' }] },
      ledger: [expect.objectContaining({ warehouseCode: 'BJ', sku: SKU.A, quantity: 1, docType: 'RTN', docNo: 'RTN-API-READ' })],
      requests: [],
      replacementOrder: null,
      attention: null,
    });
    expect(res.body.log.map((e: { action: string }) => e.action)).toContain('created');
    expect((await request(app).get('/v1/returns/RTN-API-READ').set(auth('erp'))).status).toBe(200);
    expectProblem(await request(app).get('/v1/returns/RTN-API-READ'), 401);
  });

  it('answers 404 problem+json for an unknown return', async () => {
    expectProblem(await request(app).get('/v1/returns/RTN-API-NONE').set(auth('erp')), 404);
  });

  it('lists newest first with filters by status, type, order, warehouse, attention and creation time, paged', async () => {
    const from = new Date().toISOString();
    await shippedOrder('RTN-API-SO-LIST', { A: 10, B: 10 });
    const order = { orderNo: 'RTN-API-SO-LIST' };
    await create('RTN-API-LIST-1', order).expect(202);
    await create('RTN-API-LIST-2', { ...order, type: 'EXCHANGE', replacementLines: [{ sku: SKU.B, quantity: 1 }] }).expect(202);
    await create('RTN-API-LIST-3', order).expect(202);
    await stack.db('returns').where({ return_no: 'RTN-API-LIST-3' }).update({ status: 'WAITING_INBOUND' });
    await stack.db('returns').where({ return_no: 'RTN-API-LIST-2' }).update({ status: 'REJECTED', attention: '换货单已发货，请联系客户', attention_since: stack.db.fn.now() });
    const list = async (query: string) => (await request(app).get(`/v1/returns?createdFrom=${encodeURIComponent(from)}&${query}`).set(auth('operator')).expect(200)).body;
    const numbers = (page: { items: Array<{ returnNo: string }> }) => page.items.map((r) => r.returnNo);

    expect(numbers(await list(''))).toEqual(['RTN-API-LIST-3', 'RTN-API-LIST-2', 'RTN-API-LIST-1']);
    expect(numbers(await list('status=WAITING_INBOUND'))).toEqual(['RTN-API-LIST-3']);
    expect(numbers(await list('type=EXCHANGE'))).toEqual(['RTN-API-LIST-2']);
    expect(numbers(await list('attention=true'))).toEqual(['RTN-API-LIST-2']);
    expect(numbers(await list('attention=false'))).toEqual(['RTN-API-LIST-3', 'RTN-API-LIST-1']);
    expect(numbers(await list('order=RTN-API-SO-LIST&warehouse=BJ'))).toEqual(['RTN-API-LIST-3', 'RTN-API-LIST-2', 'RTN-API-LIST-1']);
    expect(numbers(await list('order=RTN-API-SO'))).toEqual([]);
    expect(numbers(await list('warehouse=LOCAL'))).toEqual([]);
    expect(numbers(await list(`createdBefore=${encodeURIComponent(from)}`))).toEqual([]);
    const page = await list('limit=2&offset=2');
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(numbers(page)).toEqual(['RTN-API-LIST-1']);
    expect(page.items[0]).not.toHaveProperty('lines');

    const bad = await request(app).get('/v1/returns?status=SHIPPED&type=SWAP&attention=yes&createdFrom=yesterday').set(auth('erp'));
    expectProblem(bad, 400);
    expect(fieldsOf(bad)).toEqual(['query.attention', 'query.createdFrom', 'query.status', 'query.type']);
  });
});

describe('POST /v1/returns/{returnNo}/cancel', () => {
  it.each([
    ['RECEIVED', 'already-received'],
    ['REJECTED', 'already-rejected'],
    ['CANCELLED', 'already-cancelled'],
  ] as const)('a return %s: 409 %s with the current state, and nothing recorded or signalled', async (status, reason) => {
    const returnNo = `RTN-API-C-${status}`;
    const workflowId = await returnIn(returnNo, status);
    const res = await request(app).post(`/v1/returns/${returnNo}/cancel`).set(auth('operator')).send({ reason: '客户撤销售后' });
    expectProblem(res, 409, reason);
    expect(res.body).toMatchObject({ currentStatus: status, requestId: expect.any(String) });
    expect(await requests(returnNo)).toEqual([]);
    expect(await signalsOf(workflowId)).toEqual([]);
  });

  it('recorded as pending, signalled to the run (cancelReturn, with actor and request id), then 202 with Location while undecided', async () => {
    const workflowId = await returnIn('RTN-API-CANCEL-1', 'WAITING_INBOUND', { eclp_rtw_no: 'ERW0000000000901' });
    const res = await request(app).post('/v1/returns/RTN-API-CANCEL-1/cancel').set(auth('operator')).send({ reason: '客户撤销售后', requestId: 'rtn-api-cancel-1' });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/returns/RTN-API-CANCEL-1');
    expect(res.body).toMatchObject({ requestId: 'rtn-api-cancel-1', returnNo: 'RTN-API-CANCEL-1', kind: 'cancel', verdict: null });
    expect(await requests('RTN-API-CANCEL-1')).toEqual([
      expect.objectContaining({ request_id: 'rtn-api-cancel-1', kind: 'cancel', reason: '客户撤销售后', actor_role: 'operator', source: 'api', push_revision: 1, verdict: null }),
    ]);
    expect(await signalsOf(workflowId)).toEqual([{ name: 'cancelReturn', payload: { reason: '客户撤销售后', actor: { role: 'operator' }, requestId: 'rtn-api-cancel-1', via: 'api' } }]);

    // The run decides; the same request again answers the verdict from the record and signals nothing.
    await decide('rtn-api-cancel-1', 'CANCELLED_AT_JD', 'CANCELLED');
    const again = await request(app).post('/v1/returns/RTN-API-CANCEL-1/cancel').set(auth('operator')).send({ reason: '客户撤销售后', requestId: 'rtn-api-cancel-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      requestId: 'rtn-api-cancel-1',
      verdict: 'CANCELLED_AT_JD',
      status: 'CANCELLED',
      statusLabel: '已取消',
      message: expect.stringContaining('ERW0000000000901'),
      returnUrl: '/v1/returns/RTN-API-CANCEL-1',
    });
    expect(await signalsOf(workflowId)).toHaveLength(1);
    const detail = await request(app).get('/v1/returns/RTN-API-CANCEL-1').set(auth('erp')).expect(200);
    expect(detail.body.requests).toEqual([expect.objectContaining({ requestId: 'rtn-api-cancel-1', verdict: 'CANCELLED_AT_JD', source: 'api' })]);
  });

  it('answers the verdict the run writes while the caller waits (200); a FAILED return is cancelled in the ERP', async () => {
    const workflowId = await returnIn('RTN-API-CANCEL-2', 'FAILED', { failure_reason: 'JD rejected the return', failure_stage: 'push_rejected' });
    const answer = request(app).post('/v1/returns/RTN-API-CANCEL-2/cancel').set(auth('operator')).send({ reason: '推送失败，关闭售后', requestId: 'rtn-api-cancel-2' }).then((r) => r);
    await eventually(async () => (await requests('RTN-API-CANCEL-2')).length === 1, { what: 'the pending cancel' });
    await sleep(200);
    await decide('rtn-api-cancel-2', 'CANCELLED_IN_ERP', 'CANCELLED');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'cancel', verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED', message: expect.stringContaining('without asking JD') });
    expect((await signalsOf(workflowId)).map((s) => s.name)).toEqual(['cancelReturn']);
  });

  it("JD's refusal is a 200 carrying JD's words; a return received meanwhile is a 409", async () => {
    await returnIn('RTN-API-REFUSED', 'WAITING_INBOUND');
    await request(app).post('/v1/returns/RTN-API-REFUSED/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'rtn-api-refused' }).expect(202);
    await decide('rtn-api-refused', 'REFUSED_BY_JD', 'WAITING_INBOUND', '退货单已收货，不能取消');
    const refused = await request(app).post('/v1/returns/RTN-API-REFUSED/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'rtn-api-refused' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ verdict: 'REFUSED_BY_JD', status: 'WAITING_INBOUND', jdMessage: '退货单已收货，不能取消', message: expect.stringContaining('退货单已收货') });

    await returnIn('RTN-API-LATE', 'WAITING_INBOUND');
    await request(app).post('/v1/returns/RTN-API-LATE/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'rtn-api-late' }).expect(202);
    await decide('rtn-api-late', 'ALREADY_RECEIVED', 'RECEIVED');
    await stack.db('returns').where({ return_no: 'RTN-API-LATE' }).update({ status: 'RECEIVED' });
    const late = await request(app).post('/v1/returns/RTN-API-LATE/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'rtn-api-late' });
    expectProblem(late, 409, 'already-received');
    expect(late.body).toMatchObject({ verdict: 'ALREADY_RECEIVED', requestId: 'rtn-api-late', currentStatus: 'RECEIVED' });
  });

  it('a cancel while the push is still running is handed to the run (it waits until JD holds the return)', async () => {
    const workflowId = await returnIn('RTN-API-PUSHING', 'PUSHING');
    const res = await request(app).post('/v1/returns/RTN-API-PUSHING/cancel').set(auth('operator')).send({ reason: '客户撤销' });
    expect(res.status).toBe(202);
    expect(await signalsOf(workflowId)).toEqual([expect.objectContaining({ name: 'cancelReturn' })]);
  });

  it('a request id belongs to one return: used again for another it is a 409', async () => {
    await returnIn('RTN-API-ID-1', 'WAITING_INBOUND');
    await returnIn('RTN-API-ID-2', 'WAITING_INBOUND');
    await request(app).post('/v1/returns/RTN-API-ID-1/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'rtn-api-shared-id' }).expect(202);
    expectProblem(await request(app).post('/v1/returns/RTN-API-ID-2/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'rtn-api-shared-id' }), 409, 'request-id-reused');
    expect(await requests('RTN-API-ID-2')).toEqual([]);
  });

  it('a run that is not running: the pending record is withdrawn and the answer is a 409 naming it', async () => {
    const workflowId = await returnIn('RTN-API-GONE', 'WAITING_INBOUND');
    await stack.client.workflow.getHandle(workflowId).terminate('gone for the test');
    const res = await request(app).post('/v1/returns/RTN-API-GONE/cancel').set(auth('operator')).send({ reason: '取消' });
    expectProblem(res, 409, 'workflow-not-running');
    expect(res.body.detail).toContain(workflowId);
    expect(await requests('RTN-API-GONE')).toEqual([]);
  });

  it('validates the body, naming each field; only the operator (and admin) may ask; an unknown return is a 404', async () => {
    await returnIn('RTN-API-ROLES', 'WAITING_INBOUND');
    const bad = await request(app).post('/v1/returns/RTN-API-ROLES/cancel').set(auth('operator')).send({ reason: '', requestId: 'has spaces', colour: 'red' });
    expectProblem(bad, 400);
    expect(fieldsOf(bad)).toEqual(['colour', 'reason', 'requestId']);
    expectProblem(await request(app).post('/v1/returns/RTN-API-ROLES/cancel').set(auth('erp')).send({ reason: '取消' }), 403);
    expect((await request(app).post('/v1/returns/RTN-API-ROLES/cancel').set(auth('admin')).send({ reason: '取消' })).status).toBe(202);
    expectProblem(await request(app).post('/v1/returns/RTN-API-NONE/cancel').set(auth('operator')).send({ reason: '取消' }), 404);
  });
});

describe('with Temporal unreachable', () => {
  let down: ReturnType<typeof createApp>;
  beforeAll(() => {
    down = stack.apiWithTemporalDown();
  });

  it('a create answers 503 saying the return is stored; the same request later starts its push (200)', async () => {
    const res = await create('RTN-API-DOWN-1', {}, down);
    expectUnavailable(res);
    expect(res.body.detail).toMatch(/stored.*same request again/);
    expect(await stack.db('returns').where({ return_no: 'RTN-API-DOWN-1' }).first()).toMatchObject({ status: 'PUSHING', workflow_id: null });

    const again = await create('RTN-API-DOWN-1');
    expect(again.status).toBe(200);
    const workflowId = workflowIds.returnOrder('RTN-API-DOWN-1', 1);
    expect(again.body.workflowId).toBe(workflowId);
    expect((await stack.client.workflow.getHandle(workflowId).describe()).type).toBe(WORKFLOW_TYPES.returnOrder);
  }, 30_000);

  it('a cancel answers 503 and leaves nothing behind; reads answer from Postgres', async () => {
    const workflowId = await returnIn('RTN-API-DOWN-2', 'WAITING_INBOUND');
    expectUnavailable(await request(down).post('/v1/returns/RTN-API-DOWN-2/cancel').set(auth('operator')).send({ reason: '取消' }));
    expect(await requests('RTN-API-DOWN-2')).toEqual([]);
    expect(await signalsOf(workflowId)).toEqual([]);
    expect((await request(down).get('/v1/returns/RTN-API-DOWN-2').set(auth('erp'))).status).toBe(200);
    expect((await request(down).get('/v1/returns?status=WAITING_INBOUND').set(auth('erp'))).status).toBe(200);
    expect((await request(down).get('/v1/sales-orders/RTN-API-SO').set(auth('erp'))).body.returns.length).toBeGreaterThan(0);
  }, 30_000);
});
