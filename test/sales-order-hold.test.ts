// 挂起 (hold, emulated: ECLP has none; issue 12 §4) on the real stack: an order in review is held from
// approval and released to review; an order at JD is cancelled there, ends its run at HELD, and its
// release pushes it again under the next revision (JD gets a second order, isvUUID {orderNo}-2); a hold
// JD refuses (picking began) is answered like a refused cancel and leaves a follow-up; bad input is a 4xx.
import request from 'supertest';
import { holdAndFollowUpAttention } from '../db/attention/holds-and-follow-ups';
import { salesOrderStatusQuery } from '../messages/sales-order';
import type { Timeline } from '../simulator/timeline';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, CONSIGNEE, readSalesOrder, untilSalesOrderStatus, saveReplayHistory, seedSalesOrderMasterData, SimControl } from './support';

const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };

let stack: TestStack;
let sim: SimControl;

beforeAll(async () => {
  stack = await startTestStack({ timeline: { salesOrder: MANUAL }, env: { SO_POLL_INTERVAL_MS: '250', CANCEL_WAIT_MS: '8000' } });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, { goods: [['HLD-A', '6950000012001']], synced: ['HLD-A'] });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const erp = auth('erp');
const operator = auth('operator');
const attentionNow = () => holdAndFollowUpAttention(stack.db, { now: new Date(), waitingThresholdMs: { SO: 3_600_000, PO: 3_600_000, RTN: 3_600_000 }, pushingThresholdMs: 3_600_000 });

async function createOrder(orderNo: string) {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(erp)
    .send({ orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'HLD-A', quantity: 2, price: 30 }] })
    .expect(201);
}

const getOrder = (orderNo: string) => readSalesOrder(stack.app, orderNo);
const waitForStatus = (orderNo: string, status: string) => untilSalesOrderStatus(stack.app, orderNo, status);

async function pickingOrder(orderNo: string) {
  await createOrder(orderNo);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(erp).expect(202);
  return waitForStatus(orderNo, 'WMS_PICKING');
}

const hold = (orderNo: string, body: object) => request(stack.app).post(`/v1/sales-orders/${orderNo}/hold`).set(operator).send(body);
const release = (orderNo: string, body: object = {}) => request(stack.app).post(`/v1/sales-orders/${orderNo}/release`).set(operator).send(body);
type SimOrder = { eclpSoNo: string; isvUUID: string; currentStatus: string };
const jdOrdersFor = (isvUUID: string) => sim.control<SimOrder[]>('GET', `sales-orders?isvUUID=${encodeURIComponent(isvUUID)}`);

