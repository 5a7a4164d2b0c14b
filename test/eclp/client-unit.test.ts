import type { EclpConfig } from '../../eclp/config';
import {
  collect,
  createEclpClient,
  EclpBackendBusyError,
  EclpBusinessError,
  EclpConfigurationError,
  EclpError,
  EclpQuotaError,
  EclpTransportError,
  EclpValidationError,
  NON_RETRYABLE_ECLP_ERROR_TYPES,
  salesOrderProgress,
  type EclpCallLog,
  type FetchLike,
} from '../../eclp';
import { sign } from '../../eclp/protocol';
import { caughtEclpError as caught } from '../support';

const SECRET = 'unit-S3CRET-9f8e7d';
const TOKEN = 'unit-T0KEN-1a2b3c';

const config: EclpConfig = {
  appKey: 'unit-app-key',
  appSecret: SECRET,
  accessToken: TOKEN,
  gatewayUrl: 'https://gw.example.test/routerjson',
  timeoutMs: 2_000,
  deptNo: 'EBU0000000000009',
  shopNo: 'ESP0000000000009',
  isvSource: 'ISV0000000000009',
};

const FIXED_NOW = new Date('2024-01-01T19:04:05.123Z');

interface Sent {
  url: URL;
  init: RequestInit;
  body: URLSearchParams;
  /** Query and body merged, as the gateway sees them. */
  params: Record<string, string>;
  businessParams: Record<string, unknown>;
}

type Reply = Response | ((sent: Sent) => Response | Promise<Response>);

/** A fetch that records every request and answers from a script. */
function fakeFetch(...replies: Reply[]) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    const parsedUrl = new URL(url);
    const body = new URLSearchParams(String(init.body));
    const params = { ...Object.fromEntries(parsedUrl.searchParams), ...Object.fromEntries(body) };
    const record: Sent = { url: parsedUrl, init, body, params, businessParams: JSON.parse(params['360buy_param_json'] ?? '{}') };
    sent.push(record);
    const reply = replies.shift();
    if (reply === undefined) throw new Error('fake fetch: no reply scripted');
    return typeof reply === 'function' ? reply(record) : reply;
  };
  return { fetch, sent };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const success = (method: string, fields: Record<string, unknown>, suffix = '_responce') =>
  json({ [`${method.split('.').join('_')}${suffix}`]: { code: '0', ...fields } });
const failure = (code: string, zh_desc: string, en_desc = 'error') => json({ error_response: { code, zh_desc, en_desc } });

function clientWith(fetch: FetchLike, extra: Partial<Parameters<typeof createEclpClient>[1]> = {}, overrides: Partial<EclpConfig> = {}) {
  return createEclpClient({ ...config, ...overrides }, { fetch, now: () => FIXED_NOW, ...extra });
}

/** Everything of an error that may reach a log or a Temporal history. */
function exposedText(error: EclpError): string {
  const cause = error.cause instanceof Error ? `${error.cause.message} ${JSON.stringify(error.cause)}` : JSON.stringify(error.cause ?? null);
  return [error.message, error.stack ?? '', cause, JSON.stringify(error.toDetails()), JSON.stringify(error)].join('\n');
}

const order = {
  isvUuid: 'SO-1001-1',
  shopOrderNo: 'TB-778899',
  warehouseNo: '110000001',
  shipperNo: 'CYS0000010',
  consignee: { name: '张三', mobile: '13800000000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路1号, 2单元' },
  lines: [
    { isvGoodsNo: 'SKU-A', quantity: 2, price: 0.1 + 0.2 },
    { isvGoodsNo: 'SKU-B', quantity: 1, price: 480 },
  ],
  remark: '请尽快发货',
};

