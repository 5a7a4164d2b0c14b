// Replays committed histories of real sales-order runs against today's workflow code, so a change that
// would break orders already in flight (non-determinism) fails CI instead of a production worker.
// Refresh the happy-path history after an intended, patched change:
//   UPDATE_REPLAY_HISTORIES=1 npx jest test/sales-order-saga.test.ts -t 'happy path'
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const HISTORIES = path.join(__dirname, 'histories');
const files = readdirSync(HISTORIES).filter((f) => f.startsWith('sales-order-') && f.endsWith('.json'));

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  const quiet = () => undefined;
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (message, meta) => console.error(message, meta) },
  });
}, 60_000);

const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));

it('has the committed happy-path history (a missing fixture is a failure, not a skip)', () => {
  expect(files).toContain('sales-order-happy-path.json');
});

it.each(files)('%s replays without a determinism violation', async (file) => {
  await Worker.runReplayHistory({ workflowBundle: bundle }, load(file));
});

it('the happy-path history covers the whole saga, and JD ships in it', () => {
  const history = load('sales-order-happy-path.json');
  const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
  expect(scheduled).toEqual([
    'claimSalesOrderPush',
    'preflightSalesOrder',
    'ensureSalesOrderAtJd',
    'recordSalesOrderPushed',
    'awaitSalesOrderOutcome',
    'recordSalesOrderShipped',
    'deliverWebhook',
  ]);
  expect(history.events?.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();
});

it('would catch a change of step order (the replay check can fail)', async () => {
  const history = load('sales-order-happy-path.json');
  const first = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
  first!.activityType!.name = 'someOtherFirstStep';
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history)).rejects.toMatchObject({ name: 'DeterminismViolationError', message: expect.stringMatching(/TMPRL1100/) });
});
