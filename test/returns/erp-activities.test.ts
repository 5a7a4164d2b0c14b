// The return activities of the erp task queue, as the worker registers them (createErpActivities), run in
// a mock activity context against a real, migrated PostgreSQL and the run's Temporal dev server: the
// pre-flight's verdicts, every write exactly once under a retried activity (same activity key), a lost
// answer or two attempts at once, and what becomes of an exchange's replacement order when its return
// brings nothing back. The replacement orders' runs are stand-ins: workflows started on a task queue no
// worker polls, open, so every signal sent to them lands in their history, which is what the tests read.
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { Knex } from 'knex';
import { createErpActivities, type ErpActivities } from '../../activities/erp';
import { WAREHOUSE, upsertSimple } from '../../db/master-data';
import { readOperationLog } from '../../db/operation-log';
import { createReturn, getReturn, recordReturnEnded } from '../../db/returns';
import { findSalesOrderCancelRequest, getSalesOrder } from '../../db/sales-orders';
import { ledgerForDocument } from '../../db/stock-ledger';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { createTestDatabase, testTemporalClient, uniqueTaskQueue } from '../harness';
import { activityOfRun, applicationFailureOf } from '../support';
import { eclpRtwNoOf, eclpSoNoOf, pushedReturn, received, returnBody, salesOrder, seedGoods, seedReturnMasterData } from './seed';

let db: Knex;
let temporal: Client;
let erp: ErpActivities;
const idleQueue = uniqueTaskQueue('rtn-erp-idle');
const standIns: WorkflowHandle[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = await testTemporalClient();
  await seedReturnMasterData(db);
  for (const sku of ['TEA', 'CUP']) await seedGoods(db, sku);
  await seedGoods(db, 'NOJD', { jdGoodsNo: null });
  erp = createErpActivities({ db, webhook: {}, temporal });
});
afterAll(async () => {
  await Promise.all(standIns.map((h) => h.terminate('test done').catch(() => undefined)));
  await temporal?.connection.close();
  await db?.destroy();
});


/** One activity of one run: every attempt made through it shares the activity key, as Temporal's retries do. */
const activity = (returnNo: string, activityId: string) => activityOfRun(`RTN:${returnNo}:1`, activityId);
const failureOf = applicationFailureOf;

it('registers the return activities on the erp queue under their contract names', () => {
  expect(Object.keys(erp)).toEqual(
    expect.arrayContaining([
      'preflightReturn',
      'recordReturnPushed',
      'recordReturnFailed',
      'bookReturnReceived',
      'recordReturnEnded',
      'recordReturnRequestDecision',
      'recordReturnEvent',
      'compensateReplacement',
    ]),
  );
});

describe('preflightReturn', () => {
  it('ready: JD\'s warehouse and the original order\'s JD outbound number', async () => {
    await salesOrder(db, 'SO-RA-P1', [['TEA', 2, 10]]);
    await createReturn(db, returnBody('RA-P1', 'SO-RA-P1', [['TEA', 1]], { warehouseCode: 'SH' }), { actorRole: 'erp' });
    expect(await activity('RA-P1', '1').run(erp.preflightReturn, 'RA-P1', 1)).toEqual({ kind: 'ready', jdWarehouseNo: '120000001', eclpSoNo: eclpSoNoOf('SO-RA-P1') });
  });

  it('invalid: every problem an operator can fix, each naming the thing, joined with "; "', async () => {
    await upsertSimple(db, WAREHOUSE, 'GZ', { name: '广州仓', jdWarehouseNo: '130000001', eclpConnected: true }, 'erp');
    await salesOrder(db, 'SO-RA-P2', [['TEA', 2, 10], ['NOJD', 1, 5]]);
    await createReturn(db, returnBody('RA-P2', 'SO-RA-P2', [['TEA', 1], ['NOJD', 1]], { warehouseCode: 'GZ' }), { actorRole: 'erp' });
    // Since the return was created: the order lost its JD number (by hand) and the warehouse left ECLP.
    await db('sales_orders').where({ order_no: 'SO-RA-P2' }).update({ eclp_so_no: null });
    await upsertSimple(db, WAREHOUSE, 'GZ', { name: '广州仓', jdWarehouseNo: '130000001', eclpConnected: false }, 'erp');
    const answer = (await activity('RA-P2', '1').run(erp.preflightReturn, 'RA-P2', 1)) as { kind: string; reason: string };
    expect(answer.kind).toBe('invalid');
    expect(answer.reason.replace(/^Pre-flight failed: /, '').split('; ')).toEqual([
      expect.stringMatching(/^the original sales order SO-RA-P2 has no JD outbound number/),
      expect.stringMatching(/^warehouse GZ is not ECLP-connected.*PUT \/v1\/warehouses\/GZ/),
      'SKU NOJD has no JD goods number (sync it with POST /v1/goods/NOJD/sync)',
    ]);
    await db('sales_orders').where({ order_no: 'SO-RA-P2' }).update({ status: 'CANCELLED' });
    const again = (await activity('RA-P2', '2').run(erp.preflightReturn, 'RA-P2', 1)) as { reason: string };
    expect(again.reason).toContain('the original sales order SO-RA-P2 is CANCELLED, not SHIPPED');
  });

  it('superseded: not PUSHING at this revision; an unknown return fails for good', async () => {
    await salesOrder(db, 'SO-RA-P3', [['TEA', 2, 10]]);
    await pushedReturn(db, returnBody('RA-P3', 'SO-RA-P3', [['TEA', 1]]));
    expect(await activity('RA-P3', '1').run(erp.preflightReturn, 'RA-P3', 1)).toEqual({ kind: 'superseded', status: 'WAITING_INBOUND' });
    expect(await activity('RA-P3', '2').run(erp.preflightReturn, 'RA-P3', 2)).toEqual({ kind: 'superseded', status: 'WAITING_INBOUND' });
    expect(await failureOf(activity('RA-NONE', '1').run(erp.preflightReturn, 'RA-NONE', 1))).toMatchObject({ type: FAILURE_TYPES.returnSuperseded, nonRetryable: true });
  });
});

