// How long the saga took for what the script asked, under the storm: not an invariant (the run has no
// target for it) but the figure that explains a run — e.g. why most cancels came too late for JD.

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export function summarize(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: sorted[sorted.length - 1]! };
}

/**
 * Request sent → verdict recorded, per verdict (or per `group` of the record, e.g. kind and verdict). The
 * API's own 409s, which record nothing, are left out.
 */
export function verdictLatencies<R extends { requestId: string; verdict: string | null; decidedAt: number | null }>(
  recorded: readonly R[],
  sent: ReadonlyArray<{ requestId: string; sentAt: number }>,
  group: (row: R & { verdict: string }) => string = (row) => row.verdict,
): Record<string, LatencySummary> {
  const decided = new Map(recorded.map((c) => [c.requestId, c]));
  const byGroup = new Map<string, number[]>();
  for (const request of sent) {
    const row = decided.get(request.requestId);
    if (!row?.verdict || row.decidedAt === null) continue;
    const key = group(row as R & { verdict: string });
    byGroup.set(key, [...(byGroup.get(key) ?? []), Math.max(0, row.decidedAt - request.sentAt)]);
  }
  return Object.fromEntries([...byGroup].map(([key, values]) => [key, summarize(values)!]));
}

export function formatLatency(summary: LatencySummary | undefined): string {
  if (!summary) return 'n/a';
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `n=${summary.count} p50 ${s(summary.p50Ms)} p95 ${s(summary.p95Ms)} max ${s(summary.maxMs)}`;
}
