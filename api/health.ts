// Liveness and readiness. Ready means a request can be carried through: Postgres answers, Temporal
// answers, and some worker has polled each task queue recently (otherwise documents would just queue).
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { pingDatabase } from '../db/health';
import { readJdCredentialHealth, readJdTokenStatus } from '../db/jd-auth';
import { route, type RouteSpec } from './route';

export interface HealthDeps {
  db: Knex;
  temporal: Client;
  namespace: string;
  /**
   * A poller counts as alive when it polled within this window. Idle pollers re-poll once per long-poll
   * expiry (a minute by default on a Temporal server), so the window must be longer than that.
   */
  pollerMaxAgeMs: number;
  taskQueues: { erp: string; eclp: string };
  /** JD_ACCESS_TOKEN is set (a manual token whose expiry we do not know); default from process.env. */
  jdAccessTokenFromEnv?: boolean;
}

type Check = { ok: boolean; detail: string };

const CHECK_TIMEOUT_MS = 3000;

async function timed(check: () => Promise<string>, timeoutMs = CHECK_TIMEOUT_MS): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, detail };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.split('\n')[0] ?? 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** A check that judges itself (ok or not) within the timeout; an error or no answer is not ok. */
async function timedCheck(check: () => Promise<Check>): Promise<Check> {
  let judged: Check | undefined;
  const outcome = await timed(async () => {
    judged = await check();
    return judged.detail;
  });
  return outcome.ok && judged ? judged : outcome;
}

/** temporal.api.enums.v1.TaskQueueType values (stable wire enum). */
const WORKFLOW = 1;
const ACTIVITY = 2;

async function queuePolled(deps: HealthDeps, name: string, type: typeof WORKFLOW | typeof ACTIVITY): Promise<string> {
  const { pollers } = await deps.temporal.workflowService.describeTaskQueue({ namespace: deps.namespace, taskQueue: { name }, taskQueueType: type });
  const now = Date.now();
  const fresh = (pollers ?? []).filter((p) => {
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    return now - seconds * 1000 <= deps.pollerMaxAgeMs;
  });
  if (fresh.length === 0) throw new Error(`no worker has polled task queue "${name}" in the last ${Math.round(deps.pollerMaxAgeMs / 1000)} s`);
  return `${fresh.length} poller(s)`;
}

/**
 * Whether JD takes our credentials: not ok when JD refused them since the last call it accepted, when
 * the stored OAuth token has expired, or when its refreshes fail. Documents are still taken (they wait),
 * so this degrades readiness instead of failing it.
 */
export async function jdCredentialsCheck(db: Knex, accessTokenFromEnv: boolean, now = new Date()): Promise<Check> {
  const [health, token] = await Promise.all([readJdCredentialHealth(db), readJdTokenStatus(db)]);
  const oauth = token !== undefined && !accessTokenFromEnv;
  const expiry = oauth ? `OAuth token expires ${token.expiresAt}` : accessTokenFromEnv ? 'token from JD_ACCESS_TOKEN (expiry unknown)' : 'development token';
  const problems: string[] = [];
  if (health.refused) {
    problems.push(
      `JD refused our credentials since ${health.refusedAt} (code ${health.code}${health.zhDesc ? ` ${health.zhDesc}` : ''}${health.method ? ` on ${health.method}` : ''}): every JD call waits; re-authorise via GET /v1/jd/authorize or fix JD_APP_KEY/JD_APP_SECRET`,
    );
  }
  if (oauth && Date.parse(token.expiresAt) <= now.getTime()) problems.push(`the OAuth token expired at ${token.expiresAt}: re-authorise via GET /v1/jd/authorize`);
  if (oauth && token.lastRefreshError) {
    problems.push(`token refreshes are failing since ${token.lastRefreshError.at} (${token.lastRefreshError.failures} attempt(s)): ${token.lastRefreshError.message}`);
  }
  const waiting = health.refused || (oauth && Date.parse(token.expiresAt) <= now.getTime());
  if (problems.length > 0) return { ok: false, detail: `degraded${waiting ? ', documents wait for JD' : ''}: ${problems.join('; ')}; ${expiry}` };
  return { ok: true, detail: oauth ? `${expiry}${token.refreshedAt ? `, refreshed ${token.refreshedAt}` : ''}` : expiry };
}

export function healthRoutes(deps: HealthDeps): RouteSpec[] {
  const jdAccessTokenFromEnv = deps.jdAccessTokenFromEnv ?? Boolean(process.env.JD_ACCESS_TOKEN);
  const queues = deps.taskQueues;
  return [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      tag: 'ops',
      roles: 'public',
      responses: { 200: { description: 'Alive' } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'Postgres and Temporal answer and workers poll both task queues; `jd` degrades (200) when JD refuses our credentials or the token expired or cannot be refreshed',
      tag: 'ops',
      roles: 'public',
      responses: { 200: { description: 'Ready, or `degraded` (the `jd` check: documents are taken but wait for JD)' }, 503: { description: 'Not ready; `checks` says which part' } },
      handler: async () => {
        // In parallel, and Temporal's with a gRPC deadline: while Temporal is down each check would
        // otherwise take its full timeout in turn, and the SDK would keep retrying it after we answered.
        const temporalCheck = (check: () => Promise<string>) => timed(() => deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, check));
        const [postgres, temporal, erpWorkflowWorker, erpActivityWorker, eclpActivityWorker, jd] = await Promise.all([
          timed(async () => {
            await pingDatabase(deps.db);
            return 'answers';
          }),
          temporalCheck(async () => {
            await deps.temporal.workflowService.getSystemInfo({});
            return 'answers';
          }),
          temporalCheck(() => queuePolled(deps, queues.erp, WORKFLOW)),
          temporalCheck(() => queuePolled(deps, queues.erp, ACTIVITY)),
          temporalCheck(() => queuePolled(deps, queues.eclp, ACTIVITY)),
          timedCheck(() => jdCredentialsCheck(deps.db, jdAccessTokenFromEnv)),
        ]);
        const infrastructure = { postgres, temporal, erpWorkflowWorker, erpActivityWorker, eclpActivityWorker };
        const checks = { ...infrastructure, jd };
        const ready = Object.values(infrastructure).every((c) => c.ok);
        if (ready) return { status: 200, body: { status: jd.ok ? 'ready' : 'degraded', checks } };
        return { status: 503, body: { status: 'not-ready', checks }, headers: { 'Retry-After': '5' } };
      },
    }),
  ];
}
