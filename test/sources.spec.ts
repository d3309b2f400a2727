/**
 * Gathering from configured sources against real servers: the PostgreSQL and Temporal dev server of
 * the global setup, a form API played by an HTTP server on loopback started here (pages, a 500 then
 * success, a slow answer past the timeout, a malformed body, a 401), a second PostgreSQL database
 * playing a project's own database, a drop folder, and an IATI file of our own export. RBM Flow's data
 * lives in a database of its own on the server (rbm_sources_spec), so that nothing here changes what
 * other specs read. Ends with a worker process killed in the middle of a fetch: another one finishes
 * the run.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openAppContext, type AppContext } from '../app/context.js';
import { buildIatiExport } from '../app/iati.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { gatherLog, pauseSource, resumeSource, runSource, sourcesList, syncSourceSchedules } from '../app/sources.js';
import { loadConfig, PROJECT_ROOT } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { countStaged } from '../db/gather-staging-repository.js';
import { getWatermark, listGatherRuns, type GatherRun } from '../db/sources-repository.js';
import { createLogger } from '../runtime/logger.js';
import { gatherProjectWorkflow, type ProjectSourceGathered } from '../workflows/gather-source.js';
import { startWorker, type RunningWorker } from '../worker/worker.js';

const DATABASE = 'rbm_sources_spec';
const PROJECT_DATABASE = 'rbm_sources_project';
const QUEUE = 'test-sources';
const KILL_QUEUE = 'test-sources-kill';
const TOKEN = 'good-token-7f3a';
const log = createLogger(process.env.RBM_LOG_LEVEL ?? 'warn', 'sources-spec');

let databaseUrl: string;
let projectDbUrl: string;
let scratch: string;
let sourcesFile: string;
let dropDir: string;
let iatiFile: string;
let worker: RunningWorker;
let ctx: AppContext;
let api: FormApi;

// ---------------------------------------------------------------------------------------------------
// The form API: KoboToolbox-like, {"results": [...], "next": url}, token auth, `query` since filter.

interface Behaviour {
  /** Answer this status to the first N requests. */
  failFirst?: { status: number; times: number };
  /** The first answer of this page (1-based) waits this long. */
  slowFirst?: { page: number; ms: number };
  malformed?: boolean;
  alwaysStatus?: number;
  /** The token this dataset accepts (default TOKEN). */
  token?: string;
}
interface Request {
  dataset: string;
  page: number;
  url: string;
  since: string | null;
  authorization: string | undefined;
  at: number;
}
interface FormApi {
  url: string;
  datasets: Map<string, Array<Record<string, unknown>>>;
  behaviour: Map<string, Behaviour>;
  requests: Request[];
  close(): Promise<void>;
}

