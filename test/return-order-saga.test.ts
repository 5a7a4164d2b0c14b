// Returns and exchanges end to end: API → Temporal (real dev server) → worker → simulator over HTTP →
// Postgres, with a local ERP webhook receiver. Sales orders ship by the simulator's fast timeline; returns
// are received or rejected by hand (/_sim/returns/:no/…), so each test decides what the warehouse does.
// Every document number here starts with RTS- (test files share one dev server).
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { createEclpActivities } from '../activities/eclp';
import { returnStatusQuery } from '../messages/return-order';
import { DocStatus, DocType } from '../messages/search-attributes';
import type { Timeline } from '../simulator/timeline';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, completedActivityTypes, startWebhookReceiver, until, type WebhookReceiver, saveReplayHistory, seedSalesOrderMasterData, SimControl } from './support';

const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-for-rtn-tests-32b').toString('base64')}`;
const FAST: Timeline['salesOrder'] = { pickAfterMs: 200, packAfterMs: 400, shipAfterMs: 600, deliverAfterMs: null };
const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };
const CANCEL_RTW = 'jingdong.eclp.rtw.cancelRtwOrder';

let stack: TestStack;
let sim: SimControl;
let receiver: WebhookReceiver;
const events = () => receiver.events;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    timeline: { salesOrder: FAST, returnOrder: { receiveAfterMs: null } },
    env: { SO_POLL_INTERVAL_MS: '250', CANCEL_WAIT_MS: '8000' },
    webhook: { url: receiver.url, secrets: [WEBHOOK_SECRET] },
  });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, {
    goods: [['RTS-A', '6950000003001'], ['RTS-B', '6950000003002'], ['RTS-C', '6950000003003']],
    synced: ['RTS-A', 'RTS-B', 'RTS-C'],
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

// ---------------------------------------------------------------- helpers

const erp = auth('erp');
const operator = auth('operator');

async function getOrder(orderNo: string) {
  const res = await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(operator);
  expect(res.status).toBe(200);
  return res.body;
}

/** A sales order through the SO saga to SHIPPED (A×2, B×1 unless told). */
async function shippedOrder(orderNo: string, lines = [{ sku: 'RTS-A', quantity: 2, price: 50 }, { sku: 'RTS-B', quantity: 1, price: 80 }]) {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(erp)
    .send({
      orderNo,
      warehouseCode: 'BJ',
      carrierCode: 'JDEX',
      consignee: { name: '李四', mobile: '13800138001', province: '北京', city: '北京市', county: '海淀区', address: '中关村1号' },
      lines,
    })
    .expect(201);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(erp).expect(202);
  return until(async () => {
    const order = await getOrder(orderNo);
    expect(order.status).toBe('SHIPPED');
    return order;
  }, 30_000);
}

function createReturn(body: Record<string, unknown>) {
  return request(stack.app).post('/v1/returns').set(erp).send({ type: 'RETURN', warehouseCode: 'BJ', reason: '不想要了', ...body });
}

async function getReturn(returnNo: string) {
  const res = await request(stack.app).get(`/v1/returns/${returnNo}`).set(operator);
  expect(res.status).toBe(200);
  return res.body;
}

async function waitForReturn(returnNo: string, status: string, timeoutMs = 30_000) {
  return until(async () => {
    const ret = await getReturn(returnNo);
    expect({ returnNo, status: ret.status, failureReason: ret.failureReason }).toMatchObject({ returnNo, status });
    return ret;
  }, timeoutMs);
}

async function goodsNo(sku: string): Promise<string> {
  return (await stack.db('goods').where({ sku }).first())!.jd_goods_no!;
}

async function receiveAtJd(eclpRtwNo: string, lines?: Array<{ sku: string; quantity: number; goodsLevel?: string }>) {
  const body = lines ? { lines: await Promise.all(lines.map(async (l) => ({ goodsNo: await goodsNo(l.sku), quantity: l.quantity, ...(l.goodsLevel && { goodsLevel: l.goodsLevel }) }))) } : {};
  await sim.control('POST', `returns/${eclpRtwNo}/receive`, body);
}

async function ledger(returnNo: string) {
  return stack.db('stock_ledger').where({ doc_type: 'RTN', doc_no: returnNo }).orderBy('sku').select('sku', 'quantity');
}

const cancel = (returnNo: string, reason = '客户撤销售后') => request(stack.app).post(`/v1/returns/${returnNo}/cancel`).set(operator).send({ reason });

// ---------------------------------------------------------------- returns

describe('returns', () => {
  it('a full return: pushed against the original outbound, received, stock raised once, the ERP told', async () => {
    const order = await shippedOrder('RTS-SO-FULL');
    const created = await createReturn({ returnNo: 'RTS-FULL', orderNo: 'RTS-SO-FULL', lines: [{ sku: 'RTS-A', quantity: 2 }, { sku: 'RTS-B', quantity: 1 }] });
    expect(created.status).toBe(202);
    const workflowId = created.body.workflowId as string;
    expect(workflowId).toBe('RTN:RTS-FULL:1');
    const waiting = await waitForReturn('RTS-FULL', 'WAITING_INBOUND');
    expect(waiting.eclpRtwNo).toBeTruthy();
    const atJd = await sim.control<{ eclpSoNo: string; isvRtwNum: string; lines: Array<{ planQty: number }> }>('GET', `returns/${waiting.eclpRtwNo}`);
    expect(atJd).toMatchObject({ eclpSoNo: order.eclpSoNo, isvRtwNum: 'RTS-FULL-1' });

    await receiveAtJd(waiting.eclpRtwNo);
    const received = await waitForReturn('RTS-FULL', 'RECEIVED');
    expect(received.receipt).toMatchObject({ receiptNo: 'RTS-FULL-R' });
    expect(await ledger('RTS-FULL')).toEqual([{ sku: 'RTS-A', quantity: 2 }, { sku: 'RTS-B', quantity: 1 }]);
    const handle = stack.client.workflow.getHandle(workflowId);
    expect(await handle.result()).toMatchObject({ status: 'RECEIVED' });
    await until(() => expect(events().filter((e) => e.id === `${workflowId}/return.received`)).toHaveLength(1));
    expect(events().find((e) => e.id === `${workflowId}/return.received`)!.data).toMatchObject({ returnNo: 'RTS-FULL', short: false });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(DocType)).toBe('RTN');
    expect(described.typedSearchAttributes.get(DocStatus)).toBe('RECEIVED');
    // The original order lists its returns.
    expect((await getOrder('RTS-SO-FULL')).returns).toEqual([expect.objectContaining({ returnNo: 'RTS-FULL', status: 'RECEIVED' })]);
    saveReplayHistory(await handle.fetchHistory(), 'return-order-received.json');
  });

  it('a partial return across two returns of one order, then an over-return refused naming the line', async () => {
    await shippedOrder('RTS-SO-PART');
    expect((await createReturn({ returnNo: 'RTS-PART-1', orderNo: 'RTS-SO-PART', lines: [{ sku: 'RTS-A', quantity: 1 }] })).status).toBe(202);
    expect((await createReturn({ returnNo: 'RTS-PART-2', orderNo: 'RTS-SO-PART', lines: [{ sku: 'RTS-A', quantity: 1 }, { sku: 'RTS-B', quantity: 1 }] })).status).toBe(202);
    const over = await createReturn({ returnNo: 'RTS-PART-3', orderNo: 'RTS-SO-PART', lines: [{ sku: 'RTS-B', quantity: 1 }, { sku: 'RTS-A', quantity: 1 }] });
    expect(over.status).toBe(422);
    expect(JSON.stringify(over.body)).toContain('lines.0.quantity');
    const notOnOrder = await createReturn({ returnNo: 'RTS-PART-4', orderNo: 'RTS-SO-PART', lines: [{ sku: 'RTS-C', quantity: 1 }] });
    expect(notOnOrder.status).toBe(422);
    expect(JSON.stringify(notOnOrder.body)).toContain('lines.0.sku');
    for (const returnNo of ['RTS-PART-1', 'RTS-PART-2']) {
      const ret = await waitForReturn(returnNo, 'WAITING_INBOUND');
      await receiveAtJd(ret.eclpRtwNo);
      await waitForReturn(returnNo, 'RECEIVED');
    }
    expect(await ledger('RTS-PART-1')).toEqual([{ sku: 'RTS-A', quantity: 1 }]);
    expect(await ledger('RTS-PART-2')).toEqual([{ sku: 'RTS-A', quantity: 1 }, { sku: 'RTS-B', quantity: 1 }]);
  });

  it('a short receipt is recorded as short and raises stock by what JD received', async () => {
    await shippedOrder('RTS-SO-SHORT');
    await createReturn({ returnNo: 'RTS-SHORT', orderNo: 'RTS-SO-SHORT', lines: [{ sku: 'RTS-A', quantity: 2 }] }).expect(202);
    const ret = await waitForReturn('RTS-SHORT', 'WAITING_INBOUND');
    await receiveAtJd(ret.eclpRtwNo, [{ sku: 'RTS-A', quantity: 1, goodsLevel: '200' }]);
    const received = await waitForReturn('RTS-SHORT', 'RECEIVED');
    expect(received.lines).toEqual([expect.objectContaining({ sku: 'RTS-A', quantity: 2, receivedQuantity: 1, goodsLevel: '200' })]);
    expect(await ledger('RTS-SHORT')).toEqual([{ sku: 'RTS-A', quantity: 1 }]);
    await until(() => expect(events().find((e) => e.id === 'RTN:RTS-SHORT:1/return.received')?.data).toMatchObject({ short: true }));
  });

  it('a parcel the warehouse rejects ends REJECTED with the reason and raises no stock', async () => {
    await shippedOrder('RTS-SO-REJ');
    await createReturn({ returnNo: 'RTS-REJ', orderNo: 'RTS-SO-REJ', lines: [{ sku: 'RTS-B', quantity: 1 }] }).expect(202);
    const ret = await waitForReturn('RTS-REJ', 'WAITING_INBOUND');
    await sim.control('POST', `returns/${ret.eclpRtwNo}/reject`, { reason: '外包装破损拒收' });
    const rejected = await waitForReturn('RTS-REJ', 'REJECTED');
    expect(JSON.stringify(rejected)).toContain('外包装破损拒收');
    expect(await ledger('RTS-REJ')).toEqual([]);
    await until(() => expect(events().some((e) => e.id === 'RTN:RTS-REJ:1/return.rejected')).toBe(true));
  });

  it('books the receipt once when the worker dies between JD\'s answer and the booking', async () => {
    await shippedOrder('RTS-SO-CRASH');
    const { body } = await createReturn({ returnNo: 'RTS-CRASH', orderNo: 'RTS-SO-CRASH', lines: [{ sku: 'RTS-A', quantity: 2 }] }).expect(202);
    const ret = await waitForReturn('RTS-CRASH', 'WAITING_INBOUND');
    const handle = stack.client.workflow.getHandle(body.workflowId as string);
    await stack.stopWorkers();
    const jdOnly = await Worker.create({
      connection: stack.connection,
      namespace: stack.client.options.namespace,
      taskQueue: stack.queues.eclp,
      activities: createEclpActivities({ eclp: stack.eclp, db: stack.db }),
    });
    const running = jdOnly.run();
    try {
      await receiveAtJd(ret.eclpRtwNo);
      // JD's answer is in the history; no workflow task (and no booking) can run without the erp worker.
      await until(async () => expect(completedActivityTypes(await handle.fetchHistory()).at(-1)).toBe('awaitReturnOutcome'));
      expect(await stack.db('sales_return_receipts').where({ return_no: 'RTS-CRASH' })).toHaveLength(0);
    } finally {
      jdOnly.shutdown();
      await running;
    }
    await stack.startWorkers();
    await waitForReturn('RTS-CRASH', 'RECEIVED');
    expect(await ledger('RTS-CRASH')).toEqual([{ sku: 'RTS-A', quantity: 2 }]);
    expect((await handle.query(returnStatusQuery)).status).toBe('RECEIVED');
  });
});

