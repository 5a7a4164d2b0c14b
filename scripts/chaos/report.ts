// The chaos run's verdict as text: what was done to the system, then each invariant with its figures.
import type { ChaosReport } from './run';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function formatReport(report: ChaosReport): string {
  const { options: o, timings: t } = report;
  const lines: string[] = [];
  lines.push('');
  lines.push(`chaos run — seed ${report.seed} (repeat with: npm run chaos -- --orders ${o.orders} --purchase-orders ${o.purchaseOrders} --returns ${o.returns} --seed ${report.seed})`);
  lines.push(`  setup ${s(t.setupMs)}, load ${s(t.loadMs)}, settle ${s(t.settleMs)}${t.settled ? '' : ' (did NOT settle)'}, total ${s(t.totalMs)}`);
  const at = (ms: number) => `t+${s(ms - report.t0)}`;
  for (const d of report.disruptions) {
    lines.push(`  ${d.kind.padEnd(17)} at ${at(d.startedAt)}, back at ${at(d.endedAt)}${d.kind === 'worker-kill' ? '' : ` (down ${s(d.downMs)})`}`);
  }
  const r = report.recovery;
  for (const k of r.kills) {
    const figures = k.documents === 0 ? 'no document had work in flight' : `${k.documents} documents in flight: recovered p50 ${k.p50Seconds} s p95 ${k.p95Seconds} s max ${k.maxSeconds} s${k.notRecovered ? `, ${k.notRecovered} NOT recovered` : ''}`;
    lines.push(`  recovery after the worker kill at ${at(k.killedAt)}: ${figures}`);
    if (k.slowest.length > 0) lines.push(`    slowest: ${k.slowest.join('; ')}`);
  }
  if (r.kills.length > 0) lines.push(`  recoverySecondsP95 ${r.recoverySecondsP95 ?? '–'} (max ${r.recoverySecondsMax ?? '–'}, ${r.documents} documents over ${r.kills.length} kills; recovery: ${r.definition})`);
  for (const e of report.unexpectedExits) lines.push(`  ${e.name} exited by itself at ${at(e.at)} (${e.exit}) and was started again`);
  const byMethod = Object.entries(report.jdCalls.byMethod)
    .sort(([, a], [, b]) => b - a)
    .map(([method, n]) => `${method.replace('jingdong.eclp.', '')} ${n}`)
    .join(', ');
  lines.push(`  JD calls ${report.jdCalls.total} (${byMethod}); faults fired: ${Object.entries(report.faultsFired).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  for (const figure of report.figures) lines.push(`  ${figure}`);
  lines.push('');
  for (const inv of report.invariants) {
    lines.push(`${inv.ok ? 'PASS' : 'FAIL'}  ${inv.name}`);
    for (const figure of inv.figures) lines.push(`        ${figure}`);
    for (const violation of inv.violations) lines.push(`      ✗ ${violation}`);
  }
  const failed = report.invariants.filter((i) => !i.ok).length;
  lines.push('');
  lines.push(failed === 0 ? `all ${report.invariants.length} invariants hold` : `${failed} of ${report.invariants.length} invariants VIOLATED`);
  return lines.join('\n');
}
