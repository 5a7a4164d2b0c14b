// The sales-order saga alone, with stubbed activities (like reference-app-orders-go's workflows_test.go):
// the race paths that end-to-end tests reach only by timing — a cancel during the push, a shipment
// racing a cancel, a cancel while the ERP webhook is being delivered — driven step by step through gates
// the stubs wait on. Real workflow code, real dev server, no database and no JD.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { SalesOrderOutcome } from '../activities/eclp';
import { createDocumentClient, type DocumentClient } from '../client';
import type { SalesOrderCancelOutcome, SalesOrderCancelRequest } from '../messages/sales-order';
import { FAILURE_TYPES } from '../messages/failure-types';
import { sendBackSignal, buyerRefundSignal } from '../messages/sales-order';
import { taskQueues } from '../messages/task-queues';
import { harnessSettings, uniqueTaskQueue } from './harness';
import { workflowBundle } from './helpers/stack';
import { withPollBackoff } from '../activities/eclp/poll-backoff';

const POLLING = { intervalMs: 100, maxWaitMs: 60_000 };
const SHIPPED: SalesOrderOutcome = { kind: 'shipped', wayBill: 'JDV000000000001', jdShipperNo: 'CYS0000010', jdShipperName: '京东快递', jdShippedAt: null, lines: [] };

/** A promise the test opens when it wants a stub to go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** What one order's stubs do, and what they saw. */
interface Script {
  push: () => Promise<void>;
  /** The poll's JD call (inside the real back-off wrapper); throws to play a JD error. */
  jdQuery: (attempt: number) => Promise<void>;
  /** When each poll attempt began (ms since epoch). */
  pollTimes: number[];
  poll: (attempt: number) => Promise<SalesOrderOutcome>;
  cancel: () => Promise<{ cancelled: boolean; jdCode: string; jdMessage?: string }>;
  webhook: () => Promise<void>;
  calls: string[];
  decisions: Array<{ request: SalesOrderCancelRequest; outcome: SalesOrderCancelOutcome }>;
  /** Resolves on the first call of the named stub. */
  entered: (name: string) => Promise<void>;
}

const scripts = new Map<string, Script>();
const notYet = () => ApplicationFailure.create({ type: FAILURE_TYPES.salesOrderNotFinished, message: 'not yet', category: ApplicationFailureCategory.BENIGN });

function script(orderNo: string, overrides: Partial<Pick<Script, 'push' | 'jdQuery' | 'poll' | 'cancel' | 'webhook'>>): Script {
  const entries = new Map<string, ReturnType<typeof gate>>();
  const entry = (name: string) => entries.get(name) ?? entries.set(name, gate()).get(name)!;
  const s: Script = {
    push: async () => undefined,
    jdQuery: async () => undefined,
    pollTimes: [],
    poll: async () => {
      throw notYet();
    },
    cancel: async () => ({ cancelled: true, jdCode: '1', jdMessage: '取消成功' }),
    webhook: async () => undefined,
    ...overrides,
    calls: [],
    decisions: [],
    entered: (name) => entry(name).opened,
  };
  const record = (name: string) => {
    s.calls.push(name);
    entry(name).open();
  };
  scripts.set(orderNo, Object.assign(s, { record }));
  return s;
}

const of = (orderNo: string) => scripts.get(orderNo)! as Script & { record(name: string): void };
const orderOfJdNo = (eclpSoNo: string) => eclpSoNo.replace(/^ESL-/, '');

