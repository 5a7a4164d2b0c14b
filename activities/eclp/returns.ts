// JD calls of the return saga (售后单), on the rate-limited `eclp` queue: the push (transportRtw, looked up
// with queryRtw before a re-send), the poll of the warehouse's outcome (queryRtw) and the cancel
// (cancelRtwOrder). The return and its master data are re-read from Postgres at the moment of sending.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import { skusOfJdGoodsNumbers } from '../../db/master-data';
import { loadReturnPushMaterial } from '../../db/returns';
import { isvRtwNumOf } from '../../domain/return-order-numbers';
import { GoodsLevel, RtwStatus, type EclpClient, type ReturnState, type TransportRtwInput } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';
import type { JdReturnLine, JdReturnOutcome } from '../../messages/return-order';
import { returnPushProblems } from '../erp/returns';
import { askJdVerdict, jdCaller, notFinishedYet, pollFailure, type EclpActivityOptions, type JdVerdictAnswer } from './failures';
import { withPollBackoff } from './poll-backoff';

export interface JdReturnAtJd {
  eclpRtwNo: string;
  isvRtwNum: string;
  eclpSoNo: string;
  jdWarehouseNo: string;
  /** JD already held the return from an earlier attempt whose answer was lost (found by queryRtw). */
  recovered: boolean;
}

export interface JdReturnCancelAnswer extends JdVerdictAnswer {
  cancelled: boolean;
}

/** JD's words for its rejection codes (eclp-api.md §4.3), for when it sends no message of its own. */
const REJECTION_NAMES: Readonly<Record<string, string>> = { [RtwStatus.REJECTED_OVERDUE]: '超期拒收', [RtwStatus.REJECTED]: '整单拒收' };

/** JD's msg on a return that is not about a problem (the simulator's, and JD's SDK samples'). */
const NO_MESSAGE: ReadonlySet<string> = new Set(['', '成功', 'success']);

/** Of several goods levels JD reports for one SKU, the worst (the highest code: 200 defective over 100 good). */
function worstLevel(levels: ReadonlyArray<string | undefined>): string | undefined {
  const known = levels.filter((level): level is string => level !== undefined && level !== '');
  return known.length === 0 ? undefined : known.reduce((worst, level) => (Number(level) > Number(worst) ? level : worst));
}