async function startFormApi(): Promise<FormApi> {
  const datasets = new Map<string, Array<Record<string, unknown>>>();
  const behaviour = new Map<string, Behaviour>();
  const requests: Request[] = [];
  const served = new Map<string, number>(); // dataset -> answers so far
  const slowServed = new Set<string>();
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/api\/v2\/assets\/([a-z0-9-]+)\/data\/$/.exec(u.pathname);
    const send = (status: number, body: string) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (!m) return send(404, '{"detail":"Not found."}');
    const name = m[1]!;
    const b = behaviour.get(name) ?? {};
    const limit = Number(u.searchParams.get('limit') ?? '100');
    const start = Number(u.searchParams.get('start') ?? '0');
    const page = Math.floor(start / limit) + 1;
    const query = u.searchParams.get('query');
    const since = query ? (JSON.parse(query) as { _submission_time: { $gte: string } })._submission_time.$gte : null;
    requests.push({ dataset: name, page, url: req.url ?? '', since, authorization: req.headers.authorization, at: Date.now() });
    const n = (served.get(name) ?? 0) + 1;
    served.set(name, n);
    if (req.headers.authorization !== `Token ${b.token ?? TOKEN}`) return send(401, '{"detail":"Invalid token."}');
    if (b.alwaysStatus) return send(b.alwaysStatus, '{"detail":"Service unavailable"}');
    if (b.failFirst && n <= b.failFirst.times) return send(b.failFirst.status, '<html>Internal Server Error</html>');
    if (b.malformed) return send(200, '{"count": 3, "next": null, "results": [{"_id": 1, "n": ');
    const all = (datasets.get(name) ?? []).filter((s) => since === null || String(s._submission_time) >= since);
    const results = all.slice(start, start + limit);
    const next = start + limit < all.length ? `http://${req.headers.host}${u.pathname}?limit=${limit}&start=${start + limit}${query ? `&query=${encodeURIComponent(query)}` : ''}` : null;
    const body = JSON.stringify({ count: all.length, next, previous: null, results });
    const key = `${name}#${page}`;
    if (b.slowFirst && b.slowFirst.page === page && !slowServed.has(key)) {
      slowServed.add(key);
      setTimeout(() => send(200, body), b.slowFirst.ms);
      return;
    }
    send(200, body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, datasets, behaviour, requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const requestsOf = (dataset: string) => api.requests.filter((r) => r.dataset === dataset);

// ---------------------------------------------------------------------------------------------------
// The sources file

function formSource(id: string, extra: Record<string, unknown> = {}) {
  return {
    id, kind: 'form-api', project: 'LY10P0563', description: `form API ${id}`,
    url: `${api.url}/api/v2/assets/${id}/data/`,
    auth: { scheme: 'Token', token: { env: 'KOBO_TOKEN' } },
    paging: { style: 'next-url', pageSize: 2 },
    since: { field: '_submission_time', param: 'query', template: '{"_submission_time":{"$gte":"{since}"}}' },
    mapping: { period: { field: 'period' }, values: [{ field: 'n', indicator: 'OP1.1.c' }] },
    retries: 4,
    timeoutSeconds: 5,
    ...extra,
  };
}

function sourcesJson(overrides: { schedules?: boolean } = {}) {
  const schedules = overrides.schedules ?? true;
  return {
    stagingDir: path.join(scratch, 'staging'),
    sources: [
      formSource('kobo-referrals', {
        mapping: {
          period: { dateField: 'report_month', as: 'quarter' },
          values: [
            { field: 'referrals/female', indicator: 'OP1.1.b', disaggregation: { sex: { value: 'female' } } },
            { field: 'referrals/male', indicator: 'OP1.1.b', disaggregation: { sex: { value: 'male' } } },
          ],
        },
        schedule: { every: '1h' },
      }),
      formSource('flaky'),
      formSource('slow', { timeoutSeconds: 1 }),
      formSource('malformed'),
      formSource('locked', { auth: { scheme: 'Token', token: { env: 'WRONG_TOKEN' } } }),
      formSource('down', { retries: 2 }),
      formSource('held', { mapping: { period: { field: 'period' }, values: [{ field: 'n', indicator: 'OP1.1.c' }] } }),
      formSource('crash', { paging: { style: 'next-url', pageSize: 1 }, timeoutSeconds: 120, project: 'LY10P0551', mapping: { period: { field: 'period' }, values: [{ field: 'n', indicator: 'OP1.1.b' }] } }),
      {
        id: 'clinic-db', kind: 'sql', project: 'LY10P0563', description: 'the clinics\' database',
        connection: { env: 'CLINIC_DB_URL' },
        query: 'SELECT indicator_code, period, trained AS value, sex, \'clinic register\' AS source FROM trainings ORDER BY period, sex',
        ...(schedules ? { schedule: { calendar: { hour: 3, minute: 0, dayOfWeek: ['SUNDAY'] } } } : {}),
      },
      { id: 'clinic-db-writes', kind: 'sql', project: 'LY10P0563', connection: { env: 'CLINIC_DB_URL' }, query: 'UPDATE trainings SET trained = 0 RETURNING indicator_code, period, trained AS value' },
      { id: 'health-iati', kind: 'iati', project: 'LY10P0563', file: iatiFile },
      { id: 'wash-drop', kind: 'folder', project: 'LY10P0558', path: dropDir, schedule: { every: '1d' } },
    ],
  };
}

const writeSources = (json: unknown) => fs.writeFileSync(sourcesFile, JSON.stringify(json, null, 2));

const secretEnv = () => ({ KOBO_TOKEN: TOKEN, WRONG_TOKEN: 'not-the-token', CLINIC_DB_URL: projectDbUrl });

async function currentValue(project: string, indicator: string, period: string, sex = ''): Promise<{ value: number | null; source: string; count: number } | undefined> {
  const { rows } = await ctx.pool.query(
    `SELECT v.value, v.source, (SELECT count(*) FROM indicator_values w WHERE w.indicator_id = v.indicator_id AND w.period = v.period AND w.sex = v.sex
                                   AND w.location = '' AND w.age_group = '' AND w.population_type = '' AND w.nationality = '') AS count
       FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.sex = $4 AND v.location = '' AND v.age_group = '' AND v.population_type = '' AND v.nationality = ''
        AND v.superseded_at IS NULL`,
    [project, indicator, period, sex],
  );
  return rows[0] ? { value: rows[0].value as number | null, source: rows[0].source as string, count: Number(rows[0].count) } : undefined;
}

async function run(id: string): Promise<GatherRun> {
  const r = await runSource(ctx, id);
  expect(r.log).not.toBeNull();
  return r.log!;
}

beforeAll(async () => {
  const serverUrl = inject('databaseUrl');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  for (const db of [DATABASE, PROJECT_DATABASE]) {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${db}`);
  }
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE}`;
  databaseUrl = url.toString();
  url.pathname = `/${PROJECT_DATABASE}`;
  projectDbUrl = url.toString();

  // The project's own database: a table of trainings by quarter and sex.
  const project = new pg.Client({ connectionString: projectDbUrl });
  await project.connect();
  await project.query('CREATE TABLE trainings (indicator_code text, period text, sex text, trained int)');
  await project.query(`INSERT INTO trainings VALUES ('OP2.1.b', '2023-Q1', 'female', 4), ('OP2.1.b', '2023-Q1', 'male', 5), ('OP2.1.b', '2023-Q2', 'female', 6)`);
  await project.end();

  await migrateDatabase(databaseUrl, log);
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'sources-'));
  sourcesFile = path.join(scratch, 'sources.json');
  dropDir = path.join(scratch, 'drop');
  fs.mkdirSync(dropDir);
  iatiFile = path.join(scratch, 'iati', 'LY10P0563.xml');
  api = await startFormApi();

  const config = { ...loadConfig({ RBM_PAYLOAD_KEYS: inject('payloadKeys') }), databaseUrl, temporalAddress: inject('temporalAddress'), taskQueue: QUEUE, renderTaskQueue: `${QUEUE}-render`, sourcesFile, outDir: path.join(scratch, 'out') };
  worker = await startWorker({
    databaseUrl, temporalAddress: config.temporalAddress, namespace: 'default', payloadKeys: config.payloadKeys!, taskQueue: QUEUE, renderTaskQueue: config.renderTaskQueue,
    outDir: config.outDir, log, sourcesFile, secretEnv: secretEnv(),
  });
  ctx = await openAppContext(config, { databaseUrl, temporalAddress: config.temporalAddress, temporalUiUrl: null }, log);
  await loadDemoPortfolio(ctx, '2025-Q4');

  // Our own IATI export of the health project is the IATI file the source reads.
  const exported = await buildIatiExport(ctx, { projects: ['LY10P0563'], baseUrl: 'https://rbm.example.org' });
  fs.mkdirSync(path.dirname(iatiFile), { recursive: true });
  fs.writeFileSync(iatiFile, exported.xml);
  writeSources(sourcesJson());
});

afterAll(async () => {
  if (ctx) {
    // Leave no schedule of this spec on the shared dev server.
    writeSources({ sources: [] });
    await syncSourceSchedules(ctx).catch(() => undefined);
    await ctx.close();
  }
  await worker?.shutdown();
  await api?.close();
});

describe('the form API source', () => {
  it('gathers every page, stores through the import, and a second run changes nothing', async () => {
    api.datasets.set('kobo-referrals', [
      { _id: 1, _submission_time: '2023-04-02T08:00:00', report_month: '2023-02-01', 'referrals/female': 11, 'referrals/male': 12 },
      { _id: 2, _submission_time: '2023-07-03T08:00:00', report_month: '2023-05-01', 'referrals/female': 21, 'referrals/male': 22 },
      { _id: 3, _submission_time: '2023-10-02T08:00:00', report_month: '2023-08-01', 'referrals/female': 31, 'referrals/male': 32 },
    ]);
    const first = await run('kobo-referrals');
    expect(first).toMatchObject({ status: 'succeeded', error: null, fetched: 6, accepted: 6, rejected: 0, unchanged: 0, watermarkBefore: null, watermarkAfter: '2023-10-02T08:00:00' });
    expect(first.detail).toMatchObject({ pages: 2, submissions: 3, trigger: 'manual' });
    expect(requestsOf('kobo-referrals').map((r) => [r.page, r.since])).toEqual([[1, null], [2, null]]);
    expect(await currentValue('LY10P0563', 'OP1.1.b', '2023-Q1', 'female')).toMatchObject({ value: 11, source: 'kobo-referrals' });
    expect(await currentValue('LY10P0563', 'OP1.1.b', '2023-Q3', 'male')).toMatchObject({ value: 32 });
    expect(await getWatermark(ctx.pool, 'kobo-referrals')).toBe('2023-10-02T08:00:00');
    // The token went in the header, and appears nowhere in the gather log.
    expect(requestsOf('kobo-referrals')[0]!.authorization).toBe(`Token ${TOKEN}`);
    expect(JSON.stringify(await gatherLog(ctx))).not.toContain(TOKEN);

    // Incremental: only submissions since the watermark are asked for; the one at the watermark, read already, is left out.
    const revisions = (await currentValue('LY10P0563', 'OP1.1.b', '2023-Q3', 'female'))!.count;
    const second = await run('kobo-referrals');
    expect(requestsOf('kobo-referrals').at(-1)!.since).toBe('2023-10-02T08:00:00');
    expect(second).toMatchObject({ status: 'succeeded', fetched: 0, accepted: 0, rejected: 0, unchanged: 0, watermarkBefore: '2023-10-02T08:00:00', watermarkAfter: '2023-10-02T08:00:00' });
    expect(second.detail).toMatchObject({ submissions: 1, alreadyRead: 1 });
    expect((await currentValue('LY10P0563', 'OP1.1.b', '2023-Q3', 'female'))!.count).toBe(revisions); // no new revision

    // A new submission correcting Q1 arrives; the watermark follows it.
    api.datasets.get('kobo-referrals')!.push({ _id: 4, _submission_time: '2023-10-05T09:30:00', report_month: '2023-03-01', 'referrals/female': 15, 'referrals/male': 12 });
    const third = await run('kobo-referrals');
    expect(third).toMatchObject({ status: 'succeeded', fetched: 2, unchanged: 0, watermarkAfter: '2023-10-05T09:30:00' });
    expect(third.accepted).toBe(2); // Q1 female corrected; Q1 male now from submission 4 (its comment changed)
    expect(await currentValue('LY10P0563', 'OP1.1.b', '2023-Q1', 'female')).toMatchObject({ value: 15 });
    expect(await getWatermark(ctx.pool, 'kobo-referrals')).toBe('2023-10-05T09:30:00');
  });

  it('moves the watermark only once the fetched rows are stored; rows the import rejects wait in the quarantine', async () => {
    api.datasets.set('held', [{ _id: 1, _submission_time: '2024-03-01T00:00:00', period: '2023-Q4', n: 7 }]);
    expect(await run('held')).toMatchObject({ status: 'succeeded', accepted: 1, watermarkAfter: '2024-03-01T00:00:00' });

    // Hold the import lock: the next run fetches and stages its rows, then waits to store them.
    api.datasets.get('held')!.push({ _id: 2, _submission_time: '2024-04-01T00:00:00', period: '2023-Q4', n: 8 });
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rbm:import']);
    const started = await runSource(ctx, 'held', { wait: false });
    // Staged in PostgreSQL (issue 18: the worker that stores may not be the one that fetched).
    await expect.poll(() => countStaged(ctx.pool, 'held'), { timeout: 30_000, interval: 100 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await getWatermark(ctx.pool, 'held')).toBe('2024-03-01T00:00:00'); // fetched, not stored: not moved
    await holder.query('COMMIT');
    await holder.end();
    await ctx.temporal.workflow.getHandle(started.workflowId, started.runId).result();
    expect(await getWatermark(ctx.pool, 'held')).toBe('2024-04-01T00:00:00');
    expect(await currentValue('LY10P0563', 'OP1.1.c', '2023-Q4')).toMatchObject({ value: 8, source: 'held' });
    expect(await countStaged(ctx.pool, 'held')).toBe(0); // the staged rows are removed once stored
    const staging = path.join(scratch, 'staging'); // the worker's scratch folder: the file the import read is gone too
    expect(fs.existsSync(staging) ? fs.readdirSync(staging) : []).toEqual([]);

    // A row the import rejects is kept in the quarantine (to fix and resubmit there): the run succeeds and moves on.
    api.datasets.get('held')!.push({ _id: 3, _submission_time: '2024-05-01T00:00:00', period: '2023-Q4', n: 'about forty' });
    const rejected = await run('held');
    expect(rejected).toMatchObject({ status: 'succeeded', fetched: 1, accepted: 0, rejected: 1, watermarkAfter: '2024-05-01T00:00:00' });
    expect(rejected.detail.problems).toEqual(['row 1, value: "about forty" is not a number']);
  });

  it('retries a 500 and then stores the answer', async () => {
    api.datasets.set('flaky', [{ _id: 1, _submission_time: '2024-01-01T00:00:00', period: '2023-Q1', n: 101 }]);
    api.behaviour.set('flaky', { failFirst: { status: 500, times: 1 } });
    const r = await run('flaky');
    expect(r).toMatchObject({ status: 'succeeded', accepted: 1, error: null });
    expect(requestsOf('flaky')).toHaveLength(2);
    expect(await currentValue('LY10P0563', 'OP1.1.c', '2023-Q1')).toMatchObject({ value: 101, source: 'flaky' });
  });

  it('retries a slow answer past the timeout', async () => {
    api.datasets.set('slow', [{ _id: 1, _submission_time: '2024-01-01T00:00:00', period: '2023-Q2', n: 102 }]);
    api.behaviour.set('slow', { slowFirst: { page: 1, ms: 3000 } });
    const r = await run('slow');
    expect(r).toMatchObject({ status: 'succeeded', accepted: 1 });
    const reqs = requestsOf('slow');
    expect(reqs).toHaveLength(2);
    expect(reqs[1]!.at - reqs[0]!.at).toBeGreaterThanOrEqual(1000); // abandoned at the 1 s timeout, then retried after the backoff
    expect(await currentValue('LY10P0563', 'OP1.1.c', '2023-Q2')).toMatchObject({ value: 102 });
  });

  it('fails at once on a malformed body and on a 401, with a clear message in the gather log; a 5xx fails after its retries', async () => {
    api.datasets.set('malformed', []);
    api.behaviour.set('malformed', { malformed: true });
    const malformed = await run('malformed');
    expect(malformed.status).toBe('failed');
    expect(malformed.error).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2\/assets\/malformed\/data\/ did not answer with JSON \(.*; the answer begins "\{"count": 3/);
    expect(requestsOf('malformed')).toHaveLength(1);

    const locked = await run('locked');
    expect(locked.status).toBe('failed');
    expect(locked.error).toMatch(/refused the credentials \(HTTP 401 Unauthorized\): check the token in environment variable WRONG_TOKEN$/);
    expect(locked.error).not.toContain('not-the-token');
    expect(requestsOf('locked')).toHaveLength(1);
    expect(await getWatermark(ctx.pool, 'locked')).toBeNull();

    api.behaviour.set('down', { alwaysStatus: 503 });
    const down = await run('down');
    expect(down).toMatchObject({ status: 'failed', accepted: 0 });
    expect(down.error).toMatch(/answered HTTP 503 Service Unavailable$/);
    expect(requestsOf('down')).toHaveLength(2); // retries: 2

    const logged = await gatherLog(ctx, { sourceId: 'locked' });
    expect(logged[0]).toMatchObject({ status: 'failed', error: locked.error, finishedAt: expect.any(String) });
  });
});

describe('the SQL source', () => {
  it('reads a project\'s own database read-only, and a rerun changes nothing', async () => {
    const first = await run('clinic-db');
    expect(first).toMatchObject({ status: 'succeeded', fetched: 3, accepted: 3, rejected: 0, unchanged: 0 });
    expect(await currentValue('LY10P0563', 'OP2.1.b', '2023-Q1', 'male')).toMatchObject({ value: 5, source: 'clinic register' });
    const second = await run('clinic-db');
    expect(second).toMatchObject({ status: 'succeeded', fetched: 3, accepted: 0, unchanged: 3 });

    const writes = await run('clinic-db-writes');
    expect(writes.status).toBe('failed');
    expect(writes.error).toMatch(/tries to write .*read-only transaction/);
    expect(writes.error).not.toContain(projectDbUrl);
    const project = new pg.Client({ connectionString: projectDbUrl });
    await project.connect();
    expect((await project.query('SELECT sum(trained)::int AS n FROM trainings')).rows[0].n).toBe(15);
    await project.end();
  });
});

describe('the IATI source', () => {
  it('imports the actuals of our own export for the project; a second run is all unchanged', async () => {
    const first = await run('health-iati');
    expect(first.status).toBe('succeeded');
    expect(first.fetched).toBeGreaterThan(50);
    expect(first.rejected).toBe(0);
    expect(first.accepted + first.unchanged).toBe(first.fetched);
    expect(first.detail).toMatchObject({ activityId: 'XM-DAC-47066-LY10P0563' });
    const second = await run('health-iati');
    expect(second).toMatchObject({ status: 'succeeded', accepted: 0, rejected: 0, fetched: first.fetched, unchanged: first.fetched });
  });
});

describe('the drop folder', () => {
  it('imports each file once by content, then moves it to done/ or failed/ with its report', async () => {
    const good = 'project_code,indicator_code,period,value,comment\nLY10P0558,OP1.1.b,2023-Q2,17,drop test\nLY10P0558,OP1.1.a,2023-Q2,3,drop test\n';
    fs.writeFileSync(path.join(dropDir, 'good.csv'), good);
    fs.writeFileSync(path.join(dropDir, 'bad.csv'), 'project_code,indicator_code,period,value\nLY10P0558,OP9.9,2023-Q2,1\nLY10P0558,OP1.1.b,2023-Q3,x\n');
    fs.writeFileSync(path.join(dropDir, 'notes.partial'), 'still being written');
    const old = new Date(Date.now() - 60_000);
    for (const f of ['good.csv', 'bad.csv']) fs.utimesSync(path.join(dropDir, f), old, old);

    const r = await run('wash-drop');
    expect(r).toMatchObject({ status: 'succeeded', fetched: 2, accepted: 2, rejected: 2 });
    expect(fs.readdirSync(dropDir).sort()).toEqual(['done', 'failed', 'notes.partial']);
    expect(fs.readdirSync(path.join(dropDir, 'done')).sort()).toEqual(['good.csv', 'good.csv.report.json']);
    expect(fs.readdirSync(path.join(dropDir, 'failed')).sort()).toEqual(['bad.csv', 'bad.csv.report.json']);
    const report = JSON.parse(fs.readFileSync(path.join(dropDir, 'failed', 'bad.csv.report.json'), 'utf8'));
    expect(report).toMatchObject({ file: 'bad.csv', accepted: 0, rejected: 2, refused: false });
    expect(report.errors.map((e: { row: number }) => e.row)).toEqual([2, 3]);
    expect(await currentValue('LY10P0558', 'OP1.1.b', '2023-Q2')).toMatchObject({ value: 17 });

    // The same content under another name is not imported again.
    const revisions = (await currentValue('LY10P0558', 'OP1.1.b', '2023-Q2'))!.count;
    fs.writeFileSync(path.join(dropDir, 'good-again.csv'), good);
    fs.utimesSync(path.join(dropDir, 'good-again.csv'), old, old);
    const again = await run('wash-drop');
    expect(again).toMatchObject({ status: 'succeeded', fetched: 1, accepted: 0, rejected: 0, unchanged: 0 });
    const goodFile = (r.detail.files as Array<{ name: string; batchId: number }>).find((f) => f.name === 'good.csv')!;
    expect((again.detail.files as Array<{ alreadyImported: boolean; batchId: number }>)[0]).toMatchObject({ name: 'good-again.csv', alreadyImported: true, outcome: 'done', batchId: goodFile.batchId });
    expect(fs.existsSync(path.join(dropDir, 'done', 'good-again.csv'))).toBe(true);
    expect((await currentValue('LY10P0558', 'OP1.1.b', '2023-Q2'))!.count).toBe(revisions);
  });

  it('records a missing folder as a configuration error', async () => {
    fs.renameSync(dropDir, `${dropDir}-away`);
    try {
      const r = await run('wash-drop');
      expect(r.status).toBe('failed');
      expect(r.error).toBe(`the drop folder ${dropDir} does not exist`);
    } finally {
      fs.renameSync(`${dropDir}-away`, dropDir);
    }
  });
});

describe('schedules', () => {
  it('keeps one real Temporal Schedule per scheduled source, idempotently; pause and resume; a scheduled run gathers', async () => {
    const first = await syncSourceSchedules(ctx);
    expect([...first.created, ...first.updated].sort()).toEqual(['source/clinic-db', 'source/kobo-referrals', 'source/wash-drop']);
    const again = await syncSourceSchedules(ctx);
    expect(again).toEqual({ created: [], updated: ['source/kobo-referrals', 'source/clinic-db', 'source/wash-drop'], deleted: [] });

    const kobo = await ctx.temporal.schedule.getHandle('source/kobo-referrals').describe();
    expect(kobo.spec.intervals?.[0]?.every).toBe(3_600_000);
    expect(kobo.action).toMatchObject({ type: 'startWorkflow', workflowType: 'gatherSourceWorkflow', workflowId: 'gather/kobo-referrals', taskQueue: QUEUE });
    const clinic = await ctx.temporal.schedule.getHandle('source/clinic-db').describe();
    expect(clinic.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }] });

    // The Temporal CLI sees them too.
    const temporal = path.join(PROJECT_ROOT, 'tools', 'bin', 'temporal');
    if (fs.existsSync(temporal)) {
      const { stdout } = await promisify(execFile)(temporal, ['schedule', 'list', '--address', inject('temporalAddress'), '--namespace', 'default']);
      expect(stdout).toContain('source/wash-drop');
    }

    await pauseSource(ctx, 'kobo-referrals', 'form being revised');
    await syncSourceSchedules(ctx); // a sync keeps it paused
    let listed = await sourcesList(ctx);
    expect(listed.find((s) => s.id === 'kobo-referrals')).toMatchObject({ paused: true, schedule: 'every 1h', scheduleId: 'source/kobo-referrals', watermark: '2023-10-05T09:30:00', lastRun: { status: 'succeeded' } });
    expect(listed.find((s) => s.id === 'flaky')).toMatchObject({ paused: null, schedule: 'manual', scheduleId: null });
    await resumeSource(ctx, 'kobo-referrals');
    listed = await sourcesList(ctx);
    expect(listed.find((s) => s.id === 'kobo-referrals')!.paused).toBe(false);
    await expect(pauseSource(ctx, 'flaky')).rejects.toThrow(/has no schedule/);

    // The schedule starts a gather run (workflow id gather/<source>-<time>).
    await ctx.temporal.schedule.getHandle('source/wash-drop').trigger();
    await expect.poll(async () => (await listGatherRuns(ctx.pool, { sourceId: 'wash-drop', limit: 1 }))[0], { timeout: 30_000 })
      .toMatchObject({ status: 'succeeded', workflowId: expect.stringMatching(/^gather\/wash-drop-\d{4}-/), detail: { trigger: 'schedule' } });

    // A source that loses its schedule loses its Temporal Schedule.
    writeSources(sourcesJson({ schedules: false }));
    const trimmed = await syncSourceSchedules(ctx);
    expect(trimmed.deleted).toContain('source/clinic-db');
    writeSources(sourcesJson());
  });
});

