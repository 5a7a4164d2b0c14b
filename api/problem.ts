// RFC 9457 problem details: every error the API answers has this shape, so an ERP client can branch on
// `type` and show `detail`, and a validation error names each offending field.
import type { Response } from 'express';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://eclp-bridge.dev/problems/';

export interface FieldError {
  /** Dotted path of the field, e.g. `lines.0.quantity`; `(body)` for the body as a whole. */
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown by handlers and middleware; the error handler turns it into a problem+json answer. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toBody(): ProblemBody {
    return { type: TYPE_BASE + this.slug, title: this.title, status: this.status, detail: this.message, ...this.extensions };
  }
}

export const problems = {
  validation: (errors: FieldError[]) =>
    new HttpProblem(400, 'validation', 'Invalid request', `Invalid ${errors.map((e) => e.field).join(', ')}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors }),
  malformedJson: (detail: string) =>
    new HttpProblem(400, 'malformed-json', 'Malformed JSON', `The request body is not valid JSON: ${detail}`, { errors: [{ field: '(body)', message: 'is not valid JSON' }] }),
  unreadableBody: (detail: string) =>
    new HttpProblem(400, 'unreadable-body', 'Unreadable body', `The request body could not be read: ${detail}`, { errors: [{ field: '(body)', message: 'could not be read (check Content-Encoding)' }] }),
  unauthorized: (detail: string) =>
    new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer realm="eclp-bridge"' }),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail),
  notFound: (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail),
  conflict: (detail: string, extensions: Record<string, unknown> = {}) => new HttpProblem(409, 'conflict', 'Conflict', detail, extensions),
  tooLarge: (limit: string) =>
    new HttpProblem(413, 'payload-too-large', 'Payload too large', `The request body exceeds the limit of ${limit}`, { errors: [{ field: '(body)', message: `is larger than ${limit}` }] }),
  unsupportedMediaType: (got: string | undefined) =>
    new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the body as application/json (got ${got ?? 'no content type'})`, { errors: [{ field: '(body)', message: 'must be application/json' }] }),
  unprocessable: (slug: string, detail: string, extensions: Record<string, unknown> = {}) =>
    new HttpProblem(422, slug, 'Unprocessable', detail, extensions),
  unavailable: (detail: string, retryAfterSeconds: number) =>
    new HttpProblem(503, 'unavailable', 'Service unavailable', detail, {}, { 'Retry-After': String(retryAfterSeconds) }),
  internal: () => new HttpProblem(500, 'internal', 'Internal error', 'An unexpected error occurred; it has been logged.'),
};

export function sendProblem(res: Response, problem: HttpProblem): void {
  res.status(problem.status).set(problem.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.toBody()));
}
