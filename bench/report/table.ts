// The report as text tables on stdout: one section per question the issue asks, ours next to the
// baselines, then the targets.
import type { Distribution } from '../metrics';
import type { BenchReport, DocTypeReport } from './types';

type Cell = string | number | null | undefined;

const fmt = (value: Cell, digits = 1): string => {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '–';
  return value.toFixed(digits);
};

export function formatTable(header: Cell[], rows: Cell[][]): string {
  const text = [header, ...rows].map((row) => row.map((c) => (typeof c === 'number' ? fmt(c, Number.isInteger(c) ? 0 : 2) : fmt(c))));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], isHeader: boolean) =>
    r
      .map((c, i) => {
        const numeric = !isHeader && i > 0 && /^[-–\d.,%×x ]+$/.test(c);
        return numeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(text[0]!, true), ...text.slice(1).map((r) => line(r, false))].map((l) => `  ${l}`).join('\n');
}

const lag = (d: Distribution | null | undefined): string => (d ? `${fmt(d.p50, 0)} / ${fmt(d.p99, 0)}` : '–');

const ms = (d: Distribution | null | undefined): Cell[] => (d ? [d.n, fmt(d.p50, 0), fmt(d.p95, 0), fmt(d.p99, 0), fmt(d.max, 0)] : ['–', '–', '–', '–', '–']);

function docTypeSections(name: string, r: DocTypeReport): string[] {
  const { accepted, done } = r.milestones;
  const out: string[] = [];
  out.push(`${r.title} (${name})`);
  out.push('\nThroughput, documents/s sustained (middle 80 % of completions, saturation)');
  out.push(
    formatTable(
      ['', 'ours', '(a) no-op same shape', 'ours / (a)'],
      [
        [`approve → ${accepted}`, fmt(r.throughput.ours.accepted, 2), fmt(r.throughput.baselineA.accepted, 2), fmt(r.throughput.ratio.accepted, 2)],
        [`approve → ${done}`, fmt(r.throughput.ours.done, 2), fmt(r.throughput.baselineA.done, 2), fmt(r.throughput.ratio.done, 2)],
      ],
    ),
  );
  const fr = r.latency.fixedRate;
  const sat = r.latency.saturation;
  out.push(`\nLatency approve → ${accepted}, ms`);
  out.push(
    formatTable(
      ['', 'n', 'p50', 'p95', 'p99', 'max', 'p99 ours / (a)'],
      [
        [`ours at ${fmt(fr.offeredPerSecond, 1)}/s`, ...ms(fr.ours), fmt(fr.ratio.p99, 2)],
        [`(a) at the same rate`, ...ms(fr.baselineA), ''],
        [`ours at saturation (${sat.window} in flight)`, ...ms(sat.ours), fmt(sat.ratio.p99, 2)],
        [`(a) at saturation`, ...ms(sat.baselineA), ''],
        [`ours approve → ${done} (saturation)`, ...ms(r.latency.doneAtSaturation), ''],
        [`ours approve request itself`, ...ms(r.latency.approveRequestMs), ''],
      ],
    ),
  );
  const jd = r.jdCalls;
  out.push(`\nJD calls per document (poll every ${jd.pollIntervalMs} ms; JD finishes ${jd.doneAfterMs} ms after accepting)`);
  out.push(
    formatTable(
      ['method', 'saturation', 'fixed rate', 'minimum'],
      [
        ...jd.byMethod.map((m) => [m.method, fmt(m.saturation, 2), fmt(m.fixedRate, 2), fmt(m.minimum, 0)]),
        ['total', fmt(jd.totalPerOrder.saturation, 2), fmt(jd.totalPerOrder.fixedRate, 2), fmt(jd.totalPerOrder.minimum, 0)],
        ['total / minimum', '', fmt(jd.ratioToMinimum, 2), ''],
        ['detection lag p50 / p99, ms: ours', lag(jd.detectionLagMs.saturation.ours), lag(jd.detectionLagMs.fixedRate.ours), `≤ ${jd.pollIntervalMs}`],
        ['detection lag p50 / p99, ms: (a)', lag(jd.detectionLagMs.saturation.baselineA), lag(jd.detectionLagMs.fixedRate.baselineA), `≤ ${jd.pollIntervalMs}`],
      ],
    ),
  );
  const h = r.history;
  if (h) {
    out.push(`\nHistory events per workflow (poll every ${h.pollIntervalMs} ms, ${h.workflowsPerCase} workflows each; max over them)`);
    const row = (c: typeof h.short): Cell[] => [
      `outcome at poll ${c.targetPolls} (ours waited ${fmt(c.waitMs, 0)} ms)`,
      `${fmt(c.polls.ours, 1)} / ${fmt(c.polls.baselineB, 1)}`,
      fmt(c.events.ours.max, 0),
      fmt(c.events.baselineA.max, 0),
      fmt(c.events.baselineB.max, 0),
      fmt(c.events.ours.mean / c.events.baselineB.mean, 3),
    ];
    out.push(formatTable(['', 'polls ours / (b)', 'ours', '(a) same shape', '(b) timer loop', 'ours / (b)'], [row(h.short), row(h.long), ['growth with the wait', '', fmt(h.growth, 0), '', '', '']]));
  }
  const res = r.resources;
  out.push('\nResources (CPU seconds per 1,000 documents in the saturation phase; RSS of the 1-worker stack)');
  const roles = [...new Set([...Object.keys(res.cpuSecondsPer1000.ours), ...Object.keys(res.peakRssMiB)])];
  out.push(
    formatTable(
      ['process', 'CPU s / 1000 ours', 'CPU s / 1000 (a)', 'peak RSS MiB (load)', 'VmHWM MiB (main process, life)'],
      [
        ...roles.map((role) => [
          role === 'bench' ? 'bench (load + simulator | (a) worker)' : role,
          fmt(res.cpuSecondsPer1000.ours[role], 2),
          fmt(res.cpuSecondsPer1000.baselineA[role], 2),
          fmt(res.peakRssMiB[role], 0),
          fmt(res.highWaterMarkMiB[role], 0),
        ]),
        ['ours (worker + API) / (a) bench process', fmt(res.cpuRatio, 2), '', '', ''],
        ['machine busy', res.systemBusy.ours === null ? '–' : `${Math.round(res.systemBusy.ours * 100)} %`, res.systemBusy.baselineA === null ? '–' : `${Math.round(res.systemBusy.baselineA * 100)} %`, '', ''],
      ],
    ),
  );
  const c = r.cost;
  out.push('\nCost per document (issue 13: CPU at saturation, all processes; p99 at the fixed rate; events with the outcome at the first poll)');
  out.push(
    formatTable(
      ['', 'ours', '(a) no-op same shape', 'ours / (a)'],
      [
        ['CPU ms per document (cpuMsPerOrder)', fmt(c.cpuMsPerOrder, 1), fmt(c.cpuMsPerOrderNoop, 1), fmt(c.cpuRatioVsNoop, 2)],
        ['database round trips per document (dbRoundTripsPerOrder)', fmt(c.dbRoundTripsPerOrder, 2), '', ''],
        ...Object.entries(c.dbRoundTripsPerOrderByProcess).map(([role, n]): Cell[] => [`  of which ${role}`, fmt(n, 2), '', '']),
        ['history events per document (historyEventsPerOrder)', fmt(c.historyEventsPerOrder, 0), fmt(c.historyEventsPerOrderNoop, 0), ''],
        [`p99 approve → ${accepted}, ms (p99ApproveToPickingMs)`, fmt(c.p99ApproveToPickingMs, 0), fmt(c.p99ApproveToPickingMsNoop, 0), fmt(c.p99RatioVsNoop, 2)],
      ],
    ),
  );
  if (c.dbRoundTripsPerOrderByStatement.length) {
    out.push('  round trips per document by statement:');
    for (const s of c.dbRoundTripsPerOrderByStatement.slice(0, 25)) out.push(`    ${fmt(s.perOrder, 2).padStart(6)}  ${s.statement}`);
  }
  const so = r.scaleOut;
  out.push(`\nScale-out (same saturation load, ${so ? so.workers : '–'} worker processes vs 1)`);
  out.push(
    so
      ? formatTable(
          ['', '1 worker', `${so.workers} workers`, 'ratio'],
          [
            [`approve → ${accepted} /s`, fmt(r.throughput.ours.accepted, 2), fmt(so.throughput.accepted, 2), fmt(so.ratio.accepted, 2)],
            [`approve → ${done} /s`, fmt(r.throughput.ours.done, 2), fmt(so.throughput.done, 2), fmt(so.ratio.done, 2)],
            [`p99 approve → ${accepted}, ms`, fmt(sat.ours?.p99, 0), fmt(so.latency?.p99, 0), ''],
            ['machine busy', res.systemBusy.ours === null ? '–' : `${Math.round(res.systemBusy.ours * 100)} %`, so.systemBusy === null ? '–' : `${Math.round(so.systemBusy * 100)} %`, ''],
          ],
        )
      : '  not measured (--no-scale-out or --attach)',
  );
  return out;
}