describe('request on the wire', () => {
  it('puts signed system parameters in the query and 360buy_param_json in a form body', async () => {
    const { fetch, sent } = fakeFetch(success('jingdong.eclp.order.addOrder', { eclpSoNo: 'ESL0000000000001' }));
    await expect(clientWith(fetch).addOrder(order)).resolves.toEqual({ eclpSoNo: 'ESL0000000000001' });

    const [request] = sent;
    if (!request) throw new Error('nothing sent');
    expect(request.init.method).toBe('POST');
    expect(new Headers(request.init.headers).get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(`${request.url.origin}${request.url.pathname}`).toBe('https://gw.example.test/routerjson');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({
      method: 'jingdong.eclp.order.addOrder',
      app_key: 'unit-app-key',
      access_token: TOKEN,
      timestamp: '2024-01-02 03:04:05.123+0800',
      v: '2.0',
      format: 'json',
      sign_method: 'md5',
      sign: expect.stringMatching(/^[0-9A-F]{32}$/),
    });
    expect([...request.body.keys()]).toEqual(['360buy_param_json']);

    const { sign: signature, ...signed } = request.params;
    expect(signature).toBe(sign(signed, SECRET));
  });

  it('sends sorted business keys, comma-joined lines, merchant identities and the fixed values', async () => {
    const { fetch, sent } = fakeFetch(success('jingdong.eclp.order.addOrder', { eclpSoNo: 'ESL0000000000001' }));
    await clientWith(fetch).addOrder(order);
    const raw = sent[0]?.params['360buy_param_json'] ?? '';
    const business = JSON.parse(raw) as Record<string, unknown>;
    expect(Object.keys(business)).toEqual([...Object.keys(business)].sort());
    expect(business).toEqual({
      isvUUID: 'SO-1001-1',
      isvSource: 'ISV0000000000009',
      shopNo: 'ESP0000000000009',
      departmentNo: 'EBU0000000000009',
      salePlatformSource: '6',
      orderMark: '0'.repeat(50),
      soType: 1,
      salesPlatformOrderNo: 'TB-778899',
      warehouseNo: '110000001',
      shipperNo: 'CYS0000010',
      consigneeName: '张三',
      consigneeMobile: '13800000000',
      addressProvince: '北京',
      addressCity: '北京市',
      addressCounty: '朝阳区',
      consigneeAddress: '建国路1号, 2单元',
      sellerRemark: '请尽快发货',
      isvGoodsNo: 'SKU-A,SKU-B',
      quantity: '2,1',
      price: '0.3,480',
    });
  });

  it('refuses a comma inside a line value before sending, naming field and line', async () => {
    const { fetch, sent } = fakeFetch();
    const error = await caught(
      clientWith(fetch).addOrder({ ...order, lines: [order.lines[0]!, { isvGoodsNo: 'SKU,B', quantity: 1, price: 1 }] }),
    );
    expect(error).toBeInstanceOf(EclpValidationError);
    expect(error).toMatchObject({ name: 'EclpValidationError', field: 'lines.isvGoodsNo', line: 2, retryable: false, mayHaveCommitted: false });
    expect(error.message).toContain('line 2 isvGoodsNo');
    expect(sent).toHaveLength(0);
  });

  it('refuses lines that mix goodsNo and isvGoodsNo, and lines without goods', async () => {
    const { fetch, sent } = fakeFetch();
    const client = clientWith(fetch);
    await expect(
      client.addOrder({ ...order, lines: [{ goodsNo: 'EMG1', quantity: 1, price: 1 }, { isvGoodsNo: 'SKU', quantity: 1, price: 1 }] }),
    ).rejects.toBeInstanceOf(EclpValidationError);
    await expect(caught(client.addOrder({ ...order, lines: [order.lines[0]!, { quantity: 1, price: 1 }] }))).resolves.toMatchObject({ line: 2 });
    await expect(client.addOrder({ ...order, lines: [] })).rejects.toBeInstanceOf(EclpValidationError);
    await expect(client.addOrder({ ...order, lines: [{ isvGoodsNo: 'SKU', quantity: Number.NaN, price: 1 }] })).rejects.toBeInstanceOf(
      EclpValidationError,
    );
    expect(sent).toHaveLength(0);
  });

  it('refuses more than 100 numbers to a batch query and skips the call for none', async () => {
    const { fetch, sent } = fakeFetch();
    const client = clientWith(fetch);
    const many = Array.from({ length: 101 }, (_, i) => `EPL${String(i).padStart(13, '0')}`);
    await expect(caught(client.queryPoOrder(many))).resolves.toMatchObject({ name: 'EclpValidationError', field: 'poOrderNos' });
    await expect(client.queryOrdersByIsvUuid([...many, 'x'])).rejects.toBeInstanceOf(EclpValidationError);
    await expect(client.queryPoOrder([])).resolves.toEqual([]);
    await expect(client.queryOrdersByIsvUuid([])).resolves.toEqual([]);
    expect(sent).toHaveLength(0);
  });

  it('maps PO lines to JD columns, optional columns all-or-nothing', async () => {
    const { fetch, sent } = fakeFetch(success('jingdong.eclp.po.addPoOrder', { poOrderNo: 'EPL0000000000001' }));
    const client = clientWith(fetch);
    await client.addPoOrder({
      spPoOrderNo: 'PO-9-1',
      warehouseNo: '110000001',
      supplierNo: 'EMS0000000000001',
      lines: [
        { goodsNo: 'EMG0000000000001', quantity: 10, unitPrice: 2.5 },
        { goodsNo: 'EMG0000000000002', quantity: 5, quality: 'defective', unitPrice: 3 },
      ],
    });
    expect(sent[0]?.businessParams).toEqual({
      deptGoodsNo: 'EMG0000000000001,EMG0000000000002',
      deptNo: 'EBU0000000000009',
      goodsStatus: '1,2',
      numApplication: '10,5',
      spPoOrderNo: 'PO-9-1',
      supplierNo: 'EMS0000000000001',
      unitPrice: '2.5,3',
      whNo: '110000001',
    });
    await expect(
      caught(
        client.addPoOrder({
          spPoOrderNo: 'PO-9-1',
          warehouseNo: '110000001',
          supplierNo: 'EMS0000000000001',
          lines: [{ goodsNo: 'EMG1', quantity: 1, unitPrice: 1 }, { goodsNo: 'EMG2', quantity: 1 }],
        }),
      ),
    ).resolves.toMatchObject({ field: 'lines.unitPrice', line: 2 });
  });

  it('reads closePo answers: code 1 closed, 2 refused, others unknown; a missing poCloseJosResponse is an error', async () => {
    const method = 'jingdong.eclp.po.closePo';
    const { fetch, sent } = fakeFetch(
      success(method, { poCloseJosResponse: { code: 1, msg: '关单成功' } }),
      success(method, { poCloseJosResponse: { code: '2', msg: '不允许关单' } }),
      success(method, { poCloseJosResponse: { code: 7 } }),
      success(method, {}),
    );
    const client = clientWith(fetch);
    await expect(client.closePo('EPL0000000000001')).resolves.toEqual({ result: 'closed', code: '1', message: '关单成功' });
    await expect(client.closePo('EPL0000000000001')).resolves.toEqual({ result: 'refused', code: '2', message: '不允许关单' });
    await expect(client.closePo('EPL0000000000001')).resolves.toEqual({ result: 'unknown', code: '7' });
    await expect(client.closePo('EPL0000000000001')).rejects.toThrow(/poCloseJosResponse/);
    expect(sent[0]?.params['method']).toBe(method);
    expect(sent[0]?.businessParams).toEqual({ poOrderNo: 'EPL0000000000001' });
  });

  it('sends cancelRtwOrder in its own spelling (eclpRtwNum, cancelReson, ownerNo) and reads rtwResult like the other cancels', async () => {
    const method = 'jingdong.eclp.rtw.cancelRtwOrder';
    const { fetch, sent } = fakeFetch(
      success(method, { rtwResult: { code: 1, msg: '取消成功' } }),
      success(method, { rtwResult: { code: '2', msg: '退货单已完成，不允许取消' } }),
      success(method, { rtwResult: { code: 9 } }),
      success(method, {}),
    );
    const client = clientWith(fetch);
    await expect(client.cancelRtwOrder({ isvRtwNum: 'RT-1-1', eclpRtwNo: 'ESR0000000000001', reason: '客户下错单' })).resolves.toEqual({ result: 'cancelled', code: '1', message: '取消成功' });
    await expect(client.cancelRtwOrder({ isvRtwNum: 'RT-1-1' })).resolves.toEqual({ result: 'refused', code: '2', message: '退货单已完成，不允许取消' });
    await expect(client.cancelRtwOrder({ isvRtwNum: 'RT-1-1', channel: 'b2b' })).resolves.toEqual({ result: 'unknown', code: '9' });
    await expect(client.cancelRtwOrder({ isvRtwNum: 'RT-1-1' })).rejects.toThrow(/rtwResult/);
    expect(sent[0]?.params['method']).toBe(method);
    expect(sent[0]?.businessParams).toEqual({ isvRtwNum: 'RT-1-1', eclpRtwNum: 'ESR0000000000001', cancelReson: '客户下错单', ownerNo: config.deptNo, orderInType: 1 });
    expect(sent[1]?.businessParams).toEqual({ isvRtwNum: 'RT-1-1', ownerNo: config.deptNo, orderInType: 1 });
    expect(sent[2]?.businessParams).toMatchObject({ orderInType: 2 });
  });

  it('sends transportRtw lines as comma lists isvGoodsNo/planQty/goodsLevel (good by default); refuses bad lines before sending', async () => {
    const method = 'jingdong.eclp.rtw.transportRtw';
    const { fetch, sent } = fakeFetch(success(method, { transportrtw_result: { eclpRtwNo: 'ESR0000000000002', resultCode: 1 } }));
    const client = clientWith(fetch);
    await client.transportRtw({ eclpSoNo: 'ESL1', isvRtwNum: 'RT-2-1', lines: [{ isvGoodsNo: 'TEA-001', quantity: 2 }, { isvGoodsNo: 'CUP-9', quantity: 1, goodsLevel: '200' }] });
    expect(sent[0]?.businessParams).toEqual({ eclpSoNo: 'ESL1', isvRtwNum: 'RT-2-1', isvGoodsNo: 'TEA-001,CUP-9', planQty: '2,1', goodsLevel: '100,200' });
    await expect(caught(client.transportRtw({ eclpSoNo: 'ESL1', isvRtwNum: 'R', lines: [] }))).resolves.toMatchObject({ name: 'EclpValidationError', field: 'lines' });
    await expect(caught(client.transportRtw({ eclpSoNo: 'ESL1', isvRtwNum: 'R', lines: [{ isvGoodsNo: 'A', quantity: 1 }, { isvGoodsNo: '', quantity: 1 }] }))).resolves.toMatchObject({
      name: 'EclpValidationError',
      field: 'lines.goodsNo',
      line: 2,
    });
    await expect(caught(client.transportRtw({ eclpSoNo: 'ESL1', isvRtwNum: 'R', lines: [{ isvGoodsNo: 'A,B', quantity: 1 }] }))).resolves.toMatchObject({ field: 'lines.isvGoodsNo', line: 1 });
    expect(sent).toHaveLength(1);
  });

  it("keeps JD's misspellings inside the client", async () => {
    const { fetch, sent } = fakeFetch(
      success('jingdong.eclp.po.cancalPoOrder', { poResult: { code: 1, msg: '取消成功' } }),
      success('jingdong.eclp.rtw.transportRtw', { transportrtw_result: { eclpRtwNo: 'ESR0000000000001', status: '100', resultCode: 1 } }),
    );
    const client = clientWith(fetch);
    await expect(client.cancelPoOrder('EPL0000000000001')).resolves.toEqual({ result: 'cancelled', code: '1', message: '取消成功' });
    await expect(client.transportRtw({ eclpSoNo: 'ESL1', isvRtwNum: 'RT-1', reason: '质量问题', channel: 'b2c' })).resolves.toEqual({
      eclpRtwNo: 'ESR0000000000001',
      status: { code: '100', name: 'INITIALISED', known: true },
    });
    expect(sent[0]?.params['method']).toBe('jingdong.eclp.po.cancalPoOrder');
    expect(sent[1]?.businessParams).toEqual({ eclpSoNo: 'ESL1', isvRtwNum: 'RT-1', orderInType: 1, reson: '质量问题' });
  });
});

describe('response envelopes', () => {
  it('reads the result under _responce and under _response alike', async () => {
    const { fetch } = fakeFetch(
      success('jingdong.eclp.order.addOrder', { eclpSoNo: 'ESL0000000000001' }),
      success('jingdong.eclp.order.addOrder', { eclpSoNo: 'ESL0000000000002' }, '_response'),
    );
    const client = clientWith(fetch);
    await expect(client.addOrder(order)).resolves.toEqual({ eclpSoNo: 'ESL0000000000001' });
    await expect(client.addOrder(order)).resolves.toEqual({ eclpSoNo: 'ESL0000000000002' });
  });

  it('treats a non-JSON body as a transport failure that may have committed', async () => {
    const { fetch } = fakeFetch(new Response('<html>gateway error</html>', { status: 200 }));
    const error = await caught(clientWith(fetch).addOrder(order));
    expect(error).toBeInstanceOf(EclpTransportError);
    expect(error).toMatchObject({ name: 'EclpTransportError', failure: 'malformed-response', retryable: true, mayHaveCommitted: true });
  });

  it('treats HTTP 503 as a retryable transport failure that may have committed, 404 as not committed', async () => {
    const { fetch } = fakeFetch(
      new Response('<html><body>503 Service Unavailable</body></html>', { status: 503 }),
      new Response('not here', { status: 404 }),
    );
    const client = clientWith(fetch);
    await expect(caught(client.queryOrder('ESL1'))).resolves.toMatchObject({
      name: 'EclpTransportError',
      failure: 'http-status',
      httpStatus: 503,
      retryable: true,
      mayHaveCommitted: true,
    });
    await expect(caught(client.queryOrder('ESL1'))).resolves.toMatchObject({ httpStatus: 404, mayHaveCommitted: false });
  });

  it('treats a success envelope without the result field as malformed', async () => {
    const { fetch } = fakeFetch(success('jingdong.eclp.order.addOrder', {}));
    await expect(caught(clientWith(fetch).addOrder(order))).resolves.toMatchObject({ failure: 'malformed-response', mayHaveCommitted: true });
  });

  it('classifies a non-zero code inside a success envelope like an error_response', async () => {
    const { fetch } = fakeFetch(success('jingdong.eclp.order.addOrder', { code: '66', zh_desc: '平台连接后端服务不可用' }));
    await expect(clientWith(fetch).addOrder(order)).rejects.toBeInstanceOf(EclpBackendBusyError);
  });
});

describe('error classification', () => {
  async function classify(code: string, zhDesc = '错误', extra: Partial<Parameters<typeof createEclpClient>[1]> = {}) {
    const { fetch } = fakeFetch(failure(code, zhDesc));
    return caught(clientWith(fetch, extra).addOrder(order));
  }

  it.each([
    ['1', false],
    ['23', false],
    ['43', true],
    ['65', true],
    ['66', false],
    ['67', true],
    ['69', true],
  ])('code %s → EclpBackendBusyError, retryable, mayHaveCommitted=%s', async (code, mayHaveCommitted) => {
    const error = await classify(code);
    expect(error).toBeInstanceOf(EclpBackendBusyError);
    expect(error).toMatchObject({ name: 'EclpBackendBusyError', kind: 'backend-busy', code, retryable: true, mayHaveCommitted });
  });

  it('code 2 → EclpQuotaError with a back-off hint of at least a minute, configurable', async () => {
    const standard = await classify('2', '限制时间内调用失败次数');
    expect(standard).toBeInstanceOf(EclpQuotaError);
    expect(standard).toMatchObject({ name: 'EclpQuotaError', retryable: true, mayHaveCommitted: false, retryAfterMs: 60_000 });
    expect(await classify('2', 'x', { quotaRetryAfterMs: 600_000 })).toMatchObject({ retryAfterMs: 600_000 });
    expect(() => createEclpClient(config, { quotaRetryAfterMs: 1_000 })).toThrow(RangeError);
  });

  it.each([
    ['19', 'refresh JD_ACCESS_TOKEN'],
    ['18', 'JD_ACCESS_TOKEN'],
    ['12', 'JD_APP_SECRET'],
    ['21', 'JD_APP_KEY'],
    ['8', 'clock'],
    ['24', 'permission'],
    ['74', 'white-list'],
  ])('code %s → EclpConfigurationError telling the operator to check %s', async (code, hint) => {
    const error = await classify(code);
    expect(error).toBeInstanceOf(EclpConfigurationError);
    expect(error).toMatchObject({ name: 'EclpConfigurationError', kind: 'configuration', code, retryable: false, mayHaveCommitted: false });
    expect(error.message).toContain(hint);
    expect(error.message).toContain(`(code ${code})`);
  });

  it('names the token problem the way an operator reads it', async () => {
    expect((await classify('19', '无效access_token')).message).toMatch(/^JD rejected the access token \(code 19\).*refresh JD_ACCESS_TOKEN/);
  });

  it.each(['61', '68', '1000', '9999'])('code %s → EclpBusinessError carrying zh_desc verbatim', async (code) => {
    const zh = '收货人姓名不能为空[consigneeName]';
    const error = await classify(code, zh);
    expect(error).toBeInstanceOf(EclpBusinessError);
    expect(error).toMatchObject({ name: 'EclpBusinessError', kind: 'business', code, zhDesc: zh, enDesc: 'error', retryable: false });
    expect(error.message).toContain(zh);
  });

  it('answers a refused return inside a success envelope with a business error', async () => {
    const { fetch } = fakeFetch(
      success('jingdong.eclp.rtw.transportRtw', { transportrtw_result: { resultCode: 2, msg: '原出库单未发货' } }),
    );
    await expect(caught(clientWith(fetch).transportRtw({ eclpSoNo: 'ESL1', isvRtwNum: 'R1' }))).resolves.toMatchObject({
      name: 'EclpBusinessError',
      code: '2',
      zhDesc: '原出库单未发货',
    });
  });

  it('lists exactly the non-retryable classes for Temporal', () => {
    expect([...NON_RETRYABLE_ECLP_ERROR_TYPES].sort()).toEqual(['EclpBusinessError', 'EclpConfigurationError', 'EclpValidationError']);
  });
});

describe('timeouts and network failures', () => {
  it('aborts after timeoutMs; the call may have been executed', async () => {
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
      });
    const started = Date.now();
    const error = await caught(createEclpClient({ ...config, timeoutMs: 50 }, { fetch: hang }).addOrder(order));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({ name: 'EclpTransportError', failure: 'timeout', retryable: true, mayHaveCommitted: true });
  });

  it('the deadline covers a body that never finishes', async () => {
    const stalled: FetchLike = async (_url, init) => {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"x":'));
          init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { status: 200 });
    };
    await expect(caught(createEclpClient({ ...config, timeoutMs: 50 }, { fetch: stalled }).queryOrder('ESL1'))).resolves.toMatchObject({
      failure: 'timeout',
    });
  });

  it('a refused connection cannot have committed; a reset one may have', async () => {
    const refuse: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    };
    const reset: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    };
    await expect(caught(clientWith(refuse).addOrder(order))).resolves.toMatchObject({ failure: 'network', mayHaveCommitted: false });
    await expect(caught(clientWith(reset).addOrder(order))).resolves.toMatchObject({ failure: 'network', mayHaveCommitted: true });
  });
});

