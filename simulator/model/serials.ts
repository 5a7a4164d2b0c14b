// Serial numbers (序列号). A merchant uploads the list for a PO (addPoSidDetail); when the PO is received
// the warehouse scans them in: they are then recorded on the PO's bill (bill type 11) and in stock for the
// goods. Serial numbers are unique per goods.
// Serial-managed goods [G]: goods with serials in stock at the warehouse that ships them (JD's `serial`
// flag alone adds nothing: without uploaded or seeded serials the warehouse has none to scan). A shipment
// scans out the oldest in-stock serials of that warehouse, up to the units shipped, onto the sales outbound
// (bill 24, billNo = eclpSoNo): they leave stock; units beyond the serials in stock ship without one. A
// received return (bill 12, billNo = eclpRtwNo) scans back the serials its order shipped, in shipping
// order, up to the units returned; only units returned at a good level come back into stock.
import { BusinessError } from '../errors';

/** Bill types of queryPageSerialByBillNo (eclp-api.md §3.13). */
export const BillType = { PURCHASE_INBOUND: '11', RETURN_INBOUND: '12', SALES_OUTBOUND: '24', SUPPLIER_RETURN: '32' } as const;

export const BILL_TYPE_NAMES: Readonly<Record<string, string>> = {
  '11': '采购入库',
  '12': '销售退货入库',
  '24': '销售出库',
  '32': '退供应商出库',
};

export interface SerialRecord {
  serialNumber: string;
  goodsNo: string;
  isvGoodsNo: string;
  warehouseNo: string;
  billNo: string;
  billType: string;
  createTime: string;
}

export interface UploadedSerial {
  goodsNo: string;
  serialNumber: string;
}

const key = (goodsNo: string, serialNumber: string) => `${goodsNo}\u0000${serialNumber}`;

export interface SerialSnapshot {
  /** Uploaded for a PO, not yet received: poNo → serials in upload order. */
  pending: Record<string, UploadedSerial[]>;
  records: SerialRecord[];
  /** goods → serials in stock, in arrival order. */
  inStock: Record<string, string[]>;
}

export class SerialRegistry {
  /** Uploaded for a PO, waiting for its receipt: poNo → serials in upload order. */
  private readonly pending = new Map<string, UploadedSerial[]>();
  /** Scanned on a bill, in scan order. */
  private readonly records: SerialRecord[] = [];
  /** goods → serials currently in stock, in arrival order. */
  private readonly inStock = new Map<string, Set<string>>();
  /** Every (goods, serial) known anywhere, to keep serials unique per goods; value = where it is. */
  private readonly owner = new Map<string, string>();
  /** (goods, serial) → the warehouse of its latest scan (derived from the records). */
  private readonly location = new Map<string, string>();

  /**
   * Adds the uploaded serials to the PO's list. Re-sending a serial already on this PO is a no-op, so a
   * retried upload is harmless; a serial known elsewhere for the same goods is refused. All or nothing.
   */
  upload(poNo: string, serials: UploadedSerial[]): number {
    const list = this.pending.get(poNo) ?? [];
    const fresh: UploadedSerial[] = [];
    const seen = new Set<string>();
    for (const serial of serials) {
      const k = key(serial.goodsNo, serial.serialNumber);
      if (seen.has(k)) continue;
      seen.add(k);
      const where = this.owner.get(k);
      if (where === poNo) continue;
      if (where !== undefined) {
        throw BusinessError.rejected(
          `商品${serial.goodsNo}的序列号${serial.serialNumber}已存在（${where}）`,
          `Serial ${serial.serialNumber} of goods ${serial.goodsNo} already exists`,
        );
      }
      fresh.push(serial);
    }
    for (const serial of fresh) {
      list.push(serial);
      this.owner.set(key(serial.goodsNo, serial.serialNumber), poNo);
    }
    this.pending.set(poNo, list);
    return fresh.length;
  }

  /** The warehouse scans in up to `quantity` uploaded serials of the goods as the PO's units arrive. */
  receiveOnPurchaseOrder(poNo: string, goodsNo: string, isvGoodsNo: string, quantity: number, warehouseNo: string, at: string): void {
    const list = this.pending.get(poNo) ?? [];
    const arriving = list.filter((s) => s.goodsNo === goodsNo).slice(0, quantity);
    this.pending.set(poNo, list.filter((s) => !arriving.includes(s)));
    for (const serial of arriving) {
      this.record({ serialNumber: serial.serialNumber, goodsNo, isvGoodsNo, warehouseNo, billNo: poNo, billType: BillType.PURCHASE_INBOUND, createTime: at }, true);
    }
  }

