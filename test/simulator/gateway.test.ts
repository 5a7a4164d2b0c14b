// The JOS gateway double (eclp-api.md §1): authentication refusals with JD's codes and texts, both
// timestamp formats and every sign method, parameter placement, envelopes and call counting.
import { DEV_CREDENTIALS, type EclpCredentials } from '../../eclp/config';
import { formatBusinessDate, formatTimestamp, GATEWAY_MESSAGES, type GatewayCode } from '../../eclp/protocol';
import { checkCall, mergeParams } from '../../simulator/gateway';
import { callJd, signedParams, type JdCallOptions } from '../../simulator/jd-call';
import { startSimulator, type RunningSimulator } from '../../simulator/server';
import { MANUAL_TIMELINE } from '../../simulator/timeline';

const CREDENTIALS: EclpCredentials = { appKey: 'sim-test-key', appSecret: 'sim-test-secret', accessToken: 'sim-test-token' };
const METHOD = 'jingdong.eclp.stock.queryStock';
const STOCK_QUERY = { deptNo: 'EBU0000000000001', warehouseNo: '110000001' };
const ENVELOPE = 'jingdong_eclp_stock_queryStock_responce';

let sim: RunningSimulator;

const call = (options: JdCallOptions = {}, method = METHOD, business: Record<string, unknown> | string = STOCK_QUERY) =>
  callJd(sim.gatewayUrl, method, business, { credentials: CREDENTIALS, ...options });

async function stats(): Promise<{ total: number; byMethod: Record<string, number> }> {
  return (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { total: number; byMethod: Record<string, number> };
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, credentials: CREDENTIALS, timeline: MANUAL_TIMELINE });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
});

describe('accepted calls', () => {
  it('answers a signed call in the `_responce` envelope with code "0", HTTP 200', async () => {
    const answer = await call();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ [ENVELOPE]: { code: '0', querystock_result: [] } });
  });

  it.each(['md5', 'hmacmd5', 'hmacsha256'] as const)('verifies %s signatures', async (signMethod) => {
    await expect(call({ signMethod })).resolves.toMatchObject({ body: { [ENVELOPE]: { code: '0' } } });
  });

  it('accepts sign_method=md5 sent explicitly', async () => {
    await expect(call({ params: { sign_method: 'md5' } })).resolves.toMatchObject({ body: { [ENVELOPE]: { code: '0' } } });
  });

  it('accepts both timestamp formats within ±6 minutes', async () => {
    const classic = formatBusinessDate(new Date(Date.now() - 5 * 60_000));
    const sdk = formatTimestamp(new Date(Date.now() + 5 * 60_000));
    await expect(call({ timestamp: classic })).resolves.toMatchObject({ body: { [ENVELOPE]: { code: '0' } } });
    await expect(call({ timestamp: sdk })).resolves.toMatchObject({ body: { [ENVELOPE]: { code: '0' } } });
  });

  it.each(['sdk', 'query', 'form'] as const)('merges parameters from query string and form body (%s placement)', async (placement) => {
    await expect(call({ placement })).resolves.toMatchObject({ body: { [ENVELOPE]: { code: '0' } } });
  });

  it('treats an absent 360buy_param_json as no business fields', async () => {
    const answer = await call({ params: { '360buy_param_json': undefined } });
    expect(answer.body).toEqual({ error_response: { code: '61', zh_desc: expect.stringContaining('deptNo'), en_desc: expect.any(String) } });
  });
});

describe('refused calls', () => {
  const old = formatTimestamp(new Date(Date.now() - 7 * 60_000));
  const future = formatBusinessDate(new Date(Date.now() + 7 * 60_000));
  const cases: Array<[string, GatewayCode, JdCallOptions, string?, (Record<string, unknown> | string)?]> = [
    ['no app_key', '20', { params: { app_key: undefined } }],
    ['an unknown app_key', '21', { params: { app_key: 'someone-else' } }],
    ['no method', '14', { params: { method: undefined } }],
    ['no access_token', '18', { params: { access_token: undefined } }],
    ['a wrong access_token', '19', { params: { access_token: 'expired-token' } }],
    ['no timestamp', '7', { params: { timestamp: undefined } }],
    ['an unparseable timestamp', '8', { timestamp: '2024/01/02 03:04:05' }],
    ['a timestamp 7 minutes old', '8', { timestamp: old }],
    ['a classic timestamp 7 minutes ahead', '8', { timestamp: future }],
    ['no version', '4', { params: { v: undefined } }],
    ['version 3.0', '5', { params: { v: '3.0' } }],
    ['no sign', '11', { afterSign: { sign: undefined } }],
    ['a tampered sign', '12', { afterSign: { sign: '0123456789ABCDEF0123456789ABCDEF' } }],
    ['business JSON changed after signing', '12', { afterSign: { '360buy_param_json': JSON.stringify({ ...STOCK_QUERY, warehouseNo: '110000002' }) } }],
    ['a sign made with another secret', '12', { credentials: { ...CREDENTIALS, appSecret: 'other-secret' } }],
    ['an unknown sign_method', '12', { params: { sign_method: 'sha1' } }],
    ['an unknown method', '15', {}, 'jingdong.eclp.order.noSuchApi'],
    ['malformed 360buy_param_json', '63', {}, METHOD, '{"deptNo":'],
    ['a JSON array as 360buy_param_json', '63', {}, METHOD, '[1,2]'],
  ];

  it.each(cases)('refuses %s with code %s and JD’s texts, HTTP 200', async (_what, code, options, method = METHOD, business = STOCK_QUERY) => {
    const answer = await call(options, method, business);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ error_response: { code, zh_desc: GATEWAY_MESSAGES[code].zh, en_desc: GATEWAY_MESSAGES[code].en } });
  });

  it('refuses the dev credentials when started with others, and never echoes the secret or token', async () => {
    const answer = await call({ credentials: DEV_CREDENTIALS });
    expect(answer.body).toMatchObject({ error_response: { code: '21' } });
    expect(answer.text).not.toContain(CREDENTIALS.appSecret);
    expect(answer.text).not.toContain(DEV_CREDENTIALS.accessToken);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${sim.url}/nowhere`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${sim.gatewayUrl}`)).status).toBe(404);
  });
});

describe('call statistics', () => {
  it('counts every call that reached /routerjson, refused ones included, per method as sent', async () => {
    await call();
    await call({ params: { access_token: 'wrong' } });
    await call({}, 'jingdong.eclp.order.noSuchApi');
    await call({ params: { method: undefined } });
    expect(await stats()).toEqual({ total: 4, byMethod: { [METHOD]: 2, 'jingdong.eclp.order.noSuchApi': 1, '(none)': 1 } });
    expect((await fetch(`${sim.url}/_sim/stats/reset`, { method: 'POST' })).status).toBe(204);
    expect(await stats()).toEqual({ total: 0, byMethod: {} });
  });
});

describe('pure helpers', () => {
  it('mergeParams lets the form body win and keeps the first of repeated values', () => {
    expect(mergeParams({ a: '1', b: ['x', 'y'] }, { a: '2', c: 3 }, undefined)).toEqual({ a: '2', b: 'x' });
  });

  it('checkCall accepts a lower-case sign and the SDK timestamp', () => {
    const params = signedParams(METHOD, STOCK_QUERY, { credentials: CREDENTIALS });
    expect(checkCall({ ...params, sign: params.sign?.toLowerCase() ?? '' }, CREDENTIALS, new Date())).toBeUndefined();
    expect(checkCall(params, CREDENTIALS, new Date(Date.now() + 6 * 60_000 + 1_000))).toBe('8');
  });
});
