// Liveness and readiness. Ready means a request can be carried through: Postgres answers, Temporal
// answers, and some worker has polled each task queue recently (otherwise documents would just queue).
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { pingDatabase } from '../db/health';
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

export function healthRoutes(deps: HealthDeps): RouteSpec[] {
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
      summary: 'Postgres and Temporal answer and workers poll both task queues',
      tag: 'ops',
      roles: 'public',
      responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready; `checks` says which part' } },
      handler: async () => {
        // In parallel, and Temporal's with a gRPC deadline: while Temporal is down each check would
        // otherwise take its full timeout in turn, and the SDK would keep retrying it after we answered.
        const temporalCheck = (check: () => Promise<string>) => timed(() => deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, check));
        const [postgres, temporal, erpWorkflowWorker, erpActivityWorker, eclpActivityWorker] = await Promise.all([
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
        ]);
        const checks = { postgres, temporal, erpWorkflowWorker, erpActivityWorker, eclpActivityWorker };
        const ready = Object.values(checks).every((c) => c.ok);
        return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not-ready', checks }, headers: ready ? undefined : { 'Retry-After': '5' } };
      },
    }),
  ];
}
