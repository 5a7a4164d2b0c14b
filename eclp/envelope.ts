// Reads a JOS gateway answer (eclp-api.md §1.6, §1.7) into the API's result object or a typed error.
import { classifyGatewayFailure, type ClassifyOptions } from './classify';
import { type EclpError, EclpTransportError } from './errors';

export type JsonObject = Record<string, unknown>;

export interface EnvelopeContext extends ClassifyOptions {
  method: string;
  /** Gateway URL without query string, for messages. */
  reportedUrl: string;
  /** Texts that must never be echoed into an error (app secret, access token). */
  redact: (text: string) => string;
}

const BODY_EXCERPT_CHARS = 200;

/**
 * Returns the object inside the single top-level key, whatever its suffix: JD answers `_responce` for
 * v=2.0 and `_response` elsewhere, and the official .NET/PHP SDKs simply take the first property.
 */
export function parseEnvelope(httpStatus: number, bodyText: string, context: EnvelopeContext): JsonObject {
  const { method, reportedUrl } = context;
  if (httpStatus < 200 || httpStatus > 299) {
    throw new EclpTransportError(
      `JD gateway ${reportedUrl} answered HTTP ${httpStatus} to ${method}: ${excerpt(bodyText, context)}`,
      // A 5xx can come from a proxy after the backend executed the call; a 4xx was refused up front.
      { method, failure: 'http-status', httpStatus, mayHaveCommitted: httpStatus >= 500 },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    throw malformed(`is not JSON: ${excerpt(bodyText, context)}`, context);
  }
  if (!isObject(parsed)) throw malformed(`is not a JSON object: ${excerpt(bodyText, context)}`, context);

  const errorBody = parsed['error_response'];
  if (errorBody !== undefined) {
    if (!isObject(errorBody)) throw malformed('has an error_response that is not an object', context);
    throw gatewayError(errorBody, context) ?? malformed('has an error_response without a code', context);
  }

  const keys = Object.keys(parsed);
  const key = keys.find((name) => /_respon[cs]e$/.test(name)) ?? keys[0];
  const inner = key === undefined ? undefined : parsed[key];
  if (!isObject(inner)) throw malformed(`has no response object: ${excerpt(bodyText, context)}`, context);

  // The success envelope carries code "0"; anything else in that place is a failure in a success shape.
  const code = inner['code'];
  if (code !== undefined && code !== null && String(code) !== '0') {
    throw gatewayError(inner, context) ?? malformed('has an unreadable code', context);
  }
  return inner;
}

function gatewayError(body: JsonObject, context: EnvelopeContext): EclpError | undefined {
  const code = body['code'];
  if (typeof code !== 'string' && typeof code !== 'number') return undefined;
  const zhDesc = optionalText(body['zh_desc'], context);
  const enDesc = optionalText(body['en_desc'], context);
  return classifyGatewayFailure(
    { method: context.method, code: String(code), ...(zhDesc !== undefined && { zhDesc }), ...(enDesc !== undefined && { enDesc }) },
    context,
  );
}

function optionalText(value: unknown, context: EnvelopeContext): string | undefined {
  if (value === undefined || value === null) return undefined;
  return context.redact(String(value));
}

/** The call reached JD but we cannot tell what it did, so it may have been executed. */
export function malformed(what: string, context: Pick<EnvelopeContext, 'method' | 'reportedUrl'>): EclpTransportError {
  return new EclpTransportError(`JD gateway ${context.reportedUrl} answer to ${context.method} ${what}`, {
    method: context.method,
    failure: 'malformed-response',
    mayHaveCommitted: true,
  });
}

function excerpt(bodyText: string, context: EnvelopeContext): string {
  const flat = bodyText.replace(/\s+/g, ' ').trim();
  const cut = flat.length > BODY_EXCERPT_CHARS ? `${flat.slice(0, BODY_EXCERPT_CHARS)}…` : flat;
  return cut === '' ? '(empty body)' : context.redact(cut);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
