// Stock reconciliation end to end (issue 12 item 1): API → Temporal → worker → simulator over HTTP →
// Postgres, with a local ERP webhook receiver. Warehouse BJ gets one planted difference on each side (a
// goods only JD has, a SKU only the ledger has), a PO JD received that the ERP has not booked yet (its
// poll is 10 minutes away) explaining a third, and agreeing stock; JD's stock is read 2 rows a page.
// Then the list, the 4xx/5xx answers, the attention list, the daily Temporal Schedule, and a failed run.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ConfigurationError } from '../config/errors';
import { cronProblem, stockReconciliationConfigFromEnv } from '../config/stock-reconciliation';
import { stockMismatchAttention } from '../db/attention/stock-mismatches';
import type { AttentionContext } from '../db/attention/types';
import { bookInbound } from '../db/stock-ledger';
import { reconcileStock, unexplainedQuantity } from '../activities/eclp/stock';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, eventually, seedSalesOrderMasterData, SimControl, sleep, startWebhookReceiver, type WebhookReceiver } from './support';

const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-for-stock-recon-32').toString('base64')}`;
const QUERY_STOCK = 'jingdong.eclp.stock.queryStock';
const QUERY_PO = 'jingdong.eclp.po.queryPoOrder';
const ATTENTION_CONTEXT: AttentionContext = { now: new Date(), waitingThresholdMs: { SO: 60_000, PO: 60_000, RTN: 60_000 }, pushingThresholdMs: 60_000 };

let stack: TestStack;
let sim: SimControl;
let receiver: WebhookReceiver;
let jdOnlyGoodsNo: string;
let reportId: string;
const jdGoodsNo: Record<string, string> = {};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    timeline: { purchaseOrder: { receiveAfterMs: null } },
    env: { JD_STOCK_PAGE_SIZE: '2', PO_POLL_INTERVAL_MS: '250', STOCK_RECONCILE_WAIT_MS: '30000' },
    webhook: { url: receiver.url, secrets: [WEBHOOK_SECRET] },
  });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, {
    goods: [['STK-A', '6950000007001'], ['STK-B', '6950000007002'], ['STK-C', '6950000007003']],
    synced: ['STK-A', 'STK-B', 'STK-C'],
    warehouses: {
      SH: { name: '上海仓', jdWarehouseNo: '110000002', eclpConnected: true },
      LOCAL: { name: '本地仓', eclpConnected: false },
    },
  });
  for (const sku of ['STK-A', 'STK-B', 'STK-C']) {
    jdGoodsNo[sku] = (await request(stack.app).get(`/v1/goods/${sku}`).set(auth('erp')).expect(200)).body.jdGoodsNo;
  }
  await request(stack.app).put('/v1/suppliers/SUP1').set(auth('erp')).send({ name: '供应商一', jdSupplierNo: 'EMS0000000000001' }).expect(201);
}, 120_000);

afterAll(async () => {
  await stack?.documents.stockReconciliation.deleteSchedule().catch((err) => console.warn(`could not delete the test schedule: ${(err as Error).message}`));
  // The PO whose poll is 10 minutes away would otherwise wait on the shared dev server.
  await stack?.documents.purchaseOrders.handle('STK-PO2', 1).terminate('test finished').catch(() => undefined);
  await stack?.close();
  await receiver?.close();
});

async function getPo(poNo: string) {
  return (await request(stack.app).get(`/v1/purchase-orders/${poNo}`).set(auth('operator')).expect(200)).body;
}

async function poInStatus(poNo: string, status: string) {
  return eventually(() => getPo(poNo), (po) => po.status === status, { what: `${poNo} ${status}`, timeoutMs: 30_000, pollMs: 150 });
}

async function queryCount(method: string): Promise<number> {
  return (await sim.stats()).byMethod[method] ?? 0;
}

// ---------------------------------------------------------------- configuration

