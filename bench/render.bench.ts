/**
 * Rendering: one large project report (80 indicators, 12 quarters, disaggregated by sex, age group and
 * 10 locations) to Excel and to PDF, the mission overview over 25 projects, and — in the same run —
 * the time pdfmake alone takes to lay out the finished document definition (the floor the PDF is
 * compared with). Peak RSS is sampled across the whole run.
 */
import { performance } from 'node:perf_hooks';
import { renderMissionWorkbook } from '../render/excel/mission-workbook.js';
import { renderReportWorkbook } from '../render/excel/render-workbook.js';
import { closePdfPool, measurePdfmakeFloor, renderPdfOffThread } from '../render/pdf/pool.js';
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

    const figures: Figure[] = [
      { name: 'large report: Excel ITT (80 indicators x 12 periods)', value: best(excel), unit: 'ms' },
      { name: 'large report: PDF, in the render thread', value: pdf, unit: 'ms' },
      { name: 'large report: pdfmake alone on the finished definition (floor)', value: floor, unit: 'ms' },
      { name: 'large report: PDF / floor', value: pdf / floor, unit: 'x' },
      { name: 'large report: PDF / floor, medians', value: median(pdfRuns) / median(floorRuns), unit: 'x' },
      { name: 'large report: PDF pages', value: pages, unit: 'pages' },
      { name: 'large report: floor per page', value: floor / Math.max(1, pages), unit: 'ms' },
      { name: 'mission overview, 25 projects: roll-up + Excel + PDF', value: best(mission), unit: 'ms' },
      { name: 'mission overview: PDF pages', value: missionPages, unit: 'pages' },
      { name: 'peak RSS of the process (main thread + render thread)', value: peakRss / 2 ** 20, unit: 'MB' },
    ];
    return figures;
  },
};
export default bench;
