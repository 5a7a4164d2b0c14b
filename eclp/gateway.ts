// Sends one signed request to the JOS gateway and turns whatever happens into a result object or a
// typed EclpError. Timeout, network failures, logging and credential hygiene live here, once.
import { performance } from 'node:perf_hooks';
import { type AccessTokenProvider, type EclpConfig, staticTokenProvider } from './config';
import { MIN_QUOTA_RETRY_AFTER_MS } from './classify';
import { type JsonObject, parseEnvelope } from './envelope';
import { EclpBusinessError, EclpConfigurationError, EclpError, EclpTransportError } from './errors';
import type { SignMethod } from './protocol';
import { redact, reportableUrl } from './redact';
import { type BusinessParams, buildJosRequest, FORM_CONTENT_TYPE } from './request';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** pino-compatible subset. */
export interface EclpLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

/** The one log line per call: no business parameters (they hold consignee data), no credentials. */
export interface EclpCallLog {
  eclpMethod: string;
  durationMs: number;
  outcome: 'ok' | EclpError['kind'];
  code?: string;
  httpStatus?: number;
  mayHaveCommitted?: boolean;
}

export interface GatewayOptions {
  /** Defaults to the global fetch (undici). */
  fetch?: FetchLike;
  /** Clock for the request timestamp; tests pin it. */
  now?: () => Date;
  logger?: EclpLogger;
  /** Back-off hint carried by EclpQuotaError; at least 60 s (JD's advice on code 2 is to wait). */
  quotaRetryAfterMs?: number;
  signMethod?: SignMethod;
  /**
   * Where each call's access token comes from; default the fixed `config.accessToken`. On code 19 the
   * call asks it for a fresher token and is sent once more when the token changed (a refresh elsewhere).
   */
  tokenProvider?: AccessTokenProvider;
  /**
   * Told how JD judged our credentials on each call: accepted (any answer past the gateway's checks) or
   * refused (a configuration-class code, after the retry on a fresher token). Must not throw or block.
   */
  credentialObserver?: (outcome: CredentialOutcome) => void;
  /**
   * Told of every request sent to JD (each attempt, a retry on a fresher token included) with the same
   * fields as its log line: metrics count them without parsing logs. Must not throw or block.
   */
  callObserver?: (call: EclpCallLog) => void;
}

/** JD accepted our app key, signature and token, or refused them (code and JD's words). */
export type CredentialOutcome = { ok: true } | { ok: false; code: string; zhDesc?: string; enDesc?: string; method: string };

export interface Gateway {
  /** Calls one JD method and returns the object inside its response envelope. */
  call(method: string, params: BusinessParams): Promise<JsonObject>;
  /** The gateway URL without query string, for messages about its answers. */
  readonly reportedUrl: string;
}

