// Production mode (NODE_ENV=production): the API and the worker refuse development defaults — the
// embedded database, the public development JD credentials, a plain-http gateway or webhook, no JD rate
// limit — and name every problem at once, so an operator fixes the deployment in one go.
import { decodeTokenKey, DEV_CREDENTIALS, DEV_TOKEN_KEY_HEX } from '../eclp/config';
import type { Env } from './env';
import { ConfigurationError } from './errors';

function isProduction(env: Env): boolean {
  return env.NODE_ENV === 'production';
}

function httpsProblem(env: Env, name: string, purpose: string): string | undefined {
  const raw = env[name];
  if (!raw) return `${name} is not set: ${purpose}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${name} is not an absolute URL`;
  }
  return url.protocol === 'https:' ? undefined : `${name} must be an https URL in production, got ${url.protocol}//${url.host}`;
}

/** Every reason this environment is not fit for production (empty when it is). */
export function productionProblems(env: Env): string[] {
  const problems: Array<string | undefined> = [
    env.DATABASE_URL ? undefined : 'DATABASE_URL is not set: production does not run on the embedded PostgreSQL',
    jdCredentialsProblem(env),
    httpsProblem(env, 'ECLP_GATEWAY_URL', 'the JD gateway must be named (https://api.jd.com/routerjson); the simulator is for development'),
    env.ECLP_MAX_QPS ? undefined : "ECLP_MAX_QPS is not set: JD's quota is per app key, so every worker must share a global rate limit",
    httpsProblem(env, 'ERP_WEBHOOK_URL', 'the ERP must be told of shipments (线上发货通知) over https'),
  ];
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * JD_APP_KEY and JD_APP_SECRET must be the merchant's own; the access token is either JD_ACCESS_TOKEN (a
 * manual override) or the OAuth token the workers store (GET /v1/jd/authorize), encrypted with JD_TOKEN_KEY.
 */
function jdCredentialsProblem(env: Env): string | undefined {
  const own = (name: 'JD_APP_KEY' | 'JD_APP_SECRET' | 'JD_ACCESS_TOKEN') => Boolean(env[name]) && env[name] !== DEV_CREDENTIALS[credentialKey(name)];
  const credentials =
    'JD_APP_KEY, JD_APP_SECRET and JD_ACCESS_TOKEN must be set to your own JD credentials (the development ones are public); ' +
    'instead of JD_ACCESS_TOKEN, set JD_TOKEN_KEY and authorise through GET /v1/jd/authorize';
  if (!own('JD_APP_KEY') || !own('JD_APP_SECRET')) return credentials;
  if (env.JD_ACCESS_TOKEN) return own('JD_ACCESS_TOKEN') ? undefined : credentials;
  if (!env.JD_TOKEN_KEY) return 'JD_TOKEN_KEY is not set: without JD_ACCESS_TOKEN the OAuth token is stored encrypted with it (32 random bytes, base64 or hex)';
  try {
    const key = decodeTokenKey(env.JD_TOKEN_KEY);
    if (key.equals(Buffer.from(DEV_TOKEN_KEY_HEX, 'hex'))) return 'JD_TOKEN_KEY is the public development key: generate your own (32 random bytes)';
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function credentialKey(name: 'JD_APP_KEY' | 'JD_APP_SECRET' | 'JD_ACCESS_TOKEN'): keyof typeof DEV_CREDENTIALS {
  return name === 'JD_APP_KEY' ? 'appKey' : name === 'JD_APP_SECRET' ? 'appSecret' : 'accessToken';
}

/** Throws one ConfigurationError listing every problem, in production mode only. */
export function assertProductionReady(env: Env): void {
  if (!isProduction(env)) return;
  const problems = productionProblems(env);
  if (problems.length > 0) throw new ConfigurationError(problems.map((p) => `NODE_ENV=production: ${p}`));
}