describe('exactly once under retries', () => {
  it('a retried record activity writes its transition and log line once; a superseded run gets a non-retryable failure', async () => {
    await salesOrder(db, 'SO-RA-W1', [['TEA', 2, 10]]);
    await createReturn(db, returnBody('RA-W1', 'SO-RA-W1', [['TEA', 1]]), { actorRole: 'erp' });
    const pushed = activity('RA-W1', '7');
    const at = { eclpRtwNo: 'ERWW1', isvRtwNum: 'RA-W1-1', eclpSoNo: eclpSoNoOf('SO-RA-W1'), jdWarehouseNo: '110000001', recovered: false };
    await pushed.run(erp.recordReturnPushed, 'RA-W1', 1, at);
    await pushed.run(erp.recordReturnPushed, 'RA-W1', 1, at);
    expect((await readOperationLog(db, 'RTN', 'RA-W1')).filter((l) => l.action === 'pushed')).toHaveLength(1);
    expect(await getReturn(db, 'RA-W1')).toMatchObject({ status: 'WAITING_INBOUND', eclpRtwNo: 'ERWW1' });

    const late = await failureOf(activity('RA-W1', '8').run(erp.recordReturnFailed, 'RA-W1', 1, { reason: 'late', stage: 'push_rejected' }));
    expect(late).toMatchObject({ type: FAILURE_TYPES.returnSuperseded, nonRetryable: true });
    const old = await failureOf(activity('RA-W1', '9').run(erp.bookReturnReceived, 'RA-W1', 0, received([['TEA', 1]])));
    expect(old).toMatchObject({ type: FAILURE_TYPES.returnSuperseded, nonRetryable: true });

    const event = activity('RA-W1', '10');
    await event.run(erp.recordReturnEvent, 'RA-W1', 1, 'jd_overdue', { waitedMs: 5 });
    await event.run(erp.recordReturnEvent, 'RA-W1', 1, 'jd_overdue', { waitedMs: 5 });
    expect((await readOperationLog(db, 'RTN', 'RA-W1')).filter((l) => l.action === 'jd_overdue')).toEqual([expect.objectContaining({ detail: { pushRevision: 1, waitedMs: 5 } })]);

    const ended = activity('RA-W1', '11');
    await ended.run(erp.recordReturnEnded, 'RA-W1', 1, { status: 'REJECTED', jdStatus: '500', reason: '超期拒收' });
    await ended.run(erp.recordReturnEnded, 'RA-W1', 1, { status: 'REJECTED', jdStatus: '500', reason: '超期拒收' });
    expect(await getReturn(db, 'RA-W1')).toMatchObject({ status: 'REJECTED', rejectReason: '超期拒收' });
    expect((await readOperationLog(db, 'RTN', 'RA-W1')).filter((l) => l.action === 'rejected')).toHaveLength(1);
  });

  it('bookReturnReceived: the webhook data the saga gets, the same again after a lost answer, one booking for attempts at once', async () => {
    await salesOrder(db, 'SO-RA-B1', [['TEA', 5, 10], ['CUP', 2, 5]]);
    await pushedReturn(db, returnBody('RA-B1', 'SO-RA-B1', [['TEA', 3], ['CUP', 2]], { type: 'RETURN' }));
    const report = received([['TEA', 3, '100'], ['CUP', 1, '200']]);
    const [a, b] = await Promise.all([activity('RA-B1', '3').run(erp.bookReturnReceived, 'RA-B1', 1, report), activity('RA-B1', '3').run(erp.bookReturnReceived, 'RA-B1', 1, report)]);
    const data = {
      receiptNo: 'RA-B1-R',
      returnNo: 'RA-B1',
      orderNo: 'SO-RA-B1',
      type: 'RETURN',
      eclpRtwNo: eclpRtwNoOf('RA-B1'),
      warehouseCode: 'BJ',
      receivedAt: expect.any(String),
      lines: [
        { sku: 'TEA', quantity: 3, receivedQuantity: 3, shortQuantity: 0, goodsLevel: '100' },
        { sku: 'CUP', quantity: 2, receivedQuantity: 1, shortQuantity: 1, goodsLevel: '200' },
      ],
      short: true,
    };
    expect(a).toEqual(data);
    expect(b).toEqual(a);
    // The answer was lost: the saga's retry (same activity) and a later run's attempt get the same receipt.
    expect(await activity('RA-B1', '3').run(erp.bookReturnReceived, 'RA-B1', 1, report)).toEqual(a);
    expect(await activity('RA-B1', '4').run(erp.bookReturnReceived, 'RA-B1', 1, received([['TEA', 9]]))).toEqual(a);
    expect((await ledgerForDocument(db, 'RTN', 'RA-B1')).map((e) => [e.sku, e.quantity])).toEqual([['CUP', 1], ['TEA', 3]]);
    expect((await readOperationLog(db, 'RTN', 'RA-B1')).filter((l) => l.action === 'received')).toHaveLength(1);
  });

  it('recordReturnRequestDecision: the verdict with its status change, once', async () => {
    await salesOrder(db, 'SO-RA-Q1', [['TEA', 5, 10]]);
    await pushedReturn(db, returnBody('RA-Q1', 'SO-RA-Q1', [['TEA', 1]]));
    const decide = activity('RA-Q1', '5');
    const request = { requestId: 'ra-q1', kind: 'cancel' as const, reason: '客户撤回', actorRole: 'operator', source: 'temporal' as const, statusAtRequest: 'WAITING_INBOUND' as const };
    const decision = { verdict: 'CANCELLED_AT_JD' as const, status: 'CANCELLED' as const, from: 'WAITING_INBOUND' as const, jdMessage: '取消成功' };
    await decide.run(erp.recordReturnRequestDecision, 'RA-Q1', 1, request, decision);
    await decide.run(erp.recordReturnRequestDecision, 'RA-Q1', 1, request, decision);
    expect(await getReturn(db, 'RA-Q1')).toMatchObject({ status: 'CANCELLED' });
    expect((await readOperationLog(db, 'RTN', 'RA-Q1')).filter((l) => l.action === 'cancel')).toEqual([
      expect.objectContaining({ actorRole: 'operator', detail: expect.objectContaining({ verdict: 'CANCELLED_AT_JD', jdMessage: '取消成功', reason: '客户撤回' }) }),
    ]);
    expect(await failureOf(activity('RA-Q1', '6').run(erp.recordReturnRequestDecision, 'RA-Q1', 2, { ...request, requestId: 'ra-q1b' }, decision))).toMatchObject({ type: FAILURE_TYPES.returnSuperseded, nonRetryable: true });
  });
});

