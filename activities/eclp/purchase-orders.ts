// JD calls of the purchase-order saga, on the rate-limited `eclp` queue: the push (addPoOrder), the poll
// of JD's progress (queryPoOrder), the link check, cancel (cancalPoOrder), close (po.closePo) and the
// serial-list upload (addPoSidDetail). The PO and its master data are re-read from Postgres at the moment
// of sending, so nothing JD needs travels through Temporal's history.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import { jdGoodsNumbersOf, skusOfJdGoodsNumbers } from '../../db/master-data';
import { getSerialBatch, loadPurchaseOrderPushMaterial, markSerialBatch, nextSerialVersion } from '../../db/purchase-orders';
import { spPoOrderNoOf } from '../../domain/purchase-order-numbers';
import { EclpBusinessError, EclpValidationError, isAlreadyExistsRefusal, PoStatus, type AddPoOrderInput, type EclpClient, type PoLineState, type PurchaseOrderState } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';
import type { JdPurchaseOrderLineProgress, JdPurchaseOrderProgress } from '../../messages/purchase-order';
import { askJdVerdict, jdCaller, notFinishedYet, pollFailure, toActivityFailure, type EclpActivityOptions, type JdVerdictAnswer } from './failures';
import { withPollBackoff } from './poll-backoff';

export interface JdPurchaseOrderAtJd {
  poOrderNo: string;
  spPoOrderNo: string;
  jdWarehouseNo: string;
  /** The push succeeded on a retry: an earlier attempt may have reached JD (same spPoOrderNo, so no second PO). */
  recovered: boolean;
}

export type JdPurchaseOrderCheck = { found: false } | { found: true; spPoOrderNo?: string; jdWarehouseNo?: string; jdStatus: string };

export interface JdPoCancelAnswer extends JdVerdictAnswer {
  cancelled: boolean;
}

export interface JdPoCloseAnswer extends JdVerdictAnswer {
  closed: boolean;
}

export interface SerialUploadOutcome {
  uploaded: boolean;
  /** JD's `addPoSidResult`, verbatim. */
  jdResult?: string;
  /** Why the batch was not uploaded (JD's words, or the mapping problem). */
  error?: string;
}

/** JD will report nothing more for a PO in these statuses: completed (or closed) and cancelled. */
const FINISHED: ReadonlySet<string> = new Set([PoStatus.COMPLETED, PoStatus.CANCELLED]);

/** A line's quantities in the fingerprint: key:received/short/defective/excess. */
interface LineQuantities {
  key: string;
  receivedQty: number;
  shortQty: number;
  defectiveQty: number;
  excessQty: number;
}

function quantitiesPart(lines: readonly LineQuantities[]): string {
  return [...lines]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((l) => `${l.key}:${l.receivedQty}/${l.shortQty}/${l.defectiveQty}/${l.excessQty}`)
    .join(',');
}

/** Status and every quantity in one string: equal fingerprints mean JD has nothing new to tell. */
export function poFingerprint(jdStatus: string, lines: readonly LineQuantities[]): string {
  return `${jdStatus}|${quantitiesPart(lines)}`;
}

/** The quantities of a fingerprint, without the status. */
function quantitiesOf(fingerprint: string): string {
  return fingerprint.slice(fingerprint.indexOf('|') + 1);
}

/** JD's quantities of one PO line; excess as JD reports it, else what exceeds the ordered quantity. */
function lineQuantities(line: PoLineState): Omit<LineQuantities, 'key'> {
  return {
    receivedQty: line.receivedQty,
    shortQty: line.shortQty ?? 0,
    defectiveQty: line.damagedQty ?? 0,
    excessQty: line.excessQty ?? Math.max(0, line.receivedQty - (line.orderedQty ?? line.receivedQty)),
  };
}

/** JD's lines keyed by its own goods number, summed per goods (the sweeper needs no SKUs to see a change). */
export function jdSideFingerprint(po: PurchaseOrderState): string {
  const byGoods = new Map<string, LineQuantities>();
  for (const line of po.lines) addTo(byGoods, line.goodsNo, lineQuantities(line));
  return poFingerprint(po.status.code, [...byGoods.values()]);
}

