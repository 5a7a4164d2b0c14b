// Builds one JOS gateway request exactly as JD's Java SDK does (eclp-api.md §1.2–§1.5): system
// parameters and `sign` in the query string, `360buy_param_json` as a form field in the body.
import type { EclpCredentials } from './config';
import { EclpValidationError } from './errors';
import { API_VERSION, formatTimestamp, sign, type SignMethod } from './protocol';

export type BusinessValue = string | number | boolean | undefined | null;
export type BusinessParams = Readonly<Record<string, BusinessValue>>;

export const PARAM_JSON_FIELD = '360buy_param_json';

/**
 * `360buy_param_json`: keys in byte order like the Java SDK's TreeMap; absent values left out rather
 * than sent as null; numbers stay JSON numbers (what the Java SDK emits for numeric fields).
 */
export function serializeBusinessParams(method: string, params: BusinessParams): string {
  const sorted: Record<string, string | number | boolean> = {};
  for (const name of Object.keys(params).sort(byteOrder)) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new EclpValidationError(`${method} refused before sending: ${name} is not a finite number (${value})`, { method, field: name });
    }
    sorted[name] = value;
  }
  return JSON.stringify(sorted);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export interface JosRequestInput {
  gatewayUrl: string;
  credentials: EclpCredentials;
  method: string;
  params: BusinessParams;
  at: Date;
  signMethod?: SignMethod;
}

export interface JosRequest {
  /** Gateway URL with system parameters and `sign`: contains the access token, never report it as is. */
  url: string;
  /** `application/x-www-form-urlencoded` body carrying `360buy_param_json`. */
  body: string;
  paramJson: string;
  systemParams: Readonly<Record<string, string>>;
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

export function buildJosRequest(input: JosRequestInput): JosRequest {
  const { credentials, method } = input;
  const signMethod = input.signMethod ?? 'md5';
  const paramJson = serializeBusinessParams(method, input.params);
  const unsigned: Record<string, string> = {
    method,
    app_key: credentials.appKey,
    access_token: credentials.accessToken,
    timestamp: formatTimestamp(input.at),
    v: API_VERSION,
    format: 'json',
    sign_method: signMethod,
  };
  const signature = sign({ ...unsigned, [PARAM_JSON_FIELD]: paramJson }, credentials.appSecret, signMethod);
  // An empty parameter is skipped by the signature (protocol.sign, like the official SDKs), so it is
  // not sent either: JD then reports it as missing (e.g. code 18) instead of a signature mismatch.
  const systemParams = Object.fromEntries(Object.entries({ ...unsigned, sign: signature }).filter(([, value]) => value !== ''));

  const url = new URL(input.gatewayUrl);
  for (const [name, value] of Object.entries(systemParams)) url.searchParams.set(name, value);
  const body = new URLSearchParams({ [PARAM_JSON_FIELD]: paramJson }).toString();
  return { url: url.toString(), body, paramJson, systemParams };
}
