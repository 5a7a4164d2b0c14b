// The harness itself: per-file databases on the run's Postgres, and the run's Temporal dev server with
// the project's search attributes, exercised end to end by a real Worker.
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { withClient } from '../../db';
import { ALL_SEARCH_ATTRIBUTES, DocStatus, DocType, ErpDocNo } from '../../messages/search-attributes';
import { sleep } from '../support';
import { createTestDatabase, harnessSettings, testNativeConnection, testTemporalClient, uniqueTaskQueue } from '.';
import type { HarnessActivities } from './fixtures/workflows';

describe('per-file PostgreSQL databases', () => {
  let db: Knex;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('round-trips an operation_log row with its defaults', async () => {
    const before = new Date();
    const [inserted] = await db('operation_log')
      .insert({ doc_type: 'SO', doc_key: 'SO-1001', action: 'approve', actor_role: 'erp', detail: { pushRevision: 1, 备注: '审核' } })
      .returning('*');
    const rows = await db('operation_log').where({ doc_type: 'SO', doc_key: 'SO-1001' }).orderBy('created_at');
    expect(rows).toEqual([inserted]);
    expect(rows[0]).toMatchObject({ action: 'approve', actor_role: 'erp', detail: { pushRevision: 1, 备注: '审核' } });
    expect(rows[0]!.created_at).toBeInstanceOf(Date);
    expect(rows[0]!.created_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5_000);
  });

  it('has the per-document index the operation log is read through', async () => {
    const { rows } = await db.raw<{ rows: Array<{ indexdef: string }> }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'operation_log' AND indexname = 'operation_log_doc_idx'",
    );
    expect(rows[0]?.indexdef).toContain('(doc_type, doc_key, created_at)');
  });

  it('gives each caller an independent database and drops it on destroy', async () => {
    const other = await createTestDatabase();
    const otherName = await currentDatabase(other);
    try {
      await db('operation_log').insert({ doc_type: 'PO', doc_key: 'PO-7', action: 'create' });
      expect(await other('operation_log').where({ doc_key: 'PO-7' })).toEqual([]);
      await other('operation_log').insert({ doc_type: 'PO', doc_key: 'PO-8', action: 'create' });
      expect(await db('operation_log').where({ doc_key: 'PO-8' })).toEqual([]);
    } finally {
      await other.destroy();
    }
    expect(await databaseExists(otherName)).toBe(false);
    expect(await databaseExists(await currentDatabase(db))).toBe(true);
  });
});

async function currentDatabase(knex: Knex): Promise<string> {
  const { rows } = await knex.raw<{ rows: Array<{ name: string }> }>('SELECT current_database() AS name');
  return rows[0]!.name;
}

async function databaseExists(name: string): Promise<boolean> {
  const { rowCount } = await withClient(harnessSettings().databaseAdminUrl, (client) =>
    client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]),
  );
  return rowCount === 1;
}

describe('the shared Temporal dev server', () => {
  let client: Client;
  let connection: NativeConnection;
  beforeAll(async () => {
    client = await testTemporalClient();
    connection = await testNativeConnection();
  });
  afterAll(async () => {
    await client?.connection.close();
    await connection?.close();
  });

  it('has every search attribute of messages/search-attributes.ts registered with its type', async () => {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: client.options.namespace });
    const registered = Object.fromEntries(
      Object.entries(customAttributes ?? {}).map(([name, type]) => [name, temporal.api.enums.v1.IndexedValueType[type]]),
    );
    const expected = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, `INDEXED_VALUE_TYPE_${key.type}`]));
    expect(registered).toMatchObject(expected);
  });

  it('runs a bundled workflow on a real Worker and finds it by search attribute', async () => {
    const taskQueue = uniqueTaskQueue('harness');
    const visits: string[] = [];
    const activities: HarnessActivities = {
      recordVisit: async (name) => {
        visits.push(name);
        return `你好, ${name}`;
      },
    };
    const worker = await Worker.create({
      connection,
      namespace: client.options.namespace,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/workflows'),
      activities,
    });
    const workflowId = `HARNESS:${taskQueue}`;
    const result = await worker.runUntil(
      client.workflow.execute('harnessGreeting', {
        taskQueue,
        workflowId,
        args: ['仓海'],
        typedSearchAttributes: [
          { key: DocType, value: 'HARNESS' },
          { key: ErpDocNo, value: taskQueue },
        ],
      }),
    );
    expect(result).toBe('你好, 仓海');
    expect(visits).toEqual(['仓海']);

    // Visibility is eventually consistent: poll briefly for the upserted status.
    const query = `ErpDocNo = "${taskQueue}" AND DocStatus = "HARNESS_DONE"`;
    let found: string[] = [];
    for (let attempt = 0; attempt < 50 && found.length === 0; attempt++) {
      found = [];
      for await (const execution of client.workflow.list({ query })) found.push(execution.workflowId);
      if (found.length === 0) await sleep(200);
    }
    expect(found).toEqual([workflowId]);
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(DocStatus)).toBe('HARNESS_DONE');
  });

  it('fires a 300 ms timer after about 300 ms, not rounded up to a second (history.timerProcessorMaxTimeShift)', async () => {
    // With the server's default (1 s) each of these fired 930–1,000 ms after it started; with 50 ms, 302 ms.
    // The tests' 300 ms poll intervals and retry backoffs rely on it.
    const taskQueue = uniqueTaskQueue('harness-timers');
    const worker = await Worker.create({ connection, namespace: client.options.namespace, taskQueue, workflowsPath: require.resolve('./fixtures/workflows') });
    const handle = await worker.runUntil(async () => {
      const started = await client.workflow.start('harnessTimers', { taskQueue, workflowId: `HARNESS-TIMERS:${taskQueue}`, args: [3, 300] });
      await started.result();
      return started;
    });
    const events = (await handle.fetchHistory()).events ?? [];
    const at = (event: (typeof events)[number]) => Number(event.eventTime!.seconds) * 1000 + event.eventTime!.nanos! / 1e6;
    const timersStarted = events.filter((event) => event.timerStartedEventAttributes).map(at);
    const timersFired = events.filter((event) => event.timerFiredEventAttributes).map(at);
    expect(timersFired).toHaveLength(3);
    const delays = timersFired.map((firedAt, i) => firedAt - timersStarted[i]!).sort((a, b) => a - b);
    expect(delays[0]).toBeGreaterThanOrEqual(295);
    // The median, with room for a busy machine.
    expect(delays[1]).toBeLessThan(700);
  });
});
