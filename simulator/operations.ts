// What happens to documents after JD accepted them: the warehouse's moves (pick, ship, receive, …) with
// their side effects on stock and serials, and the timeline that triggers those moves on its own. The
// JD API handlers, the timeline and the /_sim/ control all move documents through here, so a move has the
// same effect whoever asks for it.
import { formatBusinessDate } from '../eclp/protocol';
import { MoveRefused, UnknownDocument } from './errors';
import { NumberFormat } from './ids';
import type { SimulatorLogger } from './logger';
import * as po from './model/purchase-orders';
import * as rtw from './model/returns';
import * as so from './model/sales-orders';
import type { SimulatorState } from './state';
import { applyTimeline, arrivingQuantity, StageScheduler, type Timeline, type TimelinePatch } from './timeline';

type SalesStage = 'pick' | 'pack' | 'ship' | 'deliver';

/** The stage that follows a sales-order status, if the warehouse still has something to do. */
function nextSalesStage(status: string): SalesStage | undefined {
  if (status === so.SoStatus.PICKED) return 'pack';
  if (status === so.SoStatus.PACKED) return 'ship';
  if (status === so.SoStatus.SHIPPED) return 'deliver';
  if (so.CANCELLABLE_STATUSES.has(status) && status !== so.SoStatus.CANCELLED) return 'pick';
  return undefined;
}

const stageDelay: Record<SalesStage, (t: Timeline) => number | null> = {
  pick: (t) => t.salesOrder.pickAfterMs,
  pack: (t) => t.salesOrder.packAfterMs,
  ship: (t) => t.salesOrder.shipAfterMs,
  deliver: (t) => t.salesOrder.deliverAfterMs,
};

export class Operations {
  private readonly scheduler = new StageScheduler();

  constructor(
    readonly state: SimulatorState,
    private readonly logger: SimulatorLogger,
  ) {}

  /** Business timestamps as JD writes them: `yyyy-MM-dd HH:mm:ss`, Beijing time. */
  stamp(): string {
    return formatBusinessDate(new Date());
  }

  // ── sales orders ─────────────────────────────────────────────────────────────────────────────────

  acceptSalesOrder(order: so.SalesOrder): void {
    so.startHistory(order, order.createTime);
    this.state.salesOrders.add(order);
    this.planSalesOrder(order);
  }

  requireSalesOrder(eclpSoNo: string): so.SalesOrder {
    const order = this.state.salesOrders.find(eclpSoNo);
    if (!order) throw new UnknownDocument('sales order', eclpSoNo);
    return order;
  }

  pickSalesOrder(eclpSoNo: string): so.SalesOrder {
    return this.moveSalesOrder(eclpSoNo, (order) => so.pick(order, this.stamp()));
  }

  packSalesOrder(eclpSoNo: string): so.SalesOrder {
    return this.moveSalesOrder(eclpSoNo, (order) => so.pack(order, this.stamp()));
  }

  /**
   * Ships and takes what left out of stock. JD assigns a waybill unless the caller names one ("a,b" for
   * several parcels); `lines` ships less than ordered of the lines it names (a short shipment).
   */
  shipSalesOrder(eclpSoNo: string, wayBill?: string, lines?: readonly so.ShippedLine[]): so.SalesOrder {
    return this.moveSalesOrder(eclpSoNo, (order) => {
      const at = this.stamp();
      so.ship(order, wayBill ?? this.state.numbers.next(...NumberFormat.wayBill), at, lines);
      for (const line of order.lines) {
        const quantity = line.realOutQty ?? line.quantity;
        if (quantity === 0) continue;
        this.state.stock.move({ at, warehouseNo: order.warehouseNo, goodsNo: line.goodsNo, quantity: -quantity, reason: 'SHIPMENT', billNo: order.eclpSoNo });
      }
      so.shipSerials(order, this.state.serials, at);
    });
  }

  deliverSalesOrder(eclpSoNo: string): so.SalesOrder {
    return this.moveSalesOrder(eclpSoNo, (order) => so.deliver(order, this.stamp()));
  }

