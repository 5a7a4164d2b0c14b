// Where the client finds JD and who it is there. The simulator reads the same variables, so a
// developer who sets nothing gets a client and a simulator that trust each other.

export interface EclpCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
}

/** Merchant identities JD issues offline; every create call carries them (eclp-api.md §2). */
export interface EclpMerchant {
  deptNo: string;
  shopNo: string;
  isvSource: string;
}

export interface EclpConfig extends EclpCredentials, EclpMerchant {
  gatewayUrl: string;
  timeoutMs: number;
}

/**
 * Development credentials, known to the simulator. They are not secrets: production must set
 * JD_APP_KEY, JD_APP_SECRET and JD_ACCESS_TOKEN.
 */
export const DEV_CREDENTIALS: EclpCredentials = {
  appKey: 'dev-app-key',
  appSecret: 'dev-app-secret',
  accessToken: 'dev-access-token',
};

/** The simulator's default department, shop and ISV source (DESIGN.md §6). */
export const DEV_MERCHANT: EclpMerchant = {
  deptNo: 'EBU0000000000001',
  shopNo: 'ESP0000000000001',
  isvSource: 'ISV0000000000001',
};

export const DEFAULT_SIMULATOR_PORT = 3100;
export const DEFAULT_TIMEOUT_MS = 10_000;

type Env = Record<string, string | undefined>;

export function credentialsFromEnv(env: Env = process.env): EclpCredentials {
  return {
    appKey: env.JD_APP_KEY || DEV_CREDENTIALS.appKey,
    appSecret: env.JD_APP_SECRET || DEV_CREDENTIALS.appSecret,
    accessToken: env.JD_ACCESS_TOKEN || DEV_CREDENTIALS.accessToken,
  };
}

export function eclpConfigFromEnv(env: Env = process.env): EclpConfig {
  const timeoutMs = Number(env.ECLP_TIMEOUT_MS || DEFAULT_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`ECLP_TIMEOUT_MS must be a positive number of milliseconds, got ${JSON.stringify(env.ECLP_TIMEOUT_MS)}`);
  }
  return {
    ...credentialsFromEnv(env),
    gatewayUrl: env.ECLP_GATEWAY_URL || `http://127.0.0.1:${env.ECLP_SIM_PORT || DEFAULT_SIMULATOR_PORT}/routerjson`,
    timeoutMs,
    deptNo: env.JD_DEPT_NO || DEV_MERCHANT.deptNo,
    shopNo: env.JD_SHOP_NO || DEV_MERCHANT.shopNo,
    isvSource: env.JD_ISV_SOURCE || DEV_MERCHANT.isvSource,
  };
}

/** True when the client would talk to the real JD with the well-known development credentials. */
export function usesDevCredentials(config: EclpCredentials): boolean {
  return config.appSecret === DEV_CREDENTIALS.appSecret;
}

/**
 * Where the gateway takes the access token for each call. `current()` is asked before every call;
 * `fresher(rejected)` after JD answered code 19 to `rejected`: it answers a newer token when there is one
 * (a refresh by another worker), or `rejected` again when there is none. An empty token sends no
 * access_token at all (JD then answers code 18, "missing access_token").
 */
export interface AccessTokenProvider {
  current(): Promise<string>;
  fresher(rejected: string): Promise<string>;
}

/** The fixed token (JD_ACCESS_TOKEN, or the development token): nothing fresher to be had. */
export function staticTokenProvider(token: string): AccessTokenProvider {
  return { current: async () => token, fresher: async () => token };
}

/** JD's OAuth login and token endpoints (eclp-api.md §1.8); the simulator serves the same paths. */
export const JD_OAUTH_PRODUCTION_URL = 'https://open-oauth.jd.com';

/**
 * JD_OAUTH_URL, else the simulator's origin when the gateway is the simulator (loopback: development),
 * else JD's production OAuth host.
 */
export function oauthUrlFromEnv(env: Env = process.env): string {
  if (env.JD_OAUTH_URL) return env.JD_OAUTH_URL;
  const gateway = new URL(eclpConfigFromEnv(env).gatewayUrl);
  const host = gateway.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  return loopback ? gateway.origin : JD_OAUTH_PRODUCTION_URL;
}

/** The callback JD redirects the merchant's browser to (JD_OAUTH_REDIRECT_URI). */
export function oauthRedirectUriFromEnv(env: Env = process.env): string {
  return env.JD_OAUTH_REDIRECT_URI || `http://127.0.0.1:${env.PORT || 3000}/v1/jd/oauth/callback`;
}

/**
 * JD_TOKEN_KEY: the AES-256 key the stored OAuth tokens are encrypted with, 32 bytes as base64 (44
 * characters) or hex (64). Throws a message naming the variable for anything else.
 */
export function decodeTokenKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : undefined;
  if (!key || key.length !== 32) throw new Error('JD_TOKEN_KEY must be 32 bytes, as base64 (44 characters) or hex (64 characters)');
  return key;
}

/**
 * A fixed, public key for development against the simulator only (no JD_TOKEN_KEY, not production,
 * loopback gateway): it protects nothing, production refuses to run without JD_TOKEN_KEY.
 */
export const DEV_TOKEN_KEY_HEX = '6465762d6a642d746f6b656e2d6b65792d6e6f742d612d7365637265742d2121';
