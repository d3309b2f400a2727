/**
 * Small charts for the PDF as SVG strings: pure functions of their inputs, no I/O.
 * Every text that comes from data is XML-escaped. Sizes are in pt (pdfmake uses `assumePt`);
 * each SVG carries width/height because pdfmake requires them.
 */

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

const FONT = 'font-family="Roboto"';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Numbers in attributes: finite and short. */
const n = (x: number): string => String(Math.round((Number.isFinite(x) ? x : 0) * 100) / 100);

/** A rough width of Roboto text, enough to lay out labels without measuring fonts. */
export const approxTextWidth = (text: string, size: number): number => text.length * size * 0.52;

function truncate(text: string, size: number, maxWidth: number): string {
  if (approxTextWidth(text, size) <= maxWidth) return text;
  const keep = Math.max(1, Math.floor(maxWidth / (size * 0.52)) - 1);
  return `${text.slice(0, keep)}…`;
}

function text(x: number, y: number, content: string, opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; color?: string; bold?: boolean } = {}): string {
  const { size = 6, anchor = 'start', color = CHART_COLORS.text, bold = false } = opts;
  return `<text x="${n(x)}" y="${n(y)}" ${FONT} font-size="${n(size)}"${bold ? ' font-weight="bold"' : ''} fill="${escapeXml(color)}" text-anchor="${anchor}">${escapeXml(content)}</text>`;
}

const svg = (width: number, height: number, body: string[]): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}">${body.join('')}</svg>`;

export interface ProgressBarInput {
  percent: number | null; // % of the period target
  color: string; // fill, usually the status colour
  format?: (percent: number) => string;
  width?: number;
}

