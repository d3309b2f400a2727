/**
 * Small charts for the PDF, drawn natively by pdfmake: pure functions of their inputs, no I/O.
 *
 * Each chart function returns its geometry (a `Chart`: a box of width × height pt, filled shapes and
 * lines, text labels anchored at a baseline point), which `chartContent` turns into a pdfmake canvas
 * with the labels laid over it as ordinary pdfmake text. Labels from data go through the bidi pass
 * (Arabic in its font, in visual order), like every other text of the report.
 *
 * pdfmake lays out a canvas and a few text lines far faster than an `svg` node (which it parses twice
 * and draws through svg-to-pdfkit): see bench/render.bench.ts. `chartSvg` still writes the same
 * geometry as SVG, for that benchmark's comparison and for other consumers of SVG.
 */
import type { CanvasEllipse, CanvasLine, CanvasRect, Content } from 'pdfmake/interfaces.js';
import { hasRtl } from './bidi.js';
import { inlineFragments } from './text.js';

export const CHART_COLORS = {
  actual: '#0033A0', // IOM blue
  target: '#2E3A45',
  track: '#E6EAEE',
  grid: '#D5DBE1',
  text: '#2E3A45',
  muted: '#6B7780',
};
/** Categorical palette for disaggregation segments. */
export const SERIES_PALETTE = ['#0033A0', '#5B8FD6', '#A9C6EE', '#F2A900', '#4E9A5B', '#9B5FB5', '#C8553D', '#7A8793'];

/** Shapes, in pdfmake's canvas vocabulary (coordinates in pt from the chart's top left corner). */
export type Rect = CanvasRect & { color: string };
export type Line = CanvasLine & { lineColor: string; lineWidth: number };
export type Dot = CanvasEllipse & { color: string };
export type Mark = Rect | Line | Dot;
/** A one-line text whose baseline is at y; x is its start, middle or end by `anchor`. */
export interface Label {
  x: number;
  y: number;
  text: string;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  color: string;
  bold: boolean;
}
export interface Chart {
  width: number;
  height: number;
  marks: Mark[];
  labels: Label[];
}

/** Finite numbers only: a NaN never reaches the PDF. */
const f = (x: number): number => (Number.isFinite(x) ? x : 0);

const rect = (x: number, y: number, w: number, h: number, color: string, r?: number): Rect => ({ type: 'rect', x: f(x), y: f(y), w: f(w), h: f(h), color, ...(r ? { r } : {}) });
const line = (x1: number, y1: number, x2: number, y2: number, lineColor: string, lineWidth: number, dash?: [number, number]): Line => ({
  type: 'line', x1: f(x1), y1: f(y1), x2: f(x2), y2: f(y2), lineColor, lineWidth, ...(dash ? { dash: { length: dash[0], space: dash[1] } } : {}),
});
const dot = (x: number, y: number, r: number, color: string): Dot => ({ type: 'ellipse', x: f(x), y: f(y), r1: r, r2: r, color });
function label(x: number, y: number, text: string, opts: { size?: number; anchor?: Label['anchor']; color?: string; bold?: boolean } = {}): Label {
  return { x: f(x), y: f(y), text, size: opts.size ?? 6, anchor: opts.anchor ?? 'start', color: opts.color ?? CHART_COLORS.text, bold: opts.bold ?? false };
}

/** A rough width of Roboto text, enough to lay out labels without measuring fonts. */
export const approxTextWidth = (text: string, size: number): number => text.length * size * 0.52;

function truncate(text: string, size: number, maxWidth: number): string {
  if (approxTextWidth(text, size) <= maxWidth) return text;
  const keep = Math.max(1, Math.floor(maxWidth / (size * 0.52)) - 1);
  return `${text.slice(0, keep)}…`;
}

export interface ProgressBarInput {
  percent: number | null; // % of the period target
  color: string; // fill, usually the status colour
  format?: (percent: number) => string;
  width?: number;
}

