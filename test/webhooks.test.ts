// ERP webhooks a receiver can trust (Standard Webhooks): signatures a stock verifier accepts with either
// secret of a rotation, no redirects followed, 4xx refusals not retried (but 408/429 are), the
// deliveries that gave up listed with their last error and redelivered by an operator through Temporal,
// and `sales_order.failed` when an order fails. Real Temporal, Postgres, simulator and an HTTP receiver.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { createWebhookActivities } from '../activities/erp/webhook';
import { claimWebhookRedelivery, getWebhookDelivery, markWebhookGaveUp, recordWebhookAttempt, recordWebhookAttemptFailed } from '../db/webhooks';
import { workflowIds } from '../messages/ids';
import type { Timeline } from '../simulator/timeline';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, eventually, saveReplayHistory, scheduledActivityTypes, sleep } from './support';

const CURRENT = `whsec_${Buffer.from('the current key of this test file, 40 b').toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.from('the key being rotated out, 32 by').toString('base64')}`;
const FAST: Timeline['salesOrder'] = { pickAfterMs: 300, packAfterMs: 600, shipAfterMs: 1_000, deliverAfterMs: null };

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  answeredWith: number;
}

let stack: TestStack;
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
/** Statuses the receiver answers an event id with, in turn; 204 once they are used up. */
const scripted = new Map<string, number[]>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const eventId = String(req.headers['webhook-id']);
      const answeredWith = path.startsWith('/moved') ? 302 : (scripted.get(eventId)?.shift() ?? 204);
      deliveries.push({ path, headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), answeredWith });
      if (answeredWith === 302) res.setHeader('Location', '/erp/elsewhere');
      if (answeredWith === 429) res.setHeader('Retry-After', '1');
      res.statusCode = answeredWith;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  stack = await startTestStack({
    timeline: { salesOrder: FAST },
    env: { SO_POLL_INTERVAL_MS: '250' },
    webhook: { url: `${receiverUrl}/erp/hooks`, secrets: [CURRENT, PREVIOUS] },
  });
  const put = (url: string, body: object) => request(stack.app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  // Mapped to a JD number JD never issued: JD refuses the push.
  await put('/v1/warehouses/TYPO', { name: '错配仓', jdWarehouseNo: '110009999', eclpConnected: true });
  await put('/v1/carriers/JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  await put('/v1/goods/SKU-A', { name: '商品 A', barcodes: ['6950000002001'], categoryCode: 'OTHER' });
  await request(stack.app).post('/v1/goods/SKU-A/sync').set(auth('erp')).expect(202);
  await stack.client.workflow.getHandle(workflowIds.goodsSync('SKU-A')).result();
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

// ---------------------------------------------------------------- helpers

async function shipOrder(orderNo: string, warehouseCode = 'BJ') {
  await request(stack.app)
    .post('/v1/sales-orders')
    .set(auth('erp'))
    .send({
      orderNo,
      warehouseCode,
      carrierCode: 'JDEX',
      consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
      lines: [{ sku: 'SKU-A', quantity: 1, price: 10 }],
    })
    .expect(201);
  await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp')).expect(202);
  return stack.client.workflow.getHandle(workflowIds.salesOrder(orderNo, 1));
}

const deliveriesOf = (eventId: string) => deliveries.filter((d) => d.headers['webhook-id'] === eventId);
const deliveryPath = (eventId: string) => `/v1/webhooks/${encodeURIComponent(eventId)}`;
const getDelivery = async (eventId: string) => (await request(stack.app).get(deliveryPath(eventId)).set(auth('operator')).expect(200)).body;
const redeliver = (eventId: string, role: 'operator' | 'erp' = 'operator') => request(stack.app).post(`${deliveryPath(eventId)}/redeliver`).set(auth(role));

/** Every delivery verifies with a stock Standard Webhooks verifier holding either key of the rotation. */
function expectVerifies(d: Delivery) {
  for (const secret of [CURRENT, PREVIOUS]) expect(() => new Webhook(secret).verify(d.rawBody, d.headers as Record<string, string>)).not.toThrow();
}

// ---------------------------------------------------------------- one attempt (the activity)

describe('one delivery attempt', () => {
  const env = new MockActivityEnvironment();
  const event = (id: string) => ({ id, type: 'sales_order.shipped', occurredAt: '2026-11-30T00:00:00.000Z', data: { orderNo: 'ACT-1' } });

  it('does not follow a redirect: the attempt fails (for Temporal to retry) and the new location is never asked', async () => {
    const activities = createWebhookActivities({ config: { url: `${receiverUrl}/moved?token=abc`, secrets: [CURRENT] }, db: stack.db });
    const failure = await env.run(activities.deliverWebhook, event('ACT-302')).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'WebhookRedirected', nonRetryable: false, message: expect.stringContaining('HTTP 302') });
    expect((failure as Error).message).not.toContain('token=abc');
    expect(deliveries.filter((d) => d.path.startsWith('/moved'))).toHaveLength(1);
    expect(deliveries.filter((d) => d.path.startsWith('/erp/elsewhere'))).toEqual([]);
    expect(await getDelivery('ACT-302')).toMatchObject({ status: 'pending', attempts: 1, lastHttpStatus: 302, lastError: expect.stringContaining('redirects are not followed') });
  });

  it('a 4xx refusal is final (not retried, recorded failed); 408 and 429 are retried, 429 after its Retry-After', async () => {
    const activities = createWebhookActivities({ config: { url: `${receiverUrl}/erp/hooks`, secrets: [CURRENT] }, db: stack.db });
    scripted.set('ACT-404', [404]);
    expect(await env.run(activities.deliverWebhook, event('ACT-404')).catch((err: unknown) => err)).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
    expect(await getDelivery('ACT-404')).toMatchObject({ status: 'failed', lastHttpStatus: 404, failedAt: expect.any(String) });

    scripted.set('ACT-429', [429]);
    const busy = await env.run(activities.deliverWebhook, event('ACT-429')).catch((err: unknown) => err);
    expect(busy).toMatchObject({ type: 'WebhookUnavailable', nonRetryable: false, nextRetryDelay: 1000 });
    expect(await getDelivery('ACT-429')).toMatchObject({ status: 'pending', lastHttpStatus: 429 });
    scripted.set('ACT-408', [408]);
    expect(await env.run(activities.deliverWebhook, event('ACT-408')).catch((err: unknown) => err)).toMatchObject({ type: 'WebhookUnavailable', nonRetryable: false });

    // The next attempt succeeds: delivered, counted, the error cleared.
    expect(await env.run(activities.deliverWebhook, event('ACT-429'))).toEqual({ delivered: true, httpStatus: 204 });
    expect(await getDelivery('ACT-429')).toMatchObject({ status: 'delivered', attempts: 2, lastError: null, lastHttpStatus: 204, document: { type: 'SO', key: 'ACT-1' } });
  });

  it('no answer is retried; without ERP_WEBHOOK_URL nothing is sent or recorded', async () => {
    const closed = createWebhookActivities({ config: { url: 'http://127.0.0.1:9/hooks', secrets: [CURRENT] }, db: stack.db });
    expect(await env.run(closed.deliverWebhook, event('ACT-DOWN')).catch((err: unknown) => err)).toMatchObject({ type: 'WebhookUnreachable', nonRetryable: false });
    const off = createWebhookActivities({ config: {}, db: stack.db });
    expect(await env.run(off.deliverWebhook, event('ACT-OFF'))).toEqual({ delivered: false });
    await request(stack.app).get(deliveryPath('ACT-OFF')).set(auth('operator')).expect(404);
  });

  it('a give-up of an older delivery run leaves a newer redelivery alone', async () => {
    await recordWebhookAttempt(stack.db, { eventId: 'DB-1', type: 't', docType: 'SO', docKey: 'DB', body: '{}' });
    await recordWebhookAttemptFailed(stack.db, 'DB-1', { error: 'HTTP 410', httpStatus: 410, final: true });
    expect(await claimWebhookRedelivery(stack.db, 'DB-1')).toEqual({ kind: 'claimed', redelivery: 1, previousUpdatedAt: expect.any(String) });
    expect(await claimWebhookRedelivery(stack.db, 'DB-1')).toEqual({ kind: 'not-failed', status: 'pending' });
    await markWebhookGaveUp(stack.db, 'DB-1', 'late give-up of the first delivery', 0);
    expect(await getWebhookDelivery(stack.db, 'DB-1')).toMatchObject({ status: 'pending', lastError: 'HTTP 410' });
    await markWebhookGaveUp(stack.db, 'DB-1', 'the redelivery gave up', 1);
    expect(await getWebhookDelivery(stack.db, 'DB-1')).toMatchObject({ status: 'failed', lastError: 'the redelivery gave up' });
  });
});