/** Horizontal bar of % achieved, with a marker at 100%; the scale stretches to 150% on overachievement. */
export function progressBarSvg({ percent, color, format = (p) => `${Math.round(p * 10) / 10}%`, width = 160 }: ProgressBarInput): string {
  const height = 24;
  const labelW = 34;
  const barW = width - labelW;
  const scaleMax = percent === null ? 100 : Math.max(100, Math.min(percent, 150));
  const x = (p: number) => (Math.max(0, Math.min(p, scaleMax)) / scaleMax) * barW;
  const body = [`<rect x="0" y="4" width="${n(barW)}" height="9" rx="2" fill="${CHART_COLORS.track}"/>`];
  if (percent !== null) body.push(`<rect x="0" y="4" width="${n(x(percent))}" height="9" rx="2" fill="${escapeXml(color)}"/>`);
  body.push(
    `<line x1="${n(x(100))}" y1="1.5" x2="${n(x(100))}" y2="15.5" stroke="${CHART_COLORS.target}" stroke-width="1"/>`,
    text(x(100), 22, 'target', { size: 5.5, anchor: x(100) > barW - 10 ? 'end' : 'middle', color: CHART_COLORS.muted }),
    text(0, 22, '0', { size: 5.5, color: CHART_COLORS.muted }),
    text(width, 11.5, percent === null ? 'no data' : format(percent), { size: 8, anchor: 'end', bold: true, color: percent === null ? CHART_COLORS.muted : color }),
  );
  return svg(width, height, body);
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
export function trendSvg({ points, format, minScale = 0, width = 170, height = 66 }: TrendInput): string {
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

  const body = [
    `<line x1="${left}" y1="${n(bottom)}" x2="${n(width - 2)}" y2="${n(bottom)}" stroke="${CHART_COLORS.grid}" stroke-width="0.6"/>`,
    // Legend
    `<rect x="0" y="2" width="7" height="6" fill="${CHART_COLORS.actual}"/>`,
    text(9.5, 7.5, 'Actual', { size: 5.5, color: CHART_COLORS.muted }),
    `<line x1="34" y1="5" x2="44" y2="5" stroke="${CHART_COLORS.target}" stroke-width="0.9" stroke-dasharray="2,1.5"/>`,
    `<circle cx="39" cy="5" r="1.4" fill="${CHART_COLORS.target}"/>`,
    text(47, 7.5, 'Target', { size: 5.5, color: CHART_COLORS.muted }),
  ];
  if (!showValues) {
    // Without the values row, a top gridline with its value gives the scale.
    body.push(
      `<line x1="${left}" y1="${n(y(max))}" x2="${n(width - 2)}" y2="${n(y(max))}" stroke="${CHART_COLORS.grid}" stroke-width="0.4" stroke-dasharray="1,1"/>`,
      text(width - 2, y(max) - 1.5, format(max), { size: 5, anchor: 'end', color: CHART_COLORS.muted }),
    );
  }
  points.forEach((p, i) => {
    if (p.actual !== null) {
      const yy = y(p.actual);
      body.push(`<rect x="${n(cx(i) - barW / 2)}" y="${n(yy)}" width="${n(barW)}" height="${n(Math.max(0, bottom - yy))}" fill="${CHART_COLORS.actual}"/>`);
    }
    if (i % labelEvery === 0 || i === points.length - 1) body.push(text(cx(i), bottom + 6.5, p.label, { size: 5.5, anchor: 'middle', color: CHART_COLORS.muted }));
    if (showValues) body.push(text(cx(i), bottom + 13.5, p.actual === null ? '–' : format(p.actual), { size: 5.5, anchor: 'middle', bold: true, color: CHART_COLORS.actual }));
  });
  // Target line: connect consecutive periods that have a target; lone targets show as dots only.
  const targets = points.map((p, i) => (p.target === null ? null : { x: cx(i), y: y(p.target) }));
  for (let i = 1; i < targets.length; i++) {
    const a = targets[i - 1];
    const b = targets[i];
    if (a && b) body.push(`<line x1="${n(a.x)}" y1="${n(a.y)}" x2="${n(b.x)}" y2="${n(b.y)}" stroke="${CHART_COLORS.target}" stroke-width="0.9" stroke-dasharray="2,1.5"/>`);
  }
  for (const t of targets) if (t) body.push(`<circle cx="${n(t.x)}" cy="${n(t.y)}" r="1.6" fill="${CHART_COLORS.target}"/>`);
  return svg(width, height, body);
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
export function disaggregationSvg({ groups, mode, format, width = 170 }: DisaggregationInput): string {
  const labelW = 40;
  const barX = labelW;
  const barW = width - labelW;
  const body: string[] = [];
  let y = 0;
  for (const g of groups) {
    body.push(text(0, y + 7, truncate(g.label, 6, labelW - 3), { size: 6, bold: true }));
    if (mode === 'share') {
      const total = g.parts.reduce((a, p) => a + Math.max(0, p.value), 0);
      let x = barX;
      g.parts.forEach((p, i) => {
        const w = total ? (Math.max(0, p.value) / total) * barW : 0;
        body.push(`<rect x="${n(x)}" y="${n(y + 1)}" width="${n(w)}" height="8" fill="${SERIES_PALETTE[i % SERIES_PALETTE.length]}"/>`);
        x += w;
      });
      y += 11;
      // Legend entries flow left to right and wrap.
      let lx = barX;
      g.parts.forEach((p, i) => {
        const share = total ? ` (${Math.round((Math.max(0, p.value) / total) * 100)}%)` : '';
        const label = truncate(`${p.category} ${format(p.value)}${share}`, 5.5, barW - 8);
        const w = 8 + approxTextWidth(label, 5.5) + 6;
        if (lx > barX && lx + w > width) {
          lx = barX;
          y += 8;
        }
        body.push(`<rect x="${n(lx)}" y="${n(y + 1.5)}" width="5" height="5" fill="${SERIES_PALETTE[i % SERIES_PALETTE.length]}"/>`);
        body.push(text(lx + 7, y + 6, label, { size: 5.5, color: CHART_COLORS.muted }));
        lx += w;
      });
      y += 11;
    } else {
      const catW = 38;
      y += 9;
      for (const p of g.parts) {
        const trackW = barW - catW - 26;
        const w = (Math.max(0, Math.min(p.value, 100)) / 100) * trackW;
        body.push(
          text(barX, y + 6, truncate(p.category, 5.5, catW - 2), { size: 5.5, color: CHART_COLORS.muted }),
          `<rect x="${n(barX + catW)}" y="${n(y + 1)}" width="${n(trackW)}" height="6" fill="${CHART_COLORS.track}"/>`,
          `<rect x="${n(barX + catW)}" y="${n(y + 1)}" width="${n(w)}" height="6" fill="${CHART_COLORS.actual}"/>`,
          text(width, y + 6, format(p.value), { size: 5.5, anchor: 'end' }),
        );
        y += 9;
      }
      y += 3;
    }
  }
  return svg(width, Math.max(y, 10), body);
}