it('holds an order in review at once: approve is refused naming HELD, release brings it back to review', async () => {
  await createOrder('HLD-REV');
  const until = new Date(Date.now() + 3_600_000).toISOString();
  const held = await hold('HLD-REV', { reason: '客户要求暂缓发货', until });
  expect(held.status).toBe(200);
  expect(held.body).toMatchObject({ kind: 'hold', verdict: 'HELD_IN_ERP', outcome: 'HELD_BEFORE_APPROVAL', status: 'HELD', statusLabel: '挂起' });

  const order = await getOrder('HLD-REV');
  expect(order).toMatchObject({ status: 'HELD', statusLabel: '挂起', pushRevision: 0, workflowId: null, followUp: null });
  expect(order.hold).toMatchObject({ reason: '客户要求暂缓发货', until, expired: false, heldFrom: 'REVIEW', heldAt: expect.any(String) });
  expect(order.hold.release).toContain('back to review');

  const approve = await request(stack.app).post('/v1/sales-orders/HLD-REV/approve').set(erp);
  expect(approve.status).toBe(409);
  expect(approve.body).toMatchObject({ reason: 'held', currentStatus: 'HELD' });
  expect(approve.body.detail).toContain('HELD');
  expect((await hold('HLD-REV', { reason: '再挂起' })).body).toMatchObject({ status: 409, reason: 'already-held' });
  expect((await request(stack.app).post('/v1/sales-orders/HLD-REV/send-back').set(operator).send({ reason: 'x' })).body).toMatchObject({ status: 409, reason: 'held' });

  // Not expired now; listed once `until` has passed (no automatic release).
  expect((await attentionNow()).filter((i) => i.documentNo === 'HLD-REV')).toEqual([]);
  const later = await holdAndFollowUpAttention(stack.db, { now: new Date(Date.now() + 2 * 3_600_000), waitingThresholdMs: { SO: 1, PO: 1, RTN: 1 }, pushingThresholdMs: 1 });
  expect(later.filter((i) => i.documentNo === 'HLD-REV')).toEqual([
    expect.objectContaining({ kind: 'hold_expired', subject: 'SO', since: until, nextAction: expect.stringContaining('/v1/sales-orders/HLD-REV/release') }),
  ]);

  const released = await release('HLD-REV', { reason: '客户确认发货' });
  expect(released.status).toBe(200);
  expect(released.body).toMatchObject({ outcome: 'RELEASED_TO_REVIEW', heldFrom: 'REVIEW', status: 'REVIEW', pushRevision: 0 });
  expect(await getOrder('HLD-REV')).toMatchObject({ status: 'REVIEW', hold: null });
  expect((await release('HLD-REV')).body).toMatchObject({ status: 409, reason: 'not-held', currentStatus: 'REVIEW' });
  await request(stack.app).post('/v1/sales-orders/HLD-REV/approve').set(erp).expect(202);
  const log = (await getOrder('HLD-REV')).log.map((e: { action: string }) => e.action);
  expect(log).toEqual(['created', 'hold', 'released', 'approved']);
});

it('holds an order at JD by cancelling it there; the release pushes it again under the next revision', async () => {
  const picking = await pickingOrder('HLD-JD');
  const held = await hold('HLD-JD', { reason: '库存核对' });
  expect(held.status).toBe(200);
  expect(held.body).toMatchObject({ verdict: 'CANCELLED_AT_JD', outcome: 'CANCELLED_AT_JD_HELD', status: 'HELD', jdMessage: '取消成功' });
  expect(held.body.message).toContain('release');
  expect((await jdOrdersFor('HLD-JD-1')).map((o) => o.currentStatus)).toEqual(['10028']);

  const handle = stack.client.workflow.getHandle('SO:HLD-JD:1');
  expect(await handle.result()).toMatchObject({ status: 'HELD' });
  expect(await handle.query(salesOrderStatusQuery)).toMatchObject({ status: 'HELD', pendingCancels: [] });
  saveReplayHistory(await handle.fetchHistory(), 'sales-order-hold-at-jd.json');
  const order = await getOrder('HLD-JD');
  expect(order).toMatchObject({ status: 'HELD', eclpSoNo: null, pushRevision: 1 });
  expect(order.hold).toMatchObject({ reason: '库存核对', until: null, heldFrom: 'WMS_PICKING' });
  expect(order.hold.release).toContain('pushes it to JD again');
  expect(picking.eclpSoNo).toEqual(expect.any(String));

  const released = await release('HLD-JD');
  expect(released.status).toBe(202);
  expect(released.body).toMatchObject({ outcome: 'REPUSHED', heldFrom: 'WMS_PICKING', status: 'PUSHING', pushRevision: 2, workflowId: 'SO:HLD-JD:2' });
  const again = await waitForStatus('HLD-JD', 'WMS_PICKING');
  expect(again.eclpSoNo).not.toBe(picking.eclpSoNo);
  expect((await jdOrdersFor('HLD-JD-2')).map((o) => o.eclpSoNo)).toEqual([again.eclpSoNo]);
  expect(again.log.map((e: { action: string }) => e.action)).toEqual(['created', 'approved', 'pushed', 'hold', 'released', 'approved', 'pushed']);
});

