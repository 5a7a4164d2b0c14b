// Goods sync end to end: API → Temporal → worker → simulator over HTTP → Postgres.
import { WorkflowFailedError } from '@temporalio/client';
import request from 'supertest';
import { workflowIds } from '../messages/ids';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, sleep } from './support';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  const { app } = stack;
  await request(app)
    .put('/v1/categories/OTHER')
    .set(auth('erp'))
    .send({ name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' })
    .expect(201);
  // Mapped on our side to a third-level code JD does not know: JD must be the one that refuses it.
  await request(app)
    .put('/v1/categories/GHOST')
    .set(auth('erp'))
    .send({ name: '幽灵分类', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '9999' })
    .expect(201);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function putGoods(sku: string, barcodes: string[], categoryCode = 'OTHER') {
  await request(stack.app).put(`/v1/goods/${sku}`).set(auth('erp')).send({ name: `商品 ${sku}`, barcodes, categoryCode }).expect(201);
}

async function waitForSync(sku: string) {
  // The API answered 202; the workflow's result is the moment the outcome is in Postgres.
  return stack.client.workflow.getHandle(workflowIds.goodsSync(sku)).result();
}

function jdCalls(method = 'jingdong.eclp.goods.transportGoodsInfo'): Promise<number> {
  return fetch(`${stack.sim.url}/_sim/stats`)
    .then((r) => r.json() as Promise<{ byMethod: Record<string, number> }>)
    .then((s) => s.byMethod[method] ?? 0);
}

it('creates the goods at JD and stores JD\'s goods number; a repeated sync does not call JD', async () => {
  await putGoods('SYNC-1', ['6950000000011', '6950000000012']);
  const started = await request(stack.app).post('/v1/goods/SYNC-1/sync').set(auth('erp'));
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ outcome: 'started', workflowId: 'GOODS:SYNC-1' });
  const result = await waitForSync('SYNC-1');
  expect(result.jdGoodsNo).toMatch(/^EMG\d{13}$/);

  const goods = await request(stack.app).get('/v1/goods/SYNC-1').set(auth('operator'));
  expect(goods.body).toMatchObject({ jdGoodsNo: result.jdGoodsNo, syncStatus: 'SYNCED', syncStatusLabel: '已同步', syncError: null });
  expect(goods.body.log.map((e: { action: string }) => e.action)).toEqual(['created', 'sync_requested', 'synced']);

  const state = await fetch(`${stack.sim.url}/_sim/state`).then((r) => r.json() as Promise<{ goods: Array<{ goodsNo: string; isvGoodsNo: string; barcodes: string[] | string }> }>);
  const atJd = state.goods.find((g) => g.isvGoodsNo === 'SYNC-1');
  expect(atJd?.goodsNo).toBe(result.jdGoodsNo);

  const callsBefore = await jdCalls();
  const again = await request(stack.app).post('/v1/goods/SYNC-1/sync').set(auth('erp'));
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ outcome: 'already-synced', jdGoodsNo: result.jdGoodsNo });
  expect(await jdCalls()).toBe(callsBefore);
});

it('ends in a visible failed sync carrying JD\'s reason when JD rejects the category', async () => {
  await putGoods('SYNC-BAD', ['6950000000021'], 'GHOST');
  await request(stack.app).post('/v1/goods/SYNC-BAD/sync').set(auth('erp')).expect(202);
  const failure = await waitForSync('SYNC-BAD').catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const goods = await request(stack.app).get('/v1/goods/SYNC-BAD').set(auth('erp'));
  expect(goods.body.syncStatus).toBe('SYNC_FAILED');
  expect(goods.body.jdGoodsNo).toBeNull();
  // JD's own Chinese text reaches the operator, with the JD error code in the log.
  expect(goods.body.syncError).toMatch(/^JD rejected the goods: .*[\u4e00-\u9fa5]/);
  const logged = goods.body.log.find((e: { action: string }) => e.action === 'sync_failed');
  expect(logged.detail.jdCode).toBe('1000');
});

