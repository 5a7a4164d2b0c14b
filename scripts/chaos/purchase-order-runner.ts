// Carries purchase-order plans out as an ERP, an operator and JD's warehouse would: the ERP creates goods
// and POs; the operator cancels, closes, and resolves what the saga hands over (a FAILED PO, a push JD
// says it already holds); the warehouse receives by hand. Requests go through the API under ids of the
// script's own, retried through outages; the journal keeps them for the invariants.
import { randomUUID } from 'node:crypto';
import type { PurchaseOrderRequestKind } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import type { PurchaseOrder as JdPurchaseOrder } from '../../simulator/model/purchase-orders';
import type { ApiAnswer, ApiClient } from '../../test/support/api-client';
import type { SimControl } from '../../test/support/simulator';
import { sleep } from '../../test/support/timing';
import { putGoods } from './master-data';
import type { PoRequestSent, PurchaseOrderJournal } from './purchase-order-invariants';
import { CHAOS_SUPPLIER, putSupplier } from './purchase-order-master-data';
import type { PurchaseOrderPlan } from './purchase-order-plan';
import { follow, sendRequest, surprise } from './script';

const ROUTES: Record<PurchaseOrderRequestKind, string> = {
  cancel: '/v1/purchase-orders/{poNo}/cancel',
  close: '/v1/purchase-orders/{poNo}/close',
  link: '/v1/purchase-orders/{poNo}/link',
  repush: '/v1/purchase-orders/{poNo}/repush',
};

const REASONS: Record<PurchaseOrderRequestKind, string> = {
  cancel: '供应商缺货（混沌测试）',
  close: '供应商不再发货（混沌测试）',
  link: '京东后台已查到（混沌测试）',
  repush: '京东已取消该单，确认无有效采购单（混沌测试）',
};

interface PoView {
  poNo: string;
  status: PurchaseOrderStatus;
  pushRevision: number;
  poOrderNo: string | null;
  spPoOrderNo: string | null;
  failureStage: string | null;
  failureReason: string | null;
  requests: Array<{ requestId: string; verdict: string | null }>;
}

/** Where JD holds the PO: the warehouse receives, an operator may cancel or close. */
const AT_JD: ReadonlySet<PurchaseOrderStatus> = new Set(['WAITING_INBOUND', 'PARTIALLY_RECEIVED']);
/** The saga hands the PO to an operator. */
const NEEDS_OPERATOR: ReadonlySet<PurchaseOrderStatus> = new Set(['PUSH_UNCONFIRMED', 'FAILED']);

/** Carries out the plans and keeps the journal the invariants compare with Postgres and JD. */
export class PurchaseOrderRunner {
  readonly journal: PurchaseOrderJournal = { requests: [], surprises: [] };
  /** What the operator did about PUSH_UNCONFIRMED and FAILED POs, for the report. */
  readonly operator = { linked: 0, repushedAfterJdCancel: 0, linkedAsJdHadGoods: 0, supplierMapped: 0, cancelledFailed: 0 };
  private unconfirmedSeen = 0;

  constructor(
    private readonly api: ApiClient,
    /** JD's side: the warehouse's hand moves, and the operator's look into JD's backend. */
    private readonly jd: SimControl,
    /** How long to follow a PO until it gets somewhere (quota back-off and worker kills add minutes). */
    private readonly waitMs = 180_000,
    private readonly pollMs = 1_500,
  ) {}

  private surprise(plan: PurchaseOrderPlan, what: string, answer: ApiAnswer): void {
    this.journal.surprises.push(surprise(plan.poNo, what, answer));
  }

  private async read(poNo: string): Promise<PoView> {
    const answer = await this.api.send('operator', 'GET', '/v1/purchase-orders/{poNo}', `/v1/purchase-orders/${poNo}`);
    if (answer.status !== 200) throw new Error(`GET purchase order ${poNo}: HTTP ${answer.status}`);
    return answer.body as PoView;
  }

  private async create(plan: PurchaseOrderPlan): Promise<boolean> {
    for (const goods of plan.newGoods) await putGoods(this.api, goods.sku, goods.barcode);
    const body = { poNo: plan.poNo, supplierCode: plan.supplierCode, warehouseCode: plan.warehouseCode, lines: plan.lines, remark: `混沌测试 ${plan.fate}` };
    const answer = await this.api.send('erp', 'POST', '/v1/purchase-orders', '/v1/purchase-orders', body);
    // 202: pushing; 201: stored NOT_PUSHED; 200: created by an earlier attempt whose answer an outage swallowed.
    const expected = plan.fate === 'not-pushed' ? 201 : 202;
    if (answer.status === expected || answer.status === 200) return true;
    this.surprise(plan, 'create', answer);
    return false;
  }