it('a hold JD refuses (picking began) is answered like a refused cancel; the order ships and the follow-up says so', async () => {
  const picking = await pickingOrder('HLD-LATE');
  await sim.moveSalesOrder(picking.eclpSoNo, 'pick');
  const held = await hold('HLD-LATE', { reason: '客户要求暂缓' });
  expect(held.status).toBe(200);
  expect(held.body).toMatchObject({ verdict: 'REFUSED_BY_JD', outcome: 'REFUSED_BY_JD', status: 'WMS_PICKING', jdMessage: expect.stringContaining('不允许取消') });
  expect(held.body.message).toContain('will ship');

  const order = await getOrder('HLD-LATE');
  expect(order).toMatchObject({ status: 'WMS_PICKING', hold: null });
  expect(order.followUp).toMatchObject({ kind: 'hold', state: 'waiting-for-shipment', jdMessage: held.body.jdMessage, reason: '客户要求暂缓', refusedAt: expect.any(String), returnDraft: null });
  expect((await attentionNow()).filter((i) => i.documentNo === 'HLD-LATE')).toEqual([
    expect.objectContaining({ kind: 'cancel_refused', subject: 'SO', workflowId: 'SO:HLD-LATE:1', since: order.followUp.refusedAt, why: expect.stringContaining(held.body.jdMessage) }),
  ]);

  await sim.moveSalesOrder(picking.eclpSoNo, 'pack');
  await sim.moveSalesOrder(picking.eclpSoNo, 'ship', { wayBill: 'JDVHOLD0001' });
  const shipped = await waitForStatus('HLD-LATE', 'SHIPPED');
  expect(shipped.followUp).toMatchObject({ kind: 'hold', state: 'shipped-despite-refusal', returnDraft: null });
  expect(shipped.returns).toEqual([]);
  // Shipped: off the attention list (only refund drafts stay listed).
  expect((await attentionNow()).filter((i) => i.documentNo === 'HLD-LATE')).toEqual([]);
  expect((await hold('HLD-LATE', { reason: '太晚了' })).body).toMatchObject({ status: 409, reason: 'already-shipped' });
});

it('refuses bad hold and release requests with a 4xx naming the field, and changes nothing', async () => {
  await createOrder('HLD-BAD');
  const fieldsOf = (res: request.Response) => (res.body.errors as Array<{ field: string }>).map((e) => e.field);
  const noReason = await hold('HLD-BAD', {});
  expect(noReason.status).toBe(400);
  expect(noReason.headers['content-type']).toContain('application/problem+json');
  expect(fieldsOf(noReason)).toContain('reason');
  const past = await hold('HLD-BAD', { reason: '暂缓', until: '2020-01-01T00:00:00Z' });
  expect(past.status).toBe(400);
  expect(fieldsOf(past)).toContain('until');
  expect(fieldsOf(await hold('HLD-BAD', { reason: '暂缓', until: 'tomorrow' }))).toContain('until');
  expect(fieldsOf(await hold('HLD-BAD', { reason: 'a\u202Eb' }))).toContain('reason');
  expect((await hold('HLD-BAD', { reason: '暂缓', extra: 1 })).status).toBe(400);
  expect(fieldsOf(await release('HLD-BAD', { reason: 5 }))).toContain('reason');
  expect((await request(stack.app).post('/v1/sales-orders/HLD-BAD/hold').set(erp).send({ reason: '暂缓' })).status).toBe(403);
  expect((await request(stack.app).post('/v1/sales-orders/HLD-BAD/release').set(erp).send({})).status).toBe(403);
  expect((await hold('NO-SUCH-ORDER', { reason: '暂缓' })).status).toBe(404);
  expect((await release('NO-SUCH-ORDER')).status).toBe(404);
  expect(await getOrder('HLD-BAD')).toMatchObject({ status: 'REVIEW', hold: null, cancelRequests: [] });
});
