// The purchase-order activities of the erp task queue, as the worker registers them (createErpActivities),
// run in a mock activity context against a real, migrated PostgreSQL: the pre-flight's verdicts, and
// every write exactly once under a retried activity (same activity key) or two attempts at once.
import { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createErpActivities, type ErpActivities } from '../../activities/erp';
import { readOperationLog } from '../../db/operation-log';
import { WAREHOUSE, upsertSimple } from '../../db/master-data';
import { createPurchaseOrder, findPurchaseOrderRequest, getPurchaseOrder, insertPendingPurchaseOrderRequest, setPurchaseOrderWorkflowId } from '../../db/purchase-orders';
import { ledgerForDocument } from '../../db/stock-ledger';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { createTestDatabase } from '../harness';
import { activityOfRun, applicationFailureOf } from '../support';
import { jdNumberOf, poBody, progress, pushedPurchaseOrder, seedGoods, seedPurchaseOrderMasterData } from './seed';

let db: Knex;
let erp: ErpActivities;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedPurchaseOrderMasterData(db);
  await seedGoods(db, 'TEA', { jdGoodsNo: 'EMG-TEA' });
  await seedGoods(db, 'NEW', {});
  await seedGoods(db, 'RAWSKU', { categoryCode: 'RAW' });
  await seedGoods(db, 'NOBAR', {});
  await db('goods_barcodes').where({ sku: 'NOBAR' }).delete();
  // The factories only build functions: the client connects when the sweeper's signals are sent, never here.
  erp = createErpActivities({ db, webhook: {}, temporal: new Client() });
});
afterAll(() => db?.destroy());

/** One activity of one run: every attempt made through it shares the activity key, as Temporal's retries do. */
const activity = (poNo: string, activityId: string) => activityOfRun(`PO:${poNo}:1`, activityId);
const failureOf = applicationFailureOf;

it('registers the purchase-order activities on the erp queue under their contract names', () => {
  expect(Object.keys(erp)).toEqual(
    expect.arrayContaining([
      'preflightPurchaseOrder',
      'recordPurchaseOrderPushed',
      'recordPurchaseOrderFailed',
      'recordPurchaseOrderUnconfirmed',
      'recordPurchaseOrderRepush',
      'bookPurchaseReceipts',
      'recordPurchaseOrderRequestDecision',
      'recordPurchaseOrderEvent',
      'listOpenPurchaseOrders',
    ]),
  );
});

describe('preflightPurchaseOrder', () => {
  it('ready: JD\'s warehouse number and the SKUs JD does not have yet', async () => {
    await createPurchaseOrder(db, poBody('PO-ACT-P1', [['TEA', 1], ['NEW', 2]]), { actorRole: 'erp' });
    expect(await activity('PO-ACT-P1', '1').run(erp.preflightPurchaseOrder, 'PO-ACT-P1', 1)).toEqual({ kind: 'ready', jdWarehouseNo: '110000001', skusToSync: ['NEW'] });
  });

  it('invalid: every problem an operator can fix, each naming the thing, joined with "; "', async () => {
    await upsertSimple(db, WAREHOUSE, 'SH', { name: '上海仓', jdWarehouseNo: '120000001', eclpConnected: true }, 'erp');
    await createPurchaseOrder(db, poBody('PO-ACT-P2', [['TEA', 1], ['RAWSKU', 1], ['NOBAR', 1]], { supplierCode: 'NOSUP', warehouseCode: 'SH' }), { actorRole: 'erp' });
    await upsertSimple(db, WAREHOUSE, 'SH', { name: '上海仓', jdWarehouseNo: '120000001', eclpConnected: false }, 'erp');
    const answer = await activity('PO-ACT-P2', '1').run(erp.preflightPurchaseOrder, 'PO-ACT-P2', 1);
    expect(answer.kind).toBe('invalid');
    const problems = (answer as { reason: string }).reason.replace(/^Pre-flight failed: /, '').split('; ');
    expect(problems).toEqual([
      expect.stringMatching(/^warehouse SH is not ECLP-connected/),
      expect.stringMatching(/^supplier NOSUP is not mapped to a JD supplier.*PUT \/v1\/suppliers\/NOSUP/),
      expect.stringMatching(/^category RAW of SKU RAWSKU has no JD category mapping.*PUT \/v1\/categories\/RAW/),
      'SKU NOBAR has no barcode (JD matches goods by barcode)',
    ]);

    // Goods gone from master data (a database constraint keeps an ECLP warehouse from losing its JD number).
    await db('goods').where({ sku: 'NOBAR' }).delete();
    const again = (await activity('PO-ACT-P2', '2').run(erp.preflightPurchaseOrder, 'PO-ACT-P2', 1)) as { reason: string };
    expect(again.reason).toContain('SKU NOBAR does not exist in master data');
  });

  it('superseded: the PO is not PUSHING at this revision (the run then does nothing)', async () => {
    await createPurchaseOrder(db, poBody('PO-ACT-P3', [['TEA', 1]]), { actorRole: 'erp' });
    expect(await activity('PO-ACT-P3', '1').run(erp.preflightPurchaseOrder, 'PO-ACT-P3', 2)).toEqual({ kind: 'superseded', status: 'PUSHING' });
    await createPurchaseOrder(db, poBody('PO-ACT-P4', [['TEA', 1]], { warehouseCode: 'LOCAL' }), { actorRole: 'erp' });
    expect(await activity('PO-ACT-P4', '1').run(erp.preflightPurchaseOrder, 'PO-ACT-P4', 1)).toEqual({ kind: 'superseded', status: 'NOT_PUSHED' });
  });
});

