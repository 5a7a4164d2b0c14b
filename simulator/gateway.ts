// The JOS gateway double at POST /routerjson (eclp-api.md §1): merges query and form parameters, checks
// app key, token, timestamp window, version and signature, counts the call, applies injected faults,
// dispatches to the API handler and wraps the answer in JD's envelopes (HTTP 200 either way).
import express from 'express';
import type { EclpCredentials } from '../eclp/config';
import {
  API_VERSION,
  envelopeKey,
  GATEWAY_MESSAGES,
  GatewayCode,
  parseTimestamp,
  sign,
  type SignMethod,
} from '../eclp/protocol';
import { ECLP_METHODS, type ApiContext, type ApiHandler } from './api';
import { BusinessError } from './errors';
import { DEFAULT_BUSINESS_ERROR, DEFAULT_BUSY_AFTER_COMMIT_CODE, DEFAULT_BUSY_CODE, DEFAULT_HOLD_MS } from './faults';
import type { HeldConnections } from './held-connections';
import type { SimulatorLogger } from './logger';
import { BusinessParams, type RawParams } from './params';
import type { TimerSet } from './timers';

/** JD refuses timestamps more than six minutes off its clock (eclp-api.md §1.3 [C]). */
export const TIMESTAMP_TOLERANCE_MS = 6 * 60_000;

const SIGN_METHODS: ReadonlySet<string> = new Set<SignMethod>(['md5', 'hmacmd5', 'hmacsha256']);

export type JdEnvelope = Record<string, unknown>;

export function errorEnvelope(code: string, zhDesc?: string, enDesc?: string): JdEnvelope {
  const known = GATEWAY_MESSAGES[code as GatewayCode];
  return { error_response: { code, zh_desc: zhDesc ?? known?.zh ?? '', en_desc: enDesc ?? known?.en ?? '' } };
}

export function successEnvelope(method: string, result: Record<string, unknown>): JdEnvelope {
  return { [envelopeKey(method)]: { code: '0', ...result } };
}

/** Query string and form body as one flat map; the body wins when both carry a name, first value of repeats. */
export function mergeParams(...sources: unknown[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      const first: unknown = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string') merged[name] = first;
    }
  }
  return merged;
}

/**
 * The gateway's own checks, in the order the codes are numbered by concern: who calls (app key), what
 * (method), on whose behalf (token), when (timestamp), which protocol (version), and the signature last
 * because it covers all of them. Returns the refusal code, or undefined when the call may proceed.
 */
export function checkCall(
  params: Readonly<Record<string, string>>,
  credentials: EclpCredentials,
  now: Date,
  /** Which tokens JD honours (simulator/oauth.ts); default: only `credentials.accessToken`. */
  tokenValid: (token: string, now: Date) => boolean = (token) => token === credentials.accessToken,
): GatewayCode | undefined {
  if (!params.app_key) return GatewayCode.MISSING_APP_KEY;
  if (params.app_key !== credentials.appKey) return GatewayCode.INVALID_APP_KEY;
  if (!params.method) return GatewayCode.MISSING_METHOD;
  if (!params.access_token) return GatewayCode.MISSING_ACCESS_TOKEN;
  if (!tokenValid(params.access_token, now)) return GatewayCode.INVALID_ACCESS_TOKEN;
  if (!params.timestamp) return GatewayCode.MISSING_TIMESTAMP;
  const sentAt = parseTimestamp(params.timestamp);
  if (!sentAt || Math.abs(now.getTime() - sentAt.getTime()) > TIMESTAMP_TOLERANCE_MS) return GatewayCode.INVALID_TIMESTAMP;
  if (!params.v) return GatewayCode.MISSING_VERSION;
  if (params.v !== API_VERSION) return GatewayCode.UNSUPPORTED_VERSION;
  if (!params.sign) return GatewayCode.MISSING_SIGNATURE;
  const signMethod = (params.sign_method || 'md5').toLowerCase();
  if (!SIGN_METHODS.has(signMethod)) return GatewayCode.INVALID_SIGNATURE;
  const expected = sign(params, credentials.appSecret, signMethod as SignMethod);
  if (params.sign.toUpperCase() !== expected) return GatewayCode.INVALID_SIGNATURE;
  return undefined;
}

/** 360buy_param_json must be a JSON object; absent means no business fields. */
function parseBusinessJson(text: string | undefined): RawParams | undefined {
  if (text === undefined || text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawParams) : undefined;
  } catch {
    return undefined;
  }
}

