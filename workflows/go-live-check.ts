// 推单测试 (go-live push test, issue 12 §3): before a merchant switches a warehouse over, push one real
// test sales order per SKU through the normal saga and cancel each at JD as soon as JD accepts it.
// ECLP has no hold, so a test order that is not cancelled ships: the check sends each order's run its
// buyer refund the moment it starts — the saga holds it while PUSHING and cancels at JD right after the
// push — and a cancel JD refuses fails the check loudly (error log, step with JD's words, attention list).
// Steps: master data → goods JD lacks (goods-sync children) → test orders (sales-order children) → verdicts.
import { ActivityFailure, ApplicationFailure, ParentClosePolicy, WorkflowIdReusePolicy, getExternalWorkflowHandle, log, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ErpActivities } from '../activities/erp';
import {
  GO_LIVE_FAILURE_TYPES,
  goLiveCheckStatusQuery,
  type GoLiveCheckInput,
  type GoLiveCheckResult,
  type GoLiveCheckState,
  type GoLiveCheckStatus,
  type GoLiveStep,
  type GoLiveStepRecord,
  type GoLiveTestOrder,
  type GoLiveTestOrderVerdict,
} from '../messages/go-live-check';
import { WORKFLOW_TYPES } from '../messages/ids';
import { buyerRefundSignal, type SalesOrderInput, type SalesOrderResult } from '../messages/sales-order';
import { DocStatus, DocType, ErpDocNo, StatusSince, WarehouseNo } from '../messages/search-attributes';
import { ERP_ACTIVITY_OPTIONS } from './saga/activity-options';
import { isActivityTimeout } from './saga/failures';
import { syncGoodsAtJd } from './saga/goods-at-jd';
import { identifyDocument, publishStatus } from './saga/visibility';

const erp = proxyActivities<ErpActivities>({
  ...ERP_ACTIVITY_OPTIONS,
  retry: { ...ERP_ACTIVITY_OPTIONS.retry, nonRetryableErrorTypes: [GO_LIVE_FAILURE_TYPES.checkNotRunning, GO_LIVE_FAILURE_TYPES.testOrderRefused] },
});

const JD_REJECTED_PREFIX = 'JD rejected the order: ';
const GOODS_REJECTED_PREFIX = 'JD rejected the goods: ';
const MAX_SUMMARY = 1000;

type OrderState = GoLiveCheckState['orders'][number];

export async function goLiveCheck(input: GoLiveCheckInput): Promise<GoLiveCheckResult> {
  return new GoLiveCheck(input).run();
}

class GoLiveCheck {
  private status: GoLiveCheckStatus = 'RUNNING';
  private current?: GoLiveCheckState['current'];
  private readonly steps: GoLiveStepRecord[] = [];
  private readonly orders: OrderState[] = [];
  private readonly verdicts: ErpActivities;

  constructor(private readonly input: GoLiveCheckInput) {
    const { intervalMs, maxWaitMs } = input.verdictPolling;
    // "Infrequent polling" (workflows/saga/activity-options.ts): the retry policy is the poll loop.
    this.verdicts = proxyActivities<ErpActivities>({
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: maxWaitMs,
      retry: { initialInterval: intervalMs, backoffCoefficient: 1, maximumInterval: intervalMs, nonRetryableErrorTypes: [GO_LIVE_FAILURE_TYPES.checkNotRunning] },
    });
    setHandler(goLiveCheckStatusQuery, () => this.state());
  }

  /** The steps; an activity that failed for good fails the step it was in, so the check still ends (FAILED). */
  async run(): Promise<GoLiveCheckResult> {
    identifyDocument('GOLIVE', this.input.checkId);
    publishStatus({ status: 'RUNNING', changed: true });
    try {
      return await this.runSteps();
    } catch (err) {
      if (!(err instanceof ActivityFailure) || this.current === undefined || this.current === 'finishing') throw err;
      // No check to record anything on: the row is gone (or ended); nothing can be written.
      if (err.cause instanceof ApplicationFailure && err.cause.type === GO_LIVE_FAILURE_TYPES.checkNotRunning) throw err;
      const cause = err.cause?.message ?? err.message;
      log.error('A go-live check step failed for good', { checkId: this.input.checkId, step: this.current, error: cause });
      await this.record({ step: this.current, subject: this.current === 'test_order' ? '(orders)' : '', outcome: 'FAILED', detail: cause });
      return this.finish();
    }
  }

