// The attention list against a database planted with one case of each kind and with documents that are
// fine: it must list exactly the planted cases, each with a next action, oldest first, and an operator's
// acknowledgement must hide an item only until the same document gets into trouble again.
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { parseApiTokens } from '../api/auth';
import { apiRoutes } from '../api/routes';
import { CARRIER, upsertSimple } from '../db/master-data';
import { createPurchaseOrder } from '../db/purchase-orders';
import { createSalesOrder } from '../db/sales-orders';
import { createTestDatabase, testTemporalClient } from './harness';
import { seedGoods, seedPurchaseOrderMasterData } from './purchase-orders/seed';
import { auth, CONSIGNEE, TOKEN_SPEC } from './support';

const HOUR = 3_600_000;
let db: Knex;
let app: ReturnType<typeof createApp>;

const ago = (ms: number) => new Date(Date.now() - ms);

async function salesOrder(orderNo: string, status: string, since: Date, extra: Record<string, unknown> = {}): Promise<void> {
  await createSalesOrder(db, { orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: { ...CONSIGNEE }, lines: [{ sku: 'SKU-A', quantity: 1, price: 10 }] }, 'erp');
  await db('sales_orders').where({ order_no: orderNo }).update({ status: status as never, status_since: since, workflow_id: `SO:${orderNo}:1`, ...extra });
}

async function purchaseOrder(poNo: string, status: string, since: Date, extra: Record<string, unknown> = {}): Promise<void> {
  await createPurchaseOrder(db, { poNo, supplierCode: 'SUP', warehouseCode: 'BJ', lines: [{ sku: 'SKU-A', quantity: 5 }] }, { actorRole: 'erp' });
  await db('purchase_orders').where({ po_no: poNo }).update({ status: status as never, status_since: since, workflow_id: `PO:${poNo}:1`, ...extra });
}

async function returnOf(orderNo: string, returnNo: string, status: string, since: Date, extra: Record<string, unknown> = {}): Promise<void> {
  await db('returns').insert({ return_no: returnNo, order_no: orderNo, type: 'RETURN', warehouse_code: 'BJ', reason: '质量问题', body_hash: 'x', status: status as never, status_since: since, workflow_id: `RTN:${returnNo}:1`, ...extra });
}

const list = (query = '') => request(app).get(`/v1/attention${query}`).set(auth('operator'));
const keys = (items: Array<{ kind: string; subject: string; documentNo: string }>) => items.map((i) => `${i.kind} ${i.subject} ${i.documentNo}`).sort();