test('STOCK_RECONCILE_CRON and STOCK_RECONCILE_TIMEZONE are checked: a bad value is a ConfigurationError naming it', () => {
  expect(stockReconciliationConfigFromEnv({})).toMatchObject({ cron: '0 3 * * *', timezone: 'Asia/Shanghai', jdPageSize: 100, waitMs: 60_000 });
  expect(cronProblem('*/15 2-4 * * 1,3')).toBeUndefined();
  expect(cronProblem('@daily')).toBeUndefined();
  expect(cronProblem('0 25 * * *')).toMatch(/hour 25/);
  expect(cronProblem('0 3 * *')).toMatch(/5 fields/);
  expect(() => stockReconciliationConfigFromEnv({ STOCK_RECONCILE_CRON: 'every day' })).toThrow(ConfigurationError);
  expect(() => stockReconciliationConfigFromEnv({ STOCK_RECONCILE_CRON: '61 3 * * *' })).toThrow(/STOCK_RECONCILE_CRON/);
  expect(() => stockReconciliationConfigFromEnv({ STOCK_RECONCILE_TIMEZONE: 'Mars/Olympus' })).toThrow(/STOCK_RECONCILE_TIMEZONE/);
  expect(() => stockReconciliationConfigFromEnv({ JD_STOCK_PAGE_SIZE: '0' })).toThrow(/JD_STOCK_PAGE_SIZE/);
});

// ---------------------------------------------------------------- the report
test('the comparison: defective stock is counted apart, isvSku maps unsynced goods, open documents explain within their quantities', () => {
  expect([unexplainedQuantity(5, 5, 0), unexplainedQuantity(7, 5, 0), unexplainedQuantity(-3, 0, 2), unexplainedQuantity(-2, 0, 2), unexplainedQuantity(4, 0, 9)]).toEqual([0, 2, -1, 0, 4]);
  const erp = { ledger: new Map([['X', 10], ['Y', 2]]), open: new Map([['X', { inbound: 0, outbound: 3 }]]) };
  const row = (goodsNo: string, totalQty: number, extra: object = {}) => ({ warehouseNo: 'W', goodsNo, totalQty, usableQty: totalQty, stockStatus: '1', stockType: '1', goodsLevel: '100', ...extra });
  const lines = reconcileStock(
    erp,
    [row('EMG-X', 6), row('EMG-X', 2, { goodsLevel: '200', usableQty: 0 }), row('EMG-X', 1, { stockStatus: '2', usableQty: 0 }), row('EMG-Y', 2, { isvSku: 'Y' }), row('EMG-Z', 1, { isvSku: 'NOT-OURS' })],
    { skuOfGoodsNo: new Map([['EMG-X', 'X']]), knownSkus: new Set(['Y']) },
  );
  expect(lines).toEqual([
    expect.objectContaining({ sku: 'X', jdGoodsNo: 'EMG-X', side: 'both', ledgerQty: 10, jdTotalQty: 9, jdUsableQty: 6, jdDefectiveQty: 3, openOutboundQty: 3, difference: -1, unexplainedQty: 0 }),
    expect.objectContaining({ sku: 'Y', jdGoodsNo: 'EMG-Y', side: 'both', difference: 0, unexplainedQty: 0 }),
    expect.objectContaining({ sku: null, jdGoodsNo: 'EMG-Z', jdIsvSku: 'NOT-OURS', side: 'jd-only', unexplainedQty: 1 }),
  ]);
});


