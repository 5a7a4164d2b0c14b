// Sales orders (销售订单) through the real API: create in REVIEW, approve, and watch the operation log
// for `pushed` (WMS_PICKING: JD has the order) and `shipped` (SHIPPED: booked in the ledger).
import { SALES_ORDER_DOC_TYPE } from '../../db/sales-orders';
import { workflowIds } from '../../messages/ids';
import { sleep } from '../../test/support/timing';
import type { BenchDriver, DriverContext, PollingSetup } from './types';

const ADD_ORDER = 'jingdong.eclp.order.addOrder';
const QUERY_ORDER = 'jingdong.eclp.order.queryOrder';
/** The simulator's default catalogue (simulator/README.md): a JD warehouse and shipper it knows. */
const JD_WAREHOUSE = '110000001';
const JD_SHIPPER = 'CYS0000010';
const GOODS_PER_RUN = 2;
const WATCH_INTERVAL_MS = 100;
/**
 * Ids come from a sequence but become visible at commit, so a row may appear behind one already read.
 * Re-reading the last ids catches it (a wider reach every 20th read); the tracker ignores repeats.
 */
const ID_OVERLAP = 300;
const WIDE_OVERLAP_EVERY = 20;
const WIDE_OVERLAP = 5_000;
const FAILED_ACTIONS = ['preflight_failed', 'push_rejected', 'cancelled_by_warehouse'];
const MILESTONE_OF: Record<string, string> = { pushed: 'WMS_PICKING', shipped: 'SHIPPED' };

/** Master data codes of one run: reruns against a kept database and simulator never collide. */
const codes = (runId: string) => ({
  warehouse: `B${runId}-WH`,
  carrier: `B${runId}-JD`,
  category: `B${runId}-CAT`,
  skus: Array.from({ length: GOODS_PER_RUN }, (_, i) => `B${runId}-SKU-${i + 1}`),
});

function orderBody(runId: string, orderNo: string) {
  const c = codes(runId);
  return {
    orderNo,
    shopOrderNo: `TB-${orderNo}`,
    warehouseCode: c.warehouse,
    carrierCode: c.carrier,
    // Test data, not a person: the bench must not put real consignee data anywhere.
    consignee: { name: '压测收货人', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号压测楼' },
    lines: c.skus.map((sku, i) => ({ sku, quantity: i + 1, price: 10 + i })),
  };
}

async function waitForGoodsSynced(ctx: DriverContext, skus: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const sku of skus) {
    for (;;) {
      const { body } = await ctx.api.get<{ syncStatus: string; syncError?: string }>(`/v1/goods/${sku}`);
      if (body.syncStatus === 'SYNCED') break;
      if (body.syncStatus === 'SYNC_FAILED') throw new Error(`goods ${sku} did not sync to JD: ${body.syncError ?? 'no reason given'}`);
      if (Date.now() > deadline) throw new Error(`goods ${sku} not synced to JD within ${timeoutMs / 1000} s (status ${body.syncStatus}): is a worker running?`);
      await sleep(200);
    }
  }
}

