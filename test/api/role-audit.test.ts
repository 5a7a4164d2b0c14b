// Role audit (issue 5 item 4). Every endpoint is enumerated twice — from the declarations the app serves
// (`app.locals.routes`) and from Express's own router stack, so a handler mounted outside `route()` is
// found too — and probed: without a token it must answer 401, with a valid token of a role it does not
// allow 403. Only the reads in PUBLIC_READS may be public. The probes never get past the guards of a
// correctly protected route, so the app is built with dependencies that never connect.
import { Client, Connection } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import knexFactory from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { authenticate, parseApiTokens, requireRole, ROLES, type Role } from '../../api/auth';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problems, sendProblem } from '../../api/problem';
import { isMutating, mountRoutes, route, type RouteSpec } from '../../api/route';
import { apiRoutes } from '../../api/routes';
import { TOKEN_SPEC, TOKENS } from '../support';

/** The only endpoints anyone may call without a token. Adding to this list is a security decision. */
// JD's OAuth redirect carries no bearer token: the callback's check is its single-use `state` (test/jd-auth).
const PUBLIC_READS = new Set(['GET /healthz', 'GET /readyz', 'GET /docs', 'GET /v1/jd/oauth/callback']);
const PROBE_TIMEOUT_MS = 5_000;

interface Endpoint {
  method: string;
  /** Express syntax: `/v1/goods/:sku`. */
  path: string;
}
interface Finding {
  endpoint: string;
  problem: string;
}
interface AuditResult {
  findings: Finding[];
  probed: string[];
}

const key = (e: Endpoint) => `${e.method.toUpperCase()} ${e.path}`;
const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');
/** A path that matches the route: parameters get a harmless value, optional groups are kept. */
const concrete = (path: string) => path.replace(/[:*](\w+)/g, 'AUDIT-1').replace(/[{}]/g, '');

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; name?: string };
  name?: string;
  rawPath?: unknown;
  slash?: boolean;
}

/** Every method + path Express will dispatch to, walking nested routers; plus what cannot be walked. */
function mountedEndpoints(app: Express): { endpoints: Endpoint[]; opaque: Finding[] } {
  const endpoints: Endpoint[] = [];
  const opaque: Finding[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          if (typeof path !== 'string') {
            opaque.push({ endpoint: `${prefix}${String(path)}`, problem: 'has a non-string path the audit cannot probe' });
            continue;
          }
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on) endpoints.push({ method: method === '_all' ? 'all' : method, path: prefix + path });
          }
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        const mount = layer.slash || layer.rawPath === '/' ? '' : typeof layer.rawPath === 'string' ? layer.rawPath : undefined;
        if (mount === undefined) opaque.push({ endpoint: `${prefix}${String(layer.rawPath)}`, problem: 'is a router mounted on a path the audit cannot read' });
        else walk(layer.handle.stack, prefix + mount);
      } else if (layer.handle?.name === 'mounted_app') {
        opaque.push({ endpoint: `${prefix}${String(layer.rawPath)}`, problem: 'is a mounted sub-application; its routes are invisible to the audit' });
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return { endpoints, opaque };
}

async function probe(app: Express, endpoint: Endpoint, headers: Record<string, string>): Promise<request.Response | string> {
  const method = (endpoint.method === 'all' ? 'post' : endpoint.method) as 'get' | 'put' | 'post' | 'delete' | 'patch';
  try {
    return await request(app)[method](concrete(endpoint.path)).set(headers).timeout(PROBE_TIMEOUT_MS);
  } catch (err) {
    return `no answer (${(err as Error).message})`;
  }
}

function refusal(res: request.Response | string, status: 401 | 403): string | undefined {
  if (typeof res === 'string') return res;
  if (res.status !== status) return `answered ${res.status}`;
  if (!String(res.headers['content-type']).startsWith(PROBLEM_CONTENT_TYPE)) return `answered ${status} without problem+json`;
  if (status === 401 && !/^Bearer/.test(String(res.headers['www-authenticate']))) return 'answered 401 without WWW-Authenticate: Bearer';
  return undefined;
}

/**
 * Audits one app: declarations against the router stack, public routes against the allow-list, and
 * each endpoint's answer without a token, with an unknown token and with each role it does not allow.
 */