it('fails before calling JD when the category has no mapping, naming what to fix', async () => {
  await putGoods('SYNC-NOMAP', ['6950000000031'], 'UNMAPPED');
  const callsBefore = await jdCalls();
  await request(stack.app).post('/v1/goods/SYNC-NOMAP/sync').set(auth('erp')).expect(202);
  await expect(waitForSync('SYNC-NOMAP')).rejects.toBeInstanceOf(WorkflowFailedError);
  const goods = await request(stack.app).get('/v1/goods/SYNC-NOMAP').set(auth('erp'));
  expect(goods.body.syncStatus).toBe('SYNC_FAILED');
  expect(goods.body.syncError).toContain('PUT /v1/categories/UNMAPPED');
  expect(await jdCalls()).toBe(callsBefore);

  // Fixing the mapping and syncing again succeeds: a failed sync is not a dead end.
  await request(stack.app)
    .put('/v1/categories/UNMAPPED')
    .set(auth('erp'))
    .send({ name: '补上', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4160' })
    .expect(201);
  await request(stack.app).post('/v1/goods/SYNC-NOMAP/sync').set(auth('erp')).expect(202);
  expect((await waitForSync('SYNC-NOMAP')).jdGoodsNo).toMatch(/^EMG/);
});

it('retries transient JD faults (busy, HTTP 5xx) to success', async () => {
  await putGoods('SYNC-FLAKY', ['6950000000041']);
  for (const kind of ['busy', 'http5xx']) {
    await fetch(`${stack.sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind, method: 'jingdong.eclp.goods.transportGoodsInfo', next: 1 }),
    }).then((r) => expect(r.status).toBe(201));
  }
  const callsBefore = await jdCalls();
  await request(stack.app).post('/v1/goods/SYNC-FLAKY/sync').set(auth('erp')).expect(202);
  const result = await waitForSync('SYNC-FLAKY');
  expect(result.jdGoodsNo).toMatch(/^EMG/);
  expect(await jdCalls()).toBe(callsBefore + 3);
  const goods = await request(stack.app).get('/v1/goods/SYNC-FLAKY').set(auth('erp'));
  expect(goods.body.syncStatus).toBe('SYNCED');
});

it('syncs in bulk, and refuses the whole batch when a SKU is unknown', async () => {
  await putGoods('BULK-1', ['6950000000051']);
  await putGoods('BULK-2', ['6950000000052']);
  const refused = await request(stack.app).post('/v1/goods/sync').set(auth('erp')).send({ skus: ['BULK-1', 'NO-SUCH-SKU'] });
  expect(refused.status).toBe(422);
  expect(refused.body.errors).toEqual([{ field: 'skus.1', message: 'SKU NO-SUCH-SKU does not exist' }]);
  expect((await request(stack.app).get('/v1/goods/BULK-1').set(auth('erp'))).body.syncStatus).toBe('NOT_SYNCED');

  const res = await request(stack.app).post('/v1/goods/sync').set(auth('erp')).send({ skus: ['BULK-1', 'BULK-2', 'SYNC-1'] });
  expect(res.status).toBe(202);
  expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['started', 'started', 'already-synced']);
  await Promise.all(['BULK-1', 'BULK-2'].map(waitForSync));
});

it('lets only the erp role start a sync', async () => {
  await request(stack.app).post('/v1/goods/SYNC-1/sync').expect(401);
  await request(stack.app).post('/v1/goods/SYNC-1/sync').set(auth('operator')).expect(403);
});

it('/readyz turns not-ready when the worker stops, and ready again when it is back', async () => {
  const ready = await request(stack.app).get('/readyz');
  expect(ready.status).toBe(200);
  expect(ready.body.checks.postgres.ok).toBe(true);
  await stack.stopWorkers();
  // Pollers are remembered with their last poll time; readiness expires them after pollerMaxAgeMs.
  const deadline = Date.now() + 60_000;
  let res = await request(stack.app).get('/readyz');
  while (res.status === 200 && Date.now() < deadline) {
    await sleep(1_000);
    res = await request(stack.app).get('/readyz');
  }
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBeDefined();
  expect(res.body.checks.postgres.ok).toBe(true);
  const workerChecks = [res.body.checks.erpWorkflowWorker, res.body.checks.erpActivityWorker, res.body.checks.eclpActivityWorker];
  const failing = workerChecks.filter((c: { ok: boolean }) => !c.ok);
  expect(failing.length).toBeGreaterThan(0);
  expect(failing[0].detail).toMatch(/no worker has polled task queue "t-.*\/(erp|eclp)"/);
  await stack.startWorkers();
  await sleep(1_000);
  expect((await request(stack.app).get('/readyz')).status).toBe(200);
}, 120_000);