beforeAll(async () => {
  db = await createTestDatabase();
  await seedPurchaseOrderMasterData(db);
  await seedGoods(db, 'SKU-A', { jdGoodsNo: 'EMG-A' });
  await upsertSimple(db, CARRIER, 'JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' }, 'erp');
  const temporal = await testTemporalClient();
  const env = { SO_POLL_MAX_WAIT_MS: String(24 * HOUR), PO_POLL_MAX_WAIT_MS: String(7 * 24 * HOUR), RTN_POLL_MAX_WAIT_MS: String(14 * 24 * HOUR), TEMPORAL_UI_URL: 'http://127.0.0.1:8233/' };
  app = createApp({ tokens: parseApiTokens(TOKEN_SPEC), logger: pino({ level: 'silent' }), routes: apiRoutes({ db, temporal, namespace: 'default', taskQueues: { erp: 'att-erp', eclp: 'att-eclp' }, env }) });

  // Planted: one of each.
  await salesOrder('SO-FAILED', 'FAILED', ago(5 * HOUR), { failure_reason: 'JD rejected the order: 商品不存在' });
  await salesOrder('SO-OVERDUE', 'WMS_PICKING', ago(30 * HOUR), { eclp_so_no: 'ESL1' });
  await salesOrder('SO-SHIPPED', 'SHIPPED', ago(40 * HOUR));
  await purchaseOrder('PO-UNCONFIRMED', 'PUSH_UNCONFIRMED', ago(3 * HOUR), { sp_po_order_no: 'PO-UNCONFIRMED-1' });
  await purchaseOrder('PO-STUCK', 'PUSHING', ago(2 * HOUR));
  await purchaseOrder('PO-FAILED', 'FAILED', ago(1 * HOUR), { failure_reason: 'supplier SUP is not mapped' });
  await returnOf('SO-SHIPPED', 'RTN-REJECTED', 'REJECTED', ago(4 * HOUR), { reject_reason: '超期拒收' });
  await returnOf('SO-SHIPPED', 'RTN-EXCHANGE', 'CANCELLED', ago(6 * HOUR), { type: 'EXCHANGE', attention: 'the replacement SO-R shipped although the return was cancelled', attention_since: ago(6 * HOUR) });
  await returnOf('SO-SHIPPED', 'RTN-EXCHANGE-FAILED', 'FAILED', ago(7 * HOUR), { type: 'EXCHANGE', failure_reason: 'JD rejected the return: 原单不存在', replacement_order_no: 'SO-REVIEW' });
  await db('webhook_deliveries').insert({ event_id: 'SO:SO-SHIPPED:1/sales_order.shipped', event_type: 'sales_order.shipped', doc_type: 'SO', doc_key: 'SO-SHIPPED', payload: JSON.stringify({}), status: 'failed', attempts: 10, last_http_status: 500, last_error: 'HTTP 500', failed_at: ago(2.5 * HOUR) });

  // The other features' cases (issue 12): a refused refund of an order still at JD, a return drafted after
  // one shipped, a hold past its `until`, a stock mismatch, a failed go-live check, JD refusing our token.
  await salesOrder('SO-REFUSED', 'WMS_PICKING', ago(8 * HOUR), { eclp_so_no: 'ESL3', push_revision: 1 });
  await db('cancel_requests').insert({ request_id: 'req-refused', order_no: 'SO-REFUSED', push_revision: 1, kind: 'buyerRefund', reason: '买家退款', actor_role: 'operator', source: 'api', status_at_request: 'WMS_PICKING', verdict: 'REFUSED_BY_JD', resulting_status: 'WMS_PICKING', jd_message: '已拣货，不允许取消', requested_at: ago(7 * HOUR), decided_at: ago(7 * HOUR) });
  await returnOf('SO-SHIPPED', 'SO-SHIPPED-RF', 'DRAFT', ago(90 * 60_000), { created_at: ago(90 * 60_000) });
  await salesOrder('SO-HELD', 'HELD', ago(9 * HOUR), { hold_reason: '客户要求暂缓发货', hold_until: ago(HOUR), held_from: 'REVIEW', held_at: ago(9 * HOUR) });
  await salesOrder('SO-HELD-LATER', 'HELD', ago(9 * HOUR), { hold_reason: '等待补货', hold_until: new Date(Date.now() + 24 * HOUR), held_from: 'REVIEW', held_at: ago(9 * HOUR) });
  const reportId = '7e57a11a-0000-4000-8000-00000000a001';
  await db('stock_reconciliations').insert({ id: reportId, warehouse_code: 'BJ', jd_warehouse_no: '110000001', trigger: 'schedule', status: 'DONE', started_at: ago(10 * HOUR), finished_at: ago(10 * HOUR), sku_count: 1, difference_count: 1, mismatch_count: 1, jd_row_count: 1 });
  await db('stock_reconciliation_lines').insert({ report_id: reportId, line_no: 1, sku: 'SKU-A', jd_goods_no: 'EMG-A', side: 'both', ledger_qty: 5, jd_total_qty: 3, jd_usable_qty: 3, jd_defective_qty: 0, open_inbound_qty: 0, open_outbound_qty: 0, difference: -2, unexplained_qty: -2 });
  const checkId = '7e57a11a-0000-4000-8000-00000000b001';
  await db('go_live_checks').insert({ id: checkId, warehouse_code: 'BJ', carrier_code: 'JDEX', skus: JSON.stringify(['SKU-A']), consignee: JSON.stringify(CONSIGNEE), body_hash: 'x', status: 'FAILED', actor_role: 'admin', summary: 'goods: JD rejected SKU-A: 商品条码重复', finished_at: ago(11 * HOUR) });
  await db('jd_credential_health').insert({ id: 'jd', refused_at: ago(12 * HOUR), refused_code: '19', refused_zh_desc: '无效access_token', refused_method: 'jingdong.eclp.order.queryOrder', last_success_at: ago(13 * HOUR) });

  // Fine: must not be listed.
  await salesOrder('SO-REVIEW', 'REVIEW', ago(100 * HOUR));
  await salesOrder('SO-PICKING', 'WMS_PICKING', ago(2 * HOUR), { eclp_so_no: 'ESL2' });
  await salesOrder('SO-PUSHING', 'PUSHING', ago(60_000));
  await purchaseOrder('PO-WAITING', 'WAITING_INBOUND', ago(3 * 24 * HOUR));
  await purchaseOrder('PO-DONE', 'RECEIVED', ago(30 * 24 * HOUR));
  await returnOf('SO-SHIPPED', 'RTN-OK', 'RECEIVED', ago(HOUR));
  await db('webhook_deliveries').insert({ event_id: 'SO:SO-SHIPPED:1/other', event_type: 'sales_order.shipped', doc_type: 'SO', doc_key: 'SO-SHIPPED', payload: JSON.stringify({}), status: 'delivered', attempts: 1 });
});

afterAll(async () => {
  await db.destroy();
});

