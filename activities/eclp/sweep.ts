// The sweeper's JD calls: the current status of up to 100 sales outbounds in one `order.ext.queryOrder`,
// looked up by our own isvUUIDs, and of up to 100 purchase orders in one `queryPoOrder`. One JD call per
// activity, so ECLP_MAX_QPS (a limit on eclp activities per second) still counts JD calls.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { MAX_BATCH_NUMBERS, SoStatus, type EclpClient } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { toActivityFailure, type EclpActivityOptions } from './failures';
import { isSettledPo, jdSideFingerprint } from './purchase-orders';

export interface JdStatusRow {
  isvUuid: string;
  /** `mainStatus`, a sales-outbound status code. */
  jdStatus: string;
  settled: boolean;
}

/**
 * Statuses after which the order will not ship from this push any more, or already has: the sales-order
 * workflow then reads the details (waybill, carrier, history) with one `queryOrder`. 10037 (coming back)
 * implies it shipped. 10018 (packed) is not settled: the parcel is still in the warehouse.
 */
const SETTLED: ReadonlySet<string> = new Set([SoStatus.SHIPPED, SoStatus.DELIVERED, SoStatus.RETURNING, SoStatus.CANCELLED]);

export interface JdPurchaseOrderStatusRow {
  poOrderNo: string;
  /** `poOrderStatus` (eclp-api.md §4.2). */
  jdStatus: string;
  /**
   * Status and every line's quantities, hashed short: the sweeper remembers one per open PO across
   * continue-as-new and only compares them, so their size is its history's and carried state's.
   */
  fingerprint: string;
  /** JD has something for the run to act on: goods arrived, or the PO ended (70, 91) or its cancel failed (92). */
  settled: boolean;
}

/** 96 bits of SHA-256: a changed PO colliding with its previous fingerprint is not a practical risk. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

export function isSettledSoStatus(code: string): boolean {
  return SETTLED.has(code);
}

export function createEclpSweepActivities(deps: { eclp: EclpClient; options?: EclpActivityOptions }) {
  const { eclp, options } = deps;
  const tooMany = (method: string, count: number) =>
    ApplicationFailure.create({ type: FAILURE_TYPES.sweepBatchTooLarge, message: `${method} takes at most ${MAX_BATCH_NUMBERS} numbers, got ${count}`, nonRetryable: true });
  return {
    /**
     * JD's status of each order JD knows among `isvUuids`; orders JD does not report are left out (the
     * sweeper asks again next time). Rows without `mainStatus` are left out too: there is nothing to compare.
     */
    async queryJdSalesOrderStatuses(isvUuids: string[]): Promise<JdStatusRow[]> {
      if (isvUuids.length > MAX_BATCH_NUMBERS) throw tooMany('order.ext.queryOrder', isvUuids.length);
      let rows;
      try {
        rows = await eclp.queryOrdersByIsvUuid(isvUuids);
      } catch (err) {
        throw toActivityFailure(err, options);
      }
      const asked = new Set(isvUuids);
      return rows.flatMap((row) =>
        row.status && row.eclpSoNo && asked.has(row.isvUuid) ? [{ isvUuid: row.isvUuid, jdStatus: row.status.code, settled: isSettledSoStatus(row.status.code) }] : [],
      );
    },

    /** JD's status and quantities of each PO JD knows among `poOrderNos`; unknown numbers are left out (asked again next sweep). */
    async queryJdPurchaseOrderStatuses(poOrderNos: string[]): Promise<JdPurchaseOrderStatusRow[]> {
      if (poOrderNos.length > MAX_BATCH_NUMBERS) throw tooMany('queryPoOrder', poOrderNos.length);
      let orders;
      try {
        orders = await eclp.queryPoOrder(poOrderNos);
      } catch (err) {
        throw toActivityFailure(err, options);
      }
      const asked = new Set(poOrderNos);
      return orders.flatMap((po) =>
        asked.has(po.poOrderNo) ? [{ poOrderNo: po.poOrderNo, jdStatus: po.status.code, fingerprint: shortHash(jdSideFingerprint(po)), settled: isSettledPo(po) }] : [],
      );
    },
  };
}
