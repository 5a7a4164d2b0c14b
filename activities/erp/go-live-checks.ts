// ERP-side steps of the go-live check (推单测试): check the master data it names, create and approve its
// test sales orders the way the API creates and approves any order, find each order's cancel verdict,
// and record every step and the outcome.
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import {
  approveGoLiveTestOrder,
  createGoLiveTestOrders,
  findGoLiveTestOrderVerdict,
  finishGoLiveCheck,
  loadGoLiveCheckMaterial,
  recordGoLiveCheckStep,
  type GoLiveCheckMaterial,
} from '../../db/go-live-checks';
import { DomainError } from '../../domain/errors';
import { GO_LIVE_FAILURE_TYPES, goLiveRefundRequestId, goLiveTestOrderNo, type GoLiveStepRecord, type GoLiveTestOrder, type GoLiveTestOrderVerdict } from '../../messages/go-live-check';
import { workflowIds } from '../../messages/ids';
import type { ErpActivityDeps } from './index';

export type GoLiveMasterDataCheck =
  | { kind: 'ready'; jdWarehouseNo: string; skusToSync: string[]; detail: string }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'not-running'; status: string };

/**
 * What the test orders need before JD is asked, each problem naming the thing and where to fix it (the
 * sales-order and purchase-order pre-flights' words). Goods without a JD number are no problem when JD
 * can create them (category mapped, barcodes): the check syncs them next.
 */
export function goLiveMasterDataProblems(m: GoLiveCheckMaterial): string[] {
  const problems: string[] = [];
  const { warehouse, carrier } = m;
  if (!warehouse) problems.push(`warehouse ${m.warehouseCode} does not exist in master data`);
  else if (!warehouse.eclpConnected) problems.push(`warehouse ${warehouse.code} is not ECLP-connected (set eclpConnected with PUT /v1/warehouses/${warehouse.code})`);
  else if (!warehouse.jdWarehouseNo) problems.push(`warehouse ${warehouse.code} has no JD warehouse number (set jdWarehouseNo with PUT /v1/warehouses/${warehouse.code})`);
  if (!carrier) problems.push(`carrier ${m.carrierCode} is not mapped to a JD shipper (create it with PUT /v1/carriers/${m.carrierCode} and the jdShipperNo JD gave you)`);
  for (const sku of m.skus) {
    const goods = m.goods.get(sku);
    if (!goods) {
      problems.push(`SKU ${sku} does not exist in master data`);
      continue;
    }
    if (goods.barcodes.length === 0) problems.push(`SKU ${sku} has no barcode (JD matches goods by barcode)`);
    if (!goods.jdGoodsNo && !goods.jdThirdCategoryNo) {
      problems.push(`category ${goods.categoryCode} of SKU ${sku} has no JD category mapping (京东分类对应关系: map it with PUT /v1/categories/${goods.categoryCode})`);
    }
  }
  return problems;
}

export function createGoLiveCheckActivities(deps: ErpActivityDeps) {
  const { db } = deps;
  return {
    /** Step 1, no JD call: warehouse, carrier and every SKU as the test orders need them. */
    async checkGoLiveMasterData(checkId: string): Promise<GoLiveMasterDataCheck> {
      const material = await loadGoLiveCheckMaterial(db, checkId);
      if (!material) throw ApplicationFailure.nonRetryable(`No go-live check ${checkId}`, GO_LIVE_FAILURE_TYPES.checkNotRunning);
      if (material.status !== 'RUNNING') return { kind: 'not-running', status: material.status };
      const problems = goLiveMasterDataProblems(material);
      if (problems.length > 0) return { kind: 'invalid', problems };
      const skusToSync = material.skus.filter((sku) => !material.goods.get(sku)?.jdGoodsNo);
      const { warehouse, carrier } = material;
      const detail =
        `warehouse ${warehouse!.code} is JD warehouse ${warehouse!.jdWarehouseNo}, carrier ${carrier!.code} is JD shipper ${carrier!.jdShipperNo}; ` +
        `${material.skus.length} SKU(s) have barcodes` +
        (skusToSync.length > 0 ? `; not at JD yet (synced next): ${skusToSync.join(', ')}` : '; all are at JD');
      return { kind: 'ready', jdWarehouseNo: warehouse!.jdWarehouseNo!, skusToSync, detail };
    },

    async recordGoLiveCheckStep(checkId: string, step: GoLiveStepRecord): Promise<void> {
      await recordGoLiveCheckStep(db, checkId, step);
    },

    /** One test order per SKU, in REVIEW, marked with the check; a retry finds them as they are. */
    async createGoLiveTestOrders(checkId: string): Promise<GoLiveTestOrder[]> {
      const material = await loadGoLiveCheckMaterial(db, checkId);
      if (!material) throw ApplicationFailure.nonRetryable(`No go-live check ${checkId}`, GO_LIVE_FAILURE_TYPES.checkNotRunning);
      const orders = material.skus.map((sku, i) => {
        const orderNo = goLiveTestOrderNo(checkId, i + 1);
        return { orderNo, sku, revision: 1, workflowId: workflowIds.salesOrder(orderNo, 1), requestId: goLiveRefundRequestId(checkId, orderNo) };
      });
      try {
        await createGoLiveTestOrders(db, checkId, orders);
      } catch (err) {
        // Refused by the order rules (a number another order holds, master data gone since the check): final.
        if (err instanceof DomainError) throw ApplicationFailure.nonRetryable(`The test orders could not be created: ${err.message}`, GO_LIVE_FAILURE_TYPES.testOrderRefused);
        throw err;
      }
      return orders;
    },

    /** REVIEW → PUSHING under the order's run, and the check's refund on record before it is signalled. */
    async approveGoLiveTestOrder(checkId: string, order: GoLiveTestOrder, jdWarehouseNo: string): Promise<{ claimed: boolean }> {
      return approveGoLiveTestOrder(db, {
        orderNo: order.orderNo,
        revision: order.revision,
        workflowId: order.workflowId,
        jdWarehouseNo,
        requestId: order.requestId,
        reason: `推单测试 go-live check ${checkId}: test order, cancel at JD`,
      });
    },

    /**
     * The verdict on the check's refund of a test order, polled through the retry policy: "not decided
     * yet" fails BENIGN and Temporal asks again (the check's history stays a few events long).
     */
    async awaitGoLiveTestOrderVerdict(order: Pick<GoLiveTestOrder, 'orderNo' | 'requestId'>): Promise<GoLiveTestOrderVerdict> {
      const found = await findGoLiveTestOrderVerdict(db, order.orderNo, order.requestId);
      if (!found) {
        throw ApplicationFailure.create({
          type: GO_LIVE_FAILURE_TYPES.verdictPending,
          message: `The cancel of test order ${order.orderNo} is not decided yet`,
          nonRetryable: false,
          category: ApplicationFailureCategory.BENIGN,
        });
      }
      return { orderNo: order.orderNo, ...found };
    },

    async finishGoLiveCheck(checkId: string, outcome: { status: 'PASSED' | 'FAILED'; summary: string | null }): Promise<void> {
      await finishGoLiveCheck(db, checkId, outcome);
    },
  };
}
