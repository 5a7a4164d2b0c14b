// One activity namespace per task queue: a name defined twice stops the worker at start, and every
// activity carries its document in its name (DESIGN.md §1), so the next saga's cannot collide with these.
import { Client } from '@temporalio/client';
import knexFactory from 'knex';
import { createEclpActivities } from '../../activities/eclp';
import { createErpActivities } from '../../activities/erp';
import { activityNamespace } from '../../activities/namespace';
import { createEclpClient, EclpBusinessError, EclpValidationError } from '../../eclp';
import { DEV_CREDENTIALS, DEV_MERCHANT } from '../../eclp/config';
import { JD_REJECTION_TYPES } from '../../messages/failure-types';

// Neither connects until used: the factories only build functions.
const db = knexFactory({ client: 'pg' });
const eclp = createEclpClient({ ...DEV_CREDENTIALS, ...DEV_MERCHANT, gatewayUrl: 'http://127.0.0.1:9/routerjson', timeoutMs: 1_000 });
afterAll(() => db.destroy());

describe('activity namespaces', () => {
  it('refuse a name two groups define, naming both', () => {
    const salesOrders = { async recordCancelDecision() {} };
    const purchaseOrders = { async recordCancelDecision() {} };
    expect(() => activityNamespace('erp', { salesOrders, purchaseOrders })).toThrow(
      'Activity "recordCancelDecision" on task queue "erp" is defined by both salesOrders and purchaseOrders',
    );
  });

  it('merge distinct names, keeping each function', () => {
    const a = { async one() {} };
    const b = { async two() {} };
    const merged = activityNamespace('erp', { a, b });
    expect(merged.one).toBe(a.one);
    expect(merged.two).toBe(b.two);
  });

  // Shared by every document: the ERP webhook (delivery, redelivery, give-up); the sweeper's signals; the
  // alias kept for runs started before names carried their document (DOCUMENT_ACTIVITY_NAMES_PATCH).
  const SHARED = ['deliverWebhook', 'redeliverWebhook', 'markWebhookGaveUp', 'signalJdStatusChanges', 'recordCancelDecision'];
  const DOCUMENTS = /SalesOrder|PurchaseOrder|PurchaseReceipt|Goods|Return|Replacement|Stock|Serials|GoLive|JdToken|JdAuthorisation|JdAccessToken/;

  it('the erp and eclp factories build, and every document activity names its document', () => {
    const erp = createErpActivities({ db, webhook: {}, temporal: new Client() });
    const jd = createEclpActivities({ eclp, db });
    const names = [...Object.keys(erp), ...Object.keys(jd)];
    expect(names.filter((name) => !SHARED.includes(name) && !DOCUMENTS.test(name))).toEqual([]);
    expect(Object.keys(erp)).toEqual(expect.arrayContaining(['recordSalesOrderCancelDecision', 'recordCancelDecision', 'deliverWebhook']));
    expect(Object.keys(jd)).toEqual(expect.arrayContaining(['ensureSalesOrderAtJd', 'awaitSalesOrderOutcome', 'cancelSalesOrderAtJd', 'transportGoodsInfo']));
  });

  it('the JD rejection failure types workflows branch on are the eclp error class names', () => {
    expect([...JD_REJECTION_TYPES]).toEqual([EclpBusinessError.name, EclpValidationError.name]);
  });
});