  /** A request under an id of our own; its verdict is judged after the run against where the PO ended. */
  private async request(plan: PurchaseOrderPlan, kind: PurchaseOrderRequestKind, poOrderNo?: string): Promise<PoRequestSent> {
    const request: PoRequestSent = { requestId: randomUUID(), poNo: plan.poNo, kind, sentAt: Date.now(), ...(poOrderNo !== undefined && { poOrderNo }) };
    this.journal.requests.push(request);
    const body = {
      reason: REASONS[kind],
      requestId: request.requestId,
      ...(kind === 'link' && { poOrderNo }),
      ...(kind === 'repush' && { confirmNoJdOrder: true }),
    };
    const answer = await sendRequest(this.api, 'operator', ROUTES[kind], `/v1/purchase-orders/${plan.poNo}/${kind}`, body, request);
    if (answer.status !== 200 && answer.status !== 202 && answer.status !== 409) this.surprise(plan, kind, answer);
    return request;
  }

  /** Follows a request until the PO shows its verdict; the PO as it then is. */
  private async decided(plan: PurchaseOrderPlan, request: PoRequestSent): Promise<PoView> {
    const done = (po: PoView) => request.answer !== 202 || po.requests.some((r) => r.requestId === request.requestId && r.verdict);
    const { value, reached } = await follow(() => this.read(plan.poNo), done, this.waitMs, this.pollMs);
    if (!reached) this.journal.surprises.push(`${plan.poNo} ${request.kind} ${request.requestId.slice(0, 8)}: no verdict within ${this.waitMs / 1000} s`);
    return value;
  }

  /**
   * Follows the PO through its push until JD holds it or it ended, resolving what the saga hands to an
   * operator on the way. The PO as it then is.
   */
  private async operate(plan: PurchaseOrderPlan): Promise<PoView> {
    for (let handed = 0; ; handed += 1) {
      const { value: po } = await follow(() => this.read(plan.poNo), (p) => p.status !== 'PUSHING', this.waitMs, this.pollMs);
      // Still pushing after minutes, or an operator loop that does not end: the settle invariant reports the PO.
      if (!NEEDS_OPERATOR.has(po.status) || handed >= 5) return po;
      if (po.status === 'PUSH_UNCONFIRMED') await this.resolveUnconfirmed(plan, po);
      else await this.resolveFailed(plan, po);
    }
  }

  /**
   * JD said it already holds our number (the answer to an earlier push was lost). The operator looks it up in
   * JD's backend and links it — or, every second time, has JD cancel it and pushes again, which is only
   * right while nothing has arrived on it: JD's warehouse cancel goes through 90 (cancelling, nothing more
   * is received), and a PO that has goods by then is kept (92) and linked instead.
   */
  private async resolveUnconfirmed(plan: PurchaseOrderPlan, po: PoView): Promise<void> {
    this.unconfirmedSeen += 1;
    const state = await this.jd.state();
    const atJd = state.purchaseOrders.find((p) => p.spPoOrderNo === po.spPoOrderNo);
    if (!atJd) {
      await this.decided(plan, await this.request(plan, 'repush'));
      return;
    }
    if (this.unconfirmedSeen % 2 === 0 && (await this.jdCancelled(atJd))) {
      this.operator.repushedAfterJdCancel += 1;
      await this.decided(plan, await this.request(plan, 'repush'));
      return;
    }
    this.operator.linked += 1;
    await this.decided(plan, await this.request(plan, 'link', atJd.poOrderNo));
  }

  /** Has JD cancel its PO; false (and the PO left open) when goods have arrived on it or JD cannot cancel it any more. */
  private async jdCancelled(po: JdPurchaseOrder): Promise<boolean> {
    const move = (outcome: string) => this.jd.control<JdPurchaseOrder>('POST', `purchase-orders/${po.poOrderNo}/cancel`, { outcome });
    try {
      const cancelling = await move('cancelling');
      if (cancelling.lines.every((l) => l.realInstoreQty + (l.damagedQty ?? 0) === 0)) {
        await move('cancelled');
        return true;
      }
      await move('cancel-failed');
    } catch {
      // Completed or cancelled at JD already: nothing to cancel.
    }
    this.operator.linkedAsJdHadGoods += 1;
    return false;
  }

