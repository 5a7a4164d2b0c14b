// Fuzzed input (issue 5 item 3). Every route the API serves is read from the app (`app.locals.routes`),
// and every route with a params, query or body schema gets inputs that its own schema refuses: wrong
// types, missing and unknown fields, huge strings and lists, unicode and SQL-ish strings, negative and
// fractional numbers, repeated lines, no body. Every mutating route also gets bodies refused at the door:
// malformed JSON, other media types and charsets, corrupt compression, oversized. A new route is fuzzed
// without new test code.
//
// Each answer must be 4xx problem+json naming the damaged field, never 5xx, and no table may change
// (row counts and a checksum of every table, after every request) — against the real stack, so "no
// workflow started" is checked on a real Temporal server too.
//
// Reproduce a failure: fast-check prints `seed` and `path`; rerun with
//   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest test/fuzz/api-input
// FUZZ_RUNS=<n> sets the runs per route (default 100, about 40 s for the whole file on 2 cores).
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import knexFactory from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { PROBLEM_CONTENT_TYPE } from '../../api/problem';
import { isMutating, type RouteSpec } from '../../api/route';
import { apiRoutes } from '../../api/routes';
import { startTestStack, type TestStack } from '../helpers/stack';
import { auth, CONSIGNEE, tableFingerprinter, type TableFingerprint } from '../support';
import {
  NO_BODY,
  concretePath,
  expectedFieldErrors,
  invalidRequests,
  isInvalidAtMutation,
  queryString,
  rawBodies,
  refusedAsJson,
  sameOrNested,
  stringFields,
  unstorableCharacters,
  validRequests,
  withCharacterInside,
  withValueAt,
  type InvalidRequest,
  type RawBody,
  type RequestInput,
} from './generators';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const RAW_RUNS = Math.max(5, Math.round(RUNS * 0.4));
const BODY_LIMIT_BYTES = 1024 * 1024; // createApp's default '1mb'
const fcOptions = (numRuns: number): { numRuns: number; seed?: number; path?: string } => ({
  numRuns,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
});

/**
 * The route list, read at load time so each route gets its own test. Built with dependencies that never
 * connect (nothing is called while routes are only declared); the stack's app is checked to serve the same list.
 */
function declaredRoutes(): RouteSpec[] {
  const db = knexFactory({ client: 'pg' });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = createApp({ tokens: [], logger: pino({ level: 'silent' }), routes: apiRoutes({ db, temporal: new Client({ connection }), namespace: 'default' }) });
  void db.destroy();
  void connection.close();
  return app.locals.routes as RouteSpec[];
}

const ROUTES = declaredRoutes();
const label = (spec: Pick<RouteSpec, 'method' | 'path'>) => `${spec.method.toUpperCase()} ${spec.path}`;
const withSchemas = ROUTES.filter((spec) => spec.params || spec.query || spec.body);
const mutating = ROUTES.filter(isMutating);

/** Codes that exist, so damaged bodies also hit paths of real rows (an update must not half-happen). */
const KNOWN = { code: 'FUZZ-1', sku: 'FUZZ-SKU-1', orderNo: 'FUZZ-SO-1', poNo: 'FUZZ-PO-1', returnNo: 'FUZZ-RTN-1' };
const KNOWN_VALUES = { code: [KNOWN.code], sku: [KNOWN.sku], orderNo: [KNOWN.orderNo], poNo: [KNOWN.poNo], returnNo: [KNOWN.returnNo] };

let stack: TestStack;
let server: Server;
let baseUrl: string;
let baseline: TableFingerprint;
/** Row count and an order-independent checksum of every table, in one round trip. */
let fingerprint: () => Promise<TableFingerprint>;

async function tablesChanged(): Promise<string[]> {
  const now = await fingerprint();
  return [...new Set([...baseline.keys(), ...now.keys()])].filter((t) => baseline.get(t) !== now.get(t));
}