const erpStubs = {
  async claimSalesOrderPush(orderNo: string) {
    of(orderNo).record('claim');
    return { claimed: true, status: 'PUSHING' as const };
  },
  async preflightSalesOrder(orderNo: string) {
    of(orderNo).record('preflight');
    return { kind: 'ready' as const, jdWarehouseNo: '110000001' };
  },
  async recordSalesOrderPushed(orderNo: string) {
    of(orderNo).record('recordPushed');
  },
  async recordSalesOrderFailed(orderNo: string) {
    of(orderNo).record('recordFailed');
  },
  async recordSalesOrderShipped(orderNo: string, revision: number, jd: { wayBill: string | null }) {
    of(orderNo).record('recordShipped');
    return { orderNo, shopOrderNo: null, pushRevision: revision, eclpSoNo: `ESL-${orderNo}`, warehouseCode: 'BJ', carrierCode: 'JDEX', jdShipperNo: null, jdShipperName: null, wayBill: jd.wayBill, shippedAt: new Date().toISOString(), lines: [] };
  },
  async recordSalesOrderCancelDecision(orderNo: string, _revision: number, request: SalesOrderCancelRequest, outcome: SalesOrderCancelOutcome) {
    of(orderNo).record(`decide:${outcome.verdict}`);
    of(orderNo).decisions.push({ request, outcome });
  },
  async recordSalesOrderEvent(orderNo: string, _revision: number, action: string) {
    of(orderNo).record(`event:${action}`);
  },
  async deliverWebhook(event: { data: { orderNo: string } }) {
    of(event.data.orderNo).record('webhook');
    await of(event.data.orderNo).webhook();
    of(event.data.orderNo).record('webhookDone');
    return { delivered: true };
  },
};

const eclpStubs = {
  /** Since PUSH_IN_ONE_STEP_PATCH: claim, pre-flight, push and the WMS_PICKING record in one step. */
  async pushSalesOrder(orderNo: string) {
    of(orderNo).record('push');
    await of(orderNo).push();
    return { kind: 'pushed' as const, eclpSoNo: `ESL-${orderNo}`, jdWarehouseNo: '110000001', recovered: false };
  },
  async ensureSalesOrderAtJd(orderNo: string) {
    of(orderNo).record('push');
    await of(orderNo).push();
    return { eclpSoNo: `ESL-${orderNo}`, jdWarehouseNo: '110000001', recovered: false };
  },
  async awaitSalesOrderOutcome(eclpSoNo: string) {
    const s = of(orderOfJdNo(eclpSoNo));
    s.record('poll');
    s.pollTimes.push(Date.now());
    const attempt = s.calls.filter((c) => c === 'poll').length;
    await withPollBackoff(() => s.jdQuery(attempt), (err) => err);
    return s.poll(attempt);
  },
  async cancelSalesOrderAtJd(eclpSoNo: string) {
    const s = of(orderOfJdNo(eclpSoNo));
    s.record('cancelAtJd');
    return s.cancel();
  },
};

let env: TestWorkflowEnvironment;
let documents: DocumentClient;
let queues: { erp: string; eclp: string };
let bundle: Awaited<ReturnType<typeof workflowBundle>>;

beforeAll(async () => {
  const { temporalAddress, temporalNamespace } = harnessSettings();
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: temporalAddress, namespace: temporalNamespace });
  queues = taskQueues(uniqueTaskQueue('races'));
  documents = createDocumentClient(env.client, queues);
  bundle = await workflowBundle();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

async function workers() {
  const common = { connection: env.nativeConnection, namespace: env.namespace ?? 'default', shutdownGraceTime: 1_000 };
  return {
    erp: () => Worker.create({ ...common, taskQueue: queues.erp, workflowBundle: bundle, activities: erpStubs, stickyQueueScheduleToStartTimeout: '1s' }),
    eclp: await Worker.create({ ...common, taskQueue: queues.eclp, activities: eclpStubs }),
  };
}

/** Runs `story` with an erp and an eclp worker polling, as the Go reference's `worker.runUntil`. */
async function withWorkers(story: (restartErp: (between: () => Promise<void>) => Promise<void>) => Promise<void>): Promise<void> {
  const { erp, eclp } = await workers();
  await eclp.runUntil(async () => {
    let erpWorker = await erp();
    let erpRunning = erpWorker.run();
    /** Stops the workflow worker, lets `between` happen with no workflow task processed, then starts a new one. */
    const restartErp = async (between: () => Promise<void>) => {
      erpWorker.shutdown();
      await erpRunning;
      await between();
      erpWorker = await erp();
      erpRunning = erpWorker.run();
    };
    try {
      await story(restartErp);
    } finally {
      erpWorker.shutdown();
      await erpRunning;
    }
  });
}