  cancelSalesOrderByMerchant(eclpSoNo: string): so.JdCancelResult {
    const order = this.requireSalesOrder(eclpSoNo);
    const outcome = so.cancelByMerchant(order, this.stamp());
    this.planSalesOrder(order);
    return outcome;
  }

  cancelSalesOrderByWarehouse(eclpSoNo: string, reason: string): so.SalesOrder {
    return this.moveSalesOrder(eclpSoNo, (order) => so.cancelByWarehouse(order, reason, this.stamp()));
  }

  private moveSalesOrder(eclpSoNo: string, move: (order: so.SalesOrder) => void): so.SalesOrder {
    const order = this.requireSalesOrder(eclpSoNo);
    move(order);
    this.planSalesOrder(order);
    return order;
  }

  private planSalesOrder(order: so.SalesOrder): void {
    const stage = nextSalesStage(so.currentStatus(order));
    if (!stage) return this.scheduler.cancel(order.eclpSoNo);
    const moves: Record<SalesStage, () => void> = {
      pick: () => this.pickSalesOrder(order.eclpSoNo),
      pack: () => this.packSalesOrder(order.eclpSoNo),
      ship: () => this.shipSalesOrder(order.eclpSoNo),
      deliver: () => this.deliverSalesOrder(order.eclpSoNo),
    };
    this.scheduler.plan(order.eclpSoNo, order.acceptedAt, stageDelay[stage](this.state.timeline), () =>
      this.runStage(order.eclpSoNo, stage, moves[stage]),
    );
  }

  // ── purchase orders ──────────────────────────────────────────────────────────────────────────────

  /** A new PO (status 10) goes to 20 at once unless the timeline keeps it in 10 for a while. */
  acceptPurchaseOrder(order: po.PurchaseOrder): void {
    if (this.state.timeline.purchaseOrder.initialiseAfterMs === 0) po.initialise(order, order.createTime);
    this.state.purchaseOrders.add(order);
    this.planPurchaseOrder(order);
  }

  requirePurchaseOrder(poOrderNo: string): po.PurchaseOrder {
    const order = this.state.purchaseOrders.find(poOrderNo);
    if (!order) throw new UnknownDocument('purchase order', poOrderNo);
    return order;
  }

  initialisePurchaseOrder(poOrderNo: string): po.PurchaseOrder {
    const order = this.requirePurchaseOrder(poOrderNo);
    po.initialise(order, this.stamp());
    this.planPurchaseOrder(order);
    return order;
  }

  /** Books a receipt: stock rises and the PO's uploaded serials of those goods come into stock. */
  receivePurchaseOrder(poOrderNo: string, lines: po.ReceivedQuantity[] | undefined, complete: boolean): po.PurchaseOrder {
    const order = this.requirePurchaseOrder(poOrderNo);
    const at = this.stamp();
    const added = po.receive(order, lines, complete, at);
    for (const { goodsNo, quantity } of added) {
      this.state.stock.move({ at, warehouseNo: order.whNo, goodsNo, quantity, reason: 'PO_RECEIPT', billNo: order.poOrderNo });
      const isvGoodsNo = this.state.goods.find(goodsNo)?.isvGoodsNo ?? '';
      this.state.serials.receiveOnPurchaseOrder(order.poOrderNo, goodsNo, isvGoodsNo, quantity, order.whNo, at);
    }
    this.planPurchaseOrder(order);
    return order;
  }

  /**
   * The timeline's next receipt batch (`receiptBatches`, `shortRatio`); the last one completes the PO. A
   * batch with nothing due (small quantities, or received by hand meanwhile) changes nothing but the count.
   */
  private receivePurchaseOrderBatch(poOrderNo: string): void {
    const order = this.requirePurchaseOrder(poOrderNo);
    if (!po.isReceiving(order)) throw new MoveRefused(`purchase order ${poOrderNo} is not receiving (status ${order.status})`);
    const { receiptBatches, shortRatio } = this.state.timeline.purchaseOrder;
    const batch = (order.timelineBatches ?? 0) + 1;
    const last = batch >= receiptBatches;
    const lines = po.timelineReceipt(order, batch, receiptBatches, shortRatio);
    order.timelineBatches = batch;
    if (last || lines.length > 0) this.receivePurchaseOrder(poOrderNo, lines, last);
    else this.planPurchaseOrder(order);
  }

