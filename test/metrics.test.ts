// Both /metrics endpoints after a small run (issue 13 item 4): the worker's (ours + the Temporal SDK's
// runtime metrics, one URL) and the API's (open documents from Postgres, behind an operator token). The
// run is three sales orders that ship and one JD refuses then sent back; each counter must have moved by
// exactly what the run did. Real Temporal, Postgres, simulator, worker and API.
import { SDK_METRICS_URL } from './helpers/metrics-runtime';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { EclpMethod } from '../eclp/methods';
import { workflowIds } from '../messages/ids';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, eventually, seedSalesOrderMasterData, startWebhookReceiver, type WebhookReceiver } from './support';

// ------------------------------------------------------------------ the text format, read strictly

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every metric either endpoint has declared (`# TYPE`), with or without samples yet. */
const declared = new Set<string>();

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;

/** Every line is a comment or a sample Prometheus can read; a metric TYPEd twice (two exporters clashing) fails. */
function parseExposition(text: string): Sample[] {
  const typed = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) /.exec(line);
      if (type) {
        expect(typed.has(type[1]!) ? `${type[1]} typed twice` : 'ok').toBe('ok');
        typed.add(type[1]!);
        declared.add(type[1]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m ? 'ok' : `unreadable line: ${line}`).toBe('ok');
    const labels: Record<string, string> = {};
    for (const [, key, value] of m![2]?.matchAll(LABEL) ?? []) labels[key!] = value!;
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

// ------------------------------------------------------------------ the stack

let stack: TestStack;
let receiver: WebhookReceiver;

const scrapeWorker = async () => {
  const response = await fetch(stack.workerMetrics!.url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, samples: parseExposition(text) };
};
const scrapeApi = async () => {
  const response = await request(stack.app).get('/metrics').set(auth('operator')).expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(response.text);
};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    timeline: { salesOrder: { pickAfterMs: 200, packAfterMs: 400, shipAfterMs: 600, deliverAfterMs: null } },
    env: { SO_POLL_INTERVAL_MS: '200', METRICS_DB_CACHE_MS: '1' },
    webhook: { url: receiver.url, secrets: [`whsec_${Buffer.from('the key of the metrics test file, 32b').toString('base64')}`] },
    metrics: { sdkMetricsUrl: SDK_METRICS_URL },
  });
  await seedSalesOrderMasterData(stack, {
    goods: [['SKU-M', '6950000009001']],
    synced: ['SKU-M'],
    // Mapped to a JD number JD never issued: JD refuses the push.
    warehouses: { TYPO: { name: '错配仓', jdWarehouseNo: '110009999', eclpConnected: true } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

async function approveOrder(orderNo: string, warehouseCode: string) {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(auth('erp'))
    .send({
      orderNo,
      warehouseCode,
      carrierCode: 'JDEX',
      consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
      lines: [{ sku: 'SKU-M', quantity: 1, price: 10 }],
    })
    .expect(201);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp')).expect(202);
  return stack.client.workflow.getHandle(workflowIds.salesOrder(orderNo, 1));
}

// ------------------------------------------------------------------ the tests

it('the API serves /metrics to operators only', async () => {
  await request(stack.app).get('/metrics').expect(401);
  await request(stack.app).get('/metrics').set(auth('erp')).expect(403);
  const samples = await scrapeApi();
  expect(total(samples, 'eclp_bridge_database_up')).toBe(1);
  // The process's own figures come with it.
  expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
});

it('after 3 orders shipped and 1 refused by JD then sent back, every counter moved by exactly that', async () => {
  const before = (await scrapeWorker()).samples;
  const shipped = ['MET-1', 'MET-2', 'MET-3'];
  const handles = await Promise.all(shipped.map((orderNo) => approveOrder(orderNo, 'BJ')));
  const refused = await approveOrder('MET-X', 'TYPO');
  for (const handle of handles) expect(await handle.result()).toMatchObject({ status: 'SHIPPED' });
  await eventually(async () => (await request(stack.app).get('/v1/sales-orders/MET-X').set(auth('erp'))).body.status, (s) => s === 'FAILED', { what: 'MET-X FAILED', timeoutMs: 20_000, pollMs: 100 });
  await eventually(() => receiver.events.some((e) => e.type === 'sales_order.failed'), { what: 'sales_order.failed delivered', timeoutMs: 20_000, pollMs: 100 });

  // While MET-X waits in FAILED, the API's gauges show it where it is.
  const waiting = await scrapeApi();
  expect(total(waiting, 'eclp_bridge_open_documents', { doc_type: 'sales_order', status: 'FAILED', warehouse: 'TYPO' })).toBe(1);
  expect(total(waiting, 'eclp_bridge_open_documents', { doc_type: 'sales_order', status: 'WMS_PICKING' })).toBe(0);
  expect(total(waiting, 'eclp_bridge_oldest_open_document_age_seconds', { doc_type: 'sales_order', status: 'FAILED' })).toBeGreaterThan(0);
  expect(total(waiting, 'eclp_bridge_oldest_open_document_age_seconds', { doc_type: 'sales_order', status: 'FAILED' })).toBeLessThan(120);

  const sentBack = await request(stack.app).post('/v1/sales-orders/MET-X/send-back').set(auth('operator')).send({ reason: '仓库编码配错' }).expect(200);
  expect(sentBack.body).toMatchObject({ verdict: 'BACK_TO_REVIEW', status: 'REVIEW' });
  expect(await refused.result()).toMatchObject({ status: 'REVIEW' });

  const { text, samples: after } = await scrapeWorker();
  const moved = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);
  const entered = (status: string) => moved('eclp_bridge_documents_entered_status_total', { doc_type: 'sales_order', status });
  expect({ WMS_PICKING: entered('WMS_PICKING'), SHIPPED: entered('SHIPPED'), FAILED: entered('FAILED'), REVIEW: entered('REVIEW'), CANCELLED: entered('CANCELLED') }).toEqual({
    WMS_PICKING: 3,
    SHIPPED: 3,
    FAILED: 1,
    REVIEW: 1,
    CANCELLED: 0,
  });
  expect(moved('eclp_bridge_cancel_verdicts_total')).toBe(1);
  expect(moved('eclp_bridge_cancel_verdicts_total', { doc_type: 'sales_order', kind: 'sendBack', verdict: 'BACK_TO_REVIEW' })).toBe(1);

  const addOrder = { method: EclpMethod.ADD_ORDER };
  expect(moved('eclp_bridge_jd_calls_total', { ...addOrder, outcome: 'ok' })).toBe(3);
  expect(moved('eclp_bridge_jd_calls_total', { ...addOrder, outcome: 'business' })).toBe(1);
  expect(moved('eclp_bridge_jd_calls_total', addOrder)).toBe(4);
  expect(moved('eclp_bridge_jd_call_duration_seconds_count', addOrder)).toBe(4);
  // Polls until each order shipped: at least one per order, all answered.
  const polls = moved('eclp_bridge_jd_calls_total', { method: EclpMethod.QUERY_ORDER });
  expect(polls).toBeGreaterThanOrEqual(3);
  expect(moved('eclp_bridge_jd_calls_total', { method: EclpMethod.QUERY_ORDER, outcome: 'ok' })).toBe(polls);
  expect(moved('eclp_bridge_jd_call_duration_seconds_count')).toBe(moved('eclp_bridge_jd_calls_total'));
  expect(moved('eclp_bridge_jd_quota_hits_total')).toBe(0);

  expect(moved('eclp_bridge_webhook_deliveries_total', { event_type: 'sales_order.shipped' })).toBe(3);
  expect(moved('eclp_bridge_webhook_deliveries_total', { event_type: 'sales_order.failed' })).toBe(1);
  expect(moved('eclp_bridge_webhook_deliveries_total')).toBe(receiver.events.length);
  expect(moved('eclp_bridge_webhook_failures_total')).toBe(0);
  expect(total(after, 'eclp_bridge_webhook_gave_up_total')).toBe(0);

  // The SDK's runtime metrics follow ours on the same URL, labelled with this stack's task queues.
  expect(text).not.toMatch(/Temporal SDK metrics unavailable/);
  expect(after.filter((s) => s.name.startsWith('temporal_') && s.labels.task_queue === stack.queues.erp).length).toBeGreaterThan(0);
  expect(after.filter((s) => s.name.startsWith('temporal_') && s.labels.task_queue === stack.queues.eclp).length).toBeGreaterThan(0);

  // Document numbers never become labels.
  expect(text).not.toMatch(/MET-/);

  // MET-X is back in review: the FAILED series falls to 0 instead of vanishing.
  const reviewed = await scrapeApi();
  expect(total(reviewed, 'eclp_bridge_open_documents', { doc_type: 'sales_order', status: 'FAILED', warehouse: 'TYPO' })).toBe(0);
  expect(reviewed.some((s) => s.name === 'eclp_bridge_open_documents' && s.labels.status === 'FAILED' && s.labels.warehouse === 'TYPO')).toBe(true);
  expect(total(reviewed, 'eclp_bridge_open_documents', { doc_type: 'sales_order', status: 'REVIEW', warehouse: 'TYPO' })).toBe(1);
  expect(total(reviewed, 'eclp_bridge_open_documents', { doc_type: 'sales_order', warehouse: 'BJ' })).toBe(0);

  // What docs/operations.md and the Grafana dashboard name is what the two endpoints serve.
  const served = declared;
  const docs = readFileSync(path.join(__dirname, '../docs/operations.md'), 'utf8');
  const dashboard = readFileSync(path.join(__dirname, '../docs/grafana-dashboard.json'), 'utf8');
  const named = new Set([...`${docs.slice(docs.indexOf('\n## Metrics'))}\n${dashboard}`.matchAll(/\beclp_bridge_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')));
  expect([...named].filter((name) => !served.has(name))).toEqual([]);
  expect(named.size).toBeGreaterThanOrEqual(10);
  expect(JSON.parse(dashboard).__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
}, 90_000);
