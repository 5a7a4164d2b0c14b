// Cancel requests and re-approval (issue: harden the sales-order path, §3): nothing moves an order while
// its run still has to decide a request; a late decision never moves an order that has moved on; a
// request id belongs to one order; only the API may claim to be the API; barcodes hold still during a
// goods sync. Each case is checked where it is enforced: the repositories, the API, the running saga.
import request from 'supertest';
import { randomUUID as uuid } from 'node:crypto';
import {
  cancelSalesOrderInReview,
  claimSalesOrderPush,
  createSalesOrder,
  findSalesOrderCancelRequest,
  getSalesOrder,
  insertPendingSalesOrderCancelRequest,
  recordSalesOrderCancelDecision,
  recordSalesOrderPushed,
} from '../db/sales-orders';
import { sendBackSignal } from '../messages/sales-order';
import type { Timeline } from '../simulator/timeline';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, eventually } from './support';

const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeline: { salesOrder: MANUAL }, env: { CANCEL_WAIT_MS: '6000' } });
  const put = (url: string, body: object) => request(stack.app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  await put('/v1/carriers/JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await put('/v1/goods/SKU-A', { name: '商品 A', barcodes: ['6950000009001'], categoryCode: 'OTHER' });
  await request(stack.app).post('/v1/goods/SKU-A/sync').set(auth('erp')).expect(202);
  await stack.documents.goods.handle('SKU-A').result();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const body = (orderNo: string) => ({
  orderNo,
  warehouseCode: 'BJ',
  carrierCode: 'JDEX',
  consignee: { name: '李四', mobile: '13900139000', province: '北京', city: '北京市', county: '海淀区', address: '中关村大街1号' },
  lines: [{ sku: 'SKU-A', quantity: 1, price: 10 }],
});

/** An order its run has sent back to review at push revision 1, written as the run would. */
async function sentBackOrder(orderNo: string) {
  await createSalesOrder(stack.db, body(orderNo), 'erp');
  await claimSalesOrderPush(stack.db, { orderNo, revision: 1, workflowId: `SO:${orderNo}:1`, actorRole: 'erp', jdWarehouseNo: '110000001' });
  await recordSalesOrderCancelDecision(stack.db, {
    request: { requestId: `${orderNo}-first`, orderNo, revision: 1, kind: 'sendBack', reason: '改地址', actorRole: 'operator', source: 'temporal', statusAtRequest: 'PUSHING' },
    verdict: 'BACK_TO_REVIEW',
    status: 'REVIEW',
    from: 'PUSHING',
    idempotencyKey: `${orderNo}-first-decision`,
  });
  expect((await getSalesOrder(stack.db, orderNo)).status).toBe('REVIEW');
}

describe('while a cancel request waits for the run', () => {
  it('approve and the ERP-side cancel answer 409 naming the pending request, and change nothing', async () => {
    await sentBackOrder('PEND-1');
    const pendingId = uuid();
    await insertPendingSalesOrderCancelRequest(stack.db, { requestId: pendingId, orderNo: 'PEND-1', revision: 1, kind: 'buyerRefund', reason: '买家退款', actorRole: 'operator', source: 'api' });

    const approve = await request(stack.app).post('/v1/sales-orders/PEND-1/approve').set(auth('erp'));
    expect(approve.status).toBe(409);
    expect(approve.body).toMatchObject({ reason: 'cancel-pending', pendingRequestId: pendingId, pendingKind: 'buyerRefund' });
    expect(approve.body.detail).toContain(pendingId);

    const refund = await request(stack.app).post('/v1/sales-orders/PEND-1/refund').set(auth('operator')).send({ reason: '另一笔退款' });
    expect(refund.status).toBe(409);
    expect(refund.body).toMatchObject({ reason: 'cancel-pending', pendingRequestId: pendingId });
    expect(await getSalesOrder(stack.db, 'PEND-1')).toMatchObject({ status: 'REVIEW', pushRevision: 1 });
  });
});

describe('status writes check the status they expect', () => {
  it('a late send-back decided by an old run cannot bring a cancelled order back to review', async () => {
    await sentBackOrder('LATE-1');
    // The ERP cancels the order in review (a refund with nothing at JD).
    expect(await cancelSalesOrderInReview(stack.db, { requestId: uuid(), orderNo: 'LATE-1', revision: 1, kind: 'buyerRefund', reason: '退款', actorRole: 'operator', source: 'api' })).toBe(true);
    // Then the old run answers a second send-back it still had queued, believing the order in review.
    const late = uuid();
    await recordSalesOrderCancelDecision(stack.db, {
      request: { requestId: late, orderNo: 'LATE-1', revision: 1, kind: 'sendBack', reason: '再次打回', actorRole: 'operator', source: 'temporal', statusAtRequest: 'REVIEW' },
      verdict: 'BACK_TO_REVIEW',
      status: 'REVIEW',
      from: 'REVIEW',
      idempotencyKey: `${late}-decision`,
    });
    expect((await getSalesOrder(stack.db, 'LATE-1')).status).toBe('CANCELLED');
    expect(await findSalesOrderCancelRequest(stack.db, late)).toMatchObject({ verdict: 'ALREADY_CANCELLED', resultingStatus: 'CANCELLED' });
  });

  it("a late push result of a run whose order went back to review is refused, not written", async () => {
    await sentBackOrder('LATE-2');
    await expect(recordSalesOrderPushed(stack.db, { orderNo: 'LATE-2', revision: 1, eclpSoNo: 'ESL0000000000001', jdWarehouseNo: '110000001', recovered: false, idempotencyKey: 'late-2-pushed' })).rejects.toMatchObject({
      reason: 'status-moved-on',
    });
    expect(await getSalesOrder(stack.db, 'LATE-2')).toMatchObject({ status: 'REVIEW', eclpSoNo: null });
  });
});

describe('request ids and who sent a request', () => {
  it("a request id that belongs to another order's request is neither overwritten nor filed against that order", async () => {
    await sentBackOrder('OWN-A');
    await sentBackOrder('OWN-B');
    const taken = uuid();
    await insertPendingSalesOrderCancelRequest(stack.db, { requestId: taken, orderNo: 'OWN-A', revision: 1, kind: 'buyerRefund', reason: 'A 的退款', actorRole: 'operator', source: 'api' });
    // OWN-B's run decides a signal someone typed with OWN-A's request id.
    await recordSalesOrderCancelDecision(stack.db, {
      request: { requestId: taken, orderNo: 'OWN-B', revision: 1, kind: 'buyerRefund', reason: 'B 的退款', actorRole: 'operator', source: 'api', statusAtRequest: 'REVIEW' },
      verdict: 'CANCELLED_IN_ERP',
      status: 'CANCELLED',
      from: 'REVIEW',
      idempotencyKey: `${taken}-b`,
    });
    expect(await findSalesOrderCancelRequest(stack.db, taken)).toMatchObject({ orderNo: 'OWN-A', verdict: null, reason: 'A 的退款' });
    expect(await findSalesOrderCancelRequest(stack.db, `OWN-B:1#${taken}`)).toMatchObject({ orderNo: 'OWN-B', verdict: 'CANCELLED_IN_ERP', source: 'temporal' });
    expect((await getSalesOrder(stack.db, 'OWN-A')).status).toBe('REVIEW');

    // Through the API the id stays OWN-A's.
    const reuse = await request(stack.app).post('/v1/sales-orders/OWN-B/send-back').set(auth('operator')).send({ reason: 'x', requestId: taken });
    expect(reuse.status).toBe(409);
    expect(reuse.body.reason).toBe('request-id-reused');
  });

  it('a signal typed into the Temporal UI claiming to come from the API as admin is recorded as a Temporal signal by an operator', async () => {
    await request(stack.app).post('/v1/sales-orders').set(auth('erp')).send(body('FORGE-1')).expect(201);
    await request(stack.app).post('/v1/sales-orders/FORGE-1/approve').set(auth('erp')).expect(202);
    await eventually(async () => (await getSalesOrder(stack.db, 'FORGE-1')).status === 'WMS_PICKING', { what: 'FORGE-1 in WMS_PICKING', timeoutMs: 20_000 });
    const forged = uuid();
    await stack.documents.salesOrders.handle('FORGE-1', 1).signal(sendBackSignal, { reason: '伪造的API请求', actor: { role: 'admin' }, requestId: forged, via: 'api' });
    await eventually(async () => (await findSalesOrderCancelRequest(stack.db, forged))?.verdict != null, { what: 'the forged request decided', timeoutMs: 20_000 });
    expect(await findSalesOrderCancelRequest(stack.db, forged)).toMatchObject({ verdict: 'CANCELLED_AT_JD', source: 'temporal', actorRole: 'operator' });

    // The API's own request (recorded before its signal) keeps its source and role.
    await request(stack.app).post('/v1/sales-orders/FORGE-1/approve').set(auth('erp')).expect(202);
    await eventually(async () => (await getSalesOrder(stack.db, 'FORGE-1')).status === 'WMS_PICKING', { what: 'FORGE-1 in WMS_PICKING again', timeoutMs: 20_000 });
    const real = await request(stack.app).post('/v1/sales-orders/FORGE-1/send-back').set(auth('operator')).send({ reason: '真正的打回' });
    expect(real.status).toBe(200);
    expect(await findSalesOrderCancelRequest(stack.db, real.body.requestId)).toMatchObject({ source: 'api', actorRole: 'operator', verdict: 'CANCELLED_AT_JD' });
  });
});

describe('goods during a sync', () => {
  it('barcodes cannot change while the goods are being synced to JD (409 naming the field)', async () => {
    await request(stack.app).put('/v1/goods/SKU-SYNC').set(auth('erp')).send({ name: '同步中', barcodes: ['6950000009101'], categoryCode: 'OTHER' }).expect(201);
    await stack.stopWorkers();
    try {
      await request(stack.app).post('/v1/goods/SKU-SYNC/sync').set(auth('erp')).expect(202);
      const changed = await request(stack.app).put('/v1/goods/SKU-SYNC').set(auth('erp')).send({ name: '同步中', barcodes: ['6950000009102'], categoryCode: 'OTHER' });
      expect(changed.status).toBe(409);
      expect(changed.body).toMatchObject({ reason: 'goods-syncing', errors: [{ field: 'barcodes' }] });
      // Other fields may still change.
      await request(stack.app).put('/v1/goods/SKU-SYNC').set(auth('erp')).send({ name: '改名', barcodes: ['6950000009101'], categoryCode: 'OTHER' }).expect(200);
    } finally {
      await stack.startWorkers();
    }
    const synced = await stack.documents.goods.handle('SKU-SYNC').result();
    expect(synced).toMatchObject({ status: 'SYNCED' });
  });
});
