// The /_sim/ control API: plain JSON, no JD signature. Tests, the demo and the benchmark use it to set
// scenarios (timeline, catalogue, faults), to move documents by hand and to inspect what JD "knows".
import express from 'express';
import { z } from 'zod';
import { BusinessError, MoveRefused, UnknownDocument } from './errors';
import { DUPLICATE_ISV_UUID_ANSWERS, DUPLICATE_SP_PO_ORDER_NO_ANSWERS } from './behaviour';
import { BUSY_CODES, FAULT_KINDS, MAY_HAVE_COMMITTED_CODES } from './faults';
import { WAREHOUSE_CANCEL_OUTCOMES } from './model/purchase-orders';
import { GOODS_LEVELS, WAREHOUSE_CANCEL_OUTCOMES as RTW_WAREHOUSE_CANCEL_OUTCOMES } from './model/returns';
import { currentStatus, type SalesOrder } from './model/sales-orders';
import { BillType } from './model/serials';
import type { SimulatorLogger } from './logger';
import type { Operations } from './operations';

const delay = z.number().int().min(0).nullable();
const timelinePatch = z.strictObject({
  salesOrder: z.strictObject({ pickAfterMs: delay, packAfterMs: delay, shipAfterMs: delay, deliverAfterMs: delay }).partial().optional(),
  purchaseOrder: z
    .strictObject({
      initialiseAfterMs: delay,
      receiveAfterMs: delay,
      receiptBatches: z.number().int().min(1).max(1000),
      receiptIntervalMs: z.number().int().min(0),
      shortRatio: z.number().min(0).lt(1),
    })
    .partial()
    .optional(),
  returnOrder: z.strictObject({ initialiseAfterMs: delay, receiveAfterMs: delay, shortRatio: z.number().min(0).lt(1) }).partial().optional(),
});

const code = z.string().min(1);
const catalogueAdditions = z.strictObject({
  warehouses: z.array(z.strictObject({ warehouseNo: code, name: z.string() })).optional(),
  shippers: z.array(z.strictObject({ shipperNo: code, name: z.string() })).optional(),
  suppliers: z.array(z.strictObject({ supplierNo: code, name: z.string() })).optional(),
  categories: z.array(z.strictObject({ firstNo: code, secondNo: code, thirdNo: code, name: z.string() })).optional(),
});

// quantity = good units put away, defectiveQty = units that arrived defective (reported as damagedQty).
const poReceiptLines = z
  .array(
    z
      .strictObject({ goodsNo: code, quantity: z.number().int().min(0), defectiveQty: z.number().int().min(0).optional() })
      .refine((l) => l.quantity + (l.defectiveQty ?? 0) >= 1, { message: 'a line receives at least one unit (quantity + defectiveQty)', path: ['quantity'] }),
  )
  .min(1);
const poReceipt = z.strictObject({ lines: poReceiptLines.optional(), complete: z.boolean().optional() });
const poWarehouseCancel = z.strictObject({ outcome: z.enum(WAREHOUSE_CANCEL_OUTCOMES).optional() });
// goodsLevel = the level the goods came back in (100 good, 200 defective, 400 dirty); default: as asked.
const returnReceiptLines = z.array(z.strictObject({ goodsNo: code, quantity: z.number().int().min(0), goodsLevel: z.enum(GOODS_LEVELS as [string, ...string[]]).optional() })).min(1);
const returnReceipt = z.strictObject({ lines: returnReceiptLines.optional() });
// overdue: 500 超期拒收 instead of 600 整单拒收.
const returnRejection = z.strictObject({ reason: z.string().optional(), overdue: z.boolean().optional() });
const returnWarehouseCancel = z.strictObject({ outcome: z.enum(RTW_WAREHOUSE_CANCEL_OUTCOMES).optional(), reason: z.string().optional() });
const withReason = z.strictObject({ reason: z.string().optional() });
const shipment = z.strictObject({
  // "a,b" = one waybill per parcel, as JD's queryOrder reports a multi-parcel shipment.
  wayBill: code.regex(/^[^,]+(,[^,]+)*$/, 'comma-separated waybill numbers, none empty').optional(),
  lines: z
    .array(
      z
        .strictObject({ goodsNo: code.optional(), isvGoodsNo: code.optional(), realOutQty: z.number().int().min(0) })
        .refine((l) => (l.goodsNo === undefined) !== (l.isvGoodsNo === undefined), { message: 'name the line by exactly one of goodsNo / isvGoodsNo', path: ['goodsNo'] }),
    )
    .min(1)
    .optional(),
});

