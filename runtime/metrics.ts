/**
 * RBM Flow's own Prometheus metrics of events, counted in the process where the event happens (a
 * render, a gather run, a delivery attempt), in one registry per process. Prometheus sums them over
 * the processes (`sum by (...) (rate(...))`). What is a state rather than an event (cycles by state,
 * overdue cycles, deliveries by state, import row totals) is read from PostgreSQL at scrape time
 * instead (app/metrics.ts, web/metrics-server.ts), so that every process tells the same figure and a
 * restart loses nothing.
 *
 * Not prom-client's global registry: ours is only what this module and the metrics server put in it.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { freePort } from './ports.js';

export const eventRegistry = new Registry();

/** Rendering a report file (the workbook, the PDF laid out off-thread); render activity and previews. */
export const reportRenderSeconds = new Histogram({
  name: 'rbm_report_render_duration_seconds',
  help: 'Time to render one report file, by format (xlsx, pdf), stage (preview, draft, final) and scope (project, mission).',
  labelNames: ['format', 'stage', 'scope'] as const,
  // A project report takes about a second; a mission roll-up or a big PDF may take a minute.
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
  registers: [eventRegistry],
});

/** A gather run that ended (its log row closed once, whatever retries of the closing activity). */
export const gatherRunsTotal = new Counter({
  name: 'rbm_gather_runs_total',
  help: 'Gather runs of configured sources that ended, by source and outcome (succeeded, failed).',
  labelNames: ['source', 'outcome'] as const,
  registers: [eventRegistry],
});

/** What each donor e-mail delivery attempt came to. */
export const deliveryAttemptsTotal = new Counter({
  name: 'rbm_delivery_attempts_total',
  help: 'Donor delivery attempts, by channel (email: a report; digest: the monthly digest) and outcome (sent, failed, already_sent, unconfirmed, not_configured).',
  labelNames: ['channel', 'outcome'] as const,
  registers: [eventRegistry],
});

/** Runs `fn` and observes its duration with `labels`, whether it succeeds or throws. */
export async function timed<T>(histogram: Histogram<string>, labels: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    return await fn();
  } finally {
    end();
  }
}

let processMetrics = false;
/**
 * Node's own metrics (CPU, memory, event loop lag, GC) in the registry: only in a process that serves
 * /metrics, so that a short CLI command does not watch its event loop for nothing.
 */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: eventRegistry });
}

/** A free loopback address for the Temporal SDK's exporter (runtime/temporal-runtime.ts): nobody but this process reads it. */
export async function loopbackExporterAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

/**
 * The text of another Prometheus endpoint (the SDK's exporter), or null when it does not answer in
 * time: a scrape is never held up or failed by it.
 */
export async function fetchExpositionText(url: string, timeoutMs = 2000): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const text = await res.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch {
    return null;
  }
}
