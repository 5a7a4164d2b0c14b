// The chaos run's HTTP client for the API. It records every exchange (when, which route, what came back)
// for the availability invariant, and retries what an outage answers — 503, any other 5xx, no answer —
// the way an ERP integration would, so the run carries on through restarts.
import type { Role } from '../../api/auth';

export interface ApiExchange {
  /** Epoch ms when the request was sent and when its answer (or the failure) came. */
  sentAt: number;
  endedAt: number;
  method: string;
  /** The route template (`/v1/sales-orders/{orderNo}/approve`), so figures group by route. */
  route: string;
  /** HTTP status, or 0 when no answer came (connection refused, reset, client timeout). */
  status: number;
  contentType?: string;
  retryAfter?: string;
  problemType?: string;
  /** Why there was no answer. */
  failure?: string;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface ApiClientOptions {
  baseUrl: string;
  tokens: Record<Role, string | undefined>;
  /** A request without an answer after this long counts as "no answer" (a hang is worse than a 503). */
  requestTimeoutMs?: number;
  /** How long `send` keeps retrying one call through an outage before giving up. */
  retryForMs?: number;
  /** Upper bound of a wait between retries, whatever Retry-After asks. */
  maxRetryWaitMs?: number;
}

/** The call kept failing with 5xx or no answer for `retryForMs`. */
export class ApiGaveUp extends Error {
  constructor(
    readonly route: string,
    readonly last: ApiExchange,
  ) {
    super(`${last.method} ${route} kept failing (last: ${last.status || last.failure}); gave up`);
    this.name = 'ApiGaveUp';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ApiClient {
  readonly exchanges: ApiExchange[] = [];
  /** Calls `send` abandoned; each is an availability failure. */
  readonly abandoned: ApiGaveUp[] = [];
  private readonly requestTimeoutMs: number;
  private readonly retryForMs: number;
  private readonly maxRetryWaitMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryForMs = options.retryForMs ?? 180_000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 5_000;
  }

  /** One attempt, recorded. */
  async call(role: Role, method: string, route: string, path: string, body?: unknown): Promise<ApiAnswer | undefined> {
    const token = this.options.tokens[role];
    if (!token) throw new Error(`no API token for role ${role}`);
    const sentAt = Date.now();
    const exchange: ApiExchange = { sentAt, endedAt: sentAt, method, route, status: 0 };
    this.exchanges.push(exchange);
    try {
      const response = await fetch(this.options.baseUrl + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const text = await response.text();
      exchange.endedAt = Date.now();
      exchange.status = response.status;
      exchange.contentType = response.headers.get('content-type') ?? undefined;
      exchange.retryAfter = response.headers.get('retry-after') ?? undefined;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text (an HTML error page is itself a finding)
      }
      if (exchange.contentType?.startsWith('application/problem+json') && typeof parsed === 'object' && parsed !== null) {
        exchange.problemType = String((parsed as { type?: unknown }).type ?? '');
      }
      return { status: response.status, body: parsed, headers: response.headers };
    } catch (err) {
      exchange.endedAt = Date.now();
      const cause = (err as { cause?: { code?: string } }).cause;
      exchange.failure = (err as Error).name === 'TimeoutError' ? `no answer within ${this.requestTimeoutMs} ms` : (cause?.code ?? (err as Error).message);
      return undefined;
    }
  }

  /**
   * Calls until the API answers something other than a 5xx. A 503's Retry-After is honoured (up to
   * `maxRetryWaitMs`). Callers make their requests repeatable (same orderNo, same requestId).
   */
  async send(role: Role, method: string, route: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const giveUpAt = Date.now() + this.retryForMs;
    for (;;) {
      const answer = await this.call(role, method, route, path, body);
      if (answer && answer.status < 500) return answer;
      const last = this.exchanges[this.exchanges.length - 1]!;
      if (Date.now() >= giveUpAt) {
        const gaveUp = new ApiGaveUp(route, last);
        this.abandoned.push(gaveUp);
        throw gaveUp;
      }
      const advised = Number(answer?.headers.get('retry-after'));
      const wait = Number.isFinite(advised) && advised > 0 ? advised * 1000 : 1_000;
      await sleep(Math.min(wait, this.maxRetryWaitMs) * (0.75 + Math.random() * 0.5));
    }
  }
}