const behaviourPatch = z
  .strictObject({
    duplicateIsvUuid: z.enum(DUPLICATE_ISV_UUID_ANSWERS),
    lookupLagMs: z.number().int().min(0),
    duplicateSpPoOrderNo: z.enum(DUPLICATE_SP_PO_ORDER_NO_ANSWERS),
  })
  .partial();

const faultSpec = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    method: code.optional(),
    next: z.number().int().min(1).optional(),
    rate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().min(0).optional(),
    message: z.string().min(1).optional(),
    code: z.enum(BUSY_CODES).optional(),
  })
  .refine((f) => f.next === undefined || f.rate === undefined, { message: 'give either next or rate, not both', path: ['rate'] })
  .refine((f) => f.code === undefined || f.kind === 'busy' || f.kind === 'busyAfterCommit', { message: 'code is for busy and busyAfterCommit faults', path: ['code'] })
  .refine((f) => f.kind !== 'busyAfterCommit' || f.code === undefined || (MAY_HAVE_COMMITTED_CODES as readonly string[]).includes(f.code), {
    message: `busyAfterCommit answers one of ${MAY_HAVE_COMMITTED_CODES.join(', ')} (66 says the call never reached the backend)`,
    path: ['code'],
  });

const serialSeed = z.strictObject({
  goodsNo: code,
  serialNumbers: z.array(code).min(1),
  billNo: code.optional(),
  billType: z.enum(Object.values(BillType) as [string, ...string[]]).optional(),
  warehouseNo: code.optional(),
  inStock: z.boolean().optional(),
});

// A stock movement JD made that no document of ours caused (a stock-take correction, a receipt the ERP never
// heard of): `quantity` is signed, or `level` sets the figure; the goods by goodsNo or isvGoodsNo.
const stockPlant = z
  .strictObject({
    warehouseNo: code.optional(),
    goodsNo: code.optional(),
    isvGoodsNo: code.optional(),
    quantity: z.number().int().refine((q) => q !== 0, 'must not be 0').optional(),
    level: z.number().int().optional(),
    billNo: code.optional(),
  })
  .refine((s) => (s.goodsNo === undefined) !== (s.isvGoodsNo === undefined), { message: 'name the goods by exactly one of goodsNo / isvGoodsNo', path: ['goodsNo'] })
  .refine((s) => (s.quantity === undefined) !== (s.level === undefined), { message: 'give exactly one of quantity (a movement) / level (the new figure)', path: ['quantity'] });

/** Parses a JSON body (absent body = {}); a schema violation becomes a 400 with the issues. */
function body<T>(schema: z.ZodType<T>, req: express.Request): T {
  return schema.parse(req.body ?? {});
}

function salesOrderView(order: SalesOrder) {
  return structuredClone({ ...order, currentStatus: currentStatus(order) });
}

