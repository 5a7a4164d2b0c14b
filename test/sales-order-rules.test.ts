// Pure rules of the sales-order saga: pre-flight, where a cancel request goes, the signal payload check
// the workflow relies on, shipped quantities, webhook signatures and configuration.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { shippedQuantities } from '../activities/erp/sales-orders';
import { webhookHeaders } from '../activities/erp/webhook';
import { webhookConfigFromEnv } from '../config/webhook';
import { salesOrderApiConfigFromEnv } from '../api/config';
import { cancelRequestBody, preflightSalesOrder, routeCancelRequest, salesOrderBody, type PushMaterial } from '../domain/sales-order';
import { checkCancelPayload } from '../messages/cancel';

function material(overrides: Partial<PushMaterial> = {}): PushMaterial {
  return {
    orderNo: 'SO-1',
    revision: 2,
    shopOrderNo: 'TB-9',
    remark: null,
    consignee: { name: '张三', mobile: '13800000000', phone: null, province: '北京', city: '北京市', county: '朝阳区', town: null, address: '某路1号' },
    lines: [
      { sku: 'A', quantity: 2, price: 9.9 },
      { sku: 'B', quantity: 1, price: 100 },
    ],
    warehouse: { code: 'BJ', eclpConnected: true, jdWarehouseNo: '110000001' },
    carrier: { code: 'JDEX', jdShipperNo: 'CYS0000010' },
    goods: new Map([
      ['A', { jdGoodsNo: 'EMG0000000000001', barcodes: ['690001'] }],
      ['B', { jdGoodsNo: 'EMG0000000000002', barcodes: ['690002'] }],
    ]),
    ...overrides,
  };
}

describe('preflightSalesOrder', () => {
  it('builds the JD order with isvUUID {orderNo}-{revision}, JD numbers, and only the consignee fields given', () => {
    const result = preflightSalesOrder(material());
    expect(result).toEqual({
      ok: true,
      order: {
        isvUuid: 'SO-1-2',
        shopOrderNo: 'TB-9',
        warehouseNo: '110000001',
        shipperNo: 'CYS0000010',
        consignee: { name: '张三', mobile: '13800000000', province: '北京', city: '北京市', county: '朝阳区', address: '某路1号' },
        lines: [
          { goodsNo: 'EMG0000000000001', isvGoodsNo: 'A', quantity: 2, price: 9.9 },
          { goodsNo: 'EMG0000000000002', isvGoodsNo: 'B', quantity: 1, price: 100 },
        ],
      },
    });
  });

  it('names every problem an operator must fix, and builds nothing', () => {
    const result = preflightSalesOrder(
      material({
        warehouse: { code: 'SH', eclpConnected: false, jdWarehouseNo: null },
        carrier: undefined,
        goods: new Map([['A', { jdGoodsNo: null, barcodes: ['690001'] }]]),
        consignee: { ...material().consignee, mobile: null },
      }),
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      'warehouse SH is not a JD (ECLP) warehouse; set eclpConnected and its jdWarehouseNo with PUT /v1/warehouses/SH',
      expect.stringContaining('carrier does not exist'),
      'SKU A is not at JD yet; sync it with POST /v1/goods/A/sync first',
      'SKU B does not exist in master data',
      'the consignee needs a mobile or phone number',
    ]);
  });

  it('refuses goods without barcodes (JD matches goods by barcode)', () => {
    const result = preflightSalesOrder(material({ goods: new Map([['A', { jdGoodsNo: 'EMG1', barcodes: [] }], ['B', { jdGoodsNo: 'EMG2', barcodes: ['1'] }]]) }));
    expect(result).toEqual({ ok: false, problems: ['SKU A has no barcode; JD matches goods by barcode'] });
  });
});

describe('routeCancelRequest', () => {
  const order = (status: Parameters<typeof routeCancelRequest>[0]['status'], wayBill: string | null = null) => ({ orderNo: 'SO-1', status, wayBill });

  it.each(['PUSHING', 'WMS_PICKING', 'FAILED'] as const)('hands %s orders to the workflow', (status) => {
    expect(routeCancelRequest(order(status), 'sendBack')).toEqual({ action: 'signal' });
    expect(routeCancelRequest(order(status), 'buyerRefund')).toEqual({ action: 'signal' });
  });

  it('answers shipped orders with the waybill and "create a return", without the workflow', () => {
    expect(routeCancelRequest(order('SHIPPED', 'JDV000123'), 'buyerRefund')).toEqual({
      action: 'refuse',
      reason: 'already-shipped',
      message: 'already shipped (waybill JDV000123): create a return',
    });
  });

  it('cancels a refunded order in review in the ERP alone; a send-back there has nothing to do', () => {
    expect(routeCancelRequest(order('REVIEW'), 'buyerRefund')).toEqual({ action: 'cancel-in-erp' });
    expect(routeCancelRequest(order('REVIEW'), 'sendBack')).toMatchObject({ action: 'refuse', reason: 'in-review' });
    expect(routeCancelRequest(order('CANCELLED'), 'sendBack')).toMatchObject({ action: 'refuse', reason: 'already-cancelled' });
  });
});

