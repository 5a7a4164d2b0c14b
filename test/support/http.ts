// What the HTTP clients here share: an error that keeps the status, with the problem's words (never a token).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A parsed body when it is JSON, else the text (an HTML error page is itself a finding); undefined when empty. */
export function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The error for an answer ≥ 400: `<what> answered <status>: <detail, title or error of the body>`. */
export function httpError(what: string, status: number, body: unknown): HttpError {
  const fields = typeof body === 'object' && body !== null ? (body as { detail?: unknown; title?: unknown; error?: unknown }) : undefined;
  const detail = fields ? (fields.detail ?? fields.title ?? fields.error ?? '') : String(body ?? '').slice(0, 200);
  return new HttpError(status, `${what} answered ${status}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
}
