// Purchase orders end to end: API → Temporal (real dev server) → worker → simulator over HTTP → Postgres,
// with a local ERP webhook receiver. The simulator's PO timeline is manual: each test receives goods
// at the warehouse by hand (/_sim/purchase-orders/:no/receive), so receipts arrive exactly when a test
// says. Every PO number here starts with POS- (test files share one dev server).
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { createEclpActivities } from '../activities/eclp';
import { purchaseOrderStatusQuery } from '../messages/purchase-order';
import { DocStatus, DocType, EclpDocNo, ErpDocNo } from '../messages/search-attributes';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, completedActivityTypes, startWebhookReceiver, until, type WebhookReceiver, saveReplayHistory, scheduledActivityTypes, seedSalesOrderMasterData, SimControl, sleep } from './support';

const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-for-po-tests-32by').toString('base64')}`;
const ADD_PO = 'jingdong.eclp.po.addPoOrder';
const JD_SUPPLIER = 'EMS0000000000001';

let stack: TestStack;
let sim: SimControl;
let receiver: WebhookReceiver;
const events = () => receiver.events;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    timeline: { purchaseOrder: { receiveAfterMs: null } },
    env: { PO_POLL_INTERVAL_MS: '250', CANCEL_WAIT_MS: '8000' },
    webhook: { url: receiver.url, secrets: [WEBHOOK_SECRET] },
  });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, {
    goods: [['POS-A', '6950000002001'], ['POS-B', '6950000002002'], ['POS-NEW', '6950000002003'], ['POS-LATE', '6950000002004']],
    synced: ['POS-A', 'POS-B'],
  });
  await request(stack.app).put('/v1/suppliers/SUP1').set(auth('erp')).send({ name: '供应商一', jdSupplierNo: JD_SUPPLIER }).expect(201);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

// ---------------------------------------------------------------- helpers

function poBody(poNo: string, overrides: Record<string, unknown> = {}) {
  return {
    poNo,
    supplierCode: 'SUP1',
    warehouseCode: 'BJ',
    lines: [
      { sku: 'POS-A', quantity: 10, unitPrice: 12.5 },
      { sku: 'POS-B', quantity: 4, unitPrice: 30 },
    ],
    remark: '第一批',
    ...overrides,
  };
}

async function createPo(poNo: string, overrides: Record<string, unknown> = {}) {
  const res = await request(stack.app).post('/v1/purchase-orders').set(auth('erp')).send(poBody(poNo, overrides));
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ poNo, status: 'PUSHING', workflowId: `PO:${poNo}:1` });
  return res.body as { workflowId: string };
}

async function getPo(poNo: string) {
  const res = await request(stack.app).get(`/v1/purchase-orders/${poNo}`).set(auth('operator'));
  expect(res.status).toBe(200);
  return res.body;
}

async function waitForStatus(poNo: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let po = await getPo(poNo);
  while (po.status !== status && Date.now() < deadline) {
    await sleep(150);
    po = await getPo(poNo);
  }
  expect({ poNo, status: po.status, failureReason: po.failureReason }).toMatchObject({ poNo, status });
  return po;
}

/** Waits until the PO has `count` receipts in Postgres. */
async function waitForReceipts(poNo: string, count: number) {
  return until(async () => {
    const po = await getPo(poNo);
    expect(po.receipts).toHaveLength(count);
    return po;
  }, 30_000);
}

/** Goods arrive at JD's warehouse; without `lines` everything still outstanding arrives. */
async function receive(poOrderNo: string, lines: Array<{ goodsNo: string; quantity: number; defectiveQty?: number }> | undefined, complete = false) {
  await sim.control('POST', `purchase-orders/${poOrderNo}/receive`, { ...(lines && { lines }), complete });
}

async function jdGoodsNo(sku: string): Promise<string> {
  const row = await stack.db('goods').where({ sku }).first();
  expect(row?.jd_goods_no).toBeTruthy();
  return row!.jd_goods_no!;
}

async function ledger(poNo: string) {
  return stack.db('stock_ledger').where({ doc_type: 'PO', doc_no: poNo }).orderBy(['entry_no', 'sku']).select('sku', 'quantity', 'entry_no');
}

