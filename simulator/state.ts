// Everything the simulator remembers. It lives in memory; with a state file (persistence.ts) the
// documents, stock, serials, catalogue and number counters also survive a restart, which is why every
// change is announced through changed(). Exposed to in-process tests through startSimulator().state and
// to everyone through GET /_sim/state.
import type { EclpMerchant } from '../eclp/config';
import { DEFAULT_BEHAVIOUR, type SimBehaviour } from './behaviour';
import { FaultBook } from './faults';
import { NumberIssuer } from './ids';
import { Catalogue, type CatalogueSnapshot } from './model/catalogue';
import { GoodsRegistry, type Goods } from './model/goods';
import { PurchaseOrderBook, type PurchaseOrder } from './model/purchase-orders';
import { ReturnBook, type ReturnOrder } from './model/returns';
import { currentStatus, SalesOrderBook, type SalesOrder } from './model/sales-orders';
import { SerialRegistry } from './model/serials';
import { StockLedger, type StockLevel, type StockMovement } from './model/stock';
import { CallStats } from './stats';
import type { Timeline } from './timeline';

export interface StateSnapshot {
  goods: Goods[];
  purchaseOrders: PurchaseOrder[];
  salesOrders: Array<SalesOrder & { currentStatus: string }>;
  returns: ReturnOrder[];
  stock: StockLevel[];
  stockMovements: StockMovement[];
  serials: ReturnType<SerialRegistry['snapshot']>;
  catalogue: CatalogueSnapshot;
  timeline: Timeline;
}

/** 'reset' asks for the state file to be rewritten at once; 'changed' may wait a little. */
export type StateChange = 'changed' | 'reset';

export class SimulatorState {
  readonly catalogue: Catalogue;
  readonly goods = new GoodsRegistry();
  readonly purchaseOrders = new PurchaseOrderBook();
  readonly salesOrders = new SalesOrderBook();
  readonly returns = new ReturnBook();
  readonly stock = new StockLedger();
  readonly serials = new SerialRegistry();
  readonly faults: FaultBook;
  readonly stats = new CallStats();
  /** Never reset: numbers stay unique for the life of the process. */
  readonly numbers = new NumberIssuer();
  timeline: Timeline;
  behaviour: SimBehaviour = { ...DEFAULT_BEHAVIOUR };
  private changeListener?: (change: StateChange) => void;

  constructor(
    merchant: EclpMerchant,
    private readonly startupTimeline: Timeline,
    random?: () => number,
  ) {
    this.catalogue = new Catalogue(merchant);
    this.faults = new FaultBook(random);
    this.timeline = startupTimeline;
  }

  /** The state file's hook (one listener); an in-memory simulator has none. */
  onChange(listener: (change: StateChange) => void): void {
    this.changeListener = listener;
  }

  /** Announces that a JD call, a control or a timeline stage may have changed what is remembered. */
  changed(): void {
    this.changeListener?.('changed');
  }

  /** Back to a freshly started simulator (documents, stock, serials, faults, counters, catalogue, timeline, behaviour). */
  reset(): void {
    this.goods.clear();
    this.purchaseOrders.clear();
    this.salesOrders.clear();
    this.returns.clear();
    this.stock.clear();
    this.serials.clear();
    this.faults.clear();
    this.stats.reset();
    this.catalogue.reset();
    this.timeline = this.startupTimeline;
    this.behaviour = { ...DEFAULT_BEHAVIOUR };
    this.changeListener?.('reset');
  }

  snapshot(): StateSnapshot {
    const stock = this.stock.snapshot();
    return structuredClone({
      goods: this.goods.list(),
      purchaseOrders: this.purchaseOrders.list(),
      salesOrders: this.salesOrders.list().map((order) => ({ ...order, currentStatus: currentStatus(order) })),
      returns: this.returns.list(),
      stock: stock.levels,
      stockMovements: stock.movements,
      serials: this.serials.snapshot(),
      catalogue: this.catalogue.snapshot(),
      timeline: this.timeline,
    });
  }
}
