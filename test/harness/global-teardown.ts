// Jest globalTeardown: stops what global-setup.ts started, so jest exits without open handles.
import { HARNESS_STATE, type HarnessState } from './state';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as Record<symbol, unknown>;
  const state = holder[HARNESS_STATE] as HarnessState | undefined;
  if (!state) return;
  delete holder[HARNESS_STATE];
  const results = await Promise.allSettled([state.temporal.teardown(), state.postgres.stop()]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
