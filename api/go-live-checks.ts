// /v1/go-live-checks (推单测试, issue 12 §3): an admin starts a check of a warehouse, a carrier and up to
// 20 SKUs before switching over; the check runs as a workflow that pushes one test sales order per SKU
// through the normal saga and cancels each at JD as soon as JD accepts it. GET shows every step with
// JD's words and the test orders with their cancel verdicts.
// Idempotency: the client may send its own `checkId` (a UUID) and repeat the request safely; without
// one every POST is a new check.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConfigurationError } from '../config/errors';
import { GO_LIVE_DEFAULTS, goLiveConfigFromEnv, type GoLiveConfig } from '../config/go-live';
import {
  GO_LIVE_CHECK_STATUS,
  createGoLiveCheck,
  deleteUnstartedGoLiveCheck,
  findGoLiveCheck,
  getGoLiveCheckDetail,
  listGoLiveChecks,
  setGoLiveCheckWorkflowId,
  type GoLiveCheckStatus,
} from '../db/go-live-checks';
import { existingGoodsSkus, findCarrier, findWarehouse } from '../db/master-data';
import { UnprocessableError } from '../domain/errors';
import { codeSchema } from '../domain/master-data';
import { consigneeSchema, jdWarehouseForApproval, type Consignee } from '../domain/sales-order';
import { pollingOf, salesOrderApiConfigFromEnv, type SalesOrderApiConfig } from './config';
import type { FeatureRouteDeps } from './feature-deps';
import { pageQuery } from './master-data';
import { HttpProblem } from './problem';
import { route, type RouteResult, type RouteSpec } from './route';
import { withTemporal } from './temporal-errors';

const TAG = 'go-live checks';
const MAX_SKUS = 20;

export const goLiveCheckBody = z
  .strictObject({
    /** Lets a caller repeat the request safely; a new check per POST when absent. */
    checkId: z.uuid().optional(),
    warehouseCode: codeSchema,
    carrierCode: codeSchema,
    skus: z
      .array(codeSchema)
      .min(1)
      .max(MAX_SKUS)
      .refine((skus) => new Set(skus).size === skus.length, 'must not repeat a SKU'),
  })
  .meta({ id: 'GoLiveCheckBody' });
type GoLiveCheckBody = z.infer<typeof goLiveCheckBody>;

const idParams = z.strictObject({ id: z.uuid() });
const statusEnum = z.enum(Object.keys(GO_LIVE_CHECK_STATUS) as [GoLiveCheckStatus, ...GoLiveCheckStatus[]]);

const problemResponses = {
  400: { description: 'Invalid input; `errors` names each field' },
  401: { description: 'No or unknown bearer token' },
  403: { description: "The token's role may not do this" },
};

const checkUrl = (id: string) => `/v1/go-live-checks/${id}`;

interface GoLiveApiSettings {
  config: GoLiveConfig;
  consignee: Consignee;
  salesOrders: SalesOrderApiConfig;
}

/** The settings, with the test consignee held to the rules of any order's consignee (a bad one stops the API). */
function settingsFromEnv(env: FeatureRouteDeps['env']): GoLiveApiSettings {
  const config = goLiveConfigFromEnv(env);
  const consignee = consigneeSchema.safeParse(config.consignee);
  if (!consignee.success) {
    throw new ConfigurationError(consignee.error.issues.map((issue) => `GO_LIVE_CONSIGNEE_${String(issue.path[0] ?? 'NAME').toUpperCase()} ${issue.message}`));
  }
  return { config, consignee: consignee.data, salesOrders: salesOrderApiConfigFromEnv(env) };
}

/** Unknown warehouse, carrier or SKUs, and a warehouse JD does not run, each named by its field. */
async function checkReferences({ db }: FeatureRouteDeps, body: GoLiveCheckBody): Promise<string> {
  const errors: Array<{ field: string; message: string }> = [];
  const warehouse = await findWarehouse(db, body.warehouseCode);
  const jd = jdWarehouseForApproval(body.warehouseCode, warehouse);
  if (!warehouse) errors.push({ field: 'warehouseCode', message: `warehouse ${body.warehouseCode} does not exist in master data` });
  else if (!jd.ok) errors.push({ field: 'warehouseCode', message: jd.problem });
  if (!(await findCarrier(db, body.carrierCode))) errors.push({ field: 'carrierCode', message: `carrier ${body.carrierCode} does not exist in master data` });
  const known = await existingGoodsSkus(db, body.skus);
  body.skus.forEach((sku, i) => {
    if (!known.has(sku)) errors.push({ field: `skus.${i}`, message: `SKU ${sku} does not exist in master data` });
  });
  if (errors.length > 0 || !jd.ok) {
    throw new UnprocessableError(`The go-live check cannot run: ${errors.map((e) => e.message).join('; ')}`, 'go-live-check-invalid', { errors });
  }
  return jd.jdWarehouseNo;
}