export interface GatewayDeps {
  context: ApiContext;
  credentials: EclpCredentials;
  logger: SimulatorLogger;
  /** Stops injected latencies on close. */
  timers: TimerSet;
  held: HeldConnections;
  methods?: Readonly<Record<string, ApiHandler>>;
  /** The OAuth token book (simulator/oauth.ts): issued tokens until they expire or are replaced, and the dev token. */
  tokenValid?: (token: string, now: Date) => boolean;
}

export function gatewayRouter(deps: GatewayDeps): express.Router {
  const methods = deps.methods ?? ECLP_METHODS;
  const { state } = deps.context;

  /** Runs the API; a BusinessError becomes JD's error envelope, anything else code 67 (backend exception). */
  const answer = (method: string, handler: ApiHandler, business: RawParams): { code: string; body: JdEnvelope } => {
    try {
      return { code: '0', body: successEnvelope(method, handler(new BusinessParams(business), deps.context)) };
    } catch (error) {
      if (error instanceof BusinessError) return { code: error.code, body: errorEnvelope(error.code, error.zhDesc, error.enDesc) };
      deps.logger.error({ err: error, method }, 'simulated ECLP API failed unexpectedly');
      return { code: GatewayCode.BACKEND_EXCEPTION, body: errorEnvelope(GatewayCode.BACKEND_EXCEPTION) };
    } finally {
      // Here and not after the answer: a timeoutAfterCommit call commits but may never answer.
      state.changed();
    }
  };

  const router = express.Router();
  router.post('/routerjson', express.urlencoded({ extended: false, limit: '10mb' }), async (req, res) => {
    const startedAt = Date.now();
    const params = mergeParams(req.query, req.body);
    const method = params.method ?? '';
    state.stats.count(method);
    // Log method and outcome only: parameters carry the access token and consignees' personal data.
    const send = (status: number, code: string, body: JdEnvelope | string) => {
      deps.logger.info({ method, code, ms: Date.now() - startedAt }, 'routerjson');
      if (typeof body === 'string') res.status(status).type('html').send(body);
      else res.status(status).json(body);
    };

    const refusal = checkCall(params, deps.credentials, new Date(), deps.tokenValid);
    if (refusal) return send(200, refusal, errorEnvelope(refusal));
    const handler = methods[method];
    if (!handler) return send(200, GatewayCode.INVALID_METHOD, errorEnvelope(GatewayCode.INVALID_METHOD));
    const business = parseBusinessJson(params['360buy_param_json']);
    if (!business) return send(200, GatewayCode.INVALID_JSON, errorEnvelope(GatewayCode.INVALID_JSON));

    const plan = state.faults.draw(method);
    if (plan.delayMs > 0) await deps.timers.sleep(plan.delayMs);
    const fault = plan.outcome;
    switch (fault?.kind) {
      case 'http5xx':
        return send(503, '503', '<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      case 'busy': {
        const code = fault.code ?? DEFAULT_BUSY_CODE;
        return send(200, code, errorEnvelope(code));
      }
      case 'busyAfterCommit': {
        // Executed, then answered as if the backend had failed: JD's "may have committed" codes mean this.
        answer(method, handler, business);
        const code = fault.code ?? DEFAULT_BUSY_AFTER_COMMIT_CODE;
        return send(200, code, errorEnvelope(code));
      }
      case 'quota':
        return send(200, GatewayCode.CALL_LIMITED, errorEnvelope(GatewayCode.CALL_LIMITED));
      case 'businessError':
        return send(200, '1000', errorEnvelope('1000', fault.message ?? DEFAULT_BUSINESS_ERROR, 'Business rule rejected the request (injected)'));
      case 'timeoutAfterCommit': {
        // The effect is committed, but the caller never learns it: exactly the case JD recovery must handle.
        const outcome = answer(method, handler, business);
        deps.logger.info({ method, code: outcome.code, heldMs: fault.latencyMs ?? DEFAULT_HOLD_MS }, 'routerjson committed, answer withheld');
        deps.held.hold(req.socket, fault.latencyMs ?? DEFAULT_HOLD_MS);
        return;
      }
      default: {
        const outcome = answer(method, handler, business);
        return send(200, outcome.code, outcome.body);
      }
    }
  });
  return router;
}
