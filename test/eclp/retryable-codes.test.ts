// Every gateway code eclp-api.md §1.7 tells the client to retry is retried: none of them may come out as
// a business refusal, which would fail a document JD might still take. And JD's "already exists" answer
// to a repeated create is recognised, so the push can look the order up instead of failing it.
import { classifyGatewayFailure } from '../../eclp/classify';
import {
  createEclpClient,
  EclpBackendBusyError,
  EclpBusinessError,
  EclpConfigurationError,
  EclpQuotaError,
  isAlreadyExistsRefusal,
  type FetchLike,
} from '../../eclp';
import { caughtEclpError } from '../support';

const options = { quotaRetryAfterMs: 60_000 };
const classify = (code: string, zhDesc = '错误', enDesc?: string) =>
  classifyGatewayFailure({ method: 'jingdong.eclp.order.addOrder', code, zhDesc, ...(enDesc !== undefined && { enDesc }) }, options);

/**
 * eclp-api.md §1.7's "client action" for the codes it marks as retryable, and how that retry happens here:
 * `busy` (EclpBackendBusyError, Temporal's back-off), `quota` (EclpQuotaError, a long back-off) or
 * `operator` (EclpConfigurationError: retried every few minutes until an operator fixes credentials or clock).
 */
const RETRYABLE_PER_DOC: Array<[code: string, docAction: string, how: 'busy' | 'quota' | 'operator', mayHaveCommitted: boolean]> = [
  ['1', 'fix request; retry once', 'busy', false],
  ['2', 'back off, alert', 'quota', false],
  ['7', 'fix clock, retry', 'operator', false],
  ['8', 'fix clock, retry', 'operator', false],
  ['19', 'refresh token, then retry once', 'operator', false],
  ['23', 'retry later', 'busy', false],
  ['43', 'retry with back-off', 'busy', true],
  ['65', 'retry (outcome of a create call is unknown)', 'busy', true],
  ['66', 'retry with back-off', 'busy', false],
  ['67', 'retry with back-off, then treat as failure', 'busy', true],
  ['69', 'retry', 'busy', true],
];

describe('codes eclp-api.md marks retryable', () => {
  it.each(RETRYABLE_PER_DOC)('code %s (%s) is retried, never a business refusal', (code, _action, how, mayHaveCommitted) => {
    const error = classify(code);
    expect(error).not.toBeInstanceOf(EclpBusinessError);
    const expected = { busy: EclpBackendBusyError, quota: EclpQuotaError, operator: EclpConfigurationError }[how];
    expect(error).toBeInstanceOf(expected);
    expect(error.mayHaveCommitted).toBe(mayHaveCommitted);
    if (how !== 'operator') expect(error.retryable).toBe(true);
  });

  it.each(['23', '69'])('code %s through the client: a retryable backend failure carrying JD text', async (code) => {
    const fetch: FetchLike = async () =>
      new Response(JSON.stringify({ error_response: { code, zh_desc: code === '23' ? '该API已经停用' : '获取数据失败', en_desc: 'x' } }), { status: 200 });
    const client = createEclpClient(
      { appKey: 'k', appSecret: 's', accessToken: 't', gatewayUrl: 'https://gw.example.test/routerjson', timeoutMs: 1_000, deptNo: 'EBU1', shopNo: 'ESP1', isvSource: 'ISV1' },
      { fetch },
    );
    const error = await caughtEclpError(client.queryOrdersByIsvUuid(['SO-1-1']));
    expect(error).toMatchObject({ name: 'EclpBackendBusyError', code, retryable: true });
    expect(error.toDetails()).toMatchObject({ retryable: true, code });
  });

  it('codes the doc calls fatal stay refusals', () => {
    for (const code of ['13', '60', '61', '63', '68', '1000']) expect(classify(code)).toBeInstanceOf(EclpBusinessError);
  });
});

describe('isAlreadyExistsRefusal', () => {
  it('recognises JD refusing a document it already holds, by its Chinese or English text', () => {
    expect(isAlreadyExistsRefusal(classify('1000', 'isvUUID已存在，请勿重复下发（SO-1-1）'))).toBe(true);
    expect(isAlreadyExistsRefusal(classify('61', '单据已存在'))).toBe(true);
    expect(isAlreadyExistsRefusal(classify('1000', '失败', 'Order already exists'))).toBe(true);
  });

  it('does not mistake other refusals, or failures that are not refusals, for it', () => {
    expect(isAlreadyExistsRefusal(classify('1000', '商品不存在'))).toBe(false);
    expect(isAlreadyExistsRefusal(classify('61', '参数quantity值不合法'))).toBe(false);
    expect(isAlreadyExistsRefusal(classify('67', '已存在'))).toBe(false);
    expect(isAlreadyExistsRefusal(new Error('已存在'))).toBe(false);
  });
});