function post(path: string, body: object, role: 'erp' | 'operator' = 'operator') {
  return request(stack.app).post(path).set(auth(role)).send(body);
}

// ---------------------------------------------------------------- the story

describe('a purchase order from creation to stock', () => {
  it('syncs the goods JD lacks, pushes, books two partial receipts and the rest, raises stock exactly, tells the ERP', async () => {
    const poNo = 'POS-HAPPY';
    const { workflowId } = await createPo(poNo, {
      lines: [
        { sku: 'POS-A', quantity: 10, unitPrice: 12.5 },
        { sku: 'POS-NEW', quantity: 6, unitPrice: 8 },
      ],
    });
    const pushed = await waitForStatus(poNo, 'WAITING_INBOUND');
    expect(pushed.poOrderNo).toMatch(/^EPL/);
    // The goods JD lacked were created by a child goods sync before the push.
    const newGoodsNo = await jdGoodsNo('POS-NEW');
    const aGoodsNo = await jdGoodsNo('POS-A');
    const atJd = await sim.control<{ spPoOrderNo: string; lines: Array<{ goodsNo: string }> }>('GET', `purchase-orders/${pushed.poOrderNo}`);
    expect(atJd.spPoOrderNo).toBe(`${poNo}-1`);
    expect(atJd.lines.map((l) => l.goodsNo).sort()).toEqual([aGoodsNo, newGoodsNo].sort());

    await receive(pushed.poOrderNo, [{ goodsNo: aGoodsNo, quantity: 3 }]);
    await waitForReceipts(poNo, 1);
    await waitForStatus(poNo, 'PARTIALLY_RECEIVED');
    await receive(pushed.poOrderNo, [{ goodsNo: aGoodsNo, quantity: 2 }, { goodsNo: newGoodsNo, quantity: 6 }]);
    await waitForReceipts(poNo, 2);
    await receive(pushed.poOrderNo, [{ goodsNo: aGoodsNo, quantity: 5 }], true);
    const done = await waitForStatus(poNo, 'RECEIVED');

    expect(done.receipts.map((r: { receiptNo: string; lines: unknown[] }) => ({ receiptNo: r.receiptNo, lines: r.lines }))).toEqual([
      { receiptNo: `${poNo}-R1`, lines: [{ sku: 'POS-A', quantity: 3 }] },
      { receiptNo: `${poNo}-R2`, lines: expect.arrayContaining([{ sku: 'POS-A', quantity: 2 }, { sku: 'POS-NEW', quantity: 6 }]) },
      { receiptNo: `${poNo}-R3`, lines: [{ sku: 'POS-A', quantity: 5 }] },
    ]);
    expect(await ledger(poNo)).toEqual([
      { sku: 'POS-A', quantity: 3, entry_no: 1 },
      { sku: 'POS-A', quantity: 2, entry_no: 2 },
      { sku: 'POS-NEW', quantity: 6, entry_no: 2 },
      { sku: 'POS-A', quantity: 5, entry_no: 3 },
    ]);
    expect(done.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sku: 'POS-A', quantity: 10, receivedQuantity: 10, shortQuantity: 0 }),
        expect.objectContaining({ sku: 'POS-NEW', quantity: 6, receivedQuantity: 6, shortQuantity: 0 }),
      ]),
    );
    // One remark per receipt in the operation log.
    expect(done.log.filter((entry: { action: string }) => entry.action === 'receipt')).toHaveLength(3);

    const stock = await request(stack.app).get('/v1/stock').query({ warehouse: 'BJ', sku: 'POS-NEW' }).set(auth('operator')).expect(200);
    expect(JSON.stringify(stock.body)).toContain('"quantity":6');

    const mine = () => events().filter((e) => e.id.startsWith(`${workflowId}/`));
    await until(() => expect(mine().map((e) => e.type).sort()).toEqual(['purchase_order.receipt', 'purchase_order.receipt', 'purchase_order.receipt', 'purchase_order.received']), 15_000);
    expect(mine().find((e) => e.type === 'purchase_order.received')!.data).toMatchObject({ poNo, poOrderNo: pushed.poOrderNo, receipts: 3, closedShort: false });

    const handle = stack.client.workflow.getHandle(workflowId);
    expect(await handle.result()).toMatchObject({ poNo, status: 'RECEIVED', receipts: 3, poOrderNo: pushed.poOrderNo });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(DocType)).toBe('PO');
    expect(described.typedSearchAttributes.get(ErpDocNo)).toBe(poNo);
    expect(described.typedSearchAttributes.get(EclpDocNo)).toBe(pushed.poOrderNo);
    expect(described.typedSearchAttributes.get(DocStatus)).toBe('RECEIVED');
    const history = await handle.fetchHistory();
    expect(scheduledActivityTypes(history).filter((t) => t === 'bookPurchaseReceipts').length).toBeGreaterThanOrEqual(3);
    saveReplayHistory(history, 'purchase-order-happy-path.json');
  });

  it('books a receipt once when the worker dies between JD\'s answer and the booking', async () => {
    const poNo = 'POS-CRASH';
    const { workflowId } = await createPo(poNo);
    const pushed = await waitForStatus(poNo, 'WAITING_INBOUND');
    const aGoodsNo = await jdGoodsNo('POS-A');
    const handle = stack.client.workflow.getHandle(workflowId);

    const pollsBefore = completedActivityTypes(await handle.fetchHistory()).filter((t) => t === 'awaitPurchaseOrderProgress').length;
    // Only JD calls run now: the poll sees the receipt and its answer lands in the history, but no
    // workflow task (and no booking) can run until the erp worker is back.
    await stack.stopWorkers();
    const jdOnly = await Worker.create({
      connection: stack.connection,
      namespace: stack.client.options.namespace,
      taskQueue: stack.queues.eclp,
      activities: createEclpActivities({ eclp: stack.eclp, db: stack.db }),
    });
    const running = jdOnly.run();
    try {
      await receive(pushed.poOrderNo, [{ goodsNo: aGoodsNo, quantity: 4 }]);
      await until(async () => expect(completedActivityTypes(await handle.fetchHistory()).filter((t) => t === 'awaitPurchaseOrderProgress').length).toBeGreaterThan(pollsBefore), 20_000);
      // JD's answer is in the history; the booking is not.
      expect(completedActivityTypes(await handle.fetchHistory()).at(-1)).toBe('awaitPurchaseOrderProgress');
      expect(await stack.db('purchase_receipts').where({ po_no: poNo })).toHaveLength(0);
    } finally {
      jdOnly.shutdown();
      await running;
    }
    await stack.startWorkers();
    await waitForReceipts(poNo, 1);
    await waitForStatus(poNo, 'PARTIALLY_RECEIVED');
    // A repeated look at JD (the sweeper's nudge makes nothing new) books nothing more.
    await handle.signal('jdStatusChanged', { jdStatus: '20', settled: true });
    await sleep(1_500);
    expect(await ledger(poNo)).toEqual([{ sku: 'POS-A', quantity: 4, entry_no: 1 }]);
    expect((await handle.query(purchaseOrderStatusQuery)).receipts).toBe(1);
    await receive(pushed.poOrderNo, undefined, true);
    const done = await waitForStatus(poNo, 'RECEIVED');
    expect(done.receipts).toHaveLength(2);
    expect(await ledger(poNo)).toEqual([
      { sku: 'POS-A', quantity: 4, entry_no: 1 },
      { sku: 'POS-A', quantity: 6, entry_no: 2 },
      { sku: 'POS-B', quantity: 4, entry_no: 2 },
    ]);
  });
});

