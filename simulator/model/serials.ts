// Serial numbers (序列号). A merchant uploads the list for a PO (addPoSidDetail); when the PO is received
// the warehouse scans them in: they are then recorded on the PO's bill (bill type 11) and in stock for the
// goods. Serial numbers are unique per goods. Shipments do not consume serials (not modelled) [I].
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

  private record(record: SerialRecord, inStock: boolean): void {
    this.records.push(record);
    this.owner.set(key(record.goodsNo, record.serialNumber), record.billNo);
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
    }
    for (const [goodsNo, serials] of Object.entries(snapshot.inStock)) this.inStock.set(goodsNo, new Set(serials));
  }

  clear(): void {
    this.pending.clear();
    this.records.length = 0;
    this.inStock.clear();
    this.owner.clear();
  }
}
