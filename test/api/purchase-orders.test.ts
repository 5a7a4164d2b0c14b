// The purchase-order API (issue 10 §1) against the real stack: create (idempotent on poNo; pushed at once
// for an ECLP warehouse, stored NOT_PUSHED otherwise), reads and lists, the operator's requests (routed by
// the PO's state, signalled to the run, answered with its verdict or 202), serial batches, the stock
// endpoint, and what a Temporal outage leaves behind. The saga itself is tested elsewhere: runs here are
// either real (the create path) or placeholders on a queue no worker polls, so that the PO's state is the
// test's to set and every signal the API sends can be read back from the run's history.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { purchaseOrderApiConfigFromEnv } from '../../api/config';
import { parseApiTokens } from '../../api/auth';
import { PROBLEM_CONTENT_TYPE } from '../../api/problem';
import { apiRoutes } from '../../api/routes';
import { serialBatchIdOf } from '../../api/purchase-orders/serials';
import { TEMPORAL_RETRY_AFTER_SECONDS } from '../../api/temporal-errors';
import { bookInbound } from '../../db/stock-ledger';
import type { PurchaseOrderVerdict } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { WORKFLOW_TYPES, workflowIds } from '../../messages/ids';
import { DocStatus, DocType, ErpDocNo, WarehouseNo } from '../../messages/search-attributes';
import { startTestStack, type TestStack } from '../helpers/stack';
import { auth, eventually, sleep, TOKEN_SPEC } from '../support';

/** Short, so the 202 answers come quickly; the verdict tests write their verdict well within it. */
const CANCEL_WAIT_MS = 1_500;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { CANCEL_WAIT_MS: String(CANCEL_WAIT_MS) } });
  const put = (url: string, body: object) => request(stack.app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  await put('/v1/warehouses/LOCAL', { name: '本地仓', eclpConnected: false });
  await put('/v1/suppliers/SUP', { name: '茶农合作社', jdSupplierNo: 'EMS0000000000001' });
  await put('/v1/suppliers/SUP2', { name: '另一家', jdSupplierNo: 'EMS0000000000002' });
  await put('/v1/goods/PO-API-A', { name: '龙井', barcodes: ['6950000019001'], categoryCode: 'OTHER' });
  await put('/v1/goods/PO-API-B', { name: '碧螺春', barcodes: ['6950000019002'], categoryCode: 'OTHER' });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const body = (poNo: string, over: Record<string, unknown> = {}) => ({
  poNo,
  supplierCode: 'SUP',
  warehouseCode: 'LOCAL',
  lines: [
    { sku: 'PO-API-A', quantity: 10, unitPrice: 12.5 },
    { sku: 'PO-API-B', quantity: 4, unitPrice: 3 },
  ],
  remark: '春茶',
  ...over,
});

const create = (poNo: string, over: Record<string, unknown> = {}) => request(stack.app).post('/v1/purchase-orders').set(auth('erp')).send(body(poNo, over));

/** A stored PO (NOT_PUSHED, no run) moved to `status` as the saga would have: the test owns its state. */
async function poIn(poNo: string, status: PurchaseOrderStatus, set: Record<string, unknown> = {}): Promise<void> {
  await create(poNo).expect(201);
  await stack.db('purchase_orders').where({ po_no: poNo }).update({ status, ...set });
}

/** A running workflow under the PO's id that no worker ever runs: it takes signals and keeps them in its history. */
async function placeholderRun(poNo: string): Promise<string> {
  const workflowId = workflowIds.purchaseOrder(poNo, 1);
  await stack.client.workflow.start(WORKFLOW_TYPES.purchaseOrder, { workflowId, taskQueue: `po-api-nobody-${randomUUID()}`, args: [{}] });
  return workflowId;
}

/** A PO in `status` whose (placeholder) run is running. */
async function poWithRun(poNo: string, status: PurchaseOrderStatus, set: Record<string, unknown> = {}): Promise<string> {
  const workflowId = await placeholderRun(poNo);
  await poIn(poNo, status, { workflow_id: workflowId, ...set });
  return workflowId;
}

async function signalsOf(workflowId: string): Promise<Array<{ name: string; payload: unknown }>> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const signalled = event.workflowExecutionSignaledEventAttributes;
    if (!signalled) return [];
    const payload = signalled.input?.payloads?.[0];
    return [{ name: signalled.signalName ?? '', payload: payload ? defaultPayloadConverter.fromPayload(payload) : undefined }];
  });
}

