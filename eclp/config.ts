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
