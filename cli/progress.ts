/**
 * Progress of long work on a terminal: one line on stderr, rewritten in place, then cleared. Nothing
 * when stderr is not a terminal or the command prints JSON (scripts and logs get only the result).
 */
import type { ImportProgress } from '../app/imports.js';

/** What the progress line writes to (process.stderr). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressLine {
  /** Shows `text`, at most every `intervalMs` (the last text is kept for done). */
  update(text: string, force?: boolean): void;
  /** Clears the line. */
  done(): void;
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Reading: "data.csv: 523,000 rows read, 34,867 rows/s, 12 rejected so far (15 s)". Then, while the
 * checks across rows and the merge run: "data.csv: 1,000,000 rows read in 28 s, 12 rejected so far;
 * checking across rows and storing (4 s)".
 */
export function formatImportProgress(file: string, p: ImportProgress, elapsedMs: number, checkingMs = 0): string {
  const seconds = elapsedMs / 1000;
  if (p.stage === 'checking') {
    return `${file}: ${thousands(p.rowsRead)} rows read in ${Math.floor(seconds)} s, ${thousands(p.rejected)} rejected so far; checking across rows and storing (${Math.floor(checkingMs / 1000)} s)`;
  }
  const rate = seconds > 0 ? p.rowsRead / seconds : 0;
  return `${file}: ${thousands(p.rowsRead)} rows read, ${thousands(rate)} rows/s, ${thousands(p.rejected)} rejected so far (${Math.floor(seconds)} s)`;
}

/** The progress of `rbm import FILE` on a terminal: onProgress for importFile, done() before the summary. */
export function importProgress(stream: ProgressStream, opts: { enabled: boolean; file: string; now?: () => number }): { onProgress(p: ImportProgress): void; done(): void } {
  const now = opts.now ?? Date.now;
  const line = progressLine(stream, { enabled: opts.enabled, now });
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  return {
    onProgress(p) {
      if (p.stage === 'reading') return line.update(formatImportProgress(opts.file, p, now() - started));
      const readIn = now() - started;
      const checking = now();
      const show = () => line.update(formatImportProgress(opts.file, p, readIn, now() - checking), true);
      show();
      if (opts.enabled && stream.isTTY && !timer) {
        timer = setInterval(show, 1000);
        timer.unref();
      }
    },
    done() {
      if (timer) clearInterval(timer);
      line.done();
    },
  };
}

/** A progress line when `enabled` and the stream is a terminal; otherwise one that writes nothing. */
export function progressLine(stream: ProgressStream, opts: { enabled: boolean; intervalMs?: number; now?: () => number }): ProgressLine {
  if (!opts.enabled || !stream.isTTY) return { update() {}, done() {} };
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 200;
  let last = -Infinity;
  let shown = false;
  return {
    update(text, force = false) {
      const t = now();
      if (!force && t - last < interval) return;
      last = t;
      shown = true;
      stream.write(`\r${text}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Runs `work` while the terminal says what is being done and for how long ("Rendering ... (12 s)"),
 * then clears the line. On no terminal, runs it silently.
 */
export async function withStatus<T>(stream: ProgressStream, what: string, work: () => Promise<T>, opts: { enabled?: boolean } = {}): Promise<T> {
  const line = progressLine(stream, { enabled: opts.enabled ?? true, intervalMs: 0 });
  const started = Date.now();
  const show = () => line.update(`${what} (${Math.floor((Date.now() - started) / 1000)} s)`);
  show();
  const timer = setInterval(show, 1000);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    line.done();
  }
}
