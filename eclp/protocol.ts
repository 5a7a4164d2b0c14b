// The JOS gateway wire protocol shared by the client and the simulator (eclp-api.md §1).
// Pure functions, Node built-ins only: both sides must agree byte for byte, so neither may re-implement it.
import { createHash, createHmac } from 'node:crypto';

export type SignMethod = 'md5' | 'hmacmd5' | 'hmacsha256';

/** The API version we speak; JD answers `_responce` envelopes for it (eclp-api.md §1.6). */
export const API_VERSION = '2.0';

/**
 * JOS signature (eclp-api.md §1.4): every parameter except `sign`, sorted by name in byte order,
 * concatenated as name+value with no separators and no URL encoding; MD5 wraps the string in the secret,
 * HMAC modes key with it. Upper-case hex. Empty values are skipped, as the official SDKs do.
 */
export function sign(params: Record<string, string | undefined>, secret: string, method: SignMethod = 'md5'): string {
  const body = Object.keys(params)
    .filter((name) => name !== 'sign' && params[name] !== undefined && params[name] !== '')
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))
    .map((name) => `${name}${params[name]}`)
    .join('');
  switch (method) {
    case 'md5':
      return createHash('md5').update(`${secret}${body}${secret}`, 'utf8').digest('hex').toUpperCase();
    case 'hmacmd5':
      return createHmac('md5', secret).update(body, 'utf8').digest('hex').toUpperCase();
    case 'hmacsha256':
      return createHmac('sha256', secret).update(body, 'utf8').digest('hex').toUpperCase();
  }
}

const BEIJING_OFFSET_MS = 8 * 3600_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `yyyy-MM-dd HH:mm:ss.SSS+0800` in Beijing time, the format of JD's current Java SDK (eclp-api.md §1.3). */
export function formatTimestamp(at: Date): string {
  const b = new Date(at.getTime() + BEIJING_OFFSET_MS);
  return (
    `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ` +
    `${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}.${pad(b.getUTCMilliseconds(), 3)}+0800`
  );
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, the format of dates inside business parameters (eclp-api.md §1.5). */
export function formatBusinessDate(at: Date): string {
  return formatTimestamp(at).slice(0, 19);
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Parses both timestamp forms JD accepts: the classic `yyyy-MM-dd HH:mm:ss` (Beijing time) and the
 * SDKs' `…ss.SSS+0800` with an explicit offset. Returns undefined for anything else.
 */
export function parseTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms, sign, oh, om] = m;
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600_000 + Number(om) * 60_000) : BEIJING_OFFSET_MS;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? '0').padEnd(3, '0')));
  const date = new Date(utc - offsetMs);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Thrown when a line-item value cannot be sent as a comma-joined list without corrupting it. */
export class LineEncodingError extends Error {
  constructor(readonly field: string, readonly index: number, readonly value: string) {
    super(`${field}[${index}] contains a comma, which JD's comma-joined line fields cannot carry: ${JSON.stringify(value)}`);
    this.name = 'LineEncodingError';
  }
}

/**
 * Line items travel as parallel comma-joined strings (eclp-api.md §1.5): the n-th element of each belongs
 * to line n. A value containing a comma would shift every later line, so it is refused, never sent.
 */
export function encodeList(field: string, values: ReadonlyArray<string | number>): string {
  return values
    .map((value, index) => {
      const text = String(value);
      if (text.includes(',')) throw new LineEncodingError(field, index, text);
      return text;
    })
    .join(',');
}

/** Splits a comma-joined field back into its elements; an absent or empty field is an empty list. */
export function decodeList(value: string | number | undefined | null): string[] {
  if (value === undefined || value === null) return [];
  const text = String(value);
  return text === '' ? [] : text.split(',');
}

/** `jingdong.eclp.order.addOrder` → `jingdong_eclp_order_addOrder_responce` (JD's spelling, eclp-api.md §1.6). */
export function envelopeKey(method: string): string {
  return `${method.split('.').join('_')}_responce`;
}

