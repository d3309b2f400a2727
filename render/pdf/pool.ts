/**
 * PDFs are laid out in worker threads: pdfmake is synchronous and holds the event loop for hundreds of
 * milliseconds per document, and the Temporal worker (heartbeats, other activities) and the web must
 * keep answering meanwhile.
 *
 * A small hand-made pool (RBM_PDF_THREADS, default 1; 0 renders in this thread) of long-lived threads,
 * started on first use. A job carries the plain-JSON model (never functions: the document definition,
 * with its header/footer callbacks, is built in the thread); the answer's bytes are transferred, not copied.
 * Idle threads are unref'd, so they never keep a command from exiting.
 */
import { Worker } from 'node:worker_threads';
import type { ReportModel } from '../../domain/report-model.js';
import type { MissionOverviewModel } from '../../domain/rollup.js';
import type { PdfAnswer, PdfJob } from './pdf-worker-main.js';

type JobInput = { kind: 'report'; model: ReportModel } | { kind: 'floor'; model: ReportModel } | { kind: 'mission'; model: MissionOverviewModel };
interface Pending {
  job: PdfJob;
  resolve(pdf: Buffer, ms: number): void;
  reject(e: Error): void;
}
interface Thread {
  worker: Worker;
  ready: Promise<void>;
  busy: Pending | null;
}

const ENTRY = new URL('./pdf-worker.js', import.meta.url);
const HEAP_MB = Number(process.env['RBM_PDF_THREAD_HEAP_MB'] ?? 256);

export function pdfThreadCount(): number {
  const raw = process.env['RBM_PDF_THREADS'];
  const n = raw === undefined || raw === '' ? 1 : Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 8 ? n : 1;
}

class PdfPool {
  private threads: Thread[] = [];
  private queue: Pending[] = [];
  private nextId = 1;

  constructor(private readonly size: number) {}

  run(input: JobInput): Promise<{ pdf: Buffer; ms: number }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...input, id: this.nextId++ } as PdfJob, resolve: (pdf, ms) => resolve({ pdf, ms }), reject });
      this.dispatch();
    });
  }

  private spawn(): Thread {
    // A modest heap: V8 then collects pdfmake's garbage between documents instead of letting the
    // thread grow to hundreds of MB (a 25-page report needs well under this).
    const worker = new Worker(ENTRY, { name: 'rbm-pdf', resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 32 } });
    let markReady!: () => void;
    const thread: Thread = { worker, busy: null, ready: new Promise<void>((r) => (markReady = r)) };
    worker.on('message', (msg: PdfAnswer | { ready: true }) => {
      if ('ready' in msg) return markReady();
      const pending = thread.busy;
      thread.busy = null;
      worker.unref();
      if (pending && pending.job.id === msg.id) {
        if (msg.ok) pending.resolve(Buffer.from(msg.pdf.buffer, msg.pdf.byteOffset, msg.pdf.byteLength), msg.ms);
        else pending.reject(new Error(`PDF render thread: ${msg.error}`));
      }
      this.dispatch();
    });
    const fail = (e: Error) => {
      this.threads = this.threads.filter((t) => t !== thread);
      const pending = thread.busy;
      thread.busy = null;
      pending?.reject(e);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`PDF render thread exited with code ${code}`)));
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private dispatch(): void {
    while (this.queue.length) {
      let thread = this.threads.find((t) => !t.busy);
      if (!thread && this.threads.length < this.size) thread = this.spawn();
      if (!thread) return;
      const pending = this.queue.shift()!;
      thread.busy = pending;
      thread.worker.ref();
      const t = thread;
      void t.ready.then(() => t.worker.postMessage(pending.job));
    }
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

let pool: PdfPool | null = null;

/** Renders in the pool, or in this thread when RBM_PDF_THREADS=0. */
export async function renderPdfOffThread(input: { kind: 'report'; model: ReportModel } | { kind: 'mission'; model: MissionOverviewModel }): Promise<Buffer> {
  const size = pdfThreadCount();
  if (size === 0) {
    const { renderReportPdf, renderPdfDocument } = await import('./render-pdf.js');
    if (input.kind === 'report') return renderReportPdf(input.model);
    const { buildMissionDocument } = await import('./mission-document.js');
    return renderPdfDocument(buildMissionDocument(input.model));
  }
  pool ??= new PdfPool(size);
  return (await pool.run(input)).pdf;
}

/** Benchmark: in a render thread, the ms pdfmake alone takes to lay out the model's finished definition. */
export async function measurePdfmakeFloor(model: ReportModel): Promise<number> {
  pool ??= new PdfPool(Math.max(1, pdfThreadCount()));
  return (await pool.run({ kind: 'floor', model })).ms;
}

/** Stops the render threads (tests, shutdown); the next render starts them again. */
export async function closePdfPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.close();
}
