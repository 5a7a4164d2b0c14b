// The tables as pg hands their rows back (migrations/*.ts): timestamptz → Date, numeric → string,
// bigint → string, jsonb → parsed JSON. Registered with knex below, so `db('sales_orders')` is typed in
// every repository: reads give these rows, writes take `Writes` (any subset of columns, or SQL).
import type { Knex } from 'knex';
import type { CancelSource, CancelVerdict } from '../domain/cancel';
import type { CancelKind } from '../domain/sales-order';
import type { PurchaseOrderFailureStage, PurchaseOrderRequestKind, PurchaseOrderVerdict } from '../domain/purchase-order';
import type { ReturnFailureStage, ReturnType, ReturnVerdict } from '../domain/return-order';
import type { GoodsSyncStatus, PurchaseOrderStatus, ReturnStatus, SalesOrderStatus } from '../domain/statuses';
import type { ActorRole } from './operation-log';
import type { LedgerDocType } from './stock-ledger';

/** Columns of `t.timestamps(true, true)`. */
interface Timestamps {
  created_at: Date;
  updated_at: Date;
}

export interface OperationLogRow {
  id: string;
  doc_type: string;
  doc_key: string;
  action: string;
  /** The migration allows null; this code always writes a role. */
  actor_role: ActorRole | null;
  detail: Record<string, unknown> | null;
  idempotency_key: string | null;
  created_at: Date;
}

export interface WarehouseRow extends Timestamps {
  code: string;
  name: string;
  jd_warehouse_no: string | null;
  eclp_connected: boolean;
}

export interface CarrierRow extends Timestamps {
  code: string;
  name: string;
  jd_shipper_no: string;
}

export interface SupplierRow extends Timestamps {
  code: string;
  name: string;
  jd_supplier_no: string;
}

export interface CategoryRow extends Timestamps {
  code: string;
  name: string;
  jd_first_category_no: string;
  jd_second_category_no: string;
  jd_third_category_no: string;
}

export interface GoodsRow extends Timestamps {
  sku: string;
  name: string;
  category_code: string;
  safe_days: number;
  serial_managed: boolean;
  jd_goods_no: string | null;
  sync_status: GoodsSyncStatus;
  sync_error: string | null;
  sync_workflow_id: string | null;
  synced_at: Date | null;
}

export interface GoodsBarcodeRow {
  barcode: string;
  sku: string;
  position: number;
}

export interface SalesOrderRow extends Timestamps {
  order_no: string;
  shop_order_no: string | null;
  warehouse_code: string;
  carrier_code: string;
  consignee_name: string;
  consignee_mobile: string | null;
  consignee_phone: string | null;
  consignee_province: string;
  consignee_city: string;
  consignee_county: string;
  consignee_town: string | null;
  consignee_address: string;
  remark: string | null;
  body_hash: string;
  status: SalesOrderStatus;
  status_since: Date;
  push_revision: number;
  workflow_id: string | null;
  eclp_so_no: string | null;
  jd_warehouse_no: string | null;
  /** First waybill; `way_bills` holds every parcel's. */
  way_bill: string | null;
  /** text[]: every waybill of the shipment, in JD's order. */
  way_bills: string[] | null;
  /** Some line shipped less than ordered (the operator's view). */
  short_shipped: boolean;
  jd_shipper_no: string | null;
  jd_shipper_name: string | null;
  shipped_at: Date | null;
  failure_reason: string | null;
  /** An exchange's replacement order: the return it replaces goods for. */
  replacement_for: string | null;
  /** 挂起: why, until when the operator means to look again, the status it was held from, when. */
  hold_reason: string | null;
  hold_until: Date | null;
  held_from: SalesOrderStatus | null;
  held_at: Date | null;
  /** A go-live check's test order (推单测试). */
  go_live_check_id: string | null;
}

