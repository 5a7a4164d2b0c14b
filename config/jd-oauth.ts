// The API's view of JD's OAuth (GET /v1/jd/authorize): the login URL it hands an admin. The URL's shape
// is a JD wire detail and lives in eclp/oauth.ts; this only reads the settings it needs from the
// environment (the same JD_APP_KEY, JD_OAUTH_URL and JD_OAUTH_REDIRECT_URI the workers read).
import { authorizeUrl } from '../eclp/oauth';
import { credentialsFromEnv, oauthRedirectUriFromEnv, oauthUrlFromEnv } from '../eclp/config';
import type { Env } from './env';

export interface JdOAuthLinks {
  /** The merchant's login page at JD for one `state`. */
  loginUrl(state: string): string;
  redirectUri: string;
  /** Where the token comes from in this deployment's settings: JD_ACCESS_TOKEN wins over a stored OAuth token. */
  accessTokenFromEnv: boolean;
}

export function jdOAuthLinksFromEnv(env: Env = process.env): JdOAuthLinks {
  const oauthUrl = oauthUrlFromEnv(env);
  const { appKey } = credentialsFromEnv(env);
  const redirectUri = oauthRedirectUriFromEnv(env);
  return { loginUrl: (state) => authorizeUrl({ oauthUrl, appKey }, { state, redirectUri }), redirectUri, accessTokenFromEnv: Boolean(env.JD_ACCESS_TOKEN) };
}
