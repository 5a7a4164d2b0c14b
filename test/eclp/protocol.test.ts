import fc from 'fast-check';
import {
  decodeList,
  encodeList,
  envelopeKey,
  formatBusinessDate,
  formatTimestamp,
  LineEncodingError,
  parseTimestamp,
  sign,
} from '../../eclp/protocol';

describe('JOS signature (eclp-api.md §1.4 test vector)', () => {
  const params = {
    '360buy_param_json': '{"eclpSoNo":"ESL0000000001"}',
    access_token: 'testtoken',
    app_key: 'testappkey',
    method: 'jingdong.eclp.order.queryOrder',
    timestamp: '2024-01-02 03:04:05.000+0800',
    v: '2.0',
  };

  it('md5: secret + sorted name/value pairs + secret, upper-case hex', () => {
    expect(sign(params, 'testsecret')).toBe('5F1EEBC1BC2500C2375B10A232DBD0E6');
  });

  it('hmacmd5: sign_method is itself a signed parameter', () => {
    expect(sign({ ...params, sign_method: 'hmacmd5' }, 'testsecret', 'hmacmd5')).toBe('DF95DBA55032D4FFF85F0280811D0456');
  });

  it('ignores a sign parameter, empty values and insertion order', () => {
    const shuffled = { sign: 'WHATEVER', format: '', ...Object.fromEntries(Object.entries(params).reverse()) };
    expect(sign(shuffled, 'testsecret')).toBe('5F1EEBC1BC2500C2375B10A232DBD0E6');
  });

  it('changes with the secret', () => {
    expect(sign(params, 'othersecret')).not.toBe('5F1EEBC1BC2500C2375B10A232DBD0E6');
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
