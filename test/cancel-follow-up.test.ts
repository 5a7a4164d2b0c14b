// After a cancel JD refused (issue 12 §5), on the real stack: a refund JD refuses because picking began
// leaves a follow-up on the order; when the order ships, a return draft (type RETURN, the shipped lines,
// the refund's reason, linked to the order and the refused request) is created with the shipment booking;
// it is listed and on the attention list until an operator confirms it, which pushes it to JD like any
// created return.
import request from 'supertest';
import { holdAndFollowUpAttention } from '../db/attention/holds-and-follow-ups';
import { MAX_RETURN_NO, refundReturnDraftNoOf } from '../domain/return-order';
import { codeSchema } from '../domain/master-data';
import type { Timeline } from '../simulator/timeline';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, CONSIGNEE, readSalesOrder, untilSalesOrderStatus, seedSalesOrderMasterData, SimControl, until } from './support';

const MANUAL: Timeline['salesOrder'] = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };

let stack: TestStack;
let sim: SimControl;

beforeAll(async () => {
  stack = await startTestStack({ timeline: { salesOrder: MANUAL, returnOrder: { receiveAfterMs: null } }, env: { SO_POLL_INTERVAL_MS: '250', CANCEL_WAIT_MS: '8000' } });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, { goods: [['FUP-A', '6950000012101'], ['FUP-B', '6950000012102']], synced: ['FUP-A', 'FUP-B'] });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const erp = auth('erp');
const operator = auth('operator');
const attention = () => holdAndFollowUpAttention(stack.db, { now: new Date(), waitingThresholdMs: { SO: 3_600_000, PO: 3_600_000, RTN: 3_600_000 }, pushingThresholdMs: 3_600_000 });

const getOrder = (orderNo: string) => readSalesOrder(stack.app, orderNo);
const waitForStatus = (orderNo: string, status: string) => untilSalesOrderStatus(stack.app, orderNo, status);

/** An order JD is picking (its cancel will be refused), A×2 and B×1. */
async function pickedOrder(orderNo: string) {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(erp)
    .send({ orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'FUP-A', quantity: 2, price: 30 }, { sku: 'FUP-B', quantity: 1, price: 45 }] })
    .expect(201);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(erp).expect(202);
  const picking = await waitForStatus(orderNo, 'WMS_PICKING');
  await sim.moveSalesOrder(picking.eclpSoNo, 'pick');
  return picking;
}

async function ship(eclpSoNo: string, wayBill: string) {
  await sim.moveSalesOrder(eclpSoNo, 'pack');
  await sim.moveSalesOrder(eclpSoNo, 'ship', { wayBill });
}