/** Horizontal bar of % achieved, with a marker at 100%; the scale stretches to 150% on overachievement. */
export function progressBarChart({ percent, color, format = (p) => `${Math.round(p * 10) / 10}%`, width = 160 }: ProgressBarInput): Chart {
  const labelW = 34;
  const barW = width - labelW;
  const scaleMax = percent === null ? 100 : Math.max(100, Math.min(percent, 150));
  const x = (p: number) => (Math.max(0, Math.min(p, scaleMax)) / scaleMax) * barW;
  const marks: Mark[] = [rect(0, 4, barW, 9, CHART_COLORS.track, 2)];
  if (percent !== null && x(percent) > 0) marks.push(rect(0, 4, x(percent), 9, color, 2));
  marks.push(line(x(100), 1.5, x(100), 15.5, CHART_COLORS.target, 1));
  const labels = [
    label(x(100), 22, 'target', { size: 5.5, anchor: x(100) > barW - 10 ? 'end' : 'middle', color: CHART_COLORS.muted }),
    label(0, 22, '0', { size: 5.5, color: CHART_COLORS.muted }),
    label(width, 11.5, percent === null ? 'no data' : format(percent), { size: 8, anchor: 'end', bold: true, color: percent === null ? CHART_COLORS.muted : color }),
  ];
  return { width, height: 24, marks, labels };
}

export interface TrendPoint {
  label: string; // short period label, e.g. "Q3"
  actual: number | null;
  target: number | null;
}
export interface TrendInput {
  points: TrendPoint[];
  /** Formats a value for the labels (the indicator's own formatting). */
  format: (value: number) => string;
  /** Lowest top of the value scale, e.g. 100 for percentages. */
  minScale?: number;
  width?: number;
  height?: number;
}

/** Actual per period as bars (values in a row under the period labels), target as a dashed line with dots. */
export function trendChart({ points, format, minScale = 0, width = 170, height = 66 }: TrendInput): Chart {
  const showValues = points.length <= 8; // beyond that the row gets unreadable; the table has the figures
  const top = 12; // legend row
  const bottom = height - (showValues ? 15 : 8); // period labels (and values) below
  const left = 2;
  const plotW = width - left - 2;
  const values = points.flatMap((p) => [p.actual, p.target]).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(...values, minScale) || 1;
  const y = (v: number) => bottom - (Math.max(0, v) / max) * (bottom - top - 2);
  const step = points.length ? plotW / points.length : plotW;
  const barW = Math.min(18, step * 0.55);
  const cx = (i: number) => left + step * i + step / 2;
  const labelEvery = Math.ceil(points.length / 8);
  const dashed: [number, number] = [2, 1.5];

  const marks: Mark[] = [
    line(left, bottom, width - 2, bottom, CHART_COLORS.grid, 0.6),
    // Legend
    rect(0, 2, 7, 6, CHART_COLORS.actual),
    line(34, 5, 44, 5, CHART_COLORS.target, 0.9, dashed),
    dot(39, 5, 1.4, CHART_COLORS.target),
  ];
  const labels = [label(9.5, 7.5, 'Actual', { size: 5.5, color: CHART_COLORS.muted }), label(47, 7.5, 'Target', { size: 5.5, color: CHART_COLORS.muted })];
  if (!showValues) {
    // Without the values row, a top gridline with its value gives the scale.
    marks.push(line(left, y(max), width - 2, y(max), CHART_COLORS.grid, 0.4, [1, 1]));
    labels.push(label(width - 2, y(max) - 1.5, format(max), { size: 5, anchor: 'end', color: CHART_COLORS.muted }));
  }
  points.forEach((p, i) => {
    if (p.actual !== null) {
      const yy = y(p.actual);
      marks.push(rect(cx(i) - barW / 2, yy, barW, Math.max(0, bottom - yy), CHART_COLORS.actual));
    }
    if (i % labelEvery === 0 || i === points.length - 1) labels.push(label(cx(i), bottom + 6.5, p.label, { size: 5.5, anchor: 'middle', color: CHART_COLORS.muted }));
    if (showValues) labels.push(label(cx(i), bottom + 13.5, p.actual === null ? '–' : format(p.actual), { size: 5.5, anchor: 'middle', bold: true, color: CHART_COLORS.actual }));
  });
  // Target line: connect consecutive periods that have a target; lone targets show as dots only.
  const targets = points.map((p, i) => (p.target === null ? null : { x: cx(i), y: y(p.target) }));
  for (let i = 1; i < targets.length; i++) {
    const a = targets[i - 1];
    const b = targets[i];
    if (a && b) marks.push(line(a.x, a.y, b.x, b.y, CHART_COLORS.target, 0.9, dashed));
  }
  for (const t of targets) if (t) marks.push(dot(t.x, t.y, 1.6, CHART_COLORS.target));
  return { width, height, marks, labels };
}

