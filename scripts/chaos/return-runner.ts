// Carries return plans out as an ERP, an operator and JD's warehouse would: the ERP ships a sales order
// (through the sales-order runner) and creates the return or exchange against it, approving an exchange's
// replacement order; the operator cancels; the warehouse receives (in full, short, defective, after a
// report to the merchant) or rejects the parcel by hand. Requests go through the API under ids of the
// script's own, retried through outages; the journal keeps them for the invariants.
import { randomUUID } from 'node:crypto';
import type { ReturnStatus } from '../../domain/statuses';
import type { ReturnOrder as JdReturn } from '../../simulator/model/returns';
import type { ApiClient } from '../../test/support/api-client';
import type { SimControl, SimFault } from '../../test/support/simulator';
import { sleep } from '../../test/support/timing';
import { TRANSPORT_RTW } from './jd-wire';
import type { ReturnCreateSent, ReturnJournal, ReturnRequestSent, WarehouseMoves } from './return-invariants';
import { reportedQuantity, type ReturnDocumentPlan, type ReturnFate, type ReturnPlan } from './return-plan';
import { SalesOrderRunner } from './sales-order-runner';
import { follow, sendRequest, surprise } from './script';

const ROUTES = {
  returns: '/v1/returns',
  ret: '/v1/returns/{returnNo}',
  cancel: '/v1/returns/{returnNo}/cancel',
} as const;

const DEFECTIVE = '200';

interface ReturnView {
  returnNo: string;
  status: ReturnStatus;
  eclpRtwNo: string | null;
  replacementOrderNo: string | null;
  requests: Array<{ requestId: string; verdict: string | null }>;
}

/** What the warehouse does with a parcel it has. */
type HandMove = 'full' | 'short' | 'reported' | 'reject';

const REASONS: Partial<Record<ReturnFate, string>> = {
  'exchange-ships': '尺码不合适，换货（混沌测试）',
  'exchange-rejected': '颜色不符，换货（混沌测试）',
  'exchange-cancelled': '换货后客户撤销（混沌测试）',
  'exchange-shipped-rejected': '换货，退回商品与申请不符（混沌测试）',
};

/** Carries out the plans and keeps the journal the invariants compare with Postgres and JD. */
export class ReturnRunner {
  readonly journal: ReturnJournal = { creates: [], requests: [], surprises: [] };
  /** What the warehouse did by hand, for the report. */
  readonly warehouse: WarehouseMoves = { received: 0, receivedShort: 0, reported: 0, rejected: 0, refused: 0 };
  /** Ships the returns' own sales orders and approves replacement orders, as the sales-order script does. */
  private readonly orders: SalesOrderRunner;

  constructor(
    private readonly api: ApiClient,
    /** JD's side: the warehouse's hand moves. */
    private readonly jd: SimControl,
    /** How long to follow a document until it gets somewhere (quota back-off and worker kills add minutes). */
    private readonly waitMs = 240_000,
    private readonly pollMs = 1_500,
  ) {
    this.orders = new SalesOrderRunner(api, waitMs);
  }

  /** Answers outside the contract, of the returns and of the sales orders shipped for them. */
  surprises(): string[] {
    return [...this.journal.surprises, ...this.orders.journal.surprises];
  }

  private async read(returnNo: string): Promise<ReturnView> {
    const answer = await this.api.send('operator', 'GET', ROUTES.ret, `/v1/returns/${returnNo}`);
    if (answer.status !== 200) throw new Error(`GET return ${returnNo}: HTTP ${answer.status}`);
    return answer.body as ReturnView;
  }

  /** The plan's sales order through the sales-order saga to SHIPPED; false (and written down) when it gets elsewhere. */
  private async shipOrder(plan: ReturnPlan): Promise<boolean> {
    await this.orders.run({ orderNo: plan.orderNo, startMs: plan.startMs, warehouseCode: plan.orderWarehouseCode, lines: plan.orderLines, fate: 'ship', cancelAfterMs: 0 });
    return this.shipped(plan.orderNo, `the sales order of ${plan.returnNo}`);
  }

  /** Follows a sales order until it ended; true when it shipped. */
  private async shipped(orderNo: string, what: string): Promise<boolean> {
    const ended = new Set(['SHIPPED', 'CANCELLED', 'FAILED']);
    const { value, reached } = await follow(() => this.orders.read(orderNo), (o) => ended.has(o.status), this.waitMs, this.pollMs);
    if (value.status === 'SHIPPED') return true;
    this.journal.surprises.push(`${orderNo} (${what}) is ${value.status}${reached ? '' : ` after ${this.waitMs / 1000} s`}, not SHIPPED`);
    return false;
  }

