// Where ERP events go (ERP_WEBHOOK_URL) and how they are signed.
import { positiveNumber, type Env } from './env';

export interface WebhookConfig {
  /** ERP_WEBHOOK_URL; unset = events are skipped (logged once per worker). */
  url?: string;
  /** ERP_WEBHOOK_SECRET, the HMAC key. Never logged. */
  secret?: string;
  /** Per attempt. */
  timeoutMs?: number;
}

/** A URL without a secret would send unverifiable events: that is a startup error, not a silent gap. */
export function webhookConfigFromEnv(env: Env = process.env): WebhookConfig {
  const url = env.ERP_WEBHOOK_URL || undefined;
  const secret = env.ERP_WEBHOOK_SECRET || undefined;
  if (!url) return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('ERP_WEBHOOK_URL must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('ERP_WEBHOOK_URL must be an http(s) URL');
  if (!secret) throw new Error('ERP_WEBHOOK_URL is set but ERP_WEBHOOK_SECRET is not: the ERP could not verify the events');
  const timeoutMs = positiveNumber(env, 'ERP_WEBHOOK_TIMEOUT_MS');
  return { url, secret, ...(timeoutMs !== undefined && { timeoutMs }) };
}
