// The bench's two HTTP counterparts: the eclp-bridge API (with a bearer token per role) and the JD
// simulator's /_sim/ controls. Errors carry the status and the problem's title, never a token.
import type { TimelinePatch } from '../simulator/timeline';

export type Role = 'erp' | 'operator' | 'admin';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call(url: string, init: RequestInit, what: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the error message
  }
  if (res.status >= 400) {
    const detail = typeof body === 'object' && body !== null ? ((body as { detail?: string; title?: string; error?: string }).detail ?? (body as { title?: string }).title ?? (body as { error?: string }).error) : text.slice(0, 200);
    throw new HttpError(res.status, `${what} answered ${res.status}: ${detail ?? ''}`);
  }
  return { status: res.status, body };
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly tokens: Partial<Record<Role, string>>,
  ) {}

  async request<T = unknown>(method: string, path: string, options: { role?: Role; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    const role = options.role ?? 'erp';
    const token = this.tokens[role];
    if (!token) throw new Error(`no API token for the role ${role}`);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await call(`${this.baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }, `${method} ${path}`);
    return res as { status: number; body: T };
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

export interface SimStats {
  total: number;
  byMethod: Record<string, number>;
}

export class SimClient {
  constructor(readonly baseUrl: string) {}

  private async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await call(
      `${this.baseUrl}/_sim/${path}`,
      { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) },
      `simulator ${method} /_sim/${path}`,
    );
    return res.body as T;
  }

  stats(): Promise<SimStats> {
    return this.control('GET', 'stats');
  }

  async resetStats(): Promise<void> {
    await this.control('POST', 'stats/reset');
  }

  timeline(): Promise<Required<TimelinePatch>> {
    return this.control('GET', 'timeline');
  }

  setTimeline(patch: TimelinePatch): Promise<Required<TimelinePatch>> {
    return this.control('PUT', 'timeline', patch);
  }

  /** A manual warehouse move (`pick`, `pack`, `ship`, …) of a sales order. */
  async moveSalesOrder(eclpSoNo: string, move: string, body: object = {}): Promise<void> {
    await this.control('POST', `sales-orders/${encodeURIComponent(eclpSoNo)}/${move}`, body);
  }
}
