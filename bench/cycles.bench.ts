/**
 * A whole portfolio's quarterly cycle at once, end to end: `npm run bench -- cycles [--projects 25]
 * [--workers 1] [--render-concurrency 2] [--temporal dev|server] [--seed 1]`. On services of its own (an
 * embedded PostgreSQL with fsync off, a Temporal dev server in memory or, with `--temporal server`, the
 * real Temporal server on that PostgreSQL as `rbm cluster` runs it, Mailpit), it loads the synthetic portfolio (demo/synth.ts), starts one worker
 * process per `--workers` (as `rbm worker` would, without the schedules), serves the web application
 * in this process, starts the SYNTH_LAST_QUARTER cycle of every project at once (app/cycles.ts
 * startPortfolioCycles, as `rbm cycle start --all`), and approves each step through the HTTP API as its approver (an API token each) as soon
 * as the step is open (its `review_requested` audit event). It follows every cycle to delivery, counts
 * the donor e-mails in Mailpit, reads each workflow's history, and measures the floor: the same
 * drafts and finals rendered back to back without Temporal (activities/report-files.ts
 * buildReportFiles), in this process, after the cycles.
 *
 * Times from the audit trail (PostgreSQL's clock, same machine): start -> draft ready is from the
 * portfolio's start call to each cycle's `draft_rendered`; last approval -> delivered is from the last `approved` to `delivered`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApiToken } from '../app/auth.js';
import { openAppContext, type AppContext } from '../app/context.js';
import { startPortfolioCycles } from '../app/cycles.js';
import { loadSynthPortfolio } from '../app/synth.js';
import { buildReportFiles } from '../activities/report-files.js';
import { loadConfig, PROJECT_ROOT } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { SYNTH_APPROVER, SYNTH_LAST_QUARTER, SYNTH_ME_OFFICER, SYNTH_TEMPLATE, synthManager, synthProjectCode } from '../demo/synth.js';
import type { Decision } from '../domain/report-cycle.js';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres.js';
import { createLogger } from '../runtime/logger.js';
import { findMailpit, startMailpit } from '../runtime/mailpit.js';
import { freePort } from '../runtime/ports.js';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.js';
import { ensureTemporalServerTools, postgresLogin, setupTemporalSchema, startTemporalServer, temporalServerPorts } from '../cluster/temporal-server.js';
import { closePdfPool } from '../render/pdf/pool.js';
import { startHttpServer } from '../web/server.js';
import { intOption, type BenchArgs } from './args.js';
import { cpuBetween, cpuOfDescendants, peakRssOfDescendants } from './processes.js';
import type { Benchmark, Figure } from './run.js';

const TASK_QUEUE = 'bench-cycles';
const PERIOD = SYNTH_LAST_QUARTER;

const bench: Benchmark = {
  title: 'A portfolio\'s quarterly cycles at once: start, approve through the HTTP API, deliver (Temporal, PostgreSQL, Mailpit)',
  async run(options: BenchArgs['options'] = {}) {
    const projects = intOption(options, 'projects', 25);
    const workers = intOption(options, 'workers', 1);
    // --render-concurrency N: reports each worker renders at once (RBM_RENDER_CONCURRENCY; default 2).
    const renderConcurrency = intOption(options, 'render-concurrency', 2);
    // --temporal server: the real Temporal server on PostgreSQL (issue 15's topology) instead of the dev server.
    const temporalKind = String(options['temporal'] ?? 'dev');
    if (temporalKind !== 'dev' && temporalKind !== 'server') throw new Error(`--temporal ${temporalKind}: dev or server`);
    const seed = String(options['seed'] ?? 1);
    // --profile DIR: each worker process writes a V8 CPU profile there (open it in Chrome's DevTools).
    const profileDir = options['profile'] === undefined ? undefined : path.resolve(String(options['profile']));
    const log = createLogger('warn', 'bench-cycles');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-bench-cycles-'));
    fs.chmodSync(dir, 0o755); // the embedded server may run as the `postgres` user
    const stops: Array<() => Promise<unknown>> = [];
    const stopAll = async () => {
      for (const s of stops.reverse()) await s().catch((e: Error) => process.stderr.write(`  (stopping: ${e.message})\n`));
    };
    try {
      const baseConfig = loadConfig({});
      const mailpit = findMailpit(baseConfig.toolsDir);
      if (!mailpit) throw new Error('Mailpit is needed to count the e-mails: `npm run tools` builds it (or put `mailpit` on PATH)');
      const [pgPort, temporalPort, smtpPort, mailUiPort, webPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
      const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort, persistent: false, log });
      stops.push(pg.stop);
      const temporal = temporalKind === 'server'
        ? await startRealTemporalServer(baseConfig.toolsDir, pg.url, dir, log)
        : await startTemporalDevServer({ toolsDir: baseConfig.toolsDir, dbFilename: undefined, port: temporalPort, uiPort: undefined, namespace: 'default', log });
      stops.push(temporal.stop);
      const mail = await startMailpit({ binary: mailpit, smtpPort, uiPort: mailUiPort, log });
      stops.push(mail.stop);

      // One payload key for this run: every client and worker encrypts with it.
      const payloadKeys = `bench:${randomBytes(32).toString('base64')}`;
      const publicUrl = `http://127.0.0.1:${webPort}`;
      const config = {
        ...loadConfig({ RBM_PAYLOAD_KEYS: payloadKeys, RBM_TASK_QUEUE: TASK_QUEUE, RBM_RENDER_TASK_QUEUE: `${TASK_QUEUE}-render`, PUBLIC_URL: publicUrl }),
        databaseUrl: pg.url, temporalAddress: temporal.address, outDir: path.join(dir, 'out'),
      };
      await migrateDatabase(pg.url, log);
      const ctx = await openAppContext(config, { databaseUrl: pg.url, temporalAddress: temporal.address, temporalUiUrl: null }, log);
      stops.push(() => ctx.close());
      const tLoad = performance.now();
      const loaded = await loadSynthPortfolio(ctx, { projects, seed });
      const loadSeconds = (performance.now() - tLoad) / 1000;
      const expectedEmails = loaded.agreements;

      const children: ChildProcess[] = [];
      for (let w = 0; w < workers; w++) children.push(await startWorkerProcess({ databaseUrl: pg.url, temporalAddress: temporal.address, payloadKeys, smtpUrl: mail.smtpUrl, publicUrl, outDir: config.outDir, profileDir, renderConcurrency }));
      stops.push(() => Promise.all(children.map(stopChild)));

      const http = await startHttpServer({ port: webPort, isReady: () => true, context: () => ctx });
      stops.push(() => http.close());
      const codes = Array.from({ length: projects }, (_, i) => synthProjectCode(i));
      const tokens = new Map<string, string>();
      for (const user of [SYNTH_APPROVER, ...codes.map(synthManager)]) tokens.set(user, (await createApiToken(ctx, user, 'bench-cycles', 1)).token);

      // --- the measured run -------------------------------------------------------------------------
      const dueDate = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10); // not overdue
      const follower = followApprovals(ctx, publicUrl, tokens);
      stops.push(() => follower.stop());
      const workerNames = new Map(children.map((c, i) => [c.pid!, `worker ${i + 1}`]));
      const cpuAtStart = cpuOfDescendants(process.pid, workerNames);
      const t0 = performance.now();
      const startedEpoch = Date.now();
      // The portfolio's start as an officer runs it (`rbm cycle start --all`): a bounded number of starts in flight.
      const started = await startPortfolioCycles(ctx, { period: PERIOD, templateId: SYNTH_TEMPLATE, startedBy: SYNTH_ME_OFFICER, dueDate, projects: codes });
      const notStarted = started.filter((s) => !s.started);
      if (notStarted.length) throw new Error(`${notStarted.length} cycle(s) not started: ${notStarted.map((s) => `${s.projectCode}: ${s.error ?? s.state}`).join('; ')}`);
      const startSeconds = (performance.now() - t0) / 1000;
      const ids = started.map((s) => s.cycleId!);
      await waitUntil(async () => {
        follower.check();
        return Number((await ctx.pool.query(`SELECT count(*) AS n FROM report_cycles WHERE state = 'completed' AND id = ANY($1)`, [ids])).rows[0].n) === ids.length;
      }, 30 * 60_000, 'every cycle completed');
      const wallSeconds = (performance.now() - t0) / 1000;
      // Where the machine's CPU went during the wall: the floor renders alone, the cycles share the cores.
      const cpu = cpuBetween(cpuAtStart, cpuOfDescendants(process.pid, workerNames), wallSeconds);
      const approvals = await follower.stop();
      const emails = await waitForEmails(mail.uiUrl, expectedEmails);

      // --- figures from the audit trail, the deliveries and the histories ---------------------------
      const events = (await ctx.pool.query(`SELECT cycle_id, action, extract(epoch FROM at) * 1000 AS ms FROM audit_events WHERE cycle_id = ANY($1) ORDER BY id`, [ids])).rows as Array<{ cycle_id: string; action: string; ms: string }>;
      const toDraft: number[] = [];
      const toDelivered: number[] = [];
      for (const id of ids) {
        const of = events.filter((e) => e.cycle_id === id);
        const draft = of.find((e) => e.action === 'draft_rendered');
        const lastApproval = of.filter((e) => e.action === 'approved').pop();
        const delivered = of.find((e) => e.action === 'delivered');
        if (draft) toDraft.push((Number(draft.ms) - startedEpoch) / 1000);
        if (lastApproval && delivered) toDelivered.push((Number(delivered.ms) - Number(lastApproval.ms)) / 1000);
      }
      const deliveries = (await ctx.pool.query(`SELECT cycle_id, recipient, state FROM deliveries WHERE channel = 'email' AND cycle_id = ANY($1)`, [ids])).rows as Array<{ cycle_id: string; recipient: string; state: string }>;
      const sentOnce = new Set(deliveries.filter((d) => d.state === 'sent').map((d) => `${d.cycle_id} ${d.recipient}`)).size;
      const histories: number[] = [];
      for (const id of ids) histories.push((await ctx.temporal.workflow.getHandle(id).fetchHistory()).events?.length ?? 0);
      const rss = peakRssOfDescendants(process.pid, workerNames);

      // --- the floor: the same drafts and finals rendered back to back, without Temporal ------------
      const versions = (await ctx.pool.query(`SELECT cycle_id, version, data_as_of FROM cycle_versions WHERE cycle_id = ANY($1) ORDER BY cycle_id`, [ids])).rows as Array<{ cycle_id: string; version: number; data_as_of: Date }>;
      const tFloor = performance.now();
      for (const v of versions) {
        const projectCode = v.cycle_id.split('/')[1]!;
        const base = { projectCode, period: PERIOD, templateId: SYNTH_TEMPLATE, dataAsOf: v.data_as_of.toISOString(), cycleId: v.cycle_id, version: v.version, generatedAt: new Date().toISOString() };
        await buildReportFiles(ctx.pool, { ...base, stage: 'draft', decisions: [] });
        await buildReportFiles(ctx.pool, { ...base, stage: 'final', decisions: approvalsOf(v.cycle_id, v.version) });
      }
      const floorSeconds = (performance.now() - tFloor) / 1000;
      await closePdfPool();

      const p = (xs: number[], q: number) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
      };
      // Figures of a run with more workers are kept beside those of one worker in out/bench.json.
      const label = `cycles${temporalKind === 'server' ? ' on the Temporal server' : ''}${workers === 1 ? '' : ` (${workers} workers)`}`;
      const figures: Figure[] = [
        { name: `${label}: projects (${loaded.indicators / projects} indicators, ${loaded.quarters.length} quarters each)`, value: projects, unit: 'projects' },
        { name: `${label}: worker processes`, value: workers, unit: 'workers' },
        { name: `${label}: reports each worker renders at once`, value: renderConcurrency, unit: 'renders' },
        { name: `${label}: synthetic portfolio load (not in the wall time)`, value: loadSeconds, unit: 's' },
        { name: `${label}: starting them all (startPortfolioCycles, 8 at a time)`, value: startSeconds, unit: 's' },
        { name: `${label}: wall time, start to all delivered${projects === 25 ? ' (goal < 60)' : ''}`, value: wallSeconds, unit: 's' },
        { name: `${label}: per minute`, value: (projects / wallSeconds) * 60, unit: 'cycles/min' },
        { name: `${label}: start -> draft ready, p50`, value: p(toDraft, 0.5), unit: 's' },
        { name: `${label}: start -> draft ready, p95`, value: p(toDraft, 0.95), unit: 's' },
        { name: `${label}: last approval -> delivered, p50`, value: p(toDelivered, 0.5), unit: 's' },
        { name: `${label}: last approval -> delivered, p95`, value: p(toDelivered, 0.95), unit: 's' },
        { name: `${label}: approvals through the HTTP API`, value: approvals.approved, unit: 'decisions' },
        { name: `${label}: approval calls refused (409, retried)`, value: approvals.refused, unit: 'calls' },
        { name: `${label}: donor e-mails expected (agreements)`, value: expectedEmails, unit: 'e-mails' },
        { name: `${label}: donor e-mails in Mailpit (goal = expected, each once)`, value: emails.total, unit: 'e-mails' },
        { name: `${label}: donor e-mails sent twice to the same recipient (goal 0)`, value: emails.duplicates, unit: 'e-mails' },
        { name: `${label}: e-mail deliveries recorded sent, distinct`, value: sentOnce, unit: 'deliveries' },
        { name: `${label}: history events per cycle, mean`, value: histories.reduce((a, b) => a + b, 0) / histories.length, unit: 'events' },
        { name: `${label}: history events per cycle, max (goal <= 2,000)`, value: Math.max(...histories), unit: 'events' },
        { name: `${label}: floor, drafts and finals rendered back to back`, value: floorSeconds, unit: 's' },
        { name: `${label}: floor / wall time (goal >= 0.7 with one worker)`, value: floorSeconds / wallSeconds, unit: 'ratio' },
        { name: `${label}: CPU busy during the wall (all processes, of ${os.availableParallelism()} cores)`, value: cpu.busy, unit: 'ratio' },
        ...cpu.groups.map((g) => ({ name: `${label}: CPU during the wall, ${g.name}`, value: g.seconds, unit: 's' })),
        ...rss.map((r) => ({ name: `${label}: peak RSS, ${r.name}`, value: r.mb, unit: 'MB' })),
      ];
      const problems = [
        emails.total !== expectedEmails && `${emails.total} donor e-mails, ${expectedEmails} expected`,
        emails.duplicates && `${emails.duplicates} e-mails sent twice`,
        sentOnce !== expectedEmails && `${sentOnce} deliveries recorded sent, ${expectedEmails} expected`,
      ].filter(Boolean);
      if (problems.length) {
        process.stdout.write(`  NOT delivered exactly once: ${problems.join('; ')}\n`);
        // What the deliveries table says about the mails that went more than once (attempts, last error).
        const retried = (await ctx.pool.query(
          `SELECT cycle_id, recipient, state, attempts, error FROM deliveries WHERE channel = 'email' AND cycle_id = ANY($1) AND (attempts > 1 OR error IS NOT NULL)`, [ids],
        )).rows as Array<{ cycle_id: string; recipient: string; state: string; attempts: number; error: string | null }>;
        for (const d of retried) process.stdout.write(`    ${d.cycle_id} -> ${d.recipient}: ${d.state} after ${d.attempts} attempts; last error: ${d.error ?? '(none)'}\n`);
        for (const m of emails.duplicated) process.stdout.write(`    twice in Mailpit: ${m}\n`);
      }
      return figures;

      function approvalsOf(cycleId: string, version: number): Decision[] {
        return approvals.decisions.filter((d) => d.cycleId === cycleId && d.version === version).map((d) => ({ decision: 'approve', by: d.by, version, at: d.at, step: d.step }));
      }
    } finally {
      await stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;

interface Approved {
  cycleId: string;
  version: number;
  step: string;
  by: string;
  at: string;
}

/**
 * Approves every open step as its first approver, through POST /api/v1/cycles/.../decide with the
 * approver's API token, as soon as the step's `review_requested` event is in the audit trail (polled
 * every 50 ms). A 409 (the step is not open yet in the workflow) is retried.
 */
