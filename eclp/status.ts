// JD's document status codes (eclp-api.md §4) as named constants. Codes JD adds later are kept
// verbatim and flagged `known: false`, never dropped: an operator must still see them.

/** Sales outbound `soStatusCode` / `currentStatus` (§4.1). Names of 10009–10017 are guesses by JD's order. */
export const SoStatus = {
  /** Lowest code seen; still cancellable. */
  ACCEPTED_PENDING: '10009',
  /** New / initial: where addOrder leaves an order. */
  NEW: '10010',
  SUB_STEP_130: '100130',
  SUB_STEP_131: '100131',
  SUB_STEP_132: '100132',
  SENT_TO_WAREHOUSE: '10014',
  WAREHOUSE_ACCEPTED: '10015',
  PICKING: '10016',
  /** First code past picking; no longer cancellable. */
  PICKED: '10017',
  /** 打包: packed, still inside the warehouse. */
  PACKED: '10018',
  /** 发货: handed to the carrier. */
  SHIPPED: '10019',
  /** 取消成功. */
  CANCELLED: '10028',
  /** 取消失败. */
  CANCEL_FAILED: '10029',
  /** 妥投: delivered to the consignee. */
  DELIVERED: '10034',
  /** Coming back to the warehouse (逆向). */
  RETURNING: '10037',
} as const;
export type SoStatusCode = (typeof SoStatus)[keyof typeof SoStatus];

/** Statuses in which JD accepts cancelOrder (S16's list, §4.1); 10028 because re-cancelling is harmless. */
export const CANCELLABLE_SO_STATUSES: ReadonlySet<string> = new Set([
  SoStatus.ACCEPTED_PENDING,
  SoStatus.NEW,
  SoStatus.SUB_STEP_130,
  SoStatus.SUB_STEP_131,
  SoStatus.SUB_STEP_132,
  SoStatus.SENT_TO_WAREHOUSE,
  SoStatus.WAREHOUSE_ACCEPTED,
  SoStatus.PICKING,
  SoStatus.CANCELLED,
]);

/** Purchase inbound `poOrderStatus` (§4.2). */
export const PoStatus = {
  NEW: '10',
  INITIALISED: '20',
  COMPLETED: '70',
  CANCELLING: '90',
  CANCELLED: '91',
  CANCEL_FAILED: '92',
} as const;
export type PoStatusCode = (typeof PoStatus)[keyof typeof PoStatus];

/** Customer-return inbound `status` (§4.3, JD's own enum plus S5's 300). */
export const RtwStatus = {
  NEW: '0',
  INITIALISED: '100',
  COMPLETED: '200',
  CANCELLING: '300',
  CANCELLED: '400',
  REJECTED_OVERDUE: '500',
  REJECTED: '600',
  REPORTED_TO_MERCHANT: '700',
} as const;
export type RtwStatusCode = (typeof RtwStatus)[keyof typeof RtwStatus];

/** Goods levels of return lines (`goodsLevel` / `goodsLevelNo`, §3.15e): 100–199 good, 200–299 defective, 400 dirty. */
export const GoodsLevel = {
  GOOD: '100',
  DEFECTIVE: '200',
  DIRTY: '400',
} as const;
export type GoodsLevelCode = (typeof GoodsLevel)[keyof typeof GoodsLevel];

/**
 * `cancelorder_result.code` / `poResult.code` (§4.4); cancelRtwOrder's `rtwResult.code` has the same shape
 * and is read the same way, its values undocumented [I].
 */
export const CancelResultCode = {
  CANCELLED: '1',
  REFUSED: '2',
} as const;

/** `poCloseJosResponse.code` of po.closePo (§3.15d, §4.4): values undocumented, read like the cancels [G]. */
export const ClosePoResultCode = {
  CLOSED: '1',
  REFUSED: '2',
} as const;

/** Bill types of the serial-number queries (§3.13). */
export const SerialBillType = {
  PURCHASE_INBOUND: 11,
  RETURN_INBOUND: 12,
  SALES_OUTBOUND: 24,
  SUPPLIER_RETURN_OUTBOUND: 32,
} as const;
export type SerialBillType = (typeof SerialBillType)[keyof typeof SerialBillType];

