// JD authorisation (授权仓海, eclp-api.md §1.8): an admin asks for JD's login URL, the merchant logs in at
// JD, JD redirects the browser to our callback with a single-use code and the state we handed out, and
// the code exchange runs as a workflow that stores the token pair encrypted. The token's state is
// readable by admins — never the token.
import { z } from 'zod';
import { jdOAuthLinksFromEnv } from '../config/jd-oauth';
import { positiveMs } from '../config/env';
import { claimOAuthState, createOAuthState, releaseOAuthState, readJdCredentialHealth, readJdTokenStatus } from '../db/jd-auth';
import type { FeatureRouteDeps } from './feature-deps';
import { HttpProblem } from './problem';
import { route, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

/** How long the callback waits for the code exchange before answering 202 (JD_OAUTH_CALLBACK_WAIT_MS). */
export const OAUTH_CALLBACK_WAIT_MS = 20_000;

// JD's codes and our states are URL-safe tokens; anything else is not from JD or not ours.
const oauthToken = (what: string) =>
  z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9._~+/=-]+$/, `must be the ${what} JD's redirect carries`);

const problemResponses = {
  401: { description: 'No or unknown bearer token' },
  403: { description: 'Only admins may do this' },
};

export function jdAuthRoutes(deps: FeatureRouteDeps): RouteSpec[] {
  const { db, documents, env } = deps;
  const links = jdOAuthLinksFromEnv(env);
  const callbackWaitMs = positiveMs(env, 'JD_OAUTH_CALLBACK_WAIT_MS', OAUTH_CALLBACK_WAIT_MS);

  return [
    route({
      method: 'get',
      path: '/v1/jd/authorize',
      summary: "授权仓海: JD's login URL for the merchant, with a single-use state valid for 10 minutes",
      tag: 'jd',
      roles: ['admin'],
      query: z.strictObject({}),
      responses: { 200: { description: '{ url, state, expiresAt, redirectUri }' }, ...problemResponses },
      handler: async () => {
        const { state, expiresAt } = await createOAuthState(db);
        return {
          status: 200,
          body: {
            url: links.loginUrl(state),
            state,
            expiresAt,
            redirectUri: links.redirectUri,
            ...(links.accessTokenFromEnv && { note: 'JD_ACCESS_TOKEN is set: it stays in use until it is removed from the environment' }),
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/jd/oauth/callback',
      summary: "JD's redirect after the merchant authorised us: exchanges the code (the state is the check; no bearer token)",
      tag: 'jd',
      roles: 'public',
      query: z.object({ code: oauthToken('code'), state: oauthToken('state') }),
      responses: {
        200: { description: '{ status: "authorised", expiresAt } — no token value' },
        202: { description: 'The exchange is still running; GET /v1/jd/token shows its outcome' },
        400: { description: 'Unknown, used or expired state, or a malformed code' },
        502: { description: 'JD refused the code' },
      },
      handler: async ({ query }) => {
        const workflowId = documents.jdAuth.workflowId(query.state);
        const claim = await claimOAuthState(db, query.state, query.code, workflowId);
        if (!claim.claimed) {
          const why = { unknown: 'is not one this service handed out', used: 'was used already (a state is good for one callback)', expired: 'has expired (a state is good for 10 minutes)' }[claim.reason];
          throw new HttpProblem(400, 'oauth-state', 'Invalid OAuth state', `The state ${why}: start again with GET /v1/jd/authorize`, {
            errors: [{ field: 'query.state', message: why }],
          });
        }
        try {
          await withTemporal(() => documents.jdAuth.startAuthorisation(query.state));
        } catch (err) {
          // Nothing started: the same callback URL may be opened again (JD's code lives for minutes).
          await releaseOAuthState(db, query.state);
          throw err;
        }
        const outcome = await documents.jdAuth.authorisationOutcome(query.state, callbackWaitMs);
        switch (outcome.status) {
          case 'authorised':
            return { status: 200, body: { status: 'authorised', generation: outcome.result.generation, expiresAt: outcome.result.expiresAt, workflowId: outcome.workflowId } };
          case 'pending':
            return { status: 202, body: { status: 'pending', workflowId: outcome.workflowId, detail: 'the code exchange is still running; GET /v1/jd/token shows the token once stored' } };
          case 'refused':
            throw new HttpProblem(502, 'jd-oauth-refused', 'JD refused the authorisation', outcome.reason, { workflowId: outcome.workflowId });
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/jd/token',
      summary: "Where JD's access token comes from, when it expires, its refreshes and JD's last refusal — never the token",
      tag: 'jd',
      roles: ['admin'],
      responses: { 200: { description: '{ source, expiresAt, obtainedAt, refreshedAt, lastRefreshError, credentials }' }, ...problemResponses },
      handler: async () => {
        const [token, credentials] = await Promise.all([readJdTokenStatus(db), readJdCredentialHealth(db)]);
        const source = links.accessTokenFromEnv ? 'env' : token ? 'oauth' : 'dev';
        return {
          status: 200,
          body: {
            source,
            expiresAt: source === 'oauth' ? token!.expiresAt : null,
            obtainedAt: token?.obtainedAt ?? null,
            refreshedAt: token?.refreshedAt ?? null,
            refreshDueAt: token?.refreshDueAt ?? null,
            generation: token?.generation ?? null,
            lastRefreshError: token?.lastRefreshError ?? null,
            credentials,
            refresher: documents.jdAuth.refresherId,
          },
        };
      },
    }),
  ];
}
