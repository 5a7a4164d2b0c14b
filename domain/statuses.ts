// Document statuses: English constants for code, the ERP's Chinese labels (from the seed) for people.
// The API returns both, so an ERP screen can show exactly the words its users know.

export const SALES_ORDER_STATUS = {
  REVIEW: '待审核',
  PUSHING: '推送中',
  WMS_PICKING: 'WMS配货',
  SHIPPED: '已发货',
  FAILED: '失败',
  CANCELLED: '已取消',
  /** 挂起: held by an operator (ECLP has no hold: an order at JD was cancelled there); released back to review. */
  HELD: '挂起',
} as const;
export type SalesOrderStatus = keyof typeof SALES_ORDER_STATUS;

export const PURCHASE_ORDER_STATUS = {
  /** Stored for a warehouse that is not ECLP-connected: the ERP's own business, nothing goes to JD. */
  NOT_PUSHED: '未推送',
  PUSHING: '推送中',
  /** JD answered "already exists" after an ambiguous push: an operator links JD's PO or confirms it has none. */
  PUSH_UNCONFIRMED: '待确认',
  WAITING_INBOUND: '待入库',
  PARTIALLY_RECEIVED: '部分入库',
  RECEIVED: '已入库',
  FAILED: '失败',
  CANCELLED: '已取消',
} as const;
export type PurchaseOrderStatus = keyof typeof PURCHASE_ORDER_STATUS;

export const RETURN_STATUS = {
  /** 草稿: created by the system (a refund JD refused, then the order shipped); an operator confirms it to push it. */
  DRAFT: '草稿',
  PUSHING: '推送中',
  WAITING_INBOUND: '待入库',
  RECEIVED: '已入库',
  /** The warehouse refused the parcel (JD 500 超期拒收 / 600 整单拒收). */
  REJECTED: '拒收',
  CANCELLED: '已取消',
  FAILED: '失败',
} as const;
export type ReturnStatus = keyof typeof RETURN_STATUS;

/** Whether a goods record exists at JD (基础信息 → 商品同步). */
export const GOODS_SYNC_STATUS = {
  NOT_SYNCED: '未同步',
  SYNCING: '同步中',
  SYNCED: '已同步',
  SYNC_FAILED: '同步失败',
} as const;
export type GoodsSyncStatus = keyof typeof GOODS_SYNC_STATUS;

export function labelled<S extends string>(labels: Record<S, string>, status: S): { status: S; statusLabel: string } {
  return { status, statusLabel: labels[status] };
}
