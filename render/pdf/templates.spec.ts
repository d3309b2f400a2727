/** Every shipped template rendered from the demo portfolio: structure, page budget, no orphaned headings. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { demoMissionModel, demoReportModel, largeProject, reportModelFor } from '../../test/fixtures/demo-reports.js';
import { buildMissionDocument } from './mission-document.js';
import { renderPdfDocument, renderReportPdf } from './render-pdf.js';

const text = (pdf: Buffer, layout = true) => execFileSync('pdftotext', [...(layout ? ['-layout'] : []), '-', '-'], { input: pdf, encoding: 'utf8' });
const pagesOf = (pdf: Buffer) => text(pdf).split('\f').filter((p) => p.trim());

/** The last line of content on a page, above the running footer. */
function lastContentLine(page: string): string {
  const lines = page.split('\n').map((l) => l.trim()).filter(Boolean);
  const footer = lines.findIndex((l) => /Page \d+ of \d+/.test(l));
  const content = (footer >= 0 ? lines.slice(0, footer) : lines).filter((l) => !/^(D|R|A|F|T|DR|AF|DRAFT)$/.test(l)); // watermark pieces
  return content[content.length - 1] ?? '';
}
const HEADING = /^(Progress charts|Key figures|Indicators by status.*|Indicators — .*|UNSDCF Output [\d.]+:.*|IOM pillar .*|Summary|Narrative|Approvals|Logframe.*)$/;

describe('shipped templates', () => {
  it('IOM donor report of a large project: no heading is left alone at the bottom of a page', async () => {
    const pdf = await renderReportPdf(reportModelFor(largeProject(), { templateId: 'iom-donor-report', period: '2025-Q4' }));
    const pages = pagesOf(pdf);
    expect(pages.length).toBeGreaterThan(20);
    for (const [i, page] of pages.entries()) expect(lastContentLine(page), `page ${i + 1}`).not.toMatch(HEADING);
    // Tables of every length from 1 to 12 rows, with longer and longer titles: each ends at another
    // height on the page, so one of them lands a heading at the very bottom unless it is kept with the next block.
    const big = largeProject();
    for (let k = 1; k <= 12; k++) {
      const indicators = big.indicators.filter((i) => i.resultCode === 'OP1').slice(0, k).map((i, j) => ({ ...i, title: `${i.title}${' and more'.repeat(j + k)}` }));
      const extra = Array.from({ length: k }, (_, j) => ({ ...big.indicators[(j * 8 + 1) % big.indicators.length]!, resultCode: 'OP1', code: `OP1.x${j}` }));
      const small = await renderReportPdf(reportModelFor({ ...big, indicators: [...indicators, ...extra] }, { templateId: 'iom-donor-report', period: '2025-Q4' }));
      for (const [i, page] of pagesOf(small).entries()) expect(lastContentLine(page), `${k} rows, page ${i + 1}`).not.toMatch(HEADING);
    }
    // Each section's table heading is repeated over its continuation, and the charts heading is followed by a chart.
    expect(text(pdf, false)).toMatch(/Progress charts\s+OP1\.\w/);
  }, 120_000);

  it('EU results report: logframe columns and the comments', { timeout: 60_000 }, async () => {
    const model = demoReportModel('LY10P0542', 'eu-results-report', '2025-Q3', { narrative: { 'indicator:OC1.a': 'Two drafts are with the ministry.' } });
    const plain = text(await renderReportPdf(model), false).replace(/\s+/g, ' ');
    expect(plain).toContain('Results chain / indicator Baseline Target Current value Source of verification Comments');
    expect(plain).toContain('Two drafts are with the ministry.');
    expect(model.layout.columns).toEqual(['baseline', 'lop_target', 'cumulative', 'source_of_verification', 'comments']);
  });

  it('one-page donor summary fits its page budget', { timeout: 60_000 }, async () => {
    for (const code of ['LY10P0542', 'LY10P0551', 'LY10P0570']) {
      const model = demoReportModel(code, 'donor-summary', '2025-Q3', { narrative: { summary: 'A short paragraph of highlights for the donor. '.repeat(6) } });
      expect(model.layout.maxPages).toBe(1);
      expect(pagesOf(await renderReportPdf(model)), code).toHaveLength(1);
    }
  });

  it('mission overview: cover figures, both roll-ups and the projects table', { timeout: 60_000 }, async () => {
    const model = demoMissionModel('2025-Q3');
    const plain = text(await renderPdfDocument(buildMissionDocument(model)), false).replace(/\s+/g, ' ');
    expect(plain).toContain('Achievement by UNSDCF output');
    expect(plain).toContain('Achievement by IOM pillar');
    for (const p of model.rollup.projects) expect(plain).toContain(p.code);
    for (const g of model.rollup.byUnsdcf) expect(plain).toContain(g.title.slice(0, 40));
  });
});
