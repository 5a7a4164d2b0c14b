// JD calls of the sales-order saga, on the rate-limited `eclp` queue. The push is one activity meaning
// "make sure JD has this order": it recovers from ambiguous failures itself, so the workflow's history
// shows one step whatever happened on the wire.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import { claimSalesOrderPush, loadSalesOrderForPush, loadSalesOrderPushMaterial, recordSalesOrderPushedAtOnce } from '../../db/sales-orders';
import { preflightSalesOrder, type JdSalesOrder } from '../../domain/sales-order';
import type { SalesOrderStatus } from '../../domain/statuses';
import { isAlreadyExistsRefusal, isEclpError, salesOrderProgress, type EclpClient, type SalesOrderDetail } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { activityKey, callingWorkflowId } from '../context';
import { orSuperseded } from '../erp/superseded';
import { NO_ACTIVITY_METRICS, type ActivityMetrics } from '../metrics';
import { askJdVerdict, jdCaller, notFinishedYet, pollFailure, toActivityFailure, type EclpActivityOptions, type JdVerdictAnswer } from './failures';
import { withPollBackoff } from './poll-backoff';

/** What JD reported when the order left the warehouse (from `awaitSalesOrderOutcome`). */
export interface JdShipment {
  /** The first waybill. */
  wayBill: string | null;
  /** Every parcel's waybill; absent in results recorded before it was reported. */
  wayBills?: string[];
  jdShipperNo: string | null;
  jdShipperName: string | null;
  /** JD's operateTime of the shipping step, Beijing time as JD writes it. */
  jdShippedAt: string | null;
  lines: Array<{ goodsNo?: string; isvGoodsNo?: string; quantity?: number; shippedQty?: number }>;
}

export type SalesOrderOutcome = ({ kind: 'shipped' } & JdShipment) | { kind: 'cancelled'; reason: string; jdStatus: string };

export interface JdCancelAnswer extends JdVerdictAnswer {
  cancelled: boolean;
}

/**
 * What `pushSalesOrder` did: JD has the order and it is recorded WMS_PICKING; the pre-flight found a
 * reason an operator must fix (no JD call was made); or the order is no longer this run's to push.
 */
export type SalesOrderPushOutcome =
  | { kind: 'pushed'; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean }
  | { kind: 'not-pushable'; reason: string }
  | { kind: 'superseded'; status: SalesOrderStatus };