async function auditRoles(app: Express): Promise<AuditResult> {
  const declared = (app.locals.routes ?? []) as RouteSpec[];
  const byKey = new Map(declared.map((spec) => [key({ method: spec.method, path: expressPath(spec.path) }), spec]));
  const { endpoints, opaque } = mountedEndpoints(app);
  const findings: Finding[] = [...opaque];
  const mountedKeys = new Set(endpoints.map(key));

  for (const [k, spec] of byKey) {
    if (!mountedKeys.has(k)) findings.push({ endpoint: k, problem: 'is declared but Express does not serve it' });
    if (spec.roles === 'public' && isMutating(spec)) findings.push({ endpoint: k, problem: 'changes state but is declared public' });
    if (spec.roles === 'public' && !isMutating(spec) && !PUBLIC_READS.has(k)) findings.push({ endpoint: k, problem: 'is a public read not on the allow-list' });
  }

  const probed: string[] = [];
  for (const endpoint of endpoints) {
    const k = key(endpoint);
    const spec = byKey.get(k);
    if (!spec) findings.push({ endpoint: k, problem: 'is mounted outside route(): no declared roles, not in the OpenAPI document' });
    if (PUBLIC_READS.has(k) && spec?.roles === 'public') continue;
    probed.push(k);

    const none = refusal(await probe(app, endpoint, {}), 401);
    if (none) findings.push({ endpoint: k, problem: `without a token ${none} (expected 401)` });
    const unknown = refusal(await probe(app, endpoint, { Authorization: 'Bearer not-a-valid-token-at-all' }), 401);
    if (unknown) findings.push({ endpoint: k, problem: `with an unknown token ${unknown} (expected 401)` });
    if (!spec || spec.roles === 'public') continue;
    const allowed = new Set<Role>([...spec.roles, 'admin']);
    for (const role of ROLES.filter((r) => !allowed.has(r))) {
      const wrong = refusal(await probe(app, endpoint, { Authorization: `Bearer ${TOKENS[role]}` }), 403);
      if (wrong) findings.push({ endpoint: k, problem: `with role ${role} ${wrong} (expected 403)` });
    }
  }
  return { findings, probed };
}

// ---- the real app ---------------------------------------------------------------------------------------

describe('the API as served', () => {
  const db = knexFactory({ client: 'pg', connection: { host: '127.0.0.1', port: 1 }, acquireConnectionTimeout: 2_000 });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = createApp({
    tokens: parseApiTokens(TOKEN_SPEC),
    logger: pino({ level: 'silent' }),
    routes: apiRoutes({ db, temporal: new Client({ connection }), namespace: 'default' }),
  });
  afterAll(async () => {
    await db.destroy();
    await connection.close();
  });

  it('protects every endpoint: 401 without a token, 403 for each role it does not allow', async () => {
    const { findings, probed } = await auditRoles(app);
    expect(findings).toEqual([]);
    // Not vacuous: every declared route except the allow-listed reads was probed.
    const declared = (app.locals.routes as RouteSpec[]).map((spec) => key({ method: spec.method, path: expressPath(spec.path) }));
    expect(probed.sort()).toEqual(declared.filter((k) => !PUBLIC_READS.has(k)).sort());
    expect(probed).toEqual(expect.arrayContaining(['PUT /v1/goods/:sku', 'POST /v1/goods/:sku/sync', 'POST /v1/returns', 'POST /v1/returns/:returnNo/cancel']));
  });

  it('finds the same endpoints in the router stack as in the declarations', () => {
    const mounted = mountedEndpoints(app).endpoints.map(key).sort();
    const declared = (app.locals.routes as RouteSpec[]).map((spec) => key({ method: spec.method, path: expressPath(spec.path) })).sort();
    expect(mounted).toEqual(declared);
  });

  it('gives the role names in the 403, so the ERP sees which role to use', async () => {
    const writes = (app.locals.routes as RouteSpec[]).filter((spec) => isMutating(spec) && spec.roles !== 'public' && !spec.roles.includes('operator'));
    expect(writes.length).toBeGreaterThan(0);
    const res = await request(app)[writes[0]!.method](concrete(expressPath(writes[0]!.path))).set({ Authorization: `Bearer ${TOKENS.operator}` });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('operator');
  });
});

// ---- the audit itself can fail ------------------------------------------------------------------------

