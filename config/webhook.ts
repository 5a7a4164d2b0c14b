// Where ERP events go (ERP_WEBHOOK_URL) and the keys they are signed with (Standard Webhooks, docs/webhooks.md).
import { positiveNumber, type Env } from './env';
import { ConfigurationError, isLoopbackHost } from './errors';

export interface WebhookConfig {
  /** ERP_WEBHOOK_URL; unset = events are skipped (logged once per worker). */
  url?: string;
  /**
   * `whsec_…` signing secrets, the current one first: ERP_WEBHOOK_SECRET, then ERP_WEBHOOK_SECRET_PREVIOUS
   * while a key is being rotated (every request then carries a signature by each). Never logged.
   */
  secrets?: string[];
  /** Per attempt. */
  timeoutMs?: number;
}

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * Receivers hand the same string to their Standard Webhooks verifier, which reads it as `whsec_` + base64
 * of the key; the specification asks for 24 to 64 random bytes.
 */
function secretProblem(name: string, value: string): string | undefined {
  const hint = `generate one with: echo "whsec_$(openssl rand -base64 32)"`;
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return `${name} must be a Standard Webhooks secret, "whsec_" followed by base64; ${hint}`;
  const encoded = value.slice(WEBHOOK_SECRET_PREFIX.length);
  const bytes = Buffer.from(encoded, 'base64');
  // Buffer skips characters that are not base64 instead of refusing them: compare the round trip.
  if (encoded.length === 0 || bytes.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) return `${name} is not valid base64 after "whsec_"; ${hint}`;
  if (bytes.length < 24 || bytes.length > 64) return `${name} must encode 24 to 64 bytes, it encodes ${bytes.length}; ${hint}`;
  return undefined;
}

/**
 * A URL without a secret would send unverifiable events, and plain http outside this machine would let
 * anyone on the way read them: both are startup errors naming the variable, not silent gaps.
 */
export function webhookConfigFromEnv(env: Env = process.env): WebhookConfig {
  const url = env.ERP_WEBHOOK_URL || undefined;
  if (!url) return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(['ERP_WEBHOOK_URL must be an absolute http(s) URL']);
  }
  const problems: string[] = [];
  if (parsed.protocol === 'http:') {
    if (!isLoopbackHost(parsed.hostname)) problems.push(`ERP_WEBHOOK_URL must be https unless the host is localhost, 127.0.0.1 or ::1, got http://${parsed.host}`);
  } else if (parsed.protocol !== 'https:') {
    problems.push(`ERP_WEBHOOK_URL must be an https URL, got ${parsed.protocol}`);
  }
  const current = env.ERP_WEBHOOK_SECRET || undefined;
  const previous = env.ERP_WEBHOOK_SECRET_PREVIOUS || undefined;
  if (!current) problems.push('ERP_WEBHOOK_URL is set but ERP_WEBHOOK_SECRET is not: the ERP could not verify the events');
  const secrets: string[] = [];
  for (const [name, value] of [['ERP_WEBHOOK_SECRET', current], ['ERP_WEBHOOK_SECRET_PREVIOUS', previous]] as const) {
    if (value === undefined) continue;
    const problem = secretProblem(name, value);
    if (problem) problems.push(problem);
    else secrets.push(value);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  const timeoutMs = positiveNumber(env, 'ERP_WEBHOOK_TIMEOUT_MS');
  return { url, secrets, ...(timeoutMs !== undefined && { timeoutMs }) };
}
