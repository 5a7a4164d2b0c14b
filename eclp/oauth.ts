// JD's OAuth2 for the access token (授权仓海, eclp-api.md §1.8): the merchant logs in at `to_login` and
// JD redirects to us with a single-use `code`; `access_token` exchanges it for a token pair and
// `refresh_token` swaps the refresh token for a new pair. All three are GETs with query parameters on
// open-oauth.jd.com. The answers carry secrets: nothing here logs them, and errors are scrubbed.
import { EclpTransportError } from './errors';
import type { FetchLike } from './gateway';
import { redact, reportableUrl } from './redact';

export const JD_OAUTH_URL = 'https://open-oauth.jd.com';
/** The scope JD's SDKs ask for (eclp-api.md §1.8). */
export const JD_OAUTH_SCOPE = 'snsapi_base';

export interface JdOAuthConfig {
  /** Base URL without `/oauth2` (JD_OAUTH_URL), e.g. https://open-oauth.jd.com or the simulator. */
  oauthUrl: string;
  appKey: string;
  appSecret: string;
  timeoutMs: number;
}

/** A token pair as JD issued it; `expiresAt` = `time` + `expires_in`. */
export interface JdTokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  /** JD's `time` (ms epoch) when present, else our clock when the answer arrived. */
  issuedAt: Date;
  expiresAt: Date;
}

/** JD refused the code, the refresh token or our app credentials: asking again the same way cannot help. */
export class JdOAuthRefusedError extends Error {
  override readonly name = 'JdOAuthRefusedError';
  constructor(
    message: string,
    readonly grant: 'authorization_code' | 'refresh_token',
    /** JD's error code and words, when its answer carried them. */
    readonly jdCode?: string,
    readonly jdMessage?: string,
  ) {
    super(message);
  }
}

export interface OAuthCallOptions {
  fetch?: FetchLike;
  now?: () => Date;
}

/** The login page the merchant opens (`GET /oauth2/to_login`); JD redirects to `redirectUri` with code and state. */
export function authorizeUrl(config: Pick<JdOAuthConfig, 'oauthUrl' | 'appKey'>, request: { state: string; redirectUri: string; scope?: string }): string {
  const url = new URL(`${trimSlash(config.oauthUrl)}/oauth2/to_login`);
  url.searchParams.set('app_key', config.appKey);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  url.searchParams.set('scope', request.scope ?? JD_OAUTH_SCOPE);
  return url.toString();
}

/** `GET /oauth2/access_token?…&grant_type=authorization_code&code=…`. */
export function exchangeCode(config: JdOAuthConfig, code: string, options: OAuthCallOptions = {}): Promise<JdTokenGrant> {
  return tokenCall(config, 'access_token', { grant_type: 'authorization_code', code }, [code], options);
}

/** `GET /oauth2/refresh_token?…&grant_type=refresh_token&refresh_token=…`. */
export function refreshToken(config: JdOAuthConfig, token: string, options: OAuthCallOptions = {}): Promise<JdTokenGrant> {
  return tokenCall(config, 'refresh_token', { grant_type: 'refresh_token', refresh_token: token }, [token], options);
}

async function tokenCall(
  config: JdOAuthConfig,
  endpoint: 'access_token' | 'refresh_token',
  params: Record<string, string>,
  moreSecrets: string[],
  options: OAuthCallOptions,
): Promise<JdTokenGrant> {
  const grant = params.grant_type as JdOAuthRefusedError['grant'];
  const url = new URL(`${trimSlash(config.oauthUrl)}/oauth2/${endpoint}`);
  url.searchParams.set('app_key', config.appKey);
  url.searchParams.set('app_secret', config.appSecret);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const reported = reportableUrl(url.toString());
  const method = `oauth2/${endpoint}`;
  const secrets = [config.appSecret, ...moreSecrets];
  const scrub = (text: string) => redact(text, secrets);
  const fetchImpl: FetchLike = options.fetch ?? ((u, init) => fetch(u, init));

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await fetchImpl(url.toString(), { method: 'GET', headers: { accept: 'application/json' }, signal: controller.signal });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const message = controller.signal.aborted ? `no answer within ${config.timeoutMs} ms` : scrub(describe(error));
    throw new EclpTransportError(`JD OAuth ${reported} unreachable: ${message}`, { method, failure: controller.signal.aborted ? 'timeout' : 'network', mayHaveCommitted: true });
  } finally {
    clearTimeout(timer);
  }
  if (status >= 500) {
    throw new EclpTransportError(`JD OAuth ${reported} answered HTTP ${status}`, { method, failure: 'http-status', httpStatus: status, mayHaveCommitted: true });
  }
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    throw new EclpTransportError(`JD OAuth ${reported} answered HTTP ${status} with a body that is not a JSON object`, { method, failure: 'malformed-response', mayHaveCommitted: true });
  }
  const accessToken = body['access_token'];
  const refresh = body['refresh_token'];
  const expiresIn = Number(body['expires_in']);
  if (typeof accessToken === 'string' && accessToken !== '' && typeof refresh === 'string' && refresh !== '' && Number.isFinite(expiresIn) && expiresIn > 0) {
    const now = options.now?.() ?? new Date();
    const time = Number(body['time']);
    const issuedAt = Number.isFinite(time) && time > 0 ? new Date(time) : now;
    return { accessToken, refreshToken: refresh, expiresInSeconds: expiresIn, issuedAt, expiresAt: new Date(issuedAt.getTime() + expiresIn * 1000) };
  }
  // JD's OAuth error shape is not documented in our sources: take code and words from the usual fields.
  const jdCode = firstText(body, ['code', 'error_code', 'error']);
  const jdMessage = firstText(body, ['msg', 'message', 'error_description', 'zh_desc']);
  const words = jdMessage !== undefined ? scrub(jdMessage) : undefined;
  throw new JdOAuthRefusedError(
    `JD OAuth refused the ${grant === 'authorization_code' ? 'authorisation code' : 'refresh token'}${jdCode !== undefined ? ` (code ${scrub(jdCode)})` : ''}: ${words ?? 'no description'}`,
    grant,
    jdCode === undefined ? undefined : scrub(jdCode),
    words,
  );
}

function firstText(body: Record<string, unknown>, names: string[]): string | undefined {
  for (const name of names) {
    const value = body[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function describe(error: unknown): string {
  const outer = error instanceof Error ? error : undefined;
  const inner = outer?.cause instanceof Error ? outer.cause : undefined;
  return [outer?.message ?? String(error), inner?.message].filter(Boolean).join(': ');
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