/** The JOS gateway error codes this project acts on (eclp-api.md §1.7). */
export const GatewayCode = {
  SERVICE_UNAVAILABLE: '1',
  CALL_LIMITED: '2',
  FORBIDDEN: '3',
  MISSING_VERSION: '4',
  UNSUPPORTED_VERSION: '5',
  INVALID_VERSION: '6',
  MISSING_TIMESTAMP: '7',
  INVALID_TIMESTAMP: '8',
  MISSING_SIGNATURE: '11',
  INVALID_SIGNATURE: '12',
  INVALID_FORMAT: '13',
  MISSING_METHOD: '14',
  INVALID_METHOD: '15',
  MISSING_ACCESS_TOKEN: '18',
  INVALID_ACCESS_TOKEN: '19',
  MISSING_APP_KEY: '20',
  INVALID_APP_KEY: '21',
  NO_API_PERMISSION: '24',
  SYSTEM_ERROR: '43',
  INVALID_PARAMETER: '61',
  INVALID_JSON: '63',
  BACKEND_TIMEOUT: '65',
  BACKEND_UNAVAILABLE: '66',
  BACKEND_EXCEPTION: '67',
} as const;
export type GatewayCode = (typeof GatewayCode)[keyof typeof GatewayCode];

/** JD's own Chinese and English texts for the codes above (eclp-api.md §1.7, sources S10/S14/S15). */
export const GATEWAY_MESSAGES: Record<GatewayCode, { zh: string; en: string }> = {
  '1': { zh: '服务不可用', en: 'Service unavailable' },
  '2': { zh: '限制时间内调用失败次数', en: 'App Call Limited' },
  '3': { zh: '请求被禁止', en: 'Forbidden Request' },
  '4': { zh: '缺少版本参数', en: 'Missing Version' },
  '5': { zh: '不支持的版本号', en: 'Unsupported Version' },
  '6': { zh: '非法的版本参数', en: 'Invalid Version' },
  '7': { zh: '缺少时间戳参数', en: 'Missing Timestamp' },
  '8': { zh: '非法的时间戳参数', en: 'Invalid Timestamp' },
  '11': { zh: '缺少签名参数', en: 'Missing Signature' },
  '12': { zh: '无效签名', en: 'Invalid Signature' },
  '13': { zh: '无效数据格式', en: 'Invalid Format' },
  '14': { zh: '缺少方法名参数', en: 'Missing Method' },
  '15': { zh: '不存在的方法名', en: 'Invalid Method' },
  '18': { zh: '缺少access_token参数', en: 'Missing access_token' },
  '19': { zh: '无效access_token', en: 'Invalid access_token' },
  '20': { zh: '缺少app_key参数', en: 'Missing app_key' },
  '21': { zh: '无效app_key', en: 'Invalid app_key' },
  '24': { zh: '无权调用API', en: 'No permission to call this API' },
  '43': { zh: '系统处理错误', en: 'System error' },
  '61': { zh: '参数值不合法，请参照帮助文档确认！', en: 'Invalid parameter value' },
  '63': { zh: 'json格式不合法', en: 'Invalid JSON' },
  '65': { zh: '平台连接后端服务超时', en: 'Platform to backend service timeout' },
  '66': { zh: '平台连接后端服务不可用', en: 'Platform to backend service unavailable' },
  '67': { zh: '平台连接后端服务处理过程中出现未知异常信息', en: 'Unknown exception in backend service' },
};

/** Gateway errors after which the same request may simply be sent again later (eclp-api.md §1.9). */
export const TRANSIENT_GATEWAY_CODES: ReadonlySet<string> = new Set(['1', '43', '65', '66', '67']);
/** Gateway errors that mean our configuration (credentials, clock, app) is wrong, not the request. */
export const CONFIGURATION_GATEWAY_CODES: ReadonlySet<string> = new Set([
  '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '14', '15', '18', '19', '20', '21', '22', '24', '25', '28', '64',
  '74', '75', '79', '80', '88', '89', '90', '91', '92',
]);