describe('a report cycle gathering its project\'s sources', () => {
  it('runs every source of the project as a child workflow and says which failed, without failing itself', async () => {
    const results = await ctx.temporal.workflow.execute(gatherProjectWorkflow, { workflowId: `gather-project-test-${Date.now()}`, taskQueue: QUEUE, args: ['LY10P0563'] });
    const byId = new Map(results.map((r: ProjectSourceGathered) => [r.sourceId, r]));
    expect([...byId.keys()].sort()).toEqual(['clinic-db', 'clinic-db-writes', 'down', 'flaky', 'health-iati', 'held', 'kobo-referrals', 'locked', 'malformed', 'slow']);
    // (The IATI source writes the same cells as the others here, so their values may come back as new revisions.)
    expect(byId.get('clinic-db')).toMatchObject({ ok: true, outcome: { fetched: 3, rejected: 0 } });
    expect(byId.get('clinic-db')!.outcome!.accepted + byId.get('clinic-db')!.outcome!.unchanged).toBe(3);
    expect(byId.get('kobo-referrals')).toMatchObject({ ok: true, outcome: { fetched: 0, accepted: 0, watermark: '2023-10-05T09:30:00' } });
    expect(byId.get('locked')).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 401/) });
    expect(byId.get('flaky')!.workflowId).toMatch(/^gather\/flaky\/gather-project-test-/);
  });
});

