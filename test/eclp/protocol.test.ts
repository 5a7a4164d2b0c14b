import fc from 'fast-check';
import {
  decodeList,
  encodeList,
  envelopeKey,
  formatBusinessDate,
  formatTimestamp,
  GatewayCode,
  LineEncodingError,
  parseTimestamp,
  sign,
  type SignMethod,
} from '../../eclp/protocol';
import { checkCall } from '../../simulator/gateway';

// Expected signatures were computed once outside this code base (`openssl dgst -md5`, `openssl dgst -md5
// -hmac`, `openssl dgst -sha256 -hmac` and Python hashlib over the string-to-sign of eclp-api.md §1.4) and
// are hard-coded: checking `sign` against itself would pass a wrong algorithm that client and simulator share.
describe('JOS signature (eclp-api.md §1.4 test vectors)', () => {
  const SECRET = 'testsecret';
  const params = {
    '360buy_param_json': '{"eclpSoNo":"ESL0000000001"}',
    access_token: 'testtoken',
    app_key: 'testappkey',
    method: 'jingdong.eclp.order.queryOrder',
    timestamp: '2024-01-02 03:04:05.000+0800',
    v: '2.0',
  };
  const VECTORS: Array<{ method: SignMethod; signed: Record<string, string>; expected: string }> = [
    { method: 'md5', signed: params, expected: '5F1EEBC1BC2500C2375B10A232DBD0E6' },
    { method: 'hmacmd5', signed: { ...params, sign_method: 'hmacmd5' }, expected: 'DF95DBA55032D4FFF85F0280811D0456' },
    { method: 'hmacsha256', signed: { ...params, sign_method: 'hmacsha256' }, expected: 'DDDD61B0C903B0AD1C9AA3A58055CF23B4F21D5018F525DD7BA8AF61451F8EA1' },
  ];
  /** The simulator's gateway check at the vector's own moment, with the vector's credentials. */
  const gatewayRefusal = (signed: Record<string, string>) =>
    checkCall(signed, { appKey: 'testappkey', appSecret: SECRET, accessToken: 'testtoken' }, new Date('2024-01-01T19:04:05.000Z'));

  describe.each(VECTORS)('$method', ({ method, signed, expected }) => {
    it('signs the documented parameters to the fixed vector', () => {
      expect(sign(signed, SECRET, method)).toBe(expected);
    });

    it('the gateway accepts the fixed vector', () => {
      expect(gatewayRefusal({ ...signed, sign: expected })).toBeUndefined();
    });

    it.each([
      ['one hex digit changed', (s: string) => `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`],
      ['made with another secret', () => sign(signed, 'othersecret', method)],
      ['made for another parameter value', () => sign({ ...signed, v: '3.0' }, SECRET, method)],
    ])('the gateway refuses a signature %s with code 12', (_what, wrong) => {
      expect(gatewayRefusal({ ...signed, sign: wrong(expected) })).toBe(GatewayCode.INVALID_SIGNATURE);
    });
  });

  it('hmac modes sign sign_method itself: the same signature without it is refused', () => {
    for (const { method, expected } of VECTORS.filter((v) => v.method !== 'md5')) {
      expect(gatewayRefusal({ ...params, sign: expected })).toBe(GatewayCode.INVALID_SIGNATURE);
      expect(sign(params, SECRET, method)).not.toBe(expected);
    }
  });

  it('ignores a sign parameter, empty values and insertion order', () => {
    const shuffled = { sign: 'WHATEVER', format: '', ...Object.fromEntries(Object.entries(params).reverse()) };
    expect(sign(shuffled, SECRET)).toBe('5F1EEBC1BC2500C2375B10A232DBD0E6');
  });
});

describe('timestamps in Beijing time', () => {
  const instant = new Date('2024-01-01T19:04:05.123Z');

  it('formats the Java SDK form with offset', () => {
    expect(formatTimestamp(instant)).toBe('2024-01-02 03:04:05.123+0800');
    expect(formatBusinessDate(instant)).toBe('2024-01-02 03:04:05');
  });

  it('parses both accepted forms back to the same instant', () => {
    expect(parseTimestamp('2024-01-02 03:04:05.123+0800')?.toISOString()).toBe('2024-01-01T19:04:05.123Z');
    expect(parseTimestamp('2024-01-02 03:04:05')?.toISOString()).toBe('2024-01-01T19:04:05.000Z');
    expect(parseTimestamp('2024-01-02 03:04:05.000+08:00')?.toISOString()).toBe('2024-01-01T19:04:05.000Z');
    expect(parseTimestamp('2024-01-01 19:04:05.000+0000')?.toISOString()).toBe('2024-01-01T19:04:05.000Z');
  });

  it('rejects other shapes', () => {
    expect(parseTimestamp('2024-01-02T03:04:05Z')).toBeUndefined();
    expect(parseTimestamp('1704135845')).toBeUndefined();
    expect(parseTimestamp('')).toBeUndefined();
  });

  it('round-trips any instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (at) => {
        expect(parseTimestamp(formatTimestamp(at))?.getTime()).toBe(at.getTime());
      }),
    );
  });
});

describe('comma-joined line lists', () => {
  it('joins in line order and splits back', () => {
    expect(encodeList('quantity', [1, 2, 30])).toBe('1,2,30');
    expect(decodeList('EMG1,EMG2')).toEqual(['EMG1', 'EMG2']);
    expect(decodeList(undefined)).toEqual([]);
    expect(decodeList('')).toEqual([]);
    expect(decodeList(7)).toEqual(['7']);
  });

  it('round-trips any comma-free values', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => !s.includes(',') && s !== ''), { minLength: 1 }), (values) => {
        expect(decodeList(encodeList('goodsNo', values))).toEqual(values);
      }),
    );
  });

  it('refuses a value with a comma, naming field and index', () => {
    let thrown: unknown;
    try {
      encodeList('isvGoodsNo', ['SKU-1', 'SKU,2']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LineEncodingError);
    expect(thrown).toMatchObject({ field: 'isvGoodsNo', index: 1, value: 'SKU,2' });
  });
});

describe('envelope key', () => {
  it("uses JD's _responce spelling", () => {
    expect(envelopeKey('jingdong.eclp.order.ext.queryOrder')).toBe('jingdong_eclp_order_ext_queryOrder_responce');
  });
});
