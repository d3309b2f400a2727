/**
 * Metrics an operator expects (issue 15): a worker and a web listener scraped over HTTP after real
 * work — an import with rejected rows, drop-folder gather runs, a report cycle flagged late then
 * approved and e-mailed to its donor — in a database of this spec's own (so that the state gauges
 * can be compared with the database exactly). Then a scrape whose database read fails, `rbm web
 * --metrics` as a real process, the activity log fields, and the Grafana dashboard checked against
 * what the endpoints actually expose.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openAppContext, type AppContext } from '../app/context.js';
import { cycleResult, decide, startCycle, waitForCycle, waitForStep } from '../app/cycles.js';
import { importFile } from '../app/imports.js';
import { runSource } from '../app/sources.js';
import { loadConfig, PROJECT_ROOT } from '../config/config.js';
import type { Pool } from '../db/pool.js';
import { cycleLogFields } from '../runtime/logger.js';
import { temporalMetricsUrl } from '../runtime/temporal-runtime.js';
import { startMetricsServer, type MetricsServer } from '../web/metrics-server.js';
import { startHttpServer } from '../web/server.js';
import { startWorker, type RunningWorker } from '../worker/worker.js';
import { freePort } from './support/global-setup.js';
import { ownDatabase } from './support/own-database.js';
import { testPayloadKeys } from './support/test-system.js';

const DATABASE = 'rbm_metrics_spec';
const QUEUE = 'test-metrics';
const PROJECT = 'LY10P0551'; // funded by the EU, with a quarterly agreement: the final report is e-mailed
const PERIOD = '2023-Q4'; // no other spec starts this cycle on the shared Temporal server
const DASHBOARD = path.join(PROJECT_ROOT, 'deploy', 'grafana', 'rbm-flow-dashboard.json');

// Every log line of the worker, as JSON (the Temporal runtime logs through this logger: the first install wins).
const logLines: Array<Record<string, unknown>> = [];
const log = pino({ level: 'debug' }, new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n')) if (line.includes('activityType')) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
}));

let pool: Pool;
let databaseUrl: string;
let scratch: string;
let dropDir: string;
let worker: RunningWorker;
let ctx: AppContext;
let workerMetrics: MetricsServer;
let web: FastifyInstance;
let webPort: number;
let webMetricsUrl: string;

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase(DATABASE));
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'metrics-'));
  dropDir = path.join(scratch, 'drop');
  fs.mkdirSync(dropDir);
  const sourcesFile = path.join(scratch, 'sources.json');
  fs.writeFileSync(sourcesFile, JSON.stringify({
    sources: [
      { id: 'metrics-drop', kind: 'folder', project: 'LY10P0558', path: dropDir },
      { id: 'metrics-gone', kind: 'folder', project: 'LY10P0558', path: path.join(scratch, 'no-such-folder') },
    ],
  }));
  const temporalAddress = inject('temporalAddress');
  const config = {
    ...loadConfig({ RBM_PAYLOAD_KEYS: inject('payloadKeys') }), databaseUrl, temporalAddress, taskQueue: QUEUE, renderTaskQueue: `${QUEUE}-render`, sourcesFile, outDir: path.join(scratch, 'out'),
  };
  worker = await startWorker({
    databaseUrl, temporalAddress, namespace: 'default', payloadKeys: testPayloadKeys(), taskQueue: QUEUE, renderTaskQueue: config.renderTaskQueue,
    outDir: config.outDir, log, smtpUrl: inject('smtpUrl'), publicUrl: 'http://rbm.test', sourcesFile,
    temporalMetricsAddress: `127.0.0.1:${await freePort()}`,
  });
  ctx = await openAppContext(config, { databaseUrl, temporalAddress, temporalUiUrl: null }, log);
  // The worker's listener, as `rbm worker --metrics` starts it; the web's, through startHttpServer as `rbm web` does.
  workerMetrics = await startMetricsServer({ address: { host: '127.0.0.1', port: await freePort() }, pool: () => worker.pool, temporalMetricsUrl, log });
  webPort = await freePort();
  const webMetricsPort = await freePort();
  web = await startHttpServer({ port: webPort, isReady: () => true, context: () => ctx, metrics: { address: { host: '127.0.0.1', port: webMetricsPort }, log } });
  webMetricsUrl = `http://127.0.0.1:${webMetricsPort}/metrics`;
});

afterAll(async () => {
  await web?.close();
  await workerMetrics?.close();
  await ctx?.close();
  await worker?.shutdown();
  await pool?.end();
});

// ---------------------------------------------------------------------------------------------------
// The Prometheus text format, read back.

interface Sample { name: string; labels: Record<string, string>; value: number }
interface Scrape { text: string; samples: Sample[]; families: string[] }

async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const samples: Sample[] = [];
  const families: string[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) families.push(type[1]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return { text, samples, families };
}
const scrapeWorker = () => scrape(workerMetrics.url);
const scrapeWeb = () => scrape(webMetricsUrl);

/** The sum of the samples of `name` whose labels include `labels` (0 when none). */
function value(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  return s.samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
}
const has = (s: Scrape, name: string) => s.samples.some((x) => x.name === name);

