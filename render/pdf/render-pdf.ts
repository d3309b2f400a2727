/**
 * PDF donor report: lays out `buildPdfDocument(model)` with pdfmake 0.3 (server side) and returns the bytes.
 *
 * pdfmake 0.3's Node entry exports one shared instance whose fonts and access policies are
 * process-global: we (re)set them before each render, cheaply, so that another user of pdfmake in the
 * process cannot leave us with its settings. Fonts are the Roboto TTFs shipped with pdfmake and Amiri for Arabic, read
 * from disk; no URL may be fetched and no other local file read.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import pdfmake from 'pdfmake';
import type { TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { ReportModel } from '../../domain/report-model.js';
import { ARABIC_FONT } from './bidi.js';
import { buildPdfDocument } from './document.js';

export { buildPdfDocument };

const requireHere = createRequire(import.meta.url);
const fontDir = join(dirname(requireHere.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
/**
 * Amiri (SIL OFL) from @fontsource: WOFF files, which fontkit reads and pdfkit subsets and embeds.
 * Not Noto Sans/Naskh Arabic: those decompose dotted letters into a shared skeleton glyph plus dots,
 * so pdfkit's ToUnicode map gives ز as ر, ط as ظ, and copied or extracted text comes out wrong.
 */
const arabicDir = join(dirname(requireHere.resolve('@fontsource/amiri/package.json')), 'files');
const arabic = (weight: 400 | 700) => join(arabicDir, `amiri-arabic-${weight}-normal.woff`);

function configurePdfmake(): void {
  pdfmake.setFonts({
    Roboto: {
      normal: join(fontDir, 'Roboto-Regular.ttf'),
      bold: join(fontDir, 'Roboto-Medium.ttf'),
      italics: join(fontDir, 'Roboto-Italic.ttf'),
      bolditalics: join(fontDir, 'Roboto-MediumItalic.ttf'),
    },
    [ARABIC_FONT]: { normal: arabic(400), bold: arabic(700), italics: arabic(400), bolditalics: arabic(700) },
  });
  // Without explicit policies pdfmake warns on every createPdf and would fetch any URL in a definition.
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((path) => path.startsWith(fontDir + sep) || path.startsWith(arabicDir + sep));
}

/** Lays out and writes a document definition: pdfmake's share of the work, e.g. for a benchmark. Consumes `doc`. */
export async function renderPdfDocument(doc: TDocumentDefinitions): Promise<Buffer> {
  configurePdfmake();
  return pdfmake.createPdf(doc).getBuffer();
}

export async function renderReportPdf(model: ReportModel): Promise<Buffer> {
  return renderPdfDocument(buildPdfDocument(model));
}
