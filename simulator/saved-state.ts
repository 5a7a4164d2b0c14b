// The state file's format, version 1: what a simulator restart must not forget — master goods, documents
// with their histories, stock movements, serials, catalogue additions and the number counters. Faults,
// call counters and the timeline are settings of one run and are deliberately left out: the startup
// options decide them again, as after POST /_sim/reset.
//
// Reading is strict (a schema per record, typed against the model interfaces so a model change that the
// file cannot carry fails to compile) but keeps fields it does not know, so a field added to a model as
// optional is never silently dropped on a round trip. A change the old reader cannot understand needs a
// new SAVED_STATE_VERSION.
import { z } from 'zod';
import type { CatalogueAdditions } from './model/catalogue';
import type { Goods } from './model/goods';
import { PoStatus, type PurchaseOrder } from './model/purchase-orders';
import { RtwStatus, type ReturnOrder } from './model/returns';
import type { SalesOrder } from './model/sales-orders';
import type { SerialSnapshot } from './model/serials';
import type { StockMovement } from './model/stock';
import type { SimulatorState } from './state';

export const SAVED_STATE_VERSION = 1;

export interface SavedState {
  version: typeof SAVED_STATE_VERSION;
  /** Last value issued per number prefix (EMG, EPL, ESL, ESR, JDV). */
  numbers: Record<string, number>;
  catalogue: Required<CatalogueAdditions>;
  goods: Goods[];
  purchaseOrders: PurchaseOrder[];
  salesOrders: SalesOrder[];
  returns: ReturnOrder[];
  /** Stock levels are rebuilt from these, so the two can never disagree. */
  stockMovements: StockMovement[];
  serials: SerialSnapshot;
}

const text = z.string();
const quantity = z.number().finite();
const epochMs = z.number().int().nonnegative();
const record = z.looseObject;

const goodsSchema: z.ZodType<Goods> = record({
  goodsNo: text,
  isvGoodsNo: text,
  deptNo: text,
  goodsName: text,
  barcodes: z.array(text),
  thirdCategoryNo: text,
  safeDays: quantity,
  serial: text,
  createTime: text,
});

const purchaseOrderSchema: z.ZodType<PurchaseOrder> = record({
  poOrderNo: text,
  spPoOrderNo: text,
  deptNo: text,
  whNo: text,
  supplierNo: text,
  inboundRemark: text.optional(),
  status: z.enum(PoStatus),
  createTime: text,
  operTime: text,
  completeTime: text.optional(),
  closeTime: text.optional(),
  lines: z.array(
    record({
      orderLine: text,
      goodsNo: text,
      isvGoodsNo: text,
      numApplication: quantity,
      goodsStatus: text,
      unitPrice: quantity.optional(),
      realInstoreQty: quantity,
      shortQty: quantity,
      damagedQty: quantity.optional(),
    }),
  ),
  acceptedAt: epochMs,
  timelineBatches: z.number().int().nonnegative().optional(),
});

const salesOrderSchema: z.ZodType<SalesOrder> = record({
  eclpSoNo: text,
  isvUUID: text,
  isvSource: text,
  shopNo: text.optional(),
  departmentNo: text,
  warehouseNo: text,
  shipperNo: text,
  salePlatformSource: text,
  salesPlatformOrderNo: text.optional(),
  salesPlatformCreateTime: text.optional(),
  soType: text,
  orderMark: text,
  receivable: text.optional(),
  sellerRemark: text.optional(),
  consignee: record({
    name: text,
    mobile: text.optional(),
    phone: text.optional(),
    email: text.optional(),
    address: text,
    province: text.optional(),
    city: text.optional(),
    county: text.optional(),
    town: text.optional(),
    postcode: text.optional(),
  }),
  lines: z.array(record({ orderLine: text, goodsNo: text, isvGoodsNo: text, goodsName: text, quantity, price: quantity.optional(), realOutQty: quantity.optional() })),
  history: z.array(record({ soStatusCode: text, soStatusName: text, operateTime: text, operateUser: text })).min(1),
  wayBill: text.optional(),
  cancelReason: text.optional(),
  createTime: text,
  acceptedAt: epochMs,
});

