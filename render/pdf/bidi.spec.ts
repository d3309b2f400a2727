import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleReportModel } from '../../test/fixtures/sample-report.js';
import { ARABIC_FONT, LATIN_FONT, baseDirection, visualRuns, wrapBidiParagraph } from './bidi.js';
import { renderReportPdf } from './render-pdf.js';

/** pdftotext marks direction with embedding controls (LRE, RLE, PDF...): drop them, keep the text. */
const stripControls = (s: string) => s.replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '');
const squash = (s: string) => stripControls(s).replace(/\s+/g, ' ').trim();

const SENTENCE = 'درب المشروع 36 موظفا في سبها.'; // "The project trained 36 officials in Sabha."

describe('visualRuns', () => {
  it('leaves Latin text alone', () => {
    expect(visualRuns('Trained 36 officials.')).toEqual([{ text: 'Trained 36 officials.', font: LATIN_FONT }]);
  });

  it('orders an Arabic sentence right to left: words reversed, digits and punctuation in place', () => {
    expect(baseDirection(SENTENCE)).toBe('rtl');
    const runs = visualRuns(SENTENCE);
    // Left to right on the page: the final full stop, then the last word ... the first word at the right.
    expect(runs.map((r) => r.text)).toEqual(['.', 'سبها', ' ', 'في', ' ', 'موظفا', ' 36 ', 'المشروع', ' ', 'درب']);
    // Arabic words keep their logical letter order (fontkit shapes and reverses each word itself).
    expect(runs.filter((r) => r.font === ARABIC_FONT).map((r) => r.text)).toEqual(['سبها', 'في', 'موظفا', 'المشروع', 'درب']);
    expect(runs.filter((r) => r.font === LATIN_FONT).map((r) => r.text.trim()).filter(Boolean)).toEqual(['.', '36']);
  });

  it('mirrors brackets on right-to-left levels and keeps embedded Latin left to right', () => {
    const runs = visualRuns('مشروع (IOM 2025) في ليبيا');
    const visual = runs.map((r) => r.text).join('');
    expect(visual).toContain('(IOM 2025)');
    expect(visual.indexOf('ليبيا')).toBeLessThan(visual.indexOf('مشروع'));
  });

  it('wraps a long paragraph with its first words on the first line', () => {
    const long = Array.from({ length: 8 }, (_, i) => `الجملة ${i + 1} عن المشروع.`).join(' ');
    const { direction, lines } = wrapBidiParagraph(long, 200, 10);
    expect(direction).toBe('rtl');
    expect(lines.length).toBeGreaterThan(1);
    const first = lines[0]!.map((r) => r.text).join('');
    expect(first).toContain(' 1 ');
    expect(first).not.toContain(' 8 ');
  });
});

describe('Arabic in the PDF', () => {
  // A narrative section in Arabic, on its own page. pdftotext picks a page's reading direction from the
  // majority of its characters; on a page of English text it cannot order an Arabic line back (a reader
  // tool's limit, not the page's: pdftoppm shows the line right), so the page here is mostly Arabic.
  const PARAGRAPH = [
    SENTENCE,
    'وعقدت ورشة عمل مع السلطات المحلية في طرابلس وبنغازي.',
    'وتواصل المنظمة دعم السلطات الوطنية في إعداد سياسات الهجرة.',
    'ونشرت الدراسة الهيكلية حول إدارة الهجرة في ليبيا.',
  ].join(' ');

  it('comes out of pdftotext in logical order, with the number and the full stop in place', async () => {
    const model = sampleReportModel('final');
    model.meta.project = { ...model.meta.project, title: 'تعزيز إدارة الهجرة في ليبيا' };
    model.layout.sections = [
      ...model.layout.sections.filter((s) => s.kind !== 'approvals'),
      { kind: 'narrative', key: 'challenges', title: 'التحديات', text: PARAGRAPH },
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'rbm-bidi-')), 'ar.pdf');
    writeFileSync(file, await renderReportPdf(model));
    const pages = stripControls(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).split('\f');
    const narrativePage = squash(pages.find((p) => p.includes('التحديات')) ?? '');
    // pdftotext writes the spaces beside a digit or punctuation run on the wrong side of it ("سبها .وعقدت"
    // for "سبها. وعقدت"): compare without the spaces around those runs; spaces between words must match.
    const tight = (s: string) => s.replace(/\s*([0-9.]+)\s*/g, '$1');
    expect(tight(narrativePage)).toContain(tight(PARAGRAPH));
    expect(tight(narrativePage)).toContain('درب المشروع36موظفا في سبها.وعقدت ورشة عمل');
    // The project name (an Arabic title in the running header) reads in logical order too.
    expect(narrativePage).toContain('تعزيز إدارة الهجرة في ليبيا');
    // The Arabic font is embedded (subset) beside Roboto.
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts).toMatch(/Amiri/);
    expect(fonts.split('\n').filter((l) => /Amiri|Roboto/.test(l)).every((l) => /\byes\b/.test(l))).toBe(true);
  }, 60_000);
});
