/**
 * PDF donor report: lays out `buildPdfDocument(model)` with pdfmake 0.3 (server side) and returns the bytes.
 *
 * pdfmake 0.3's Node entry exports one shared instance whose fonts and access policies are
 * process-global: we (re)set them before each render, cheaply, so that another user of pdfmake in the
 * process cannot leave us with its settings. Fonts are the Roboto TTFs shipped with pdfmake, read
 * from disk; no URL may be fetched and no other local file read.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import pdfmake from 'pdfmake';
import type { TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { ReportModel } from '../../domain/report-model.js';
import { buildPdfDocument } from './document.js';

export { buildPdfDocument };

const fontDir = join(dirname(createRequire(import.meta.url).resolve('pdfmake/package.json')), 'fonts', 'Roboto');

function configurePdfmake(): void {
  pdfmake.setFonts({
    Roboto: {
      normal: join(fontDir, 'Roboto-Regular.ttf'),
      bold: join(fontDir, 'Roboto-Medium.ttf'),
      italics: join(fontDir, 'Roboto-Italic.ttf'),
      bolditalics: join(fontDir, 'Roboto-MediumItalic.ttf'),
    },
  });
  // Without explicit policies pdfmake warns on every createPdf and would fetch any URL in a definition.
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((path) => path.startsWith(fontDir + sep));
}

/** Lays out and writes a document definition: pdfmake's share of the work, e.g. for a benchmark. Consumes `doc`. */
export async function renderPdfDocument(doc: TDocumentDefinitions): Promise<Buffer> {
  configurePdfmake();
  return pdfmake.createPdf(doc).getBuffer();
}

export async function renderReportPdf(model: ReportModel): Promise<Buffer> {
  return renderPdfDocument(buildPdfDocument(model));
}