describe('credentials never leak', () => {
  const scenarios: Array<[string, FetchLike]> = [
    [
      'error_response echoing credentials',
      fakeFetch(failure('19', `无效access_token ${TOKEN} / secret ${SECRET}`, `Invalid access_token ${TOKEN}`)).fetch,
    ],
    ['business error echoing credentials', fakeFetch(failure('1000', `参数错误 ${SECRET}`)).fetch],
    [
      'network error quoting the signed URL',
      async (url) => {
        throw new TypeError(`fetch failed for ${url}`, { cause: Object.assign(new Error(`socket hang up ${url} ${SECRET}`), { code: 'UND_ERR_SOCKET' }) });
      },
    ],
    ['HTML error page quoting the request', async (url) => new Response(`<h1>502</h1><p>${url}</p><p>${SECRET}</p>`, { status: 502 })],
    ['non-JSON body quoting the token', async () => new Response(`token=${TOKEN}`, { status: 200 })],
  ];

  it.each(scenarios)('%s', async (_label, fetch) => {
    const error = await caught(clientWith(fetch).addOrder(order));
    const exposed = exposedText(error);
    expect(exposed).not.toContain(SECRET);
    expect(exposed).not.toContain(TOKEN);
    expect(exposed).not.toContain(encodeURIComponent(TOKEN));
    expect(exposed).not.toMatch(/access_token=/);
  });

  it('logs one line per call without parameters or credentials', async () => {
    const lines: Array<{ level: string; fields: EclpCallLog }> = [];
    const logger = {
      info: (fields: object) => lines.push({ level: 'info', fields: fields as EclpCallLog }),
      warn: (fields: object) => lines.push({ level: 'warn', fields: fields as EclpCallLog }),
    };
    const { fetch } = fakeFetch(success('jingdong.eclp.order.addOrder', { eclpSoNo: 'ESL1' }), failure('61', '收货人电话不合法'));
    const client = clientWith(fetch, { logger });
    await client.addOrder(order);
    await client.addOrder(order).catch(() => undefined);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', fields: { eclpMethod: 'jingdong.eclp.order.addOrder', outcome: 'ok' } });
    expect(lines[1]).toMatchObject({ level: 'warn', fields: { outcome: 'business', code: '61', mayHaveCommitted: false } });
    expect(typeof lines[0]?.fields.durationMs).toBe('number');
    const logged = JSON.stringify(lines);
    for (const forbidden of [SECRET, TOKEN, '张三', '13800000000', '建国路']) expect(logged).not.toContain(forbidden);
  });
});

