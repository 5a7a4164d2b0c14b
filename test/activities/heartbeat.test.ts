// Activities beat while they run when their options give them a heartbeat timeout, so a killed worker's
// activity is retried after seconds, not after its start-to-close timeout (activities/heartbeat.ts).
import { heartbeat } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beatingWhileRunning } from '../../activities/heartbeat';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorded(env: MockActivityEnvironment): unknown[] {
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  return beats;
}

const activities = beatingWhileRunning({
  async slow(ms: number) {
    await pause(ms);
    return 'done';
  },
  async reportsProgress(ms: number) {
    heartbeat({ page: 3 });
    await pause(ms);
    return 'done';
  },
  async fails() {
    await pause(400);
    throw new Error('JD is down');
  },
});

describe('beatingWhileRunning', () => {
  test('an activity slower than a third of its heartbeat timeout beats, carrying the previous attempt’s details', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300, heartbeatDetails: { jdErrors: 2 } });
    const beats = recorded(env);
    await expect(env.run(activities.slow, 650)).resolves.toBe('done');
    // One every 100 ms for 650 ms; timers on a busy machine fire late, never early.
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.length).toBeLessThanOrEqual(6);
    expect(beats.every((d) => JSON.stringify(d) === JSON.stringify({ jdErrors: 2 }))).toBe(true);
    const count = beats.length;
    await pause(300);
    expect(beats).toHaveLength(count); // stopped with the activity
  });

  test('the beats repeat what the activity itself last reported, not older details', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300, heartbeatDetails: { page: 1 } });
    const beats = recorded(env);
    await env.run(activities.reportsProgress, 450);
    expect(beats[0]).toEqual({ page: 3 });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((d) => JSON.stringify(d) === JSON.stringify({ page: 3 }))).toBe(true);
  });

  test('a failing activity stops beating when it fails', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const beats = recorded(env);
    await expect(env.run(activities.fails)).rejects.toThrow('JD is down');
    const count = beats.length;
    expect(count).toBeGreaterThanOrEqual(1);
    await pause(300);
    expect(beats).toHaveLength(count);
  });

  test('a quick activity, or one without a heartbeat timeout, sends no heartbeat at all', async () => {
    const quick = new MockActivityEnvironment({ heartbeatTimeoutMs: 3_000 });
    const quickBeats = recorded(quick);
    await quick.run(activities.slow, 50);
    const none = new MockActivityEnvironment({ heartbeatTimeoutMs: undefined });
    const noneBeats = recorded(none);
    await none.run(activities.slow, 400);
    expect(quickBeats).toEqual([]);
    expect(noneBeats).toEqual([]);
  });
});
