/**
 * Issue 15 (5): backup and restore, tested. With two cycles completed (their reports delivered to the
 * donors and to the workers' outbox folders) and two waiting for approval (one at each step), the three
 * databases (rbm, temporal, temporal_visibility) and both outbox folders are backed up with
 * deploy/backup-restore.sh (pg_dump -Fc of PostgreSQL 17, built by scripts/install-tools.sh pg-client);
 * then the Temporal server, the workers and the web process are stopped, the databases dropped and the
 * outbox folders deleted, everything restored, and the processes started again. The completed reports
 * download byte for byte as before (GET /api/v1/files/:id with an API token made before the backup),
 * the outbox files are the same, the waiting cycles wait at the same step with the same decisions, no
 * e-mail is sent again, and approving the waiting cycles completes them with each donor e-mail sent once.
 * Then the same through the script's docker compose mode (`docker compose exec -T postgresql pg_dump ...`,
 * `docker compose run ... --entrypoint tar rbm`), with a stand-in `docker` that runs those commands here,
 * their input and output through pipes as docker's are.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, principalFor } from '../../app/auth.js';
import { openAppContext, type AppContext } from '../../app/context.js';
import { cycleResult, cycleStatus, decideAs, listReportCycles, startCycleAs, waitForStep } from '../../app/cycles.js';
import { deliveredFiles } from '../../app/reports.js';
import { PROJECT_ROOT } from '../../config/config.js';
import { getProjectBundle } from '../../db/portfolio-repository.js';
import type { CycleStatus } from '../../domain/report-cycle.js';
import { donorSubject, startTopology, until, type Topology } from './topology.js';

const SCRIPT = path.join(PROJECT_ROOT, 'deploy', 'backup-restore.sh');
const INSTALL_TOOLS = path.join(PROJECT_ROOT, 'scripts', 'install-tools.sh');
const DATABASES = ['rbm', 'temporal', 'temporal_visibility'];

let t: Topology;
/** The spec's own application context: replaced after the restore (its connections must go before it). */
let ctx: AppContext;
let backups: string;