test('a reconciliation pages through JD and shows per SKU the ledger, JD, the open documents and the unexplained difference', async () => {
  // STK-A: 10 received and booked …
  await request(stack.app).post('/v1/purchase-orders').set(auth('erp')).send({ poNo: 'STK-PO1', supplierCode: 'SUP1', warehouseCode: 'BJ', lines: [{ sku: 'STK-A', quantity: 10 }] }).expect(202);
  const po1 = await poInStatus('STK-PO1', 'WAITING_INBOUND');
  await sim.control('POST', `purchase-orders/${po1.poOrderNo}/receive`, { complete: true });
  await poInStatus('STK-PO1', 'RECEIVED');
  // … and 5 more received at JD that the ERP has not booked: this PO asks JD again only in 10 minutes.
  const polls = await queryCount(QUERY_PO);
  const slowApi = stack.apiWith({ PO_POLL_INTERVAL_MS: '600000' });
  await request(slowApi).post('/v1/purchase-orders').set(auth('erp')).send({ poNo: 'STK-PO2', supplierCode: 'SUP1', warehouseCode: 'BJ', lines: [{ sku: 'STK-A', quantity: 5 }] }).expect(202);
  const po2 = await poInStatus('STK-PO2', 'WAITING_INBOUND');
  await eventually(() => queryCount(QUERY_PO), (n) => n > polls, { what: 'the first poll of STK-PO2', timeoutMs: 10_000 });
  await sleep(500);
  await sim.control('POST', `purchase-orders/${po2.poOrderNo}/receive`, { complete: true });
  // STK-B: only in the ledger (a receipt JD never saw); STK-C: 3 on both sides.
  await bookInbound(stack.db, { warehouseCode: 'BJ', docType: 'PO', docNo: 'STK-PLANTED', docRevision: 1, lines: [{ sku: 'STK-B', quantity: 4 }, { sku: 'STK-C', quantity: 3 }] });
  await sim.control('POST', 'stock', { warehouseNo: '110000001', isvGoodsNo: 'STK-C', level: 3 });
  // A goods only JD knows (created at JD by someone else), with 6 in stock.
  ({ goodsNo: jdOnlyGoodsNo } = await stack.eclp.transportGoodsInfo({ isvGoodsNo: 'STK-JDONLY', goodsName: '仓库自建商品', barcodes: ['6950000007099'], thirdCategoryNo: '4159' }));
  await sim.control('POST', 'stock', { warehouseNo: '110000001', goodsNo: jdOnlyGoodsNo, quantity: 6 });

  const before = await queryCount(QUERY_STOCK);
  const res = await request(stack.app).get('/v1/stock/reconciliation?warehouse=BJ').set(auth('erp'));
  expect(res.status).toBe(200);
  reportId = res.body.id;
  // Three JD rows at two a page: two pages (the second one short).
  expect((await queryCount(QUERY_STOCK)) - before).toBe(2);
  expect(res.body).toMatchObject({
    warehouseCode: 'BJ',
    jdWarehouseNo: '110000001',
    trigger: 'api',
    status: 'DONE',
    skuCount: 4,
    differenceCount: 3,
    mismatchCount: 2,
    jdRowCount: 3,
    error: null,
    reportUrl: `/v1/stock/reconciliations/${reportId}`,
    workflowId: `STOCK-RECON:BJ:${reportId}`,
  });
  const zero = { jdDefectiveQty: 0, openOutboundQty: 0 };
  expect(res.body.lines).toEqual([
    { sku: null, jdGoodsNo: jdOnlyGoodsNo, jdIsvSku: 'STK-JDONLY', side: 'jd-only', ledgerQty: 0, jdTotalQty: 6, jdUsableQty: 6, openInboundQty: 0, difference: 6, unexplainedQty: 6, ...zero },
    { sku: 'STK-B', jdGoodsNo: jdGoodsNo['STK-B'], jdIsvSku: null, side: 'erp-only', ledgerQty: 4, jdTotalQty: 0, jdUsableQty: 0, openInboundQty: 0, difference: -4, unexplainedQty: -4, ...zero },
    { sku: 'STK-A', jdGoodsNo: jdGoodsNo['STK-A'], jdIsvSku: 'STK-A', side: 'both', ledgerQty: 10, jdTotalQty: 15, jdUsableQty: 15, openInboundQty: 5, difference: 5, unexplainedQty: 0, ...zero },
    { sku: 'STK-C', jdGoodsNo: jdGoodsNo['STK-C'], jdIsvSku: 'STK-C', side: 'both', ledgerQty: 3, jdTotalQty: 3, jdUsableQty: 3, openInboundQty: 0, difference: 0, unexplainedQty: 0, ...zero },
  ]);

  // The ERP hears of the two unexplained differences, once, under the report's event id; nothing personal.
  const event = await eventually(() => receiver.events.find((e) => e.type === 'stock.mismatch'), (e) => e !== undefined, { what: 'stock.mismatch', timeoutMs: 10_000 });
  expect(event!.id).toBe(`stock.mismatch/${reportId}`);
  expect(event!.data).toEqual({
    reportId,
    warehouseCode: 'BJ',
    jdWarehouseNo: '110000001',
    mismatchCount: 2,
    truncated: false,
    reportUrl: `/v1/stock/reconciliations/${reportId}`,
    mismatches: [
      { sku: null, jdGoodsNo: jdOnlyGoodsNo, ledgerQty: 0, jdTotalQty: 6, unexplainedQty: 6 },
      { sku: 'STK-B', jdGoodsNo: jdGoodsNo['STK-B'], ledgerQty: 4, jdTotalQty: 0, unexplainedQty: -4 },
    ],
  });
  const delivery = await request(stack.app).get(`/v1/webhooks/${encodeURIComponent(`stock.mismatch/${reportId}`)}`).set(auth('operator')).expect(200);
  expect(delivery.body).toMatchObject({ status: 'delivered', document: { type: 'STOCK', key: reportId } });
}, 90_000);