// ---------------------------------------------------------------- through the saga

describe('sales-order events', () => {
  it('a 429 is retried until the receiver takes it; each attempt verifies with either secret', async () => {
    const eventId = 'SO:WH-429:1/sales_order.shipped';
    scripted.set(eventId, [429]);
    const handle = await shipOrder('WH-429');
    expect(await handle.result()).toMatchObject({ status: 'SHIPPED' });
    const ours = deliveriesOf(eventId);
    expect(ours.map((d) => d.answeredWith)).toEqual([429, 204]);
    ours.forEach(expectVerifies);
    expect(ours[1]!.rawBody).toBe(ours[0]!.rawBody);
    expect(await getDelivery(eventId)).toMatchObject({ status: 'delivered', attempts: 2, document: { type: 'SO', key: 'WH-429' } });
  });

  it('a 404 is not retried; the delivery is listed as failed with its last error, and an operator redelivers it once the receiver is fixed', async () => {
    const eventId = 'SO:WH-404:1/sales_order.shipped';
    scripted.set(eventId, [404]);
    const handle = await shipOrder('WH-404');
    expect(await handle.result()).toMatchObject({ status: 'SHIPPED' });
    expect(deliveriesOf(eventId).map((d) => d.answeredWith)).toEqual([404]);
    expect(scheduledActivityTypes(await handle.fetchHistory())).toEqual(expect.arrayContaining(['deliverWebhook', 'recordSalesOrderEvent', 'markWebhookGaveUp']));
    const order = (await request(stack.app).get('/v1/sales-orders/WH-404').set(auth('erp')).expect(200)).body;
    expect(order.log.map((e: { action: string }) => e.action)).toContain('webhook_failed');

    for (const role of ['erp', 'operator'] as const) {
      const failed = await request(stack.app).get('/v1/webhooks?status=failed').set(auth(role)).expect(200);
      expect(failed.body.items).toContainEqual(
        expect.objectContaining({ eventId, type: 'sales_order.shipped', status: 'failed', attempts: 1, lastHttpStatus: 404, lastError: expect.stringContaining('answered HTTP 404') }),
      );
      expect(failed.body.items.every((d: { status: string }) => d.status === 'failed')).toBe(true);
    }

    // Still refused: the redelivery gives up as well, and the event is failed again.
    scripted.set(eventId, [404]);
    const first = await redeliver(eventId);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ eventId, status: 'pending', redelivery: 1, workflowId: `WEBHOOK:${eventId}:redelivery-1` });
    expect(first.headers.location).toBe(deliveryPath(eventId));
    expect(await stack.client.workflow.getHandle(first.body.workflowId).result()).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 404') });
    expect(await getDelivery(eventId)).toMatchObject({ status: 'failed', redeliveries: 1, attempts: 2 });

    // Fixed: delivered, with the same id and bytes and a fresh signature.
    const second = await redeliver(eventId);
    expect(second.status).toBe(202);
    const delivered = await eventually(() => getDelivery(eventId), (d) => d.status === 'delivered', { what: 'the redelivery', timeoutMs: 20_000, pollMs: 200 });
    expect(delivered).toMatchObject({ redeliveries: 2, attempts: 3, lastError: null, lastHttpStatus: 204 });
    const all = deliveriesOf(eventId);
    expect(all.map((d) => d.answeredWith)).toEqual([404, 404, 204]);
    expect(new Set(all.map((d) => d.rawBody)).size).toBe(1);
    all.forEach(expectVerifies);

    // Only a failed delivery can be redelivered; a second click changes nothing.
    const again = await redeliver(eventId);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ currentStatus: 'delivered' });
  }, 60_000);

  it('the endpoints refuse bad input, unknown events and the wrong role, changing nothing', async () => {
    const bad = await redeliver('no spaces allowed');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual([{ field: 'path.eventId', message: expect.any(String) }]);
    expect((await redeliver('SO:NOPE:1/sales_order.shipped')).status).toBe(404);
    expect((await redeliver('ACT-404', 'erp')).status).toBe(403);
    expect(await getDelivery('ACT-404')).toMatchObject({ status: 'failed', redeliveries: 0 });
    const badQuery = await request(stack.app).get('/v1/webhooks?status=gone').set(auth('operator'));
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.errors.map((e: { field: string }) => e.field)).toEqual(['query.status']);
  });

  it('JD rejects the push: sales_order.failed is delivered once, with the reason, and the order waits for the operator as before', async () => {
    const eventId = 'SO:WH-FAIL:1/sales_order.failed';
    const handle = await shipOrder('WH-FAIL', 'TYPO');
    await eventually(() => deliveriesOf(eventId).length, (n) => n > 0, { what: 'sales_order.failed', timeoutMs: 20_000, pollMs: 100 });
    const [sent] = deliveriesOf(eventId);
    expectVerifies(sent!);
    expect(JSON.parse(sent!.rawBody)).toEqual({
      id: eventId,
      type: 'sales_order.failed',
      occurredAt: expect.any(String),
      data: { orderNo: 'WH-FAIL', pushRevision: 1, reason: 'JD rejected the order: 库房编号110009999不存在或未开通', stage: 'push_rejected', jdCode: '1000', failedAt: expect.any(String) },
    });
    expect(sent!.rawBody).not.toContain('王小明');
    expect(await getDelivery(eventId)).toMatchObject({ status: 'delivered', attempts: 1, document: { type: 'SO', key: 'WH-FAIL' } });

    const sentBack = await request(stack.app).post('/v1/sales-orders/WH-FAIL/send-back').set(auth('operator')).send({ reason: '仓库编码配错' });
    expect(sentBack.body).toMatchObject({ verdict: 'BACK_TO_REVIEW', status: 'REVIEW' });
    expect(await handle.result()).toMatchObject({ status: 'REVIEW' });
    await sleep(500);
    expect(deliveriesOf(eventId)).toHaveLength(1);
    saveReplayHistory(await handle.fetchHistory(), 'sales-order-failed-webhook.json');
  });
});