function followApprovals(ctx: AppContext, base: string, tokens: Map<string, string>) {
  let last = 0;
  let stopped = false;
  const decisions: Approved[] = [];
  let refused = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  const approve = async (cycleId: string, version: number, step: string, by: string) => {
    const [, project, period, template] = cycleId.split('/');
    for (let attempt = 0; attempt < 100; attempt++) {
      const res = await fetch(`${base}/api/v1/cycles/${project}/${period}/${template}/decide`, {
        method: 'POST', headers: { authorization: `Bearer ${tokens.get(by)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'approve', version }),
      });
      const body = await res.text();
      if (res.ok) {
        decisions.push({ cycleId, version, step, by, at: new Date().toISOString() });
        return;
      }
      if (res.status !== 409) throw new Error(`approving ${cycleId} as ${by}: ${res.status} ${body}`);
      refused++;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`approving ${cycleId} as ${by}: still refused`);
  };
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await ctx.pool.query(`SELECT id, cycle_id, version, detail FROM audit_events WHERE action = 'review_requested' AND id > $1 ORDER BY id`, [last]);
      for (const r of rows as Array<{ id: string; cycle_id: string; version: number; detail: { step: string; approvers: string[] } }>) {
        last = Math.max(last, Number(r.id));
        const by = r.detail.approvers.find((a) => tokens.has(a));
        if (!by) throw new Error(`no token for the approvers of ${r.cycle_id}: ${r.detail.approvers.join(', ')}`);
        const p = approve(r.cycle_id, r.version, r.detail.step, by).catch((e: Error) => void (failure ??= e));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })().catch((e: Error) => void (failure ??= e));
  let stopping: Promise<{ approved: number; refused: number; decisions: Approved[] }> | undefined;
  return {
    /** Throws the first failure of an approval (the run would otherwise wait for a cycle that never ends). */
    check() {
      if (failure) throw failure;
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await loop;
        await Promise.all(inFlight);
        return { approved: decisions.length, refused, decisions };
      })();
      return stopping;
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Donor report e-mails in Mailpit (subject "... : report for PERIOD"), and how many went twice to the same address. */
async function waitForEmails(uiUrl: string, expected: number): Promise<{ total: number; duplicates: number; duplicated: string[] }> {
  const read = async () => {
    // Mailpit lists newest first, in pages: a notification arriving between two page reads shifts the
    // list, and the last message of one page comes again at the top of the next. Each stored message
    // is therefore counted once by its Mailpit ID; a donor mail sent twice is two IDs.
    const byId = new Map<string, string>(); // Mailpit ID -> subject and recipients
    for (let start = 0; ; start += 500) {
      const page = (await (await fetch(`${uiUrl}/api/v1/messages?start=${start}&limit=500`)).json()) as { total: number; messages: Array<{ ID: string; Subject: string; To: Array<{ Address: string }> }> };
      for (const m of page.messages) {
        if (m.Subject.endsWith(`: report for ${PERIOD}`)) byId.set(m.ID, `${m.Subject} -> ${m.To.map((t) => t.Address).sort().join(',')}`);
      }
      if (start + 500 >= page.total) break;
    }
    const seen = [...byId.values()];
    const duplicated = [...new Set(seen.filter((m, i) => seen.indexOf(m) !== i))];
    return { total: seen.length, duplicates: seen.length - new Set(seen).size, duplicated };
  };
  const deadline = Date.now() + 10_000;
  let r = await read();
  while (r.total < expected && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
    r = await read();
  }
  return r;
}

/** The real Temporal server (as `rbm cluster` runs it) on the bench's PostgreSQL: schema, server, namespace. */
async function startRealTemporalServer(toolsDir: string, databaseUrl: string, dir: string, log: ReturnType<typeof createLogger>) {
  const tools = await ensureTemporalServerTools(toolsDir, log);
  const login = postgresLogin(databaseUrl);
  await setupTemporalSchema({ sqlTool: tools.sqlTool, postgres: login, log });
  // startTemporalServer registers the namespace itself.
  const server = await startTemporalServer({ binary: tools.server, postgres: login, ports: await temporalServerPorts(), namespace: 'default', logFile: path.join(dir, 'temporal-server.log'), log });
  return { address: server.address, stop: () => server.stop() };
}

/** A worker in a process of its own (as `rbm worker` runs it), so that its memory is its own; resolves once it polls. */
async function startWorkerProcess(o: { databaseUrl: string; temporalAddress: string; payloadKeys: string; smtpUrl: string; publicUrl: string; outDir: string; profileDir?: string; renderConcurrency: number }): Promise<ChildProcess> {
  const profile = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'cycles-worker.ts')], {
    cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_PAYLOAD_KEYS: o.payloadKeys, BENCH_WORKER: JSON.stringify({ ...o, payloadKeys: undefined, profileDir: undefined, taskQueue: TASK_QUEUE }) },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`the worker process exited (${c}) before it was ready`)));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
  });
  child.removeAllListeners('exit');
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
