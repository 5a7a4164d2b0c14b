// 推单测试 (go-live push test, issue 12 §3) end to end: API → goLiveCheck workflow (real dev server) →
// goods-sync and sales-order children → simulator over HTTP → Postgres. The simulator's sales orders
// stay where JD accepted them (manual timeline), so the check's cancel is granted — unless a test makes
// the warehouse pick at once, when JD refuses it and the order would ship. Every SKU here starts GL-.
import request from 'supertest';
import { goLiveCheckAttention } from '../db/attention/go-live-checks';
import { EclpMethod } from '../eclp/methods';
import { goLiveTestOrderNo } from '../messages/go-live-check';
import { workflowIds } from '../messages/ids';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, CONSIGNEE, expectProblem, seedSalesOrderMasterData, SimControl, sleep } from './support';

const MANUAL = { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null };
const GOODS_REJECTION = '商品信息校验失败：条码不合法（模拟）';
const ORDER_REJECTION = '收货地址不在配送范围（模拟）';

let stack: TestStack;
let sim: SimControl;

beforeAll(async () => {
  stack = await startTestStack({
    timeline: { salesOrder: MANUAL },
    env: { GO_LIVE_VERDICT_POLL_MS: '200', GO_LIVE_VERDICT_MAX_WAIT_MS: '60000' },
  });
  sim = new SimControl(stack.sim.url);
  await seedSalesOrderMasterData(stack, {
    goods: [['GL-A', '6950000120001'], ['GL-B', '6950000120002'], ['GL-NEW', '6950000120003'], ['GL-BAD', '6950000120004'], ['GL-C', '6950000120005']],
    synced: ['GL-A', 'GL-B', 'GL-C'],
    warehouses: { LOCAL: { name: '本地仓', eclpConnected: false } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  await sim.clearFaults();
  await sim.setTimeline({ salesOrder: MANUAL });
});

// ---------------------------------------------------------------- helpers

interface Step {
  step: string;
  orderNo?: string;
  outcome: 'PASSED' | 'FAILED';
  detail: string;
  jdMessage: string | null;
  jdDocNo: string | null;
}
interface TestOrder {
  orderNo: string;
  sku: string;
  status: string;
  eclpSoNo: string | null;
  verdict: string | null;
  jdMessage: string | null;
  workflowId: string | null;
}
interface Check {
  id: string;
  status: string;
  statusLabel: string;
  summary: string | null;
  workflowId: string;
  finishedAt: string | null;
  steps: Step[];
  orders: TestOrder[];
}

const start = (body: object, role: 'admin' | 'operator' | 'erp' = 'admin') => request(stack.app).post('/v1/go-live-checks').set(auth(role)).send(body);

async function getCheck(id: string): Promise<Check> {
  const res = await request(stack.app).get(`/v1/go-live-checks/${id}`).set(auth('operator'));
  expect(res.status).toBe(200);
  return res.body as Check;
}

async function runCheck(body: object, timeoutMs = 45_000): Promise<Check> {
  const res = await start(body);
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ status: 'RUNNING', workflowId: workflowIds.goLiveCheck(res.body.id), links: { self: `/v1/go-live-checks/${res.body.id}` } });
  expect(res.headers.location).toBe(`/v1/go-live-checks/${res.body.id}`);
  const deadline = Date.now() + timeoutMs;
  let check = await getCheck(res.body.id);
  while (check.status === 'RUNNING' && Date.now() < deadline) {
    await sleep(200);
    check = await getCheck(res.body.id);
  }
  expect({ id: check.id, status: check.status }).not.toMatchObject({ status: 'RUNNING' });
  return check;
}

const stepOf = (check: Check, step: string, orderNo?: string) => check.steps.find((s) => s.step === step && s.orderNo === orderNo);

// ---------------------------------------------------------------- the stories

describe('a go-live check', () => {
  it('passes: syncs the goods JD lacks, pushes one test order per SKU through the saga and cancels each at JD', async () => {
    const check = await runCheck({ warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-A', 'GL-NEW'] });
    expect(check).toMatchObject({ status: 'PASSED', statusLabel: '通过', summary: null });
    expect(check.finishedAt).not.toBeNull();
    expect(stepOf(check, 'master_data')).toMatchObject({ outcome: 'PASSED' });
    expect(stepOf(check, 'goods')).toMatchObject({ outcome: 'PASSED', detail: expect.stringContaining('GL-NEW') });
    // The goods JD lacked were created at JD by the check.
    const synced = await stack.db('goods').where({ sku: 'GL-NEW' }).first();
    expect(synced?.jd_goods_no).toBeTruthy();

    expect(check.orders).toHaveLength(2);
    const prefix = `GLT-${check.id.replace(/-/g, '').slice(0, 12).toUpperCase()}-`;
    expect(check.orders.map((o) => [o.orderNo, o.sku])).toEqual([
      [`${prefix}1`, 'GL-A'],
      [`${prefix}2`, 'GL-NEW'],
    ]);
    for (const order of check.orders) {
      expect(order).toMatchObject({ status: 'CANCELLED', verdict: 'CANCELLED_AT_JD', workflowId: workflowIds.salesOrder(order.orderNo, 1) });
      expect(order.eclpSoNo).toMatch(/^ESL/);
      expect(stepOf(check, 'test_order', order.orderNo)).toMatchObject({ outcome: 'PASSED', jdDocNo: order.eclpSoNo });
      // JD holds it cancelled; the order went through the normal saga and is marked as a test.
      const atJd = await sim.control<{ currentStatus: string; isvUUID: string }>('GET', `sales-orders/${order.eclpSoNo}`);
      expect(atJd).toMatchObject({ currentStatus: '10028', isvUUID: `${order.orderNo}-1` });
      const so = await request(stack.app).get(`/v1/sales-orders/${order.orderNo}`).set(auth('operator'));
      expect(so.body).toMatchObject({ status: 'CANCELLED', pushRevision: 1, remark: expect.stringContaining('推单测试') });
      const row = await stack.db('sales_orders').where({ order_no: order.orderNo }).first();
      expect((row as unknown as { go_live_check_id: string }).go_live_check_id).toBe(check.id);
    }

    // The run answers its status query; the check is listed; nothing needs a human.
    const state = await stack.documents.goLiveChecks.status(check.id);
    expect(state).toMatchObject({ checkId: check.id, status: 'PASSED', orders: [{ verdict: 'CANCELLED_AT_JD' }, { verdict: 'CANCELLED_AT_JD' }] });
    const list = await request(stack.app).get('/v1/go-live-checks?status=PASSED&warehouse=BJ').set(auth('operator'));
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(check.id);
    const attention = await goLiveCheckAttention(stack.db, { now: new Date() } as never);
    expect(attention.filter((item) => item.documentNo === check.id || item.documentNo.startsWith(prefix))).toEqual([]);
  }, 60_000);

  it('fails at the goods step when JD rejects the goods, naming the SKU with JD’s words, and pushes nothing', async () => {
    await sim.injectFault({ kind: 'businessError', method: EclpMethod.TRANSPORT_GOODS_INFO, next: 1, message: GOODS_REJECTION });
    const check = await runCheck({ warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-BAD', 'GL-C'] });
    expect(check.status).toBe('FAILED');
    expect(stepOf(check, 'master_data')).toMatchObject({ outcome: 'PASSED' });
    const goods = stepOf(check, 'goods')!;
    expect(goods).toMatchObject({ outcome: 'FAILED', detail: expect.stringContaining('SKU GL-BAD') });
    expect(goods.detail).toContain(GOODS_REJECTION);
    expect(goods.jdMessage).toContain(GOODS_REJECTION);
    expect(check.summary).toContain(GOODS_REJECTION);
    expect(check.orders).toEqual([]);
    expect(check.steps.map((s) => s.step)).toEqual(['master_data', 'goods']);

    const attention = await goLiveCheckAttention(stack.db, { now: new Date() } as never);
    expect(attention).toContainEqual(
      expect.objectContaining({ kind: 'go_live_check_failed', subject: 'GO_LIVE', documentNo: check.id, href: `/v1/go-live-checks/${check.id}`, why: expect.stringContaining(GOODS_REJECTION), warehouseCode: 'BJ' }),
    );
  }, 60_000);

  it('fails when JD rejects a test order, with JD’s words; the order is cancelled in the ERP', async () => {
    await sim.injectFault({ kind: 'businessError', method: EclpMethod.ADD_ORDER, next: 1, message: ORDER_REJECTION });
    const check = await runCheck({ warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-C'] });
    expect(check.status).toBe('FAILED');
    const [order] = check.orders;
    expect(order).toMatchObject({ status: 'CANCELLED', verdict: 'CANCELLED_IN_ERP', eclpSoNo: null });
    expect(stepOf(check, 'test_order', order!.orderNo)).toMatchObject({ outcome: 'FAILED', jdMessage: expect.stringContaining(ORDER_REJECTION), detail: expect.stringContaining('push') });
  }, 60_000);

  it('fails loudly when JD refuses the cancel: the order will ship and is on the attention list', async () => {
    // The warehouse picks as soon as it accepts: JD refuses every cancel after that.
    await sim.setTimeline({ salesOrder: { pickAfterMs: 0 } });
    const check = await runCheck({ warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-B'] });
    expect(check.status).toBe('FAILED');
    const [order] = check.orders;
    expect(order).toMatchObject({ status: 'WMS_PICKING', verdict: 'REFUSED_BY_JD' });
    expect(order!.eclpSoNo).toMatch(/^ESL/);
    expect(order!.jdMessage).toBeTruthy();
    const step = stepOf(check, 'test_order', order!.orderNo)!;
    expect(step).toMatchObject({ outcome: 'FAILED', jdDocNo: order!.eclpSoNo, jdMessage: order!.jdMessage });
    expect(step.detail).toContain('WILL SHIP');
    expect(check.summary).toContain(order!.eclpSoNo!);

    const attention = await goLiveCheckAttention(stack.db, { now: new Date() } as never);
    const mine = attention.filter((item) => item.documentNo === check.id || item.documentNo === order!.orderNo);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'go_live_check_failed', subject: 'GO_LIVE', documentNo: check.id }),
        expect.objectContaining({
          kind: 'go_live_order_will_ship',
          subject: 'SO',
          documentNo: order!.orderNo,
          href: `/v1/sales-orders/${order!.orderNo}`,
          workflowId: workflowIds.salesOrder(order!.orderNo, 1),
          why: expect.stringContaining(order!.jdMessage!),
          nextAction: expect.stringContaining(order!.eclpSoNo!),
        }),
      ]),
    );
    expect(mine).toHaveLength(2);
    // The order's run waits for the shipment; end it so it does not poll on after the file.
    await stack.client.workflow.getHandle(order!.workflowId!).terminate('test done');
  }, 60_000);

  it('fails at the master data step when a SKU’s category has no JD mapping, and asks JD nothing', async () => {
    await request(stack.app).put('/v1/goods/GL-MD').set(auth('erp')).send({ name: '商品 GL-MD', barcodes: ['6950000120009'], categoryCode: 'NO-MAPPING' }).expect(201);
    await sim.resetStats();
    const check = await runCheck({ warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-A', 'GL-MD'] });
    expect(check.status).toBe('FAILED');
    expect(check.steps).toEqual([expect.objectContaining({ step: 'master_data', outcome: 'FAILED', detail: expect.stringContaining('category NO-MAPPING of SKU GL-MD has no JD category mapping') })]);
    expect(check.orders).toEqual([]);
    expect((await sim.stats()).total).toBe(0);
  }, 60_000);
});

describe('a go-live check whose test order cannot be created', () => {
  it('fails the test-order step with the order rules’ words when its order number is taken', async () => {
    const checkId = '0d9b1c2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
    const orderNo = goLiveTestOrderNo(checkId, 1);
    await request(stack.app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send({ orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'GL-A', quantity: 3, price: 1 }] })
      .expect(201);
    const check = await runCheck({ warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-A'], checkId });
    expect(check.status).toBe('FAILED');
    expect(check.steps.at(-1)).toMatchObject({ step: 'test_order', orderNo: '(orders)', outcome: 'FAILED', detail: expect.stringContaining(`Sales order ${orderNo} already exists`) });
    // The ERP's own order is untouched.
    const so = await request(stack.app).get(`/v1/sales-orders/${orderNo}`).set(auth('operator'));
    expect(so.body).toMatchObject({ status: 'REVIEW', pushRevision: 0 });
    expect(check.orders).toEqual([]);
  }, 60_000);
});

describe('POST /v1/go-live-checks refuses what cannot run', () => {
  const valid = { warehouseCode: 'BJ', carrierCode: 'JDEX', skus: ['GL-A'] };

  it.each([
    ['an unknown warehouse', { warehouseCode: 'NOPE' }, 'warehouseCode'],
    ['a warehouse JD does not run', { warehouseCode: 'LOCAL' }, 'warehouseCode'],
    ['an unknown carrier', { carrierCode: 'NOPE' }, 'carrierCode'],
    ['an unknown SKU', { skus: ['GL-A', 'GL-NOPE'] }, 'skus.1'],
  ])('422 for %s, naming the field', async (_what, over, field) => {
    const res = await start({ ...valid, ...over });
    expectProblem(res, 422);
    expect(res.body.type).toMatch(/go-live-check-invalid$/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
  });

  it.each([
    ['no SKU', { skus: [] }, 'skus'],
    ['a repeated SKU', { skus: ['GL-A', 'GL-A'] }, 'skus'],
    ['more than 20 SKUs', { skus: Array.from({ length: 21 }, (_, i) => `GL-X${i}`) }, 'skus'],
    ['a bad SKU code', { skus: ['bad sku'] }, 'skus.0'],
    ['an unknown field', { hold: true }, 'hold'],
    ['a checkId that is no UUID', { checkId: 'abc' }, 'checkId'],
  ])('400 for %s, naming the field', async (_what, over, field) => {
    const res = await start({ ...valid, ...over });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('in production, refuses to run while the test consignee is the placeholder (a refused cancel would ship there)', async () => {
    const checks = () => stack.db('go_live_checks').count({ n: '*' });
    const before = await checks();
    const res = await request(stack.apiWith({ NODE_ENV: 'production' })).post('/v1/go-live-checks').set(auth('admin')).send(valid);
    expectProblem(res, 422);
    expect(res.body.type).toMatch(/go-live-consignee-not-set$/);
    expect(await checks()).toEqual(before);
  });

  it('is for admins only; operators read', async () => {
    expectProblem(await start(valid, 'operator'), 403);
    expectProblem(await start(valid, 'erp'), 403);
    expectProblem(await request(stack.app).get('/v1/go-live-checks').set(auth('erp')), 403);
  });

  it('404 for an unknown check, 400 for an id that is no UUID', async () => {
    expectProblem(await request(stack.app).get('/v1/go-live-checks/00000000-0000-4000-8000-000000000000').set(auth('operator')), 404);
    const bad = await request(stack.app).get('/v1/go-live-checks/nope').set(auth('operator'));
    expectProblem(bad, 400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'path.id' })]);
  });

  it('a client checkId makes the request repeatable; another body under it is a conflict', async () => {
    const checkId = '5b0f7c3e-2d5a-4c1e-9a57-0c6b1d2e3f40';
    await sim.setTimeline({ salesOrder: MANUAL });
    const first = await start({ ...valid, checkId });
    expect(first.status).toBe(202);
    expect(first.body.id).toBe(checkId);
    const again = await start({ ...valid, checkId });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: checkId, workflowId: workflowIds.goLiveCheck(checkId) });
    const other = await start({ ...valid, skus: ['GL-C'], checkId });
    expectProblem(other, 409);
    // Let it finish so its orders are cancelled before the file ends.
    await stack.documents.goLiveChecks.handle(checkId).result();
    expect((await getCheck(checkId)).status).toBe('PASSED');
  }, 60_000);
});
