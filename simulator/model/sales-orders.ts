// Sales outbound orders (销售出库单) and their status history (eclp-api.md §4.1). The flow is
// 10010 → pick (10016, 10017) → pack 10018 → ship 10019 → deliver 10034, or cancel 10028; the current
// status is always the last history entry. The pick move runs through 10016 to 10017 at once, so the
// merchant's cancel succeeds before picking and is refused after it (DESIGN.md §6; 10017 is outside
// JD's cancellable set).
import { MoveRefused } from '../errors';
import type { SerialRegistry } from './serials';

export const SoStatus = {
  NEW: '10010',
  PICKING: '10016',
  PICKED: '10017',
  PACKED: '10018',
  SHIPPED: '10019',
  CANCELLED: '10028',
  DELIVERED: '10034',
} as const;

/** Names for soStatusName. Only 10018/10019/10028/10034 are confirmed by eclp-api.md; the others are ours [G]. */
export const SO_STATUS_NAMES: Readonly<Record<string, string>> = {
  '10010': '新建',
  '10016': '拣货中',
  '10017': '拣货完成',
  '10018': '打包',
  '10019': '发货',
  '10028': '取消成功',
  '10034': '妥投',
};

/** The statuses in which the merchant may still cancel, as observed in a merchant integration (eclp-api.md §4.1 [C: S16]). */
export const CANCELLABLE_STATUSES: ReadonlySet<string> = new Set([
  '10009', '10010', '100130', '100131', '100132', '10014', '10015', '10016', '10028',
]);

/** Statuses before picking; the pick move starts from any of them (10016 only if JD ever reported it alone). */
const BEFORE_PICKING: ReadonlySet<string> = new Set(['10009', '10010', '100130', '100131', '100132', '10014', '10015', '10016']);

export interface StatusEntry {
  soStatusCode: string;
  soStatusName: string;
  operateTime: string;
  operateUser: string;
}

export interface Consignee {
  name: string;
  mobile?: string;
  phone?: string;
  email?: string;
  address: string;
  province?: string;
  city?: string;
  county?: string;
  town?: string;
  postcode?: string;
}

export interface SalesOrderLine {
  orderLine: string;
  goodsNo: string;
  isvGoodsNo: string;
  goodsName: string;
  quantity: number;
  price?: number;
  /** Units that left the warehouse (JD's `realOutQty`); set on shipping, below `quantity` for a short shipment. */
  realOutQty?: number;
}

/** What the warehouse shipped of one line, named by JD goods number or the merchant's code. */
export interface ShippedLine {
  goodsNo?: string;
  isvGoodsNo?: string;
  realOutQty: number;
}

export interface SalesOrder {
  eclpSoNo: string;
  isvUUID: string;
  isvSource: string;
  shopNo?: string;
  departmentNo: string;
  warehouseNo: string;
  shipperNo: string;
  salePlatformSource: string;
  salesPlatformOrderNo?: string;
  salesPlatformCreateTime?: string;
  soType: string;
  orderMark: string;
  receivable?: string;
  sellerRemark?: string;
  consignee: Consignee;
  lines: SalesOrderLine[];
  history: StatusEntry[];
  /** Comma-joined for a multi-parcel shipment ("a,b"), as JD's queryOrder reports it. */
  wayBill?: string;
  cancelReason?: string;
  createTime: string;
  /** Epoch ms of acceptance; the timeline counts every stage from here. */
  acceptedAt: number;
}

export function currentStatus(order: SalesOrder): string {
  return order.history[order.history.length - 1]?.soStatusCode ?? SoStatus.NEW;
}

export function hasShipped(order: SalesOrder): boolean {
  return order.history.some((entry) => entry.soStatusCode === SoStatus.SHIPPED);
}

function append(order: SalesOrder, code: string, operateTime: string, operateUser: string): void {
  order.history.push({ soStatusCode: code, soStatusName: SO_STATUS_NAMES[code] ?? code, operateTime, operateUser });
}

function refuse(order: SalesOrder, move: string): never {
  throw new MoveRefused(`cannot ${move} sales order ${order.eclpSoNo} in status ${currentStatus(order)}`);
}

export function startHistory(order: SalesOrder, operateTime: string): void {
  append(order, SoStatus.NEW, operateTime, 'isv');
}

export function pick(order: SalesOrder, at: string): void {
  if (!BEFORE_PICKING.has(currentStatus(order))) refuse(order, 'pick');
  if (currentStatus(order) !== SoStatus.PICKING) append(order, SoStatus.PICKING, at, 'warehouse');
  append(order, SoStatus.PICKED, at, 'warehouse');
}

