import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleReportModel } from '../../test/fixtures/sample-report.js';
import { ARABIC_FONT } from './bidi.js';
import {
  CHART_COLORS, chartBehind, chartContent, chartSvg, disaggregationChart, progressBarChart, SERIES_PALETTE, trendChart,
  type Chart, type Mark, type Rect, type TrendPoint,
} from './charts.js';
import { buildPdfDocument } from './document.js';
import { colorDistance, differingShare, inkShare, pdfPages, pixel, type Raster } from './pixels.js';
import { renderPdfDocument, renderReportPdf } from './render-pdf.js';

const fmt = (v: number) => String(v);
const rects = (c: Chart, color?: string) => c.marks.filter((m): m is Rect => m.type === 'rect' && (!color || m.color === color));
const points = (actuals: Array<number | null>, targets: Array<number | null> = actuals.map(() => null)): TrendPoint[] =>
  actuals.map((actual, i) => ({ label: `Q${(i % 4) + 1}`, actual, target: targets[i] ?? null }));

/** The box a shape covers. */
function bounds(m: Mark): { x0: number; y0: number; x1: number; y1: number } {
  if (m.type === 'rect') return { x0: m.x, y0: m.y, x1: m.x + m.w, y1: m.y + m.h };
  if (m.type === 'line') return { x0: Math.min(m.x1, m.x2), y0: Math.min(m.y1, m.y2), x1: Math.max(m.x1, m.x2), y1: Math.max(m.y1, m.y2) };
  return { x0: m.x - m.r1, y0: m.y - (m.r2 ?? m.r1), x1: m.x + m.r1, y1: m.y + (m.r2 ?? m.r1) };
}
function expectInsideBox(c: Chart): void {
  for (const m of c.marks) {
    const b = bounds(m);
    for (const v of Object.values(b)) expect(Number.isFinite(v)).toBe(true);
    expect(b.x0).toBeGreaterThanOrEqual(-1e-9);
    expect(b.y0).toBeGreaterThanOrEqual(-1e-9);
    expect(b.x1).toBeLessThanOrEqual(c.width + 1e-9);
    expect(b.y1).toBeLessThanOrEqual(c.height + 1e-9);
  }
  for (const l of c.labels) {
    expect(l.x).toBeGreaterThanOrEqual(0);
    expect(l.x).toBeLessThanOrEqual(c.width);
    expect(l.y).toBeGreaterThan(0);
    expect(l.y).toBeLessThanOrEqual(c.height);
  }
}