// ---------------------------------------------------------------- the replacement

describe('compensateReplacement', () => {
  let sequence = 0;

  /** An exchange of `SO-RA-X{n}` whose return ended `ended`, its replacement order `{returnNo}-EX` in REVIEW. */
  async function endedExchange(ended: 'REJECTED' | 'CANCELLED' = 'REJECTED'): Promise<{ returnNo: string; orderNo: string }> {
    const n = (sequence += 1);
    await salesOrder(db, `SO-RA-X${n}`, [['TEA', 2, 59.9]]);
    const returnNo = `RA-X${n}`;
    await pushedReturn(db, returnBody(returnNo, `SO-RA-X${n}`, [['TEA', 1]], { type: 'EXCHANGE', replacementLines: [{ sku: 'TEA', quantity: 1 }] }));
    await recordReturnEnded(db, { returnNo, revision: 1, status: ended, jdStatus: ended === 'REJECTED' ? '600' : '400', ...(ended === 'REJECTED' && { reason: '整单拒收' }), idempotencyKey: `test/${returnNo}/ended` });
    return { returnNo, orderNo: `${returnNo}-EX` };
  }

  /** The replacement order as its run would have left it at JD, the run a stand-in that takes signals. */
  async function atJd(orderNo: string, status: 'PUSHING' | 'WMS_PICKING' | 'FAILED', run: 'stand-in' | 'gone' = 'stand-in'): Promise<string> {
    const workflowId = `SO:${orderNo}:1:${randomUUID()}`;
    if (run === 'stand-in') standIns.push(await temporal.workflow.start('salesOrderStandIn', { taskQueue: idleQueue, workflowId, args: [] }));
    await db('sales_orders').where({ order_no: orderNo }).update({ status, push_revision: 1, workflow_id: workflowId, ...(status === 'WMS_PICKING' && { eclp_so_no: eclpSoNoOf(orderNo) }) });
    return workflowId;
  }

  async function buyerRefundSignals(workflowId: string): Promise<unknown[]> {
    const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const signal = e.workflowExecutionSignaledEventAttributes;
      return signal?.signalName === 'buyerRefund' ? [defaultPayloadConverter.fromPayload(signal.input!.payloads![0] as Payload)] : [];
    });
  }

  const logOf = async (returnNo: string, action: string) => (await readOperationLog(db, 'RTN', returnNo)).filter((l) => l.action === action);

  it('none: a plain return, an exchange still under way, a replacement already cancelled', async () => {
    await salesOrder(db, 'SO-RA-N1', [['TEA', 2, 10]]);
    await pushedReturn(db, returnBody('RA-N1', 'SO-RA-N1', [['TEA', 1]]));
    await recordReturnEnded(db, { returnNo: 'RA-N1', revision: 1, status: 'CANCELLED', jdStatus: '400', idempotencyKey: 'test/RA-N1/ended' });
    expect(await activity('RA-N1', '1').run(erp.compensateReplacement, 'RA-N1', 1)).toEqual({ action: 'none', reason: 'return RA-N1 has no replacement order' });

    await salesOrder(db, 'SO-RA-N2', [['TEA', 2, 10]]);
    await pushedReturn(db, returnBody('RA-N2', 'SO-RA-N2', [['TEA', 1]], { type: 'EXCHANGE', replacementLines: [{ sku: 'TEA', quantity: 1 }] }));
    expect(await activity('RA-N2', '1').run(erp.compensateReplacement, 'RA-N2', 1)).toEqual({ action: 'none', reason: 'return RA-N2 is WAITING_INBOUND: its replacement order stands' });
    expect((await getSalesOrder(db, 'RA-N2-EX')).status).toBe('REVIEW');

    const { returnNo, orderNo } = await endedExchange('CANCELLED');
    await db('sales_orders').where({ order_no: orderNo }).update({ status: 'CANCELLED' });
    expect(await activity(returnNo, '1').run(erp.compensateReplacement, returnNo, 1)).toEqual({ action: 'none', reason: `replacement order ${orderNo} is already cancelled` });

    expect(await failureOf(activity(returnNo, '2').run(erp.compensateReplacement, returnNo, 2))).toMatchObject({ type: FAILURE_TYPES.returnSuperseded, nonRetryable: true });
  });

  it('REVIEW: cancelled in the ERP through the sales-order code, once, however often asked', async () => {
    const { returnNo, orderNo } = await endedExchange('REJECTED');
    const compensate = activity(returnNo, '4');
    const answer = { action: 'cancelled-in-erp', orderNo };
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await activity(returnNo, '5').run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);

    expect((await getSalesOrder(db, orderNo)).status).toBe('CANCELLED');
    expect(await findSalesOrderCancelRequest(db, `${returnNo}:replacement-refund`)).toMatchObject({
      orderNo,
      kind: 'buyerRefund',
      verdict: 'CANCELLED_IN_ERP',
      resultingStatus: 'CANCELLED',
      actorRole: 'system',
      reason: `Return ${returnNo} was rejected by the warehouse: its replacement must not ship`,
    });
    expect((await readOperationLog(db, 'sales_order', orderNo)).filter((l) => l.action === 'buyer_refund')).toHaveLength(1);
    expect(await logOf(returnNo, 'replacement_compensated')).toHaveLength(2);
    expect((await logOf(returnNo, 'replacement_compensated'))[0]!.detail).toEqual({ pushRevision: 1, replacement: answer });
    expect((await getReturn(db, returnNo)).attention).toBeNull();
  });

  it('at JD: a pending buyer refund recorded and signalled to the order\'s run; asked again, the same request', async () => {
    const { returnNo, orderNo } = await endedExchange('CANCELLED');
    const workflowId = await atJd(orderNo, 'WMS_PICKING');
    const requestId = `${returnNo}:replacement-refund`;
    const answer = { action: 'refund-requested', orderNo, requestId };
    const compensate = activity(returnNo, '4');
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await findSalesOrderCancelRequest(db, requestId)).toMatchObject({ orderNo, kind: 'buyerRefund', verdict: null, source: 'api', actorRole: 'system', pushRevision: 1 });
    const payload = { reason: `Return ${returnNo} was cancelled: its replacement must not ship`, actor: { role: 'system' }, requestId, via: 'api' };
    expect(await buyerRefundSignals(workflowId)).toEqual([payload]);

    // A retry (the answer was lost) asks again under the same id; the order's run drops a repeated id.
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await buyerRefundSignals(workflowId)).toEqual([payload, payload]);
    expect(await db('cancel_requests').where({ order_no: orderNo })).toHaveLength(1);

    // Once the order's run decided (here: JD refused, the order will ship), the answer stands and nobody is signalled.
    await db('cancel_requests').where({ request_id: requestId }).update({ verdict: 'REFUSED_BY_JD', resulting_status: 'WMS_PICKING', decided_at: db.fn.now() });
    expect(await activity(returnNo, '6').run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await buyerRefundSignals(workflowId)).toHaveLength(2);
    expect(await logOf(returnNo, 'replacement_compensated')).toHaveLength(2);
  });

  it('PUSHING and FAILED go to the run alike', async () => {
    for (const status of ['PUSHING', 'FAILED'] as const) {
      const { returnNo, orderNo } = await endedExchange();
      const workflowId = await atJd(orderNo, status);
      expect(await activity(returnNo, '1').run(erp.compensateReplacement, returnNo, 1)).toMatchObject({ action: 'refund-requested', orderNo });
      expect(await buyerRefundSignals(workflowId)).toHaveLength(1);
    }
  });

  it('at JD with no run to ask: the pending request withdrawn, the return on the attention list', async () => {
    const { returnNo, orderNo } = await endedExchange();
    const workflowId = await atJd(orderNo, 'WMS_PICKING', 'gone');
    const compensate = activity(returnNo, '4');
    const answer = { action: 'attention', orderNo, status: 'WMS_PICKING' };
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await findSalesOrderCancelRequest(db, `${returnNo}:replacement-refund`)).toBeUndefined();
    const ret = await getReturn(db, returnNo);
    expect(ret.attention).toBe(
      `Replacement order ${orderNo} is WMS_PICKING (WMS配货) but its run ${workflowId} is not running, so it could not be refunded although return ${returnNo} was rejected by the warehouse: refund it (POST /v1/sales-orders/${orderNo}/refund) or stop it at JD`,
    );
    expect(await logOf(returnNo, 'attention')).toHaveLength(1);
  });

  it('SHIPPED: an attention item an operator can act on, written once', async () => {
    const { returnNo, orderNo } = await endedExchange();
    await db('sales_orders').where({ order_no: orderNo }).update({ status: 'SHIPPED', way_bill: 'JDVA0001', push_revision: 1 });
    const compensate = activity(returnNo, '4');
    const answer = { action: 'attention', orderNo, status: 'SHIPPED' };
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    expect(await compensate.run(erp.compensateReplacement, returnNo, 1)).toEqual(answer);
    const ret = await getReturn(db, returnNo);
    expect(ret).toMatchObject({
      attention: `Replacement order ${orderNo} has shipped (waybill JDVA0001) although return ${returnNo} was rejected by the warehouse: get the goods back from the customer or charge for them`,
      attentionSince: expect.any(String),
    });
    expect(await logOf(returnNo, 'attention')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ replacement: answer }) })]);
    expect(await db('cancel_requests').where({ order_no: orderNo })).toEqual([]);
  });
});
