/**
 * Workers on different hosts (issue 18), simulated on one machine: two workers in this process, "host-a"
 * and "host-b", each with its own sources file, scratch (staging) and outbox folders; they share only
 * PostgreSQL, Temporal and SMTP. The drop folder exists on host-a only, whose worker alone polls the
 * folder's queue. Activities are handed from one host to the other: after an activity completes, the
 * worker that ran it starts the other host's worker and shuts itself down (an activity interceptor;
 * each worker has its own Temporal identity, so every handing-over is visible). The gathers and the report
 * cycle complete with the rows, counts and values one worker gives (test/sources.spec.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openAppContext, type AppContext } from '../app/context.js';
import { cycleResult, cycleStatus, decide, startCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { gatherLog, runSource } from '../app/sources.js';
import { loadConfig } from '../config/config.js';
import { countStaged } from '../db/gather-staging-repository.js';
import type { CycleStatus } from '../domain/report-cycle.js';
import { createLogger } from '../runtime/logger.js';
import { startWorker, type RunningWorker } from '../worker/worker.js';
import { ownDatabase } from './support/own-database.js';
import { testPayloadKeys } from './support/test-system.js';

const QUEUE = 'test-separate-hosts';
const HOST_QUEUE = `${QUEUE}-host-a`;
const PROJECT = 'LY10P0563';
const TOKEN = 'separate-hosts-token';
const log = createLogger(process.env.RBM_LOG_LEVEL ?? 'warn', 'separate-hosts');

type HostName = 'host-a' | 'host-b';
interface Host {
  name: HostName;
  dir: string;
  sourcesFile: string;
  worker?: RunningWorker;
  stopping?: Promise<void>;
}

let scratch: string;
let databaseUrl: string;
let projectDbUrl: string;
let ctx: AppContext;
let api: { url: string; submissions: Array<Record<string, unknown>>; close(): Promise<void> };
const hosts = {} as Record<HostName, Host>;
/** Every activity completed, in order: which host ran it, for which workflow. */
const ran: Array<{ host: HostName; activity: string; workflowId: string; runId: string }> = [];

// ---------------------------------------------------------------------------------------------------
// Handing activities from one host to the other

const baton = { on: false, after: null as Set<string> | null, active: 'host-a' as HostName, swapping: false, lastDone: Date.now() };
const other = (h: HostName): HostName => (h === 'host-a' ? 'host-b' : 'host-a');

function handingOver(name: HostName): ActivityInterceptorsFactory {
  return (actx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        const activity = actx.info.activityType;
        ran.push({ host: name, activity, workflowId: actx.info.workflowExecution?.workflowId ?? '', runId: actx.info.workflowExecution?.runId ?? '' });
        baton.lastDone = Date.now();
        if (baton.on && baton.active === name && (!baton.after || baton.after.has(activity))) await handOver(name);
        return result;
      },
    },
  });
}

/** Starts the other host's worker and shuts this one down (it drains: the activity that called finishes). */
async function handOver(from: HostName): Promise<void> {
  if (baton.swapping) return;
  baton.swapping = true;
  try {
    await startHost(other(from));
    baton.active = other(from);
    void stopHost(from);
  } finally {
    baton.swapping = false;
    baton.lastDone = Date.now();
  }
}

async function startHost(name: HostName): Promise<void> {
  const h = hosts[name];
  await h.stopping;
  if (h.worker) return;
  h.worker = await startWorker({
    databaseUrl, temporalAddress: inject('temporalAddress'), namespace: 'default', payloadKeys: testPayloadKeys(), identity: name,
    taskQueue: QUEUE, renderTaskQueue: `${QUEUE}-render`, outDir: path.join(h.dir, 'out'), sourcesFile: h.sourcesFile, log,
    smtpUrl: inject('smtpUrl'), publicUrl: 'http://rbm.test', secretEnv: { KOBO_TOKEN: TOKEN, CLINIC_DB_URL: projectDbUrl },
    activityInterceptors: [handingOver(name)],
    maxCachedWorkflows: 0, // no sticky queue: each workflow task goes to whichever host polls (and replays there)
  });
}