describe('failures an operator can act on', () => {
  it('a supplier without a mapping fails the pre-flight, names it, and a cancel then ends the PO in the ERP', async () => {
    const poNo = 'POS-NOSUP';
    const pushesBefore = (await sim.stats()).byMethod[ADD_PO] ?? 0;
    const { workflowId } = await createPo(poNo, { supplierCode: 'NOBODY' });
    const failed = await waitForStatus(poNo, 'FAILED');
    expect(failed.failureReason).toMatch(/NOBODY/);
    // The pre-flight asked JD nothing.
    expect((await sim.stats()).byMethod[ADD_PO] ?? 0).toBe(pushesBefore);
    const res = await post(`/v1/purchase-orders/${poNo}/cancel`, { reason: '供应商未对应' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED' });
    expect(await stack.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'CANCELLED' });
    expect(events().some((e) => e.id.startsWith(`${workflowId}/purchase_order.failed`))).toBe(true);
  });

  it("JD's rejection fails the PO with JD's words", async () => {
    const poNo = 'POS-REJECT';
    await sim.injectFault({ kind: 'businessError', method: ADD_PO, next: 1, message: '供应商未启用，不允许下单' });
    await createPo(poNo);
    const failed = await waitForStatus(poNo, 'FAILED');
    expect(failed.failureReason).toContain('供应商未启用，不允许下单');
  });

  it('an ambiguous push JD then calls "already exists" waits in PUSH_UNCONFIRMED until an operator links the right JD PO', async () => {
    const poNo = 'POS-UNSURE';
    await sim.control('POST', 'behaviour', { duplicateSpPoOrderNo: 'reject' });
    try {
      await sim.injectFault({ kind: 'timeoutAfterCommit', method: ADD_PO, next: 1, latencyMs: 3_000 });
      const { workflowId } = await createPo(poNo);
      const unsure = await waitForStatus(poNo, 'PUSH_UNCONFIRMED', 40_000);
      expect(unsure.poOrderNo ?? null).toBeNull();
      const state = await sim.state();
      const atJd = (state as unknown as { purchaseOrders: Array<{ poOrderNo: string; spPoOrderNo: string }> }).purchaseOrders.filter((p) => p.spPoOrderNo === `${poNo}-1`);
      expect(atJd).toHaveLength(1);

      const wrong = await post(`/v1/purchase-orders/${poNo}/link`, { poOrderNo: 'EPL0000000000000' });
      expect(wrong.body).toMatchObject({ verdict: 'LINK_REFUSED' });
      const linked = await post(`/v1/purchase-orders/${poNo}/link`, { poOrderNo: atJd[0]!.poOrderNo, reason: '京东后台已查到' });
      expect(linked.status).toBe(200);
      expect(linked.body).toMatchObject({ verdict: 'LINKED', status: 'WAITING_INBOUND' });
      const po = await waitForStatus(poNo, 'WAITING_INBOUND');
      expect(po.poOrderNo).toBe(atJd[0]!.poOrderNo);
      await receive(po.poOrderNo, undefined, true);
      await waitForStatus(poNo, 'RECEIVED');
      expect(await stack.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'RECEIVED' });
      saveReplayHistory(await stack.client.workflow.getHandle(workflowId).fetchHistory(), 'purchase-order-unconfirmed-then-linked.json');
      // Never a second JD PO for this PO.
      const after = (await sim.state()) as unknown as { purchaseOrders: Array<{ spPoOrderNo: string }> };
      expect(after.purchaseOrders.filter((p) => p.spPoOrderNo.startsWith(`${poNo}-`))).toHaveLength(1);
    } finally {
      await sim.control('POST', 'behaviour', { duplicateSpPoOrderNo: 'return-existing' });
    }
  });

  it('a PUSH_UNCONFIRMED PO the operator confirms JD lacks is pushed again under the next revision', async () => {
    const poNo = 'POS-REPUSH';
    await sim.control('POST', 'behaviour', { duplicateSpPoOrderNo: 'reject' });
    try {
      await sim.injectFault({ kind: 'timeoutAfterCommit', method: ADD_PO, next: 1, latencyMs: 3_000 });
      await createPo(poNo);
      await waitForStatus(poNo, 'PUSH_UNCONFIRMED', 40_000);
      const refused = await post(`/v1/purchase-orders/${poNo}/repush`, { reason: '确认京东无此单' });
      expect(refused.status).toBe(400);
      const res = await post(`/v1/purchase-orders/${poNo}/repush`, { reason: '确认京东无此单', confirmNoJdOrder: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ verdict: 'REPUSHED' });
      const po = await waitForStatus(poNo, 'WAITING_INBOUND');
      expect(po.pushRevision).toBe(2);
      const atJd = await sim.control<{ spPoOrderNo: string }>('GET', `purchase-orders/${po.poOrderNo}`);
      expect(atJd.spPoOrderNo).toBe(`${poNo}-2`);
    } finally {
      await sim.control('POST', 'behaviour', { duplicateSpPoOrderNo: 'return-existing' });
    }
  });
});