test('reports are listed newest first (filtered by warehouse and mismatch) and fetched by id', async () => {
  const agreeing = await request(stack.app).get('/v1/stock/reconciliation?warehouse=SH').set(auth('operator')).expect(200);
  expect(agreeing.body).toMatchObject({ warehouseCode: 'SH', status: 'DONE', skuCount: 0, mismatchCount: 0, lines: [] });

  const all = await request(stack.app).get('/v1/stock/reconciliations').set(auth('erp')).expect(200);
  expect(all.body.items.map((r: { id: string }) => r.id)).toEqual([agreeing.body.id, reportId]);
  expect(all.body.items[1]).not.toHaveProperty('lines');
  const mismatching = await request(stack.app).get('/v1/stock/reconciliations?mismatch=true').set(auth('erp')).expect(200);
  expect(mismatching.body.items.map((r: { id: string }) => r.id)).toEqual([reportId]);
  const clean = await request(stack.app).get('/v1/stock/reconciliations?mismatch=false&warehouse=SH&limit=5').set(auth('erp')).expect(200);
  expect(clean.body.items.map((r: { id: string }) => r.id)).toEqual([agreeing.body.id]);
  const one = await request(stack.app).get('/v1/stock/reconciliations?limit=1').set(auth('erp')).expect(200);
  expect(one.body.items).toHaveLength(1);

  const fetched = await request(stack.app).get(`/v1/stock/reconciliations/${reportId}`).set(auth('operator')).expect(200);
  expect(fetched.body).toMatchObject({ id: reportId, status: 'DONE', mismatchCount: 2 });
  expect(fetched.body.lines.map((l: { sku: string | null }) => l.sku)).toEqual([null, 'STK-B', 'STK-A', 'STK-C']);
});

test('bad requests are refused with problem+json naming the field, Temporal down is a 503', async () => {
  const problem = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    return res.body as { detail: string; errors?: Array<{ field: string }> };
  };
  expect(problem(await request(stack.app).get('/v1/stock/reconciliation').set(auth('erp')), 400).errors).toEqual([expect.objectContaining({ field: 'query.warehouse' })]);
  expect(problem(await request(stack.app).get('/v1/stock/reconciliation?warehouse=B%00J').set(auth('erp')), 400).errors).toEqual([expect.objectContaining({ field: 'query.warehouse' })]);
  expect(problem(await request(stack.app).get('/v1/stock/reconciliation?warehouse=BJ&extra=1').set(auth('erp')), 400).errors).toEqual([expect.objectContaining({ field: 'query.extra' })]);
  expect(problem(await request(stack.app).get('/v1/stock/reconciliation?warehouse=NOPE').set(auth('erp')), 404).detail).toMatch(/NOPE/);
  const local = problem(await request(stack.app).get('/v1/stock/reconciliation?warehouse=LOCAL').set(auth('erp')), 422);
  expect(local.errors).toEqual([expect.objectContaining({ field: 'query.warehouse', message: expect.stringMatching(/not a JD \(ECLP\) warehouse/) })]);
  expect(problem(await request(stack.app).get('/v1/stock/reconciliations?mismatch=maybe').set(auth('erp')), 400).errors).toEqual([expect.objectContaining({ field: 'query.mismatch' })]);
  expect(problem(await request(stack.app).get('/v1/stock/reconciliations?limit=0').set(auth('erp')), 400).errors).toEqual([expect.objectContaining({ field: 'query.limit' })]);
  expect(problem(await request(stack.app).get('/v1/stock/reconciliations/not-a-report').set(auth('erp')), 400).errors).toEqual([expect.objectContaining({ field: 'path.id' })]);
  problem(await request(stack.app).get(`/v1/stock/reconciliations/${randomUUID()}`).set(auth('erp')), 404);
  problem(await request(stack.app).get('/v1/stock/reconciliation?warehouse=BJ'), 401);

  const before = (await request(stack.app).get('/v1/stock/reconciliations').set(auth('erp'))).body.items.length;
  const down = await request(stack.apiWithTemporalDown()).get('/v1/stock/reconciliation?warehouse=BJ').set(auth('erp'));
  problem(down, 503);
  expect(down.headers['retry-after']).toBeDefined();
  expect((await request(stack.app).get('/v1/stock/reconciliations').set(auth('erp'))).body.items).toHaveLength(before);
}, 30_000);

test('the attention list names the warehouse whose latest report has unexplained differences, with the SKUs to check', async () => {
  const items = await stockMismatchAttention(stack.db, ATTENTION_CONTEXT);
  expect(items).toEqual([
    expect.objectContaining({
      kind: 'stock_mismatch',
      subject: 'STOCK',
      documentNo: reportId,
      warehouseCode: 'BJ',
      href: `/v1/stock/reconciliations/${reportId}`,
      workflowId: `STOCK-RECON:BJ:${reportId}`,
    }),
  ]);
  expect(items[0]!.nextAction).toContain('STK-B');
  expect(items[0]!.nextAction).toContain(jdOnlyGoodsNo);
  expect(items[0]!.why).toMatch(/2 SKU/);
});

