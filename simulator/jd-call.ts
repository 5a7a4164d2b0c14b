// A raw JOS call built only from eclp/protocol.ts: what sign-curl prints, and what the simulator's tests,
// demos and benchmarks use to talk to the gateway without the real client (which is under test elsewhere).
import { DEV_CREDENTIALS, type EclpCredentials } from '../eclp/config';
import { API_VERSION, formatTimestamp, sign, type SignMethod } from '../eclp/protocol';

export interface JdCallOptions {
  credentials?: EclpCredentials;
  /** Sent as sign_method unless md5 (the default, which JD's SDKs do not send). */
  signMethod?: SignMethod;
  /** Default: now, in the SDK format `yyyy-MM-dd HH:mm:ss.SSS+0800`. */
  timestamp?: string;
  /** System parameters to replace before signing; undefined removes one. */
  params?: Record<string, string | undefined>;
  /** Parameters to replace after signing (e.g. a tampered sign); undefined removes one. */
  afterSign?: Record<string, string | undefined>;
  /** `sdk`: system params in the query, 360buy_param_json in the form body, like JD's Java SDK. */
  placement?: 'sdk' | 'query' | 'form';
  signal?: AbortSignal;
}

function apply(target: Record<string, string>, changes: Record<string, string | undefined> = {}): Record<string, string> {
  const result = { ...target };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

/** Every parameter of a signed call, sign included. A string `business` is sent verbatim (for bad-JSON tests). */
export function signedParams(method: string, business: Record<string, unknown> | string, options: JdCallOptions = {}): Record<string, string> {
  const credentials = options.credentials ?? DEV_CREDENTIALS;
  const base: Record<string, string> = {
    method,
    app_key: credentials.appKey,
    access_token: credentials.accessToken,
    timestamp: options.timestamp ?? formatTimestamp(new Date()),
    v: API_VERSION,
    '360buy_param_json': typeof business === 'string' ? business : JSON.stringify(business),
  };
  if (options.signMethod && options.signMethod !== 'md5') base.sign_method = options.signMethod;
  const unsigned = apply(base, options.params);
  return apply({ ...unsigned, sign: sign(unsigned, credentials.appSecret, options.signMethod ?? 'md5') }, options.afterSign);
}

export interface JdCallResult {
  status: number;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON (e.g. an HTML 503). */
  body: unknown;
}

export async function callJd(gatewayUrl: string, method: string, business: Record<string, unknown> | string, options: JdCallOptions = {}): Promise<JdCallResult> {
  const params = signedParams(method, business, options);
  const placement = options.placement ?? 'sdk';
  const inQuery = (name: string) => placement === 'query' || (placement === 'sdk' && name !== '360buy_param_json');
  const query = new URLSearchParams(Object.entries(params).filter(([name]) => inQuery(name)));
  const form = new URLSearchParams(Object.entries(params).filter(([name]) => !inQuery(name)));
  const response = await fetch(`${gatewayUrl}?${query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: form.toString(),
    signal: options.signal,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}