  cancelPurchaseOrder(poOrderNo: string): po.PoCancelResult {
    const order = this.requirePurchaseOrder(poOrderNo);
    const outcome = po.cancel(order, this.stamp());
    this.planPurchaseOrder(order);
    return outcome;
  }

  /** The warehouse's own cancel: 90 cancelling, then 91 cancelled or 92 cancel failed (receipts go on). */
  cancelPurchaseOrderByWarehouse(poOrderNo: string, outcome: po.WarehouseCancelOutcome): po.PurchaseOrder {
    const order = this.requirePurchaseOrder(poOrderNo);
    po.cancelByWarehouse(order, outcome, this.stamp());
    this.planPurchaseOrder(order);
    return order;
  }

  /** po.closePo: ends an open PO with what arrived so far; its timeline stops. */
  closePurchaseOrder(poOrderNo: string): po.PoCloseOutcome {
    const order = this.requirePurchaseOrder(poOrderNo);
    const outcome = po.close(order, this.stamp());
    this.planPurchaseOrder(order);
    return outcome;
  }

  /** 10 waits for `initialiseAfterMs`; 20 and 92 for the next receipt batch; any other status for nothing. */
  private planPurchaseOrder(order: po.PurchaseOrder): void {
    const timeline = this.state.timeline.purchaseOrder;
    const { poOrderNo } = order;
    if (order.status === po.PoStatus.NEW) {
      return this.scheduler.plan(poOrderNo, order.acceptedAt, timeline.initialiseAfterMs, () =>
        this.runStage(poOrderNo, 'initialise', () => this.initialisePurchaseOrder(poOrderNo)),
      );
    }
    if (!po.isReceiving(order)) return this.scheduler.cancel(poOrderNo);
    const { receiveAfterMs, receiptIntervalMs } = timeline;
    const due = receiveAfterMs === null ? null : receiveAfterMs + (order.timelineBatches ?? 0) * receiptIntervalMs;
    this.scheduler.plan(poOrderNo, order.acceptedAt, due, () => this.runStage(poOrderNo, 'receive', () => this.receivePurchaseOrderBatch(poOrderNo)));
  }

  // ── returns ──────────────────────────────────────────────────────────────────────────────────────

  /** A new return (status 0) goes to 100 at once unless the timeline keeps it in 0 for a while. */
  acceptReturn(order: rtw.ReturnOrder): void {
    if (this.state.timeline.returnOrder.initialiseAfterMs === 0) rtw.initialise(order, order.createTime);
    this.state.returns.add(order);
    this.planReturn(order);
  }

  requireReturn(eclpRtwNo: string): rtw.ReturnOrder {
    const order = this.state.returns.find(eclpRtwNo);
    if (!order) throw new UnknownDocument('return', eclpRtwNo);
    return order;
  }

  initialiseReturn(eclpRtwNo: string): rtw.ReturnOrder {
    return this.moveReturn(eclpRtwNo, (order) => rtw.initialise(order, this.stamp()));
  }

  /** Completes the return (200); what came back at a good level (100–199) goes into stock. */
  receiveReturn(eclpRtwNo: string, lines?: rtw.ReturnedQuantity[]): rtw.ReturnOrder {
    return this.moveReturn(eclpRtwNo, (order) => {
      const at = this.stamp();
      const returned = rtw.receive(order, lines, at);
      for (const { goodsNo, quantity, goodsLevel } of returned) {
        // Like a PO's defective units, defective returns are not sellable stock (the only kind modelled).
        if (!rtw.isGoodLevel(goodsLevel)) continue;
        this.state.stock.move({ at, warehouseNo: order.warehouseNo, goodsNo, quantity, reason: 'RETURN_RECEIPT', billNo: order.eclpRtwNo });
      }
      rtw.returnSerials(order, returned, this.state.serials, at);
    });
  }

