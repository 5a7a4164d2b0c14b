// What the seeded plans of every document type share: document numbers, and fates drawn so that even a
// small run has each at least once.
import type { Random } from './random';

/** `CHAOS-007` of 300: numbered in plan order, zero-padded to the width of the count. */
export function documentNo(prefix: string, index: number, count: number): string {
  return `${prefix}-${String(index + 1).padStart(String(count).length, '0')}`;
}

/**
 * `count` fates by weight, with every fate of a non-zero weight at least once when `count` allows (a run
 * of ten documents would otherwise leave the rare fates out, and their invariants unproved). In random order.
 */
export function fatesCoveringAll<K extends string>(random: Random, count: number, weights: Readonly<Record<K, number>>): K[] {
  const every = (Object.keys(weights) as K[]).filter((fate) => weights[fate] > 0);
  const fates = count >= every.length ? [...every] : [];
  while (fates.length < count) fates.push(random.weighted(weights));
  return random.sample(fates, fates.length);
}

/** Plans in the order their scripts start. */
export const byStart = <P extends { startMs: number }>(plans: P[]): P[] => plans.sort((a, b) => a.startMs - b.startMs);
