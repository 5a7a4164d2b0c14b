// Sales outbound orders (eclp-api.md §3.7–§3.9, §3.15a): create, cancel, detail, lookup by isvUUID.
import { formatBusinessDate } from '../protocol';
import { compact, roundAmount, goodsColumns, type GoodsReference, lineColumn, listField, numeric, objects, requireObject, requireText, strings, text } from '../fields';
import { malformed } from '../envelope';
import { EclpMethod } from '../methods';
import { describeSoStatus, type SoHistoryEntry, type SoStatusName, type StatusInfo } from '../status';
import { type JdCancelResult, readCancelResult } from './cancel';
import type { ApiContext } from './context';

/**
 * Values JD requires and the ERP has no notion of (eclp-api.md §3.7): `salePlatformSource` 6 = other
 * platform, `orderMark` all '0' (no cash on delivery, no special handling), `soType` 1 = B2C.
 */
export const SALES_ORDER_DEFAULTS = {
  salePlatformSource: '6',
  orderMark: '0'.repeat(50),
  soType: 1,
} as const;

export interface Consignee {
  name: string;
  /** At least one of mobile and phone. */
  mobile?: string;
  phone?: string;
  email?: string;
  /** Names as in JD's address library. */
  province?: string;
  city?: string;
  county?: string;
  town?: string;
  address: string;
  postcode?: string;
}

export interface SalesOrderLineInput extends GoodsReference {
  quantity: number;
  /** Unit price printed on the waybill. */
  price: number;
}

export interface AddOrderInput {
  /** The merchant's outbound number, JD's uniqueness key for the order (e.g. `{orderNo}-{pushRevision}`). */
  isvUuid: string;
  /** The order number on the sales platform (shop). */
  shopOrderNo?: string;
  warehouseNo: string;
  /** Carrier; JD defaults to JD Express. */
  shipperNo?: string;
  consignee: Consignee;
  lines: ReadonlyArray<SalesOrderLineInput>;
  /** Seller's remark (printed for the warehouse). */
  remark?: string;
  /** The buyer's own remark. */
  buyerRemark?: string;
  orderedAt?: Date;
  expectedDeliveryDate?: Date;
  orderAmount?: number;
}

export interface AddOrderResult {
  /** ECLP sales outbound number, `ESL…`. */
  eclpSoNo: string;
}

export async function addOrder(context: ApiContext, input: AddOrderInput): Promise<AddOrderResult> {
  const method = EclpMethod.ADD_ORDER;
  const { consignee, lines, orderedAt, expectedDeliveryDate } = input;
  const envelope = await context.gateway.call(method, {
    isvUUID: input.isvUuid,
    isvSource: context.merchant.isvSource,
    shopNo: context.merchant.shopNo,
    departmentNo: context.merchant.deptNo,
    ...SALES_ORDER_DEFAULTS,
    salesPlatformOrderNo: input.shopOrderNo,
    salesPlatformCreateTime: orderedAt === undefined ? undefined : formatBusinessDate(orderedAt),
    expectDate: expectedDeliveryDate === undefined ? undefined : formatBusinessDate(expectedDeliveryDate),
    warehouseNo: input.warehouseNo,
    shipperNo: input.shipperNo,
    consigneeName: consignee.name,
    consigneeMobile: consignee.mobile,
    consigneePhone: consignee.phone,
    consigneeEmail: consignee.email,
    addressProvince: consignee.province,
    addressCity: consignee.city,
    addressCounty: consignee.county,
    addressTown: consignee.town,
    consigneeAddress: consignee.address,
    consigneePostcode: consignee.postcode,
    sellerRemark: input.remark,
    consigneeRemark: input.buyerRemark,
    orderPrice: input.orderAmount === undefined ? undefined : roundAmount(input.orderAmount),
    ...goodsColumns(method, lines, { goodsNo: 'goodsNo', isvGoodsNo: 'isvGoodsNo' }),
    quantity: lineColumn(method, 'quantity', lines.map((line) => line.quantity)),
    price: lineColumn(method, 'price', lines.map((line) => roundAmount(line.price))),
  });
  return { eclpSoNo: requireText(envelope, 'eclpSoNo', { method, reportedUrl: context.gateway.reportedUrl }) };
}

/** Cancels at JD; `refused` once the warehouse has gone past picking (eclp-api.md §4.1). */
export async function cancelOrder(context: ApiContext, eclpSoNo: string): Promise<JdCancelResult> {
  const method = EclpMethod.CANCEL_ORDER;
  const envelope = await context.gateway.call(method, { eclpSoNo });
  return readCancelResult(envelope, 'cancelorder_result', { method, reportedUrl: context.gateway.reportedUrl });
}

export interface SalesOrderHistoryEntry extends SoHistoryEntry {
  /** JD's `soStatusName`, verbatim. */
  jdName?: string;
  operator?: string;
}

export interface SalesOrderLineState {
  goodsNo?: string;
  isvGoodsNo?: string;
  quantity?: number;
  /** `realOutQty`, when JD reports it. */
  shippedQty?: number;
  price?: number;
}