const start = (orderNo: string) => documents.salesOrders.start({ orderNo, revision: 1, jdWarehouseNo: '110000001', polling: POLLING, tracking: { mode: 'poll' } });
const cancelPayload = (requestId: string) => ({ reason: '测试', actor: { role: 'operator' }, requestId, via: 'api' as const });

describe('the sales-order saga with stubbed activities', () => {
  it('a cancel arriving during the push is held until JD has the order, then cancelled at JD', async () => {
    const pushGate = gate();
    const s = script('RACE-PUSH', { push: () => pushGate.opened });
    await withWorkers(async () => {
      await start('RACE-PUSH');
      await s.entered('push');
      await documents.salesOrders.handle('RACE-PUSH', 1).signal(sendBackSignal, cancelPayload('req-push'));
      // The request waits in the inbox: nothing is decided while JD has not answered.
      expect(await documents.salesOrders.handle('RACE-PUSH', 1).query('status')).toMatchObject({ status: 'PUSHING', pendingCancels: [{ requestId: 'req-push', kind: 'sendBack', statusAtRequest: 'PUSHING' }] });
      expect(s.decisions).toEqual([]);
      pushGate.open();
      expect(await documents.salesOrders.handle('RACE-PUSH', 1).result()).toMatchObject({ status: 'REVIEW', eclpSoNo: 'ESL-RACE-PUSH' });
    });
    expect(s.calls).toEqual(['push', 'cancelAtJd', 'decide:CANCELLED_AT_JD']);
    expect(s.decisions.map((d) => [d.request.requestId, d.request.statusAtRequest, d.outcome.verdict, d.outcome.status])).toEqual([['req-push', 'PUSHING', 'CANCELLED_AT_JD', 'REVIEW']]);
  });

  it('a shipment and a cancel reaching the run together: the shipment wins, the cancel is answered "already shipped", JD is not asked to cancel', async () => {
    const pollGate = gate();
    const s = script('RACE-SHIP', {
      poll: async () => {
        await pollGate.opened;
        return SHIPPED;
      },
    });
    await withWorkers(async (restartErp) => {
      await start('RACE-SHIP');
      await s.entered('poll');
      // With no workflow worker, JD's answer and the refund land in the history side by side and reach
      // the run in one workflow task: the race the saga must settle in favour of what JD did.
      await restartErp(async () => {
        await documents.salesOrders.handle('RACE-SHIP', 1).signal(buyerRefundSignal, cancelPayload('req-ship'));
        pollGate.open();
        await waitForCompletedPoll('RACE-SHIP');
      });
      expect(await documents.salesOrders.handle('RACE-SHIP', 1).result()).toMatchObject({ status: 'SHIPPED', wayBill: 'JDV000000000001' });
    });
    expect(s.calls).not.toContain('cancelAtJd');
    expect(s.calls.filter((c) => c === 'recordShipped')).toHaveLength(1);
    expect(s.decisions.map((d) => [d.request.requestId, d.outcome.verdict, d.outcome.status])).toEqual([['req-ship', 'ALREADY_SHIPPED', 'SHIPPED']]);
  });

  it('a cancel that reaches the run first while JD has already shipped: JD refuses, the order ships, one verdict', async () => {
    const pollGate = gate();
    const s = script('RACE-LATE', {
      poll: async (attempt) => {
        if (attempt === 1) await pollGate.opened; // the first poll hangs until the run has moved on
        return SHIPPED;
      },
      cancel: async () => ({ cancelled: false, jdCode: '2', jdMessage: '已出库，不能取消' }),
    });
    await withWorkers(async () => {
      await start('RACE-LATE');
      await s.entered('poll');
      await documents.salesOrders.handle('RACE-LATE', 1).signal(sendBackSignal, cancelPayload('req-late'));
      await s.entered('cancelAtJd');
      const result = await documents.salesOrders.handle('RACE-LATE', 1).result();
      pollGate.open();
      expect(result).toMatchObject({ status: 'SHIPPED' });
    });
    expect(s.calls.filter((c) => c === 'cancelAtJd')).toHaveLength(1);
    expect(s.calls.filter((c) => c === 'recordShipped')).toHaveLength(1);
    expect(s.decisions.map((d) => [d.request.requestId, d.outcome.verdict, d.outcome.status, d.outcome.jdMessage])).toEqual([['req-late', 'REFUSED_BY_JD', 'WMS_PICKING', '已出库，不能取消']]);
  });

  it('a cancel arriving while the ERP webhook is being delivered is answered at once, without waiting for the ERP', async () => {
    const webhookGate = gate();
    const s = script('RACE-HOOK', { poll: async () => SHIPPED, webhook: () => webhookGate.opened });
    await withWorkers(async () => {
      await start('RACE-HOOK');
      await s.entered('webhook');
      await documents.salesOrders.handle('RACE-HOOK', 1).signal(sendBackSignal, cancelPayload('req-hook'));
      await s.entered('decide:ALREADY_SHIPPED');
      // Decided while the delivery still hangs: the operator is not kept waiting on the ERP.
      expect(s.calls).not.toContain('webhookDone');
      webhookGate.open();
      expect(await documents.salesOrders.handle('RACE-HOOK', 1).result()).toMatchObject({ status: 'SHIPPED' });
    });
    expect(s.calls).toEqual(['push', 'poll', 'recordShipped', 'webhook', 'decide:ALREADY_SHIPPED', 'webhookDone']);
    expect(s.decisions.map((d) => [d.request.requestId, d.outcome.verdict])).toEqual([['req-hook', 'ALREADY_SHIPPED']]);
  });
});

