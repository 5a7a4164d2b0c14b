// Replays committed histories of real purchase-order runs against today's workflow code, so a change
// that would break POs already waiting at the warehouse (non-determinism) fails CI. Refresh a history
// after an intended, patched change with
//   UPDATE_REPLAY_HISTORIES=1 npx jest test/purchase-order-saga.test.ts -t '<test>'
import { readdirSync } from 'node:fs';
import { loadReplayHistory as load, REPLAY_HISTORIES_DIR, replayHistory, scheduledActivityTypes } from '../support';

const files = readdirSync(REPLAY_HISTORIES_DIR).filter((f) => f.startsWith('purchase-order-') && f.endsWith('.json'));

it('has the committed histories (a missing fixture is a failure, not a skip)', () => {
  expect(files).toEqual(expect.arrayContaining(['purchase-order-happy-path.json', 'purchase-order-unconfirmed-then-linked.json', 'purchase-order-closed-short.json']));
});

it.each(files)('%s replays without a determinism violation', async (file) => {
  await replayHistory(load(file));
}, 60_000);

it('the happy-path history syncs goods by a child run, pushes, books receipts and completes', () => {
  const history = load('purchase-order-happy-path.json');
  const events = history.events ?? [];
  expect(events.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === 'goodsSync')).toBe(true);
  const activities = scheduledActivityTypes(history);
  expect(activities.slice(0, 3)).toEqual(['preflightPurchaseOrder', 'ensurePurchaseOrderAtJd', 'recordPurchaseOrderPushed']);
  expect(activities.filter((a) => a === 'bookPurchaseReceipts')).toHaveLength(3);
  expect(events.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();
});

it('the other histories took the branches they are named for', () => {
  expect(scheduledActivityTypes(load('purchase-order-unconfirmed-then-linked.json'))).toEqual(
    expect.arrayContaining(['recordPurchaseOrderUnconfirmed', 'checkJdPurchaseOrder', 'recordPurchaseOrderRequestDecision']),
  );
  expect(scheduledActivityTypes(load('purchase-order-closed-short.json'))).toContain('closePurchaseOrderAtJd');
});

it('would catch a change of step order (the replay check can fail)', async () => {
  const history = load('purchase-order-happy-path.json');
  const first = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
  first!.activityType!.name = 'someOtherFirstStep';
  await expect(replayHistory(history)).rejects.toMatchObject({ name: 'DeterminismViolationError' });
}, 60_000);
