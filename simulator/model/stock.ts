// Physical stock per (warehouse, goods), moved by receipts and shipments. No shortage modelling: a
// shipment of goods never received drives the figure negative, which keeps demo orders flowing [I].

export type StockReason = 'PO_RECEIPT' | 'RETURN_RECEIPT' | 'SHIPMENT';

export interface StockMovement {
  at: string;
  warehouseNo: string;
  goodsNo: string;
  quantity: number;
  reason: StockReason;
  billNo: string;
}

export interface StockLevel {
  warehouseNo: string;
  goodsNo: string;
  totalNum: number;
}

const key = (warehouseNo: string, goodsNo: string) => `${warehouseNo}\u0000${goodsNo}`;

export class StockLedger {
  private readonly levels = new Map<string, StockLevel>();
  private readonly movements: StockMovement[] = [];

  move(movement: StockMovement): void {
    const k = key(movement.warehouseNo, movement.goodsNo);
    const level = this.levels.get(k) ?? { warehouseNo: movement.warehouseNo, goodsNo: movement.goodsNo, totalNum: 0 };
    level.totalNum += movement.quantity;
    this.levels.set(k, level);
    this.movements.push({ ...movement });
  }

  quantity(warehouseNo: string, goodsNo: string): number {
    return this.levels.get(key(warehouseNo, goodsNo))?.totalNum ?? 0;
  }

  levelsIn(warehouseNo: string): StockLevel[] {
    return [...this.levels.values()].filter((level) => level.warehouseNo === warehouseNo).map((level) => ({ ...level }));
  }

  snapshot(): { levels: StockLevel[]; movements: StockMovement[] } {
    return { levels: [...this.levels.values()].map((l) => ({ ...l })), movements: this.movements.map((m) => ({ ...m })) };
  }

  clear(): void {
    this.levels.clear();
    this.movements.length = 0;
  }
}
