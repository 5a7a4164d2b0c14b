// What the sales-order repositories answer: the order, its list summary and its cancel requests, mapped
// from the typed table rows (../tables.ts).
import type { CancelKind } from '../../domain/sales-order';
import { SALES_ORDER_STATUS, type SalesOrderStatus } from '../../domain/statuses';
import type { SalesOrderCancelRequestRow, SalesOrderLineRow, SalesOrderRow } from '../tables';
import type { CancelSource, CancelVerdict } from '../../domain/cancel';
import { requestDecisionFields } from '../request-decisions';
import { holdOf, type SalesOrderHold } from './holds';

/** The operation log's doc_type of sales orders. */
export const SALES_ORDER_DOC_TYPE = 'sales_order';

export interface SalesOrderRecord {
  orderNo: string;
  shopOrderNo: string | null;
  warehouseCode: string;
  carrierCode: string;
  consignee: {
    name: string;
    mobile: string | null;
    phone: string | null;
    province: string | null;
    city: string | null;
    county: string | null;
    town: string | null;
    address: string;
  };
  /** `shippedQuantity`/`shortQuantity`: what JD shipped of the line and what fell short; null until shipped. */
  lines: Array<{ sku: string; quantity: number; price: number; shippedQuantity: number | null; shortQuantity: number | null }>;
  remark: string | null;
  status: SalesOrderStatus;
  statusLabel: string;
  statusSince: string;
  pushRevision: number;
  workflowId: string | null;
  eclpSoNo: string | null;
  jdWarehouseNo: string | null;
  /** The first waybill (kept for readers that know one); `wayBills` lists every parcel's. */
  wayBill: string | null;
  wayBills: string[];
  /** Some line shipped less than ordered. */
  shortShipped: boolean;
  jdShipperNo: string | null;
  jdShipperName: string | null;
  shippedAt: string | null;
  failureReason: string | null;
  /** An exchange's replacement order: the return (售后单) it sends goods out again for. */
  replacementFor: string | null;
  /** 挂起: the current hold (reason, until, held from, held at, how to release); null unless HELD. */
  hold: SalesOrderHold | null;
  createdAt: string;
  updatedAt: string;
}

/** A row without its lines: what lists show. */
export type SalesOrderSummary = Omit<SalesOrderRecord, 'lines' | 'consignee'>;

export interface SalesOrderCancelRequestRecord {
  requestId: string;
  orderNo: string;
  pushRevision: number;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  source: CancelSource;
  statusAtRequest: SalesOrderStatus | null;
  verdict: CancelVerdict | null;
  resultingStatus: SalesOrderStatus | null;
  jdMessage: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

export function toSalesOrderSummary(row: SalesOrderRow): SalesOrderSummary {
  return {
    orderNo: row.order_no,
    shopOrderNo: row.shop_order_no,
    warehouseCode: row.warehouse_code,
    carrierCode: row.carrier_code,
    remark: row.remark,
    status: row.status,
    statusLabel: SALES_ORDER_STATUS[row.status],
    statusSince: row.status_since.toISOString(),
    pushRevision: row.push_revision,
    workflowId: row.workflow_id,
    eclpSoNo: row.eclp_so_no,
    jdWarehouseNo: row.jd_warehouse_no,
    wayBill: row.way_bill,
    wayBills: row.way_bills ?? (row.way_bill === null ? [] : [row.way_bill]),
    shortShipped: row.short_shipped,
    jdShipperNo: row.jd_shipper_no,
    jdShipperName: row.jd_shipper_name,
    shippedAt: row.shipped_at?.toISOString() ?? null,
    failureReason: row.failure_reason,
    replacementFor: row.replacement_for,
    hold: holdOf(row.order_no, row.status, row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toSalesOrderRecord(row: SalesOrderRow, lines: SalesOrderLineRow[]): SalesOrderRecord {
  const { orderNo, shopOrderNo, warehouseCode, carrierCode, ...rest } = toSalesOrderSummary(row);
  return {
    orderNo,
    shopOrderNo,
    warehouseCode,
    carrierCode,
    consignee: {
      name: row.consignee_name,
      mobile: row.consignee_mobile,
      phone: row.consignee_phone,
      province: row.consignee_province,
      city: row.consignee_city,
      county: row.consignee_county,
      town: row.consignee_town,
      address: row.consignee_address,
    },
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, price: Number(l.price), shippedQuantity: l.shipped_quantity, shortQuantity: l.short_quantity })),
    ...rest,
  };
}

export function toSalesOrderCancelRequest(row: SalesOrderCancelRequestRow): SalesOrderCancelRequestRecord {
  return {
    requestId: row.request_id,
    orderNo: row.order_no,
    pushRevision: row.push_revision,
    kind: row.kind,
    reason: row.reason,
    ...requestDecisionFields(row),
  };
}
