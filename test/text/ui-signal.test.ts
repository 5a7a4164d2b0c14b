// Issue 9 §1 inside the workflow: a cancel typed into the Temporal UI/CLI whose reason the database
// cannot store (NUL, unpaired surrogate, bidi override) is ignored and counted, as any malformed signal
// is — before, it was taken in, JD cancelled the order, and recording the verdict retried for ever while
// the ERP still showed WMS配货. The run's history is committed for the replay test (the new branch of
// STORABLE_CANCEL_REASON_PATCH):
//   UPDATE_REPLAY_HISTORIES=1 npx jest test/text/ui-signal.test.ts
import request from 'supertest';
import { salesOrderStatusQuery } from '../../messages/sales-order';
import { STORABLE_CANCEL_REASON_PATCH } from '../../workflows/saga/cancel-inbox';
import { startTestStack, type TestStack } from '../helpers/stack';
import { auth, eventually, saveReplayHistory } from '../support';

const MANUAL = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeline: { salesOrder: MANUAL } });
  const put = (url: string, body: object) => request(stack.app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  await put('/v1/carriers/JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await put('/v1/goods/SKU-A', { name: '商品 A', barcodes: ['6950000001001'], categoryCode: 'OTHER' });
  await request(stack.app).post('/v1/goods/SKU-A/sync').set(auth('erp')).expect(202);
  await eventually(async () => (await request(stack.app).get('/v1/goods/SKU-A').set(auth('erp'))).body.syncStatus === 'SYNCED', { what: 'SKU-A synced to JD' });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const getOrder = async (orderNo: string) => (await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator')).expect(200)).body;

it('a refund typed into the Temporal UI with a NUL, a lone surrogate or U+202E in its reason is ignored and counted; a clean one is carried out', async () => {
  const orderNo = 'UI-TEXT-1';
  const consignee = { name: '张三', mobile: '13800000000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' };
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(auth('erp'))
    .send({ orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee, lines: [{ sku: 'SKU-A', quantity: 1, price: 59.9 }] })
    .expect(201);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp')).expect(202);
  await eventually(async () => (await getOrder(orderNo)).status === 'WMS_PICKING', { what: 'the order in WMS配货' });

  // Exactly what `temporal workflow signal --name buyerRefund --input '{…}'` sends: no requestId, no via.
  const handle = stack.client.workflow.getHandle(`SO:${orderNo}:1`);
  for (const reason of ['买家\u0000退款', '买家\uD800退款', '\u202E款退家买']) await handle.signal('buyerRefund', { reason, actor: { role: 'operator' } });
  const state = await handle.query(salesOrderStatusQuery);
  expect(state).toMatchObject({ status: 'WMS_PICKING', ignoredSignals: 3, pendingCancels: [] });
  expect((await getOrder(orderNo)).cancelRequests).toEqual([]);

  await handle.signal('buyerRefund', { reason: '买家退款', actor: { role: 'operator' } });
  expect(await handle.result()).toMatchObject({ status: 'CANCELLED' });
  const order = await getOrder(orderNo);
  expect(order.status).toBe('CANCELLED');
  expect(order.cancelRequests).toEqual([expect.objectContaining({ requestId: `SO:${orderNo}:1#signal-4`, source: 'temporal', verdict: 'CANCELLED_AT_JD', reason: '买家退款' })]);

  const history = await handle.fetchHistory();
  // The run took the patched branch: its marker is in the history the replay test keeps.
  const patchIds = (history.events ?? [])
    .flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? [])
    .map((payload) => (JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')) as { id: string }).id);
  expect(patchIds).toContain(STORABLE_CANCEL_REASON_PATCH);
  saveReplayHistory(history, 'sales-order-unstorable-reason-ignored.json');
});