export interface DisaggregationGroup {
  label: string; // dimension, e.g. "Sex"
  parts: Array<{ category: string; value: number }>;
}
export interface DisaggregationInput {
  groups: DisaggregationGroup[];
  /** 'share': parts of a count, stacked to 100%. 'percent': each category's own %, on a 0–100 scale. */
  mode: 'share' | 'percent';
  format: (value: number) => string;
  width?: number;
}

/** One row per dimension: a stacked share bar with a wrapped legend, or one small bar per category. */
export function disaggregationChart({ groups, mode, format, width = 170 }: DisaggregationInput): Chart {
  const labelW = 40;
  const barX = labelW;
  const barW = width - labelW;
  const marks: Mark[] = [];
  const labels: Label[] = [];
  const color = (i: number) => SERIES_PALETTE[i % SERIES_PALETTE.length]!;
  let y = 0;
  for (const g of groups) {
    labels.push(label(0, y + 7, truncate(g.label, 6, labelW - 3), { size: 6, bold: true }));
    if (mode === 'share') {
      const total = g.parts.reduce((a, p) => a + Math.max(0, p.value), 0);
      let x = barX;
      g.parts.forEach((p, i) => {
        const w = total ? (Math.max(0, p.value) / total) * barW : 0;
        if (w > 0) marks.push(rect(x, y + 1, w, 8, color(i)));
        x += w;
      });
      y += 11;
      // Legend entries flow left to right and wrap.
      let lx = barX;
      g.parts.forEach((p, i) => {
        const share = total ? ` (${Math.round((Math.max(0, p.value) / total) * 100)}%)` : '';
        const text = truncate(`${p.category} ${format(p.value)}${share}`, 5.5, barW - 8);
        const w = 8 + approxTextWidth(text, 5.5) + 6;
        if (lx > barX && lx + w > width) {
          lx = barX;
          y += 8;
        }
        marks.push(rect(lx, y + 1.5, 5, 5, color(i)));
        labels.push(label(lx + 7, y + 6, text, { size: 5.5, color: CHART_COLORS.muted }));
        lx += w;
      });
      y += 11;
    } else {
      const catW = 38;
      y += 9;
      for (const p of g.parts) {
        const trackW = barW - catW - 26;
        const w = (Math.max(0, Math.min(p.value, 100)) / 100) * trackW;
        labels.push(label(barX, y + 6, truncate(p.category, 5.5, catW - 2), { size: 5.5, color: CHART_COLORS.muted }));
        marks.push(rect(barX + catW, y + 1, trackW, 6, CHART_COLORS.track));
        if (w > 0) marks.push(rect(barX + catW, y + 1, w, 6, CHART_COLORS.actual));
        labels.push(label(width, y + 6, format(p.value), { size: 5.5, anchor: 'end' }));
        y += 9;
      }
      y += 3;
    }
  }
  return { width, height: Math.max(y, 10), marks, labels };
}

/** Roboto's ascender (1900 of 2048 units): pdfkit puts a line's baseline this far below its top. */
const ASCENT = 1900 / 2048;

/** The bottom of the shapes, as pdfmake measures a canvas' height. */
function marksBottom(marks: Mark[]): number {
  return marks.reduce((h, m) => Math.max(h, m.type === 'rect' ? m.y + m.h : m.type === 'line' ? Math.max(m.y1, m.y2) : m.y + (m.r2 ?? m.r1)), 0);
}

