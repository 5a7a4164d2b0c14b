// Everything the simulator remembers, in memory only: it is test and demo equipment, a restart forgets
// every document. Exposed to in-process tests through startSimulator().state and to everyone through
// GET /_sim/state.
import type { EclpMerchant } from '../eclp/config';
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

  constructor(
    merchant: EclpMerchant,
    private readonly startupTimeline: Timeline,
    random?: () => number,
  ) {
    this.catalogue = new Catalogue(merchant);
    this.faults = new FaultBook(random);
    this.timeline = startupTimeline;
  }

  /** Back to a freshly started simulator (documents, stock, serials, faults, counters, catalogue, timeline). */
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