export interface SalesOrderLineRow {
  order_no: string;
  line_no: number;
  sku: string;
  quantity: number;
  /** numeric(14,2): pg returns the exact decimal as text. */
  price: string;
  /** What left the warehouse and what fell short of `quantity`; null until shipped. */
  shipped_quantity: number | null;
  short_quantity: number | null;
}

export interface SalesOrderCancelRequestRow {
  request_id: string;
  order_no: string;
  push_revision: number;
  kind: CancelKind;
  reason: string;
  actor_role: string;
  source: CancelSource;
  status_at_request: SalesOrderStatus | null;
  verdict: CancelVerdict | null;
  resulting_status: SalesOrderStatus | null;
  jd_message: string | null;
  requested_at: Date;
  decided_at: Date | null;
  /** A hold's `until`, as the request gave it. */
  hold_until: Date | null;
}

export interface StockLedgerRow {
  id: string;
  warehouse_code: string;
  sku: string;
  quantity: number;
  doc_type: LedgerDocType;
  doc_no: string;
  doc_revision: number;
  /** 0 for documents booked once; a PO's receipt number (seq) for its receipts. */
  entry_no: number;
  created_at: Date;
}

export interface PurchaseOrderRow extends Timestamps {
  po_no: string;
  supplier_code: string;
  warehouse_code: string;
  remark: string | null;
  body_hash: string;
  status: PurchaseOrderStatus;
  status_since: Date;
  push_revision: number;
  workflow_id: string | null;
  sp_po_order_no: string | null;
  po_order_no: string | null;
  jd_warehouse_no: string | null;
  jd_status: string | null;
  failure_reason: string | null;
  failure_stage: PurchaseOrderFailureStage | null;
  receipts: number;
  received_total: number;
  closed_short: boolean;
}

export interface PurchaseOrderLineRow {
  po_no: string;
  line_no: number;
  sku: string;
  quantity: number;
  /** numeric(14,2) as text; null when the ERP sent no price. */
  unit_price: string | null;
  received_quantity: number;
  short_quantity: number;
  defective_quantity: number;
  excess_quantity: number;
}

export interface PurchaseReceiptRow {
  receipt_no: string;
  po_no: string;
  seq: number;
  push_revision: number;
  po_order_no: string;
  warehouse_code: string;
  jd_status: string;
  created_at: Date;
}

export interface PurchaseReceiptLineRow {
  receipt_no: string;
  sku: string;
  quantity: number;
}

export interface PurchaseOrderRequestRow {
  request_id: string;
  po_no: string;
  push_revision: number;
  kind: PurchaseOrderRequestKind;
  reason: string | null;
  po_order_no: string | null;
  actor_role: string;
  source: CancelSource;
  status_at_request: PurchaseOrderStatus | null;
  verdict: PurchaseOrderVerdict | null;
  resulting_status: PurchaseOrderStatus | null;
  jd_message: string | null;
  requested_at: Date;
  decided_at: Date | null;
}

export interface ReturnRow extends Timestamps {
  return_no: string;
  order_no: string;
  type: ReturnType;
  warehouse_code: string;
  reason: string;
  body_hash: string;
  status: ReturnStatus;
  status_since: Date;
  push_revision: number;
  workflow_id: string | null;
  isv_rtw_num: string | null;
  eclp_rtw_no: string | null;
  eclp_so_no: string | null;
  jd_warehouse_no: string | null;
  jd_status: string | null;
  failure_reason: string | null;
  failure_stage: ReturnFailureStage | null;
  reject_reason: string | null;
  replacement_order_no: string | null;
  attention: string | null;
  attention_since: Date | null;
  /** A DRAFT made when an order shipped although JD refused its refund: that refund's request. */
  cancel_request_id: string | null;
}

export interface ReturnLineRow {
  return_no: string;
  line_no: number;
  sku: string;
  quantity: number;
  received_quantity: number | null;
  goods_level: string | null;
}

export interface SalesReturnReceiptRow {
  receipt_no: string;
  return_no: string;
  push_revision: number;
  eclp_rtw_no: string;
  warehouse_code: string;
  jd_status: string;
  created_at: Date;
}