describe('results in domain terms', () => {
  it('queryOrder: status history, unknown codes kept, waybills, shipped per 10019', async () => {
    const { fetch } = fakeFetch(
      success('jingdong.eclp.order.queryOrder', {
        queryorder_result: {
          eclpSoNo: 'ESL0000000000001',
          isvUUID: 'SO-1001-1',
          currentStatus: '10019',
          wayBill: 'JDV000000000001,JDV000000000002',
          consigneeName: '张三',
          orderStatusList: [
            { soStatusCode: '10010', soStatusName: '新建', operateTime: '2024-01-02 10:00:00' },
            { soStatusCode: '10099', soStatusName: '未知节点', operateTime: '2024-01-02 10:30:00' },
            { soStatusCode: 10018, soStatusName: '打包', operateTime: '2024-01-02 11:00:00' },
            { soStatusCode: '10019', soStatusName: '发货', operateTime: '2024-01-02 12:00:00', operateUser: 'wms' },
          ],
          orderDetailList: [{ goodsNo: 'EMG1', isvGoodsNo: 'SKU-A', quantity: '2', realOutQty: 2, price: '0.3' }],
        },
      }),
    );
    const detail = await clientWith(fetch).queryOrder('ESL0000000000001');
    expect(detail).toMatchObject({
      eclpSoNo: 'ESL0000000000001',
      isvUuid: 'SO-1001-1',
      currentStatus: { code: '10019', name: 'SHIPPED', known: true },
      wayBills: ['JDV000000000001', 'JDV000000000002'],
      lines: [{ goodsNo: 'EMG1', isvGoodsNo: 'SKU-A', quantity: 2, shippedQty: 2, price: 0.3 }],
    });
    expect(detail.history[1]).toEqual({ status: { code: '10099', known: false }, jdName: '未知节点', operatedAt: '2024-01-02 10:30:00' });
    expect(JSON.stringify(detail)).not.toContain('张三');
    expect(salesOrderProgress(detail)).toEqual({
      shipped: true,
      shippedAt: '2024-01-02 12:00:00',
      delivered: false,
      cancelled: false,
      cancelRefused: false,
      returning: false,
      cancellable: false,
      wayBill: 'JDV000000000001',
      unknownCodes: ['10099'],
    });
  });

  it('salesOrderProgress: packed is not shipped; cancelled, refused, delivered', () => {
    const at = (code: string, time: string) => ({ status: { code, known: true }, operatedAt: time });
    const packed = { currentStatus: { code: '10018', known: true }, history: [at('10010', 'a'), at('10018', 'b')], wayBills: [] };
    expect(salesOrderProgress(packed)).toMatchObject({ shipped: false, cancellable: false });
    const fresh = { currentStatus: { code: '10010', known: true }, history: [at('10010', 'a')], wayBills: [] };
    expect(salesOrderProgress(fresh)).toMatchObject({ shipped: false, cancellable: true, cancelled: false });
    const cancelled = { currentStatus: { code: '10028', known: true }, history: [at('10010', 'a'), at('10028', 'b')], wayBills: [] };
    expect(salesOrderProgress(cancelled)).toMatchObject({ cancelled: true, cancellable: true });
    const refused = { currentStatus: { code: '10029', known: true }, history: [at('10017', 'a'), at('10029', 'b')], wayBills: [] };
    expect(salesOrderProgress(refused)).toMatchObject({ cancelled: false, cancelRefused: true });
    const delivered = { currentStatus: { code: '10034', known: true }, history: [at('10010', 'a'), at('10034', 'c')], wayBills: ['JDV1'] };
    expect(salesOrderProgress(delivered)).toMatchObject({ shipped: true, delivered: true, shippedAt: 'c', wayBill: 'JDV1' });
  });

  it('queryOrder without currentStatus falls back to the newest history step', async () => {
    const { fetch } = fakeFetch(
      success('jingdong.eclp.order.queryOrder', {
        queryorder_result: {
          orderStatusList: [
            { soStatusCode: '10016', operateTime: '2024-01-02 11:00:00' },
            { soStatusCode: '10010', operateTime: '2024-01-02 10:00:00' },
          ],
        },
      }),
    );
    await expect(clientWith(fetch).queryOrder('ESL5')).resolves.toMatchObject({ eclpSoNo: 'ESL5', currentStatus: { code: '10016', name: 'PICKING' } });
  });

  it('queryPoOrder: receipts per line, unknown PO status kept', async () => {
    const { fetch, sent } = fakeFetch(
      success('jingdong.eclp.po.queryPoOrder', {
        queryPoModelList: [
          {
            poOrderNo: 'EPL1',
            isvPoOrderNo: 'PO-9-1',
            whNo: '110000001',
            poOrderStatus: '20',
            poItemModelList: [
              { goodsNo: 'EMG1', numApplication: '10', realInstoreQty: '4' },
              { goodsNo: 'EMG2', numApplication: 5 },
            ],
          },
          { poOrderNo: 'EPL2', poOrderStatus: '45', poItemModelList: [] },
        ],
      }),
    );
    const pos = await clientWith(fetch).queryPoOrder(['EPL1', 'EPL2', 'EPL3']);
    expect(sent[0]?.businessParams).toEqual({ poOrderNo: 'EPL1,EPL2,EPL3' });
    expect(pos).toEqual([
      {
        poOrderNo: 'EPL1',
        spPoOrderNo: 'PO-9-1',
        warehouseNo: '110000001',
        status: { code: '20', name: 'INITIALISED', known: true },
        lines: [
          { goodsNo: 'EMG1', orderedQty: 10, receivedQty: 4 },
          { goodsNo: 'EMG2', orderedQty: 5, receivedQty: 0 },
        ],
      },
      { poOrderNo: 'EPL2', status: { code: '45', known: false }, lines: [] },
    ]);
  });

  it("queryRtw reads JD's msg and each line's goods level", async () => {
    const { fetch } = fakeFetch(
      success('jingdong.eclp.rtw.queryRtw', {
        queryrtw_result: [{ eclpRtwNo: 'ESR1', status: '600', msg: '包装破损', reason: '七天无理由', rtwDetailsModelList: [{ isvGoodsNo: 'TEA-001', goodsLevelNo: '200', planQty: 2, realQty: 0 }] }],
      }),
    );
    await expect(clientWith(fetch).queryRtw({ eclpRtwNo: 'ESR1' })).resolves.toEqual([
      {
        eclpRtwNo: 'ESR1',
        status: { code: '600', name: 'REJECTED', known: true },
        reason: '七天无理由',
        message: '包装破损',
        lines: [{ isvGoodsNo: 'TEA-001', plannedQty: 2, receivedQty: 0, goodsLevel: '200' }],
      },
    ]);
  });

  it('queryRtw reads scalars the Java SDK declares as arrays', async () => {
    const { fetch, sent } = fakeFetch(
      success('jingdong.eclp.rtw.queryRtw', {
        queryrtw_result: [
          {
            eclpRtwNo: ['ESR1'],
            eclpSoNo: 'ESL1',
            status: [200],
            rtwDetailsModelList: [{ goodsNo: 'EMG1', planQty: '2', realQty: '2' }],
          },
        ],
      }),
    );
    await expect(clientWith(fetch).queryRtw({ eclpRtwNo: 'ESR1' })).resolves.toEqual([
      { eclpRtwNo: 'ESR1', eclpSoNo: 'ESL1', status: { code: '200', name: 'COMPLETED', known: true }, lines: [{ goodsNo: 'EMG1', plannedQty: 2, receivedQty: 2 }] },
    ]);
    expect(sent[0]?.businessParams).toEqual({ eclpRtwNo: 'ESR1' });
  });

  it('queryOrdersByIsvUuid: comma-joined numbers with merchant identities; rows in domain terms', async () => {
    const { fetch, sent } = fakeFetch(
      success('jingdong.eclp.order.ext.queryOrder', {
        queryorder_result: [
          { isvUUID: 'SO-1-1', spSoNo: 'TB-1', eclpSoNo: 'ESL1', wayBill: '', mainStatus: 10010, resultCode: 1, resultMessage: '成功', operTime: '2024-01-02 10:00:00' },
        ],
      }),
    );
    await expect(clientWith(fetch).queryOrdersByIsvUuid(['SO-1-1', 'SO-2-1'])).resolves.toEqual([
      {
        isvUuid: 'SO-1-1',
        shopOrderNo: 'TB-1',
        eclpSoNo: 'ESL1',
        wayBills: [],
        status: { code: '10010', name: 'NEW', known: true },
        resultCode: '1',
        resultMessage: '成功',
        operatedAt: '2024-01-02 10:00:00',
      },
    ]);
    expect(sent[0]?.params['method']).toBe('jingdong.eclp.order.ext.queryOrder');
    expect(sent[0]?.businessParams).toEqual({ departmentNo: 'EBU0000000000009', isvSource: 'ISV0000000000009', isvUUID: 'SO-1-1,SO-2-1' });
  });

  it('cancel outcomes: 1 cancelled, 2 refused, anything else kept as unknown', async () => {
    const { fetch } = fakeFetch(
      success('jingdong.eclp.order.cancelOrder', { cancelorder_result: { code: 1, msg: '取消成功' } }),
      success('jingdong.eclp.order.cancelOrder', { cancelorder_result: { code: '2', msg: '订单已进入拣货环节，不允许取消' } }),
      success('jingdong.eclp.order.cancelOrder', { cancelorder_result: { code: 3 } }),
    );
    const client = clientWith(fetch);
    await expect(client.cancelOrder('ESL1')).resolves.toEqual({ result: 'cancelled', code: '1', message: '取消成功' });
    await expect(client.cancelOrder('ESL1')).resolves.toEqual({ result: 'refused', code: '2', message: '订单已进入拣货环节，不允许取消' });
    await expect(client.cancelOrder('ESL1')).resolves.toEqual({ result: 'unknown', code: '3' });
  });

  it('pages until a short page, then stops', async () => {
    const page = (serials: string[], total: number) => success('jingdong.eclp.serial.queryInStockSIDBySku', { queryinstocksidbysku_result: { serialNos: serials, total, pageNo: 1, pageSize: 2 } });
    const { fetch, sent } = fakeFetch(page(['S1', 'S2'], 5), page(['S3', 'S4'], 5), page(['S5'], 5));
    await expect(collect(clientWith(fetch).iterateInStockSerials({ goodsNo: 'EMG1' }, 2))).resolves.toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(sent.map((s) => s.businessParams['pageNo'])).toEqual([1, 2, 3]);
    expect(sent[0]?.businessParams).toEqual({ goodsNo: 'EMG1', pageNo: 1, pageSize: 2 });
  });

  it('pages stop when the reported total is reached, without asking for an empty page', async () => {
    const page = (codes: string[]) =>
      success('jingdong.eclp.serial.queryPageSerialByBillNo', {
        querypageserialbybillno_result: { serialNumbers: codes.map((serialNumber) => ({ goodsNo: 'EMG1', serialNumber })), totalRecords: 4 },
      });
    const { fetch, sent } = fakeFetch(page(['A', 'B']), page(['C', 'D']));
    const serials = await collect(clientWith(fetch).iterateSerialsByBill({ billNo: 'EPL1', billType: 11 }, 2));
    expect(serials.map((s) => s.serialNo)).toEqual(['A', 'B', 'C', 'D']);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.businessParams).toEqual({ billNo: 'EPL1', billType: 11, pageNo: 1, pageSize: 2 });
  });

  it('queryStock: one page in domain terms; a recordCount that cannot be a total does not stop the walk', async () => {
    const row = (goodsNo: string) => ({ goodsNo, warehouseNo: '110000001', totalNum: '7', usableNum: 5, stockStatus: 1, stockType: 1, recordCount: 1 });
    const { fetch, sent } = fakeFetch(
      success('jingdong.eclp.stock.queryStock', { querystock_result: [row('EMG1'), row('EMG2')] }),
      success('jingdong.eclp.stock.queryStock', { querystock_result: [row('EMG3')] }),
    );
    const rows = await collect(clientWith(fetch).iterateStock({ warehouseNo: '110000001', includeZeroStock: true }, 2));
    expect(rows.map((r) => r.goodsNo)).toEqual(['EMG1', 'EMG2', 'EMG3']);
    expect(rows[0]).toEqual({ goodsNo: 'EMG1', warehouseNo: '110000001', totalQty: 7, usableQty: 5, stockStatus: '1', stockType: '1' });
    expect(sent[1]?.businessParams).toEqual({ currentPage: 2, deptNo: 'EBU0000000000009', pageSize: 2, returnZeroStock: 2, warehouseNo: '110000001' });
  });

  it('goods, serial uploads and document serials', async () => {
    const { fetch, sent } = fakeFetch(
      success('jingdong.eclp.goods.transportGoodsInfo', { goodsNo: 'EMG0000000000001' }),
      success('jingdong.eclp.po.addPoSidDetail', { addPoSidResult: 'success' }),
      success('jingdong.eclp.goods.queryGoodsSerial', {
        goodsSerialList: [{ businessNo: 'EPL1', businessType: '11', departmentNo: 'EBU1', goodsNo: 'EMG1', serialNumber: 'SN1' }],
      }),
    );
    const client = clientWith(fetch);
    await expect(
      client.transportGoodsInfo({ isvGoodsNo: 'SKU-A', goodsName: '测试商品', barcodes: ['6900000000001', '6900000000002'], thirdCategoryNo: '4159', serialManaged: true }),
    ).resolves.toEqual({ goodsNo: 'EMG0000000000001' });
    expect(sent[0]?.businessParams).toEqual({
      barcodes: '6900000000001,6900000000002',
      deptNo: 'EBU0000000000009',
      goodsName: '测试商品',
      isvGoodsNo: 'SKU-A',
      safeDays: 0,
      serial: 2,
      thirdCategoryNo: '4159',
    });
    await expect(client.addPoSidDetail({ poOrderNo: 'EPL1', pin: 'merchant_pin', serials: [{ goodsNo: 'EMG1', serialNo: 'SN1' }, { goodsNo: 'EMG1', serialNo: 'SN2' }] })).resolves.toEqual({
      result: 'success',
    });
    expect(sent[1]?.businessParams).toEqual({ deptGoodsNo: 'EMG1,EMG1', pin: 'merchant_pin', poNo: 'EPL1', serialNo: 'SN1,SN2', version: 1 });
    await expect(client.queryGoodsSerial('EPL1')).resolves.toEqual([
      { businessNo: 'EPL1', businessType: '11', deptNo: 'EBU1', goodsNo: 'EMG1', serialNo: 'SN1' },
    ]);
    await expect(caught(client.addPoSidDetail({ poOrderNo: 'EPL1', pin: 'merchant_pin', serials: [{ goodsNo: 'EMG1', serialNo: 'SN,3' }] }))).resolves.toMatchObject({
      field: 'serials.serialNo',
      line: 1,
    });
    await expect(client.transportGoodsInfo({ isvGoodsNo: 'SKU', goodsName: 'x', barcodes: ['69,01'], thirdCategoryNo: '4159' })).rejects.toBeInstanceOf(
      EclpValidationError,
    );
  });
});
