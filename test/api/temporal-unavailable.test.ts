// Temporal unavailable (issue 5 item 6), with a real outage: this file runs its own Temporal dev server,
// points an API app at it through a lazy client (as api/main.ts does), creates master data and documents,
// stops the server, and checks that
//   - reads and master-data writes keep working from Postgres;
//   - every write that needs Temporal answers 503 problem+json with Retry-After within a few seconds,
//     and changes nothing — found by sweeping every mutating route the app serves;
//   - after the server is back on the same port, the same request succeeds.
// Without a bound, a call against the stopped server takes about 20 s to fail (the SDK's gRPC retries).
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { PROBLEM_CONTENT_TYPE } from '../../api/problem';
import { isMutating, type RouteSpec } from '../../api/route';
import { apiRoutes } from '../../api/routes';
import { TEMPORAL_CALL_TIMEOUT_MS, TEMPORAL_RETRY_AFTER_SECONDS } from '../../api/temporal-errors';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/temporal-dev-server';
import { workflowIds } from '../../messages/ids';
import { taskQueues } from '../../messages/task-queues';
import { NO_BODY, validRequests } from '../fuzz/generators';
import { createTestDatabase, harnessSettings, uniqueTaskQueue } from '../harness';
import { auth, CONSIGNEE, freePort, sleep, tableFingerprinter, TOKEN_SPEC, type TableFingerprint } from '../support';
import { recordWebhookAttempt, recordWebhookAttemptFailed } from '../../db/webhooks';

/** "Within a few seconds": the call timeout plus room for a busy CI machine. */
const ANSWER_WITHIN_MS = TEMPORAL_CALL_TIMEOUT_MS + 2_500;

/** Codes the fixtures create. Documents in flight come first: they are what a cancel needs. */
const FIXTURES = {
  code: ['TU-1'],
  sku: ['TU-SKU-DOWN', 'TU-SKU-1'],
  orderNo: ['TU-SO-PUSHED', 'TU-SO-REVIEW'],
  poNo: ['TU-PO-PUSHED', 'TU-PO-LOCAL'],
  returnNo: ['TU-RTN-PUSHED'],
  // A stock reconciliation report and a go-live check, planted below (reading them needs Postgres only).
  id: ['7e57a11a-0000-4000-8000-000000000001'],
};
/** Bodies that get past validation to the Temporal call; other routes get a body derived from their schema. */
const BODIES: Record<string, unknown> = {
  'POST /v1/goods/sync': { skus: ['TU-SKU-DOWN'] },
  'POST /v1/sales-orders/{orderNo}/send-back': { reason: '打回审核 during the outage' },
  'POST /v1/sales-orders/{orderNo}/refund': { reason: 'buyer refund during the outage' },
  'POST /v1/purchase-orders/{poNo}/cancel': { reason: 'PO cancel during the outage' },
  'POST /v1/purchase-orders/{poNo}/serials': { sku: 'TU-SKU-1', serialNos: ['TU-SN-1'] },
  'POST /v1/returns/{returnNo}/cancel': { reason: 'return cancel during the outage' },
  // POST /v1/purchase-orders keeps its derived body (unknown master data: 422). A create for a JD
  // warehouse stores the PO before its run starts, by design, and its 503 says so (test/api/purchase-orders).
  // POST /v1/returns likewise (its original order is not shipped: 422; a stored return's 503 says so, test/api/returns).
};
/** Writes known to need Temporal; the sweep must find each of them answering 503 (when the route exists). */
const KNOWN_TEMPORAL_WRITES = [
  'POST /v1/goods/{sku}/sync',
  'POST /v1/goods/sync',
  'POST /v1/sales-orders/{orderNo}/approve',
  'POST /v1/sales-orders/{orderNo}/send-back',
  'POST /v1/sales-orders/{orderNo}/refund',
  'POST /v1/purchase-orders/{poNo}/cancel',
  'POST /v1/purchase-orders/{poNo}/serials',
  'POST /v1/returns/{returnNo}/cancel',
];

/**
 * Reads that ask JD: the API never calls JD itself, so these run a short workflow and need Temporal by
 * design. Without it they answer 503 (or a 4xx for the sweep's bare request) and change nothing.
 */
const JD_READS = [
  'GET /v1/stock/reconciliation',
  'GET /v1/serials',
  'GET /v1/goods/{sku}/serials-in-stock',
  'GET /v1/serials/by-document/{type}/{docNo}',
  'GET /v1/jd/oauth/callback',
];

let cliPath: string;
let port: number;
let server: TemporalDevServer | undefined;
let connection: Connection;
let db: Knex;
let app: ReturnType<typeof createApp>;
/** Row count and an order-independent checksum of every table. */
let fingerprint: () => Promise<TableFingerprint>;