export interface StatusInfo<Name extends string = string> {
  /** JD's code exactly as received. */
  code: string;
  /** Our constant name, when we know the code. */
  name?: Name;
  known: boolean;
}

function describer<T extends Record<string, string>>(table: T) {
  const names = new Map(Object.entries(table).map(([name, code]) => [code, name as keyof T & string]));
  return (code: string | number): StatusInfo<keyof T & string> => {
    const text = String(code);
    const name = names.get(text);
    return name === undefined ? { code: text, known: false } : { code: text, name, known: true };
  };
}

export const describeSoStatus = describer(SoStatus);
export const describePoStatus = describer(PoStatus);
export const describeRtwStatus = describer(RtwStatus);

export type SoStatusName = keyof typeof SoStatus;
export type PoStatusName = keyof typeof PoStatus;
export type RtwStatusName = keyof typeof RtwStatus;

// ---- sales-order outcome ------------------------------------------------------------------------

export interface SoHistoryEntry {
  status: StatusInfo<SoStatusName>;
  /** `operateTime` as JD sent it (`yyyy-MM-dd HH:mm:ss`, Beijing time). */
  operatedAt?: string;
}

export interface SoProgressInput {
  currentStatus: StatusInfo<SoStatusName>;
  history: ReadonlyArray<SoHistoryEntry>;
  wayBills: ReadonlyArray<string>;
}

export interface SoProgress {
  shipped: boolean;
  /** JD's operateTime of the step that made it shipped. */
  shippedAt?: string;
  delivered: boolean;
  cancelled: boolean;
  /** JD recorded a failed cancel (10029) and no later cancel succeeded. */
  cancelRefused: boolean;
  /** JD reports the parcel coming back (10037). */
  returning: boolean;
  /** Whether cancelOrder can still succeed, judged from the current status. */
  cancellable: boolean;
  /** First waybill; multi-parcel orders carry more in `wayBills`. */
  wayBill?: string;
  /** Codes in the history this client does not know, verbatim, for the operator. */
  unknownCodes: string[];
}

/**
 * The ERP-relevant facts of a queried sales order. Shipped means 10019 (handed to the carrier), not
 * 10018 (packed) as one reference ERP books it: at 10018 the parcel is still in the warehouse, may
 * have no waybill yet, and the ERP would tell the buyer "shipped" too early. A history that jumps
 * straight to 10034 counts as shipped too, since delivery implies it.
 */
export function salesOrderProgress(order: SoProgressInput): SoProgress {
  const byCode = new Map(order.history.map((entry) => [entry.status.code, entry]));
  const shippedEntry = byCode.get(SoStatus.SHIPPED) ?? byCode.get(SoStatus.DELIVERED);
  const shipped = shippedEntry !== undefined || order.currentStatus.code === SoStatus.SHIPPED || order.currentStatus.code === SoStatus.DELIVERED;
  const delivered = byCode.has(SoStatus.DELIVERED) || order.currentStatus.code === SoStatus.DELIVERED;
  const cancelled = byCode.has(SoStatus.CANCELLED) || order.currentStatus.code === SoStatus.CANCELLED;
  const progress: SoProgress = {
    shipped,
    delivered,
    cancelled,
    cancelRefused: !cancelled && (byCode.has(SoStatus.CANCEL_FAILED) || order.currentStatus.code === SoStatus.CANCEL_FAILED),
    returning: byCode.has(SoStatus.RETURNING) || order.currentStatus.code === SoStatus.RETURNING,
    cancellable: CANCELLABLE_SO_STATUSES.has(order.currentStatus.code),
    unknownCodes: [...new Set([order.currentStatus, ...order.history.map((entry) => entry.status)].filter((s) => !s.known).map((s) => s.code))],
  };
  if (shippedEntry?.operatedAt !== undefined) progress.shippedAt = shippedEntry.operatedAt;
  const wayBill = order.wayBills[0];
  if (wayBill !== undefined) progress.wayBill = wayBill;
  return progress;
}
