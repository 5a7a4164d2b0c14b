// The report's picture: latency distribution (CDF of approve → accepted, log scale) and throughput over
// time at saturation. Drawn as SVG by hand and rendered to PNG with @resvg/resvg-js (no native canvas,
// no system libraries); the SVG is kept next to it when rendering is not possible.
import { writeFileSync } from 'node:fs';
import type { DocTypeReport } from './types';

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

interface Axis {
  label: string;
  min: number;
  max: number;
  log?: boolean;
}

interface Panel {
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Vertical marker lines (targets). */
  markers?: Array<{ x: number; label: string }>;
}

const WIDTH = 1300;
const PANEL_HEIGHT = 470;
const MARGIN = { left: 80, right: 390, top: 50, bottom: 60 };
const FONT = 'DejaVu Sans, sans-serif';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ticks(axis: Axis): number[] {
  if (axis.log) {
    const out: number[] = [];
    for (let decade = Math.floor(Math.log10(axis.min)); decade <= Math.ceil(Math.log10(axis.max)); decade++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** decade;
        if (v >= axis.min && v <= axis.max) out.push(v);
      }
    }
    return out;
  }
  const span = axis.max - axis.min || 1;
  const raw = span / 6;
  const step = [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function panelSvg(panel: Panel, top: number): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  const sx = (v: number) => {
    const { min, max, log } = panel.x;
    const t = log ? (Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min || 1);
    return x0 + Math.min(1, Math.max(0, t)) * w;
  };
  const sy = (v: number) => y0 + h - Math.min(1, Math.max(0, (v - panel.y.min) / (panel.y.max - panel.y.min || 1))) * h;
  const parts: string[] = [];
  parts.push(`<text x="${x0}" y="${top + 30}" font-size="18" font-weight="bold">${escape(panel.title)}</text>`);
  for (const t of ticks(panel.x)) {
    parts.push(`<line x1="${sx(t)}" y1="${y0}" x2="${sx(t)}" y2="${y0 + h}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${sx(t)}" y="${y0 + h + 18}" font-size="12" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(panel.y)) {
    parts.push(`<line x1="${x0}" y1="${sy(t)}" x2="${x0 + w}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x0 - 8}" y="${sy(t) + 4}" font-size="12" text-anchor="end">${t}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${x0 + w / 2}" y="${y0 + h + 42}" font-size="13" text-anchor="middle">${escape(panel.x.label)}</text>`);
  parts.push(`<text x="${x0 - 55}" y="${y0 + h / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 ${x0 - 55} ${y0 + h / 2})">${escape(panel.y.label)}</text>`);
  for (const marker of panel.markers ?? []) {
    parts.push(`<line x1="${sx(marker.x)}" y1="${y0}" x2="${sx(marker.x)}" y2="${y0 + h}" stroke="#c00" stroke-dasharray="2 4"/>`);
    parts.push(`<text x="${sx(marker.x) + 4}" y="${y0 + 14}" font-size="12" fill="#c00">${escape(marker.label)}</text>`);
  }
  panel.series.forEach((s, i) => {
    if (s.points.length) {
      const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    const ly = y0 + 10 + i * 22;
    const lx = x0 + w + 20;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 36}" y="${ly + 4}" font-size="12">${escape(s.name)}${s.points.length ? '' : ' (none)'}</text>`);
  });
  return parts.join('\n');
}

/** Empirical CDF points of a sample (x = value, y = share ≤ value). */
export function cdf(samples: readonly number[]): Array<[number, number]> {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted.map((v, i) => [Math.max(v, 1), (i + 1) / sorted.length]);
}

export function chartSvg(title: string, latency: Panel, throughput: Panel): string {
  const height = PANEL_HEIGHT * 2 + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="${FONT}">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="26" font-size="20" font-weight="bold">${escape(title)}</text>`,
    panelSvg(latency, 30),
    panelSvg(throughput, 30 + PANEL_HEIGHT),
    '</svg>',
  ].join('\n');
}

export type { Panel };

/** Writes the PNG; falls back to the SVG (and says so) when the renderer cannot be loaded. */
export async function writeChart(svg: string, pngPath: string): Promise<{ path: string; note?: string }> {
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' }).render().asPng();
    writeFileSync(pngPath, png);
    return { path: pngPath };
  } catch (err) {
    const svgPath = pngPath.replace(/\.png$/, '.svg');
    writeFileSync(svgPath, svg);
    return { path: svgPath, note: `PNG rendering failed (${(err as Error).message}); wrote the SVG instead` };
  }
}

const SMOOTHING_S = 5;
const PALETTE = { ours: '#1f77b4', baseline: '#7f7f7f', scaled: '#2ca02c', oursDone: '#ff7f0e', baselineDone: '#bcbd22' };

/** The standard picture of one document type's run. */
export function docTypeChart(title: string, report: DocTypeReport, latencyTargetMs: number): string {
  const { accepted, done } = report.milestones;
  const describe = (p: DocTypeReport['phases'][number]) =>
    `${p.system === 'ours' ? 'ours' : '(a) no-op'} ${p.mode.kind === 'saturation' ? `saturation` : `${p.mode.ratePerSecond}/s`}${p.stack.startsWith('1 ') ? '' : `, ${p.stack}`}`;
  const colour = (p: DocTypeReport['phases'][number]) => (p.system !== 'ours' ? PALETTE.baseline : p.stack.startsWith('1 ') ? PALETTE.ours : PALETTE.scaled);
  const latencies = report.phases.flatMap((p) => p.acceptedLatencies);
  const latency: Panel = {
    title: `Latency approve → ${accepted} (cumulative share of documents)`,
    x: { label: 'ms (log scale)', min: Math.max(1, Math.min(...latencies, latencyTargetMs) * 0.8), max: Math.max(...latencies, latencyTargetMs) * 1.2, log: true },
    y: { label: 'share of documents', min: 0, max: 1 },
    series: report.phases.map((p) => ({ name: describe(p), color: colour(p), dashed: p.mode.kind === 'saturation', points: cdf(p.acceptedLatencies) })),
    markers: [{ x: latencyTargetMs, label: `target p99 < ${latencyTargetMs} ms` }],
  };
  const saturation = report.phases.filter((p) => p.mode.kind === 'saturation');
  // 1 s bins swing with every batch the server hands out; 5 s bins show the sustained rate.
  const bins = (values: number[]): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < values.length; i += SMOOTHING_S) {
      const chunk = values.slice(i, i + SMOOTHING_S);
      out.push([i + chunk.length / 2, chunk.reduce((a, b) => a + b, 0) / chunk.length]);
    }
    return out;
  };
  const series: Series[] = saturation.flatMap((p) => [
    { name: `${describe(p)} → ${accepted}`, color: colour(p), points: bins(p.series.accepted) },
    { name: `${describe(p)} → ${done}`, color: p.system === 'ours' && p.stack.startsWith('1 ') ? PALETTE.oursDone : p.system === 'ours' ? PALETTE.scaled : PALETTE.baselineDone, dashed: true, points: bins(p.series.done) },
  ]);
  const longest = Math.ceil(Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x + SMOOTHING_S / 2))));
  const highest = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  const throughput: Panel = {
    title: `Throughput over time at saturation (completions per second, ${SMOOTHING_S} s bins)`,
    x: { label: 's since the phase started', min: 0, max: longest },
    y: { label: 'documents / s', min: 0, max: Math.ceil(highest * 1.1) },
    series,
  };
  return chartSvg(title, latency, throughput);
}
