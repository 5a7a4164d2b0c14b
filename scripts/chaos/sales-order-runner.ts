// Carries sales-order plans out through the API as an ERP and an operator would — create, approve, send
// back, refund, approve again — retrying through outages, and keeps the journal the invariants compare
// with what Postgres recorded.
import { randomUUID } from 'node:crypto';
import type { SalesOrderStatus } from '../../domain/statuses';
import type { ApiAnswer, ApiClient } from '../../test/support/api-client';
import { sleep } from '../../test/support/timing';
import type { CancelRole, CancelSent, SalesOrderJournal } from './sales-order-invariants';
import { CHAOS_CARRIER } from './sales-order-master-data';
import type { SalesOrderPlan } from './sales-order-plan';
import { follow, sendRequest, surprise } from './script';

const ROUTES = {
  orders: '/v1/sales-orders',
  order: '/v1/sales-orders/{orderNo}',
  approve: '/v1/sales-orders/{orderNo}/approve',
  sendBack: '/v1/sales-orders/{orderNo}/send-back',
  refund: '/v1/sales-orders/{orderNo}/refund',
} as const;

export interface OrderView {
  status: SalesOrderStatus;
  pushRevision: number;
  cancelRequests: Array<{ requestId: string; verdict: string | null; resultingStatus: string | null }>;
}

/** Carries out the plans through the API and keeps the journal the invariants compare with Postgres. */
export class SalesOrderRunner {
  readonly journal: SalesOrderJournal = { cancels: [], surprises: [] };

  constructor(
    private readonly api: ApiClient,
    /** How long to follow a 202 until the verdict shows on the order (quota back-off and worker kills add minutes). */
    private readonly verdictWaitMs = 180_000,
  ) {}

  private surprise(plan: SalesOrderPlan, what: string, answer: ApiAnswer): void {
    this.journal.surprises.push(surprise(plan.orderNo, what, answer));
  }

  /** The order as the API shows it (the returns script follows its orders with it too). */
  async read(orderNo: string): Promise<OrderView> {
    const answer = await this.api.send('operator', 'GET', ROUTES.order, `/v1/sales-orders/${orderNo}`);
    if (answer.status !== 200) throw new Error(`GET order ${orderNo}: HTTP ${answer.status}`);
    return answer.body as OrderView;
  }

  private async create(plan: SalesOrderPlan): Promise<boolean> {
    const body = {
      orderNo: plan.orderNo,
      shopOrderNo: `TB-${plan.orderNo}`,
      warehouseCode: plan.warehouseCode,
      carrierCode: CHAOS_CARRIER,
      consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
      lines: plan.lines,
    };
    const answer = await this.api.send('erp', 'POST', ROUTES.orders, '/v1/sales-orders', body);
    // 200 = the same order was created by an earlier attempt whose answer an outage swallowed.
    if (answer.status === 201 || answer.status === 200) return true;
    this.surprise(plan, 'create', answer);
    return false;
  }

  /** Approve; true when the order is now pushing under `revision` (an exchange's replacement order is approved with it too). */
  async approve(orderNo: string, revision: number): Promise<boolean> {
    const answer = await this.api.send('erp', 'POST', ROUTES.approve, `/v1/sales-orders/${orderNo}/approve`);
    if (answer.status === 202) {
      const got = (answer.body as { pushRevision?: number }).pushRevision;
      if (got === revision) return true;
      this.journal.surprises.push(surprise(orderNo, `approve r${revision} answered revision ${got}`, answer));
      return false;
    }
    // An earlier attempt may have gone through before an outage swallowed its answer; then the order says so.
    if (answer.status === 409 && (await this.read(orderNo)).pushRevision === revision) return true;
    this.journal.surprises.push(surprise(orderNo, `approve r${revision}`, answer));
    return false;
  }

  /**
   * Send-back or refund with a request id of our own, so retries through outages are never signalled twice.
   * Whether the answer was the right one (a 409 included) is judged after the run against JD's state.
   */
  private async cancel(plan: SalesOrderPlan, kind: CancelSent['kind'], revision: number, role: CancelRole): Promise<CancelSent> {
    const request: CancelSent = { requestId: randomUUID(), orderNo: plan.orderNo, kind, revision, role, sentAt: Date.now() };
    this.journal.cancels.push(request);
    const route = kind === 'sendBack' ? ROUTES.sendBack : ROUTES.refund;
    const path = `/v1/sales-orders/${plan.orderNo}/${kind === 'sendBack' ? 'send-back' : 'refund'}`;
    const body = { reason: kind === 'sendBack' ? '客户改地址（混沌测试）' : '买家退款（混沌测试）', requestId: request.requestId };
    const answer = await sendRequest(this.api, 'operator', route, path, body, request);
    if (answer.status !== 200 && answer.status !== 409 && answer.status !== 202) this.surprise(plan, kind, answer);
    return request;
  }

  /** Follows a request until the order shows its verdict; the order as it then is. */
  private async verdictOf(plan: SalesOrderPlan, request: CancelSent): Promise<OrderView | undefined> {
    const decided = (order: OrderView) => request.answer === 200 || request.answer === 409 || order.cancelRequests.some((r) => r.requestId === request.requestId && r.verdict);
    const { value, reached } = await follow(() => this.read(plan.orderNo), decided, this.verdictWaitMs);
    return reached ? value : undefined;
  }

  /** Follows the order until it is FAILED (JD refused its push); false when it never gets there. */
  private async failed(plan: SalesOrderPlan): Promise<boolean> {
    const { value: order } = await follow(() => this.read(plan.orderNo), (o) => o.status !== 'PUSHING', this.verdictWaitMs);
    if (order.status === 'FAILED') return true;
    this.journal.surprises.push(`${plan.orderNo} pushed to a warehouse JD does not know: ${order.status}, expected FAILED`);
    return false;
  }

  async run(plan: SalesOrderPlan): Promise<void> {
    if (!(await this.create(plan))) return;
    if (plan.fate === 'never-approved') return;
    if (plan.fate === 'refund-in-review') {
      await this.cancel(plan, 'buyerRefund', 0, 'in-review');
      return;
    }
    if (!(await this.approve(plan.orderNo, 1))) return;
    if (plan.fate === 'ship') return;
    if (plan.fate === 'rejected-then-send-back') {
      if (await this.failed(plan)) await this.cancel(plan, 'sendBack', 1, 'single');
      return;
    }
    await sleep(plan.cancelAfterMs);
    if (plan.fate === 'send-back-and-refund') {
      await Promise.all([this.cancel(plan, 'sendBack', 1, 'pair'), this.cancel(plan, 'buyerRefund', 1, 'pair')]);
      return;
    }
    const request = await this.cancel(plan, plan.fate === 'send-back' ? 'sendBack' : 'buyerRefund', 1, 'single');
    if (!plan.reapprove) return;
    const order = await this.verdictOf(plan, request);
    if (order?.status !== 'REVIEW') return;
    await sleep(plan.reapprove.afterMs);
    if (!(await this.approve(plan.orderNo, order.pushRevision + 1))) return;
    if (plan.reapprove.refundAfterMs === undefined) return;
    await sleep(plan.reapprove.refundAfterMs);
    await this.cancel(plan, 'buyerRefund', order.pushRevision + 1, 'single');
  }
}
