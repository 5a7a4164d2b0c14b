// Jest globalTeardown: stops what global-setup.ts started, so jest exits without open handles.
import { releaseHarness } from './state';

export default async function globalTeardown(): Promise<void> {
  await releaseHarness();
}
