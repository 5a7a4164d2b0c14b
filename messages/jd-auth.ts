// JD authorisation's workflow contract (workflows/jd-token.ts): one code exchange per OAuth state
// (`jdAuthorisation`) and the singleton that refreshes the token before it expires (`jdTokenRefresher`).
// No token value ever travels through Temporal: activities read and write them encrypted in Postgres.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface JdAuthorisationInput {
  /** The OAuth state the callback claimed; JD's code waits in its row (never in this history). */
  state: string;
}

export interface JdAuthorisationResult {
  generation: number;
  expiresAt: string;
}

/** What an activity that stored a token pair reports (the code exchange, a refresh). */
export interface JdTokenStored {
  generation: number;
  expiresAt: string;
}

/** The refresher's plan for its current run, worked out by the workers (JD_TOKEN_REFRESH_BEFORE_MS …). */
export interface JdTokenRefreshPlan {
  /** No token is stored (never authorised): the refresher waits for `jdTokenStored`. */
  hasToken: boolean;
  generation?: number;
  expiresAt?: string;
  /** When to refresh: expiresAt minus the refresh margin. */
  refreshAt?: string;
  retry: { initialIntervalMs: number; maximumIntervalMs: number };
}

export type JdTokenRefreshOutcome = { outcome: 'refreshed'; generation: number; expiresAt: string } | { outcome: 'superseded'; generation?: number };

export interface JdTokenRefresherInput {
  /** Carried over continue-as-new. */
  refreshes?: number;
}

export interface JdTokenRefresherState {
  refreshes: number;
  generation?: number;
  expiresAt?: string;
  refreshAt?: string;
  /** Failed refresh attempts are recorded in Postgres (GET /v1/jd/token), not here. */
  phase: 'waiting-for-token' | 'sleeping' | 'refreshing';
}

/** A new token pair was stored (an authorisation): the refresher plans again from it. */
export const jdTokenStoredSignal = defineSignal<[JdTokenStored]>('jdTokenStored');
export const jdTokenRefresherStatusQuery = defineQuery<JdTokenRefresherState>('status');

/** Failure types of the JD authorisation activities. */
export const JD_AUTH_FAILURE_TYPES = {
  /** JD refused the authorisation code (unknown, used or expired) or our app credentials: not retried. */
  codeRefused: 'JdAuthorisationCodeRefused',
  /** The state has no code to exchange (never claimed, or exchanged already): not retried. */
  stateNotClaimed: 'JdAuthorisationStateNotClaimed',
  /** The refresh failed (recorded in Postgres for /readyz and the attention list); retried with backoff. */
  refreshFailed: 'JdTokenRefreshFailed',
  /** JD_TOKEN_KEY is missing or wrong on the worker: not retried by the exchange. */
  tokenKeyMissing: 'JdTokenKeyMissing',
} as const;
