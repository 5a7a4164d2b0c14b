// The sweeper's JD call: the current status of up to 100 sales outbounds in one `order.ext.queryOrder`,
// looked up by our own isvUUIDs. One JD call per activity, so ECLP_MAX_QPS (a limit on eclp activities
// per second) still counts JD calls.
import { ApplicationFailure } from '@temporalio/activity';
import { MAX_BATCH_NUMBERS, SoStatus, type EclpClient } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { toActivityFailure, type EclpActivityOptions } from './failures';

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

export function isSettledSoStatus(code: string): boolean {
  return SETTLED.has(code);
}

export function createEclpSweepActivities(deps: { eclp: EclpClient; options?: EclpActivityOptions }) {
  const { eclp, options } = deps;
  return {
    /**
     * JD's status of each order JD knows among `isvUuids`; orders JD does not report are left out (the
     * sweeper asks again next time). Rows without `mainStatus` are left out too: there is nothing to compare.
     */
    async queryJdSalesOrderStatuses(isvUuids: string[]): Promise<JdStatusRow[]> {
      if (isvUuids.length > MAX_BATCH_NUMBERS) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.sweepBatchTooLarge, message: `order.ext.queryOrder takes at most ${MAX_BATCH_NUMBERS} numbers, got ${isvUuids.length}`, nonRetryable: true });
      }
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
  };
}
