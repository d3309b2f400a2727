/** The body of a PDF render thread: receives plain-JSON models, answers with the PDF bytes. */
import { parentPort } from 'node:worker_threads';
import type { ReportModel } from '../../domain/report-model.js';
import type { MissionOverviewModel } from '../../domain/rollup.js';
import { buildMissionDocument } from './mission-document.js';
import { buildPdfDocument, renderPdfDocument, renderReportPdf } from './render-pdf.js';

/** `floor`: build the definition untimed, then time pdfmake alone laying it out (the benchmark's floor). */
export type PdfJob = { id: number; kind: 'report'; model: ReportModel } | { id: number; kind: 'floor'; model: ReportModel } | { id: number; kind: 'mission'; model: MissionOverviewModel };
export type PdfAnswer = { id: number; ok: true; pdf: Uint8Array; ms: number } | { id: number; ok: false; error: string };

if (!parentPort) throw new Error('pdf-worker-main must run in a worker thread');
const port = parentPort;
port.on('message', async (job: PdfJob) => {
  let t0 = performance.now();
  try {
    let pdf: Buffer;
    if (job.kind === 'floor') {
      const doc = buildPdfDocument(job.model);
      t0 = performance.now();
      pdf = await renderPdfDocument(doc);
    } else if (job.kind === 'report') pdf = await renderReportPdf(job.model);
    else pdf = await renderPdfDocument(buildMissionDocument(job.model));
    const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    const answer: PdfAnswer = { id: job.id, ok: true, pdf: bytes, ms: performance.now() - t0 };
    port.postMessage(answer, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    const answer: PdfAnswer = { id: job.id, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
    port.postMessage(answer);
  }
});
port.postMessage({ ready: true });