/** rbm_cycles and rbm_deliveries as the database counts them now. */
async function databaseCounts() {
  const cycles = (await pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM report_cycles GROUP BY state')).rows;
  const deliveries = (await pool.query<{ channel: string; state: string; n: number }>('SELECT channel, state, count(*)::int AS n FROM deliveries GROUP BY channel, state')).rows;
  return { cycles, deliveries };
}

async function approveThrough(cycleId: string) {
  for (let step = 0; ; step++) {
    const s = await waitForStep(ctx, cycleId, 1, step);
    if (s.state !== 'awaiting_approval') break;
    await decide(ctx, cycleId, { decision: 'approve', by: s.approvers[0]!, version: 1 });
  }
  return cycleResult(ctx, cycleId);
}

// ---------------------------------------------------------------------------------------------------

describe('the metrics listeners', () => {
  it('count the rows an import accepted and rejected, on every process alike', async () => {
    const before = await scrapeWorker();
    const report = await importFile({ pool }, { path: path.join(PROJECT_ROOT, 'test', 'fixtures', 'imports', 'mixed.csv'), importedBy: 'me.officer' });
    expect(report.rejected).toBeGreaterThan(0);
    const [after, fromWeb] = [await scrapeWorker(), await scrapeWeb()];
    expect(value(after, 'rbm_import_rows_total', { outcome: 'rejected' }) - value(before, 'rbm_import_rows_total', { outcome: 'rejected' })).toBe(report.rejected);
    expect(value(after, 'rbm_import_rows_total', { outcome: 'accepted' }) - value(before, 'rbm_import_rows_total', { outcome: 'accepted' })).toBe(report.accepted);
    const totals = (await pool.query<{ rejected: number }>('SELECT sum(rejected)::int AS rejected FROM import_batches')).rows[0]!;
    expect(value(after, 'rbm_import_rows_total', { outcome: 'rejected' })).toBe(totals.rejected);
    // Read from PostgreSQL at scrape time: the web process tells the same totals as the worker.
    for (const outcome of ['accepted', 'rejected', 'unchanged']) expect(value(fromWeb, 'rbm_import_rows_total', { outcome })).toBe(value(after, 'rbm_import_rows_total', { outcome }));
    expect(value(after, 'rbm_state_query_ok')).toBe(1);
  });

  it('count gather runs by outcome where they end', async () => {
    fs.writeFileSync(path.join(dropDir, 'counts.csv'), 'project_code,indicator_code,period,value\nLY10P0558,OP1.1.b,2023-Q2,17\nLY10P0558,OP9.9,2023-Q2,1\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dropDir, 'counts.csv'), old, old);
    const before = await scrapeWorker();
    expect((await runSource(ctx, 'metrics-drop')).log).toMatchObject({ status: 'succeeded', accepted: 1, rejected: 1 });
    expect((await runSource(ctx, 'metrics-gone')).log).toMatchObject({ status: 'failed' });
    const after = await scrapeWorker();
    const delta = (source: string, outcome: string) => value(after, 'rbm_gather_runs_total', { source, outcome }) - value(before, 'rbm_gather_runs_total', { source, outcome });
    expect([delta('metrics-drop', 'succeeded'), delta('metrics-drop', 'failed'), delta('metrics-gone', 'failed'), delta('metrics-gone', 'succeeded')]).toEqual([1, 0, 1, 0]);
    // The dropped file's rows are import rows too.
    expect(value(after, 'rbm_import_rows_total', { outcome: 'rejected' }) - value(before, 'rbm_import_rows_total', { outcome: 'rejected' })).toBe(1);
  });

  it('time renders, show a late cycle and its delivery, and carry the Temporal SDK metrics on the worker', async () => {
    const before = await scrapeWorker();
    // Due long ago: the workflow flags it overdue as soon as it waits for the first approval.
    const { cycleId } = await startCycle(ctx, { projectCode: PROJECT, period: PERIOD, startedBy: 'me.officer', dueDate: '2024-01-31' });
    await waitForCycle(ctx, cycleId, (s) => s.state === 'awaiting_approval' && s.overdue === true);
    // The 'overdue' audit event may land a moment after the status says so.
    let late = await scrapeWorker();
    for (let i = 0; i < 50 && value(late, 'rbm_cycles_overdue') < 1; i++) late = await new Promise((r) => setTimeout(r, 100)).then(scrapeWorker);
    expect(value(late, 'rbm_cycles_overdue', { state: 'awaiting_approval' })).toBe(1);
    expect(value(late, 'rbm_cycles', { state: 'awaiting_approval' })).toBe(1);
    // One draft rendered: one more observation per format.
    for (const format of ['xlsx', 'pdf']) {
      const count = (s: Scrape) => value(s, 'rbm_report_render_duration_seconds_count', { format, stage: 'draft', scope: 'project' });
      expect(count(late) - count(before)).toBe(1);
      expect(value(late, 'rbm_report_render_duration_seconds_sum', { format, stage: 'draft' })).toBeGreaterThan(0);
    }

    const done = await approveThrough(cycleId);
    expect(done.state).toBe('completed');
    expect(done.donorDeliveries).toEqual([{ donorCode: 'EU', email: 'eu.donor@example.org', state: 'sent' }]);
    const after = await scrapeWorker();
    expect(value(after, 'rbm_delivery_attempts_total', { channel: 'email', outcome: 'sent' }) - value(before, 'rbm_delivery_attempts_total', { channel: 'email', outcome: 'sent' })).toBe(1);
    expect(value(after, 'rbm_cycles_overdue')).toBe(0); // completed: no longer open, so no longer late
    for (const format of ['xlsx', 'pdf']) expect(value(after, 'rbm_report_render_duration_seconds_count', { format, stage: 'final' }) - value(before, 'rbm_report_render_duration_seconds_count', { format, stage: 'final' })).toBe(1);

    // The gauges are the database's figures, state by state (and every known state is there, 0 or not).
    const db = await databaseCounts();
    for (const state of ['gathering', 'rendering', 'awaiting_approval', 'returned', 'finalizing', 'delivering', 'completed', 'cancelled']) {
      expect(value(after, 'rbm_cycles', { state }), state).toBe(db.cycles.find((r) => r.state === state)?.n ?? 0);
      expect(after.samples.some((x) => x.name === 'rbm_cycles' && x.labels.state === state)).toBe(true);
    }
    expect(value(after, 'rbm_cycles', { state: 'completed' })).toBe(1);
    expect(db.deliveries.length).toBeGreaterThan(0);
    for (const d of db.deliveries) expect(value(after, 'rbm_deliveries', { channel: d.channel, state: d.state })).toBe(d.n);
    expect(value(after, 'rbm_deliveries', { channel: 'email', state: 'sent' })).toBe(1);

    // The SDK's own metrics, merged into the worker's one endpoint: activity latency, schedule-to-start, workflow tasks.
    expect(value(after, 'rbm_temporal_sdk_metrics_ok')).toBe(1);
    expect(value(after, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'renderReport' })).toBeGreaterThanOrEqual(2);
    expect(value(after, 'temporal_activity_schedule_to_start_latency_seconds_count', { task_queue: `${QUEUE}-render` })).toBeGreaterThanOrEqual(2); // by queue, not type
    expect(value(after, 'temporal_workflow_task_execution_latency_seconds_count', { workflow_type: 'reportCycleWorkflow' })).toBeGreaterThan(0);
    expect(value(after, 'temporal_workflow_task_schedule_to_start_latency_seconds_count', { task_queue: QUEUE })).toBeGreaterThan(0);
    // Failures: the gather run of the missing folder failed its activity and its workflow.
    expect(value(after, 'temporal_activity_execution_failed_total', { activity_type: 'listDropFiles' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'temporal_workflow_failed_total', { workflow_type: 'gatherSourceWorkflow' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'temporal_workflow_completed_total', { workflow_type: 'gatherSourceWorkflow' })).toBeGreaterThanOrEqual(1);
    // One answer, sound: no family announced twice (ours and the SDK's never share a name).
    expect(new Set(after.families).size).toBe(after.families.length);
    // The web process runs no worker: its answer has no SDK metrics, and says so.
    const fromWeb = await scrapeWeb();
    expect(fromWeb.samples.some((x) => x.name.startsWith('temporal_'))).toBe(false);
    expect(value(fromWeb, 'rbm_temporal_sdk_metrics_ok')).toBe(0);
    expect(value(fromWeb, 'rbm_cycles', { state: 'completed' })).toBe(value(after, 'rbm_cycles', { state: 'completed' }));
  });

  it('tie every activity log line to its cycle and project', () => {
    const completed = logLines.filter((l) => l.msg === 'Activity completed' && typeof l.workflowId === 'string' && (l.workflowId as string).includes(`/${PERIOD}/`));
    const byType = new Map(completed.map((l) => [l.activityType as string, l]));
    for (const type of ['gatherCycleData', 'renderReport', 'recordCycleEvent', 'deliverToDonors', 'deliverToOutbox']) {
      expect(byType.get(type), type).toMatchObject({ cycleId: `report-cycle/${PROJECT}/${PERIOD}/iom-donor-report`, projectCode: PROJECT });
    }
    // A gather run of a source: its project from the input, no cycle.
    const gather = logLines.find((l) => l.activityType === 'listDropFiles' && l.msg === 'Activity completed');
    expect(gather).toMatchObject({ projectCode: 'LY10P0558' });
    expect(gather).not.toHaveProperty('cycleId');
    expect(cycleLogFields('gather/wash-drop/report-cycle/LY10P0563/2024-Q2/iom-donor-report/v1')).toEqual({ cycleId: 'report-cycle/LY10P0563/2024-Q2/iom-donor-report', projectCode: 'LY10P0563' });
  });

  it('answer without the state when the database does not, and stay off the web port', async () => {
    // A pool that never hands out a connection: the scrape gives up on it and answers with the rest.
    const stuck = { connect: () => new Promise(() => undefined) } as unknown as Pool;
    const slow = await startMetricsServer({ address: { host: '127.0.0.1', port: await freePort() }, pool: () => stuck, log, stateTimeoutMs: 200 });
    try {
      const started = Date.now();
      const s = await scrape(slow.url);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(value(s, 'rbm_state_query_ok')).toBe(0);
      expect(['rbm_cycles', 'rbm_cycles_overdue', 'rbm_deliveries', 'rbm_import_rows_total'].filter((n) => has(s, n))).toEqual([]);
      expect(has(s, 'rbm_report_render_duration_seconds_count')).toBe(true);
      expect(has(s, 'process_cpu_user_seconds_total')).toBe(true);
    } finally {
      await slow.close();
    }
    // The public web port has no /metrics, signed in or not.
    const res = await fetch(`http://127.0.0.1:${webPort}/metrics`, { redirect: 'manual' });
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain('rbm_cycles');
  });

  it('`rbm web --metrics PORT` serves them on loopback, with the figures the worker tells', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child: ChildProcess = spawn(process.execPath, ['bin/rbm.js', 'web', '--metrics', String(metricsPort)], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), PORT: String(port), HOST: '127.0.0.1', RBM_METRICS_ADDRESS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`rbm web did not start: ${out}`)), 60_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (/RBM Flow web is running/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`rbm web exited (${code}): ${out}`)));
      });
      expect(out).toContain(`Metrics: http://127.0.0.1:${metricsPort}/metrics`);
      const [fromProcess, fromWorker] = [await scrape(`http://127.0.0.1:${metricsPort}/metrics`), await scrapeWorker()];
      for (const name of ['rbm_cycles', 'rbm_deliveries', 'rbm_import_rows_total']) {
        const pick = (s: Scrape) => s.samples.filter((x) => x.name === name).map((x) => `${JSON.stringify(x.labels)} ${x.value}`).sort();
        expect(pick(fromProcess), name).toEqual(pick(fromWorker));
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  });
});