export function createEclpSalesOrderActivities(deps: { eclp: EclpClient; db: Knex; options?: EclpActivityOptions; metrics?: ActivityMetrics }) {
  const { eclp, db, options } = deps;
  const metrics = deps.metrics ?? NO_ACTIVITY_METRICS;
  const jd = jdCaller(options);

  /** JD's outbound number for our isvUUID, if JD has the order. */
  const lookUp = async (isvUuid: string): Promise<string | undefined> => {
    const rows = await jd(() => eclp.queryOrdersByIsvUuid([isvUuid]));
    return rows.find((row) => row.isvUuid === isvUuid && row.eclpSoNo)?.eclpSoNo;
  };

  /** Re-reads the order and master data at the moment of sending; consignee data never enters Temporal. */
  const orderForJd = async (orderNo: string, revision: number): Promise<JdSalesOrder> => {
    const material = await loadSalesOrderPushMaterial(db, orderNo, revision);
    if (!material) {
      throw ApplicationFailure.create({ type: FAILURE_TYPES.salesOrderSuperseded, message: `Sales order ${orderNo} is no longer at push revision ${revision}`, nonRetryable: true });
    }
    const checked = preflightSalesOrder(material);
    if (!checked.ok) {
      throw ApplicationFailure.create({ type: FAILURE_TYPES.salesOrderNotPushable, message: `Pre-flight failed: ${checked.problems.join('; ')}`, nonRetryable: true });
    }
    return checked.order;
  };

  /** Makes sure JD has `order` (see ensureSalesOrderAtJd): sends it, or finds what an earlier attempt sent. */
  const atJd = async (orderNo: string, order: JdSalesOrder): Promise<{ eclpSoNo: string; jdWarehouseNo: string; recovered: boolean }> => {
    const found = (recovered: string) => ({ eclpSoNo: recovered, jdWarehouseNo: order.warehouseNo, recovered: true });
    if (Context.current().info.attempt > 1) {
      const existing = await lookUp(order.isvUuid);
      if (existing) return found(existing);
    }
    try {
      const { eclpSoNo } = await eclp.addOrder(order);
      return { eclpSoNo, jdWarehouseNo: order.warehouseNo, recovered: false };
    } catch (err) {
      if (isAlreadyExistsRefusal(err)) {
        // JD refuses a repeated isvUUID: it holds the order from an earlier attempt, so this is no refusal.
        // Its lookup may lag the create; until it shows the order, retry rather than fail or re-create.
        const existing = await lookUp(order.isvUuid);
        if (existing) return found(existing);
        log.warn('JD says the order already exists but its lookup does not show it yet; looking again', { orderNo, isvUuid: order.isvUuid, jdCode: err.code });
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.salesOrderLookupLagging,
          message: `JD holds an order under ${order.isvUuid} (${err.zhDesc ?? err.message}) but order.ext.queryOrder does not show it yet`,
          nonRetryable: false,
          details: [err.toDetails()],
        });
      }
      if (!isEclpError(err) || !err.mayHaveCommitted) throw toActivityFailure(err, options);
      log.warn('addOrder may have been executed without an answer; looking the order up by isvUUID', {
        orderNo,
        isvUuid: order.isvUuid,
        failure: err.kind,
      });
      const existing = await lookUp(order.isvUuid);
      if (existing) return found(existing);
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.salesOrderNotAtJd,
        message: `addOrder for ${order.isvUuid} failed without an answer and JD has no order under that isvUUID; it is sent again`,
        nonRetryable: false,
        details: [err.toDetails()],
      });
    }
  };

  return {
    /**
     * Ensures JD has the order under `{orderNo}-{revision}` and returns its ESL number. A create JD may
     * have executed without telling us (timeout, 5xx, backend codes 43/65/67) is looked up by isvUUID
     * and re-sent only when JD has nothing under it; so is any retry, since a worker may have died
     * mid-call. JD's refusals fail non-retryably with JD's words, except "already exists" for our own
     * isvUUID, which means an earlier attempt landed: it is looked up until JD's lookup shows it.
     */
    async ensureSalesOrderAtJd(orderNo: string, revision: number): Promise<{ eclpSoNo: string; jdWarehouseNo: string; recovered: boolean }> {
      return atJd(orderNo, await orderForJd(orderNo, revision));
    },

    /**
     * The whole push of one revision in one activity (one history step instead of four: claim, pre-flight,
     * push, record): confirms the order is this run's (claiming it if the API could not), reads the order
     * and its master data once, checks it without JD, makes sure JD has it (as ensureSalesOrderAtJd), and
     * records WMS_PICKING in one statement. A retry after JD took the order finds it by isvUUID; a retry
     * after the record finds its log line and changes nothing.
     */
    async pushSalesOrder(orderNo: string, revision: number): Promise<SalesOrderPushOutcome> {
      const workflowId = callingWorkflowId();
      let found = await loadSalesOrderForPush(db, orderNo);
      if (!found || found.pushRevision !== revision || found.workflowId !== workflowId) {
        // Not (yet) claimed for this run: the API died between starting the run and claiming, or the order moved on.
        const claimed = await claimSalesOrderPush(db, { orderNo, revision, workflowId, actorRole: 'system' });
        found = await loadSalesOrderForPush(db, orderNo);
        if (!found) throw ApplicationFailure.create({ type: FAILURE_TYPES.salesOrderSuperseded, message: `Sales order ${orderNo} does not exist`, nonRetryable: true });
        if (!claimed) return { kind: 'superseded', status: found.status };
      }
      // Once claimed by this run the order is PUSHING until this run moves it: a later status is our own earlier attempt.
      if (found.status !== 'PUSHING' && found.status !== 'WMS_PICKING') return { kind: 'superseded', status: found.status };
      const checked = preflightSalesOrder(found.material);
      if (!checked.ok) return { kind: 'not-pushable', reason: `Pre-flight failed: ${checked.problems.join('; ')}` };
      const pushed = await atJd(orderNo, checked.order);
      await orSuperseded(FAILURE_TYPES.salesOrderSuperseded, () => recordSalesOrderPushedAtOnce(db, { orderNo, revision, ...pushed, idempotencyKey: activityKey() }));
      metrics.documentEntered('sales_order', 'WMS_PICKING');
      return { kind: 'pushed', ...pushed };
    },

    /**
     * One poll of the order at JD (retry-policy polling: the retry interval is the poll interval).
     * Returns once JD reports it shipped or cancelled; otherwise fails BENIGN so Temporal asks again.
     */
    async awaitSalesOrderOutcome(eclpSoNo: string): Promise<SalesOrderOutcome> {
      const detail: SalesOrderDetail = await withPollBackoff(() => eclp.queryOrder(eclpSoNo), pollFailure(options));
      const progress = salesOrderProgress(detail);
      if (progress.shipped) {
        return {
          kind: 'shipped',
          wayBill: progress.wayBill ?? null,
          wayBills: detail.wayBills,
          jdShipperNo: detail.shipperNo ?? null,
          jdShipperName: detail.shipperName ?? null,
          jdShippedAt: progress.shippedAt ?? null,
          lines: detail.lines,
        };
      }
      if (progress.cancelled) {
        const step = detail.history.find((entry) => entry.status.code === detail.currentStatus.code) ?? detail.history.at(-1);
        const who = step?.operator ? ` by ${step.operator}` : '';
        const when = step?.operatedAt ? ` at ${step.operatedAt}` : '';
        return { kind: 'cancelled', reason: `JD cancelled the order${who}${when} (${step?.jdName ?? detail.currentStatus.code})`, jdStatus: detail.currentStatus.code };
      }
      throw notFinishedYet(FAILURE_TYPES.salesOrderNotFinished, `JD status ${detail.currentStatus.code}${detail.currentStatus.name ? ` (${detail.currentStatus.name})` : ''}: not shipped yet`);
    },

    /**
     * Asks JD to cancel. Idempotent: cancelling a cancelled order answers "cancelled" again. A code JD has
     * not documented is settled by the order's status history; a refusal of the call itself is a refusal.
     */
    async cancelSalesOrderAtJd(eclpSoNo: string): Promise<JdCancelAnswer> {
      const { granted, ...verdict } = await askJdVerdict(
        () => eclp.cancelOrder(eclpSoNo),
        'cancelled',
        async () => salesOrderProgress(await jd(() => eclp.queryOrder(eclpSoNo))).cancelled,
        options,
      );
      return { cancelled: granted, ...verdict };
    },
  };
}