/**
 * The chart as pdfmake content: a canvas (padded to the chart's height) inside a column of the chart's
 * width, then the labels, placed relative to the chart's bottom left corner. A detached text is aligned
 * within the column's width, so an end-anchored label is shifted left by that width and a middle one
 * by half of it. Unbreakable, so that the labels always land on the canvas' page. Fresh objects on
 * every call: pdfmake moves the shapes in place while laying them out.
 */
export function chartContent(chart: Chart): Content {
  const node = chartNode(chart);
  drawn.set(node, chart);
  return node as Content;
}

/**
 * The chart a node of a document definition draws, if it is one that `chartContent` made: lets a
 * benchmark or a spec find the charts in a finished definition (to leave them out, or draw them as SVG).
 */
export const chartBehind = (node: unknown): Chart | undefined => (node !== null && typeof node === 'object' ? drawn.get(node) : undefined);
const drawn = new WeakMap<object, Chart>();

function chartNode(chart: Chart): object {
  const { width, height } = chart;
  const canvas = chart.marks.map((m) => ({ ...m, ...(m.type === 'line' && m.dash ? { dash: { ...m.dash } } : {}) }));
  const labels = chart.labels.map((l): Content => {
    const shift = l.anchor === 'end' ? width : l.anchor === 'middle' ? width / 2 : 0;
    return {
      text: hasRtl(l.text) ? inlineFragments(l.text) : l.text,
      relativePosition: { x: l.x - shift, y: l.y - ASCENT * l.size - height },
      alignment: l.anchor === 'end' ? 'right' : l.anchor === 'middle' ? 'center' : 'left',
      fontSize: l.size,
      color: l.color,
      bold: l.bold,
      noWrap: true,
    };
  });
  return {
    unbreakable: true,
    columns: [{ width, stack: [{ canvas, margin: [0, 0, 0, Math.max(0, height - marksBottom(chart.marks))] }, ...labels] }],
  } satisfies Content;
}

/** The charts of the report, as pdfmake content. */
export const progressBar = (input: ProgressBarInput): Content => chartContent(progressBarChart(input));
export const trend = (input: TrendInput): Content => chartContent(trendChart(input));
export const disaggregation = (input: DisaggregationInput): Content => chartContent(disaggregationChart(input));

// ---- The same geometry as SVG (pdfmake `svg` nodes): the benchmark's comparison, other SVG consumers.

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Numbers in attributes: finite and short. */
const n = (x: number): string => String(Math.round(f(x) * 100) / 100);

function markSvg(m: Mark): string {
  switch (m.type) {
    case 'rect':
      return `<rect x="${n(m.x)}" y="${n(m.y)}" width="${n(m.w)}" height="${n(m.h)}"${m.r ? ` rx="${n(m.r)}"` : ''} fill="${escapeXml(m.color)}"/>`;
    case 'line':
      return `<line x1="${n(m.x1)}" y1="${n(m.y1)}" x2="${n(m.x2)}" y2="${n(m.y2)}" stroke="${escapeXml(m.lineColor)}" stroke-width="${n(m.lineWidth)}"${m.dash ? ` stroke-dasharray="${n(m.dash.length)},${n(m.dash.space ?? m.dash.length)}"` : ''}/>`;
    case 'ellipse':
      return `<circle cx="${n(m.x)}" cy="${n(m.y)}" r="${n(m.r1)}" fill="${escapeXml(m.color)}"/>`;
  }
}

const labelSvg = (l: Label): string =>
  `<text x="${n(l.x)}" y="${n(l.y)}" font-family="Roboto" font-size="${n(l.size)}"${l.bold ? ' font-weight="bold"' : ''} fill="${escapeXml(l.color)}" text-anchor="${l.anchor}">${escapeXml(l.text)}</text>`;

/** SVG with width/height (pdfmake requires them), shapes under labels. */
export const chartSvg = ({ width, height, marks, labels }: Chart): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}">${marks.map(markSvg).join('')}${labels.map(labelSvg).join('')}</svg>`;

export const progressBarSvg = (input: ProgressBarInput): string => chartSvg(progressBarChart(input));
export const trendSvg = (input: TrendInput): string => chartSvg(trendChart(input));
export const disaggregationSvg = (input: DisaggregationInput): string => chartSvg(disaggregationChart(input));