  /** Registers serials directly (the /_sim/serials seed). Serials already known for the goods are refused. */
  seed(records: SerialRecord[], inStock: boolean): void {
    for (const r of records) {
      if (this.owner.has(key(r.goodsNo, r.serialNumber))) {
        throw BusinessError.rejected(`商品${r.goodsNo}的序列号${r.serialNumber}已存在`, `Serial ${r.serialNumber} of goods ${r.goodsNo} already exists`);
      }
    }
    for (const r of records) this.record(r, inStock);
  }

  /**
   * A sales outbound leaves: up to `quantity` of the goods' serials in stock at `warehouseNo`, oldest
   * first, are scanned onto the bill (24) and leave stock. Returns the serials that left.
   */
  shipOnSalesOrder(eclpSoNo: string, goodsNo: string, isvGoodsNo: string, quantity: number, warehouseNo: string, at: string): string[] {
    const leaving = this.inStockFor(goodsNo)
      .filter((serial) => this.location.get(key(goodsNo, serial)) === warehouseNo)
      .slice(0, Math.max(0, quantity));
    for (const serialNumber of leaving) {
      this.inStock.get(goodsNo)?.delete(serialNumber);
      this.record({ serialNumber, goodsNo, isvGoodsNo, warehouseNo, billNo: eclpSoNo, billType: BillType.SALES_OUTBOUND, createTime: at }, false);
    }
    return leaving;
  }

  /**
   * A customer return is received: up to `quantity` serials of the goods that left on `eclpSoNo` and have
   * not come back since are scanned onto the return's bill (12), in shipping order; `restock` puts them
   * back in stock (a good-level return). Returns the serials that came back.
   */
  returnOnReturn(eclpRtwNo: string, eclpSoNo: string, goodsNo: string, isvGoodsNo: string, quantity: number, warehouseNo: string, at: string, restock: boolean): string[] {
    const shipped = this.onBill(eclpSoNo, BillType.SALES_OUTBOUND).filter((r) => r.goodsNo === goodsNo);
    // Still out: its latest record is this shipment (not a later return, nor anything after that).
    const out = shipped.filter((r) => this.owner.get(key(goodsNo, r.serialNumber)) === eclpSoNo).map((r) => r.serialNumber);
    const back = out.slice(0, Math.max(0, quantity));
    for (const serialNumber of back) {
      this.record({ serialNumber, goodsNo, isvGoodsNo, warehouseNo, billNo: eclpRtwNo, billType: BillType.RETURN_INBOUND, createTime: at }, restock);
    }
    return back;
  }

  private record(record: SerialRecord, inStock: boolean): void {
    this.records.push(record);
    const k = key(record.goodsNo, record.serialNumber);
    this.owner.set(k, record.billNo);
    this.location.set(k, record.warehouseNo);
    if (inStock) {
      const set = this.inStock.get(record.goodsNo) ?? new Set<string>();
      set.add(record.serialNumber);
      this.inStock.set(record.goodsNo, set);
    }
  }

  onBill(billNo: string, billType?: string): SerialRecord[] {
    return this.records.filter((r) => r.billNo === billNo && (billType === undefined || r.billType === billType));
  }

  inStockFor(goodsNo: string): string[] {
    return [...(this.inStock.get(goodsNo) ?? [])];
  }

  pendingFor(poNo: string): UploadedSerial[] {
    return [...(this.pending.get(poNo) ?? [])];
  }

  snapshot(): SerialSnapshot {
    return {
      pending: Object.fromEntries([...this.pending].filter(([, list]) => list.length > 0).map(([po, list]) => [po, list.map((s) => ({ ...s }))])),
      records: this.records.map((r) => ({ ...r })),
      inStock: Object.fromEntries([...this.inStock].map(([goods, set]) => [goods, [...set]])),
    };
  }

  /** Replaces everything with a snapshot (the state file); which bill or PO owns a serial follows from it. */
  restore(snapshot: SerialSnapshot): void {
    this.clear();
    for (const [poNo, list] of Object.entries(snapshot.pending)) {
      this.pending.set(poNo, list.map((s) => ({ ...s })));
      for (const s of list) this.owner.set(key(s.goodsNo, s.serialNumber), poNo);
    }
    for (const r of snapshot.records) {
      this.records.push({ ...r });
      this.owner.set(key(r.goodsNo, r.serialNumber), r.billNo);
      this.location.set(key(r.goodsNo, r.serialNumber), r.warehouseNo);
    }
    for (const [goodsNo, serials] of Object.entries(snapshot.inStock)) this.inStock.set(goodsNo, new Set(serials));
  }

  clear(): void {
    this.pending.clear();
    this.records.length = 0;
    this.inStock.clear();
    this.owner.clear();
    this.location.clear();
  }
}
