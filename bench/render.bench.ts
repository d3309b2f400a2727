/**
 * Rendering: one large project report (80 indicators, 12 quarters, disaggregated by sex, age group and
 * 10 locations) to Excel and to PDF, the mission overview over 25 projects, and — in the same run —
 * the time pdfmake alone takes to lay out the finished document definition (the floor the PDF is
 * compared with). Peak RSS is sampled across the whole run.
 *
 * Charts (issue #16, item 5): in this thread, runs alternating, the PDF as it is made (charts drawn as
 * pdfmake canvas + text), the same document with the same charts as `svg` nodes (how they were drawn
 * before), and the floor without charts: pdfmake alone on the definition with the chart drawings left
 * out. Goal: the PDF in at most half the time of the SVG-chart PDF. When poppler's pdftoppm is there,
 * the pages of the two PDFs are compared pixel by pixel (60 dpi).
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { renderMissionWorkbook } from '../render/excel/mission-workbook.js';
import { renderReportWorkbook } from '../render/excel/render-workbook.js';
import { chartBehind, chartSvg, type Chart } from '../render/pdf/charts.js';
import { differingShare, pdfPages } from '../render/pdf/pixels.js';
import { closePdfPool, measurePdfmakeFloor, renderPdfOffThread } from '../render/pdf/pool.js';
import { buildPdfDocument, renderPdfDocument } from '../render/pdf/render-pdf.js';
import type { ReportModel } from '../domain/report-model.js';
import { demoMissionModel, largeProject, reportModelFor, syntheticPortfolio } from '../test/fixtures/demo-reports.js';
import type { Benchmark, Figure } from './run.js';

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;

/**
 * Best of `runs` timed calls after one warm-up: CPU-bound work is only ever slowed down by other load
 * on the machine, so the fastest run is the least disturbed measure (medians are printed beside).
 */
const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** The definition with every chart replaced by what `swap` makes of it (nothing: left out). In place. */
function swapCharts(node: unknown, swap: (chart: Chart) => object | undefined): unknown {
  if (Array.isArray(node)) return node.map((x) => swapCharts(x, swap)).filter((x) => x !== undefined);
  if (node === null || typeof node !== 'object' || node instanceof Date) return node;
  const chart = chartBehind(node);
  if (chart) return swap(chart);
  const o = node as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = swapCharts(o[k], swap);
  return o;
}
const withCharts = (model: ReportModel, swap: (chart: Chart) => object | undefined) => swapCharts(buildPdfDocument(model), swap) as TDocumentDefinitions;
const hasPdftoppm = (): boolean => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Charts in this thread: the PDF, the same with SVG charts, and pdfmake alone without charts; runs alternate. */
async function chartFigures(model: ReportModel, runs: number): Promise<Figure[]> {
  const canvasPdf = () => renderPdfDocument(buildPdfDocument(model)); // as renderReportPdf
  const svgPdf = () => renderPdfDocument(withCharts(model, (c) => ({ svg: chartSvg(c) })));
  const pdfs = [await canvasPdf(), await svgPdf()];
  let chartCount = 0;
  withCharts(model, () => void chartCount++);
  const canvasRuns: number[] = [];
  const svgRuns: number[] = [];
  const bareRuns: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await canvasPdf();
    canvasRuns.push(performance.now() - t0);
    t0 = performance.now();
    await svgPdf();
    svgRuns.push(performance.now() - t0);
    const bare = withCharts(model, () => undefined); // built untimed: the floor is pdfmake alone
    t0 = performance.now();
    await renderPdfDocument(bare);
    bareRuns.push(performance.now() - t0);
  }
  const [canvas, svg, bare] = [best(canvasRuns), best(svgRuns), best(bareRuns)];
  const goal = 0.5;
  const figures: Figure[] = [
    { name: 'charts: chart drawings in the large report', value: chartCount, unit: 'charts' },
    { name: 'charts: PDF, charts as pdfmake canvas (this thread)', value: canvas, unit: 'ms' },
    { name: 'charts: PDF, same charts as SVG nodes (before, this thread)', value: svg, unit: 'ms' },
    { name: 'charts: pdfmake alone, same document without charts (floor)', value: bare, unit: 'ms' },
    { name: 'charts: PDF / SVG-chart PDF (goal <= 0.5)', value: canvas / svg, unit: 'x' },
    { name: 'charts: PDF / SVG-chart PDF, medians', value: median(canvasRuns) / median(svgRuns), unit: 'x' },
    { name: 'charts: PDF / floor without charts', value: canvas / bare, unit: 'x' },
    { name: 'charts: SVG-chart PDF / floor without charts', value: svg / bare, unit: 'x' },
    { name: 'charts: share of the PDF time spent on charts', value: (100 * (canvas - bare)) / canvas, unit: '%' },
    { name: 'charts: share of the SVG-chart PDF time spent on charts', value: (100 * (svg - bare)) / svg, unit: '%' },
    { name: 'charts: goal met (PDF <= 0.5 x SVG-chart PDF)', value: canvas / svg <= goal ? 1 : 0, unit: '1 = yes' },
  ];
  if (hasPdftoppm()) {
    const [a, b] = pdfs.map((p) => pdfPages(p!, { dpi: 60 }));
    const same = a!.length === b!.length;
    const share = same ? a!.reduce((s, page, i) => s + differingShare(page, b![i]!), 0) / a!.length : 1;
    const worst = same ? Math.max(...a!.map((page, i) => differingShare(page, b![i]!))) : 1;
    figures.push(
      { name: 'charts: pixels differing from the SVG-chart PDF (60 dpi)', value: 100 * share, unit: '%' },
      { name: 'charts: pixels differing, worst page', value: 100 * worst, unit: '%' },
    );
  }
  process.stdout.write(
    `  goal: PDF in <= ${goal} x the time with SVG charts: ${(canvas / svg).toFixed(2)} x (${canvas.toFixed(0)} ms vs ${svg.toFixed(0)} ms; ` +
      `floor without charts ${bare.toFixed(0)} ms) — ${canvas / svg <= goal ? 'met' : 'NOT met'}\n`,
  );
  return figures;
}

