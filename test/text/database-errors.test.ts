// Issue 9 §1: PostgreSQL's verdicts on the data itself (SQLSTATE classes 22 and 23), produced for real
// against a test database. An erp activity fails non-retryably with a reason an operator can read; the
// API answers 400/409 instead of 500; neither the failure nor any log line carries the values (PostgreSQL
// quotes them in `detail` and `where`, and in the message of some errors).
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { databaseDataFailure, withDatabaseDataFailures } from '../../activities/database-errors';
import { createErpActivities } from '../../activities/erp';
import { createApp } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { route } from '../../api/route';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { createTestDatabase } from '../harness';
import { auth, TOKEN_SPEC } from '../support';

/** Stands for a consignee's name or phone: it must never reach a failure, an answer or a log line. */
const SECRET = '张三-13800138000';

let db: Knex;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.schema.createTable('text_probe', (t) => {
    t.text('k').primary();
    t.text('v').notNullable();
    t.jsonb('j');
    t.integer('n');
  });
});
afterAll(() => db?.destroy());

/** The error a real query fails with. */
async function pgError(query: () => Promise<unknown>): Promise<Error & { code?: string; detail?: string; where?: string }> {
  try {
    await query();
  } catch (err) {
    return err as Error & { code?: string; detail?: string; where?: string };
  }
  throw new Error('the query succeeded');
}

const insertProbe = (row: Record<string, unknown>) => () => db('text_probe').insert({ k: `k-${Math.random()}`, v: 'v', ...row });

describe('an activity that hits a data error', () => {
  it.each([
    ['NUL in a text column', insertProbe({ v: `${SECRET}\u0000` }), '22021', false],
    ['\\u0000 in a jsonb column', insertProbe({ j: { name: `${SECRET}\u0000` } }), '22P05', true],
    ['an unpaired surrogate in a jsonb column', insertProbe({ j: { name: `${SECRET}\uD800` } }), '22P02', true],
    ['text for a number column', insertProbe({ n: SECRET }), '22P02', true],
  ])('%s fails non-retryably, with the SQLSTATE and without the value', async (_label, query, sqlState, quoted) => {
    const err = await pgError(query);
    expect(err.code).toBe(sqlState);
    // What the error itself would have carried into the workflow history and the worker's log.
    expect(JSON.stringify([err.message, err.detail, err.where]).includes(SECRET)).toBe(quoted);

    const failure = databaseDataFailure(err)!;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FAILURE_TYPES.databaseRefusedData, nonRetryable: true });
    expect(failure.message).toMatch(new RegExp(`^The database refused this document's data: .*\\(SQLSTATE ${sqlState}\\)\\. Retrying cannot help`));
    expect(failure.cause).toBeUndefined();
    expect(JSON.stringify({ message: failure.message, details: failure.details, cause: failure.cause })).not.toContain(SECRET.slice(0, 2));
  });

  it('an unexpected unique or not-null violation (class 23) too, naming the constraint or column but not the row', async () => {
    await db('text_probe').insert({ k: SECRET, v: 'v' });
    const duplicate = databaseDataFailure(await pgError(() => db('text_probe').insert({ k: SECRET, v: 'v' })))!;
    expect(duplicate).toMatchObject({ nonRetryable: true, details: [{ kind: 'integrity', sqlState: '23505', table: 'text_probe', constraint: 'text_probe_pkey' }] });
    expect(duplicate.message).toContain('a row with the same key already exists (SQLSTATE 23505, table text_probe, constraint text_probe_pkey)');
    expect(duplicate.message).not.toContain(SECRET);
    const missing = databaseDataFailure(await pgError(() => db('text_probe').insert({ k: `${SECRET}-2`, v: null })))!;
    expect(missing.message).toContain('SQLSTATE 23502, table text_probe, column v');
  });

  it('other errors pass through untouched: they may be transient, and Temporal retries them', async () => {
    expect(databaseDataFailure(await pgError(() => db('no_such_table').select()))).toBeUndefined(); // 42P01
    expect(databaseDataFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    const own = ApplicationFailure.nonRetryable('already decided', 'SomethingElse');
    const wrapped = withDatabaseDataFailures({ fails: async () => Promise.reject(own) });
    await expect(wrapped.fails()).rejects.toBe(own);
  });

  it('every erp activity is wrapped: a real one writing such text fails non-retryably', async () => {
    const erp = createErpActivities({ db, webhook: {}, temporal: new Client() });
    const env = new MockActivityEnvironment();
    const run = env.run(erp.recordSalesOrderEvent, 'SO-TEXT', 1, 'webhook_failed', { error: `${SECRET}\u0000` });
    await expect(run).rejects.toMatchObject({ type: FAILURE_TYPES.databaseRefusedData, nonRetryable: true, message: expect.stringContaining('SQLSTATE 22P05') });
    await expect(run).rejects.not.toMatchObject({ message: expect.stringContaining(SECRET) });
  });
});

