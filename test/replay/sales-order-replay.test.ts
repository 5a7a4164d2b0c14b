// Replays committed histories of real sales-order runs against today's workflow code, so a change that
// would break orders already in flight (non-determinism) fails CI instead of a production worker.
// Histories named `-v0-` were recorded before DOCUMENT_ACTIVITY_NAMES_PATCH and must never be refreshed;
// add a history of the new branch after an intended, patched change:
//   UPDATE_REPLAY_HISTORIES=1 npx jest test/sales-order-saga.test.ts -t '<test>'
// (then restore any fixture the run rewrote that recorded an older code path, e.g. the happy path).
import { readdirSync } from 'node:fs';
import { loadReplayHistory as load, REPLAY_HISTORIES_DIR, replayHistory, scheduledActivityTypes, SHIPPED_SALES_ORDER_ACTIVITIES, SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH } from '../support';

const files = readdirSync(REPLAY_HISTORIES_DIR).filter((f) => f.startsWith('sales-order-') && f.endsWith('.json'));


it('has the committed happy-path history (a missing fixture is a failure, not a skip)', () => {
  expect(files).toContain('sales-order-happy-path.json');
});

it.each(files)('%s replays without a determinism violation', async (file) => {
  await replayHistory(load(file));
}, 60_000);

// DOCUMENT_ACTIVITY_NAMES_PATCH: runs from before it (v0) decide with `recordCancelDecision`; runs since
// record the patch marker and call `recordSalesOrderCancelDecision`. Both branches have a history here.
it.each([
  ['sales-order-v0-send-back-during-push.json', 'sales-order-send-back-during-push.json'],
  ['sales-order-v0-preflight-failed-then-refund.json', 'sales-order-preflight-failed-then-refund.json'],
  ['sales-order-v0-cancel-refused-then-shipped.json', 'sales-order-cancel-refused-then-shipped.json'],
])('both sides of the activity-name patch are committed: %s and %s', (before, since) => {
  const markers = (file: string) => (load(file).events ?? []).flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? []);
  expect(scheduledActivityTypes(load(before))).toContain('recordCancelDecision');
  expect(markers(before)).toEqual([]);
  expect(scheduledActivityTypes(load(since))).toContain('recordSalesOrderCancelDecision');
  expect(scheduledActivityTypes(load(since))).not.toContain('recordCancelDecision');
  expect(markers(since)).toEqual(['core_patch']);
});

it('the happy-path history covers the whole saga, and JD ships in it', () => {
  const history = load('sales-order-happy-path.json');
  expect(scheduledActivityTypes(history)).toEqual(SHIPPED_SALES_ORDER_ACTIVITIES);
  expect(history.events?.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();
});

it('would catch a change of step order (the replay check can fail)', async () => {
  const history = load('sales-order-happy-path.json');
  const first = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
  first!.activityType!.name = 'someOtherFirstStep';
  await expect(replayHistory(history)).rejects.toMatchObject({ name: 'DeterminismViolationError', message: expect.stringMatching(/TMPRL1100/) });
});

// 挂起 (issue 12 §4): a hold signalled while JD had the order, cancelled at JD, the run ending at HELD.
it('the hold-at-JD history takes a hold signal, cancels at JD and ends the run at HELD', () => {
  const history = load('sales-order-hold-at-jd.json');
  const signals = (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
  expect(signals).toContain('hold');
  expect(scheduledActivityTypes(history)).toEqual(expect.arrayContaining(['cancelSalesOrderAtJd', 'recordSalesOrderCancelDecision']));
  expect(scheduledActivityTypes(history)).not.toContain('recordSalesOrderShipped');
  const completed = history.events?.at(-1)?.workflowExecutionCompletedEventAttributes;
  expect(completed).toBeTruthy();
  const result = completed?.result?.payloads?.[0]?.data;
  expect(JSON.parse(Buffer.from(result as Uint8Array).toString('utf8'))).toMatchObject({ status: 'HELD' });
});

// PUSH_IN_ONE_STEP_PATCH (issue 13): runs since it push in one step (`pushSalesOrder`) and upsert no search
// attribute the start set; runs from before keep claim, pre-flight, push and record. Each branch of the new
// step has a history: shipped, pre-flight failure, JD's refusal, superseded.
const ONE_STEP = ['shipped', 'preflight-failed', 'rejected', 'superseded'].map((branch) => `sales-order-one-step-push-${branch}.json`);

it.each(ONE_STEP)('%s is committed, carries the patch and pushes in one step', (file) => {
  expect(files).toContain(file);
  const history = load(file);
  const patches = (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.markerName === 'core_patch' ? e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [JSON.parse(Buffer.from(data).toString('utf8')).id as string] : [];
  });
  expect(patches[0]).toBe('sales-order-push-in-one-step');
  const scheduled = scheduledActivityTypes(history);
  expect(scheduled[0]).toBe('pushSalesOrder');
  expect(scheduled).not.toEqual(expect.arrayContaining(['claimSalesOrderPush']));
  expect(scheduled).not.toEqual(expect.arrayContaining(['preflightSalesOrder']));
  expect(scheduled).not.toEqual(expect.arrayContaining(['recordSalesOrderPushed']));
});

it('the one-step happy path ships in at most 36 events (the four-step one took 52)', () => {
  const history = load('sales-order-one-step-push-shipped.json');
  expect(scheduledActivityTypes(history)).toEqual(SHIPPED_SALES_ORDER_ACTIVITIES_ONE_STEP_PUSH);
  expect(history.events?.length).toBeLessThanOrEqual(36);
  expect(load('sales-order-happy-path.json').events).toHaveLength(52);
});
