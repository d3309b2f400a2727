/**
 * The metrics listener of a process (`rbm worker`, `rbm web`, `rbm start`): GET /metrics in the
 * Prometheus text format, on its own address (RBM_METRICS_ADDRESS / `--metrics`; 127.0.0.1 unless
 * a host is given), never on the web port. Counts without names, but still what an outsider should
 * not read (how many reports are late, which sources fail): the listener has no log-in, so the
 * network is its boundary (SECURITY.md).
 *
 * One answer per scrape, three parts:
 * - this process's event metrics and Node's own (runtime/metrics.ts);
 * - the state read from PostgreSQL by app/metrics.ts in the gauges' collect() callbacks, one bounded
 *   snapshot per scrape; a failed or slow read leaves those series out and sets rbm_state_query_ok 0,
 *   the rest of the answer stands;
 * - the Temporal SDK exporter's text of this process (a worker), fetched from its loopback address
 *   and appended: its names (temporal_*) never clash with ours, so one endpoint per process.
 */
import Fastify from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { readOperationalState, type OperationalState } from '../app/metrics.js';
import type { MetricsAddress } from '../config/config.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../runtime/logger.js';
import { enableProcessMetrics, eventRegistry, fetchExpositionText } from '../runtime/metrics.js';

export interface MetricsServerOptions {
  address: MetricsAddress;
  /** The database of the state metrics; undefined while the process boots (those series are then left out). */
  pool: () => Pool | undefined;
  /** This process's Temporal SDK exporter (runtime/temporal-runtime.ts temporalMetricsUrl); none for a web process. */
  temporalMetricsUrl?: () => string | undefined;
  log: Logger;
  /** Bound of each state query, and (plus a second) of waiting for a connection; default 2 s. */
  stateTimeoutMs?: number;
}

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  enableProcessMetrics();
  const state = stateMetrics(o);
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    const url = o.temporalMetricsUrl?.();
    const sdk = url ? await fetchExpositionText(url) : null;
    state.temporalSdkOk.set(url ? (sdk !== null ? 1 : 0) : 0);
    const [events, states] = await Promise.all([eventRegistry.metrics(), state.registry.metrics()]);
    reply.header('Content-Type', eventRegistry.contentType).header('Cache-Control', 'no-store');
    return `${events}\n${states}\n${sdk ?? ''}`;
  });
  await app.listen({ host: o.address.host, port: o.address.port });
  const host = o.address.host.includes(':') ? `[${o.address.host}]` : o.address.host;
  return { url: `http://${host}:${o.address.port}/metrics`, close: () => app.close() };
}

/** The state gauges of one listener (its own registry: two listeners in one process do not clash). */
function stateMetrics(o: MetricsServerOptions) {
  const registry = new Registry();
  const timeoutMs = o.stateTimeoutMs ?? 2000;
  let warnedAt = 0;
  let lastSeconds = 0;
  const temporalSdkOk = new Gauge({ name: 'rbm_temporal_sdk_metrics_ok', help: '1 when the Temporal SDK metrics (temporal_*) of this process are in this answer; 0 on a process without a worker, or when its exporter did not answer.', registers: [registry] });

  const read = async (): Promise<OperationalState | null> => {
    const pool = o.pool();
    if (!pool) return null;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The statement timeout bounds the queries; this bounds waiting for a connection of a busy pool too.
      const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs + 1000} ms`)), timeoutMs + 1000)));
      return await Promise.race([readOperationalState({ pool }, { timeoutMs }), deadline]);
    } catch (e) {
      if (Date.now() - warnedAt > 60_000) {
        warnedAt = Date.now();
        o.log.warn({ err: e }, 'metrics: the state could not be read from PostgreSQL (left out of /metrics; logged once a minute)');
      }
      return null;
    } finally {
      clearTimeout(timer);
      lastSeconds = (performance.now() - started) / 1000;
    }
  };
  // Every gauge's collect() of one scrape shares one read (prom-client runs them together); nothing is
  // kept after it, so that each scrape tells the database as it is then.
  let inFlight: Promise<OperationalState | null> | undefined;
  const snapshot = (): Promise<OperationalState | null> =>
    (inFlight ??= read().finally(() => {
      inFlight = undefined;
    }));

  new Gauge({
    name: 'rbm_state_query_ok', help: '1 when this scrape read the state metrics (rbm_cycles, rbm_deliveries...) from PostgreSQL, 0 when it could not (they are then left out).', registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'rbm_state_query_duration_seconds', help: 'How long the read of the state metrics took.', registers: [registry],
    async collect() {
      await snapshot();
      this.set(lastSeconds);
    },
  });
  new Gauge({
    name: 'rbm_cycles', help: 'Report cycles by state (from PostgreSQL; the same on every process: take max, not sum).', labelNames: ['state'] as const, registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const r of s?.cyclesByState ?? []) this.set({ state: r.state }, r.count);
    },
  });
  new Gauge({
    name: 'rbm_cycles_overdue', help: 'Open report cycles past their due date (flagged overdue by their workflow), by state (from PostgreSQL).', labelNames: ['state'] as const, registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const r of s?.overdueCyclesByState ?? []) this.set({ state: r.state }, r.count);
    },
  });
  new Gauge({
    name: 'rbm_deliveries', help: 'Deliveries by channel (outbox, email, digest) and state (pending, sending, sent, unconfirmed, failed) (from PostgreSQL).', labelNames: ['channel', 'state'] as const, registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const r of s?.deliveriesByState ?? []) this.set({ channel: r.channel, state: r.state }, r.count);
    },
  });
  // A counter read from the database: batches are never deleted and their counts are final, so the
  // total only grows (rate() and increase() work), whichever process is scraped.
  new Counter({
    name: 'rbm_import_rows_total', help: 'Rows of all imports (files, resubmissions, corrections, gathered sources) by outcome: accepted, rejected, unchanged (from PostgreSQL).', labelNames: ['outcome'] as const, registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      if (s) for (const [outcome, n] of Object.entries(s.importRows)) this.inc({ outcome }, n);
    },
  });
  return { registry, temporalSdkOk };
}
