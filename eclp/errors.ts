// Typed failures of a JD call. The class says what the caller may do next (retry, look the document
// up first, fix the configuration, show JD's text to an operator); `name` is stable so Temporal's
// `nonRetryableErrorTypes` can list the classes that must not be retried.

export type EclpErrorKind = 'transport' | 'backend-busy' | 'quota' | 'configuration' | 'business' | 'validation';

export interface EclpErrorInit {
  method: string;
  code?: string;
  zhDesc?: string;
  enDesc?: string;
  /** Must already be free of credentials: it travels into logs and Temporal histories. */
  cause?: unknown;
}

/** A plain, serialisable view of an error, e.g. for `ApplicationFailure` details. */
export interface EclpErrorDetails {
  name: string;
  kind: EclpErrorKind;
  method: string;
  retryable: boolean;
  mayHaveCommitted: boolean;
  code?: string;
  zhDesc?: string;
  enDesc?: string;
  retryAfterMs?: number;
}

export abstract class EclpError extends Error {
  abstract readonly kind: EclpErrorKind;
  abstract readonly retryable: boolean;
  /**
   * True when JD may have executed the request although we got no answer we can trust. A create call
   * that failed this way must be looked up (by isvUUID / merchant number) before it is sent again.
   */
  abstract readonly mayHaveCommitted: boolean;
  readonly method: string;
  readonly code?: string;
  readonly zhDesc?: string;
  readonly enDesc?: string;

  protected constructor(message: string, init: EclpErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    if (init.code !== undefined) this.code = init.code;
    if (init.zhDesc !== undefined) this.zhDesc = init.zhDesc;
    if (init.enDesc !== undefined) this.enDesc = init.enDesc;
  }

  toDetails(): EclpErrorDetails {
    const details: EclpErrorDetails = {
      name: this.name,
      kind: this.kind,
      method: this.method,
      retryable: this.retryable,
      mayHaveCommitted: this.mayHaveCommitted,
    };
    if (this.code !== undefined) details.code = this.code;
    if (this.zhDesc !== undefined) details.zhDesc = this.zhDesc;
    if (this.enDesc !== undefined) details.enDesc = this.enDesc;
    return details;
  }
}

export type TransportFailure = 'timeout' | 'network' | 'http-status' | 'malformed-response';

/** No trustworthy answer: network failure, timeout, HTTP error status, or a body we cannot read. */
export class EclpTransportError extends EclpError {
  override readonly name = 'EclpTransportError';
  readonly kind = 'transport';
  readonly retryable = true;
  readonly mayHaveCommitted: boolean;
  readonly failure: TransportFailure;
  readonly httpStatus?: number;

  constructor(message: string, init: EclpErrorInit & { failure: TransportFailure; mayHaveCommitted: boolean; httpStatus?: number }) {
    super(message, init);
    this.failure = init.failure;
    this.mayHaveCommitted = init.mayHaveCommitted;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
  }
}

/** JD answered that its platform or backend is unavailable or failed, or asked to retry later (codes 1, 23, 43, 65–67, 69). */
export class EclpBackendBusyError extends EclpError {
  override readonly name = 'EclpBackendBusyError';
  readonly kind = 'backend-busy';
  readonly retryable = true;
  readonly mayHaveCommitted: boolean;

  constructor(message: string, init: EclpErrorInit & { code: string; mayHaveCommitted: boolean }) {
    super(message, init);
    this.mayHaveCommitted = init.mayHaveCommitted;
  }
}

/** JD's call quota is used up (code 2). Retrying soon only burns more of it. */
export class EclpQuotaError extends EclpError {
  override readonly name = 'EclpQuotaError';
  readonly kind = 'quota';
  readonly retryable = true;
  readonly mayHaveCommitted = false;
  /** How long to wait before the next attempt; at least a minute. */
  readonly retryAfterMs: number;

  constructor(message: string, init: EclpErrorInit & { code: string; retryAfterMs: number }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }

  override toDetails(): EclpErrorDetails {
    return { ...super.toDetails(), retryAfterMs: this.retryAfterMs };
  }
}

/** JD refused who we are or how we sign (credentials, clock, permissions): only an operator can fix it. */
export class EclpConfigurationError extends EclpError {
  override readonly name = 'EclpConfigurationError';
  readonly kind = 'configuration';
  readonly retryable = false;
  readonly mayHaveCommitted = false;
  /** What the operator should check, in English. */
  readonly hint: string;

  constructor(message: string, init: EclpErrorInit & { code: string; hint: string }) {
    super(message, init);
    this.hint = init.hint;
  }
}

/** JD refused the document itself. `zhDesc` is JD's text, shown verbatim in the ERP's operation log. */
export class EclpBusinessError extends EclpError {
  override readonly name = 'EclpBusinessError';
  readonly kind = 'business';
  readonly retryable = false;
  readonly mayHaveCommitted = false;

  constructor(message: string, init: EclpErrorInit & { code: string }) {
    super(message, init);
  }
}

/** We refused to send: the request could not be expressed on JD's wire without corrupting it. */
export class EclpValidationError extends EclpError {
  override readonly name = 'EclpValidationError';
  readonly kind = 'validation';
  readonly retryable = false;
  readonly mayHaveCommitted = false;
  /** Our input field, e.g. `lines.isvGoodsNo` or `poOrderNos`. */
  readonly field: string;
  /** 1-based line number when the problem sits in one line item. */
  readonly line?: number;

  constructor(message: string, init: EclpErrorInit & { field: string; line?: number }) {
    super(message, init);
    this.field = init.field;
    if (init.line !== undefined) this.line = init.line;
  }
}

/** Error names a Temporal retry policy must list in `nonRetryableErrorTypes`. */
export const NON_RETRYABLE_ECLP_ERROR_TYPES = ['EclpConfigurationError', 'EclpBusinessError', 'EclpValidationError'] as const;

export function isEclpError(error: unknown): error is EclpError {
  return error instanceof EclpError;
}
