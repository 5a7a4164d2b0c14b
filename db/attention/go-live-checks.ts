// Attention items of the go-live check (推单测试): a check that failed (until a later check of the same
// warehouse and carrier passes for its SKUs), and — separately, because it costs goods — every test order
// whose cancel JD refused and that is not cancelled: it will ship, or has shipped, to the test consignee.
import { listOpenFailedGoLiveChecks, listShippingGoLiveTestOrders } from '../go-live-checks';
import type { AttentionItem, AttentionSource } from './types';

export const goLiveCheckAttention: AttentionSource = async (db) => {
  const [failed, shipping] = await Promise.all([listOpenFailedGoLiveChecks(db), listShippingGoLiveTestOrders(db)]);
  const items: AttentionItem[] = failed.map((check) => ({
    kind: 'go_live_check_failed',
    subject: 'GO_LIVE',
    documentNo: check.id,
    why: `Go-live check of warehouse ${check.warehouseCode} with carrier ${check.carrierCode} failed: ${check.summary ?? 'see its steps'}`,
    since: check.finishedAt.toISOString(),
    nextAction: `Fix what the failing step names (master data, goods, JD's answer), then run a new check: POST /v1/go-live-checks`,
    href: `/v1/go-live-checks/${check.id}`,
    ...(check.workflowId !== null && { workflowId: check.workflowId }),
    warehouseCode: check.warehouseCode,
  }));
  for (const order of shipping) {
    const jd = order.jdMessage ? ` (JD: ${order.jdMessage})` : '';
    const shipped = order.status === 'SHIPPED';
    items.push({
      kind: 'go_live_order_will_ship',
      subject: 'SO',
      documentNo: order.orderNo,
      why: shipped
        ? `Go-live test order ${order.orderNo} (${order.eclpSoNo ?? '?'}) has shipped to the test consignee: JD refused its cancel${jd}`
        : `Go-live test order ${order.orderNo} (${order.eclpSoNo ?? '?'}) will ship: JD refused its cancel${jd}`,
      since: order.refusedAt.toISOString(),
      nextAction: shipped
        ? `Recover the goods from the test consignee: create a return with POST /v1/returns (orderNo ${order.orderNo})`
        : `Ask JD's warehouse to intercept ${order.eclpSoNo ?? order.orderNo} (拦截) before it ships; check ${order.checkId}`,
      href: `/v1/sales-orders/${order.orderNo}`,
      ...(order.workflowId !== null && { workflowId: order.workflowId }),
      warehouseCode: order.warehouseCode,
    });
  }
  return items;
};