test('lists exactly the planted cases, oldest first, each with why, since, a next action and links', async () => {
  const { body } = await list().expect(200);
  expect(keys(body.items)).toEqual(
    [
      'push_failed SO SO-FAILED',
      'waiting_for_jd SO SO-OVERDUE',
      'push_unconfirmed PO PO-UNCONFIRMED',
      'push_stuck PO PO-STUCK',
      'push_failed PO PO-FAILED',
      'return_rejected RTN RTN-REJECTED',
      'exchange_needs_decision RTN RTN-EXCHANGE',
      'exchange_return_failed RTN RTN-EXCHANGE-FAILED',
      'webhook_gave_up WEBHOOK SO:SO-SHIPPED:1/sales_order.shipped',
      'cancel_refused SO SO-REFUSED',
      'return_draft RTN SO-SHIPPED-RF',
      'hold_expired SO SO-HELD',
      'stock_mismatch STOCK 7e57a11a-0000-4000-8000-00000000a001',
      'go_live_check_failed GO_LIVE 7e57a11a-0000-4000-8000-00000000b001',
      'jd_credentials_refused JD_AUTH jd',
    ].sort(),
  );
  const since = body.items.map((i: { since: string }) => i.since);
  expect(since).toEqual([...since].sort());
  expect(body.items[0].documentNo).toBe('SO-OVERDUE');
  // An expired hold is listed from its `until`.
  expect(body.items.at(-1)).toMatchObject({ documentNo: 'SO-HELD', kind: 'hold_expired' });
  for (const item of body.items) {
    expect(item.why).toEqual(expect.any(String));
    expect(item.nextAction).toEqual(expect.any(String));
    expect(item.href).toMatch(/^\/v1\//);
  }
  const failed = body.items.find((i: { documentNo: string }) => i.documentNo === 'SO-FAILED');
  expect(failed).toMatchObject({ why: 'JD rejected the order: 商品不存在', workflowId: 'SO:SO-FAILED:1', workflowUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/SO%3ASO-FAILED%3A1', href: '/v1/sales-orders/SO-FAILED' });
  expect(body.items.find((i: { documentNo: string }) => i.documentNo === 'PO-UNCONFIRMED').nextAction).toContain('/v1/purchase-orders/PO-UNCONFIRMED/link');
  expect(body.items.find((i: { kind: string }) => i.kind === 'webhook_gave_up').nextAction).toContain('/redeliver');
  expect(body.counts).toMatchObject({ push_failed: 2, push_unconfirmed: 1 });
  expect(body.total).toBe(15);
  expect(body.items.find((i: { kind: string }) => i.kind === 'cancel_refused').why).toContain('已拣货，不允许取消');
  expect(body.items.find((i: { kind: string }) => i.kind === 'return_draft').nextAction).toContain('/v1/returns/SO-SHIPPED-RF/confirm');
  expect(body.items.find((i: { kind: string }) => i.kind === 'exchange_return_failed').nextAction).toContain('SO-REVIEW');
});

test('filters by subject, kind and warehouse', async () => {
  expect(keys((await list('?subject=PO').expect(200)).body.items)).toEqual(['push_failed PO PO-FAILED', 'push_stuck PO PO-STUCK', 'push_unconfirmed PO PO-UNCONFIRMED']);
  expect(keys((await list('?kind=push_failed').expect(200)).body.items)).toEqual(['push_failed PO PO-FAILED', 'push_failed SO SO-FAILED']);
  expect((await list('?warehouse=SH').expect(200)).body.items).toEqual([]);
  const bad = await list('?subject=XX&kind=Bad-Kind').expect(400);
  expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.kind', 'query.subject']);
});

test('an acknowledgement hides the item until the document is in trouble again', async () => {
  const ack = { kind: 'return_rejected', subject: 'RTN', documentNo: 'RTN-REJECTED', note: '已与买家协商退款' };
  await request(app).post('/v1/attention/acknowledge').set(auth('operator')).send(ack).expect(200);
  expect(keys((await list('?subject=RTN').expect(200)).body.items)).toEqual(['exchange_needs_decision RTN RTN-EXCHANGE', 'exchange_return_failed RTN RTN-EXCHANGE-FAILED', 'return_draft RTN SO-SHIPPED-RF']);
  // Rejected again later (a new situation): listed again.
  await db('returns').where({ return_no: 'RTN-REJECTED' }).update({ status_since: new Date(Date.now() + 1000) });
  expect(keys((await list('?subject=RTN').expect(200)).body.items)).toContain('return_rejected RTN RTN-REJECTED');
  // Nothing to acknowledge, or a bad body: 404 / 400, nothing written.
  const before = await db('attention_acknowledgements').count({ n: '*' });
  await request(app).post('/v1/attention/acknowledge').set(auth('operator')).send({ ...ack, documentNo: 'RTN-OK' }).expect(404);
  const bad = await request(app).post('/v1/attention/acknowledge').set(auth('operator')).send({ ...ack, note: 'a\u0000b' }).expect(400);
  expect(bad.body.errors[0].field).toBe('note');
  expect(await db('attention_acknowledgements').count({ n: '*' })).toEqual(before);
});

test('is for operators and admins, not the ERP', async () => {
  await request(app).get('/v1/attention').set(auth('erp')).expect(403);
  await request(app).get('/v1/attention').set(auth('admin')).expect(200);
  await request(app).get('/v1/attention').expect(401);
});
