import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleReportModel } from '../../test/fixtures/sample-report.js';
import { disaggregationSvg, escapeXml, progressBarSvg, trendSvg } from './charts.js';
import { buildPdfDocument, renderReportPdf } from './render-pdf.js';

// The XML parser pdfmake itself uses for `svg` nodes: "valid" means pdfmake will accept it.
const requireFromPdfmake = createRequire(createRequire(import.meta.url).resolve('pdfmake/package.json'));
const { XmlDocument } = requireFromPdfmake('xmldoc') as {
  XmlDocument: new (xml: string) => { name: string; attr: Record<string, string>; toString(): string; descendantWithPath(p: string): unknown };
};

function parseSvg(svg: string) {
  const doc = new XmlDocument(svg);
  expect(doc.name).toBe('svg');
  expect(Number(doc.attr['width'])).toBeGreaterThan(0);
  expect(Number(doc.attr['height'])).toBeGreaterThan(0);
  return doc;
}

describe('charts', () => {
  const fmt = (v: number) => String(v);

  it('escapes XML special characters', () => {
    expect(escapeXml(`<b>"Tom" & 'Jerry'</b>`)).toBe('&lt;b&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/b&gt;');
  });

  it('draws a progress bar, with or without data, capped on overachievement', () => {
    for (const percent of [0, 90, 100, 240, null]) {
      const svg = progressBarSvg({ percent, color: '#1E7B34' });
      parseSvg(svg);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
    expect(progressBarSvg({ percent: null, color: '#000' })).toContain('no data');
    expect(progressBarSvg({ percent: 240, color: '#000' })).toContain('240%');
  });

  it('draws a trend with gaps, all-null and single-period series', () => {
    const cases = [
      [{ label: 'Q1', actual: 18, target: 20 }, { label: 'Q2', actual: null, target: 30 }, { label: 'Q3', actual: 36, target: null }],
      [{ label: 'Q1', actual: null, target: null }],
      [],
      Array.from({ length: 16 }, (_, i) => ({ label: `Q${(i % 4) + 1}`, actual: i * 3, target: 40 })),
    ];
    for (const points of cases) {
      const svg = trendSvg({ points, format: fmt });
      parseSvg(svg);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
  });

  it('escapes data text put into a chart', () => {
    const evil = `<script>alert("x")</script> & 'co'`;
    for (const mode of ['share', 'percent'] as const) {
      const svg = disaggregationSvg({ groups: [{ label: 'Location', parts: [{ category: evil, value: 3 }, { category: 'Tripoli', value: 0 }] }], mode, format: fmt, width: 400 });
      expect(svg).not.toContain('<script>');
      expect(parseSvg(svg).toString()).toContain('&lt;script&gt;');
    }
    const trend = trendSvg({ points: [{ label: '<Q1>', actual: 1, target: 1 }], format: () => '&' });
    expect(trend).toContain('&lt;Q1&gt;');
    parseSvg(trend);
  });
});

describe('buildPdfDocument', () => {
  it('watermarks everything but the final, and builds a fresh definition per call', () => {
    expect(buildPdfDocument(sampleReportModel('draft')).watermark).toMatchObject({ text: 'DRAFT' });
    expect(buildPdfDocument(sampleReportModel('preview')).watermark).toMatchObject({ text: 'DRAFT' });
    expect(buildPdfDocument(sampleReportModel('final')).watermark).toBeUndefined();
    const model = sampleReportModel('final');
    expect(buildPdfDocument(model)).not.toBe(buildPdfDocument(model));
  });
});

describe('renderReportPdf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rbm-pdf-'));
  const out: Record<'draft' | 'final', { file: string; layout: string; plain: string; pages: number }> = {} as never;
  const pdftotext = (args: string[]) => execFileSync('pdftotext', [...args, '-'], { encoding: 'utf8' });

  beforeAll(async () => {
    for (const status of ['draft', 'final'] as const) {
      const file = join(dir, `${status}.pdf`);
      writeFileSync(file, await renderReportPdf(sampleReportModel(status)));
      const layout = pdftotext(['-layout', file]);
      out[status] = { file, layout, plain: pdftotext([file]).replace(/\s+/g, ' '), pages: layout.split('\f').filter((p) => p.trim()).length };
    }
  });

  /** The diagonal watermark comes out of pdftotext in pieces ("DR", "AF", "T"): join each page's large words. */
  function watermarkPerPage(file: string): string[] {
    const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
    return html
      .split('<page ')
      .slice(1)
      .map((page) =>
        [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)]
          .filter((m) => Number(m[3]) - Number(m[2]) > 40) // only the watermark is that tall
          .sort((a, b) => Number(a[1]) - Number(b[1]))
          .map((m) => m[4])
          .join(''),
      );
  }

  it('prints the project, period and every indicator', () => {
    const model = sampleReportModel('draft');
    const { layout, plain } = out.draft;
    expect(layout).toContain('International Organization for Migration (IOM) — Libya');
    expect(layout).toContain(model.meta.project.title);
    expect(layout).toContain(model.meta.periodLabel);
    expect(layout).toContain('LY10P0542');
    expect(layout).toContain('PO.0185');
    expect(layout).toContain('Demo Donor Agency (illustrative)');
    for (const row of model.sections.flatMap((s) => s.rows)) expect(plain).toContain(row.title);
    for (const section of model.sections) expect(plain).toContain(section.title);
  });

  it('prints the figures of OP1.2.a on its row: baseline, target, actual, cumulative, LoP, % achieved, status', () => {
    expect(out.draft.layout).toMatch(/OP1\.2\.a\s+Officials trained\s+0\s+40\s+36\s+84\s+120\s+90%\s+On track/);
    expect(out.final.layout).toMatch(/OP1\.2\.a\s+Officials trained\s+0\s+40\s+36\s+84\s+120\s+90%\s+On track/);
  });

  it('formats per indicator type', () => {
    const { layout, plain } = out.draft;
    expect(layout).toMatch(/OP1\.2\.b\s+Trained officials passing the\s+50\.0%\s+75\.0%\s+75\.0%\s+73\.3%\s+75\.0%\s+100%\s+On track/);
    expect(layout).toMatch(/OP1\.1\.a\s+Migration governance analysis\s+No\s+Yes\s+Yes\s+Yes\s+Yes\s+100%\s+On track/);
    expect(plain).toContain('The study visit to a champion country showed how labour migration agreements are negotiated.');
  });

  it('prints narrative markup literally', () => {
    expect(out.draft.plain).toContain('trained 36 officials & published its analysis <b>on time</b>.');
  });

  it('watermarks every draft page with DRAFT and never the final', () => {
    const draftPages = watermarkPerPage(out.draft.file);
    expect(draftPages).toHaveLength(out.draft.pages);
    expect(draftPages.every((w) => w === 'DRAFT')).toBe(true);
    expect(watermarkPerPage(out.final.file).every((w) => w === '')).toBe(true);
    expect(out.final.layout).not.toContain('DRAFT');
  });

  it('lists approvals on the final only', () => {
    expect(out.final.layout).toContain('Approvals');
    expect(out.final.layout).toContain('Amira Project-Manager');
    expect(out.final.layout).toContain('Approved for submission.');
    expect(out.draft.layout).not.toContain('Amira Project-Manager');
  });

  it('numbers every page but the cover', () => {
    for (const { layout, pages } of Object.values(out)) {
      expect(pages).toBeGreaterThanOrEqual(4);
      const [cover, ...rest] = layout.split('\f');
      expect(cover).not.toMatch(/Page \d+ of/);
      rest.filter((p) => p.trim()).forEach((page, i) => expect(page).toContain(`Page ${i + 2} of ${pages}`));
    }
  });

  it('is deterministic: same model, same bytes', async () => {
    const model = sampleReportModel('final');
    const [a, b] = await Promise.all([renderReportPdf(model), renderReportPdf(model)]);
    expect(a.equals(b)).toBe(true);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