  /** The operator fixes what the pre-flight named (the supplier mapping) and pushes again; any other failure is cancelled. */
  private async resolveFailed(plan: PurchaseOrderPlan, po: PoView): Promise<void> {
    if (plan.fate === 'supplier-unmapped' && po.failureStage === 'preflight') {
      await putSupplier(this.api, plan.supplierCode, { name: `供应商 ${plan.supplierCode}`, jdSupplierNo: CHAOS_SUPPLIER.jdSupplierNo });
      this.operator.supplierMapped += 1;
      await this.decided(plan, await this.request(plan, 'repush'));
      return;
    }
    if (!(plan.fate === 'jd-rejects' && po.failureStage === 'push_rejected')) {
      this.journal.surprises.push(`${plan.poNo} FAILED (${po.failureStage}) although its plan (${plan.fate}) did not call for it: ${po.failureReason}`);
    }
    this.operator.cancelledFailed += 1;
    await this.decided(plan, await this.request(plan, 'cancel'));
  }

  /** A cancel at a random moment; one refused while JD's answer is unconfirmed is sent again once the operator resolved it. */
  private async cancel(plan: PurchaseOrderPlan, pushed: Promise<PoView>): Promise<void> {
    await sleep(plan.cancelAfterMs);
    for (let attempt = 1; ; attempt += 1) {
      const request = await this.request(plan, 'cancel');
      if (request.answer === 409 && request.reason === 'push-unconfirmed' && attempt < 3) {
        await pushed;
        continue;
      }
      await this.decided(plan, request);
      return;
    }
  }

  /** The operator closes the PO once it shows partly received; nothing to close when it arrived in full first. */
  private async close(plan: PurchaseOrderPlan, pushed: Promise<PoView>): Promise<void> {
    if (!AT_JD.has((await pushed).status)) return;
    const { value: po } = await follow(() => this.read(plan.poNo), (p) => p.status !== 'WAITING_INBOUND', this.waitMs, this.pollMs);
    if (po.status !== 'PARTIALLY_RECEIVED') return;
    await sleep(plan.closeAfterMs);
    await this.decided(plan, await this.request(plan, 'close'));
  }

  /**
   * The warehouse receives by hand: the first line two units over its ordered quantity, every other line
   * with one defective unit and one still to come; then whatever is outstanding, completing the PO. A PO
   * the timeline completed first takes nothing more (JD refuses the move).
   */
  private async receiveByHand(plan: PurchaseOrderPlan, pushed: Promise<PoView>): Promise<void> {
    const po = await pushed;
    if (!AT_JD.has(po.status) || !po.poOrderNo) return;
    await sleep(plan.handAfterMs);
    const path = `purchase-orders/${po.poOrderNo}/receive`;
    try {
      const atJd = await this.jd.control<JdPurchaseOrder>('GET', `purchase-orders/${po.poOrderNo}`);
      const lines = atJd.lines.map((line, i) =>
        i === 0 ? { goodsNo: line.goodsNo, quantity: line.numApplication + 2 } : { goodsNo: line.goodsNo, quantity: line.numApplication - 2, defectiveQty: 1 },
      );
      await this.jd.control('POST', path, { lines, complete: false });
      await sleep(2_000);
      await this.jd.control('POST', path, { complete: true });
    } catch {
      // The timeline completed the PO before the warehouse's hand did: nothing more arrives.
    }
  }

  async run(plan: PurchaseOrderPlan): Promise<void> {
    if (!(await this.create(plan))) return;
    if (plan.fate === 'not-pushed') {
      await this.request(plan, 'cancel');
      return;
    }
    const pushed = this.operate(plan);
    // Awaited below; a failure must not count as unhandled while a fate's script is still sleeping.
    pushed.catch(() => undefined);
    switch (plan.fate) {
      case 'cancel-early':
      case 'cancel-late':
        await this.cancel(plan, pushed);
        break;
      case 'close':
        await this.close(plan, pushed);
        break;
      case 'receive-by-hand':
        await this.receiveByHand(plan, pushed);
        break;
      default:
        break;
    }
    await pushed;
  }
}