  /** POST /v1/returns; true when the return stands (202, or 200 for a repeat after an outage swallowed the answer). */
  private async create(plan: ReturnPlan, doc: ReturnDocumentPlan, overclaiming = false): Promise<boolean> {
    const sent: ReturnCreateSent = { returnNo: doc.returnNo, orderNo: plan.orderNo, ...(overclaiming && { overclaiming }) };
    this.journal.creates.push(sent);
    const body = {
      returnNo: doc.returnNo,
      orderNo: plan.orderNo,
      type: plan.type,
      warehouseCode: plan.warehouseCode,
      reason: REASONS[plan.fate] ?? `不想要了（混沌测试 ${plan.fate}）`,
      lines: doc.lines,
      ...(plan.replacementLines && { replacementLines: plan.replacementLines }),
    };
    const answer = await this.api.send('erp', 'POST', ROUTES.returns, '/v1/returns', body);
    sent.answer = answer.status;
    if (answer.status === 202 || answer.status === 200) return true;
    if (answer.status === 422) sent.fields = ((answer.body as { errors?: Array<{ field: string }> }).errors ?? []).map((e) => e.field);
    // An over-claiming group expects one 422; whether it got exactly one is judged after the run.
    if (!(overclaiming && answer.status === 422)) this.journal.surprises.push(surprise(doc.returnNo, 'create', answer));
    return false;
  }

  /** Follows the return through its push; the return as it then is. */
  private async pushed(returnNo: string): Promise<ReturnView> {
    return (await follow(() => this.read(returnNo), (r) => r.status !== 'PUSHING', this.waitMs, this.pollMs)).value;
  }

  /** JD holds the return, as its plan says it must; otherwise written down and left alone. */
  private async atJd(plan: ReturnPlan, returnNo: string): Promise<ReturnView | undefined> {
    const view = await this.pushed(returnNo);
    if (view.status === 'WAITING_INBOUND' && view.eclpRtwNo) return view;
    this.journal.surprises.push(`${returnNo} is ${view.status}, not at JD, although its plan (${plan.fate}) did not call for it`);
    return undefined;
  }

  /**
   * The warehouse's hand on the parcel: receives everything; one unit short on the first line and the
   * others defective; after reporting it to the merchant (700) ¾ of each line; or rejects it. A move JD
   * refuses (the return moved on at JD) is counted, not retried.
   */
  private async hand(plan: ReturnPlan, view: ReturnView, move: HandMove): Promise<void> {
    const path = `returns/${view.eclpRtwNo}`;
    try {
      if (move === 'reject') {
        await this.jd.control('POST', `${path}/reject`, { reason: plan.overdue ? '超过售后时效，拒收（混沌测试）' : '退回商品与申请不符，拒收（混沌测试）', overdue: plan.overdue });
        this.warehouse.rejected += 1;
        return;
      }
      if (move === 'full') {
        await this.jd.control('POST', `${path}/receive`, {});
        this.warehouse.received += 1;
        return;
      }
      const atJd = await this.jd.control<JdReturn>('GET', path);
      if (move === 'reported') {
        await this.jd.control('POST', `${path}/report`, {});
        this.warehouse.reported += 1;
      }
      const lines = atJd.lines.map((line, i) =>
        move === 'reported'
          ? { goodsNo: line.goodsNo, quantity: reportedQuantity(line.planQty) }
          : i === 0
            ? { goodsNo: line.goodsNo, quantity: line.planQty - 1, ...(atJd.lines.length === 1 && { goodsLevel: DEFECTIVE }) }
            : { goodsNo: line.goodsNo, quantity: line.planQty, goodsLevel: DEFECTIVE },
      );
      await this.jd.control('POST', `${path}/receive`, { lines });
      this.warehouse.received += 1;
      this.warehouse.receivedShort += 1;
    } catch {
      // Cancelled, received or rejected at JD already.
      this.warehouse.refused += 1;
    }
  }

  /** The warehouse moves once the return is at JD, after the plan's pause. */
  private async handWhenAtJd(plan: ReturnPlan, returnNo: string, move: HandMove): Promise<void> {
    const view = await this.atJd(plan, returnNo);
    if (!view) return;
    await sleep(plan.handAfterMs);
    await this.hand(plan, view, move);
  }

  /**
   * Until JD has lost the transportRtw answers the run asked for (or a minute has passed): a push JD
   * refuses stores nothing, so a lost answer spent on it would prove nothing about the lookup.
   */
  private async lostAnswersSpent(): Promise<void> {
    const pending = async () => (await this.jd.control<Array<SimFault & { method?: string; next?: number }>>('GET', 'faults')).some((f) => f.method === TRANSPORT_RTW && f.next !== undefined);
    await follow(pending, (waiting) => !waiting, 60_000, this.pollMs);
  }