export interface SalesReturnReceiptLineRow {
  receipt_no: string;
  sku: string;
  quantity: number;
  goods_level: string | null;
}

export interface ReturnRequestRow {
  request_id: string;
  return_no: string;
  push_revision: number;
  kind: 'cancel';
  reason: string | null;
  actor_role: string;
  source: CancelSource;
  status_at_request: ReturnStatus | null;
  verdict: ReturnVerdict | null;
  resulting_status: ReturnStatus | null;
  jd_message: string | null;
  requested_at: Date;
  decided_at: Date | null;
}

export type PurchaseOrderSerialStatus = 'pending' | 'uploaded' | 'failed';

export interface PurchaseOrderSerialRow {
  batch_id: string;
  po_no: string;
  sku: string;
  serial_nos: string[];
  status: PurchaseOrderSerialStatus;
  jd_result: string | null;
  error: string | null;
  version: number | null;
  created_at: Date;
  uploaded_at: Date | null;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRow extends Timestamps {
  event_id: string;
  event_type: string;
  doc_type: string;
  doc_key: string;
  /** json: the event as sent. */
  payload: Record<string, unknown>;
  status: WebhookDeliveryStatus;
  attempts: number;
  redeliveries: number;
  last_error: string | null;
  last_http_status: number | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
}

/**
 * What an insert or update may give each column: a value of the row's type, another form pg takes where
 * we pass one (`Inputs`: ISO text for a timestamp, JSON text or a value for jsonb, a number for numeric),
 * or SQL such as `now()`. Whether a NOT NULL column is given is left to the database.
 */
export type Writes<Row, Inputs extends { [K in keyof Row]?: unknown } = object> = {
  [K in keyof Row]?: (K extends keyof Inputs ? Inputs[K] : Row[K]) | Knex.Raw;
};

type Table<Row, Inputs extends { [K in keyof Row]?: unknown } = object> = Knex.CompositeTableType<Row, Writes<Row, Inputs>, Writes<Row, Inputs>>;

/** The shipment's time arrives as ISO text (it crossed Temporal as JSON) and is stored as given; so does a hold's `until`. */
type SalesOrderInputs = { shipped_at: string; hold_until: string | null };
/** A hold's `until` as the request gave it (ISO text). */
type CancelRequestInputs = { hold_until: string | null };
export type SalesOrderWrites = Writes<SalesOrderRow, SalesOrderInputs>;

declare module 'knex/types/tables' {
  interface Tables {
    operation_log: Table<OperationLogRow, { detail: string | Record<string, unknown> | null }>;
    warehouses: Table<WarehouseRow>;
    carriers: Table<CarrierRow>;
    suppliers: Table<SupplierRow>;
    categories: Table<CategoryRow>;
    goods: Table<GoodsRow>;
    goods_barcodes: Table<GoodsBarcodeRow>;
    sales_orders: Table<SalesOrderRow, SalesOrderInputs>;
    sales_order_lines: Table<SalesOrderLineRow, { price: number }>;
    cancel_requests: Table<SalesOrderCancelRequestRow, CancelRequestInputs>;
    stock_ledger: Table<StockLedgerRow>;
    webhook_deliveries: Table<WebhookDeliveryRow, { payload: string }>;
    purchase_orders: Table<PurchaseOrderRow>;
    purchase_order_lines: Table<PurchaseOrderLineRow, { unit_price: number | null }>;
    purchase_receipts: Table<PurchaseReceiptRow>;
    purchase_receipt_lines: Table<PurchaseReceiptLineRow>;
    purchase_order_requests: Table<PurchaseOrderRequestRow>;
    purchase_order_serials: Table<PurchaseOrderSerialRow>;
    returns: Table<ReturnRow>;
    return_lines: Table<ReturnLineRow>;
    sales_return_receipts: Table<SalesReturnReceiptRow>;
    sales_return_receipt_lines: Table<SalesReturnReceiptLineRow>;
    return_requests: Table<ReturnRequestRow>;
  }
}