describe('chart geometry', () => {
  it('trend: one bar per period with an actual, heights proportional to the values, on one baseline', () => {
    const actuals = [18, null, 36, 0, 54, 9];
    const c = trendChart({ points: points(actuals, [20, 30, 40, 40, null, 40]), format: fmt, width: 170 });
    const bars = rects(c, CHART_COLORS.actual).filter((r) => r.y >= 12); // below the legend row
    const shown = actuals.filter((a): a is number => a !== null);
    expect(bars).toHaveLength(shown.length);
    const baseline = bars[0]!.y + bars[0]!.h;
    for (const [i, bar] of bars.entries()) {
      expect(bar.y + bar.h).toBeCloseTo(baseline, 6);
      expect(bar.h).toBeCloseTo((bars[1]!.h / 36) * shown[i]!, 6); // 36: the second value shown
    }
    // Left to right, one column per period: the gap where Q2 has no actual stays empty.
    const xs = bars.map((b) => b.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs[1]! - xs[0]!).toBeCloseTo(2 * (xs[2]! - xs[1]!), 6);
    // The target: a dot per period that has one, a dashed line between consecutive ones.
    expect(c.marks.filter((m) => m.type === 'ellipse' && m.r1 === 1.6)).toHaveLength(5);
    expect(c.marks.filter((m) => m.type === 'line' && m.dash && m.y1 > 8)).toHaveLength(3);
    expect(c.labels.filter((l) => l.bold).map((l) => l.text)).toEqual(['18', '–', '36', '0', '54', '9']);
    expectInsideBox(c);
  });

  it('trend: the tallest value reaches the top of the plot; past 8 periods a gridline gives the scale', () => {
    const c = trendChart({ points: points(Array.from({ length: 12 }, (_, i) => 10 * (i + 1))), format: fmt, width: 170, height: 66 });
    const bars = rects(c, CHART_COLORS.actual).filter((r) => r.y >= 12);
    expect(bars).toHaveLength(12);
    expect(Math.min(...bars.map((b) => b.y))).toBeCloseTo(14, 6); // legend row (12) + 2
    expect(c.labels.find((l) => l.text === '120')).toMatchObject({ anchor: 'end', x: 168 });
    expect(c.labels.some((l) => l.bold)).toBe(false); // no values row
    expectInsideBox(c);
  });

  it('progress bar: the fill is the status colour, as long as the share of the scale, capped at 150%', () => {
    const barW = 150 - 34;
    const at = (percent: number | null) => progressBarChart({ percent, color: '#1E7B34', width: 150 });
    expect(rects(at(50), '#1E7B34')[0]!.w).toBeCloseTo(barW / 2, 6);
    expect(rects(at(100), '#1E7B34')[0]!.w).toBeCloseTo(barW, 6);
    expect(rects(at(120), '#1E7B34')[0]!.w).toBeCloseTo(barW, 6); // the scale stretches to 120
    expect(rects(at(400), '#1E7B34')[0]!.w).toBeCloseTo(barW, 6);
    const marker = (c: Chart) => c.marks.find((m) => m.type === 'line')!;
    expect(marker(at(150))).toMatchObject({ x1: (100 / 150) * barW, lineColor: CHART_COLORS.target });
    expect(rects(at(0), '#1E7B34')).toHaveLength(0);
    const none = at(null);
    expect(rects(none, '#1E7B34')).toHaveLength(0);
    expect(rects(none, CHART_COLORS.track)).toHaveLength(1);
    expect(none.labels.map((l) => l.text)).toContain('no data');
    expect(at(240).labels.find((l) => l.bold)).toMatchObject({ text: '240%', color: '#1E7B34', anchor: 'end', x: 150 });
    for (const p of [0, 90, 100, 240, -5, null]) expectInsideBox(at(p));
  });

  it('disaggregation: share segments in palette order, as wide as their share; percent bars on a 0–100 track', () => {
    const share = disaggregationChart({ groups: [{ label: 'Sex', parts: [{ category: 'Male', value: 30 }, { category: 'Female', value: 10 }] }], mode: 'share', format: fmt, width: 165 });
    const segments = rects(share).filter((r) => r.h === 8);
    expect(segments.map((s) => s.color)).toEqual(SERIES_PALETTE.slice(0, 2));
    expect(segments[0]!.w).toBeCloseTo(125 * 0.75, 6);
    expect(segments[1]!.x).toBeCloseTo(segments[0]!.x + segments[0]!.w, 6);
    expect(share.labels.map((l) => l.text)).toEqual(['Sex', 'Male 30 (75%)', 'Female 10 (25%)']);
    const percent = disaggregationChart({ groups: [{ label: 'Sex', parts: [{ category: 'Male', value: 80 }, { category: 'Female', value: 40 }] }], mode: 'percent', format: fmt, width: 165 });
    const [trackM, fillM, trackF, fillF] = rects(percent);
    expect([trackM!.color, fillM!.color]).toEqual([CHART_COLORS.track, CHART_COLORS.actual]);
    expect(fillM!.w / trackM!.w).toBeCloseTo(0.8, 6);
    expect(fillF!.w / trackF!.w).toBeCloseTo(0.4, 6);
    expectInsideBox(share);
    expectInsideBox(percent);
  });

  it('draws nothing outside the chart box, whatever the values (no NaN either)', () => {
    const value = fc.option(fc.double({ min: -1e6, max: 1e9, noNaN: true }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.record({ actual: value, target: value }), { maxLength: 20 }), fc.integer({ min: 80, max: 260 }), (ps, width) => {
        expectInsideBox(trendChart({ points: ps.map((p, i) => ({ ...p, label: `P${i}` })), format: fmt, width }));
        expectInsideBox(progressBarChart({ percent: ps[0]?.actual ?? null, color: '#000000', width }));
      }),
      { numRuns: 150 },
    );
    const part = fc.record({ category: fc.string({ maxLength: 30 }), value: fc.double({ min: -10, max: 1e6, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(fc.record({ label: fc.string({ maxLength: 20 }), parts: fc.array(part, { maxLength: 12 }) }), { maxLength: 4 }), fc.constantFrom('share' as const, 'percent' as const), (groups, mode) => {
        expectInsideBox(disaggregationChart({ groups, mode, format: fmt, width: 165 }));
      }),
      { numRuns: 150 },
    );
  });
});

describe('chartContent', () => {
  const chart = () => trendChart({ points: points([5, 10], [8, 8]), format: fmt });

  it('is a canvas plus text labels, fresh on every call, and findable in a definition', () => {
    const c = chart();
    const a = chartContent(c) as { unbreakable: boolean; columns: Array<{ width: number; stack: Array<{ canvas?: Mark[]; text?: unknown }> }> };
    expect(a.unbreakable).toBe(true);
    expect(a.columns[0]!.width).toBe(c.width);
    const [canvas, ...labels] = a.columns[0]!.stack;
    expect(canvas!.canvas).toHaveLength(c.marks.length);
    expect(labels.map((l) => l.text)).toEqual(c.labels.map((l) => l.text));
    (canvas!.canvas![0] as { x1: number }).x1 += 100; // pdfmake moves shapes in place
    expect(chartContent(c)).toEqual(chartContent(chart()));
    expect(chartBehind(a)).toBe(c);
    expect(chartBehind({ canvas: [] })).toBeUndefined();
  });

  it('puts Arabic labels through the bidi pass (Arabic font runs), Latin ones as plain strings', () => {
    const c = disaggregationChart({ groups: [{ label: 'Location', parts: [{ category: 'طرابلس', value: 3 }, { category: 'Sabha', value: 1 }] }], mode: 'percent', format: fmt });
    const texts = (chartContent(c) as { columns: Array<{ stack: Array<{ text?: unknown }> }> }).columns[0]!.stack.slice(1).map((l) => l.text);
    expect(texts).toContainEqual([{ text: 'طرابلس', font: ARABIC_FONT }]);
    expect(texts).toContain('Sabha');
  });
});

/** 2 pixels per pt. */
const DPI = 144;
const px = (pt: number) => Math.round((pt * DPI) / 72);

describe('charts on the page (pdftoppm)', () => {
  const M = 20; // page margin, pt
  const progress = progressBarChart({ percent: 75, color: '#1E7B34', width: 150 });
  // Targets well above the bars, so that no dashed line touches a bar's top edge.
  const trend = trendChart({ points: points([18, 30, 36, 12, 45, 27], [70, 70, 70, null, 70, 70]), format: fmt, width: 170 });
  const share = disaggregationChart({ groups: [{ label: 'Sex', parts: [{ category: 'Male', value: 20 }, { category: 'Female', value: 16 }] }, { label: 'Location', parts: ['Tripoli', 'Benghazi', 'Sabha', 'Misrata'].map((category, i) => ({ category, value: 10 + i })) }], mode: 'share', format: fmt, width: 165 });
  const charts = [progress, trend, share];
  const tops = charts.map((_, i) => M + charts.slice(0, i).reduce((h, c) => h + c.height, 0));
  const page = (node: (c: Chart) => object): TDocumentDefinitions => ({
    pageSize: { width: 170 + 2 * M, height: tops.at(-1)! + share.height + M },
    pageMargins: [M, M, M, M],
    content: charts.map(node) as Content[],
  });
  let canvasPage: Raster;
  let svgPage: Raster;

  beforeAll(async () => {
    canvasPage = pdfPages(await renderPdfDocument(page((c) => chartContent(c) as object)), { dpi: DPI })[0]!;
    svgPage = pdfPages(await renderPdfDocument(page((c) => ({ svg: chartSvg(c) }))), { dpi: DPI })[0]!;
  });

  it('draws each bar of the trend where the geometry says, in the actual colour, with white between bars', () => {
    const top = tops[1]!;
    const bars = rects(trend, CHART_COLORS.actual).filter((r) => r.y >= 12);
    expect(bars).toHaveLength(6);
    for (const [i, bar] of bars.entries()) {
      const cx = M + bar.x + bar.w / 2;
      expect(colorDistance(pixel(canvasPage, px(cx), px(top + bar.y + bar.h / 2)), CHART_COLORS.actual)).toBeLessThan(24);
      // The bar's top edge, scanning up its middle from the baseline: within a pixel of the geometry.
      let y = px(top + bar.y + bar.h) - 2;
      while (colorDistance(pixel(canvasPage, px(cx), y - 1), CHART_COLORS.actual) < 60) y--;
      expect(Math.abs(y - px(top + bar.y))).toBeLessThanOrEqual(1);
      if (i > 0) expect(pixel(canvasPage, px(M + (bars[i - 1]!.x + bar.x + bars[i - 1]!.w) / 2), px(top + bar.y + bar.h) - 2)).toBe('#FFFFFF');
    }
  });

  it('fills the progress bar with the status colour up to the share, then the track', () => {
    const fill = rects(progress, '#1E7B34')[0]!;
    const y = px(tops[0]! + fill.y + fill.h / 2);
    expect(colorDistance(pixel(canvasPage, px(M + fill.w / 2), y), '#1E7B34')).toBeLessThan(24);
    expect(colorDistance(pixel(canvasPage, px(M + (fill.w + 116) / 2), y), CHART_COLORS.track)).toBeLessThan(12);
    // The percent label, right of the bar: not blank.
    expect(inkShare(canvasPage, { x: px(M + 120), y: px(tops[0]! + 4), w: px(30), h: px(9) })).toBeGreaterThan(0.05);
  });

  it('stacks the disaggregation segments in the palette colours', () => {
    for (const seg of rects(share).filter((r) => r.h === 8)) {
      const i = SERIES_PALETTE.indexOf(seg.color);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(colorDistance(pixel(canvasPage, px(M + seg.x + seg.w / 2), px(tops[2]! + seg.y + 4)), seg.color)).toBeLessThan(24);
    }
  });

  it('leaves the page margins blank (nothing outside the chart boxes) and has ink inside every box', () => {
    const { width, height } = canvasPage;
    const m = px(M) - 2;
    for (const strip of [{ x: 0, y: 0, w: width, h: m }, { x: 0, y: height - m, w: width, h: m }, { x: 0, y: 0, w: m, h: height }, { x: width - m, y: 0, w: m, h: height }]) {
      expect(inkShare(canvasPage, strip)).toBe(0);
    }
    for (const [i, c] of charts.entries()) expect(inkShare(canvasPage, { x: px(M), y: px(tops[i]!), w: px(c.width), h: px(c.height) })).toBeGreaterThan(0.05);
  });

  it('looks like the same charts drawn from SVG: under 0.5% of the pixels differ', () => {
    expect(differingShare(canvasPage, svgPage)).toBeLessThan(0.005);
  });
});

describe('charts in a rendered report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rbm-charts-'));
  const model = sampleReportModel('final');

  it('prints the chart labels as text and draws the bars of every trend', async () => {
    const pdf = await renderReportPdf(model);
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Progress charts');
    expect(text).toMatch(/Actual\s+Target/);
    expect(text).toContain('Male 20 (56%)');
    // Each trend's legend word "Actual" tells where the chart is: bars of the actual colour below it.
    const bbox = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' }).split('<page ').slice(1);
    const rasters = pdfPages(pdf, { dpi: DPI });
    let trends = 0;
    for (const [p, page] of bbox.entries()) {
      // (Not the caption "Actual vs target by period" above it.)
      for (const m of page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">Actual<\/word>(?!\s*<word [^>]*>vs<)/g)) {
        trends++;
        const plot = { x: px(Number(m[1]) - 9.5), y: px(Number(m[2]) + 10), w: px(166), h: px(40) };
        let blue = 0;
        for (let row = plot.y; row < plot.y + plot.h; row++) for (let col = plot.x; col < plot.x + plot.w; col++) if (colorDistance(pixel(rasters[p]!, col, row), CHART_COLORS.actual) < 24) blue++;
        expect(blue).toBeGreaterThan(50);
      }
    }
    expect(trends).toBe(model.sections.flatMap((s) => s.rows).filter((r) => r.type === 'count' || r.type === 'percentage').length);
  });

  it('has the chart drawings the template asks for: progress and trend per charted indicator, disaggregation where reported', () => {
    const doc = buildPdfDocument(model);
    const found: Chart[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object' && !(n instanceof Date)) {
        const c = chartBehind(n);
        if (c) found.push(c);
        else Object.values(n).forEach(walk);
      }
    };
    walk(doc.content);
    // Per charted indicator: progress bar and trend, plus the disaggregation when it has one.
    const charted = model.sections.flatMap((s) => s.rows).filter((r) => r.type === 'count' || r.type === 'percentage');
    expect(found).toHaveLength(charted.length * 2 + charted.filter((r) => r.disaggregation.length).length);
  });
});
