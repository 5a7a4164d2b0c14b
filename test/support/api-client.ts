// An HTTP client of the eclp-bridge API with a bearer token per role, for the bench and the chaos run.
// It records every exchange (when, which route, what came back) for the chaos run's availability
// invariant, and `send` retries what an outage answers — 503, any other 5xx, no answer — the way an ERP
// integration would, so a run carries on through restarts. Errors carry the status and the problem's
// title, never a token.
import type { Role } from '../../api/auth';
import { httpError, parseBody } from './http';
import { sleep } from './timing';

export type { Role };

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

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiClientOptions {
  baseUrl: string;
  tokens: Partial<Record<Role, string>>;
  /** A request without an answer after this long counts as "no answer" (a hang is worse than a 503). Default 30 s. */
  requestTimeoutMs?: number;
  /** How long `send` keeps retrying one call through an outage before giving up. Default 3 min. */
  retryForMs?: number;
  /** Upper bound of a wait between retries, whatever Retry-After asks. Default 5 s. */
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

export class ApiClient {
  readonly baseUrl: string;
  readonly exchanges: ApiExchange[] = [];
  /** Calls `send` abandoned; each is an availability failure. */
  readonly abandoned: ApiGaveUp[] = [];
  private readonly tokens: Partial<Record<Role, string>>;
  private readonly requestTimeoutMs: number;
  private readonly retryForMs: number;
  private readonly maxRetryWaitMs: number;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.tokens = options.tokens;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryForMs = options.retryForMs ?? 180_000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 5_000;
  }

  /** One attempt, recorded; undefined when no answer came. */
  async call(role: Role, method: string, route: string, path: string, body?: unknown): Promise<ApiAnswer | undefined> {
    return (await this.attempt(role, method, route, path, body)).answer;
  }

  private async attempt(role: Role, method: string, route: string, path: string, body?: unknown): Promise<{ answer?: ApiAnswer; exchange: ApiExchange }> {
    const token = this.tokens[role];
    if (!token) throw new Error(`no API token for the role ${role}`);
    const sentAt = Date.now();
    const exchange: ApiExchange = { sentAt, endedAt: sentAt, method, route, status: 0 };
    this.exchanges.push(exchange);
    try {
      const response = await fetch(this.baseUrl + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const parsed = parseBody(await response.text());
      exchange.endedAt = Date.now();
      exchange.status = response.status;
      exchange.contentType = response.headers.get('content-type') ?? undefined;
      exchange.retryAfter = response.headers.get('retry-after') ?? undefined;
      if (exchange.contentType?.startsWith('application/problem+json') && typeof parsed === 'object' && parsed !== null) {
        exchange.problemType = String((parsed as { type?: unknown }).type ?? '');
      }
      return { answer: { status: response.status, body: parsed, headers: response.headers }, exchange };
    } catch (err) {
      exchange.endedAt = Date.now();
      const cause = (err as { cause?: { code?: string } }).cause;
      exchange.failure = (err as Error).name === 'TimeoutError' ? `no answer within ${this.requestTimeoutMs} ms` : (cause?.code ?? (err as Error).message);
      return { exchange };
    }
  }

  /**
   * Calls until the API answers something other than a 5xx. A 503's Retry-After is honoured (up to
   * `maxRetryWaitMs`). Callers make their requests repeatable (same orderNo, same requestId).
   */
  async send(role: Role, method: string, route: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const giveUpAt = Date.now() + this.retryForMs;
    for (;;) {
      const { answer, exchange } = await this.attempt(role, method, route, path, body);
      if (answer && answer.status < 500) return answer;
      if (Date.now() >= giveUpAt) {
        const gaveUp = new ApiGaveUp(route, exchange);
        this.abandoned.push(gaveUp);
        throw gaveUp;
      }
      const advised = Number(answer?.headers.get('retry-after'));
      const wait = Number.isFinite(advised) && advised > 0 ? advised * 1000 : 1_000;
      await sleep(Math.min(wait, this.maxRetryWaitMs) * (0.75 + Math.random() * 0.5));
    }
  }

  /** One attempt that must succeed: an HttpError for an answer ≥ 400, an Error when no answer came. */
  async request<T = unknown>(method: string, path: string, options: { role?: Role; body?: unknown } = {}): Promise<ApiAnswer<T>> {
    const what = `${method} ${path}`;
    const { answer, exchange } = await this.attempt(options.role ?? 'erp', method, path, path, options.body);
    if (!answer) throw new Error(`${what}: no answer (${exchange.failure})`);
    if (answer.status >= 400) throw httpError(what, answer.status, answer.body);
    return answer as ApiAnswer<T>;
  }

  put(path: string, body: unknown) {
    return this.request('PUT', path, { body });
  }

  post<T = unknown>(path: string, body?: unknown, role?: Role) {
    return this.request<T>('POST', path, { body, ...(role && { role }) });
  }

  get<T = unknown>(path: string, role?: Role) {
    return this.request<T>('GET', path, role ? { role } : {});
  }
}