describe('checkCancelPayload (what the workflow accepts from the Temporal UI)', () => {
  it('accepts the documented shape and trims the reason', () => {
    expect(checkCancelPayload({ reason: ' 客户要求 ', actor: { role: 'operator' } })).toEqual({ ok: true, value: { reason: '客户要求', actor: { role: 'operator' } } });
    expect(checkCancelPayload({ reason: 'x', actor: { role: 'erp' }, requestId: 'r-1', via: 'api' })).toEqual({
      ok: true,
      value: { reason: 'x', actor: { role: 'erp' }, requestId: 'r-1', via: 'api' },
    });
  });

  it.each([
    ['not an object', 'send back', /JSON object/],
    ['null', null, /JSON object/],
    ['an array', [{ reason: 'x' }], /JSON object/],
    ['no reason', { actor: { role: 'operator' } }, /reason/],
    ['a blank reason', { reason: '  ', actor: { role: 'operator' } }, /reason/],
    ['a long reason', { reason: 'x'.repeat(201), actor: { role: 'operator' } }, /at most 200/],
    ['no actor', { reason: 'x' }, /actor/],
    ['a bad role', { reason: 'x', actor: { role: 'Robert; DROP' } }, /actor.role/],
    ['a bad requestId', { reason: 'x', actor: { role: 'operator' }, requestId: 'a b' }, /requestId/],
    ['an unknown via', { reason: 'x', actor: { role: 'operator' }, via: 'ui' }, /via/],
  ])('rejects %s, naming the problem', (_label, payload, problem) => {
    const checked = checkCancelPayload(payload);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toMatch(problem);
  });
});

describe('shippedQuantities', () => {
  const jdGoods = new Map([
    ['A', 'EMG1'],
    ['B', 'EMG2'],
    ['C', null],
  ]);
  it("books JD's shipped quantity, matched by SKU or JD goods number, else the ordered quantity", () => {
    const lines = [
      { sku: 'A', quantity: 5 },
      { sku: 'B', quantity: 3 },
      { sku: 'C', quantity: 1 },
    ];
    expect(shippedQuantities(lines, jdGoods, [{ goodsNo: 'EMG1', quantity: 5, shippedQty: 4 }, { isvGoodsNo: 'B', quantity: 3 }])).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 3 },
      { sku: 'C', quantity: 1 },
    ]);
  });
});

describe('webhook signature and configuration', () => {
  const CURRENT = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const PREVIOUS = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;

  it('signs in the Standard Webhooks format: the standardwebhooks verifier accepts it with either secret of a rotation', () => {
    const body = '{"id":"SO:1:1/sales_order.shipped"}';
    const headers = webhookHeaders([new Webhook(CURRENT), new Webhook(PREVIOUS)], 'SO:1:1/sales_order.shipped', body);
    expect(headers['webhook-id']).toBe('SO:1:1/sales_order.shipped');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature'].split(' ')).toEqual([expect.stringMatching(/^v1,/), expect.stringMatching(/^v1,/)]);
    // A receiver that has either key verifies; one with neither, or a changed body, does not.
    expect(new Webhook(CURRENT).verify(body, headers)).toEqual({ id: 'SO:1:1/sales_order.shipped' });
    expect(new Webhook(PREVIOUS).verify(body, headers)).toEqual({ id: 'SO:1:1/sales_order.shipped' });
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(CURRENT).verify(body.replace('1:1', '1:2'), headers)).toThrow(WebhookVerificationError);
    // Old timestamps are refused by the verifier: a replayed request does not pass.
    const old = webhookHeaders([new Webhook(CURRENT)], 'SO:1:1/sales_order.shipped', body, new Date(Date.now() - 10 * 60_000));
    expect(() => new Webhook(CURRENT).verify(body, old)).toThrow(/too old/);
  });

  it('is off without a URL; needs https (but on loopback) and a whsec_ secret; takes a previous secret for rotation', () => {
    expect(webhookConfigFromEnv({})).toEqual({});
    expect(webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks', ERP_WEBHOOK_SECRET: CURRENT })).toEqual({ url: 'https://erp.example/hooks', secrets: [CURRENT] });
    expect(webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks', ERP_WEBHOOK_SECRET: CURRENT, ERP_WEBHOOK_SECRET_PREVIOUS: PREVIOUS }).secrets).toEqual([CURRENT, PREVIOUS]);
    for (const local of ['http://localhost:8080/h', 'http://127.0.0.1:8080/h', 'http://[::1]:8080/h']) {
      expect(webhookConfigFromEnv({ ERP_WEBHOOK_URL: local, ERP_WEBHOOK_SECRET: CURRENT }).url).toBe(local);
    }
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'http://erp.example/hooks', ERP_WEBHOOK_SECRET: CURRENT })).toThrow(/ERP_WEBHOOK_URL must be https unless the host is localhost/);
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'http://localhost.evil.example/hooks', ERP_WEBHOOK_SECRET: CURRENT })).toThrow(/ERP_WEBHOOK_URL/);
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks' })).toThrow(/ERP_WEBHOOK_SECRET/);
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'ftp://erp.example', ERP_WEBHOOK_SECRET: CURRENT })).toThrow(/https/);
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks', ERP_WEBHOOK_SECRET: 'k' })).toThrow(/ERP_WEBHOOK_SECRET must be a Standard Webhooks secret/);
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks', ERP_WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toThrow(/ERP_WEBHOOK_SECRET must encode 24 to 64 bytes/);
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks', ERP_WEBHOOK_SECRET: CURRENT, ERP_WEBHOOK_SECRET_PREVIOUS: 'whsec_!!!' })).toThrow(
      /ERP_WEBHOOK_SECRET_PREVIOUS is not valid base64/,
    );
    expect(() => webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'https://erp.example/hooks', ERP_WEBHOOK_SECRET: 'TOPSECRET' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('TOPSECRET') }));
  });

  it('never puts the secret into a configuration error', () => {
    // Caught outside the try, so that a call that does not throw fails the test instead of passing it.
    let thrown: unknown;
    try {
      webhookConfigFromEnv({ ERP_WEBHOOK_URL: 'not a url', ERP_WEBHOOK_SECRET: 'TOPSECRET' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/ERP_WEBHOOK_URL must be an absolute http\(s\) URL/);
    expect((thrown as Error).message).not.toContain('TOPSECRET');
  });
});