/** What the run writes when it decides a request (db/purchase-orders recordPurchaseOrderRequestDecision, reduced to the row). */
const decide = (requestId: string, verdict: PurchaseOrderVerdict, resultingStatus: PurchaseOrderStatus, jdMessage?: string) =>
  stack.db('purchase_order_requests').where({ request_id: requestId }).update({ verdict, resulting_status: resultingStatus, jd_message: jdMessage ?? null, decided_at: stack.db.fn.now() });

const requests = (poNo: string) => stack.db('purchase_order_requests').where({ po_no: poNo }).orderBy('requested_at');

function expectProblem(res: request.Response, status: number, reason?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (reason) expect(res.body.reason).toBe(reason);
}

describe('configuration', () => {
  it('production defaults: POs poll like sales orders and are overdue after 14 days; the rest follows the sales-order settings', () => {
    expect(purchaseOrderApiConfigFromEnv({})).toEqual({
      pollIntervalMs: 300_000,
      pollMaxWaitMs: 14 * 24 * 3600_000,
      cancelWaitMs: 10_000,
      tracking: 'poll',
      sweepIntervalMs: 300_000,
      safetyPollIntervalMs: 30 * 300_000,
      sweepsPerRun: 100,
    });
    // One demo knob (npm start sets SO_POLL_INTERVAL_MS) speeds both up; PO_POLL_INTERVAL_MS overrides it.
    expect(purchaseOrderApiConfigFromEnv({ SO_POLL_INTERVAL_MS: '2000' })).toMatchObject({ pollIntervalMs: 2_000 });
    expect(purchaseOrderApiConfigFromEnv({ SO_POLL_INTERVAL_MS: '2000', PO_POLL_INTERVAL_MS: '600000', PO_POLL_MAX_WAIT_MS: '86400000' })).toMatchObject({ pollIntervalMs: 600_000, pollMaxWaitMs: 86_400_000 });
    expect(purchaseOrderApiConfigFromEnv({ SO_TRACKING: 'sweep', CANCEL_WAIT_MS: '500' })).toMatchObject({ tracking: 'sweep', cancelWaitMs: 500 });
    expect(() => purchaseOrderApiConfigFromEnv({ PO_POLL_MAX_WAIT_MS: '14d' })).toThrow(/PO_POLL_MAX_WAIT_MS/);
  });
});