const label = (spec: Pick<RouteSpec, 'method' | 'path'>) => `${spec.method.toUpperCase()} ${spec.path}`;

const startServer = () => startTemporalDevServer({ cliPath, port, uiPort: false, logLevel: 'error' });

async function timed(req: request.Test): Promise<{ res: request.Response; ms: number }> {
  const started = Date.now();
  const res = await req;
  return { res, ms: Date.now() - started };
}

function expectUnavailable(res: request.Response, ms: number, what: string): void {
  const seen = `${what} → ${res.status} after ${ms} ms: ${res.text.slice(0, 300)}`;
  expect({ seen, status: res.status }).toEqual({ seen, status: 503 });
  expect(res.headers['content-type']).toMatch(new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
  expect(res.headers['retry-after']).toBe(String(TEMPORAL_RETRY_AFTER_SECONDS));
  expect(res.body).toMatchObject({ status: 503, type: expect.stringMatching(/\/unavailable$/), detail: expect.stringContaining('Temporal') });
  expect({ seen, withinBound: ms < ANSWER_WITHIN_MS }).toEqual({ seen, withinBound: true });
}

beforeAll(async () => {
  cliPath = await resolveTemporalCli({ env: { ...process.env, TEMPORAL_CLI_PATH: harnessSettings().temporalCliPath }, install: false });
  port = await freePort();
  server = await startServer();
  db = await createTestDatabase();
  // Lazy, as in api/main.ts: the API must start, and serve reads, whether or not Temporal answers.
  connection = Connection.lazy({ address: server.address });
  app = createApp({
    tokens: parseApiTokens(TOKEN_SPEC),
    logger: pino({ level: 'silent' }),
    routes: apiRoutes({ db, temporal: new Client({ connection, namespace: server.namespace }), namespace: server.namespace, taskQueues: taskQueues(uniqueTaskQueue('tu')) }),
  });

  const put = (url: string, body: object) => request(app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/TU-1', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/TU-1', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  await put('/v1/carriers/TU-1', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await put('/v1/suppliers/TU-1', { name: '供应商', jdSupplierNo: 'EMS0000000000001' });
  await put('/v1/goods/TU-SKU-1', { name: '龙井', barcodes: ['6950000009001'], categoryCode: 'TU-1' });
  await put('/v1/goods/TU-SKU-DOWN', { name: '碧螺春', barcodes: ['6950000009002'], categoryCode: 'TU-1' });

  const routes = (app.locals.routes as RouteSpec[]).map(label);
  if (routes.includes('POST /v1/sales-orders')) {
    for (const orderNo of FIXTURES.orderNo) {
      await request(app)
        .post('/v1/sales-orders')
        .set(auth('erp'))
        .send({
          orderNo,
          warehouseCode: 'TU-1',
          carrierCode: 'TU-1',
          consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
          lines: [{ sku: 'TU-SKU-1', quantity: 1, price: 59.9 }],
        })
        .expect(201);
    }
    // Approved while Temporal is up: its workflow exists (no worker needed), so a cancel must signal it.
    await request(app).post('/v1/sales-orders/TU-SO-PUSHED/approve').set(auth('erp')).expect(202);
  }
  if (routes.includes('POST /v1/purchase-orders')) {
    const po = (poNo: string, warehouseCode: string) => ({ poNo, supplierCode: 'TU-1', warehouseCode, lines: [{ sku: 'TU-SKU-1', quantity: 3 }] });
    // Pushed while Temporal is up: its run exists (no worker needed), so a cancel or serials must signal it.
    await request(app).post('/v1/purchase-orders').set(auth('erp')).send(po('TU-PO-PUSHED', 'TU-1')).expect(202);
    await put('/v1/warehouses/TU-LOCAL', { name: '本地仓', eclpConnected: false });
    await request(app).post('/v1/purchase-orders').set(auth('erp')).send(po('TU-PO-LOCAL', 'TU-LOCAL')).expect(201);
  }
  if (routes.includes('POST /v1/returns')) {
    // A return of an order JD shipped, pushed while Temporal is up: its run exists (no worker needed), so a cancel must signal it.
    await request(app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send({ orderNo: 'TU-SO-SHIPPED', warehouseCode: 'TU-1', carrierCode: 'TU-1', consignee: CONSIGNEE, lines: [{ sku: 'TU-SKU-1', quantity: 2, price: 59.9 }] })
      .expect(201);
    await db('sales_orders').where({ order_no: 'TU-SO-SHIPPED' }).update({ status: 'SHIPPED', eclp_so_no: 'ESL0000000000001' });
    const returnBody = { returnNo: 'TU-RTN-PUSHED', orderNo: 'TU-SO-SHIPPED', type: 'RETURN', warehouseCode: 'TU-1', reason: '退货', lines: [{ sku: 'TU-SKU-1', quantity: 1 }] };
    await request(app).post('/v1/returns').set(auth('erp')).send(returnBody).expect(202);
  }
  // Proves the route works while Temporal is up, so the 503 below is the outage and nothing else.
  await request(app).post('/v1/goods/TU-SKU-1/sync').set(auth('erp')).expect(202);
  // A webhook delivery that gave up: reading it needs Postgres only, redelivering it needs Temporal.
  await recordWebhookAttempt(db, { eventId: 'TU-1', type: 'sales_order.shipped', docType: 'SO', docKey: 'TU-SO-PUSHED', body: '{"id":"TU-1"}' });
  await recordWebhookAttemptFailed(db, 'TU-1', { error: 'HTTP 404', httpStatus: 404, final: true });

  const [plantedId] = FIXTURES.id;
  if (routes.includes('GET /v1/stock/reconciliations/{id}')) {
    await db('stock_reconciliations').insert({ id: plantedId, warehouse_code: 'TU-1', jd_warehouse_no: '110000001', trigger: 'api', status: 'DONE', finished_at: new Date() });
  }
  if (routes.includes('GET /v1/go-live-checks/{id}')) {
    await db('go_live_checks').insert({ id: plantedId, warehouse_code: 'TU-1', carrier_code: 'TU-1', skus: JSON.stringify(['TU-SKU-1']), consignee: JSON.stringify(CONSIGNEE), body_hash: 'x', status: 'PASSED', actor_role: 'admin' });
  }

  fingerprint = await tableFingerprinter(db);

  await server.stop();
  server = undefined;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  // The connection is left open on purpose: calls the API abandoned at its 503 deadline may still have
  // a gRPC retry timer pending inside the SDK (client/src/grpc-retry.ts), and that timer throws
  // "Channel has been shut down" into whichever test file runs next if the channel is closed under it.
  // On an open channel the retry just fails against the stopped server and ends. Jest's forceExit
  // reaps the handle.
  void connection;
  await db?.destroy();
});

describe('with the Temporal server stopped', () => {
  it('goods sync answers 503 with Retry-After within a few seconds, and changes nothing', async () => {
    const goodsRow = () => db('goods').where({ sku: 'TU-SKU-DOWN' }).first();
    const logRows = () => db('operation_log').where({ doc_key: 'TU-SKU-DOWN' }).count({ n: '*' });
    const [rowBefore, logBefore, before] = [await goodsRow(), await logRows(), await fingerprint()];

    const { res, ms } = await timed(request(app).post('/v1/goods/TU-SKU-DOWN/sync').set(auth('erp')));
    expectUnavailable(res, ms, 'POST /v1/goods/TU-SKU-DOWN/sync');

    expect(await goodsRow()).toEqual(rowBefore);
    expect(await logRows()).toEqual(logBefore);
    expect(await fingerprint()).toEqual(before);
    const read = await request(app).get('/v1/goods/TU-SKU-DOWN').set(auth('operator'));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ syncStatus: 'NOT_SYNCED', syncError: null });
  });

  it('master data keeps working: PUT and GET only need Postgres', async () => {
    const put = await request(app).put('/v1/goods/TU-SKU-NEW').set(auth('erp')).send({ name: '新茶', barcodes: ['6950000009003'], categoryCode: 'TU-1' });
    expect(put.status).toBe(201);
    const replaced = await request(app).put('/v1/warehouses/TU-1').set(auth('erp')).send({ name: '北京一号仓', jdWarehouseNo: '110000001', eclpConnected: true });
    expect(replaced.status).toBe(200);
    const read = await request(app).get('/v1/goods/TU-SKU-NEW').set(auth('erp'));
    expect(read.status).toBe(200);
    expect(read.body.log.map((e: { action: string }) => e.action)).toEqual(['created']);
    expect((await request(app).get('/v1/goods?limit=10').set(auth('operator'))).body.total).toBeGreaterThanOrEqual(3);
  });

  it('every route: writes that need Temporal answer 503 and change nothing, everything else answers from Postgres', async () => {
    const routes = app.locals.routes as RouteSpec[];
    const unavailable = new Set<string>();
    const answers: string[] = [];
    for (const spec of routes) {
      for (const request_ of requestsFor(spec)) {
        const before = await fingerprint();
        const { res, ms } = await timed(request_.send());
        answers.push(`${request_.what} → ${res.status} in ${ms} ms`);
        if (res.status === 503 && spec.path !== '/readyz') {
          expectUnavailable(res, ms, request_.what);
          // A 503 means "nothing happened": not a row, not a log line.
          expect({ what: request_.what, tables: await fingerprint() }).toEqual({ what: request_.what, tables: before });
          unavailable.add(label(spec));
          break;
        }
        // Anything else must not be our fault, and must not hang on Temporal either.
        expect({ what: request_.what, within: ms < ANSWER_WITHIN_MS }).toEqual({ what: request_.what, within: true });
        expect({ what: request_.what, serverError: res.status >= 500 && spec.path !== '/readyz' }).toEqual({ what: request_.what, serverError: false });
        if (!isMutating(spec) && spec.path !== '/readyz' && !JD_READS.includes(label(spec))) expect({ what: request_.what, status: res.status }).toEqual({ what: request_.what, status: 200 });
      }
    }
    const served = routes.map(label);
    const expected = KNOWN_TEMPORAL_WRITES.filter((k) => served.includes(k));
    expect({ answers, unavailable: [...unavailable].sort() }).toEqual({ answers, unavailable: expect.arrayContaining(expected) });
    // No read needs Temporal.
    expect([...unavailable].filter((k) => k.startsWith('GET ') && !JD_READS.includes(k))).toEqual([]);
  }, 180_000);

  it('/readyz says not ready, naming Temporal, within a few seconds', async () => {
    const { res, ms } = await timed(request(app).get('/readyz'));
    expect(res.status).toBe(503);
    expect(res.body.checks.postgres.ok).toBe(true);
    expect(res.body.checks.temporal.ok).toBe(false);
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
  });
});

describe('once the Temporal server is back on the same port', () => {
  beforeAll(async () => {
    server = await startServer();
  }, 60_000);

  it('the same goods sync starts (202) and is recorded', async () => {
    // The client's channel reconnects on its own; until it has, requests keep answering 503.
    const deadline = Date.now() + 30_000;
    let res = await request(app).post('/v1/goods/TU-SKU-DOWN/sync').set(auth('erp'));
    while (res.status === 503 && Date.now() < deadline) {
      await sleep(500);
      res = await request(app).post('/v1/goods/TU-SKU-DOWN/sync').set(auth('erp'));
    }
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ outcome: 'started', workflowId: workflowIds.goodsSync('TU-SKU-DOWN') });
    const read = await request(app).get('/v1/goods/TU-SKU-DOWN').set(auth('erp'));
    expect(read.body.syncStatus).toBe('SYNCING');
    // The sweep above may have replaced the goods meanwhile; the sync request is the latest entry.
    expect(read.body.log.map((e: { action: string }) => e.action).at(-1)).toBe('sync_requested');
    const client = new Client({ connection, namespace: server!.namespace });
    expect((await client.workflow.getHandle(workflowIds.goodsSync('TU-SKU-DOWN')).describe()).status.name).toBe('RUNNING');
  }, 60_000);

  it('the order approval refused during the outage goes through', async () => {
    if (!(app.locals.routes as RouteSpec[]).some((spec) => label(spec) === 'POST /v1/sales-orders/{orderNo}/approve')) return;
    const res = await request(app).post('/v1/sales-orders/TU-SO-REVIEW/approve').set(auth('erp'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'PUSHING', workflowId: workflowIds.salesOrder('TU-SO-REVIEW', 1) });
  });
});

interface SweepRequest {
  what: string;
  send(): request.Test;
}

/**
 * The requests the sweep sends to one route: each combination of fixture codes for its path parameters,
 * with the route's known body. A body derived from the schema goes to a fresh code instead, so that
 * arbitrary content (a warehouse no longer at JD, say) never overwrites a fixture the sweep relies on.
 */
function requestsFor(spec: RouteSpec): SweepRequest[] {
  const derived = fc.sample(validRequests(spec, { known: FIXTURES }), { numRuns: 1, seed: 1 })[0]!;
  const body = BODIES[label(spec)] ?? (derived.body === NO_BODY ? undefined : derived.body);
  const fresh = body !== undefined && !(label(spec) in BODIES);
  const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  let paths = [spec.path];
  for (const name of names) {
    const values = fresh ? ['TU-SWEEP-1'] : FIXTURES[name as keyof typeof FIXTURES] ?? ['TU-1'];
    paths = paths.flatMap((p) => values.map((v) => p.replace(`{${name}}`, v)));
  }
  return paths.map((path) => ({
    what: `${spec.method.toUpperCase()} ${path}`,
    send: () => {
      const req = request(app)[spec.method](path).set(auth('admin'));
      return body === undefined ? req : req.send(body as object);
    },
  }));
}
