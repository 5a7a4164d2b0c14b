// Replays committed histories of real return runs against today's workflow code, so a change that would
// break returns still waiting for their parcel (non-determinism) fails CI. Refresh after an intended,
// patched change with
//   UPDATE_REPLAY_HISTORIES=1 npx jest test/return-order-saga.test.ts -t '<test>'
import { readdirSync } from 'node:fs';
import { loadReplayHistory as load, REPLAY_HISTORIES_DIR, replayHistory, scheduledActivityTypes } from '../support';

const files = readdirSync(REPLAY_HISTORIES_DIR).filter((f) => f.startsWith('return-order-') && f.endsWith('.json'));

it('has the committed histories (a missing fixture is a failure, not a skip)', () => {
  expect(files).toEqual(expect.arrayContaining(['return-order-received.json', 'return-order-exchange-rejected.json', 'return-order-cancelled-at-jd.json']));
});

it.each(files)('%s replays without a determinism violation', async (file) => {
  await replayHistory(load(file));
}, 60_000);

it('each history took the branch it is named for', () => {
  expect(scheduledActivityTypes(load('return-order-received.json'))).toEqual(['preflightReturn', 'ensureReturnAtJd', 'recordReturnPushed', 'awaitReturnOutcome', 'bookReturnReceived', 'deliverWebhook']);
  expect(scheduledActivityTypes(load('return-order-exchange-rejected.json'))).toEqual(expect.arrayContaining(['recordReturnEnded', 'compensateReplacement']));
  expect(scheduledActivityTypes(load('return-order-cancelled-at-jd.json'))).toEqual(expect.arrayContaining(['cancelReturnAtJd', 'recordReturnRequestDecision', 'compensateReplacement']));
});

it('would catch a change of step order (the replay check can fail)', async () => {
  const history = load('return-order-received.json');
  const first = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
  first!.activityType!.name = 'someOtherFirstStep';
  await expect(replayHistory(history)).rejects.toMatchObject({ name: 'DeterminismViolationError' });
}, 60_000);