describe('the command line', () => {
  // `rbm sources ...` as a process: the command module with the same error handling as cli/main.ts.
  async function rbmSources(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = path.join(scratch, 'rbm-sources.mjs');
    fs.writeFileSync(script, [
      "import { createRequire } from 'node:module';",
      `const { Command } = createRequire(${JSON.stringify(path.join(PROJECT_ROOT, 'package.json'))})('commander');`,
      `const { registerSourceCommands } = await import(${JSON.stringify(path.join(PROJECT_ROOT, 'cli', 'commands', 'sources.ts'))});`,
      `const { reportError } = await import(${JSON.stringify(path.join(PROJECT_ROOT, 'cli', 'output.ts'))});`,
      "const program = new Command('rbm').exitOverride();",
      'registerSourceCommands(program);',
      'try { await program.parseAsync(process.argv); process.exitCode = 0; }',
      "catch (e) { const c = e && e.code; process.exitCode = typeof c === 'string' && c.startsWith('commander.') ? 2 : reportError(e); }",
      'setTimeout(() => process.exit(), 1000).unref();',
    ].join('\n'));
    const env = {
      ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), RBM_TASK_QUEUE: QUEUE, RBM_SOURCES_FILE: sourcesFile,
      RBM_DATA_DIR: path.join(scratch, 'data-cli'),
    };
    try {
      const { stdout, stderr } = await promisify(execFile)('node', ['--import', 'tsx', script, ...args], { cwd: PROJECT_ROOT, env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  }

  it('lists, syncs, runs, pauses and resumes sources and prints the gather log', async () => {
    expect((await rbmSources(['sources', 'sync'])).code).toBe(0);
    expect((await rbmSources(['sources', 'sync'])).stdout.trim()).toBe('source schedules: 0 created, 3 updated, 0 deleted');
    const list = await rbmSources(['sources', 'list', '--json']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    const listed = JSON.parse(list.stdout) as Array<{ id: string; paused: boolean | null; schedule: string }>;
    expect(listed.find((s) => s.id === 'kobo-referrals')).toMatchObject({ paused: false, schedule: 'every 1h' });
    expect((await rbmSources(['sources', 'list'])).stdout).toMatch(/^id\s+kind\s+project\s+schedule\s+state/);

    api.datasets.set('flaky', [{ _id: 1, _submission_time: '2024-01-01T00:00:00', period: '2023-Q1', n: 101 }]);
    api.behaviour.delete('flaky');
    const ran = await rbmSources(['sources', 'run', 'flaky']);
    expect(ran).toMatchObject({ code: 0, stdout: expect.stringMatching(/^source flaky: [01] fetched, [01] accepted, 0 rejected, [01] unchanged \(gather log #\d+\)\n$/) });
    const refused = await rbmSources(['sources', 'run', 'locked']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/^rbm: source locked failed: .*HTTP 401 Unauthorized\): check the token in environment variable WRONG_TOKEN \(gather log #\d+\)/);
    expect(refused.stderr).not.toContain('not-the-token');
    expect((await rbmSources(['sources', 'run', 'nope'])).code).toBe(4);

    expect((await rbmSources(['sources', 'pause', 'kobo-referrals', '--note', 'form revision'])).stdout.trim()).toBe('source kobo-referrals: schedule paused');
    expect((await ctx.temporal.schedule.getHandle('source/kobo-referrals').describe()).state).toMatchObject({ paused: true, note: 'form revision' });
    expect((await rbmSources(['sources', 'resume', 'kobo-referrals'])).code).toBe(0);
    expect((await ctx.temporal.schedule.getHandle('source/kobo-referrals').describe()).state.paused).toBe(false);
    expect((await rbmSources(['sources', 'pause', 'flaky'])).code).toBe(2);

    const logged = JSON.parse((await rbmSources(['sources', 'log', '--source', 'locked', '--json'])).stdout) as GatherRun[];
    expect(logged[0]).toMatchObject({ sourceId: 'locked', status: 'failed', error: expect.stringMatching(/HTTP 401/) });
    const table = await rbmSources(['sources', 'log']);
    expect(table.stdout).toMatch(/^id\s+sourceId\s+status/);
    expect(table.stdout).not.toContain(TOKEN);
  });
});

describe('a killed worker', () => {
  let child: ChildProcess | undefined;
  const workerEnv = () => ({
    ...process.env, ...secretEnv(),
    DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), RBM_TASK_QUEUE: KILL_QUEUE, RBM_RENDER_TASK_QUEUE: `${KILL_QUEUE}-render`,
    RBM_OUT_DIR: path.join(scratch, 'out-kill'), RBM_DATA_DIR: path.join(scratch, 'data-kill'), RBM_SOURCES_FILE: sourcesFile, RBM_LOG_LEVEL: 'error',
  });
  async function spawnWorker(): Promise<ChildProcess> {
    const p = spawn('node', ['bin/rbm.js', 'worker'], { cwd: PROJECT_ROOT, env: workerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Worker running')) resolve();
      });
      p.once('exit', (code) => reject(new Error(`the worker exited (${code}): ${out}`)));
    });
    return p;
  }
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('is replaced by another, which finishes the gather run; the watermark moves only once the rows are stored', async () => {
    api.datasets.set('crash', [
      { _id: 1, _submission_time: '2024-02-01T00:00:00', period: '2024-Q1', n: 201 },
      { _id: 2, _submission_time: '2024-05-01T00:00:00', period: '2024-Q2', n: 202 },
      { _id: 3, _submission_time: '2024-08-01T00:00:00', period: '2024-Q3', n: 203 },
    ]);
    api.behaviour.set('crash', { slowFirst: { page: 2, ms: 60_000 } });
    const indicator = 'OP1.1.b'; // of LY10P0551 (MHPSS): people receiving specialised services

    child = await spawnWorker();
    const started = await runSource({ ...ctx, config: { ...ctx.config, taskQueue: KILL_QUEUE } }, 'crash', { wait: false });
    await expect.poll(() => requestsOf('crash').some((r) => r.page === 2), { timeout: 60_000, interval: 100 }).toBe(true);
    // Mid-fetch: nothing stored, no watermark.
    expect(await getWatermark(ctx.pool, 'crash')).toBeNull();
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    child = await spawnWorker();
    await ctx.temporal.workflow.getHandle(started.workflowId, started.runId).result();
    const [logged] = await gatherLog(ctx, { sourceId: 'crash' });
    expect(logged!.detail.problems).toBeUndefined();
    expect(logged).toMatchObject({ status: 'succeeded', runId: started.runId, fetched: 3, accepted: 3, rejected: 0, watermarkAfter: '2024-08-01T00:00:00' });
    expect(await getWatermark(ctx.pool, 'crash')).toBe('2024-08-01T00:00:00');
    // The fetch started again on the second worker: page 1 twice, the slow page 2 twice.
    expect(requestsOf('crash').map((r) => r.page)).toEqual([1, 2, 1, 2, 3]);
    const stored = await ctx.pool.query(
      `SELECT v.period, v.value FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
        WHERE p.code = 'LY10P0551' AND i.code = $1 AND v.source = 'crash' AND v.superseded_at IS NULL ORDER BY v.period`,
      [indicator],
    );
    expect(stored.rows).toEqual([{ period: '2024-Q1', value: 201 }, { period: '2024-Q2', value: 202 }, { period: '2024-Q3', value: 203 }]);
    const history = await ctx.temporal.workflow.getHandle(started.workflowId, started.runId).fetchHistory();
    const fetchAttempts = history.events!.filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt! > 1);
    expect(fetchAttempts.length).toBeGreaterThanOrEqual(1);
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
  });
});