describe('the Grafana dashboard', () => {
  it('queries only metrics that the listeners expose', async () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { title: string; uid: string; panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }>; datasource?: unknown }>; templating?: unknown };
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: expect.any(String) });
    // The SDK exports a counter from its first count on: make a workflow task fail (a type no worker
    // has), so that the failure panel's metric is there to check too.
    const handle = await ctx.temporal.workflow.start('noSuchWorkflowType', { taskQueue: QUEUE, workflowId: `metrics-no-such-workflow-${Date.now()}`, args: [] });
    let worker = await scrapeWorker();
    for (let i = 0; i < 100 && !has(worker, 'temporal_workflow_task_execution_failed_total'); i++) worker = await new Promise((r) => setTimeout(r, 100)).then(scrapeWorker);
    await handle.terminate('metrics spec: done');
    const exposed = new Set([...worker.samples, ...(await scrapeWeb()).samples].map((x) => x.name));
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(12);
    const queried = new Set<string>();
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        const names = t.expr.match(/\b(?:rbm|temporal|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
        expect(names.length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of names) {
          expect(exposed.has(n), `${p.title}: ${n} is not exposed`).toBe(true);
          queried.add(n);
        }
      }
    }
    // A panel for each metric the issue names.
    for (const n of [
      'rbm_import_rows_total', 'rbm_report_render_duration_seconds_bucket', 'rbm_cycles', 'rbm_cycles_overdue', 'rbm_deliveries', 'rbm_gather_runs_total', 'rbm_delivery_attempts_total',
      'temporal_workflow_task_execution_latency_seconds_bucket', 'temporal_activity_execution_latency_seconds_bucket', 'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
      'temporal_activity_schedule_to_start_latency_seconds_bucket', 'temporal_activity_execution_failed_total', 'temporal_workflow_task_execution_failed_total',
    ]) expect(queried.has(n), n).toBe(true);
    // Prometheus scrapes the processes' metrics listeners.
    const prometheus = fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    expect(prometheus).toMatch(/metrics_path: \/metrics/);
    expect(prometheus).toMatch(/rbm:9464/);
  });
});