  private async runSteps(): Promise<GoLiveCheckResult> {
    const { checkId } = this.input;

    // 1. Master data, no JD call.
    this.current = 'master_data';
    const masterData = await erp.checkGoLiveMasterData(checkId);
    if (masterData.kind === 'not-running') {
      log.warn('The go-live check is not running any more; this run does nothing', { checkId, status: masterData.status });
      return { checkId, status: masterData.status === 'PASSED' ? 'PASSED' : 'FAILED', steps: this.steps };
    }
    if (masterData.kind === 'invalid') {
      await this.record({ step: 'master_data', subject: '', outcome: 'FAILED', detail: masterData.problems.join('; ') });
      return this.finish();
    }
    await this.record({ step: 'master_data', subject: '', outcome: 'PASSED', detail: masterData.detail });
    const { jdWarehouseNo } = masterData;
    publishStatus({ status: 'RUNNING', changed: false, jdWarehouseNo });

    // 2. Goods JD lacks, created the way a purchase order creates them.
    this.current = 'goods';
    if (!(await this.syncGoods(masterData.skusToSync))) return this.finish();

    // 3. One test order per SKU: created in review, approved through the normal saga, refunded at once.
    this.current = 'test_order';
    const orders = await erp.createGoLiveTestOrders(checkId);
    this.orders.push(...orders.map((order) => ({ ...order })));
    await Promise.all(orders.map((order) => this.pushAndCancel(order, jdWarehouseNo)));
    return this.finish();
  }

  /** True when JD has every SKU now; a refusal fails the step naming each SKU with JD's words. */
  private async syncGoods(skus: readonly string[]): Promise<boolean> {
    if (skus.length === 0) {
      await this.record({ step: 'goods', subject: '', outcome: 'PASSED', detail: 'every SKU is at JD already; nothing to create' });
      return true;
    }
    const results = await syncGoodsAtJd(skus);
    const failures = results.filter((f) => f !== undefined);
    if (failures.length === 0) {
      await this.record({ step: 'goods', subject: '', outcome: 'PASSED', detail: `created at JD (transportGoodsInfo): ${skus.join(', ')}` });
      return true;
    }
    const detail = failures.map((f) => `SKU ${f.sku} could not be created at JD: ${f.message}${f.jdCode !== undefined ? ` (code ${f.jdCode})` : ''}`).join('; ');
    const jdWords = failures.map((f) => `${f.sku}: ${f.message.startsWith(GOODS_REJECTED_PREFIX) ? f.message.slice(GOODS_REJECTED_PREFIX.length) : f.message}`).join('; ');
    await this.record({ step: 'goods', subject: '', outcome: 'FAILED', detail, jdMessage: jdWords });
    return false;
  }

  /** Start the order's run, claim it, send the refund, wait for the verdict, record it. */
  private async pushAndCancel(order: GoLiveTestOrder, jdWarehouseNo: string): Promise<void> {
    const { checkId } = this.input;
    const { orderNo } = order;
    try {
      await startChild<(input: SalesOrderInput) => Promise<SalesOrderResult>>(WORKFLOW_TYPES.salesOrder, {
        workflowId: order.workflowId,
        args: [{ orderNo, revision: order.revision, polling: this.input.salesOrder.polling, ...(this.input.salesOrder.tracking && { tracking: this.input.salesOrder.tracking }) }],
        // The order lives on by itself: it must end (cancelled, or shipped and noticed) whatever becomes of the check.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: DocType, value: 'SO' },
          { key: ErpDocNo, value: orderNo },
          { key: DocStatus, value: 'PUSHING' },
          { key: StatusSince, value: new Date() },
          { key: WarehouseNo, value: jdWarehouseNo },
        ],
      });
    } catch (err) {
      // Someone approved the test order through the API first: that run is the order's, the refund goes to it.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.warn('The test order already has its run; the check joins it', { checkId, orderNo, workflowId: order.workflowId });
    }
    const { claimed } = await erp.approveGoLiveTestOrder(checkId, order, jdWarehouseNo);
    if (!claimed) {
      return this.recordOrder(order, { outcome: 'FAILED', detail: `test order ${orderNo} was not in review for its first push (someone else moved it); see ${`/v1/sales-orders/${orderNo}`}` });
    }
    try {
      await getExternalWorkflowHandle(order.workflowId).signal(buyerRefundSignal, {
        reason: `推单测试 go-live check ${checkId}: test order, cancel at JD`,
        actor: { role: 'system' },
        requestId: order.requestId,
        via: 'api',
      });
    } catch (err) {
      log.error('The refund of a go-live test order could not reach its run', { checkId, orderNo, workflowId: order.workflowId, error: (err as Error).message });
      return this.recordOrder(order, { outcome: 'FAILED', detail: `the run of test order ${orderNo} ended before its cancel reached it: check the order at /v1/sales-orders/${orderNo}` });
    }