function addTo(sums: Map<string, LineQuantities>, key: string, q: Omit<LineQuantities, 'key'>): LineQuantities {
  const sum = sums.get(key) ?? { key, receivedQty: 0, shortQty: 0, defectiveQty: 0, excessQty: 0 };
  sum.receivedQty += q.receivedQty;
  sum.shortQty += q.shortQty;
  sum.defectiveQty += q.defectiveQty;
  sum.excessQty += q.excessQty;
  sums.set(key, sum);
  return sum;
}

/**
 * JD has something for the PO's run to act on: goods arrived (good or defective), or the PO ended
 * (70, 91) or JD's cancel failed (92). A PO in 10/20/90 with nothing received has not.
 */
export function isSettledPo(po: PurchaseOrderState): boolean {
  const code = po.status.code;
  return FINISHED.has(code) || code === PoStatus.CANCEL_FAILED || po.lines.some((line) => line.receivedQty > 0 || (line.damagedQty ?? 0) > 0);
}

export function createEclpPurchaseOrderActivities(deps: { eclp: EclpClient; db: Knex; options?: EclpActivityOptions }) {
  const { eclp, db, options } = deps;
  const jd = jdCaller(options);

  const queryOne = async (poOrderNo: string): Promise<PurchaseOrderState | undefined> =>
    (await jd(() => eclp.queryPoOrder([poOrderNo]))).find((po) => po.poOrderNo === poOrderNo);

  /** The addPoOrder request for the PO at `revision`, from Postgres; refuses what JD cannot be sent. */
  const poForJd = async (poNo: string, revision: number): Promise<AddPoOrderInput> => {
    const material = await loadPurchaseOrderPushMaterial(db, poNo, revision);
    if (!material) {
      throw ApplicationFailure.create({ type: FAILURE_TYPES.purchaseOrderSuperseded, message: `Purchase order ${poNo} is no longer at push revision ${revision}`, nonRetryable: true });
    }
    const { po, warehouse, supplier, goods } = material;
    const problems: string[] = [];
    if (!warehouse) problems.push(`warehouse ${po.warehouseCode} not found`);
    else if (!warehouse.eclpConnected) problems.push(`warehouse ${po.warehouseCode} is not ECLP-connected`);
    else if (!warehouse.jdWarehouseNo) problems.push(`warehouse ${po.warehouseCode} has no JD warehouse number`);
    if (!supplier) problems.push(`supplier ${po.supplierCode} is not mapped to a JD supplier number`);
    for (const line of po.lines) {
      const jdGoodsNo = goods.get(line.sku)?.jdGoodsNo;
      if (!goods.has(line.sku)) problems.push(`SKU ${line.sku} is not in goods`);
      else if (!jdGoodsNo) problems.push(`SKU ${line.sku} has no JD goods number (not synced to JD)`);
    }
    if (problems.length > 0 || !warehouse?.jdWarehouseNo || !supplier) {
      throw ApplicationFailure.create({ type: FAILURE_TYPES.purchaseOrderNotPushable, message: `Purchase order ${poNo} cannot be pushed: ${problems.join('; ')}`, nonRetryable: true });
    }
    return {
      spPoOrderNo: spPoOrderNoOf(poNo, revision),
      warehouseNo: warehouse.jdWarehouseNo,
      supplierNo: supplier.jdSupplierNo,
      lines: po.lines.map((line) => ({ goodsNo: goods.get(line.sku)!.jdGoodsNo!, quantity: line.quantity, ...(line.unitPrice !== null && { unitPrice: line.unitPrice }) })),
      ...(po.remark !== null && { remark: po.remark }),
    };
  };

  /** JD's lines as ours: SKU by isvGoodsNo, else by the goods row carrying JD's number; summed per SKU. */
  const progressOf = async (po: PurchaseOrderState): Promise<JdPurchaseOrderProgress> => {
    const unnamed = [...new Set(po.lines.filter((line) => !line.isvGoodsNo).map((line) => line.goodsNo))];
    const skuOfGoodsNo = await skusOfJdGoodsNumbers(db, unnamed);
    const bySku = new Map<string, LineQuantities>();
    const goodsNoOf = new Map<string, string>();
    for (const line of po.lines) {
      const sku = line.isvGoodsNo || skuOfGoodsNo.get(line.goodsNo);
      if (!sku) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.jdGoodsNotMapped,
          message: `JD reports goods ${line.goodsNo} on purchase order ${po.poOrderNo}, and no goods row carries that JD number`,
          nonRetryable: false,
        });
      }
      addTo(bySku, sku, lineQuantities(line));
      if (!goodsNoOf.has(sku)) goodsNoOf.set(sku, line.goodsNo);
    }
    const lines: JdPurchaseOrderLineProgress[] = [...bySku.values()]
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map(({ key, ...q }) => ({ sku: key, goodsNo: goodsNoOf.get(key)!, ...q }));
    const jdStatus = po.status.code;
    return { poOrderNo: po.poOrderNo, jdStatus, finished: FINISHED.has(jdStatus), lines, fingerprint: poFingerprint(jdStatus, [...bySku.values()]) };
  };

  return {
    /**
     * Sends the PO to JD under `{poNo}-{revision}` and returns JD's EPL number. JD has no lookup by
     * spPoOrderNo, so an ambiguous failure is simply retried with the same number. An "already exists"
     * refusal means JD may hold our PO from an attempt whose answer was lost, under a number we cannot
     * learn: the saga asks an operator (PUSH_UNCONFIRMED) instead of failing or pushing a second PO.
     */
    async ensurePurchaseOrderAtJd(poNo: string, revision: number): Promise<JdPurchaseOrderAtJd> {
      const request = await poForJd(poNo, revision);
      const { spPoOrderNo } = request;
      try {
        const { poOrderNo } = await eclp.addPoOrder(request);
        return { poOrderNo, spPoOrderNo, jdWarehouseNo: request.warehouseNo, recovered: Context.current().info.attempt > 1 };
      } catch (err) {
        if (isAlreadyExistsRefusal(err)) {
          const jdMessage = err.zhDesc ?? err.enDesc ?? err.message;
          log.warn('JD says the purchase order already exists and cannot be looked up by our number; an operator must link or re-push it', { poNo, spPoOrderNo, jdCode: err.code });
          throw ApplicationFailure.create({ type: FAILURE_TYPES.purchaseOrderPushUnconfirmed, message: jdMessage, nonRetryable: true, details: [{ spPoOrderNo, jdMessage }] });
        }
        throw toActivityFailure(err, options);
      }
    },

    /**
     * One poll of the PO at JD (retry-policy polling). Returns JD's progress once it differs from what
     * the run saw last (`knownFingerprint`); otherwise fails BENIGN so Temporal asks again. While JD is
     * cancelling (90) with the same quantities there is nothing to act on either.
     */
    async awaitPurchaseOrderProgress(poOrderNo: string, knownFingerprint: string): Promise<JdPurchaseOrderProgress> {
      const states = await withPollBackoff(() => eclp.queryPoOrder([poOrderNo]), pollFailure(options));
      const po = states.find((state) => state.poOrderNo === poOrderNo);
      if (!po) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.purchaseOrderNotAtJd, message: `queryPoOrder does not show purchase order ${poOrderNo} (yet)`, nonRetryable: false });
      }
      const progress = await progressOf(po);
      // A run that has booked nothing yet knows the fingerprint of no answer: an open PO with nothing
      // arrived is then "nothing new" too, so the first look costs no booking.
      const untouched = knownFingerprint === '' && !progress.finished && progress.lines.every((l) => l.receivedQty + l.shortQty + l.defectiveQty + l.excessQty === 0);
      if (progress.fingerprint === knownFingerprint || untouched) {
        throw notFinishedYet(FAILURE_TYPES.purchaseOrderNotFinished, `JD status ${progress.jdStatus}: nothing new`);
      }
      if (progress.jdStatus === PoStatus.CANCELLING && knownFingerprint !== '' && quantitiesOf(progress.fingerprint) === quantitiesOf(knownFingerprint)) {
        throw notFinishedYet(FAILURE_TYPES.purchaseOrderNotFinished, 'JD status 90 (cancelling): nothing to act on until JD decides');
      }
      return progress;
    },

    /** What JD holds under `poOrderNo` (an operator's link is checked against its isvPoOrderNo). */
    async checkJdPurchaseOrder(poOrderNo: string): Promise<JdPurchaseOrderCheck> {
      const po = await queryOne(poOrderNo);
      if (!po) return { found: false };
      return { found: true, jdStatus: po.status.code, ...(po.spPoOrderNo !== undefined && { spPoOrderNo: po.spPoOrderNo }), ...(po.warehouseNo !== undefined && { jdWarehouseNo: po.warehouseNo }) };
    },

    /** cancalPoOrder: 1 → cancelled; 2 or a refusal of the call → refused with JD's words; other codes → JD's status 91 decides. */
    async cancelPurchaseOrderAtJd(poOrderNo: string): Promise<JdPoCancelAnswer> {
      const { granted, ...verdict } = await askJdVerdict(
        () => eclp.cancelPoOrder(poOrderNo),
        'cancelled',
        async () => (await queryOne(poOrderNo))?.status.code === PoStatus.CANCELLED,
        options,
      );
      return { cancelled: granted, ...verdict };
    },

    /** po.closePo: closed → true; refused or a refusal of the call → false with JD's words; other codes → JD's status 70 decides. */
    async closePurchaseOrderAtJd(poOrderNo: string): Promise<JdPoCloseAnswer> {
      const { granted, ...verdict } = await askJdVerdict(
        () => eclp.closePo(poOrderNo),
        'closed',
        async () => (await queryOne(poOrderNo))?.status.code === PoStatus.COMPLETED,
        options,
      );
      return { closed: granted, ...verdict };
    },

    /**
     * Uploads one stored serial batch (purchase_order_serials) as the PO's next serial-list version. An
     * uploaded batch is not sent again; JD's refusal is recorded on the batch, not thrown (the PO carries
     * on, the ERP sees the batch failed with JD's words).
     */
    async uploadPurchaseOrderSerials(poNo: string, batchId: string, poOrderNo: string): Promise<SerialUploadOutcome> {
      const batch = await getSerialBatch(db, batchId);
      if (!batch || batch.poNo !== poNo) return { uploaded: false, error: `No serial batch ${batchId} for purchase order ${poNo}` };
      if (batch.status === 'uploaded') return { uploaded: true, ...(batch.jdResult !== null && { jdResult: batch.jdResult }) };
      const failed = async (error: string): Promise<SerialUploadOutcome> => {
        await markSerialBatch(db, batchId, { status: 'failed', error });
        return { uploaded: false, error };
      };
      const goodsNo = (await jdGoodsNumbersOf(db, [batch.sku])).get(batch.sku);
      if (!goodsNo) return failed(`SKU ${batch.sku} has no JD goods number`);
      const version = await nextSerialVersion(db, poNo);
      let result: string;
      try {
        ({ result } = await eclp.addPoSidDetail({
          poOrderNo,
          version,
          serials: batch.serialNos.map((serialNo) => ({ goodsNo, serialNo })),
          ...(options?.jdAccountPin !== undefined && { pin: options.jdAccountPin }),
        }));
      } catch (err) {
        if (err instanceof EclpBusinessError || err instanceof EclpValidationError) return failed(err.zhDesc ?? err.message);
        throw toActivityFailure(err, options);
      }
      await markSerialBatch(db, batchId, { status: 'uploaded', version, jdResult: result });
      return { uploaded: true, jdResult: result };
    },
  };
}