it('refused refund → the order ships → a return draft with its lines → confirmed → the return saga pushes it to JD', async () => {
  const picking = await pickedOrder('FUP-1');
  const refund = await request(stack.app).post('/v1/sales-orders/FUP-1/refund').set(operator).send({ reason: '买家已退款' });
  expect(refund.status).toBe(200);
  expect(refund.body).toMatchObject({ verdict: 'REFUSED_BY_JD', status: 'WMS_PICKING', jdMessage: expect.stringContaining('不允许取消') });

  const waiting = await getOrder('FUP-1');
  expect(waiting.followUp).toMatchObject({ requestId: refund.body.requestId, kind: 'buyerRefund', state: 'waiting-for-shipment', jdMessage: refund.body.jdMessage, returnDraft: null });
  expect(waiting.followUp.next).toContain('return draft');
  expect((await attention()).filter((i) => i.documentNo === 'FUP-1')).toEqual([expect.objectContaining({ kind: 'cancel_refused', since: waiting.followUp.refusedAt })]);

  await ship(picking.eclpSoNo, 'JDVFUP0001');
  const shipped = await waitForStatus('FUP-1', 'SHIPPED');
  const returnNo = refundReturnDraftNoOf('FUP-1');
  expect(returnNo).toBe('FUP-1-RF');
  expect(shipped.followUp).toMatchObject({ state: 'return-draft', returnDraft: { returnNo, status: 'DRAFT', statusLabel: '草稿', confirm: `POST /v1/returns/${returnNo}/confirm` } });
  expect(shipped.log.map((e: { action: string }) => e.action)).toContain('return_drafted');

  const draft = (await request(stack.app).get(`/v1/returns/${returnNo}`).set(operator).expect(200)).body;
  expect(draft).toMatchObject({
    returnNo,
    orderNo: 'FUP-1',
    type: 'RETURN',
    status: 'DRAFT',
    statusLabel: '草稿',
    reason: '买家已退款',
    warehouseCode: 'BJ',
    workflowId: null,
    draftOf: { orderNo: 'FUP-1', cancelRequestId: refund.body.requestId, confirm: `POST /v1/returns/${returnNo}/confirm` },
  });
  expect(draft.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([['FUP-A', 2], ['FUP-B', 1]]);
  const drafts = (await request(stack.app).get('/v1/returns?status=DRAFT').set(operator).expect(200)).body;
  expect(drafts.items.map((r: { returnNo: string }) => r.returnNo)).toEqual([returnNo]);
  // Shipped: the refusal is off the list, the draft is on it.
  expect((await attention()).filter((i) => i.documentNo === 'FUP-1' || i.documentNo === returnNo)).toEqual([
    expect.objectContaining({ kind: 'return_draft', subject: 'RTN', documentNo: returnNo, nextAction: `POST /v1/returns/${returnNo}/confirm`, href: `/v1/returns/${returnNo}` }),
  ]);

  expect((await request(stack.app).post(`/v1/returns/${returnNo}/confirm`).set(erp)).status).toBe(403);
  const confirmed = await request(stack.app).post(`/v1/returns/${returnNo}/confirm`).set(operator);
  expect(confirmed.status).toBe(202);
  expect(confirmed.body).toMatchObject({ returnNo, status: expect.stringMatching(/^(PUSHING|WAITING_INBOUND)$/), workflowId: `RTN:${returnNo}:1` });
  const atJd = await until(async () => {
    const ret = (await request(stack.app).get(`/v1/returns/${returnNo}`).set(operator).expect(200)).body;
    expect(ret.status).toBe('WAITING_INBOUND');
    return ret;
  }, 30_000);
  expect(atJd.draftOf).toMatchObject({ orderNo: 'FUP-1', confirm: null });
  const jd = await sim.control<{ eclpSoNo: string; isvRtwNum: string }>('GET', `returns/${atJd.eclpRtwNo}`);
  expect(jd).toMatchObject({ eclpSoNo: picking.eclpSoNo, isvRtwNum: `${returnNo}-1` });
  expect((await attention()).filter((i) => i.documentNo === returnNo)).toEqual([]);

  const again = await request(stack.app).post(`/v1/returns/${returnNo}/confirm`).set(operator);
  expect(again.status).toBe(409);
  expect(again.body).toMatchObject({ reason: 'not-draft', currentStatus: 'WAITING_INBOUND' });
  expect((await getOrder('FUP-1')).followUp.next).toContain('was confirmed');
});

it('a refused send-back leaves no draft: the order shipped despite it', async () => {
  const picking = await pickedOrder('FUP-2');
  const sendBack = await request(stack.app).post('/v1/sales-orders/FUP-2/send-back').set(operator).send({ reason: '改地址' });
  expect(sendBack.body).toMatchObject({ verdict: 'REFUSED_BY_JD' });
  await ship(picking.eclpSoNo, 'JDVFUP0002');
  const shipped = await waitForStatus('FUP-2', 'SHIPPED');
  expect(shipped.followUp).toMatchObject({ kind: 'sendBack', state: 'shipped-despite-refusal', returnDraft: null });
  expect(shipped.returns).toEqual([]);
  expect((await attention()).filter((i) => i.documentNo.startsWith('FUP-2'))).toEqual([]);
});

it('confirm refuses what is not a draft, and a draft whose goods another return claimed since', async () => {
  expect((await request(stack.app).post('/v1/returns/NO-SUCH-RTN/confirm').set(operator)).status).toBe(404);
  const picking = await pickedOrder('FUP-3');
  await request(stack.app).post('/v1/sales-orders/FUP-3/refund').set(operator).send({ reason: '退款' }).expect(200);
  await ship(picking.eclpSoNo, 'JDVFUP0003');
  await waitForStatus('FUP-3', 'SHIPPED');
  // The ERP creates its own return of everything first: the draft's lines are no longer available.
  await request(stack.app)
    .post('/v1/returns')
    .set(erp)
    .send({ returnNo: 'FUP-3-ERP', orderNo: 'FUP-3', type: 'RETURN', warehouseCode: 'BJ', reason: '退货', lines: [{ sku: 'FUP-A', quantity: 2 }] })
    .expect(202);
  const refused = await request(stack.app).post('/v1/returns/FUP-3-RF/confirm').set(operator);
  expect(refused.status).toBe(422);
  expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'lines.0.quantity' })]);
  expect((await request(stack.app).get('/v1/returns/FUP-3-RF').set(operator)).body).toMatchObject({ status: 'DRAFT', workflowId: null });
  const notDraft = await request(stack.app).post('/v1/returns/FUP-3-ERP/confirm').set(operator);
  expect(notDraft.status).toBe(409);
  expect(notDraft.body.reason).toBe('not-draft');
});

it('derives the draft number from the order number within the 45-character limit, the same every time', () => {
  const long = `SO-${'x'.repeat(47)}`;
  expect(long).toHaveLength(50);
  const draft = refundReturnDraftNoOf(long);
  expect(draft.length).toBeLessThanOrEqual(MAX_RETURN_NO);
  expect(codeSchema.safeParse(draft).success).toBe(true);
  expect(refundReturnDraftNoOf(long)).toBe(draft);
  expect(refundReturnDraftNoOf(`${long.slice(0, -1)}y`)).not.toBe(draft);
  expect(refundReturnDraftNoOf('A'.repeat(42))).toBe(`${'A'.repeat(42)}-RF`);
});