function stopHost(name: HostName): Promise<void> {
  const h = hosts[name];
  const w = h.worker;
  if (!w) return h.stopping ?? Promise.resolve();
  h.worker = undefined;
  h.stopping = w.shutdown();
  return h.stopping;
}

/** Only `name` runs, and hands over after the given activities (all: null). */
async function only(name: HostName, after: string[] | null): Promise<void> {
  baton.on = false;
  await stopHost(other(name));
  await startHost(name);
  Object.assign(baton, { on: true, after: after && new Set(after), active: name, lastDone: Date.now() });
}

/** The activities of a workflow (of one run of it), in order, as activity@host. */
/**
 * A query or Update that reaches a workflow while the worker answering it shuts down times out or is
 * cancelled: asked again.
 */
async function again<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const timedOut = /timed out|DEADLINE_EXCEEDED|CANCELLED|context canceled/i.test(`${(e as Error).message} ${String((e as { cause?: Error }).cause?.message ?? '')}`);
      if (!timedOut || attempt >= 10) throw e;
    }
  }
}

const ranIn = (workflowId: string, runId?: string) =>
  ran.filter((r) => r.workflowId === workflowId && (!runId || r.runId === runId)).map((r) => `${r.activity}@${r.host}`);

// ---------------------------------------------------------------------------------------------------
// The sources: a form API on loopback, a project database, a drop folder on host-a

function sourcesJson() {
  return {
    stagingDir: 'staging',
    sources: [
      {
        id: 'hosts-form', kind: 'form-api', project: PROJECT, url: `${api.url}/api/v2/assets/hosts/data/`,
        auth: { scheme: 'Token', token: { env: 'KOBO_TOKEN' } }, paging: { style: 'next-url', pageSize: 2 },
        since: { field: '_submission_time', param: 'query', template: '{"_submission_time":{"$gte":"{since}"}}' },
        mapping: { period: { field: 'period' }, values: [{ field: 'n', indicator: 'OP1.1.c' }] }, timeoutSeconds: 5,
      },
      { id: 'hosts-sql', kind: 'sql', project: PROJECT, connection: { env: 'CLINIC_DB_URL' }, query: 'SELECT indicator_code, period, trained AS value, sex, \'clinic register\' AS source FROM trainings ORDER BY period, sex' },
      { id: 'hosts-drop', kind: 'folder', project: PROJECT, path: 'drop', taskQueue: HOST_QUEUE },
    ],
  };
}

async function startFormApi(): Promise<typeof api> {
  const submissions: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Token ${TOKEN}`) return void res.writeHead(401).end('{"detail":"Invalid token."}');
    const query = u.searchParams.get('query');
    const since = query ? (JSON.parse(query) as { _submission_time: { $gte: string } })._submission_time.$gte : null;
    const limit = Number(u.searchParams.get('limit') ?? '100');
    const start = Number(u.searchParams.get('start') ?? '0');
    const all = submissions.filter((s) => since === null || String(s._submission_time) >= since);
    const next = start + limit < all.length ? `http://${req.headers.host}${u.pathname}?limit=${limit}&start=${start + limit}${query ? `&query=${encodeURIComponent(query)}` : ''}` : null;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: all.length, next, results: all.slice(start, start + limit) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, submissions, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function currentValue(indicator: string, period: string, sex = ''): Promise<{ value: number | null; source: string } | undefined> {
  const { rows } = await ctx.pool.query(
    `SELECT v.value, v.source FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.sex = $4 AND v.location = '' AND v.age_group = '' AND v.population_type = ''
        AND v.nationality = '' AND v.superseded_at IS NULL`,
    [PROJECT, indicator, period, sex],
  );
  return rows[0] as { value: number | null; source: string } | undefined;
}

function drop(name: string, csv: string) {
  const file = path.join(hosts['host-a'].dir, 'drop', name);
  fs.writeFileSync(file, csv);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(file, old, old);
}