describe('request bodies and API configuration', () => {
  const body = {
    orderNo: 'SO-1',
    warehouseCode: 'BJ',
    carrierCode: 'JDEX',
    consignee: { name: '张三', phone: '010-12345678', province: '北京', city: '北京市', county: '朝阳区', address: '某路1号' },
    lines: [{ sku: 'A', quantity: 1, price: 19.9 }],
  };

  it('accepts an order with a phone instead of a mobile, and refuses one with neither', () => {
    expect(salesOrderBody.safeParse(body).success).toBe(true);
    const noPhone = salesOrderBody.safeParse({ ...body, consignee: { ...body.consignee, phone: undefined } });
    expect(noPhone.success).toBe(false);
    expect(noPhone.error?.issues[0]?.path).toEqual(['consignee', 'mobile']);
  });

  it('refuses repeated SKUs, prices below the fen and a consignee name JD cannot hold', () => {
    expect(salesOrderBody.safeParse({ ...body, lines: [...body.lines, ...body.lines] }).success).toBe(false);
    expect(salesOrderBody.safeParse({ ...body, lines: [{ sku: 'A', quantity: 1, price: 1.005 }] }).success).toBe(false);
    expect(salesOrderBody.safeParse({ ...body, consignee: { ...body.consignee, name: '张'.repeat(21) } }).success).toBe(false);
  });

  it('takes requestId only as a UUID', () => {
    expect(cancelRequestBody.safeParse({ reason: 'x', requestId: 'not-a-uuid' }).success).toBe(false);
    expect(cancelRequestBody.safeParse({ reason: 'x', requestId: '2f1b7b52-6a43-4c1a-9a3e-6b0f5d1c2e3f' }).success).toBe(true);
  });

  it('reads polling and cancel wait from the environment, with production defaults (JD polled every 5 minutes)', () => {
    expect(salesOrderApiConfigFromEnv({})).toEqual({
      pollIntervalMs: 300_000,
      pollMaxWaitMs: 3 * 24 * 3600_000,
      cancelWaitMs: 10_000,
      // Per-order polling by default; the sweep settings only matter with SO_TRACKING=sweep.
      tracking: 'poll',
      sweepIntervalMs: 300_000,
      safetyPollIntervalMs: 30 * 300_000,
      sweepsPerRun: 100,
    });
    expect(salesOrderApiConfigFromEnv({ SO_TRACKING: 'sweep', SO_SWEEP_INTERVAL_MS: '5000' })).toMatchObject({ tracking: 'sweep', sweepIntervalMs: 5_000, safetyPollIntervalMs: 150_000 });
    expect(salesOrderApiConfigFromEnv({ SO_POLL_INTERVAL_MS: '300000', CANCEL_WAIT_MS: '500' })).toMatchObject({ pollIntervalMs: 300_000, cancelWaitMs: 500 });
    expect(() => salesOrderApiConfigFromEnv({ SO_POLL_INTERVAL_MS: '5m' })).toThrow(/SO_POLL_INTERVAL_MS/);
  });
});