async function startGoLiveCheck(deps: FeatureRouteDeps, settings: GoLiveApiSettings, body: GoLiveCheckBody, actorRole: 'erp' | 'operator' | 'admin'): Promise<RouteResult> {
  const { db, documents } = deps;
  // In production a test order JD refuses to cancel really ships: to the merchant's own office, not to a placeholder.
  if (deps.env.NODE_ENV === 'production' && JSON.stringify(settings.config.consignee) === JSON.stringify(GO_LIVE_DEFAULTS.consignee)) {
    throw new UnprocessableError(
      'The go-live check cannot run: set GO_LIVE_CONSIGNEE_NAME, _MOBILE, _PROVINCE, _CITY, _COUNTY and _ADDRESS to your own office first (a test order JD refuses to cancel ships there)',
      'go-live-consignee-not-set',
    );
  }
  const jdWarehouseNo = await checkReferences(deps, body);
  const so = settings.salesOrders;
  // Before anything is written: if Temporal is down this answers 503 with nothing changed.
  if (so.tracking === 'sweep') {
    await withTemporal(() => documents.sweepers.ensure({ jdWarehouseNo, intervalMs: so.sweepIntervalMs, sweepsPerRun: so.sweepsPerRun }), documents.temporal);
  }
  const id = body.checkId ?? randomUUID();
  const { check, created } = await createGoLiveCheck(db, { id, warehouseCode: body.warehouseCode, carrierCode: body.carrierCode, skus: body.skus, consignee: settings.consignee }, actorRole);
  if (!created && check.workflowId !== null) return { status: 200, body: answer(check) };
  try {
    const run = await withTemporal(
      () =>
        documents.goLiveChecks.start({
          checkId: id,
          salesOrder: {
            polling: pollingOf(so),
            tracking: so.tracking === 'sweep' ? { mode: 'sweep', safetyPollIntervalMs: so.safetyPollIntervalMs } : { mode: 'poll' },
          },
          verdictPolling: { intervalMs: settings.config.verdictPollIntervalMs, maxWaitMs: settings.config.verdictMaxWaitMs },
        }),
      documents.temporal,
    );
    await setGoLiveCheckWorkflowId(db, id, run.workflowId);
  } catch (err) {
    // Nothing ran yet: the check is forgotten, so the same request again starts it afresh.
    if (err instanceof HttpProblem && err.status === 503) await deleteUnstartedGoLiveCheck(db, id);
    throw err;
  }
  const current = (await findGoLiveCheck(db, id))!;
  return { status: created ? 202 : 200, body: answer(current), headers: { Location: checkUrl(id) } };
}

function answer(check: { id: string; status: GoLiveCheckStatus; workflowId: string | null }) {
  return {
    id: check.id,
    status: check.status,
    statusLabel: GO_LIVE_CHECK_STATUS[check.status],
    workflowId: check.workflowId,
    links: { self: checkUrl(check.id) },
  };
}

export function goLiveCheckRoutes(deps: FeatureRouteDeps): RouteSpec[] {
  const { db } = deps;
  const settings = settingsFromEnv(deps.env);
  return [
    route({
      method: 'post',
      path: '/v1/go-live-checks',
      summary: '推单测试: check master data, sync goods, push one test sales order per SKU through the normal saga and cancel each at JD as soon as JD accepts it',
      tag: TAG,
      roles: ['admin'],
      body: goLiveCheckBody,
      responses: {
        200: { description: 'The same checkId was asked before with the same body: the check as it is' },
        202: { description: '`{ id, status: RUNNING, workflowId, links }`: the check runs; follow Location' },
        409: { description: 'The checkId was used for another request' },
        422: { description: 'Unknown warehouse, carrier or SKU, or a warehouse that is not ECLP-connected; `errors` names each field' },
        503: { description: 'Temporal is unreachable; nothing was kept; retry after Retry-After seconds' },
        ...problemResponses,
      },
      handler: async ({ body, actor }) => startGoLiveCheck(deps, settings, body, actor!.role),
    }),
    route({
      method: 'get',
      path: '/v1/go-live-checks/{id}',
      summary: 'A go-live check: status, every step with what passed and failed in JD’s words, and the test orders with their JD numbers and cancel verdicts',
      tag: TAG,
      roles: ['operator'],
      params: idParams,
      responses: { 200: { description: 'Found' }, 404: { description: 'Unknown check' }, ...problemResponses },
      handler: async ({ params }) => ({ status: 200, body: await getGoLiveCheckDetail(db, params.id) }),
    }),
    route({
      method: 'get',
      path: '/v1/go-live-checks',
      summary: 'List go-live checks, newest first, by status and warehouse',
      tag: TAG,
      roles: ['operator'],
      query: pageQuery.extend({ status: statusEnum.optional(), warehouse: codeSchema.optional() }),
      responses: { 200: { description: 'A page of checks (without steps)' }, ...problemResponses },
      handler: async ({ query }) => {
        const { status, warehouse, ...page } = query;
        const result = await listGoLiveChecks(db, { ...(status && { status }), ...(warehouse && { warehouseCode: warehouse }) }, page);
        return { status: 200, body: { ...result, ...page } };
      },
    }),
  ];
}