const scratchLeft = () => (['host-a', 'host-b'] as const).flatMap((h) => {
  const dir = path.join(hosts[h].dir, 'staging');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `${h}/${f}`) : [];
});

beforeAll(async () => {
  ({ databaseUrl } = await ownDatabase('rbm_separate_hosts').then(async (o) => (await o.pool.end(), o)));
  const serverUrl = inject('databaseUrl');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS rbm_separate_hosts_project WITH (FORCE)');
  await admin.query('CREATE DATABASE rbm_separate_hosts_project');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/rbm_separate_hosts_project';
  projectDbUrl = url.toString();
  const project = new pg.Client({ connectionString: projectDbUrl });
  await project.connect();
  await project.query('CREATE TABLE trainings (indicator_code text, period text, sex text, trained int)');
  await project.query(`INSERT INTO trainings VALUES ('OP2.1.b', '2023-Q1', 'female', 4), ('OP2.1.b', '2023-Q1', 'male', 5), ('OP2.1.b', '2023-Q2', 'female', 6)`);
  await project.end();

  api = await startFormApi();
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'separate-hosts-'));
  for (const name of ['host-a', 'host-b'] as const) {
    const dir = path.join(scratch, name);
    fs.mkdirSync(dir, { recursive: true });
    hosts[name] = { name, dir, sourcesFile: path.join(dir, 'sources.json') };
    fs.writeFileSync(hosts[name].sourcesFile, JSON.stringify(sourcesJson(), null, 2));
  }
  fs.mkdirSync(path.join(hosts['host-a'].dir, 'drop')); // the drop folder is on host-a only

  const config = {
    ...loadConfig({ RBM_PAYLOAD_KEYS: inject('payloadKeys') }), databaseUrl, temporalAddress: inject('temporalAddress'), taskQueue: QUEUE,
    renderTaskQueue: `${QUEUE}-render`, sourcesFile: hosts['host-a'].sourcesFile, outDir: path.join(scratch, 'out-client'),
  };
  ctx = await openAppContext(config, { databaseUrl, temporalAddress: config.temporalAddress, temporalUiUrl: null }, log);
});

let watchdog: NodeJS.Timeout | undefined;
afterAll(async () => {
  clearInterval(watchdog);
  baton.on = false;
  await ctx?.close();
  await Promise.all([stopHost('host-a'), stopHost('host-b')]);
  await api?.close();
});