beforeAll(async () => {
  stack = await startTestStack();
  expect((stack.app.locals.routes as RouteSpec[]).map(label)).toEqual(ROUTES.map(label));
  // One listening server for the whole file: supertest would otherwise open one per request.
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const seed = [
    ['/v1/categories/' + KNOWN.code, { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' }],
    ['/v1/warehouses/' + KNOWN.code, { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true }],
    ['/v1/carriers/' + KNOWN.code, { name: '京东快递', jdShipperNo: 'CYS0000010' }],
    ['/v1/suppliers/' + KNOWN.code, { name: '供应商', jdSupplierNo: 'EMS0000000000001' }],
    ['/v1/goods/' + KNOWN.sku, { name: '龙井', barcodes: ['6901234567890'], categoryCode: KNOWN.code }],
  ] as const;
  for (const [path, body] of seed) await request(baseUrl).put(path).set(auth('erp')).send(body).expect(201);
  if (ROUTES.some((spec) => label(spec) === 'POST /v1/sales-orders')) {
    const order = {
      orderNo: KNOWN.orderNo,
      warehouseCode: KNOWN.code,
      carrierCode: KNOWN.code,
      consignee: { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' },
      lines: [{ sku: KNOWN.sku, quantity: 1, price: 59.9 }],
    };
    await request(baseUrl).post('/v1/sales-orders').set(auth('erp')).send(order).expect(201);
  }
  if (ROUTES.some((spec) => label(spec) === 'POST /v1/purchase-orders')) {
    // In a warehouse JD does not run, so the PO is stored without starting a run (none may start here).
    await request(baseUrl).put('/v1/warehouses/FUZZ-LOCAL').set(auth('erp')).send({ name: '本地仓', eclpConnected: false }).expect(201);
    const po = { poNo: KNOWN.poNo, supplierCode: KNOWN.code, warehouseCode: 'FUZZ-LOCAL', lines: [{ sku: KNOWN.sku, quantity: 2 }] };
    await request(baseUrl).post('/v1/purchase-orders').set(auth('erp')).send(po).expect(201);
  }
  if (ROUTES.some((spec) => label(spec) === 'POST /v1/returns')) await seedReturn();

  fingerprint = await tableFingerprinter(stack.db);
  baseline = await fingerprint();
  expect(baseline.size).toBeGreaterThan(5);
}, 120_000);

/**
 * A return of a shipped order. A return's run starts with it, so it is created through the stack's idle API
 * (no worker polls its queue): the run waits there, ended with the stack, instead of moving the return.
 */
async function seedReturn(): Promise<void> {
  const order = { orderNo: 'FUZZ-SO-SHIPPED', warehouseCode: KNOWN.code, carrierCode: KNOWN.code, consignee: CONSIGNEE, lines: [{ sku: KNOWN.sku, quantity: 2, price: 59.9 }] };
  await request(baseUrl).post('/v1/sales-orders').set(auth('erp')).send(order).expect(201);
  await stack.db('sales_orders').where({ order_no: order.orderNo }).update({ status: 'SHIPPED', eclp_so_no: 'ESL0000000000001' });
  const ret = { returnNo: KNOWN.returnNo, orderNo: order.orderNo, type: 'RETURN', warehouseCode: KNOWN.code, reason: '退货', lines: [{ sku: KNOWN.sku, quantity: 1 }] };
  await request(stack.idleApi()).post('/v1/returns').set(auth('erp')).send(ret).expect(202);
}

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});

function send(spec: RouteSpec, input: RequestInput): request.Test {
  const qs = queryString(input.query);
  const url = concretePath(spec.path, input.params) + (qs ? `?${qs}` : '');
  const req = request(baseUrl)[spec.method](url).set(auth('admin'));
  return input.body === NO_BODY ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(input.body));
}