describe('polling while JD errors', () => {
  it('backs off exponentially from the poll interval while JD errors, and returns to the interval after', async () => {
    const jdDown = ApplicationFailure.create({ type: 'EclpTransportError', message: 'JD did not answer', nonRetryable: false });
    const s = script('POLL-ERR', {
      jdQuery: async (attempt) => {
        if (attempt <= 3) throw jdDown;
      },
      poll: async (attempt) => {
        if (attempt < 6) throw notYet();
        return SHIPPED;
      },
    });
    await withWorkers(async () => {
      await documents.salesOrders.start({ orderNo: 'POLL-ERR', revision: 1, jdWarehouseNo: '110000001', polling: { intervalMs: 300, maxWaitMs: 60_000 }, tracking: { mode: 'poll' } });
      expect(await documents.salesOrders.handle('POLL-ERR', 1).result()).toMatchObject({ status: 'SHIPPED' });
    });
    const gaps = s.pollTimes.slice(1).map((t, i) => t - s.pollTimes[i]!);
    // After errors 1, 2, 3: 600, 1200, 2400 ms; after the first answer ("not yet"): the 300 ms interval.
    // (The dev server fires retry timers up to about a second late, so only lower bounds are exact.)
    expect(gaps).toHaveLength(5);
    expect(gaps[0]).toBeGreaterThanOrEqual(580);
    expect(gaps[1]).toBeGreaterThanOrEqual(1_180);
    expect(gaps[2]).toBeGreaterThanOrEqual(2_380);
    expect(gaps[3]).toBeLessThan(0.75 * gaps[2]!);
    expect(gaps[4]).toBeLessThan(0.75 * gaps[2]!);
  });
});

/** Waits until the server has recorded the poll activity's completion (no workflow worker is running). */
async function waitForCompletedPoll(orderNo: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const history = await documents.salesOrders.handle(orderNo, 1).fetchHistory();
    if (history.events?.some((e) => e.activityTaskCompletedEventAttributes)) {
      const completed = history.events.filter((e) => e.activityTaskCompletedEventAttributes).length;
      // The push step (claim, pre-flight, push, record) and the poll: two completions.
      if (completed >= 2) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the poll activity of ${orderNo} did not complete within 10 s`);
}