describe('exactly once under retries', () => {
  it('a retried record activity writes its transition and log line once; a superseded run gets a non-retryable failure', async () => {
    await createPurchaseOrder(db, poBody('PO-ACT-W1', [['TEA', 1]]), { actorRole: 'erp' });
    const pushed = activity('PO-ACT-W1', '7');
    const at = { poOrderNo: 'EPLW1', spPoOrderNo: 'PO-ACT-W1-1', jdWarehouseNo: '110000001', recovered: false };
    await pushed.run(erp.recordPurchaseOrderPushed, 'PO-ACT-W1', 1, at);
    await pushed.run(erp.recordPurchaseOrderPushed, 'PO-ACT-W1', 1, at);
    expect((await readOperationLog(db, 'PO', 'PO-ACT-W1')).filter((l) => l.action === 'pushed')).toHaveLength(1);
    expect(await getPurchaseOrder(db, 'PO-ACT-W1')).toMatchObject({ status: 'WAITING_INBOUND', poOrderNo: 'EPLW1' });

    const late = await failureOf(activity('PO-ACT-W1', '8').run(erp.recordPurchaseOrderFailed, 'PO-ACT-W1', 1, { reason: 'late', stage: 'push_rejected' }));
    expect(late).toMatchObject({ type: FAILURE_TYPES.purchaseOrderSuperseded, nonRetryable: true });
    const old = await failureOf(activity('PO-ACT-W1', '9').run(erp.bookPurchaseReceipts, 'PO-ACT-W1', 0, progress('PO-ACT-W1', '20', [['TEA', 1]]), 'PARTIALLY_RECEIVED', 0));
    expect(old).toMatchObject({ type: FAILURE_TYPES.purchaseOrderSuperseded, nonRetryable: true });
  });

  it('bookPurchaseReceipts: the answer the saga gets, the same receipt again after a lost answer, and one booking for two attempts at once', async () => {
    const po = 'PO-ACT-B1';
    await pushedPurchaseOrder(db, po, [['TEA', 10]]);
    const report = progress(po, '20', [['TEA', 4]]);
    const [a, b] = await Promise.all([
      activity(po, '3').run(erp.bookPurchaseReceipts, po, 1, report, 'PARTIALLY_RECEIVED', 0),
      activity(po, '3').run(erp.bookPurchaseReceipts, po, 1, report, 'PARTIALLY_RECEIVED', 0),
    ]);
    const receipt = { receiptNo: `${po}-R1`, seq: 1, poNo: po, poOrderNo: jdNumberOf(po), warehouseCode: 'BJ', receivedAt: expect.any(String), lines: [{ sku: 'TEA', quantity: 4 }] };
    expect(a).toEqual({ receipts: [receipt], totalReceipts: 1, receivedTotal: 4 });
    expect(b).toEqual(a);
    expect(await ledgerForDocument(db, 'PO', po)).toEqual([expect.objectContaining({ sku: 'TEA', quantity: 4, entryNo: 1 })]);
    expect(await activity(po, '4').run(erp.bookPurchaseReceipts, po, 1, report, 'PARTIALLY_RECEIVED', 1)).toEqual({ receipts: [], totalReceipts: 1, receivedTotal: 4 });
  });

  it('a decision and an event are written once per activity', async () => {
    const po = 'PO-ACT-D1';
    await pushedPurchaseOrder(db, po, [['TEA', 2]]);
    await insertPendingPurchaseOrderRequest(db, { requestId: 'act-d1', poNo: po, revision: 1, kind: 'cancel', reason: '不要了', actorRole: 'operator', source: 'api' });
    const decide = activity(po, '11');
    const request = { requestId: 'act-d1', kind: 'cancel' as const, reason: '不要了', actorRole: 'operator', source: 'api' as const, statusAtRequest: 'WAITING_INBOUND' as const };
    const decision = { verdict: 'CANCELLED_AT_JD' as const, status: 'CANCELLED' as const, from: 'WAITING_INBOUND' as const, jdMessage: '成功' };
    await decide.run(erp.recordPurchaseOrderRequestDecision, po, 1, request, decision);
    await decide.run(erp.recordPurchaseOrderRequestDecision, po, 1, request, decision);
    expect(await findPurchaseOrderRequest(db, 'act-d1')).toMatchObject({ verdict: 'CANCELLED_AT_JD', source: 'api', resultingStatus: 'CANCELLED' });
    expect((await readOperationLog(db, 'PO', po)).filter((l) => l.action === 'cancel')).toHaveLength(1);
    expect((await getPurchaseOrder(db, po)).status).toBe('CANCELLED');

    const event = activity(po, '12');
    await event.run(erp.recordPurchaseOrderEvent, po, 1, 'webhook_failed', { eventId: 'e1', error: 'HTTP 500' });
    await event.run(erp.recordPurchaseOrderEvent, po, 1, 'webhook_failed', { eventId: 'e1', error: 'HTTP 500' });
    expect((await readOperationLog(db, 'PO', po)).filter((l) => l.action === 'webhook_failed')).toEqual([
      expect.objectContaining({ actorRole: 'system', detail: { pushRevision: 1, eventId: 'e1', error: 'HTTP 500' } }),
    ]);
  });

  it('unconfirmed, then repush: the revision moves once, and a repush from another revision stops the run', async () => {
    const po = 'PO-ACT-U1';
    await createPurchaseOrder(db, poBody(po, [['TEA', 1]]), { actorRole: 'erp' });
    await activity(po, '5').run(erp.recordPurchaseOrderUnconfirmed, po, 1, { spPoOrderNo: `${po}-1`, jdMessage: '采购单号已存在' });
    expect(await getPurchaseOrder(db, po)).toMatchObject({ status: 'PUSH_UNCONFIRMED', spPoOrderNo: `${po}-1` });
    await activity(po, '6').run(erp.recordPurchaseOrderRepush, po, 1, 2);
    await activity(po, '6').run(erp.recordPurchaseOrderRepush, po, 1, 2);
    expect(await getPurchaseOrder(db, po)).toMatchObject({ status: 'PUSHING', pushRevision: 2, spPoOrderNo: null });
    expect((await readOperationLog(db, 'PO', po)).filter((l) => l.action === 'push_revision_raised')).toHaveLength(1);
    expect(await failureOf(activity(po, '7').run(erp.recordPurchaseOrderRepush, po, 1, 3))).toMatchObject({ type: FAILURE_TYPES.purchaseOrderSuperseded, nonRetryable: true });
    expect(await activity(po, '8').run(erp.preflightPurchaseOrder, po, 2)).toMatchObject({ kind: 'ready' });
  });
});

it('listOpenPurchaseOrders pages the open POs of a JD warehouse', async () => {
  await pushedPurchaseOrder(db, 'PO-ACT-O1', [['TEA', 1]]);
  await setPurchaseOrderWorkflowId(db, 'PO-ACT-O1', 'PO:PO-ACT-O1:1');
  const page = await activity('PO-ACT-O1', '1').run(erp.listOpenPurchaseOrders, '110000001', { afterPoNo: 'PO-ACT-O', limit: 10 });
  expect(page.orders.filter((o) => o.poNo.startsWith('PO-ACT-O'))).toEqual([{ poNo: 'PO-ACT-O1', poOrderNo: jdNumberOf('PO-ACT-O1'), workflowId: 'PO:PO-ACT-O1:1' }]);
});