// ---------------------------------------------------------------- cancel

describe('cancel', () => {
  it('a cancel before receipt is accepted by JD; after receipt it is a 409', async () => {
    await shippedOrder('RTS-SO-CXL');
    await createReturn({ returnNo: 'RTS-CXL', orderNo: 'RTS-SO-CXL', lines: [{ sku: 'RTS-A', quantity: 1 }] }).expect(202);
    await waitForReturn('RTS-CXL', 'WAITING_INBOUND');
    const res = await cancel('RTS-CXL');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', status: 'CANCELLED' });
    saveReplayHistory(await stack.client.workflow.getHandle('RTN:RTS-CXL:1').fetchHistory(), 'return-order-cancelled-at-jd.json');
    // The cancelled return claims nothing: the same unit can be returned again.
    expect((await createReturn({ returnNo: 'RTS-CXL-AGAIN', orderNo: 'RTS-SO-CXL', lines: [{ sku: 'RTS-A', quantity: 2 }] })).status).toBe(202);
    const again = await waitForReturn('RTS-CXL-AGAIN', 'WAITING_INBOUND');
    await receiveAtJd(again.eclpRtwNo);
    await waitForReturn('RTS-CXL-AGAIN', 'RECEIVED');
    const late = await cancel('RTS-CXL-AGAIN');
    expect(late.status).toBe(409);
  });

  it("a cancel JD refuses is answered with JD's words and the return carries on", async () => {
    await shippedOrder('RTS-SO-NOCXL');
    await createReturn({ returnNo: 'RTS-NOCXL', orderNo: 'RTS-SO-NOCXL', lines: [{ sku: 'RTS-B', quantity: 1 }] }).expect(202);
    const ret = await waitForReturn('RTS-NOCXL', 'WAITING_INBOUND');
    await sim.injectFault({ kind: 'businessError', method: CANCEL_RTW, next: 1, message: '退货单已在仓库收货中，不允许取消' });
    const res = await cancel('RTS-NOCXL');
    expect(res.body).toMatchObject({ verdict: 'REFUSED_BY_JD' });
    expect(res.body.jdMessage).toContain('不允许取消');
    await receiveAtJd(ret.eclpRtwNo);
    await waitForReturn('RTS-NOCXL', 'RECEIVED');
  });
});

