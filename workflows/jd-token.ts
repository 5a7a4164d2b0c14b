// JD authorisation (授权仓海, eclp-api.md §1.8).
//
// `jdAuthorisation` — one per OAuth state (`JD-AUTH:{state}`): the JD activity exchanges the callback's
// code for a token pair and stores it encrypted; then the refresher is started if it is not running and
// told of the new pair.
//
// `jdTokenRefresher` — the singleton per task-queue pair (`JD-TOKEN`): sleeps until the stored pair is
// due (expiry minus JD_TOKEN_REFRESH_BEFORE_MS), refreshes it through the JD activity — retried with
// backoff for as long as it takes, each failure recorded for /readyz and the attention list — and
// continues as new after every refresh. A new authorisation's signal wakes it to plan again.
import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import type { ErpActivities } from '../activities/erp';
import {
  JD_AUTH_FAILURE_TYPES,
  jdTokenRefresherStatusQuery,
  jdTokenStoredSignal,
  type JdAuthorisationInput,
  type JdAuthorisationResult,
  type JdTokenRefresherInput,
  type JdTokenRefresherState,
  type JdTokenStored,
} from '../messages/jd-auth';
import { DocType } from '../messages/search-attributes';
import { eclpQueueOf } from '../messages/task-queues';

const erpActivities = () =>
  proxyActivities<ErpActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });

export async function jdAuthorisation(input: JdAuthorisationInput): Promise<JdAuthorisationResult> {
  const jd = proxyActivities<EclpActivities>({
    taskQueue: eclpQueueOf(workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
    // JD's code lives for minutes: a JD that does not answer for that long has lost the authorisation anyway.
    scheduleToCloseTimeout: '5 minutes',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '20 seconds',
      nonRetryableErrorTypes: [JD_AUTH_FAILURE_TYPES.codeRefused, JD_AUTH_FAILURE_TYPES.stateNotClaimed, JD_AUTH_FAILURE_TYPES.tokenKeyMissing],
    },
  });
  const stored = await jd.exchangeJdAuthorisationCode(input);
  await erpActivities().ensureJdTokenRefresher(stored);
  return stored;
}

export async function jdTokenRefresher(input: JdTokenRefresherInput = {}): Promise<never> {
  const erp = erpActivities();
  let refreshes = input.refreshes ?? 0;
  let news: JdTokenStored | undefined;
  const state: JdTokenRefresherState = { refreshes, phase: 'waiting-for-token' };
  setHandler(jdTokenStoredSignal, (stored) => {
    news = stored;
  });
  setHandler(jdTokenRefresherStatusQuery, () => ({ ...state, refreshes }));
  upsertSearchAttributes([{ key: DocType, value: 'JD_TOKEN' }]);

  for (;;) {
    news = undefined;
    const plan = await erp.planJdTokenRefresh();
    Object.assign(state, { generation: plan.generation, expiresAt: plan.expiresAt, refreshAt: plan.refreshAt });
    if (!plan.hasToken || plan.generation === undefined || plan.refreshAt === undefined) {
      state.phase = 'waiting-for-token';
      await condition(() => news !== undefined);
      continue;
    }
    state.phase = 'sleeping';
    const waitMs = Date.parse(plan.refreshAt) - Date.now();
    if (waitMs > 0 && (await condition(() => news !== undefined, waitMs))) continue;

    state.phase = 'refreshing';
    const jd = proxyActivities<EclpActivities>({
      taskQueue: eclpQueueOf(workflowInfo().taskQueue),
      startToCloseTimeout: '1 minute',
      retry: { initialInterval: plan.retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: plan.retry.maximumIntervalMs },
    });
    const generation = plan.generation;
    // A new authorisation while the refresh keeps failing: stop retrying the old pair, plan from the new one.
    const scope = new CancellationScope();
    const refreshing = scope.run(() => jd.refreshJdAccessToken({ generation }));
    const interrupted = condition(() => news !== undefined).then(() => 'news' as const);
    const first = await Promise.race([refreshing.then((outcome) => ({ outcome })), interrupted]);
    if (first === 'news') {
      scope.cancel();
      try {
        await refreshing;
      } catch (err) {
        if (!isCancellation(err)) throw err;
      }
      continue;
    }
    if (first.outcome.outcome === 'refreshed') refreshes += 1;
    // Every refresh (or a pair replaced meanwhile) starts a fresh history.
    return continueAsNew<typeof jdTokenRefresher>({ refreshes });
  }
}