describe('POST /v1/purchase-orders', () => {
  it('stores a PO for a warehouse that is not ECLP-connected as NOT_PUSHED (201), starts no run, and logs it', async () => {
    const res = await create('PO-API-LOCAL-1');
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/v1/purchase-orders/PO-API-LOCAL-1');
    expect(res.body).toMatchObject({
      poNo: 'PO-API-LOCAL-1',
      status: 'NOT_PUSHED',
      statusLabel: '未推送',
      supplierCode: 'SUP',
      warehouseCode: 'LOCAL',
      remark: '春茶',
      workflowId: null,
      lines: [
        { sku: 'PO-API-A', quantity: 10, unitPrice: 12.5, receivedQuantity: 0 },
        { sku: 'PO-API-B', quantity: 4, unitPrice: 3, receivedQuantity: 0 },
      ],
    });
    await expect(stack.client.workflow.getHandle(workflowIds.purchaseOrder('PO-API-LOCAL-1', 1)).describe()).rejects.toThrow(/not found/i);
  });

  it('is idempotent on poNo: the same body (keys in any order) answers 200 and changes nothing; another body is a 409', async () => {
    await create('PO-API-IDEM').expect(201);
    const { remark, ...rest } = body('PO-API-IDEM');
    const again = await request(stack.app).post('/v1/purchase-orders').set(auth('erp')).send({ remark, ...rest });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ poNo: 'PO-API-IDEM', status: 'NOT_PUSHED' });

    const other = await create('PO-API-IDEM', { lines: [{ sku: 'PO-API-A', quantity: 11, unitPrice: 12.5 }] });
    expectProblem(other, 409, 'po-exists');
    expect(other.body).toMatchObject({ currentStatus: 'NOT_PUSHED' });
    const detail = await request(stack.app).get('/v1/purchase-orders/PO-API-IDEM').set(auth('erp')).expect(200);
    expect(detail.body.lines).toHaveLength(2);
    expect(detail.body.log.filter((e: { action: string }) => e.action === 'created')).toHaveLength(1);
  });

  it('refuses an unknown warehouse with 422 naming warehouseCode, and an unknown SKU naming its line', async () => {
    const res = await create('PO-API-NOWH', { warehouseCode: 'NOWHERE', lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] });
    expectProblem(res, 422);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'warehouseCode' }), expect.objectContaining({ field: 'lines.0.sku' })]),
    );
    expect(await stack.db('purchase_orders').where({ po_no: 'PO-API-NOWH' }).first()).toBeUndefined();
  });

  it('accepts an unknown supplier: the push pre-flight names it, so an operator can map it and repush', async () => {
    const res = await create('PO-API-NOSUP', { supplierCode: 'NOT-MAPPED' });
    expect(res.status).toBe(201);
  });

  it('refuses bad bodies with 400 naming each field, before anything is written', async () => {
    const res = await request(stack.app)
      .post('/v1/purchase-orders')
      .set(auth('erp'))
      .send({ poNo: 'PO-API-BAD', supplierCode: 'SUP', warehouseCode: 'LOCAL', lines: [{ sku: 'PO-API-A', quantity: 0 }, { sku: 'PO-API-A', quantity: 1 }], colour: 'red' });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['colour', 'lines.0.quantity', 'lines']));
    expect(await stack.db('purchase_orders').where({ po_no: 'PO-API-BAD' }).first()).toBeUndefined();
  });

  it('for an ECLP warehouse: 202, the row PUSHING with its workflow id, the run started with its search attributes; the same body again starts nothing new', async () => {
    const res = await create('PO-API-JD-1', { warehouseCode: 'BJ' });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/purchase-orders/PO-API-JD-1');
    const workflowId = workflowIds.purchaseOrder('PO-API-JD-1', 1);
    expect(res.body).toMatchObject({ poNo: 'PO-API-JD-1', workflowId, pushRevision: 1 });
    expect(await stack.db('purchase_orders').where({ po_no: 'PO-API-JD-1' }).first()).toMatchObject({ workflow_id: workflowId });

    const described = await stack.client.workflow.getHandle(workflowId).describe();
    expect(described.type).toBe(WORKFLOW_TYPES.purchaseOrder);
    expect(described.taskQueue).toBe(stack.queues.erp);
    expect(described.typedSearchAttributes.get(DocType)).toBe('PO');
    expect(described.typedSearchAttributes.get(ErpDocNo)).toBe('PO-API-JD-1');
    expect(described.typedSearchAttributes.get(WarehouseNo)).toBe('110000001');
    expect(described.typedSearchAttributes.get(DocStatus)).toBeDefined();

    const again = await create('PO-API-JD-1', { warehouseCode: 'BJ' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ poNo: 'PO-API-JD-1', workflowId });
    const { count } = await stack.client.workflow.count(`WorkflowId = "${workflowId}"`);
    expect(count).toBeLessThanOrEqual(1);
  });

  it('in sweep mode makes sure the warehouse has a sweeper before the PO is stored', async () => {
    const sweeping = stack.apiWith({ SO_TRACKING: 'sweep', SO_SWEEP_INTERVAL_MS: '60000' });
    const res = await request(sweeping).post('/v1/purchase-orders').set(auth('erp')).send(body('PO-API-SWEEP-1', { warehouseCode: 'BJ' }));
    expect(res.status).toBe(202);
    const sweeper = await stack.documents.sweepers.handle('110000001').describe();
    expect(sweeper.status.name).toBe('RUNNING');
    await stack.documents.sweepers.stopAll('sweep-mode create checked');
  });
});