describe('cancel, close and serials', () => {
  it('a cancel JD accepts ends the PO CANCELLED', async () => {
    const poNo = 'POS-CANCEL';
    const { workflowId } = await createPo(poNo);
    const po = await waitForStatus(poNo, 'WAITING_INBOUND');
    const res = await post(`/v1/purchase-orders/${poNo}/cancel`, { reason: '供应商缺货' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'CANCELLED' });
    expect(await stack.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'CANCELLED', receipts: 0 });
    const atJd = await sim.control<{ status: string }>('GET', `purchase-orders/${po.poOrderNo}`);
    expect(atJd.status).toBe('91');
    expect(await ledger(poNo)).toEqual([]);
  });

  it("a cancel after a receipt is refused with JD's words and the PO carries on", async () => {
    const poNo = 'POS-NOCANCEL';
    await createPo(poNo);
    const po = await waitForStatus(poNo, 'WAITING_INBOUND');
    await receive(po.poOrderNo, [{ goodsNo: await jdGoodsNo('POS-B'), quantity: 1 }]);
    await waitForReceipts(poNo, 1);
    const res = await post(`/v1/purchase-orders/${poNo}/cancel`, { reason: '不要了' });
    expect(res.body).toMatchObject({ verdict: 'REFUSED_BY_JD' });
    expect(res.body.jdMessage).toMatch(/不允许取消/);
    await receive(po.poOrderNo, undefined, true);
    await waitForStatus(poNo, 'RECEIVED');
  });

  it('closing a partly received PO ends it RECEIVED with the short quantities recorded', async () => {
    const poNo = 'POS-CLOSE';
    const { workflowId } = await createPo(poNo);
    const po = await waitForStatus(poNo, 'WAITING_INBOUND');
    const early = await post(`/v1/purchase-orders/${poNo}/close`, { reason: '不再到货' });
    expect(early.status).toBe(409);
    await receive(po.poOrderNo, [{ goodsNo: await jdGoodsNo('POS-A'), quantity: 7, defectiveQty: 1 }]);
    await waitForStatus(poNo, 'PARTIALLY_RECEIVED');
    const res = await post(`/v1/purchase-orders/${poNo}/close`, { reason: '供应商不再发货' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CLOSED_AT_JD', status: 'RECEIVED' });
    const done = await getPo(poNo);
    expect(done.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sku: 'POS-A', quantity: 10, receivedQuantity: 7, defectiveQuantity: 1 }),
        expect.objectContaining({ sku: 'POS-B', quantity: 4, receivedQuantity: 0, shortQuantity: 4 }),
      ]),
    );
    expect(await ledger(poNo)).toEqual([{ sku: 'POS-A', quantity: 7, entry_no: 1 }]);
    expect(await stack.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'RECEIVED' });
    await until(() => expect(events().find((e) => e.id === `${workflowId}/purchase_order.received`)?.data).toMatchObject({ closedShort: true }), 15_000);
    saveReplayHistory(await stack.client.workflow.getHandle(workflowId).fetchHistory(), 'purchase-order-closed-short.json');
  });

  it('uploads a serial-number batch to JD once JD holds the PO', async () => {
    const poNo = 'POS-SERIAL';
    await createPo(poNo);
    const res = await post(`/v1/purchase-orders/${poNo}/serials`, { sku: 'POS-A', serialNos: ['SN-POS-0001', 'SN-POS-0002'] }, 'erp');
    expect(res.status).toBe(202);
    const unknownSku = await post(`/v1/purchase-orders/${poNo}/serials`, { sku: 'POS-NEW', serialNos: ['SN-POS-0003'] }, 'erp');
    expect(unknownSku.status).toBe(422);
    await until(async () => {
      const po = await getPo(poNo);
      expect(po.serialBatches).toEqual([expect.objectContaining({ sku: 'POS-A', status: 'uploaded' })]);
      expect(po.log).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'serials_uploaded', detail: expect.objectContaining({ sku: 'POS-A', serials: 2 }) })]));
    }, 30_000);
    const calls = await sim.stats();
    expect(JSON.stringify(calls)).toContain('addPoSidDetail');
  });
});