// ---------------------------------------------------------------- the daily schedule

test('the Temporal Schedule is created and updated, visible with its cron, and its round reconciles every ECLP warehouse', async () => {
  const schedules = stack.documents.stockReconciliation;
  expect(await schedules.ensureSchedule({ cron: '30 4 * * *', timezone: 'UTC', jdPageSize: 2 })).toBe('created');
  expect(await schedules.ensureSchedule({ cron: '0 3 * * *', timezone: 'Asia/Shanghai', jdPageSize: 2 })).toBe('updated');
  const described = await schedules.describeSchedule();
  expect(described.spec.timezone).toBe('Asia/Shanghai');
  expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [expect.objectContaining({ start: 3 })], minute: [expect.objectContaining({ start: 0 })] })]);
  expect(described.state.note).toContain('"0 3 * * *" (Asia/Shanghai)');
  expect(described.policies.overlap).toBe('SKIP');
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'stockReconciliationRound', taskQueue: stack.queues.erp });

  const before = new Set(((await request(stack.app).get('/v1/stock/reconciliations').set(auth('erp'))).body.items as Array<{ id: string }>).map((r) => r.id));
  await schedules.triggerSchedule();
  const scheduled = await eventually(
    async () => ((await request(stack.app).get('/v1/stock/reconciliations').set(auth('erp'))).body.items as Array<{ id: string; trigger: string; status: string; warehouseCode: string; mismatchCount: number }>).filter((r) => !before.has(r.id)),
    (reports) => reports.length === 2 && reports.every((r) => r.status !== 'RUNNING'),
    { what: 'one scheduled report per ECLP warehouse', timeoutMs: 30_000, pollMs: 200 },
  );
  expect(scheduled.map((r) => [r.warehouseCode, r.trigger, r.status]).sort()).toEqual([
    ['BJ', 'schedule', 'DONE'],
    ['SH', 'schedule', 'DONE'],
  ]);
  expect(scheduled.find((r) => r.warehouseCode === 'BJ')!.mismatchCount).toBe(2);
  await eventually(() => receiver.events.filter((e) => e.type === 'stock.mismatch').length, (n) => n === 2, { what: 'the scheduled BJ report\'s stock.mismatch', timeoutMs: 10_000 });
}, 60_000);

test('a scheduled reconciliation JD refuses ends FAILED with JD\'s words and is on the attention list; the API answers 502', async () => {
  await sim.injectFault({ kind: 'businessError', method: QUERY_STOCK, next: 1, message: '仓库编码不存在' });
  const failedId = randomUUID();
  await stack.documents.stockReconciliation.start({ warehouseCode: 'SH', reportId: failedId, trigger: 'schedule', jdWarehouseNo: '110000002' });
  const summary = await stack.documents.stockReconciliation.handle('SH', failedId).result();
  expect(summary).toMatchObject({ reportId: failedId, status: 'FAILED', error: expect.stringContaining('仓库编码不存在') });
  const stored = await request(stack.app).get(`/v1/stock/reconciliations/${failedId}`).set(auth('erp')).expect(200);
  expect(stored.body).toMatchObject({ status: 'FAILED', trigger: 'schedule', error: expect.stringContaining('仓库编码不存在'), lines: [] });

  const items = await stockMismatchAttention(stack.db, ATTENTION_CONTEXT);
  expect(items.map((i) => [i.kind, i.warehouseCode, i.documentNo]).sort()).toEqual([
    ['stock_mismatch', 'BJ', expect.any(String)],
    ['stock_reconciliation_failed', 'SH', failedId],
  ]);
  expect(items.find((i) => i.kind === 'stock_reconciliation_failed')!.why).toContain('仓库编码不存在');

  await sim.injectFault({ kind: 'businessError', method: QUERY_STOCK, next: 1, message: '仓库编码不存在' });
  const res = await request(stack.app).get('/v1/stock/reconciliation?warehouse=SH').set(auth('operator'));
  expect(res.status).toBe(502);
  expect(res.body).toMatchObject({ type: expect.stringContaining('stock-reconciliation-failed'), detail: expect.stringContaining('仓库编码不存在'), reportUrl: expect.stringMatching(/^\/v1\/stock\/reconciliations\//) });
}, 30_000);