function describeInput(input: InvalidRequest): string {
  const body = input.body === NO_BODY ? '(none)' : JSON.stringify(input.body);
  return `${input.kind} at ${input.field}; params ${JSON.stringify(input.params)}; query ${JSON.stringify(input.query)}; body ${body.length > 300 ? `${body.slice(0, 300)}… (${body.length} chars)` : body}`;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: { type?: string; errors?: unknown } | undefined;
}

const answerOf = (res: request.Response): Answer => ({ status: res.status, contentType: String(res.headers['content-type']), text: res.text, body: res.body });

/**
 * Raw HTTP, because supertest rewrites what it is given (it JSON-encodes a Buffer sent as
 * application/json and adds a Content-Type to a string sent without one).
 */
function sendRaw(method: string, path: string, headers: Record<string, string>, payload: string): Promise<Answer> {
  const data = Buffer.from(payload, 'utf8');
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(`${baseUrl}${path}`, { method: method.toUpperCase(), headers: { ...headers, 'Content-Length': String(data.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        answered = true;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Answer['body'];
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), text, body });
      });
    });
    // The server may answer 413 and close before the whole oversized body is written.
    req.on('error', (err) => {
      if (!answered) setTimeout(() => (answered ? undefined : reject(err)), 200);
    });
    req.end(data);
  });
}