export function formatReport(report: BenchReport): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(`eclp-bridge bench  ${report.startedAt}  ${report.durationS.toFixed(0)} s  (${report.mode}; ${m.cpus} cores, ${m.cpuModel}; node ${m.node})`);
  out.push(`command: ${report.command}`);
  const c = report.config as { orders: number; saturationOrders: number; rateOrders: number; temporal: string };
  out.push(`orders through the API: ${c.orders} (${c.saturationOrders} per saturation phase, ${c.rateOrders} at the fixed rate); Temporal dev server: ${c.temporal}`);
  for (const [name, r] of Object.entries(report.documentTypes)) out.push('', ...docTypeSections(name, r));
  out.push('\nTargets');
  out.push(
    formatTable(
      ['', 'target', 'measured', 'what bounds it (when missed)'],
      report.targets.map((t) => [`${t.met === null ? 'n/a ' : t.met ? 'met ' : 'MISS'} ${t.name}`, t.target, fmt(t.value, 2), t.bound ?? '']),
    ),
  );
  const scenarios = Object.entries(report.scenarios);
  if (scenarios.length) {
    out.push('\nScenarios');
    for (const [name, s] of scenarios) {
      out.push(`  ${name}: ${s.title} — ${s.status}${s.error ? ` (${s.error})` : ''}`);
      if (s.rows?.length) out.push(formatTable(s.rows[0]!, s.rows.slice(1)));
    }
  }
  if (report.warnings.length) out.push('\nWarnings', ...report.warnings.map((w) => `  - ${w}`));
  if (report.problems.length) out.push('\nProblems (the figures above are not trustworthy)', ...report.problems.map((p) => `  - ${p}`));
  out.push(`\nJSON: ${report.files.json}${report.files.chart ? `\nchart: ${report.files.chart}` : ''}`);
  return out.join('\n');
}