/** Connection errors raised before any byte of the request left: JD cannot have executed it. */
const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function createGateway(config: EclpConfig, options: GatewayOptions = {}): Gateway {
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const now = options.now ?? (() => new Date());
  const quotaRetryAfterMs = options.quotaRetryAfterMs ?? MIN_QUOTA_RETRY_AFTER_MS;
  if (!(quotaRetryAfterMs >= MIN_QUOTA_RETRY_AFTER_MS)) {
    throw new RangeError(`quotaRetryAfterMs must be at least ${MIN_QUOTA_RETRY_AFTER_MS} ms, got ${quotaRetryAfterMs}`);
  }
  if (!(config.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${config.timeoutMs}`);
  const reportedUrl = reportableUrl(config.gatewayUrl);
  const tokens = options.tokenProvider ?? staticTokenProvider(config.accessToken);
  // Every token this gateway has sent is scrubbed from what JD's answers put into errors and logs.
  const secrets = new Set([config.appSecret, config.accessToken]);
  const scrub = (text: string) => redact(text, [...secrets]);

  async function call(method: string, params: BusinessParams): Promise<JsonObject> {
    const token = await tokens.current();
    try {
      const result = await attempt(method, params, token);
      observe({ ok: true });
      return result;
    } catch (error) {
      if (!(error instanceof EclpConfigurationError && error.code === '19')) {
        observeFailure(error);
        throw error;
      }
      // JD refused the token: another worker may have refreshed it meanwhile. Once, with the newer one.
      const fresher = await tokens.fresher(token);
      if (fresher === token) {
        observeFailure(error);
        throw error;
      }
      try {
        const result = await attempt(method, params, fresher);
        observe({ ok: true });
        return result;
      } catch (again) {
        observeFailure(again);
        throw again;
      }
    }
  }

  function observeFailure(error: unknown): void {
    if (error instanceof EclpConfigurationError) {
      observe({ ok: false, code: error.code ?? 'unknown', method: error.method, ...(error.zhDesc !== undefined && { zhDesc: error.zhDesc }), ...(error.enDesc !== undefined && { enDesc: error.enDesc }) });
    } else if (error instanceof EclpBusinessError) {
      // JD looked at the document, so it accepted who we are.
      observe({ ok: true });
    }
  }

  function observe(outcome: CredentialOutcome): void {
    try {
      options.credentialObserver?.(outcome);
    } catch {
      // An observer's trouble is never the call's.
    }
  }

  async function attempt(method: string, params: BusinessParams, accessToken: string): Promise<JsonObject> {
    if (accessToken !== '' && !secrets.has(accessToken)) {
      secrets.add(accessToken);
      // Tokens are refreshed for ever: keep the configured secrets and the latest few tokens only.
      if (secrets.size > 10) for (const old of [...secrets].slice(2, secrets.size - 8)) secrets.delete(old);
    }
    const request = buildJosRequest({
      gatewayUrl: config.gatewayUrl,
      credentials: { appKey: config.appKey, appSecret: config.appSecret, accessToken },
      method,
      params,
      at: now(),
      ...(options.signMethod !== undefined && { signMethod: options.signMethod }),
    });
    const started = performance.now();
    try {
      const { status, text } = await send(request.url, request.body, method);
      const result = parseEnvelope(status, text, { method, reportedUrl, redact: scrub, quotaRetryAfterMs });
      log({ eclpMethod: method, durationMs: elapsed(started), outcome: 'ok' });
      return result;
    } catch (error) {
      if (error instanceof EclpError) logFailure(error, elapsed(started));
      throw error;
    }
  }

  async function send(url: string, body: string, method: string): Promise<{ status: number; text: string }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.timeoutMs);
    try {
      // The deadline covers the body too: a gateway that sends headers and then stalls is a timeout.
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': FORM_CONTENT_TYPE, accept: 'application/json' },
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, text };
    } catch (error) {
      throw timedOut
        ? new EclpTransportError(`JD gateway ${reportedUrl} did not answer ${method} within ${config.timeoutMs} ms; the call may have been executed`, {
            method,
            failure: 'timeout',
            mayHaveCommitted: true,
          })
        : networkFailure(error, method);
    } finally {
      clearTimeout(timer);
    }
  }

  function networkFailure(error: unknown, method: string): EclpTransportError {
    const { code, message } = describeNetworkError(error);
    const mayHaveCommitted = code === undefined || !NOT_SENT_ERROR_CODES.has(code);
    // The original error may quote the request URL (with access_token and sign): keep a scrubbed copy only.
    const cause = Object.assign(new Error(scrub(message)), code === undefined ? {} : { code });
    return new EclpTransportError(
      `JD gateway ${reportedUrl} unreachable for ${method}: ${scrub(message)}${code ? ` (${code})` : ''}${mayHaveCommitted ? '; the call may have been executed' : ''}`,
      { method, failure: 'network', mayHaveCommitted, cause },
    );
  }

  function logFailure(error: EclpError, durationMs: number): void {
    const line: EclpCallLog = { eclpMethod: error.method, durationMs, outcome: error.kind, mayHaveCommitted: error.mayHaveCommitted };
    if (error.code !== undefined) line.code = error.code;
    if (error instanceof EclpTransportError && error.httpStatus !== undefined) line.httpStatus = error.httpStatus;
    options.logger?.warn(line, 'ECLP call failed');
    observeCall(line);
  }

  function log(line: EclpCallLog): void {
    options.logger?.info(line, 'ECLP call');
    observeCall(line);
  }

  function observeCall(line: EclpCallLog): void {
    try {
      options.callObserver?.(line);
    } catch {
      // Counting a call is never a reason to fail it.
    }
  }

  return { call, reportedUrl };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** undici wraps the socket error: `TypeError('fetch failed', { cause: { code: 'ECONNRESET', … } })`. */
function describeNetworkError(error: unknown): { code?: string; message: string } {
  const outer = error instanceof Error ? error : undefined;
  const inner = outer?.cause instanceof Error ? outer.cause : undefined;
  const code = errorCode(inner) ?? errorCode(outer);
  const message = [outer?.message ?? String(error), inner?.message].filter(Boolean).join(': ');
  return code === undefined ? { message } : { code, message };
}

function errorCode(error: Error | undefined): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
