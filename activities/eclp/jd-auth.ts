// JD authorisation's JD calls (eclp-api.md §1.8): exchanging the merchant's OAuth code for a token pair
// and refreshing the pair before it expires. Both store the pair encrypted (db/jd-auth.ts) and return
// only its generation and expiry: token values never enter a Temporal history or a log line.
import { ApplicationFailure, log } from '@temporalio/activity';
import { exchangeCode, isEclpError, JdOAuthRefusedError, type JdOAuthConfig, type JdTokenGrant, type OAuthCallOptions, refreshToken } from '../../eclp';
import {
  finishOAuthState,
  markJdTokenRefreshStarted,
  readJdTokenPair,
  readOAuthStateCode,
  recordJdTokenRefreshFailure,
  storeAuthorisedToken,
  storeRefreshedToken,
  TokenDecryptionError,
} from '../../db/jd-auth';
import { JD_AUTH_FAILURE_TYPES, type JdAuthorisationInput, type JdTokenRefreshOutcome, type JdTokenStored } from '../../messages/jd-auth';
import type { EclpActivityDeps } from './index';

/** What the JD authorisation activities need beyond the JD client (EclpActivityDeps.jdAuth). */
export interface EclpJdAuthDeps {
  oauth: JdOAuthConfig;
  /** JD_TOKEN_KEY decoded; without it no token can be stored. */
  tokenKey?: Buffer;
  /** Told after a new pair was stored, so this process's token provider reads it at once. */
  onTokenStored?: () => void;
  /** Tests pin fetch. */
  callOptions?: OAuthCallOptions;
}

export function createEclpJdAuthActivities(deps: EclpActivityDeps) {
  const settings = () => {
    const jdAuth = deps.jdAuth;
    if (!jdAuth?.tokenKey) {
      throw ApplicationFailure.create({
        type: JD_AUTH_FAILURE_TYPES.tokenKeyMissing,
        message: 'JD_TOKEN_KEY is not set on the worker: OAuth tokens cannot be stored (set 32 random bytes, base64 or hex)',
        nonRetryable: true,
      });
    }
    return { ...jdAuth, tokenKey: jdAuth.tokenKey };
  };

  return {
    /** The callback's code → token pair, stored encrypted as the next generation. JD refusing the code is final. */
    async exchangeJdAuthorisationCode(input: JdAuthorisationInput): Promise<JdTokenStored> {
      const { oauth, tokenKey, onTokenStored, callOptions } = settings();
      const code = await readOAuthStateCode(deps.db, input.state);
      if (code === undefined) {
        throw ApplicationFailure.create({ type: JD_AUTH_FAILURE_TYPES.stateNotClaimed, message: 'this authorisation has no code to exchange (already exchanged, or never called back)', nonRetryable: true });
      }
      let grant: JdTokenGrant;
      try {
        grant = await exchangeCode(oauth, code, callOptions);
      } catch (err) {
        if (err instanceof JdOAuthRefusedError) {
          await finishOAuthState(deps.db, input.state, err.message);
          throw ApplicationFailure.create({ type: JD_AUTH_FAILURE_TYPES.codeRefused, message: err.message, nonRetryable: true, details: [{ jdCode: err.jdCode ?? null, jdMessage: err.jdMessage ?? null }] });
        }
        throw retryable(err);
      }
      const stored = await storeAuthorisedToken(deps.db, tokenKey, { appKey: oauth.appKey, accessToken: grant.accessToken, refreshToken: grant.refreshToken, expiresAt: grant.expiresAt });
      await finishOAuthState(deps.db, input.state);
      onTokenStored?.();
      log.info('JD authorisation stored a new token pair', { generation: stored.generation, expiresAt: stored.expiresAt.toISOString() });
      return { generation: stored.generation, expiresAt: stored.expiresAt.toISOString() };
    },

    /**
     * Refreshes generation `generation` (the pair the refresher planned from). A newer pair stored
     * meanwhile (a new authorisation) supersedes the refresh. Each failure is recorded for /readyz and
     * the attention list, then retried by the workflow's retry policy.
     */
    async refreshJdAccessToken(input: { generation: number }): Promise<JdTokenRefreshOutcome> {
      const { oauth, tokenKey, onTokenStored, callOptions } = settings();
      let pair;
      try {
        pair = await readJdTokenPair(deps.db, tokenKey);
      } catch (err) {
        if (err instanceof TokenDecryptionError) {
          await recordJdTokenRefreshFailure(deps.db, input.generation, err.message);
          throw ApplicationFailure.create({ type: JD_AUTH_FAILURE_TYPES.refreshFailed, message: err.message, nonRetryable: false });
        }
        throw err;
      }
      if (!pair || pair.generation !== input.generation) return { outcome: 'superseded', ...(pair && { generation: pair.generation }) };
      // Workers whose old token JD refuses from now on wait a moment for the new one (worker/index.ts).
      await markJdTokenRefreshStarted(deps.db, input.generation);
      let grant: JdTokenGrant;
      try {
        grant = await refreshToken(oauth, pair.refreshToken, callOptions);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await recordJdTokenRefreshFailure(deps.db, input.generation, message);
        log.warn('JD token refresh failed; retried with backoff', { generation: input.generation, error: message });
        throw ApplicationFailure.create({
          type: JD_AUTH_FAILURE_TYPES.refreshFailed,
          message,
          nonRetryable: false,
          details: [err instanceof JdOAuthRefusedError ? { jdCode: err.jdCode ?? null, jdMessage: err.jdMessage ?? null } : isEclpError(err) ? err.toDetails() : {}],
        });
      }
      const stored = await storeRefreshedToken(deps.db, tokenKey, input.generation, { appKey: oauth.appKey, accessToken: grant.accessToken, refreshToken: grant.refreshToken, expiresAt: grant.expiresAt });
      if (!stored) {
        // A new authorisation landed while JD refreshed the old pair: the new one stands.
        log.warn('a newer JD token pair was stored during the refresh; keeping it', { generation: input.generation });
        return { outcome: 'superseded' };
      }
      onTokenStored?.();
      log.info('JD access token refreshed', { generation: stored.generation, expiresAt: stored.expiresAt.toISOString() });
      return { outcome: 'refreshed', generation: stored.generation, expiresAt: stored.expiresAt.toISOString() };
    },
  };
}

function retryable(err: unknown): unknown {
  if (isEclpError(err)) return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: false, details: [err.toDetails()] });
  return err;
}