const returnSchema: z.ZodType<ReturnOrder> = record({
  eclpRtwNo: text,
  isvRtwNum: text,
  eclpSoNo: text,
  spSoNo: text.optional(),
  deptNo: text,
  warehouseNo: text,
  reason: text.optional(),
  orderInType: text,
  status: z.enum(RtwStatus),
  createTime: text,
  updateTime: text,
  finishTime: text.optional(),
  rejectReason: text.optional(),
  cancelReason: text.optional(),
  lines: z.array(record({ goodsNo: text, isvGoodsNo: text, planQty: quantity, realQty: quantity, goodsLevel: text.optional() })),
  acceptedAt: epochMs,
});

const stockMovementSchema: z.ZodType<StockMovement> = record({
  at: text,
  warehouseNo: text,
  goodsNo: text,
  quantity,
  reason: z.enum(['PO_RECEIPT', 'RETURN_RECEIPT', 'SHIPMENT']),
  billNo: text,
});

const uploadedSerial = record({ goodsNo: text, serialNumber: text });
const serialsSchema: z.ZodType<SerialSnapshot> = record({
  pending: z.record(text, z.array(uploadedSerial)),
  records: z.array(
    record({ serialNumber: text, goodsNo: text, isvGoodsNo: text, warehouseNo: text, billNo: text, billType: text, createTime: text }),
  ),
  inStock: z.record(text, z.array(text)),
});

const catalogueSchema: z.ZodType<Required<CatalogueAdditions>> = record({
  warehouses: z.array(record({ warehouseNo: text, name: text })),
  shippers: z.array(record({ shipperNo: text, name: text })),
  suppliers: z.array(record({ supplierNo: text, name: text })),
  categories: z.array(record({ firstNo: text, secondNo: text, thirdNo: text, name: text })),
});

const savedStateSchema: z.ZodType<SavedState> = z.object({
  version: z.literal(SAVED_STATE_VERSION),
  numbers: z.record(text, z.number().int().nonnegative()),
  catalogue: catalogueSchema,
  goods: z.array(goodsSchema),
  purchaseOrders: z.array(purchaseOrderSchema),
  salesOrders: z.array(salesOrderSchema),
  returns: z.array(returnSchema),
  stockMovements: z.array(stockMovementSchema),
  serials: serialsSchema,
});

/** The state file's text for the current state (compact: it is rewritten often and read by machines). */
export function serializeState(state: SimulatorState): string {
  const { warehouses, shippers, suppliers, categories } = state.catalogue.snapshot();
  const saved: SavedState = {
    version: SAVED_STATE_VERSION,
    numbers: state.numbers.snapshot(),
    catalogue: { warehouses, shippers, suppliers, categories },
    goods: state.goods.list(),
    purchaseOrders: state.purchaseOrders.list(),
    salesOrders: state.salesOrders.list(),
    returns: state.returns.list(),
    stockMovements: state.stock.snapshot().movements,
    serials: state.serials.snapshot(),
  };
  return JSON.stringify(saved);
}

export type ParsedState =
  | { ok: true; saved: SavedState }
  | { ok: false; problem: 'unknown-version' | 'corrupt'; detail: string };

/**
 * Reads a state file's text. The detail names what is wrong but never quotes the content: the file holds
 * consignees' names, phones and addresses.
 */
export function parseSavedState(fileText: string): ParsedState {
  let json: unknown;
  try {
    json = JSON.parse(fileText);
  } catch {
    return { ok: false, problem: 'corrupt', detail: 'not valid JSON' };
  }
  const version = json !== null && typeof json === 'object' ? (json as { version?: unknown }).version : undefined;
  if (typeof version !== 'number') return { ok: false, problem: 'corrupt', detail: 'no format version' };
  if (version !== SAVED_STATE_VERSION) {
    return { ok: false, problem: 'unknown-version', detail: `format version ${version}, this simulator reads version ${SAVED_STATE_VERSION}` };
  }
  const parsed = savedStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: 'corrupt', detail: `${issue?.message ?? 'invalid'} at ${issue?.path.join('.') || '(root)'}` };
  }
  return { ok: true, saved: parsed.data };
}

/** Loads a saved state into a freshly constructed one (before it serves calls or runs a timeline). */
export function restoreState(state: SimulatorState, saved: SavedState): void {
  state.numbers.restore(saved.numbers);
  state.catalogue.add(saved.catalogue);
  for (const goods of saved.goods) state.goods.add(goods);
  for (const order of saved.purchaseOrders) state.purchaseOrders.add(order);
  for (const order of saved.salesOrders) state.salesOrders.add(order);
  for (const order of saved.returns) state.returns.add(order);
  for (const movement of saved.stockMovements) state.stock.move(movement);
  state.serials.restore(saved.serials);
}