// ---------------------------------------------------------------- exchanges

describe('exchanges', () => {
  it('creates the replacement order in REVIEW, linked both ways; approved, it ships through the sales-order saga', async () => {
    await shippedOrder('RTS-SO-EX');
    const created = await createReturn({ returnNo: 'RTS-EX', orderNo: 'RTS-SO-EX', type: 'EXCHANGE', reason: '尺码不合适', lines: [{ sku: 'RTS-A', quantity: 1 }], replacementLines: [{ sku: 'RTS-C', quantity: 1, price: 50 }] });
    expect(created.status).toBe(202);
    const ret = await waitForReturn('RTS-EX', 'WAITING_INBOUND');
    expect(JSON.stringify(ret)).toContain('RTS-EX-EX');
    const replacement = await getOrder('RTS-EX-EX');
    expect(replacement).toMatchObject({ status: 'REVIEW', replacementFor: 'RTS-EX', warehouseCode: 'BJ' });
    expect(replacement.lines).toEqual([expect.objectContaining({ sku: 'RTS-C', quantity: 1 })]);
    await request(stack.app).post('/v1/sales-orders/RTS-EX-EX/approve').set(erp).expect(202);
    await until(async () => expect((await getOrder('RTS-EX-EX')).status).toBe('SHIPPED'), 30_000);
    await receiveAtJd(ret.eclpRtwNo);
    await waitForReturn('RTS-EX', 'RECEIVED');
  });

  it('a rejected exchange return sends the replacement back while it is in review, and refunds it at JD once pushed', async () => {
    await shippedOrder('RTS-SO-EXR');
    await createReturn({ returnNo: 'RTS-EXR', orderNo: 'RTS-SO-EXR', type: 'EXCHANGE', lines: [{ sku: 'RTS-A', quantity: 1 }], replacementLines: [{ sku: 'RTS-A', quantity: 1 }] }).expect(202);
    const ret = await waitForReturn('RTS-EXR', 'WAITING_INBOUND');
    await sim.control('POST', `returns/${ret.eclpRtwNo}/reject`, { reason: '商品与售后申请不符' });
    await waitForReturn('RTS-EXR', 'REJECTED');
    await until(async () => expect((await getOrder('RTS-EXR-EX')).status).toBe('CANCELLED'));
    expect((await getReturn('RTS-EXR')).replacementOrder).toMatchObject({ orderNo: 'RTS-EXR-EX', status: 'CANCELLED' });
    saveReplayHistory(await stack.client.workflow.getHandle('RTN:RTS-EXR:1').fetchHistory(), 'return-order-exchange-rejected.json');

    // The replacement already at JD (picking held by hand): the return's cancel refunds it through its own saga.
    await sim.setTimeline({ salesOrder: MANUAL });
    try {
      await shippedOrderManually('RTS-SO-EXJ');
      await createReturn({ returnNo: 'RTS-EXJ', orderNo: 'RTS-SO-EXJ', type: 'EXCHANGE', lines: [{ sku: 'RTS-B', quantity: 1 }], replacementLines: [{ sku: 'RTS-B', quantity: 1 }] }).expect(202);
      await waitForReturn('RTS-EXJ', 'WAITING_INBOUND');
      await request(stack.app).post('/v1/sales-orders/RTS-EXJ-EX/approve').set(erp).expect(202);
      await until(async () => expect((await getOrder('RTS-EXJ-EX')).status).toBe('WMS_PICKING'));
      expect((await cancel('RTS-EXJ')).body).toMatchObject({ verdict: 'CANCELLED_AT_JD' });
      await until(async () => expect((await getOrder('RTS-EXJ-EX')).status).toBe('CANCELLED'));
      const refunds = (await getOrder('RTS-EXJ-EX')).cancelRequests;
      expect(refunds).toEqual([expect.objectContaining({ kind: 'buyerRefund', verdict: 'CANCELLED_AT_JD' })]);
    } finally {
      await sim.setTimeline({ salesOrder: FAST });
    }
  });
});