function expectProblem(res: Answer, status: number, context: string): string[] {
  const where = `${context}\n→ ${res.status} ${res.contentType} ${res.text.slice(0, 500)}`;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${where}`);
  if (!res.contentType.startsWith(PROBLEM_CONTENT_TYPE)) throw new Error(`not problem+json: ${where}`);
  const errors = res.body?.errors;
  if (!Array.isArray(errors) || errors.length === 0) throw new Error(`no errors[] naming a field: ${where}`);
  const fields = errors.map((e: { field?: unknown }) => e.field);
  if (!fields.every((f): f is string => typeof f === 'string' && f.length > 0)) throw new Error(`an error without a field name: ${where}`);
  return fields;
}

async function expectNothingChanged(context: string): Promise<void> {
  const changed = await tablesChanged();
  if (changed.length > 0) throw new Error(`tables changed: ${changed.join(', ')} after ${context}`);
}

describe('inputs the route schemas refuse', () => {
  it.each(withSchemas.map((spec) => [label(spec), spec] as const))('%s', async (_label, spec) => {
    const inputs = invalidRequests(spec, { known: KNOWN_VALUES });
    if (!inputs) throw new Error(`${label(spec)} declares schemas, but nothing could be derived to violate them`);
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        // Only inputs the schema itself refuses, blaming the damaged field: an accepted one would be a valid request.
        fc.pre(isInvalidAtMutation(spec, input));
        const context = `${label(spec)}: ${describeInput(input)}`;
        const res = answerOf(await send(spec, input));
        const fields = expectProblem(res, 400, context);
        const expectedType = refusedAsJson(input.body) ? /\/malformed-json$/ : /\/validation$/;
        if (!expectedType.test(String(res.body?.type))) throw new Error(`type ${res.body?.type}, expected ${expectedType}: ${context}`);
        // The API names exactly what zod names for the input as Express hands it over…
        const expected = [...new Set(expectedFieldErrors(spec, input).map((e) => e.field))].sort();
        expect([...new Set(fields)].sort()).toEqual(expected);
        // …and that includes the field this input damaged.
        if (!fields.some((f) => (input.field === '(body)' ? !/^(path|query)\./.test(f) : sameOrNested(f, input.field)))) {
          throw new Error(`the damaged field ${input.field} is not named (${fields.join(', ')}): ${context}`);
        }
        await expectNothingChanged(context);
      }),
      fcOptions(RUNS),
    );
  });
});

describe('text the database cannot store, in every string field of every route', () => {
  // Unlike the property above, nothing here is pre-checked with the schema: a field whose schema lets
  // such a character through fails here instead of being skipped (issue 9 §1).
  const routesWithText = withSchemas.filter((spec) => stringFields(spec).length > 0);
  it.each(routesWithText.map((spec) => [label(spec), spec] as const))('%s', async (_label, spec) => {
    const base = fc.sample(validRequests(spec, { known: KNOWN_VALUES }), { numRuns: 200, seed: 9 }).find((input) => expectedFieldErrors(spec, input).length === 0);
    if (!base) throw new Error(`${label(spec)}: no valid request could be derived to carry the characters`);
    for (const field of stringFields(spec)) {
      const part: unknown = field.location === 'path' ? base.params : field.location === 'query' ? base.query : base.body;
      const current = field.at.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], part);
      for (const character of unstorableCharacters(field.location)) {
        // Inside the trimmed value: next to a space at the edge, trimming would take a tab away with it.
        const plausible = typeof current === 'string' && current.trim().length >= 2 ? current.trim() : '京东仓海';
        const input = withValueAt(base, field, withCharacterInside(plausible, character));
        const context = `${label(spec)}: U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} in ${field.field}`;
        const res = answerOf(await send(spec, input));
        const fields = expectProblem(res, 400, context);
        if (!/\/validation$/.test(String(res.body?.type))) throw new Error(`type ${res.body?.type}, expected validation: ${context}`);
        if (!fields.some((f) => sameOrNested(f, field.field))) throw new Error(`${field.field} is not named (${fields.join(', ')}): ${context}`);
        await expectNothingChanged(context);
      }
    }
  });
});

describe('bodies refused before validation', () => {
  it.each(mutating.map((spec) => [label(spec), spec] as const))('%s', async (_label, spec) => {
    const valid = validRequests(spec, { known: KNOWN_VALUES });
    await fc.assert(
      fc.asyncProperty(valid, rawBodies(valid.map((r) => r.body), BODY_LIMIT_BYTES), async (input: RequestInput, raw: RawBody) => {
        const qs = queryString(input.query);
        const headers: Record<string, string> = { ...auth('admin') };
        if (raw.contentType) headers['Content-Type'] = raw.contentType;
        if (raw.contentEncoding) headers['Content-Encoding'] = raw.contentEncoding;
        const context = `${label(spec)}: ${fc.stringify(raw)}`;
        const res = await sendRaw(spec.method, concretePath(spec.path, input.params) + (qs ? `?${qs}` : ''), headers, raw.payload);
        const fields = expectProblem(res, raw.status, context);
        if (fields.join() !== '(body)') throw new Error(`expected errors naming (body) only, got ${fields.join(', ')}: ${context}`);
        await expectNothingChanged(context);
      }),
      fcOptions(RAW_RUNS),
    );
  });
});

describe('paths that are not valid percent-encoding', () => {
  const withParams = ROUTES.filter((spec) => /\{\w+\}/.test(spec.path));
  it.each(withParams.map((spec) => [label(spec), spec] as const))('%s', async (_label, spec) => {
    const broken = fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', 'A%2', '%ED%A0%80', '%F4%90%80%80');
    await fc.assert(
      fc.asyncProperty(broken, async (segment) => {
        const path = spec.path.replace(/\{\w+\}/g, segment);
        let req = request(baseUrl)[spec.method](path).set(auth('admin'));
        if (spec.body) req = req.set('Content-Type', 'application/json').send('{}');
        const res = answerOf(await req);
        const fields = expectProblem(res, 400, `${spec.method.toUpperCase()} ${path}`);
        if (fields.join() !== '(path)') throw new Error(`expected errors naming (path) only, got ${fields.join(', ')}: ${path}`);
        await expectNothingChanged(path);
      }),
      fcOptions(8),
    );
  });
});

describe('after all of the above', () => {
  it('no workflow was started on the stack\'s task queues, and no table changed', async () => {
    // Visibility is eventually consistent; every request above finished long before this point.
    const { count } = await stack.client.workflow.count(`TaskQueue = "${stack.queues.erp}" OR TaskQueue = "${stack.queues.eclp}"`);
    expect(count).toBe(0);
    expect(await tablesChanged()).toEqual([]);
  });
});