/** Runs a script as an operator's cron job would: no standard input. */
const run = (file: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${path.basename(file)} ${args[0]} failed (exit ${code}):\n${stdout}${stderr}`));
    });
  });

beforeAll(async () => {
  // PostgreSQL 17's pg_dump/pg_restore/psql (built from source once, ~2 min; cached per version).
  const started = Date.now();
  await run(INSTALL_TOOLS, ['pg-client']);
  console.info(`pg-client ready in ${Math.round((Date.now() - started) / 1000)} s`);
  t = await startTopology('backup-restore', { workers: 2, web: 1 });
  ctx = t.ctx;
  backups = path.join(t.cluster.dir, 'backups');
  console.info(`topology up in ${t.startSeconds} s`);
});
afterAll(async () => {
  if (ctx && ctx !== t?.ctx) await ctx.close().catch(() => undefined);
  await t?.stop();
});

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const principal = async (userId: string) => {
  const p = await principalFor(ctx, userId, 'session');
  if (!p) throw new Error(`no user ${userId}`);
  return p;
};
async function approveStep(cycleId: string, step: number) {
  const s = await waitForStep(ctx, cycleId, 1, step, 180_000);
  expect(s.state).toBe('awaiting_approval');
  await decideAs(ctx, await principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1, comment: `step ${step}` });
}
/** What a waiting cycle is: state, version, step, and its decisions. */
const waitingShape = (s: CycleStatus) => ({
  state: s.state, version: s.version, stepIndex: s.stepIndex, stepName: s.stepName, approvers: s.approvers, dueDate: s.dueDate,
  decisions: s.decisions.map((d) => ({ step: d.step, by: d.by, decision: d.decision, version: d.version, comment: d.comment, at: d.at })),
});
/** A report file as a user downloads it: GET /api/v1/files/:id with an API token. */
async function download(token: string, id: string): Promise<Buffer> {
  const res = await fetch(`${t.cluster.webs[0]!.url}/api/v1/files/${id}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  expect(res.status, `GET /api/v1/files/${id}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}
async function reports(token: string): Promise<unknown> {
  const res = await fetch(`${t.cluster.webs[0]!.url}/api/v1/reports`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  expect(res.status).toBe(200);
  return res.json();
}
const adminUrl = () => {
  const u = new URL(t.cluster.databaseUrl);
  u.pathname = '/postgres';
  return u.toString();
};
/** Stops the web, the workers and the Temporal server, and the spec's own connections: nothing uses the databases. */
async function stopAll() {
  await Promise.all(t.cluster.webs.map((w) => w.stop()));
  await Promise.all(t.cluster.workers.map((w) => w.stop()));
  await t.cluster.temporal.stop();
  await ctx.close();
}
/** The Temporal server first, then the workers and the web; a new context for the spec. Returns the seconds it took. */
async function startAll(): Promise<number> {
  const started = Date.now();
  await t.cluster.temporal.restart();
  await Promise.all(t.cluster.workers.map((w) => w.start()));
  await Promise.all(t.cluster.webs.map((w) => w.start()));
  ctx = await openAppContext(ctx.config, { databaseUrl: t.cluster.databaseUrl, temporalAddress: t.cluster.temporalAddress, temporalUiUrl: null, smtpUrl: t.smtp.url }, ctx.log);
  await until('/readyz 200', async () => (await fetch(`${t.cluster.webs[0]!.url}/readyz`)).status === 200, 60_000, 500);
  return (Date.now() - started) / 1000;
}
const outboxDirs = () => t.cluster.workers.map((w) => path.join(path.dirname(w.logFile), 'out'));

/** Waits until none of the workflows has an activity scheduled or running and Mailpit's count has held for 2 s. */
async function quiet(workflowIds: string[]) {
  await until('no activity in flight', async () => {
    for (const id of workflowIds) {
      if ((await ctx.temporal.workflow.getHandle(id).describe()).raw.pendingActivities?.length) return false;
    }
    return true;
  }, 120_000, 250);
  let last = -1;
  await until('Mailpit settled', async () => {
    const n = (await t.mail.all()).length;
    const settled = n === last;
    last = n;
    return settled;
  }, 60_000, 2_000);
}
/** The messages Mailpit holds now that it did not hold before: subject and recipients, for a readable failure. */
const sentSince = (before: Array<{ id: string }>, now: Array<{ id: string; subject: string; to: string[] }>) => {
  const seen = new Set(before.map((m) => m.id));
  return now.filter((m) => !seen.has(m.id)).map((m) => `${m.subject} -> ${m.to.join(', ')}`);
};

async function databasesPresent(): Promise<string[]> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname', [DATABASES]);
    return rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

describe('backup and restore of the three databases and the outbox (issue 15, 5)', () => {
  it('serves the same reports byte for byte and resumes the waiting cycles after a restore', { timeout: 900_000 }, async () => {
    const officer = await principal('me.officer');
    const token = (await createApiToken(ctx, 'me.officer', 'backup-restore spec')).token;

    // --- before: two cycles completed, one waiting at its first step, one at its second ------------------
    const completed = await Promise.all(['LY10P0542', 'LY10P0551'].map(async (projectCode) => (await startCycleAs(ctx, officer, { projectCode, period: '2025-Q3' })).cycleId));
    const atSecond = (await startCycleAs(ctx, officer, { projectCode: 'LY10P0570', period: '2025-Q3' })).cycleId;
    const atFirst = (await startCycleAs(ctx, officer, { projectCode: 'LY10P0563', period: '2025-Q3' })).cycleId;
    for (const id of [...completed, atSecond]) await approveStep(id, 0);
    for (const id of completed) await approveStep(id, 1);
    const finals = await Promise.all(completed.map((id) => cycleResult(ctx, id)));
    const files: Array<{ cycleId: string; id: string; filename: string; sha256: string; bytes: number }> = [];
    const outbox = new Map<string, string>(); // path -> SHA-256
    let donorMailsBefore = 0;
    for (const f of finals) {
      expect(f.state).toBe('completed');
      expect(f.final?.length).toBeGreaterThanOrEqual(2); // xlsx and pdf
      for (const a of f.final ?? []) {
        const body = await download(token, a.id);
        expect(sha256(body)).toBe(a.sha256);
        files.push({ cycleId: f.cycleId, id: a.id, filename: a.filename, sha256: sha256(body), bytes: body.length });
      }
      const delivered = await deliveredFiles(ctx, f.cycleId);
      expect(delivered.paths.length).toBe(f.final!.length);
      for (const p of delivered.paths) outbox.set(p, sha256(fs.readFileSync(p)));
      const { project } = await getProjectBundle(ctx.pool, f.projectCode);
      for (const d of f.donorDeliveries ?? []) {
        expect(await t.mail.count(d.email, donorSubject(project.title, project.code, f.period))).toBe(1);
        donorMailsBefore++;
      }
    }
    expect(donorMailsBefore).toBeGreaterThanOrEqual(2);
    const waiting = [atFirst, atSecond];
    const waitingBefore = await Promise.all(waiting.map(async (id, step) => {
      const s = await waitForStep(ctx, id, 1, step, 180_000);
      return waitingShape(s);
    }));
    expect(waitingBefore.map((w) => [w.state, w.stepIndex, w.decisions.length])).toEqual([['awaiting_approval', 0, 0], ['awaiting_approval', 1, 1]]);
    const reportsBefore = await reports(token);
    // A cycle shows its new state before the e-mail telling its approvers has gone (the notification is the
    // workflow's next activity): the backup is taken once nothing is in flight, so every later e-mail is a resend.
    await quiet([...completed, ...waiting]);
    const mailsBefore = await t.mail.all();
    // The outbox folders of the workers (each process has its own, as on its own host).
    const outboxes = outboxDirs();
    for (const p of outbox.keys()) expect(outboxes.some((d) => p.startsWith(d + path.sep)), p).toBe(true);

    // --- backup --------------------------------------------------------------------------------------------
    let started = Date.now();
    const backup = await run(SCRIPT, ['backup', '--url', t.cluster.databaseUrl, '--dir', backups, ...outboxes.flatMap((d) => ['--outbox', d])]);
    const backupSeconds = (Date.now() - started) / 1000;
    const folder = backup.stdout.trim().split('\n').pop()!;
    expect(path.dirname(folder)).toBe(backups);
    expect(path.basename(folder)).toMatch(/^rbm-flow-\d{8}T\d{6}Z$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as {
      server_version: string; pg_dump: string;
      databases: Array<{ name: string; file: string; bytes: number; sha256: string }>;
      outboxes: Array<{ path: string; file: string; files: number; bytes: number; sha256: string }>;
    };
    expect(manifest.server_version).toMatch(/^17\./);
    expect(manifest.pg_dump).toMatch(/^17\./);
    expect(manifest.databases.map((d) => d.name)).toEqual(DATABASES);
    for (const d of [...manifest.databases, ...manifest.outboxes]) {
      const content = fs.readFileSync(path.join(folder, d.file));
      expect([content.length, sha256(content)]).toEqual([d.bytes, d.sha256]);
    }
    expect(manifest.outboxes.map((o) => o.path)).toEqual(outboxes);
    expect(manifest.outboxes.reduce((n, o) => n + o.files, 0)).toBe(outbox.size);
    await run(SCRIPT, ['verify', folder]);

    // --- stop everything that uses the databases; drop them; lose the outbox folders -------------------------
    // restore refuses while anything is connected (here the web, the workers, the server and the spec).
    await expect(run(SCRIPT, ['restore', folder, '--url', t.cluster.databaseUrl])).rejects.toThrow(/sessions are connected/);
    await stopAll();
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    for (const db of DATABASES) await c.query(`DROP DATABASE ${db}`);
    await c.end();
    expect(await databasesPresent()).toEqual([]);
    for (const d of outboxes) fs.rmSync(d, { recursive: true, force: true });

    // --- restore; start the Temporal server, then the workers and the web ----------------------------------
    started = Date.now();
    await run(SCRIPT, ['restore', folder, '--url', t.cluster.databaseUrl]);
    const restoreSeconds = (Date.now() - started) / 1000;
    expect(await databasesPresent()).toEqual([...DATABASES].sort());
    const upSeconds = await startAll();

    // --- the same reports, byte for byte; the same outbox ----------------------------------------------------
    for (const f of files) {
      const body = await download(token, f.id);
      expect([f.filename, body.length, sha256(body)]).toEqual([f.filename, f.bytes, f.sha256]);
    }
    expect(await reports(token)).toEqual(reportsBefore);
    for (const [p, digest] of outbox) expect(sha256(fs.readFileSync(p)), p).toBe(digest);
    for (const id of completed) expect((await cycleStatus(ctx, id)).state).toBe('completed');

    // --- the waiting cycles wait where they were; nothing was sent again ------------------------------------
    for (const [i, id] of waiting.entries()) expect(waitingShape(await cycleStatus(ctx, id))).toEqual(waitingBefore[i]);
    await new Promise((r) => setTimeout(r, 5_000)); // the workers poll; a replayed activity would send now
    expect(sentSince(mailsBefore, await t.mail.all())).toEqual([]);

    // --- approving them now completes them, each donor e-mail once ---------------------------------------------
    await approveStep(atFirst, 0);
    for (const id of waiting) await approveStep(id, 1);
    let donorMailsAfter = 0;
    for (const id of [...completed, ...waiting]) {
      const f = await cycleResult(ctx, id);
      expect(f.state).toBe('completed');
      expect(f.decisions.filter((d) => d.decision === 'approve' && d.version === 1)).toHaveLength(2);
      const { project } = await getProjectBundle(ctx.pool, f.projectCode);
      for (const d of f.donorDeliveries ?? []) {
        expect(await t.mail.count(d.email, donorSubject(project.title, project.code, f.period))).toBe(1);
        if (waiting.includes(id)) donorMailsAfter++;
      }
      if (waiting.includes(id)) for (const a of f.final ?? []) expect(sha256(await download(token, a.id))).toBe(a.sha256);
    }
    expect(donorMailsAfter).toBeGreaterThanOrEqual(2);
    const sizes = manifest.databases.map((d) => `${d.name} ${Math.round(d.bytes / 1024)} KiB`).join(', ');
    console.info(
      `backup in ${backupSeconds.toFixed(1)} s (${sizes}; ${outbox.size} outbox files), restore in ${restoreSeconds.toFixed(1)} s, ` +
      `processes up again in ${upSeconds.toFixed(1)} s; ${files.length} report files byte-identical, ` +
      `2 waiting cycles resumed at steps 1 and 2, donor e-mails: ${donorMailsBefore} before and ${donorMailsAfter} after, each once`,
    );
  });

  it("applies the URL's TLS parameters (sslmode...) and refuses any other, never dropping them silently", async () => {
    const backups = fs.mkdtempSync(path.join(t.cluster.dir, 'backups-tls-'));
    const withQuery = (q: string) => `${t.cluster.databaseUrl.split('?')[0]}?${q}`;
    // The cluster's PostgreSQL speaks no TLS: a required TLS must stop the backup (it went ahead without TLS before).
    await expect(run(SCRIPT, ['backup', '--url', withQuery('sslmode=require'), '--dir', backups])).rejects.toThrow(/SSL/i);
    await expect(run(SCRIPT, ['backup', '--url', withQuery('application_name=x'), '--dir', backups])).rejects.toThrow(/parameter application_name is not supported/);
    expect(fs.readdirSync(backups)).toEqual([]);
  });

  it('does the same through docker compose (exec -T postgresql ..., run --entrypoint tar rbm)', { timeout: 300_000 }, async () => {
    // docker as the script calls it, run here against the cluster: stdin and stdout through pipes, as docker's are
    // (a tool that stops reading early, pg_restore --list, is no failure: docker exec ignores the broken pipe too).
    const shimDir = fs.mkdtempSync(path.join(t.cluster.dir, 'docker-shim-'));
    const log = path.join(shimDir, 'calls.log');
    fs.writeFileSync(path.join(shimDir, 'docker'), [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'echo "$*" >> "$SHIM_LOG"',
      '[ "$1" = compose ] || exit 97',
      'case "$2" in',
      '  exec) [ "$3 $4" = "-T postgresql" ] || exit 98; tool="$5"; shift 5; { cat || true; } | "$SHIM_PG_BINDIR/$tool" "$@" | cat ;;',
      '  run) [ "$3 $4 $5 $6 $8" = "--rm --no-deps -T --entrypoint rbm" ] || exit 98; entry="$7"; shift 8; { cat || true; } | "$entry" "$@" | cat ;;',
      '  *) exit 99 ;;',
      'esac',
      '',
    ].join('\n'), { mode: 0o755 });
    const u = new URL(t.cluster.databaseUrl);
    const env = {
      PATH: `${shimDir}${path.delimiter}${process.env.PATH}`, SHIM_LOG: log, SHIM_PG_BINDIR: ctx.config.toolsDir,
      POSTGRES_USER: decodeURIComponent(u.username), PGHOST: u.hostname, PGPORT: u.port, PGPASSWORD: decodeURIComponent(u.password), DATABASE_URL: '',
    };
    const token = (await createApiToken(ctx, 'me.officer', 'backup-restore spec, compose')).token;
    const before: Array<{ id: string; sha256: string }> = [];
    for (const row of await listReportCycles(ctx, { state: 'completed' })) {
      for (const a of (await cycleStatus(ctx, row.id)).final) before.push({ id: a.id, sha256: sha256(await download(token, a.id)) });
    }
    expect(before.length).toBeGreaterThanOrEqual(8); // the 4 cycles completed above: xlsx and pdf each
    const outboxes = outboxDirs();
    const outboxBefore = outboxes.map((d) => fs.readdirSync(d, { recursive: true }).length);
    await quiet((await listReportCycles(ctx, {})).map((row) => row.id));
    const mailsBefore = await t.mail.all();

    const backup = await run(SCRIPT, ['backup', '--compose', '--dir', backups, ...outboxes.flatMap((d) => ['--outbox', d])], env);
    const folder = backup.stdout.trim().split('\n').pop()!;
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as { source: string; databases: Array<{ name: string }> };
    expect(manifest.source).toMatch(/^docker compose service postgresql/);
    expect(manifest.databases.map((d) => d.name)).toEqual(DATABASES);
    await stopAll();
    for (const d of outboxes) fs.rmSync(d, { recursive: true, force: true });
    await run(SCRIPT, ['restore', folder, '--compose'], env);
    await startAll();

    for (const b of before) expect(sha256(await download(token, b.id)), b.id).toBe(b.sha256);
    expect(outboxes.map((d) => fs.readdirSync(d, { recursive: true }).length)).toEqual(outboxBefore);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(sentSince(mailsBefore, await t.mail.all())).toEqual([]);
    const calls = fs.readFileSync(log, 'utf8');
    for (const db of DATABASES) {
      expect(calls).toContain(`compose exec -T postgresql pg_dump -U ${env.POSTGRES_USER} -Fc -d ${db}`);
    }
    expect(calls).toContain(`compose exec -T postgresql pg_restore -U ${env.POSTGRES_USER} -d postgres --clean --if-exists --create --exit-on-error`);
    expect(calls).toContain(`compose run --rm --no-deps -T --entrypoint tar rbm -C ${outboxes[0]} -cf - .`);
    expect(calls).toContain(`compose run --rm --no-deps -T --entrypoint sh rbm -c mkdir -p "$1" && exec tar -C "$1" -xf - sh ${outboxes[0]}`);
    console.info(`compose mode: ${before.length} report files byte-identical after a restore; ${calls.trim().split('\n').length} docker compose calls`);
  });
});