describe('exchanges whose replacement cannot be stopped', () => {
  it('puts the return before an operator when JD refuses the replacement\'s refund (it will ship)', async () => {
    await sim.setTimeline({ salesOrder: MANUAL });
    try {
      await shippedOrderManually('RTS-SO-EXP');
      await createReturn({ returnNo: 'RTS-EXP', orderNo: 'RTS-SO-EXP', type: 'EXCHANGE', lines: [{ sku: 'RTS-B', quantity: 1 }], replacementLines: [{ sku: 'RTS-B', quantity: 1 }] }).expect(202);
      const ret = await waitForReturn('RTS-EXP', 'WAITING_INBOUND');
      await request(stack.app).post('/v1/sales-orders/RTS-EXP-EX/approve').set(erp).expect(202);
      const replacement = await until(async () => {
        const order = await getOrder('RTS-EXP-EX');
        expect(order.status).toBe('WMS_PICKING');
        return order;
      });
      // Picked at the warehouse: JD refuses every cancel from now on.
      await sim.moveSalesOrder(replacement.eclpSoNo, 'pick');
      await sim.moveSalesOrder(replacement.eclpSoNo, 'pack');
      await sim.control('POST', `returns/${ret.eclpRtwNo}/reject`, { reason: '退回商品与申请不符' });
      await waitForReturn('RTS-EXP', 'REJECTED');
      const flagged = await until(async () => {
        const r = await getReturn('RTS-EXP');
        expect(r.attention).toEqual(expect.stringContaining('RTS-EXP-EX'));
        return r;
      });
      expect(flagged.log).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'attention' })]));
      expect((await getOrder('RTS-EXP-EX')).cancelRequests).toEqual([expect.objectContaining({ kind: 'buyerRefund', verdict: 'REFUSED_BY_JD' })]);
      const listed = await request(stack.app).get('/v1/returns').query({ attention: 'true' }).set(operator).expect(200);
      expect(JSON.stringify(listed.body)).toContain('RTS-EXP');
    } finally {
      await sim.setTimeline({ salesOrder: FAST });
    }
  });
});

/** With the manual timeline: push, then move the order to shipped by hand. */
async function shippedOrderManually(orderNo: string) {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(erp)
    .send({
      orderNo,
      warehouseCode: 'BJ',
      carrierCode: 'JDEX',
      consignee: { name: '李四', mobile: '13800138001', province: '北京', city: '北京市', county: '海淀区', address: '中关村1号' },
      lines: [{ sku: 'RTS-B', quantity: 1, price: 80 }],
    })
    .expect(201);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(erp).expect(202);
  const picking = await until(async () => {
    const order = await getOrder(orderNo);
    expect(order.status).toBe('WMS_PICKING');
    return order;
  });
  for (const move of ['pick', 'pack', 'ship']) await sim.moveSalesOrder(picking.eclpSoNo, move);
  await until(async () => expect((await getOrder(orderNo)).status).toBe('SHIPPED'));
}