export function createEclpReturnActivities(deps: { eclp: EclpClient; db: Knex; options?: EclpActivityOptions }) {
  const { eclp, db, options } = deps;
  const jd = jdCaller(options);

  /** The transportRtw request for the return at `revision`, from Postgres; refuses what JD cannot be sent. */
  const returnForJd = async (returnNo: string, revision: number): Promise<TransportRtwInput & { warehouseNo: string }> => {
    const material = await loadReturnPushMaterial(db, returnNo, revision);
    if (!material || material.ret.status !== 'PUSHING') {
      throw ApplicationFailure.create({ type: FAILURE_TYPES.returnSuperseded, message: `Return ${returnNo} is no longer pushing at revision ${revision}`, nonRetryable: true });
    }
    const problems = returnPushProblems(material);
    const eclpSoNo = material.order?.eclpSoNo;
    const warehouseNo = material.warehouse?.jdWarehouseNo;
    if (problems.length > 0 || !eclpSoNo || !warehouseNo) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.returnNotPushable,
        message: `Return ${returnNo} cannot be pushed: ${problems.length > 0 ? problems.join('; ') : 'the original order or the warehouse has no JD number'}`,
        nonRetryable: true,
      });
    }
    const { ret } = material;
    return {
      eclpSoNo,
      isvRtwNum: isvRtwNumOf(returnNo, revision),
      warehouseNo,
      reason: ret.reason,
      // The lines go as addRtwOrder's lists (eclp-api.md §3.15e): transportRtw documents none [G]. The SKU
      // is the isvGoodsNo the goods were created under; every unit is expected back good.
      lines: ret.lines.map((line) => ({ isvGoodsNo: line.sku, quantity: line.quantity, goodsLevel: GoodsLevel.GOOD })),
    };
  };

  /** JD's return for our number under the original outbound, if JD has it. */
  const lookUp = async (eclpSoNo: string, isvRtwNum: string): Promise<ReturnState | undefined> =>
    (await jd(() => eclp.queryRtw({ eclpSoNo, isvRtwNum }))).find((rtw) => rtw.isvRtwNum === isvRtwNum);

  const queryOne = async (eclpRtwNo: string): Promise<ReturnState | undefined> => (await jd(() => eclp.queryRtw({ eclpRtwNo }))).find((rtw) => rtw.eclpRtwNo === eclpRtwNo);

  /** JD's lines per SKU: by isvGoodsNo, else by the goods row carrying JD's number; quantities summed. */
  const receivedLines = async (rtw: ReturnState): Promise<JdReturnLine[]> => {
    const unnamed = [...new Set(rtw.lines.filter((line) => !line.isvGoodsNo && line.goodsNo).map((line) => line.goodsNo!))];
    const skuOfGoodsNo = await skusOfJdGoodsNumbers(db, unnamed);
    const bySku = new Map<string, { sku: string; goodsNo: string; plannedQty: number; receivedQty: number; levels: Array<string | undefined> }>();
    for (const line of rtw.lines) {
      const sku = line.isvGoodsNo || (line.goodsNo && skuOfGoodsNo.get(line.goodsNo));
      if (!sku) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.jdGoodsNotMapped,
          message: `JD reports goods ${line.goodsNo ?? '(no number)'} on return ${rtw.eclpRtwNo}, and no goods row carries that JD number`,
          nonRetryable: false,
        });
      }
      const sum = bySku.get(sku) ?? { sku, goodsNo: line.goodsNo ?? '', plannedQty: 0, receivedQty: 0, levels: [] };
      sum.plannedQty += line.plannedQty ?? 0;
      sum.receivedQty += line.receivedQty;
      // A level only says something about units that came back.
      if (line.receivedQty > 0) sum.levels.push(line.goodsLevel);
      if (!sum.goodsNo && line.goodsNo) sum.goodsNo = line.goodsNo;
      bySku.set(sku, sum);
    }
    return [...bySku.values()]
      .sort((a, b) => (a.sku < b.sku ? -1 : 1))
      .map(({ levels, ...line }) => {
        const goodsLevel = worstLevel(levels);
        return goodsLevel === undefined ? line : { ...line, goodsLevel };
      });
  };

  return {
    /**
     * Ensures JD has the return under `{returnNo}-{revision}` against the original outbound. A retry may
     * follow an attempt that reached JD without an answer (timeout, 5xx, a worker that died): it looks the
     * return up with queryRtw first and sends again only when JD has none. JD's refusals fail
     * non-retryably with JD's words (the saga makes the return FAILED).
     */
    async ensureReturnAtJd(returnNo: string, revision: number): Promise<JdReturnAtJd> {
      const request = await returnForJd(returnNo, revision);
      const { eclpSoNo, isvRtwNum, warehouseNo: jdWarehouseNo } = request;
      if (Context.current().info.attempt > 1) {
        const existing = await lookUp(eclpSoNo, isvRtwNum);
        if (existing) {
          log.info('JD already holds the return from an earlier attempt; not sending it again', { returnNo, isvRtwNum, eclpRtwNo: existing.eclpRtwNo });
          return { eclpRtwNo: existing.eclpRtwNo, isvRtwNum, eclpSoNo, jdWarehouseNo, recovered: true };
        }
      }
      const { eclpRtwNo } = await jd(() => eclp.transportRtw(request));
      return { eclpRtwNo, isvRtwNum, eclpSoNo, jdWarehouseNo, recovered: false };
    },

    /**
     * One poll of the return at JD (retry-policy polling). 200 → received with JD's quantities per SKU;
     * 500/600 → rejected with JD's words; 400 → cancelled. Anything else (0, 100, 300 cancelling, 700
     * reported to the merchant, codes JD adds later) fails BENIGN so Temporal asks again.
     */
    async awaitReturnOutcome(eclpRtwNo: string): Promise<JdReturnOutcome> {
      const rows = await withPollBackoff(() => eclp.queryRtw({ eclpRtwNo }), pollFailure(options));
      const rtw = rows.find((row) => row.eclpRtwNo === eclpRtwNo);
      if (!rtw) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.returnNotAtJd, message: `queryRtw does not show return ${eclpRtwNo} (yet)`, nonRetryable: false });
      }
      const jdStatus = rtw.status.code;
      if (jdStatus === RtwStatus.COMPLETED) {
        return { kind: 'received', jdStatus, ...(rtw.finishedAt !== undefined && rtw.finishedAt !== '' && { finishedAt: rtw.finishedAt }), lines: await receivedLines(rtw) };
      }
      const rejection = REJECTION_NAMES[jdStatus];
      if (rejection !== undefined) {
        const words = rtw.message !== undefined && !NO_MESSAGE.has(rtw.message.trim()) ? rtw.message : undefined;
        return { kind: 'rejected', jdStatus, reason: words ?? `JD ${jdStatus} ${rejection}` };
      }
      if (jdStatus === RtwStatus.CANCELLED) return { kind: 'cancelled', jdStatus };
      throw notFinishedYet(FAILURE_TYPES.returnNotFinished, `JD status ${jdStatus}${rtw.status.name ? ` (${rtw.status.name})` : ''}: not received yet`);
    },

    /**
     * cancelRtwOrder: 1 → cancelled; 2 or a refusal of the call → not cancelled, with JD's words; a code
     * JD has not documented → JD's status 400 decides. Cancelling a cancelled return answers cancelled.
     */
    async cancelReturnAtJd(returnNo: string, revision: number, eclpRtwNo: string, reason: string): Promise<JdReturnCancelAnswer> {
      const { granted, ...verdict } = await askJdVerdict(
        () => eclp.cancelRtwOrder({ isvRtwNum: isvRtwNumOf(returnNo, revision), eclpRtwNo, reason }),
        'cancelled',
        async () => (await queryOne(eclpRtwNo))?.status.code === RtwStatus.CANCELLED,
        options,
      );
      return { cancelled: granted, ...verdict };
    },
  };
}
