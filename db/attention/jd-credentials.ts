// The attention list's JD-authorisation items (subject JD_AUTH, documentNo `jd`): JD refusing our
// credentials (every document waits), the token's refresh failing, and the token running out without
// a successful refresh. One item per kind at most: they are about the deployment, not a document.
import type { Knex } from 'knex';
import { readJdCredentialHealth, readJdTokenStatus } from '../jd-auth';
import type { AttentionItem, AttentionSource } from './types';

/** The refresher's default margin (JD_TOKEN_REFRESH_BEFORE_MS), used until it recorded its own plan. */
const DEFAULT_REFRESH_BEFORE_MS = 3_600_000;
/** A refresher that is due gets this long to succeed before the token counts as expiring unattended. */
const REFRESH_GRACE_MS = 5 * 60_000;

const REFRESHER = 'JD-TOKEN';
const REAUTHORISE = 'GET /v1/jd/authorize (as admin) and open the URL to re-authorise';

export const jdCredentialAttention: AttentionSource = async (db: Knex, context) => {
  const [health, token] = await Promise.all([readJdCredentialHealth(db), readJdTokenStatus(db)]);
  const items: AttentionItem[] = [];
  const now = context.now.getTime();

  if (health.refused && health.refusedAt) {
    items.push({
      kind: 'jd_credentials_refused',
      subject: 'JD_AUTH',
      documentNo: 'jd',
      why: `JD refused our credentials (code ${health.code}${health.zhDesc ? `: ${health.zhDesc}` : ''}${health.method ? `, on ${health.method}` : ''}); every document waits for JD until they are fixed`,
      since: health.refusedAt,
      nextAction: `${REAUTHORISE}, or fix JD_APP_KEY / JD_APP_SECRET (JD_ACCESS_TOKEN if it is set); see GET /v1/jd/token`,
      href: '/v1/jd/token',
    });
  }
  if (!token) return items;

  if (token.lastRefreshError) {
    items.push({
      kind: 'jd_token_refresh_failed',
      subject: 'JD_AUTH',
      documentNo: 'jd',
      why: `refreshing JD's access token fails (${token.lastRefreshError.failures} attempt(s), retried with backoff): ${token.lastRefreshError.message}; the token expires ${token.expiresAt}`,
      since: token.lastRefreshError.at,
      nextAction: `${REAUTHORISE} before ${token.expiresAt}, or check JD_APP_KEY / JD_APP_SECRET`,
      href: '/v1/jd/token',
      workflowId: REFRESHER,
    });
  }

  const expiresAt = Date.parse(token.expiresAt);
  const dueAt = token.refreshDueAt ? Date.parse(token.refreshDueAt) : expiresAt - DEFAULT_REFRESH_BEFORE_MS;
  if (now >= Math.min(dueAt + REFRESH_GRACE_MS, expiresAt)) {
    const expired = now >= expiresAt;
    items.push({
      kind: 'jd_token_expiring',
      subject: 'JD_AUTH',
      documentNo: 'jd',
      why: expired
        ? `JD's access token expired at ${token.expiresAt} and was not refreshed: every document waits for JD`
        : `JD's access token expires at ${token.expiresAt}, within the refresh margin, and no refresh has succeeded`,
      since: new Date(expired ? expiresAt : dueAt).toISOString(),
      nextAction: `check the refresher workflow ${REFRESHER} in the Temporal UI; ${REAUTHORISE}`,
      href: '/v1/jd/token',
      workflowId: REFRESHER,
    });
  }
  return items;
};