  rejectReturn(eclpRtwNo: string, reason: string, overdue = false): rtw.ReturnOrder {
    return this.moveReturn(eclpRtwNo, (order) => rtw.reject(order, reason, overdue, this.stamp()));
  }

  reportReturnToMerchant(eclpRtwNo: string): rtw.ReturnOrder {
    return this.moveReturn(eclpRtwNo, (order) => rtw.reportToMerchant(order, this.stamp()));
  }

  cancelReturnByWarehouse(eclpRtwNo: string, outcome: rtw.WarehouseCancelOutcome, reason: string): rtw.ReturnOrder {
    return this.moveReturn(eclpRtwNo, (order) => rtw.cancelByWarehouse(order, outcome, reason, this.stamp()));
  }

  /** cancelRtwOrder: the merchant's cancel; a refusal leaves the return (and its timeline) as it was. */
  cancelReturnByMerchant(eclpRtwNo: string, reason: string | undefined): rtw.RtwCancelResult {
    const order = this.requireReturn(eclpRtwNo);
    const outcome = rtw.cancelByMerchant(order, reason, this.stamp());
    this.planReturn(order);
    return outcome;
  }

  private moveReturn(eclpRtwNo: string, move: (order: rtw.ReturnOrder) => void): rtw.ReturnOrder {
    const order = this.requireReturn(eclpRtwNo);
    move(order);
    this.planReturn(order);
    return order;
  }

  /** 0 waits for `initialiseAfterMs`; 100 and 700 for the receipt (`receiveAfterMs`, `shortRatio`); any other status for nothing. */
  private planReturn(order: rtw.ReturnOrder): void {
    const timeline = this.state.timeline.returnOrder;
    const { eclpRtwNo } = order;
    if (order.status === rtw.RtwStatus.NEW) {
      return this.scheduler.plan(eclpRtwNo, order.acceptedAt, timeline.initialiseAfterMs, () =>
        this.runStage(eclpRtwNo, 'initialise', () => this.initialiseReturn(eclpRtwNo)),
      );
    }
    if (!rtw.isAtWarehouse(order)) return this.scheduler.cancel(eclpRtwNo);
    this.scheduler.plan(eclpRtwNo, order.acceptedAt, timeline.receiveAfterMs, () =>
      this.runStage(eclpRtwNo, 'receive', () =>
        this.receiveReturn(eclpRtwNo, rtw.timelineReceipt(order, (planned) => arrivingQuantity(planned, this.state.timeline.returnOrder.shortRatio))),
      ),
    );
  }

  // ── timeline ─────────────────────────────────────────────────────────────────────────────────────

  /** Changes the timeline and re-times the next stage of every open document. */
  setTimeline(patch: TimelinePatch): Timeline {
    this.state.timeline = applyTimeline(this.state.timeline, patch);
    this.replanAll();
    return this.state.timeline;
  }

  /**
   * Arms the timeline for documents restored from the state file. Every stage stays due at acceptance +
   * delay, so stages that fell due while the simulator was down run at once, in order, and the rest keep
   * their schedule.
   */
  resumeTimeline(): void {
    this.replanAll();
  }

  private replanAll(): void {
    for (const order of this.state.salesOrders.list()) this.planSalesOrder(order);
    for (const order of this.state.purchaseOrders.list()) this.planPurchaseOrder(order);
    for (const order of this.state.returns.list()) this.planReturn(order);
  }

  private runStage(documentNo: string, stage: string, move: () => void): void {
    try {
      move();
      this.state.changed();
      this.logger.debug({ documentNo, stage }, 'timeline moved document');
    } catch (error) {
      // A document moved by hand in the meantime simply has no use for this stage any more.
      if (error instanceof MoveRefused || error instanceof UnknownDocument) return;
      this.logger.error({ err: error, documentNo, stage }, 'timeline stage failed');
    }
  }

  /** Pending stage timers (for tests that check nothing is left running). */
  get pendingStages(): number {
    return this.scheduler.size;
  }

  reset(): void {
    this.scheduler.clear();
    this.state.reset();
  }

  stop(): void {
    this.scheduler.clear();
  }
}