export interface SalesOrderPackage {
  packageNo?: string;
  wayBill?: string;
  weight?: number;
}

export interface SalesOrderDetail {
  eclpSoNo: string;
  isvUuid?: string;
  shopOrderNo?: string;
  warehouseNo?: string;
  shipperNo?: string;
  shipperName?: string;
  currentStatus: StatusInfo<SoStatusName>;
  /** In JD's order. */
  history: SalesOrderHistoryEntry[];
  /** Waybill numbers, one per parcel; empty until shipped. */
  wayBills: string[];
  lines: SalesOrderLineState[];
  packages: SalesOrderPackage[];
}

/** The order's current status, history, waybills and lines. Consignee data is deliberately not read. */
export async function queryOrder(context: ApiContext, eclpSoNo: string): Promise<SalesOrderDetail> {
  const method = EclpMethod.QUERY_ORDER;
  const envelope = await context.gateway.call(method, { eclpSoNo });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  const order = requireObject(envelope, 'queryorder_result', resultContext);

  const history = objects(order['orderStatusList']).map((entry) =>
    compact({
      status: describeSoStatus(requireText(entry, 'soStatusCode', resultContext)),
      jdName: text(entry['soStatusName']),
      operatedAt: text(entry['operateTime']),
      operator: text(entry['operateUser']),
    }),
  );
  // currentStatus is JD's own summary; without it the newest history step is the best evidence.
  const current = text(order['currentStatus']) || latest(history)?.status.code;
  if (current === undefined) throw malformed('has neither currentStatus nor a status history', resultContext);

  const packages = objects(order['orderPackageList']).map((parcel) =>
    compact({ packageNo: text(parcel['packageNo']), wayBill: text(parcel['wayBill']), weight: numeric(parcel['packWeight']) }),
  );
  const wayBills = strings(order['wayBill']).filter((no) => no !== '');
  return compact({
    eclpSoNo: text(order['eclpSoNo']) || eclpSoNo,
    isvUuid: text(order['isvUUID']),
    shopOrderNo: text(order['salesPlatformOrderNo']),
    warehouseNo: text(order['warehouseNo']),
    shipperNo: text(order['shipperNo']),
    shipperName: text(order['shipperName']),
    currentStatus: describeSoStatus(current),
    history,
    wayBills: wayBills.length > 0 ? wayBills : [...new Set(packages.flatMap((parcel) => (parcel.wayBill ? [parcel.wayBill] : [])))],
    lines: objects(order['orderDetailList']).map((line) =>
      compact({
        goodsNo: text(line['goodsNo']),
        isvGoodsNo: text(line['isvGoodsNo']),
        quantity: numeric(line['quantity']),
        shippedQty: numeric(line['realOutQty']),
        price: numeric(line['price']),
      }),
    ),
    packages,
  });
}

/** The entry with the latest operateTime (same-format strings sort chronologically); ties go to the later entry. */
function latest(history: ReadonlyArray<SalesOrderHistoryEntry>): SalesOrderHistoryEntry | undefined {
  return history.reduce<SalesOrderHistoryEntry | undefined>(
    (best, entry) => (best === undefined || (entry.operatedAt ?? '') >= (best.operatedAt ?? '') ? entry : best),
    undefined,
  );
}

export interface SubmittedSalesOrder {
  isvUuid: string;
  shopOrderNo?: string;
  /** Absent when JD knows the isvUUID but has no outbound number for it: the create did not land. */
  eclpSoNo?: string;
  wayBills: string[];
  /** `mainStatus`, a sales-outbound status code. */
  status?: StatusInfo<SoStatusName>;
  resultCode?: string;
  resultMessage?: string;
  operatedAt?: string;
}

/**
 * Looks sales outbounds up by our own numbers (`order.ext.queryOrder`, up to 100 per call): the check
 * after an ambiguous addOrder, and a batch status poll. isvUUIDs JD does not know are absent.
 */
export async function queryOrdersByIsvUuid(context: ApiContext, isvUuids: ReadonlyArray<string>): Promise<SubmittedSalesOrder[]> {
  const method = EclpMethod.QUERY_ORDERS_BY_ISV_UUID;
  if (isvUuids.length === 0) return [];
  const envelope = await context.gateway.call(method, {
    isvUUID: listField(method, 'isvUuids', isvUuids),
    isvSource: context.merchant.isvSource,
    departmentNo: context.merchant.deptNo,
  });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  return objects(envelope['queryorder_result']).map((row) => {
    const mainStatus = text(row['mainStatus']);
    return compact({
      isvUuid: requireText(row, 'isvUUID', resultContext),
      shopOrderNo: text(row['spSoNo']) || undefined,
      eclpSoNo: text(row['eclpSoNo']) || undefined,
      wayBills: strings(row['wayBill']).filter((no) => no !== ''),
      status: mainStatus === undefined || mainStatus === '' ? undefined : describeSoStatus(mainStatus),
      resultCode: text(row['resultCode']),
      resultMessage: text(row['resultMessage']),
      operatedAt: text(row['operTime']),
    });
  });
}