const noop = async () => ({ status: 204 });
const spec = (method: RouteSpec['method'], path: string, roles: RouteSpec['roles']): RouteSpec =>
  route({ method, path, summary: 'audit fixture', tag: 'audit', roles, responses: { 204: { description: 'done' } }, handler: noop });

const renderProblems: ErrorRequestHandler = (err, _req, res, _next) => sendProblem(res, err instanceof HttpProblem ? err : problems.internal());

/** An app wired like createApp, where a test can add what createApp would never do. */
function handBuiltApp(declared: RouteSpec[], mount: (router: Router, app: Express) => void): Express {
  const app = express();
  app.use(express.json());
  app.use(authenticate(parseApiTokens(TOKEN_SPEC)));
  const router = express.Router();
  mount(router, app);
  app.use(router);
  app.use(renderProblems);
  app.locals.routes = declared;
  return app;
}

describe('the audit reports', () => {
  const silent = pino({ level: 'silent' });

  it('nothing for a correctly protected app', async () => {
    const routes = [spec('put', '/v1/things/{code}', ['erp']), spec('get', '/v1/things/{code}', ['erp', 'operator'])];
    const { findings, probed } = await auditRoles(createApp({ tokens: parseApiTokens(TOKEN_SPEC), logger: silent, routes }));
    expect(findings).toEqual([]);
    expect(probed).toEqual(['PUT /v1/things/:code', 'GET /v1/things/:code']);
  });

  it('a write declared public, and a public read that is not on the allow-list', async () => {
    const routes = [spec('post', '/v1/things/{code}/purge', 'public'), spec('get', '/v1/secrets', 'public')];
    const { findings } = await auditRoles(createApp({ tokens: parseApiTokens(TOKEN_SPEC), logger: silent, routes }));
    expect(findings).toEqual(
      expect.arrayContaining([
        { endpoint: 'POST /v1/things/:code/purge', problem: 'changes state but is declared public' },
        { endpoint: 'POST /v1/things/:code/purge', problem: 'without a token answered 204 (expected 401)' },
        { endpoint: 'GET /v1/secrets', problem: 'is a public read not on the allow-list' },
        { endpoint: 'GET /v1/secrets', problem: 'without a token answered 204 (expected 401)' },
      ]),
    );
  });

  it('a handler mounted straight on the router, at the top level and inside a router mounted on a prefix', async () => {
    const declared = [spec('put', '/v1/things/{code}', ['erp'])];
    const app = handBuiltApp(declared, (router, outer) => {
      mountRoutes(router, declared);
      router.delete('/v1/things/:code', (_req, res) => void res.status(204).end());
      const admin = express.Router();
      admin.post('/purge', (_req, res) => void res.status(204).end());
      outer.use('/v1/admin', admin);
    });
    const { findings } = await auditRoles(app);
    expect(findings).toEqual(
      expect.arrayContaining([
        { endpoint: 'DELETE /v1/things/:code', problem: 'is mounted outside route(): no declared roles, not in the OpenAPI document' },
        { endpoint: 'DELETE /v1/things/:code', problem: 'without a token answered 204 (expected 401)' },
        { endpoint: 'POST /v1/admin/purge', problem: 'is mounted outside route(): no declared roles, not in the OpenAPI document' },
        { endpoint: 'POST /v1/admin/purge', problem: 'without a token answered 204 (expected 401)' },
      ]),
    );
    expect(findings.filter((f) => f.endpoint === 'PUT /v1/things/:code')).toEqual([]);
  });

  it('a guard that lets in a role the declaration does not allow', async () => {
    const declared = spec('post', '/v1/things/{code}/refund', ['operator']);
    const app = handBuiltApp([declared], (router) => {
      router.post('/v1/things/:code/refund', requireRole(['erp', 'operator']), (_req, res) => void res.status(204).end());
    });
    const { findings } = await auditRoles(app);
    expect(findings).toEqual([{ endpoint: 'POST /v1/things/:code/refund', problem: 'with role erp answered 204 (expected 403)' }]);
  });

  it('a sub-application it cannot look into', async () => {
    const app = handBuiltApp([], (_router, outer) => {
      const sub = express();
      sub.post('/reset', (_req, res) => void res.status(204).end());
      outer.use('/internal', sub);
    });
    const { findings } = await auditRoles(app);
    expect(findings).toEqual([{ endpoint: '/internal', problem: 'is a mounted sub-application; its routes are invisible to the audit' }]);
  });
});