export function pack(order: SalesOrder, at: string): void {
  if (currentStatus(order) !== SoStatus.PICKED) refuse(order, 'pack');
  append(order, SoStatus.PACKED, at, 'warehouse');
}

/**
 * Ships the order. Lines named in `shipped` leave with their `realOutQty` (a short shipment); the others
 * leave in full. A line that matches nothing, or more than was ordered, is refused before anything moves.
 */
export function ship(order: SalesOrder, wayBill: string, at: string, shipped: readonly ShippedLine[] = []): void {
  if (currentStatus(order) !== SoStatus.PACKED) refuse(order, 'ship');
  const realOut = order.lines.map((line) => line.quantity);
  for (const entry of shipped) {
    const index = order.lines.findIndex((line) => line.goodsNo === entry.goodsNo || line.isvGoodsNo === entry.isvGoodsNo);
    const line = order.lines[index];
    if (!line) throw new MoveRefused(`sales order ${order.eclpSoNo} has no line for ${entry.goodsNo ?? entry.isvGoodsNo}`);
    if (entry.realOutQty > line.quantity) {
      throw new MoveRefused(`sales order ${order.eclpSoNo} line ${line.isvGoodsNo} ordered ${line.quantity}, cannot ship ${entry.realOutQty}`);
    }
    realOut[index] = entry.realOutQty;
  }
  order.lines.forEach((line, i) => (line.realOutQty = realOut[i]));
  order.wayBill = wayBill;
  append(order, SoStatus.SHIPPED, at, 'warehouse');
}

/**
 * Serial hook of a shipment (after `ship`): each line's units that left scan out serials of the goods in
 * stock at the order's warehouse onto the sales outbound (bill 24, billNo = eclpSoNo); see model/serials.ts.
 */
export function shipSerials(order: SalesOrder, serials: SerialRegistry, at: string): void {
  for (const line of order.lines) {
    const quantity = line.realOutQty ?? line.quantity;
    if (quantity > 0) serials.shipOnSalesOrder(order.eclpSoNo, line.goodsNo, line.isvGoodsNo, quantity, order.warehouseNo, at);
  }
}

export function deliver(order: SalesOrder, at: string): void {
  if (currentStatus(order) !== SoStatus.SHIPPED) refuse(order, 'deliver');
  append(order, SoStatus.DELIVERED, at, 'carrier');
}

export type JdCancelResult = { code: 1; msg: string } | { code: 2; msg: string };

/**
 * The merchant's cancelOrder: accepted while the order has not been picked, refused afterwards with the
 * history unchanged. A cancelled order may be cancelled again harmlessly (10028 is in the cancellable set).
 */
export function cancelByMerchant(order: SalesOrder, at: string): JdCancelResult {
  const status = currentStatus(order);
  if (!CANCELLABLE_STATUSES.has(status)) {
    return { code: 2, msg: `订单当前状态为${SO_STATUS_NAMES[status] ?? status}，已进入拣货/发货环节，不允许取消` };
  }
  if (status !== SoStatus.CANCELLED) append(order, SoStatus.CANCELLED, at, 'isv');
  return { code: 1, msg: '取消成功' };
}

/** The warehouse cancels on its own (e.g. goods missing): possible until the parcel has left. */
export function cancelByWarehouse(order: SalesOrder, reason: string, at: string): void {
  const status = currentStatus(order);
  if (status === SoStatus.CANCELLED || status === SoStatus.SHIPPED || status === SoStatus.DELIVERED) refuse(order, 'cancel');
  order.cancelReason = reason;
  append(order, SoStatus.CANCELLED, at, 'warehouse');
}

export class SalesOrderBook {
  private readonly byEclpSoNo = new Map<string, SalesOrder>();
  private readonly byIsvUUID = new Map<string, SalesOrder>();

  add(order: SalesOrder): void {
    this.byEclpSoNo.set(order.eclpSoNo, order);
    this.byIsvUUID.set(order.isvUUID, order);
  }

  find(eclpSoNo: string): SalesOrder | undefined {
    return this.byEclpSoNo.get(eclpSoNo);
  }

  findByIsvUUID(isvUUID: string): SalesOrder | undefined {
    return this.byIsvUUID.get(isvUUID);
  }

  findBySalesPlatformOrderNo(spSoNo: string): SalesOrder[] {
    return this.list().filter((order) => order.salesPlatformOrderNo === spSoNo);
  }

  list(): SalesOrder[] {
    return [...this.byEclpSoNo.values()];
  }

  clear(): void {
    this.byEclpSoNo.clear();
    this.byIsvUUID.clear();
  }
}