  /** The operator's cancel under an id of our own, followed until its verdict shows; the verdict, or `409 <reason>`. */
  private async cancel(returnNo: string): Promise<string | undefined> {
    const request: ReturnRequestSent = { requestId: randomUUID(), returnNo, kind: 'cancel', sentAt: Date.now() };
    this.journal.requests.push(request);
    const body = { reason: '客户撤销售后申请（混沌测试）', requestId: request.requestId };
    const answer = await sendRequest(this.api, 'operator', ROUTES.cancel, `/v1/returns/${returnNo}/cancel`, body, request);
    if (answer.status === 409) return `409 ${request.reason}`;
    if (answer.status !== 200 && answer.status !== 202) {
      this.journal.surprises.push(surprise(returnNo, 'cancel', answer));
      return undefined;
    }
    const verdictOf = (r: ReturnView) => r.requests.find((q) => q.requestId === request.requestId)?.verdict ?? undefined;
    const { value, reached } = await follow(() => this.read(returnNo), (r) => verdictOf(r) !== undefined, this.waitMs, this.pollMs);
    if (!reached) this.journal.surprises.push(`${returnNo} cancel ${request.requestId.slice(0, 8)}: no verdict within ${this.waitMs / 1000} s`);
    return verdictOf(value);
  }

  /** A cancel; one JD refused leaves the return at the warehouse, which then receives it. */
  private async cancelThenEnd(plan: ReturnPlan, returnNo: string): Promise<void> {
    if ((await this.cancel(returnNo)) !== 'REFUSED_BY_JD') return;
    const view = await this.read(returnNo);
    if (view.status === 'WAITING_INBOUND' && view.eclpRtwNo) await this.hand(plan, view, 'full');
  }

  /**
   * Two returns that share the order's quantities and a third asking one unit more, all at once: one is
   * refused. The warehouse receives the first that stands in full, the other after a report, ¾ of it.
   */
  private async partial(plan: ReturnPlan): Promise<void> {
    const standing = await Promise.all(plan.returns.map((doc) => this.create(plan, doc, true)));
    const created = plan.returns.filter((_, i) => standing[i]);
    await Promise.all(created.map((doc, i) => this.handWhenAtJd(plan, doc.returnNo, i === 0 ? 'full' : 'reported')));
  }

  async run(plan: ReturnPlan): Promise<void> {
    if (!(await this.shipOrder(plan))) return;
    if (plan.fate === 'partial') return this.partial(plan);
    const { returnNo } = plan.returns[0]!;
    if (plan.fate === 'jd-refuses') await this.lostAnswersSpent();
    if (!(await this.create(plan, plan.returns[0]!))) return;
    const replacement = (await this.read(returnNo)).replacementOrderNo;
    if (plan.type === 'EXCHANGE' && !replacement) {
      this.journal.surprises.push(`${returnNo} is an exchange without a replacement order`);
      return;
    }
    switch (plan.fate) {
      case 'full':
      case 'short':
      case 'reported':
      case 'reject':
        return this.handWhenAtJd(plan, returnNo, plan.fate);
      case 'cancel':
        await sleep(plan.cancelAfterMs);
        return this.cancelThenEnd(plan, returnNo);
      case 'cancel-after-receipt': {
        await this.handWhenAtJd(plan, returnNo, 'full');
        const { reached } = await follow(() => this.read(returnNo), (r) => r.status === 'RECEIVED', this.waitMs, this.pollMs);
        if (reached) await this.cancel(returnNo);
        return;
      }
      case 'jd-refuses': {
        const view = await this.pushed(returnNo);
        if (view.status === 'FAILED') return this.cancelThenEnd(plan, returnNo);
        return void this.journal.surprises.push(`${returnNo} to a warehouse JD does not know is ${view.status}, expected FAILED`);
      }
      case 'exchange-rejected':
        return this.handWhenAtJd(plan, returnNo, 'reject');
      case 'exchange-ships':
      case 'exchange-shipped-rejected':
        // The customer should not wait for the parcel: the replacement goes out at once, the warehouse acts once it shipped.
        if (await this.orders.approve(replacement!, 1)) await this.shipped(replacement!, `the replacement of ${returnNo}`);
        return this.handWhenAtJd(plan, returnNo, plan.fate === 'exchange-ships' ? 'full' : 'reject');
      case 'exchange-cancelled':
        await this.orders.approve(replacement!, 1);
        await sleep(plan.cancelAfterMs);
        return this.cancelThenEnd(plan, returnNo);
    }
  }
}