describe('GET /v1/purchase-orders/{poNo} and the list', () => {
  it('shows lines with their quantities, receipts with lines, the ledger, requests, serial batches and the log', async () => {
    await poIn('PO-API-READ', 'PARTIALLY_RECEIVED', { po_order_no: 'EPL0000000000900', receipts: 1, received_total: 6, push_revision: 1 });
    await stack.db('purchase_order_lines').where({ po_no: 'PO-API-READ', sku: 'PO-API-A' }).update({ received_quantity: 6, defective_quantity: 1 });
    await stack.db('purchase_receipts').insert({ receipt_no: 'PO-API-READ-R1', po_no: 'PO-API-READ', seq: 1, push_revision: 1, po_order_no: 'EPL0000000000900', warehouse_code: 'LOCAL', jd_status: '20' });
    await stack.db('purchase_receipt_lines').insert({ receipt_no: 'PO-API-READ-R1', sku: 'PO-API-A', quantity: 6 });
    await bookInbound(stack.db, { warehouseCode: 'LOCAL', docType: 'PO', docNo: 'PO-API-READ', docRevision: 1, entryNo: 1, lines: [{ sku: 'PO-API-A', quantity: 6 }] });

    const res = await request(stack.app).get('/v1/purchase-orders/PO-API-READ').set(auth('operator'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      poNo: 'PO-API-READ',
      status: 'PARTIALLY_RECEIVED',
      statusLabel: '部分入库',
      poOrderNo: 'EPL0000000000900',
      pushRevision: 1,
      lines: [
        { sku: 'PO-API-A', quantity: 10, receivedQuantity: 6, shortQuantity: 0, defectiveQuantity: 1, excessQuantity: 0 },
        { sku: 'PO-API-B', quantity: 4, receivedQuantity: 0 },
      ],
      receipts: [{ receiptNo: 'PO-API-READ-R1', seq: 1, lines: [{ sku: 'PO-API-A', quantity: 6 }] }],
      ledger: [{ warehouseCode: 'LOCAL', sku: 'PO-API-A', quantity: 6, docType: 'PO', docNo: 'PO-API-READ', entryNo: 1 }],
      requests: [],
      serialBatches: [],
    });
    expect(res.body.log.map((e: { action: string }) => e.action)).toContain('created');
    expect((await request(stack.app).get('/v1/purchase-orders/PO-API-READ').set(auth('erp'))).status).toBe(200);
  });

  it('answers 404 problem+json for an unknown PO', async () => {
    expectProblem(await request(stack.app).get('/v1/purchase-orders/PO-API-NONE').set(auth('erp')), 404);
  });

  it('lists newest first with filters by status, warehouse, supplier, creation time and JD number, paged', async () => {
    const from = new Date().toISOString();
    await create('PO-API-LIST-1').expect(201);
    await create('PO-API-LIST-2', { supplierCode: 'SUP2' }).expect(201);
    await poIn('PO-API-LIST-3', 'WAITING_INBOUND', { po_order_no: 'EPL0000000000777' });
    const list = async (query: string) => (await request(stack.app).get(`/v1/purchase-orders?createdFrom=${encodeURIComponent(from)}&${query}`).set(auth('operator')).expect(200)).body;

    expect((await list('')).items.map((po: { poNo: string }) => po.poNo)).toEqual(['PO-API-LIST-3', 'PO-API-LIST-2', 'PO-API-LIST-1']);
    expect((await list('supplier=SUP2')).items.map((po: { poNo: string }) => po.poNo)).toEqual(['PO-API-LIST-2']);
    expect((await list('status=WAITING_INBOUND')).items.map((po: { poNo: string }) => po.poNo)).toEqual(['PO-API-LIST-3']);
    expect((await list('poOrderNo=EPL0000000000777')).items.map((po: { poNo: string }) => po.poNo)).toEqual(['PO-API-LIST-3']);
    expect((await list('warehouse=BJ')).items).toEqual([]);
    const page = await list('limit=2&offset=2');
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(page.items.map((po: { poNo: string }) => po.poNo)).toEqual(['PO-API-LIST-1']);
    expect(page.items[0]).not.toHaveProperty('lines');

    const bad = await request(stack.app).get('/v1/purchase-orders?status=SHIPPED&createdFrom=yesterday').set(auth('erp'));
    expectProblem(bad, 400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.createdFrom', 'query.status']);
  });
});

describe('cancel, close, link and repush', () => {
  it.each([
    ['NOT_PUSHED', 'cancel', 'not-at-jd'],
    ['RECEIVED', 'cancel', 'already-received'],
    ['CANCELLED', 'close', 'already-cancelled'],
    ['PUSH_UNCONFIRMED', 'cancel', 'push-unconfirmed'],
    ['WAITING_INBOUND', 'close', 'not-partially-received'],
    ['PARTIALLY_RECEIVED', 'link', 'not-unconfirmed'],
    ['WAITING_INBOUND', 'repush', 'not-repushable'],
  ] as const)('a PO in %s: %s answers 409 %s with the current state, and records nothing', async (status, kind, reason) => {
    const poNo = `PO-API-R-${status}-${kind}`.slice(0, 50);
    await poIn(poNo, status, { workflow_id: workflowIds.purchaseOrder(poNo, 1) });
    const payload = kind === 'link' ? { poOrderNo: 'EPL0000000000001' } : kind === 'repush' ? { reason: '确认京东无此单', confirmNoJdOrder: true } : { reason: '供应商停产' };
    const res = await request(stack.app).post(`/v1/purchase-orders/${poNo}/${kind}`).set(auth('operator')).send(payload);
    expectProblem(res, 409, reason);
    expect(res.body).toMatchObject({ currentStatus: status, requestId: expect.any(String) });
    expect(await requests(poNo)).toEqual([]);
  });

  it('cancel: recorded as pending, signalled to the run with the actor and request id, then 202 with Location while undecided', async () => {
    const workflowId = await poWithRun('PO-API-CANCEL-1', 'WAITING_INBOUND');
    const res = await request(stack.app).post('/v1/purchase-orders/PO-API-CANCEL-1/cancel').set(auth('operator')).send({ reason: '供应商停产', requestId: 'po-api-cancel-1' });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/purchase-orders/PO-API-CANCEL-1');
    expect(res.body).toMatchObject({ requestId: 'po-api-cancel-1', poNo: 'PO-API-CANCEL-1', kind: 'cancel', verdict: null });
    expect(await requests('PO-API-CANCEL-1')).toEqual([
      expect.objectContaining({ request_id: 'po-api-cancel-1', kind: 'cancel', reason: '供应商停产', actor_role: 'operator', source: 'api', push_revision: 1, verdict: null }),
    ]);
    expect(await signalsOf(workflowId)).toEqual([
      { name: 'cancelPurchaseOrder', payload: { reason: '供应商停产', actor: { role: 'operator' }, requestId: 'po-api-cancel-1', via: 'api' } },
    ]);

    // The run decides; the same request again answers the verdict from the record and signals nothing.
    await decide('po-api-cancel-1', 'CANCELLED_AT_JD', 'CANCELLED');
    const again = await request(stack.app).post('/v1/purchase-orders/PO-API-CANCEL-1/cancel').set(auth('operator')).send({ reason: '供应商停产', requestId: 'po-api-cancel-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ requestId: 'po-api-cancel-1', verdict: 'CANCELLED_AT_JD', status: 'CANCELLED', statusLabel: '已取消', message: expect.stringContaining('cancelled') });
    expect(await signalsOf(workflowId)).toHaveLength(1);
  });

  it('close: answers the verdict the run writes while the caller waits (200)', async () => {
    const workflowId = await poWithRun('PO-API-CLOSE-1', 'PARTIALLY_RECEIVED');
    const answer = request(stack.app).post('/v1/purchase-orders/PO-API-CLOSE-1/close').set(auth('operator')).send({ reason: '余货不再发', requestId: 'po-api-close-1' }).then((r) => r);
    await eventually(async () => (await requests('PO-API-CLOSE-1')).length === 1, { what: 'the pending close' });
    await sleep(200);
    await decide('po-api-close-1', 'CLOSED_AT_JD', 'RECEIVED');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'close', verdict: 'CLOSED_AT_JD', status: 'RECEIVED', statusLabel: '已入库' });
    expect((await signalsOf(workflowId)).map((s) => s.name)).toEqual(['closePurchaseOrder']);
  });

  it('a refusal by JD is a 200 carrying JD\'s words; a PO that ended meanwhile is a 409', async () => {
    await poWithRun('PO-API-REFUSED', 'PARTIALLY_RECEIVED');
    await request(stack.app).post('/v1/purchase-orders/PO-API-REFUSED/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'po-api-refused' }).expect(202);
    await decide('po-api-refused', 'REFUSED_BY_JD', 'PARTIALLY_RECEIVED', '已有入库记录，不能取消');
    const refused = await request(stack.app).post('/v1/purchase-orders/PO-API-REFUSED/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'po-api-refused' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ verdict: 'REFUSED_BY_JD', jdMessage: '已有入库记录，不能取消', message: expect.stringContaining('已有入库记录') });

    await poWithRun('PO-API-LATE', 'WAITING_INBOUND');
    await request(stack.app).post('/v1/purchase-orders/PO-API-LATE/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'po-api-late' }).expect(202);
    await decide('po-api-late', 'ALREADY_RECEIVED', 'RECEIVED');
    const late = await request(stack.app).post('/v1/purchase-orders/PO-API-LATE/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'po-api-late' });
    expectProblem(late, 409, 'already-received');
    expect(late.body).toMatchObject({ verdict: 'ALREADY_RECEIVED', requestId: 'po-api-late' });
  });

  it('link and repush resolve the push through resolvePush, with the request id and via api', async () => {
    const workflowId = await poWithRun('PO-API-UNCONF', 'PUSH_UNCONFIRMED', { sp_po_order_no: 'PO-API-UNCONF-1' });
    const link = await request(stack.app).post('/v1/purchase-orders/PO-API-UNCONF/link').set(auth('operator')).send({ poOrderNo: 'EPL0000000000123', requestId: 'po-api-link' });
    expect(link.status).toBe(202);
    expect(await requests('PO-API-UNCONF')).toEqual([expect.objectContaining({ request_id: 'po-api-link', kind: 'link', po_order_no: 'EPL0000000000123', reason: null })]);
    await decide('po-api-link', 'LINK_REFUSED', 'PUSH_UNCONFIRMED', 'isvPoOrderNo 不符');

    const repush = request(stack.app)
      .post('/v1/purchase-orders/PO-API-UNCONF/repush')
      .set(auth('operator'))
      .send({ reason: '京东确认无此单', confirmNoJdOrder: true, requestId: 'po-api-repush' })
      .then((r) => r);
    await eventually(async () => (await requests('PO-API-UNCONF')).length === 2, { what: 'the pending repush' });
    await decide('po-api-repush', 'REPUSHED', 'PUSHING');
    expect(await repush).toMatchObject({ status: 200, body: { verdict: 'REPUSHED', status: 'PUSHING' } });

    expect(await signalsOf(workflowId)).toEqual([
      { name: 'resolvePush', payload: { action: 'link', poOrderNo: 'EPL0000000000123', requestId: 'po-api-link', actor: { role: 'operator' }, via: 'api' } },
      { name: 'resolvePush', payload: { action: 'repush', reason: '京东确认无此单', requestId: 'po-api-repush', actor: { role: 'operator' }, via: 'api' } },
    ]);
  });

  it('repush needs the operator\'s confirmation that JD holds no PO', async () => {
    await poWithRun('PO-API-NOCONFIRM', 'FAILED');
    const res = await request(stack.app).post('/v1/purchase-orders/PO-API-NOCONFIRM/repush').set(auth('operator')).send({ reason: '重推' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'confirmNoJdOrder' })]);
    expect(await requests('PO-API-NOCONFIRM')).toEqual([]);
  });

  it('a request id belongs to one PO and kind: used again elsewhere it is a 409', async () => {
    await poWithRun('PO-API-ID-1', 'PARTIALLY_RECEIVED');
    await poWithRun('PO-API-ID-2', 'PARTIALLY_RECEIVED');
    await request(stack.app).post('/v1/purchase-orders/PO-API-ID-1/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'po-api-shared-id' }).expect(202);
    expectProblem(await request(stack.app).post('/v1/purchase-orders/PO-API-ID-2/cancel').set(auth('operator')).send({ reason: '取消', requestId: 'po-api-shared-id' }), 409, 'request-id-reused');
    expectProblem(await request(stack.app).post('/v1/purchase-orders/PO-API-ID-1/close').set(auth('operator')).send({ reason: '关闭', requestId: 'po-api-shared-id' }), 409, 'request-id-reused');
    expect(await requests('PO-API-ID-2')).toEqual([]);
  });

  it('a run that is not running: the pending record is withdrawn and the answer is a 409 naming it', async () => {
    await poIn('PO-API-GONE', 'PARTIALLY_RECEIVED', { workflow_id: workflowIds.purchaseOrder('PO-API-GONE', 1) });
    const res = await request(stack.app).post('/v1/purchase-orders/PO-API-GONE/close').set(auth('operator')).send({ reason: '关闭' });
    expectProblem(res, 409, 'workflow-not-running');
    expect(res.body.detail).toContain(workflowIds.purchaseOrder('PO-API-GONE', 1));
    expect(await requests('PO-API-GONE')).toEqual([]);
  });

  it('roles: only the operator (and admin) may ask', async () => {
    await poWithRun('PO-API-ROLES', 'WAITING_INBOUND');
    expectProblem(await request(stack.app).post('/v1/purchase-orders/PO-API-ROLES/cancel').set(auth('erp')).send({ reason: '取消' }), 403);
    expect((await request(stack.app).post('/v1/purchase-orders/PO-API-ROLES/cancel').set(auth('admin')).send({ reason: '取消' })).status).toBe(202);
  });
});

describe('POST /v1/purchase-orders/{poNo}/serials', () => {
  it('stores the batch, signals it to the run and answers 202 with its id; the same request again answers the same batch', async () => {
    const workflowId = await poWithRun('PO-API-SN-1', 'WAITING_INBOUND');
    const payload = { sku: 'PO-API-A', serialNos: ['SN-0001', 'SN-0002'] };
    const res = await request(stack.app).post('/v1/purchase-orders/PO-API-SN-1/serials').set(auth('erp')).send(payload);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/purchase-orders/PO-API-SN-1');
    const batchId = serialBatchIdOf('PO-API-SN-1', 'PO-API-A', payload.serialNos);
    expect(res.body).toMatchObject({ batchId, status: 'pending', sku: 'PO-API-A', serialCount: 2 });
    expect(await signalsOf(workflowId)).toEqual([{ name: 'serialBatch', payload: { batchId } }]);

    const again = await request(stack.app).post('/v1/purchase-orders/PO-API-SN-1/serials').set(auth('erp')).send(payload);
    expect(again.status).toBe(202);
    expect(again.body.batchId).toBe(batchId);
    const detail = await request(stack.app).get('/v1/purchase-orders/PO-API-SN-1').set(auth('erp')).expect(200);
    expect(detail.body.serialBatches).toEqual([expect.objectContaining({ batchId, sku: 'PO-API-A', serialNos: ['SN-0001', 'SN-0002'], status: 'pending' })]);

    // A serial number of an earlier batch is refused, naming it.
    const repeated = await request(stack.app).post('/v1/purchase-orders/PO-API-SN-1/serials').set(auth('erp')).send({ sku: 'PO-API-A', serialNos: ['SN-0003', 'SN-0002'] });
    expectProblem(repeated, 422);
    expect(repeated.body.errors).toEqual([expect.objectContaining({ field: 'serialNos.1' })]);
  });

  it('a SKU that is not on the PO is a 422 naming sku; an ended PO is a 409; an unknown PO a 404', async () => {
    await poWithRun('PO-API-SN-2', 'PARTIALLY_RECEIVED');
    const wrong = await request(stack.app).post('/v1/purchase-orders/PO-API-SN-2/serials').set(auth('erp')).send({ sku: 'OTHER-SKU', serialNos: ['SN-1'] });
    expectProblem(wrong, 422, undefined);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'sku', message: expect.stringContaining('PO-API-A') })]);

    await poIn('PO-API-SN-DONE', 'RECEIVED', { workflow_id: workflowIds.purchaseOrder('PO-API-SN-DONE', 1) });
    const ended = await request(stack.app).post('/v1/purchase-orders/PO-API-SN-DONE/serials').set(auth('erp')).send({ sku: 'PO-API-A', serialNos: ['SN-1'] });
    expectProblem(ended, 409, 'po-final');
    expect(ended.body).toMatchObject({ currentStatus: 'RECEIVED' });

    expectProblem(await request(stack.app).post('/v1/purchase-orders/PO-API-NONE/serials').set(auth('erp')).send({ sku: 'PO-API-A', serialNos: ['SN-1'] }), 404);
    expect(await stack.db('purchase_order_serials').whereIn('po_no', ['PO-API-SN-2', 'PO-API-SN-DONE']).select('batch_id')).toEqual([]);
  });

  it('a run that is not running: nothing stays behind, 409', async () => {
    await poIn('PO-API-SN-GONE', 'WAITING_INBOUND', { workflow_id: workflowIds.purchaseOrder('PO-API-SN-GONE', 1) });
    const res = await request(stack.app).post('/v1/purchase-orders/PO-API-SN-GONE/serials').set(auth('erp')).send({ sku: 'PO-API-B', serialNos: ['SN-9'] });
    expectProblem(res, 409, 'workflow-not-running');
    expect(await stack.db('purchase_order_serials').where({ po_no: 'PO-API-SN-GONE' })).toEqual([]);
  });
});