    let verdict: GoLiveTestOrderVerdict;
    try {
      verdict = await this.verdicts.awaitGoLiveTestOrderVerdict({ orderNo, requestId: order.requestId });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const why = isActivityTimeout(err) ? `no cancel verdict within ${Math.round(this.input.verdictPolling.maxWaitMs / 1000)} s` : `its cancel verdict could not be read (${err.cause?.message ?? err.message})`;
      log.error('A go-live test order has no cancel verdict; it may still ship', { checkId, orderNo });
      return this.recordOrder(order, {
        outcome: 'FAILED',
        detail: `test order ${orderNo}: ${why}. Its run still holds the refund and cancels at JD as soon as JD accepts the order; watch /v1/sales-orders/${orderNo}`,
      });
    }
    const state = this.orders.find((o) => o.orderNo === orderNo);
    if (state) Object.assign(state, { verdict: verdict.verdict, eclpSoNo: verdict.eclpSoNo });
    return this.recordOrder(order, judge(verdict, checkId));
  }

  private async recordOrder(order: GoLiveTestOrder, outcome: Omit<GoLiveStepRecord, 'step' | 'subject'>): Promise<void> {
    await this.record({ step: 'test_order', subject: order.orderNo, ...outcome });
  }

  private async record(step: GoLiveStepRecord): Promise<void> {
    await erp.recordGoLiveCheckStep(this.input.checkId, step);
    this.steps.push(step);
  }

  private async finish(): Promise<GoLiveCheckResult> {
    const { checkId } = this.input;
    this.current = 'finishing';
    const failed = this.steps.filter((s) => s.outcome === 'FAILED');
    const status = failed.length === 0 ? 'PASSED' : 'FAILED';
    const summary = failed.length === 0 ? null : truncate(failed.map((s) => `${stepName(s.step, s.subject)}: ${s.detail}`).join('; '), MAX_SUMMARY);
    await erp.finishGoLiveCheck(checkId, { status, summary });
    this.status = status;
    this.current = undefined;
    publishStatus({ status, changed: true });
    if (status === 'FAILED') log.warn('The go-live check failed', { checkId, failedSteps: failed.map((s) => stepName(s.step, s.subject)) });
    return { checkId, status, steps: this.steps };
  }

  private state(): GoLiveCheckState {
    return {
      checkId: this.input.checkId,
      status: this.status,
      ...(this.current !== undefined && { current: this.current }),
      steps: [...this.steps],
      orders: this.orders.map((o) => ({ ...o })),
    };
  }
}

/** The test order's step from its cancel verdict. A cancel JD refused is the loudest failure there is. */
function judge(v: GoLiveTestOrderVerdict, checkId: string): Omit<GoLiveStepRecord, 'step' | 'subject'> {
  const jd = { ...(v.jdMessage !== null && { jdMessage: v.jdMessage }), ...(v.eclpSoNo !== null && { jdDocNo: v.eclpSoNo }) };
  switch (v.verdict) {
    case 'CANCELLED_AT_JD':
      return { outcome: 'PASSED', detail: `JD accepted test order ${v.orderNo} as ${v.eclpSoNo ?? '?'} and cancelled it${v.jdMessage ? ` (JD: ${v.jdMessage})` : ''}`, ...jd };
    case 'CANCELLED_IN_ERP': {
      const reason = v.failureReason ?? 'no reason recorded';
      const jdWords = reason.startsWith(JD_REJECTED_PREFIX) ? reason.slice(JD_REJECTED_PREFIX.length) : undefined;
      return {
        outcome: 'FAILED',
        detail: `the push of test order ${v.orderNo} failed, so nothing is at JD (the order is cancelled in the ERP): ${reason}`,
        ...(jdWords !== undefined && { jdMessage: jdWords }),
      };
    }
    case 'REFUSED_BY_JD':
      log.error('JD REFUSED TO CANCEL A GO-LIVE TEST ORDER: IT WILL SHIP', { checkId, orderNo: v.orderNo, eclpSoNo: v.eclpSoNo, jdMessage: v.jdMessage });
      return {
        outcome: 'FAILED',
        detail: `JD refused to cancel test order ${v.orderNo} (${v.eclpSoNo ?? '?'}): ${v.jdMessage ?? 'no reason given'}. THE ORDER WILL SHIP to the test consignee: ask JD's warehouse to intercept it (拦截); it is on the attention list`,
        ...jd,
      };
    case 'ALREADY_SHIPPED':
      log.error('A go-live test order shipped before its cancel', { checkId, orderNo: v.orderNo, eclpSoNo: v.eclpSoNo });
      return { outcome: 'FAILED', detail: `test order ${v.orderNo} (${v.eclpSoNo ?? '?'}) shipped before its cancel: recover the goods (create a return)`, ...jd };
    default:
      return { outcome: 'FAILED', detail: `test order ${v.orderNo} ended ${v.status} with cancel verdict ${v.verdict ?? 'none'}; the push to JD could not be judged`, ...jd };
  }
}

function stepName(step: GoLiveStep, subject: string): string {
  return subject === '' ? step : `${step} ${subject}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