const bench: Benchmark = {
  title: 'Report rendering (Excel, PDF in a worker thread, mission overview)',
  async run() {
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
    const runs = Number(process.env['BENCH_RUNS'] ?? 5);
    const input = largeProject();
    const model = reportModelFor(input, { templateId: 'iom-donor-report', period: '2025-Q4' });

    const excel = await time(runs, () => renderReportWorkbook(model));
    // The PDF as the activity makes it (plain-JSON model to the render thread, definition built and laid
    // out there), and the floor: pdfmake alone on the finished definition (built beforehand, untimed) in
    // the same thread. Runs alternate, so that load from elsewhere on the machine weighs on both alike.
    await renderPdfOffThread({ kind: 'report', model });
    await measurePdfmakeFloor(model);
    const pdfRuns: number[] = [];
    const floorRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await renderPdfOffThread({ kind: 'report', model });
      pdfRuns.push(performance.now() - t0);
      floorRuns.push(await measurePdfmakeFloor(model));
    }
    const pdf = best(pdfRuns);
    const floor = best(floorRuns);
    const pages = pageCount(await renderPdfOffThread({ kind: 'report', model }));

    // Mission overview over 25 projects: roll-up (domain) + workbook + PDF, end to end from the inputs.
    const projects = syntheticPortfolio(25);
    const mission = await time(Math.max(1, Math.floor(runs / 2)), async () => {
      const m = demoMissionModel('2025-Q3', projects);
      await Promise.all([renderMissionWorkbook(m), renderPdfOffThread({ kind: 'mission', model: m })]);
    });
    const missionPages = pageCount(await renderPdfOffThread({ kind: 'mission', model: demoMissionModel('2025-Q3', projects) }));
    clearInterval(sampler);
    await closePdfPool();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    // After the RSS sample: these runs lay out in this thread, which the figure above does not measure.
    const charts = await chartFigures(model, runs);

    const figures: Figure[] = [
      { name: 'large report: Excel ITT (80 indicators x 12 periods)', value: best(excel), unit: 'ms' },
      { name: 'large report: PDF, in the render thread', value: pdf, unit: 'ms' },
      { name: 'large report: pdfmake alone on the finished definition (floor)', value: floor, unit: 'ms' },
      { name: 'large report: PDF / floor', value: pdf / floor, unit: 'x' },
      { name: 'large report: PDF / floor, medians', value: median(pdfRuns) / median(floorRuns), unit: 'x' },
      { name: 'large report: PDF pages', value: pages, unit: 'pages' },
      { name: 'large report: floor per page', value: floor / Math.max(1, pages), unit: 'ms' },
      ...charts,
      { name: 'mission overview, 25 projects: roll-up + Excel + PDF', value: best(mission), unit: 'ms' },
      { name: 'mission overview: PDF pages', value: missionPages, unit: 'pages' },
      { name: 'peak RSS of the process (main thread + render thread)', value: peakRss / 2 ** 20, unit: 'MB' },
    ];
    return figures;
  },
};
export default bench;