describe('GET /v1/stock', () => {
  it('sums the ledger per warehouse and SKU, filtered by warehouse and SKU', async () => {
    await bookInbound(stack.db, { warehouseCode: 'STOCK-1', docType: 'PO', docNo: 'PO-API-STOCK', docRevision: 1, entryNo: 1, lines: [{ sku: 'PO-API-A', quantity: 5 }, { sku: 'PO-API-B', quantity: 2 }] });
    await bookInbound(stack.db, { warehouseCode: 'STOCK-1', docType: 'PO', docNo: 'PO-API-STOCK', docRevision: 1, entryNo: 2, lines: [{ sku: 'PO-API-A', quantity: 3 }] });
    await bookInbound(stack.db, { warehouseCode: 'STOCK-2', docType: 'PO', docNo: 'PO-API-STOCK2', docRevision: 1, lines: [{ sku: 'PO-API-A', quantity: 1 }] });
    const stock = async (query: string, role: 'erp' | 'operator' = 'erp') => (await request(stack.app).get(`/v1/stock${query}`).set(auth(role)).expect(200)).body.items;

    expect(await stock('?warehouse=STOCK-1')).toEqual([
      { warehouseCode: 'STOCK-1', sku: 'PO-API-A', quantity: 8 },
      { warehouseCode: 'STOCK-1', sku: 'PO-API-B', quantity: 2 },
    ]);
    expect(await stock('?sku=PO-API-A', 'operator')).toEqual(
      expect.arrayContaining([
        { warehouseCode: 'STOCK-1', sku: 'PO-API-A', quantity: 8 },
        { warehouseCode: 'STOCK-2', sku: 'PO-API-A', quantity: 1 },
      ]),
    );
    expect(await stock('?warehouse=STOCK-2&sku=PO-API-B')).toEqual([]);
    expect(await stock('')).toEqual(expect.arrayContaining([{ warehouseCode: 'STOCK-2', sku: 'PO-API-A', quantity: 1 }]));
  });

  it('validates its filters, naming each', async () => {
    const res = await request(stack.app).get('/v1/stock?warehouse=%20bad&colour=red').set(auth('erp'));
    expectProblem(res, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.colour', 'query.warehouse']);
    expectProblem(await request(stack.app).get('/v1/stock'), 401);
  });
});

describe('with Temporal unreachable', () => {
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  let down: ReturnType<typeof createApp>;
  beforeAll(() => {
    down = createApp({
      tokens: parseApiTokens(TOKEN_SPEC),
      logger: pino({ level: 'silent' }),
      routes: apiRoutes({ db: stack.db, temporal: new Client({ connection }), namespace: 'default', taskQueues: stack.queues, env: { CANCEL_WAIT_MS: String(CANCEL_WAIT_MS) } }),
    });
  });

  function expectUnavailable(res: request.Response): void {
    expect({ status: res.status, text: res.text.slice(0, 300) }).toMatchObject({ status: 503 });
    expect(res.headers['content-type']).toMatch(new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
    expect(res.headers['retry-after']).toBe(String(TEMPORAL_RETRY_AFTER_SECONDS));
  }

  it('a create for an ECLP warehouse answers 503 saying the PO is stored; the same request later starts its push (200)', async () => {
    const res = await request(down).post('/v1/purchase-orders').set(auth('erp')).send(body('PO-API-DOWN-1', { warehouseCode: 'BJ' }));
    expectUnavailable(res);
    expect(res.body.detail).toMatch(/stored.*same request again/);
    expect(await stack.db('purchase_orders').where({ po_no: 'PO-API-DOWN-1' }).first()).toMatchObject({ status: 'PUSHING', workflow_id: null });

    const again = await create('PO-API-DOWN-1', { warehouseCode: 'BJ' });
    expect(again.status).toBe(200);
    const workflowId = workflowIds.purchaseOrder('PO-API-DOWN-1', 1);
    expect(again.body.workflowId).toBe(workflowId);
    expect((await stack.client.workflow.getHandle(workflowId).describe()).type).toBe(WORKFLOW_TYPES.purchaseOrder);
  }, 30_000);

  it('cancel and serials answer 503 and leave nothing behind', async () => {
    await poWithRun('PO-API-DOWN-2', 'PARTIALLY_RECEIVED');
    expectUnavailable(await request(down).post('/v1/purchase-orders/PO-API-DOWN-2/cancel').set(auth('operator')).send({ reason: '取消' }));
    expect(await requests('PO-API-DOWN-2')).toEqual([]);
    expectUnavailable(await request(down).post('/v1/purchase-orders/PO-API-DOWN-2/serials').set(auth('erp')).send({ sku: 'PO-API-A', serialNos: ['SN-DOWN-1'] }));
    expect(await stack.db('purchase_order_serials').where({ po_no: 'PO-API-DOWN-2' })).toEqual([]);
  }, 30_000);

  it('reads answer from Postgres', async () => {
    expect((await request(down).get('/v1/purchase-orders/PO-API-DOWN-2').set(auth('erp'))).status).toBe(200);
    expect((await request(down).get('/v1/stock').set(auth('erp'))).status).toBe(200);
  });
});