export function controlRouter(ops: Operations, logger: SimulatorLogger): express.Router {
  const { state } = ops;
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  // Any control but a read may change what is remembered; the state file (if any) picks it up.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', () => state.changed());
    next();
  });

  router.get('/', (_req, res) => {
    res.json({
      controls: [
        'POST /_sim/reset', 'GET /_sim/state', 'GET /_sim/stats', 'POST /_sim/stats/reset',
        'GET|PUT /_sim/timeline', 'GET|POST /_sim/behaviour', 'GET|POST /_sim/catalogue',
        'GET /_sim/sales-orders?isvUUID=', 'GET /_sim/sales-orders/:eclpSoNo',
        'POST /_sim/sales-orders/:eclpSoNo/{pick,pack,ship,deliver,cancel}',
        'GET /_sim/purchase-orders/:poOrderNo', 'POST /_sim/purchase-orders/:poOrderNo/{initialise,receive,cancel}',
        'GET /_sim/returns/:eclpRtwNo', 'POST /_sim/returns/:eclpRtwNo/{initialise,receive,reject,cancel,report}',
        'GET|POST|DELETE /_sim/faults', 'DELETE /_sim/faults/:id', 'POST /_sim/serials', 'POST /_sim/stock',
      ],
    });
  });

  router.post('/reset', (_req, res) => {
    ops.reset();
    res.status(204).end();
  });
  router.get('/state', (_req, res) => {
    res.json(state.snapshot());
  });

  router.get('/stats', (_req, res) => {
    res.json(state.stats.snapshot());
  });
  router.post('/stats/reset', (_req, res) => {
    state.stats.reset();
    res.status(204).end();
  });

  router.get('/timeline', (_req, res) => {
    res.json(state.timeline);
  });
  router.put('/timeline', (req, res) => {
    res.json(ops.setTimeline(body(timelinePatch, req)));
  });

  router.get('/behaviour', (_req, res) => {
    res.json(state.behaviour);
  });
  router.post('/behaviour', (req, res) => {
    state.behaviour = { ...state.behaviour, ...body(behaviourPatch, req) };
    res.json(state.behaviour);
  });

  router.get('/catalogue', (_req, res) => {
    res.json(state.catalogue.snapshot());
  });
  router.post('/catalogue', (req, res) => {
    state.catalogue.add(body(catalogueAdditions, req));
    res.json(state.catalogue.snapshot());
  });

  router.get('/sales-orders', (req, res) => {
    const isvUUID = typeof req.query.isvUUID === 'string' ? req.query.isvUUID : undefined;
    const orders = isvUUID === undefined ? state.salesOrders.list() : [state.salesOrders.findByIsvUUID(isvUUID)].filter((o) => o !== undefined);
    res.json(orders.map(salesOrderView));
  });
  router.get('/sales-orders/:eclpSoNo', (req, res) => {
    res.json(salesOrderView(ops.requireSalesOrder(req.params.eclpSoNo)));
  });
  router.post('/sales-orders/:eclpSoNo/pick', (req, res) => {
    res.json(salesOrderView(ops.pickSalesOrder(req.params.eclpSoNo)));
  });
  router.post('/sales-orders/:eclpSoNo/pack', (req, res) => {
    res.json(salesOrderView(ops.packSalesOrder(req.params.eclpSoNo)));
  });
  router.post('/sales-orders/:eclpSoNo/ship', (req, res) => {
    const { wayBill, lines } = body(shipment, req);
    res.json(salesOrderView(ops.shipSalesOrder(req.params.eclpSoNo, wayBill, lines)));
  });
  router.post('/sales-orders/:eclpSoNo/deliver', (req, res) => {
    res.json(salesOrderView(ops.deliverSalesOrder(req.params.eclpSoNo)));
  });
  router.post('/sales-orders/:eclpSoNo/cancel', (req, res) => {
    const { reason } = body(withReason, req);
    res.json(salesOrderView(ops.cancelSalesOrderByWarehouse(req.params.eclpSoNo, reason ?? '仓库取消')));
  });

  router.get('/purchase-orders/:poOrderNo', (req, res) => {
    res.json(structuredClone(ops.requirePurchaseOrder(req.params.poOrderNo)));
  });
  router.post('/purchase-orders/:poOrderNo/receive', (req, res) => {
    const { lines, complete } = body(poReceipt, req);
    res.json(structuredClone(ops.receivePurchaseOrder(req.params.poOrderNo, lines, complete ?? true)));
  });
  router.post('/purchase-orders/:poOrderNo/initialise', (req, res) => {
    res.json(structuredClone(ops.initialisePurchaseOrder(req.params.poOrderNo)));
  });
  // The warehouse's own cancel: {outcome: cancelling (90) | cancelled (91, default) | cancel-failed (92)}.
  router.post('/purchase-orders/:poOrderNo/cancel', (req, res) => {
    const { outcome } = body(poWarehouseCancel, req);
    res.json(structuredClone(ops.cancelPurchaseOrderByWarehouse(req.params.poOrderNo, outcome ?? 'cancelled')));
  });

  router.get('/returns/:eclpRtwNo', (req, res) => {
    res.json(structuredClone(ops.requireReturn(req.params.eclpRtwNo)));
  });
  router.post('/returns/:eclpRtwNo/receive', (req, res) => {
    const { lines } = body(returnReceipt, req);
    res.json(structuredClone(ops.receiveReturn(req.params.eclpRtwNo, lines)));
  });
  router.post('/returns/:eclpRtwNo/initialise', (req, res) => {
    res.json(structuredClone(ops.initialiseReturn(req.params.eclpRtwNo)));
  });
  router.post('/returns/:eclpRtwNo/reject', (req, res) => {
    const { reason, overdue } = body(returnRejection, req);
    res.json(structuredClone(ops.rejectReturn(req.params.eclpRtwNo, reason ?? (overdue ? '超期拒收' : '仓库拒收'), overdue ?? false)));
  });
  // The warehouse's own cancel: {outcome: cancelling (300) | cancelled (400, default), reason}.
  router.post('/returns/:eclpRtwNo/cancel', (req, res) => {
    const { outcome, reason } = body(returnWarehouseCancel, req);
    res.json(structuredClone(ops.cancelReturnByWarehouse(req.params.eclpRtwNo, outcome ?? 'cancelled', reason ?? '仓库取消')));
  });
  // 700 已反馈商家: the warehouse reports the return to the merchant; it stays open.
  router.post('/returns/:eclpRtwNo/report', (req, res) => {
    res.json(structuredClone(ops.reportReturnToMerchant(req.params.eclpRtwNo)));
  });

  router.get('/faults', (_req, res) => {
    res.json(state.faults.list());
  });
  router.post('/faults', (req, res) => {
    res.status(201).json(state.faults.add(body(faultSpec, req)));
  });
  router.delete('/faults', (_req, res) => {
    state.faults.clear();
    res.status(204).end();
  });
  router.delete('/faults/:id', (req, res) => {
    if (!state.faults.remove(req.params.id)) throw new UnknownDocument('fault', req.params.id);
    res.status(204).end();
  });

  router.post('/serials', (req, res) => {
    const seed = body(serialSeed, req);
    const goods = state.goods.find(seed.goodsNo);
    if (!goods) throw new UnknownDocument('goods', seed.goodsNo);
    const warehouseNo = seed.warehouseNo ?? state.catalogue.defaultWarehouseNo() ?? '';
    if (!state.catalogue.findWarehouse(warehouseNo)) throw new UnknownDocument('warehouse', warehouseNo);
    const at = ops.stamp();
    const billNo = seed.billNo ?? 'SIM-SEED';
    const billType = seed.billType ?? BillType.PURCHASE_INBOUND;
    state.serials.seed(
      seed.serialNumbers.map((serialNumber) => ({ serialNumber, goodsNo: goods.goodsNo, isvGoodsNo: goods.isvGoodsNo, warehouseNo, billNo, billType, createTime: at })),
      seed.inStock ?? true,
    );
    res.status(201).json({ goodsNo: goods.goodsNo, billNo, billType, warehouseNo, inStock: state.serials.inStockFor(goods.goodsNo) });
  });

  // Plants a stock movement (a receipt when it adds, a shipment when it takes); answers the new level.
  router.post('/stock', (req, res) => {
    const plant = body(stockPlant, req);
    const goods = plant.goodsNo !== undefined ? state.goods.find(plant.goodsNo) : state.goods.findByIsvGoodsNo(plant.isvGoodsNo!);
    if (!goods) throw new UnknownDocument('goods', plant.goodsNo ?? plant.isvGoodsNo!);
    const warehouseNo = plant.warehouseNo ?? state.catalogue.defaultWarehouseNo() ?? '';
    if (!state.catalogue.findWarehouse(warehouseNo)) throw new UnknownDocument('warehouse', warehouseNo);
    const quantity = plant.quantity ?? plant.level! - state.stock.quantity(warehouseNo, goods.goodsNo);
    if (quantity !== 0) {
      state.stock.move({ at: ops.stamp(), warehouseNo, goodsNo: goods.goodsNo, quantity, reason: quantity > 0 ? 'PO_RECEIPT' : 'SHIPMENT', billNo: plant.billNo ?? 'SIM-PLANTED' });
    }
    res.status(201).json({ warehouseNo, goodsNo: goods.goodsNo, isvGoodsNo: goods.isvGoodsNo, totalNum: state.stock.quantity(warehouseNo, goods.goodsNo) });
  });

  router.use((_req, res) => {
    res.status(404).json({ error: 'no such control; GET /_sim/ lists them' });
  });

  // Express calls this for anything a route throws, including malformed JSON bodies.
  router.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (error instanceof z.ZodError) return void res.status(400).json({ error: 'invalid request body', issues: error.issues });
    if (error instanceof UnknownDocument) return void res.status(404).json({ error: error.message });
    if (error instanceof MoveRefused) return void res.status(409).json({ error: error.message });
    if (error instanceof BusinessError) return void res.status(409).json({ error: error.zhDesc });
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).json({ error: (error as Error).message });
    logger.error({ err: error }, 'simulator control failed');
    res.status(500).json({ error: 'simulator control failed' });
  });
  return router;
}