describe('gathering on two hosts', () => {
  it('stores on one host the rows another host fetched (form API, then SQL), staged in PostgreSQL', async () => {
    api.submissions.push(
      { _id: 1, _submission_time: '2024-01-01T00:00:00', period: '2023-Q1', n: 101 },
      { _id: 2, _submission_time: '2024-02-01T00:00:00', period: '2023-Q2', n: 102 },
      { _id: 3, _submission_time: '2024-03-01T00:00:00', period: '2023-Q3', n: 103 },
    );
    await only('host-a', ['fetchSource']); // each fetch hands the rest of its run to the other host
    const form = await runSource(ctx, 'hosts-form');
    expect(form.log).toMatchObject({ status: 'succeeded', error: null, fetched: 3, accepted: 3, rejected: 0, unchanged: 0, watermarkAfter: '2024-03-01T00:00:00' });
    expect(ranIn(form.workflowId, form.runId)).toEqual(['beginGather@host-a', 'fetchSource@host-a', 'storeStaged@host-b', 'finishGather@host-b']);
    expect(await currentValue('OP1.1.c', '2023-Q2')).toMatchObject({ value: 102, source: 'hosts-form' });

    const sql = await runSource(ctx, 'hosts-sql');
    expect(sql.log).toMatchObject({ status: 'succeeded', fetched: 3, accepted: 3, rejected: 0, unchanged: 0 });
    expect(ranIn(sql.workflowId, sql.runId)).toEqual(['beginGather@host-b', 'fetchSource@host-b', 'storeStaged@host-a', 'finishGather@host-a']);
    expect(await currentValue('OP2.1.b', '2023-Q1', 'male')).toMatchObject({ value: 5, source: 'clinic register' });

    // Nothing is left behind: no staged rows, no file in either host's scratch folder.
    expect(await countStaged(ctx.pool)).toBe(0);
    expect(scratchLeft()).toEqual([]);
  });

  it('runs a drop folder\'s gather on its host\'s queue only: it waits while that host is down', async () => {
    drop('clinics.csv', `project_code,indicator_code,period,value,sex,comment\n${PROJECT},OP1.1.b,2023-Q2,250,female,dropped on host-a\n${PROJECT},OP1.1.b,2023-Q3,260,female,dropped on host-a\n`);
    await only('host-b', null);
    baton.on = false; // host-b alone, and it stays so
    const started = await runSource(ctx, 'hosts-drop', { wait: false });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [waiting] = await gatherLog(ctx, { sourceId: 'hosts-drop' });
    expect(waiting).toMatchObject({ status: 'running', runId: started.runId });
    expect(ranIn(started.workflowId, started.runId)).toEqual(['beginGather@host-b']); // host-b does not poll host-a's queue
    expect(fs.existsSync(path.join(hosts['host-a'].dir, 'drop', 'clinics.csv'))).toBe(true);

    await startHost('host-a');
    await ctx.temporal.workflow.getHandle(started.workflowId, started.runId).result();
    const [done] = await gatherLog(ctx, { sourceId: 'hosts-drop' });
    expect(done).toMatchObject({ status: 'succeeded', fetched: 1, accepted: 2, rejected: 0 });
    const onHostA = ranIn(started.workflowId, started.runId).filter((r) => /DropFile/.test(r));
    expect(onHostA).toEqual(['listDropFiles@host-a', 'importDropFile@host-a']);
    expect(fs.readdirSync(path.join(hosts['host-a'].dir, 'drop', 'done')).sort()).toEqual(['clinics.csv', 'clinics.csv.report.json']);
    expect(await currentValue('OP1.1.b', '2023-Q3', 'female')).toMatchObject({ value: 260 });
  });

  it('refuses a run on a worker whose sources file defines the source differently, naming both digests', async () => {
    const changed = sourcesJson();
    (changed.sources[0] as { timeoutSeconds: number }).timeoutSeconds = 9; // host-b's file drifted
    fs.writeFileSync(hosts['host-b'].sourcesFile, JSON.stringify(changed, null, 2));
    try {
      await only('host-b', null);
      baton.on = false;
      const r = await runSource(ctx, 'hosts-form');
      expect(r.log!.status).toBe('failed');
      expect(r.log!.error).toMatch(new RegExp(`^source hosts-form: this worker's sources file ${hosts['host-b'].sourcesFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} defines it with digest [0-9a-f]{64}, but the run was started with digest [0-9a-f]{64}; this worker refuses the run`));
      const [, workerDigest, runDigest] = /digest ([0-9a-f]{64}).*digest ([0-9a-f]{64})/.exec(r.log!.error!)!;
      expect(workerDigest).not.toBe(runDigest);
      expect(ranIn(r.workflowId, r.runId)).toEqual(['beginGather@host-b', 'finishGather@host-b']); // nothing fetched
    } finally {
      fs.writeFileSync(hosts['host-b'].sourcesFile, JSON.stringify(sourcesJson(), null, 2));
    }
  });
});

