// Which JD answer code means what for the caller (eclp-api.md §1.7, §1.9). One policy, one place:
// the saga's retry behaviour follows from the class chosen here.
import {
  EclpBackendBusyError,
  EclpBusinessError,
  EclpConfigurationError,
  type EclpError,
  EclpQuotaError,
} from './errors';
import { CONFIGURATION_GATEWAY_CODES, GATEWAY_MESSAGES, GatewayCode, TRANSIENT_GATEWAY_CODES } from './protocol';

export const MIN_QUOTA_RETRY_AFTER_MS = 60_000;

/**
 * Transient codes after which JD's backend may still have executed the call. 65 and 67 are explicit
 * (timeout / unknown exception *inside* the backend); 43 "system error" does not say where it failed,
 * and a needless lookup costs one query while a wrong "not committed" could duplicate a document.
 */
const MAY_HAVE_COMMITTED_CODES: ReadonlySet<string> = new Set(['43', '65', '67', '69']);

/**
 * Codes eclp-api.md §1.7 says to retry that protocol.ts's transient set does not hold: 23 (API stopped
 * for an upgrade, "retry later") and 69 (获取数据失败, "retry"). 69 joins the may-have-committed codes for
 * the same reason as 43: it does not say where the backend failed.
 */
const RETRY_LATER_GATEWAY_CODES: ReadonlySet<string> = new Set(['23', '69']);

/** How a business refusal says the document is already there (JD's text for a repeated isvUUID is unknown). */
const ALREADY_EXISTS_ZH = /已存在/;
const ALREADY_EXISTS_EN = /already exist/i;

export interface GatewayFailure {
  method: string;
  code: string;
  zhDesc?: string;
  enDesc?: string;
}

export interface ClassifyOptions {
  quotaRetryAfterMs: number;
}

/** Turns a JD error code into the error class the caller acts on. */
export function classifyGatewayFailure(failure: GatewayFailure, options: ClassifyOptions): EclpError {
  const { method, code } = failure;
  const init = { method, code, ...(failure.zhDesc !== undefined && { zhDesc: failure.zhDesc }), ...(failure.enDesc !== undefined && { enDesc: failure.enDesc }) };
  const jdText = describeJdText(failure);

  if (code === GatewayCode.CALL_LIMITED) {
    const retryAfterMs = options.quotaRetryAfterMs;
    return new EclpQuotaError(
      `JD call quota exhausted for ${method} (code 2${jdText}): retry after ${Math.round(retryAfterMs / 1000)} s or ask JD for a higher quota`,
      { ...init, retryAfterMs },
    );
  }
  if (TRANSIENT_GATEWAY_CODES.has(code) || RETRY_LATER_GATEWAY_CODES.has(code)) {
    const mayHaveCommitted = MAY_HAVE_COMMITTED_CODES.has(code);
    return new EclpBackendBusyError(
      `JD backend unavailable for ${method} (code ${code}${jdText})${mayHaveCommitted ? '; the call may have been executed' : ''}`,
      { ...init, mayHaveCommitted },
    );
  }
  if (CONFIGURATION_GATEWAY_CODES.has(code)) {
    const { problem, action } = configurationProblem(code);
    return new EclpConfigurationError(`${problem} (code ${code}) calling ${method}: ${action}`, { ...init, hint: action });
  }
  return new EclpBusinessError(`JD rejected ${method} (code ${code}): ${failure.zhDesc ?? failure.enDesc ?? 'no description'}`, init);
}

/**
 * True when JD refused a create because it already holds the document (e.g. `isvUUID已存在` for a repeated
 * isvUUID). Such a refusal is no verdict on the document: the caller looks it up instead of failing it.
 */
export function isAlreadyExistsRefusal(error: unknown): error is EclpBusinessError {
  if (!(error instanceof EclpBusinessError)) return false;
  return (error.zhDesc !== undefined && ALREADY_EXISTS_ZH.test(error.zhDesc)) || (error.enDesc !== undefined && ALREADY_EXISTS_EN.test(error.enDesc));
}

function describeJdText(failure: GatewayFailure): string {
  const text = failure.zhDesc ?? failure.enDesc;
  return text ? `, ${text}` : '';
}

/** What went wrong and what an operator must check, for each configuration-class code (eclp-api.md §1.7). */
function configurationProblem(code: string): { problem: string; action: string } {
  switch (code) {
    case '18':
      return { problem: 'JD received no access token', action: 'set JD_ACCESS_TOKEN' };
    case '19':
      return {
        problem: 'JD rejected the access token',
        action: 'refresh JD_ACCESS_TOKEN (it expired, or was issued for another app key or merchant account)',
      };
    case '20':
      return { problem: 'JD received no app key', action: 'set JD_APP_KEY' };
    case '21':
    case '89':
      return { problem: 'JD does not know the app key', action: 'check JD_APP_KEY (it must be a production key)' };
    case '11':
    case '12':
      return { problem: 'JD rejected the request signature', action: 'check that JD_APP_SECRET belongs to JD_APP_KEY' };
    case '7':
    case '8':
      return { problem: 'JD rejected the request timestamp', action: "check this server's clock (JD allows ±6 minutes of skew)" };
    case '3':
    case '24':
    case '64':
    case '79':
    case '88':
      return { problem: 'JD denied permission for this API', action: 'apply for the API permission in the JOS console' };
    case '74':
    case '75':
    case '80':
      return { problem: "JD refused this server's IP address", action: "add it to the app's IP white-list in the JOS console" };
    case '22':
    case '90':
    case '91':
      return {
        problem: 'JD does not accept the authorising account',
        action: 'authorise with the merchant account and refresh JD_ACCESS_TOKEN',
      };
    case '25':
    case '92':
      return { problem: 'the JOS app is not online', action: 'publish the app in the JOS console' };
    case '9':
    case '10':
      return { problem: 'JD rejected the merchant id', action: 'check the merchant account that authorised JD_ACCESS_TOKEN' };
    case '14':
    case '15':
    case '28':
      return { problem: 'JD does not offer this API method', action: 'check the method name and the API status in the JOS console' };
    case '4':
    case '5':
    case '6':
      return { problem: 'JD rejected the API version parameter', action: 'this is a client bug: report it' };
    default:
      return {
        problem: `JD refused the app configuration (${GATEWAY_MESSAGES[code as GatewayCode]?.en ?? 'see the JOS error code table'})`,
        action: 'check the JOS app settings and credentials',
      };
  }
}