describe('the API, when PostgreSQL refuses the data', () => {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  // Routes that write what they are given, as a route would whose schema missed a case.
  const probe = route({
    method: 'post',
    path: '/probe/{what}',
    summary: 'writes its body unchecked',
    tag: 'test',
    roles: ['erp'],
    responses: { 201: { description: 'written' } },
    handler: async ({ req }) => {
      const { value } = req.body as { value: string };
      switch (req.params.what) {
        case 'text':
          await db('text_probe').insert({ k: `t-${Math.random()}`, v: value });
          break;
        case 'json':
          await db('text_probe').insert({ k: `j-${Math.random()}`, v: 'v', j: { value } });
          break;
        case 'key':
          await db('text_probe').insert({ k: value, v: 'v' });
          break;
        default:
          // 42P01, whose message quotes the value: relation "…" does not exist.
          await db.raw('select ?::regclass', [value]);
      }
      return { status: 201 };
    },
  });
  const app = createApp({ tokens: parseApiTokens(TOKEN_SPEC), logger, routes: [probe] });
  const post = (what: string, value: string) => request(app).post(`/probe/${what}`).set(auth('erp')).send({ value });

  beforeEach(() => lines.splice(0));

  it.each([
    ['text', `${SECRET}\u0000`, '22021'],
    ['json', `${SECRET}\u0000`, '22P05'],
    ['json', `${SECRET}\uDC00`, '22P02'],
  ])('a data exception (%s) is 400 problem+json naming the body, logged without the value', async (what, value, sqlState) => {
    const res = await post(what, value);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/\/validation$/), errors: [{ field: '(body)', message: expect.stringContaining(`SQLSTATE ${sqlState}`) }] });
    expect(res.text).not.toContain(SECRET.slice(0, 2));
    const logged = lines.join('');
    expect(logged).toContain(`"sqlState":"${sqlState}"`);
    expect(logged).not.toContain(SECRET.slice(0, 2));
    expect(logged).not.toMatch(/"detail"|"where"|insert into/);
  });

  it('an integrity violation is 409, logged without the row', async () => {
    await post('key', `${SECRET}-api`).expect(201);
    const res = await post('key', `${SECRET}-api`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/\/conflict$/), reason: 'constraint-violation', sqlState: '23505' });
    expect(res.text).not.toContain(SECRET.slice(0, 2));
    const logged = lines.join('');
    expect(logged).toContain('"constraint":"text_probe_pkey"');
    expect(logged).not.toContain(SECRET.slice(0, 2));
  });

  it('any other database error is still a 500, logged by its SQLSTATE: its message may quote the value', async () => {
    const res = await post('other', SECRET);
    expect(res.status).toBe(500);
    const logged = lines.join('');
    expect(logged).toContain('"sqlState":"42P01"');
    expect(logged).not.toContain(SECRET.slice(0, 2));
  });
});
