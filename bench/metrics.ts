// Pure arithmetic over measured samples: percentiles, sustained throughput, per-second series, ratios.
// Kept free of I/O so the report's numbers can be checked by hand against the raw samples.

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (no interpolation): every reported value is one a real order saw. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export interface Throughput {
  /** Completions per second between the 10th and the 90th percentile completion. */
  perSecond: number;
  /** The window it was measured over, seconds from the phase start. */
  windowStartS: number;
  windowEndS: number;
  completions: number;
}

/**
 * Sustained rate: the first and last 10 % of completions are ramp-up and drain (the load generator
 * filling and emptying its window), so the rate is taken over the middle 80 %.
 */
export function sustainedThroughput(completionTimes: readonly number[], phaseStart: number): Throughput {
  const sorted = [...completionTimes].sort((a, b) => a - b);
  if (sorted.length < 2) return { perSecond: NaN, windowStartS: NaN, windowEndS: NaN, completions: sorted.length };
  const first = Math.floor(sorted.length * 0.1);
  const last = Math.max(first + 1, Math.ceil(sorted.length * 0.9) - 1);
  const start = sorted[first]!;
  const end = sorted[last]!;
  const seconds = Math.max(end - start, 1) / 1000;
  return { perSecond: (last - first) / seconds, windowStartS: (start - phaseStart) / 1000, windowEndS: (end - phaseStart) / 1000, completions: sorted.length };
}

/** Completions per second in 1 s bins from the phase start (the chart's throughput-over-time lines). */
export function perSecondSeries(completionTimes: readonly number[], phaseStart: number): number[] {
  const bins: number[] = [];
  for (const t of completionTimes) {
    const i = Math.max(0, Math.floor((t - phaseStart) / 1000));
    while (bins.length <= i) bins.push(0);
    bins[i]! += 1;
  }
  return bins;
}

/** ours / baseline, or null when either side is missing (never a silent 0 or Infinity). */
export function ratio(ours: number | null | undefined, baseline: number | null | undefined): number | null {
  if (ours === null || ours === undefined || baseline === null || baseline === undefined) return null;
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return null;
  return ours / baseline;
}

export const round = (value: number | null | undefined, digits = 2): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
