// Stock reconciliation (库存对账, DESIGN.md §5): the ERP's ledger against JD's queryStock, per SKU, with what
// documents still open at JD explain. GET /v1/stock/reconciliation runs one now (a workflow: JD is called
// from activities only) and answers its stored report; the daily Temporal Schedule stores one per ECLP
// warehouse; both are listed and fetched by id.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findWarehouse } from '../db/master-data';
import { findStockReconciliation, getStockReconciliationWithLines, listStockReconciliations } from '../db/stock-reconciliation';
import { stockReconciliationConfigFromEnv } from '../config/stock-reconciliation';
import { codeSchema } from '../domain/master-data';
import { UnprocessableError } from '../domain/errors';
import type { FeatureRouteDeps } from './feature-deps';
import { HttpProblem, problems } from './problem';
import { route, type RouteResult, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

const reportUrl = (id: string) => `/v1/stock/reconciliations/${id}`;
/** How often the API looks whether the report it started is stored. */
const REPORT_POLL_MS = 200;

const line = z
  .object({
    sku: z.string().nullable().describe('Our SKU; null for a JD goods number no SKU of ours carries'),
    jdGoodsNo: z.string().nullable(),
    jdIsvSku: z.string().nullable().optional(),
    side: z.enum(['both', 'jd-only', 'erp-only']),
    ledgerQty: z.number().int(),
    jdTotalQty: z.number().int().describe('All of JD\'s stock rows for the goods: every stock type, status and goods level'),
    jdUsableQty: z.number().int(),
    jdDefectiveQty: z.number().int().describe('Goods level 200–299 or stock status 2; the ledger keeps no goods level, so this is inside jdTotalQty'),
    openInboundQty: z.number().int().describe('Ordered, not yet received, in POs and returns still open at JD'),
    openOutboundQty: z.number().int().describe('Ordered in sales orders still open at JD (pushed, not shipped)'),
    difference: z.number().int().describe('jdTotalQty − ledgerQty'),
    unexplainedQty: z.number().int().describe('The part of the difference open documents cannot explain'),
  })
  .meta({ id: 'StockReconciliationLine' });

const report = z
  .object({
    id: z.string(),
    warehouseCode: z.string(),
    jdWarehouseNo: z.string().nullable(),
    trigger: z.enum(['api', 'schedule']),
    status: z.enum(['RUNNING', 'DONE', 'FAILED']),
    workflowId: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    skuCount: z.number().int(),
    differenceCount: z.number().int(),
    mismatchCount: z.number().int().describe('SKUs with an unexplained difference'),
    jdRowCount: z.number().int(),
    error: z.string().nullable(),
    reportUrl: z.string(),
  })
  .meta({ id: 'StockReconciliation' });
const reportWithLines = report.extend({ lines: z.array(line) }).meta({ id: 'StockReconciliationReport' });

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
};

export function stockReconciliationRoutes(deps: FeatureRouteDeps): RouteSpec[] {
  const { db, documents } = deps;
  const config = stockReconciliationConfigFromEnv(deps.env);

  const withLines = async (id: string) => {
    const found = await getStockReconciliationWithLines(db, id);
    return found && { ...found, reportUrl: reportUrl(id) };
  };

  /** The report once it is no longer RUNNING, or undefined when `waitMs` passed first. */
  const finished = async (id: string, waitMs: number) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = await findStockReconciliation(db, id);
      if (found && found.status !== 'RUNNING') return found;
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, Math.min(REPORT_POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  };

  return [
    route({
      method: 'get',
      path: '/v1/stock/reconciliation',
      summary: 'Reconcile one warehouse now: per SKU the ledger, JD\'s total/usable/defective stock (every queryStock page), what open documents explain, and the unexplained difference',
      tag: 'stock',
      roles: ['erp', 'operator'],
      query: z.strictObject({ warehouse: codeSchema }),
      responses: {
        200: { description: 'The stored report with its lines (unexplained differences first); `stock.mismatch` went to the ERP webhook if any', schema: reportWithLines },
        202: { description: 'Still running after STOCK_RECONCILE_WAIT_MS; GET the Location for the report' },
        404: { description: 'No such warehouse' },
        422: { description: 'The warehouse is not ECLP-connected (`errors` names `query.warehouse`)' },
        502: { description: 'JD did not give the stock (JD\'s words in `detail`); the FAILED report is at `reportUrl`' },
        503: { description: 'Temporal is unreachable; nothing was started' },
        ...problemResponses,
      },
      handler: async ({ query }): Promise<RouteResult> => {
        const warehouse = await findWarehouse(db, query.warehouse);
        if (!warehouse) throw problems.notFound(`No warehouse with code "${query.warehouse}"`);
        if (!warehouse.eclpConnected || !warehouse.jdWarehouseNo) {
          const problem = `warehouse ${query.warehouse} is not a JD (ECLP) warehouse; its stock is not at JD`;
          throw new UnprocessableError(`Cannot reconcile stock: ${problem}`, 'warehouse-not-eclp', { errors: [{ field: 'query.warehouse', message: problem }] });
        }
        const reportId = randomUUID();
        await withTemporal(
          () => documents.stockReconciliation.start({ warehouseCode: query.warehouse, reportId, trigger: 'api', jdPageSize: config.jdPageSize, jdWarehouseNo: warehouse.jdWarehouseNo! }),
          documents.temporal,
        );
        const done = await finished(reportId, config.waitMs);
        if (!done) {
          return {
            status: 202,
            body: { id: reportId, warehouseCode: query.warehouse, status: 'RUNNING', reportUrl: reportUrl(reportId) },
            headers: { Location: reportUrl(reportId) },
          };
        }
        if (done.status === 'FAILED') {
          throw new HttpProblem(502, 'stock-reconciliation-failed', 'Bad gateway', `The stock of warehouse ${query.warehouse} could not be reconciled: ${done.error ?? 'failed'}`, {
            reportId,
            reportUrl: reportUrl(reportId),
          });
        }
        return { status: 200, body: await withLines(reportId), headers: { 'Content-Location': reportUrl(reportId) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/stock/reconciliations',
      summary: 'Stock reconciliation reports, newest first (API and daily schedule); `mismatch=true` only those with unexplained differences',
      tag: 'stock',
      roles: ['erp', 'operator'],
      query: z.strictObject({
        warehouse: codeSchema.optional(),
        mismatch: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      responses: { 200: { description: '`items`: reports without their lines', schema: z.object({ items: z.array(report) }) }, ...problemResponses },
      handler: async ({ query }) => {
        const items = await listStockReconciliations(db, {
          limit: query.limit,
          ...(query.warehouse && { warehouseCode: query.warehouse }),
          ...(query.mismatch !== undefined && { mismatch: query.mismatch === 'true' }),
        });
        return { status: 200, body: { items: items.map((r) => ({ ...r, reportUrl: reportUrl(r.id) })) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/stock/reconciliations/{id}',
      summary: 'One stock reconciliation report with its lines (unexplained differences first)',
      tag: 'stock',
      roles: ['erp', 'operator'],
      params: z.strictObject({ id: z.uuid('must be a report id (uuid)') }),
      responses: { 200: { description: 'The report', schema: reportWithLines }, 404: { description: 'No such report' }, ...problemResponses },
      handler: async ({ params }) => {
        const found = await withLines(params.id.toLowerCase());
        if (!found) throw problems.notFound(`No stock reconciliation report ${params.id}`);
        return { status: 200, body: found };
      },
    }),
  ];
}