export const salesOrderDriver: BenchDriver = {
  name: 'sales-order',
  title: 'Sales orders',
  milestones: { accepted: 'WMS_PICKING', done: 'SHIPPED' },
  pollIntervalEnv: 'SO_POLL_INTERVAL_MS',
  pollMethod: QUERY_ORDER,

  docNo: (runId, phase, index) => `B${runId}-${phase}-${String(index).padStart(5, '0')}`,
  workflowId: (docNo) => workflowIds.salesOrder(docNo, 1),

  async prepare(ctx) {
    const c = codes(ctx.runId);
    await ctx.api.put(`/v1/categories/${c.category}`, { name: '压测类目', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
    await ctx.api.put(`/v1/warehouses/${c.warehouse}`, { name: '压测仓', jdWarehouseNo: JD_WAREHOUSE, eclpConnected: true });
    await ctx.api.put(`/v1/carriers/${c.carrier}`, { name: '京东快递', jdShipperNo: JD_SHIPPER });
    for (const [i, sku] of c.skus.entries()) {
      await ctx.api.put(`/v1/goods/${sku}`, { name: `压测商品 ${i + 1}`, barcodes: [`B${ctx.runId}-${i + 1}`], categoryCode: c.category });
    }
    await ctx.api.post('/v1/goods/sync', { skus: c.skus });
    await waitForGoodsSynced(ctx, c.skus, 60_000);
  },

  async submit(ctx, docNo) {
    await ctx.api.post('/v1/sales-orders', orderBody(ctx.runId, docNo));
    const approvedAt = Date.now();
    await ctx.api.post(`/v1/sales-orders/${docNo}/approve`);
    return { approvedAt, answeredAt: Date.now() };
  },

  watch(ctx, sink) {
    let running = true;
    const loop = async () => {
      const start = await ctx.db('operation_log').max<{ id: string | null }>('id as id').first();
      let highest = Number(start?.id ?? 0);
      let lastError = '';
      for (let round = 1; running; round++) {
        try {
          const overlap = round % WIDE_OVERLAP_EVERY === 0 ? WIDE_OVERLAP : ID_OVERLAP;
          const rows: Array<{ id: string; doc_key: string; action: string; created_at: Date }> = await ctx
            .db('operation_log')
            .where('doc_type', SALES_ORDER_DOC_TYPE)
            .andWhere('id', '>', Math.max(0, highest - overlap))
            .whereIn('action', [...Object.keys(MILESTONE_OF), ...FAILED_ACTIONS])
            .orderBy('id')
            .select('id', 'doc_key', 'action', 'created_at');
          for (const row of rows) {
            highest = Math.max(highest, Number(row.id));
            const milestone = MILESTONE_OF[row.action];
            if (milestone) sink.mark(row.doc_key, milestone, row.created_at.getTime());
            else sink.fail(row.doc_key, row.action, row.created_at.getTime());
          }
        } catch (err) {
          // PostgreSQL restarting (a scenario may do that): keep watching, say so once per distinct error.
          if ((err as Error).message !== lastError) ctx.log(`milestone watcher: ${(lastError = (err as Error).message)}`);
        }
        await sleep(WATCH_INTERVAL_MS);
      }
    };
    const done = loop();
    return async () => {
      running = false;
      await done;
    };
  },

  timeline: (doneAfterMs) => ({
    salesOrder:
      doneAfterMs === null
        ? { pickAfterMs: 0, packAfterMs: 0, shipAfterMs: null, deliverAfterMs: null }
        : { pickAfterMs: Math.round(doneAfterMs / 3), packAfterMs: Math.round((doneAfterMs * 2) / 3), shipAfterMs: doneAfterMs, deliverAfterMs: null },
  }),

  async finishAtJd(ctx, docNo) {
    const row = await ctx.db('sales_orders').where({ order_no: docNo }).first('eclp_so_no');
    if (!row?.eclp_so_no) throw new Error(`sales order ${docNo} has no JD number yet`);
    await ctx.sim.moveSalesOrder(row.eclp_so_no as string, 'ship');
  },

  // One push; then, to notice the shipment within one interval, a poll in every interval until it ships.
  minimumJdCalls: ({ pollIntervalMs, doneAfterMs }: PollingSetup) => ({
    [ADD_ORDER]: 1,
    [QUERY_ORDER]: Math.max(1, Math.ceil(doneAfterMs / pollIntervalMs)),
  }),

  baseline: {
    workflowType: 'salesOrderShapeNoop',
    input: (docNo, { pollIntervalMs, doneAfterMs, doneAfterPolls }) => ({
      orderNo: docNo,
      revision: 1,
      polling: { intervalMs: pollIntervalMs, maxWaitMs: 3 * 24 * 3600_000 },
      shipAfter: doneAfterPolls !== undefined ? { polls: doneAfterPolls } : { ms: doneAfterMs },
    }),
  },
};