describe('a report cycle on two hosts', () => {
  it('gathers its form API, SQL and drop-folder sources and completes while every activity hands the next to the other host', async () => {
    // New data at each source for the cycle's period.
    api.submissions.push({ _id: 4, _submission_time: '2025-08-01T00:00:00', period: '2025-Q3', n: 404 });
    const project = new pg.Client({ connectionString: projectDbUrl });
    await project.connect();
    await project.query(`INSERT INTO trainings VALUES ('OP2.1.b', '2025-Q3', 'female', 14), ('OP2.1.b', '2025-Q3', 'male', 15)`);
    await project.end();
    drop('q3.csv', `project_code,indicator_code,period,value,sex,comment\n${PROJECT},OP1.1.b,2025-Q3,31,female,q3 drop\n`);

    await only('host-a', null);
    // A host with nothing to do for a while (waiting for a decision, or for host-a's folder queue) hands over too.
    watchdog = setInterval(() => {
      if (baton.on && !baton.swapping && Date.now() - baton.lastDone > 4000) void handOver(baton.active);
    }, 1000);

    const started = await startCycle(ctx, { projectCode: PROJECT, period: '2025-Q3', startedBy: 'me.officer' });
    let status: CycleStatus = await again(() => waitForCycleState(ctx, started.cycleId, ['awaiting_approval', 'completed', 'cancelled'], 240_000));
    while (status.state === 'awaiting_approval') {
      const { stepIndex: step = 0, approvers, version } = status;
      await again(() => decide(ctx, started.cycleId, { decision: 'approve', by: approvers[0]!, version, comment: 'Approved on two hosts.' }).catch(async (e: unknown) => {
        // Asked again after a time-out, the decision may have been taken already.
        const now = await cycleStatus(ctx, started.cycleId);
        if (now.decisions.some((d) => d.version === version && d.by === approvers[0])) return now;
        throw e;
      }));
      status = await again(() => waitForStep(ctx, started.cycleId, version, step + 1, 240_000));
    }
    if (status.state !== 'completed') status = await again(() => cycleResult(ctx, started.cycleId));
    clearInterval(watchdog);
    baton.on = false;
    expect(status.state).toBe('completed');

    // Each source was gathered by the cycle with the counts one worker gives.
    const gathered = async (id: string) => (await gatherLog(ctx, { sourceId: id })).find((g) => g.workflowId === `gather/${id}/${started.cycleId}/v1`);
    expect(await gathered('hosts-form')).toMatchObject({ status: 'succeeded', fetched: 1, accepted: 1, rejected: 0 });
    expect(await gathered('hosts-sql')).toMatchObject({ status: 'succeeded', fetched: 5, accepted: 2, unchanged: 3, rejected: 0 });
    expect(await gathered('hosts-drop')).toMatchObject({ status: 'succeeded', fetched: 1, accepted: 1, rejected: 0 });
    expect(await currentValue('OP1.1.c', '2025-Q3')).toMatchObject({ value: 404, source: 'hosts-form' });
    expect(await currentValue('OP2.1.b', '2025-Q3', 'male')).toMatchObject({ value: 15, source: 'clinic register' });
    expect(await currentValue('OP1.1.b', '2025-Q3', 'female')).toMatchObject({ value: 31 });
    expect(ranIn(`gather/hosts-drop/${started.cycleId}/v1`).filter((r) => /DropFile/.test(r))).toEqual(['listDropFiles@host-a', 'importDropFile@host-a']);

    // The cycle's own activities ran on both hosts, and so did the steps of its gathers.
    const cycleHosts = new Set(ran.filter((r) => r.workflowId === started.cycleId).map((r) => r.host));
    expect([...cycleHosts].sort()).toEqual(['host-a', 'host-b']);
    const formSteps = ranIn(`gather/hosts-form/${started.cycleId}/v1`);
    expect(formSteps.map((s) => s.split('@')[0])).toEqual(['beginGather', 'fetchSource', 'storeStaged', 'finishGather']);

    // The final report is stored (the web and every worker read it from PostgreSQL); the outbox copy is on
    // the host that delivered it, and only there.
    expect(status.final.map((f) => f.filename).sort()).toEqual([expect.stringMatching(/\.pdf$/), expect.stringMatching(/\.xlsx$/)]);
    const inOutbox = (h: HostName) => {
      const dir = path.join(hosts[h].dir, 'out', PROJECT);
      return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    };
    expect([...inOutbox('host-a'), ...inOutbox('host-b')].sort()).toEqual(status.final.map((f) => f.filename).sort());
    expect(await countStaged(ctx.pool)).toBe(0);
    expect(scratchLeft()).toEqual([]);
  }, 300_000);
});
