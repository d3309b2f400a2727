/**
 * The Temporal SDK's native runtime logs through our logger (quiet by default). It can be installed
 * once per process and only before anything native (a worker, a dev server) starts, so every such
 * entry point calls this first — `rbm start` and `rbm worker` before anything else, so that the SDK's
 * metrics exporter is set up whatever starts first (the embedded dev server installs it too).
 *
 * Metrics: with `metricsBindAddress`, the SDK's own Prometheus exporter (workflow task and activity
 * latencies, schedule-to-start, failures, slots, polls) serves on that address, always a loopback
 * one: it has no authentication, and the process's own /metrics (web/metrics-server.ts) appends its
 * text, so that operators scrape one endpoint per process.
 */
import { Runtime } from '@temporalio/worker';
import type { Logger } from './logger.js';

let installed = false;
let metricsAddress: string | undefined;
// The render worker has activities only, by design: its notice about polling no workflows is noise.
const EXPECTED_WARNINGS = /^No workflows registered/;

export interface TemporalRuntimeOptions {
  /** host:port of the SDK's Prometheus exporter (127.0.0.1:PORT); undefined: the SDK exports no metrics. */
  metricsBindAddress?: string;
}

export function installTemporalRuntime(log: Logger, opts: TemporalRuntimeOptions = {}): void {
  if (installed) {
    if (opts.metricsBindAddress && opts.metricsBindAddress !== metricsAddress) {
      log.warn({ wanted: opts.metricsBindAddress, installed: metricsAddress ?? null }, 'the Temporal runtime was installed before: its metrics exporter stays as it was');
    }
    return;
  }
  installed = true;
  const meta = (m?: Record<string, unknown>) => m ?? {};
  try {
    Runtime.install({
      // Our entry points stop workers themselves, in order, on SIGINT/SIGTERM.
      shutdownSignals: [],
      logger: {
        log: (level, message, m) => (level === 'ERROR' ? log.error(meta(m), message) : level === 'WARN' && !EXPECTED_WARNINGS.test(message) ? log.warn(meta(m), message) : log.debug(meta(m), message)),
        trace: (m, x) => log.trace(meta(x), m),
        debug: (m, x) => log.debug(meta(x), m),
        info: (m, x) => log.debug(meta(x), m),
        warn: (m, x) => (EXPECTED_WARNINGS.test(m) ? log.debug(meta(x), m) : log.warn(meta(x), m)),
        error: (m, x) => log.error(meta(x), m),
      },
      ...(opts.metricsBindAddress
        ? {
            telemetryOptions: {
              metrics: {
                // Prometheus conventions, as our own rbm_* metrics: seconds, units and _total in the names
                // (temporal_activity_execution_latency_seconds_bucket, temporal_activity_execution_failed_total).
                prometheus: { bindAddress: opts.metricsBindAddress, useSecondsForDurations: true, unitSuffix: true, countersTotalSuffix: true },
              },
            },
          }
        : {}),
    });
    metricsAddress = opts.metricsBindAddress;
  } catch (e) {
    log.debug({ err: e }, 'the Temporal runtime was already installed');
  }
}

/** The SDK exporter's URL in this process, or undefined when the runtime exports no metrics. */
export function temporalMetricsUrl(): string | undefined {
  return metricsAddress ? `http://${metricsAddress}/metrics` : undefined;
}
