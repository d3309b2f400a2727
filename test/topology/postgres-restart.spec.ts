/**
 * Issue 15 (c): RBM Flow's PostgreSQL (the cluster's one server, which Temporal uses too) restarted
 * while `rbm import` streams a 200,000-row file into it and a cycle waits for approval: the import
 * lands whole or not at all (never part of the file), the command ends with exit 6 naming PostgreSQL
 * instead of hanging, /readyz says PostgreSQL is down in bounded time, and afterwards the web's and
 * the workers' pools reconnect: the same file imports whole and the waiting cycle completes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleResult, cycleStatus, decideAs, startCycleAs, waitForStep } from '../../app/cycles.js';
import { PROJECT_ROOT } from '../../config/config.js';
import { createPool, type Pool } from '../../db/pool.js';
import { diagnose, startTopology, until, type Topology } from './topology.js';

const ROWS = 200_000;
let t: Topology;
let pool: Pool;
let csvFile: string;
beforeAll(async () => {
  t = await startTopology('postgres-restart', { workers: 2, web: 1 });
  console.info(`topology up in ${t.startSeconds} s`);
  // The benchmark's generator: every row valid against the demo portfolio (bench/import.bench.ts).
  process.env.BENCH_IMPORT_ROWS = String(ROWS);
  const { writeRows } = await import('../../bench/import.bench.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-topology-rows-'));
  csvFile = path.join(dir, 'values.csv');
  expect(await writeRows(t.ctx.pool, csvFile, path.join(dir, 'values.copy'))).toBe(ROWS);
  pool = createPool(t.cluster.databaseUrl, 2);
  pool.on('error', () => undefined); // idle connections cut by the restart
});
afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await t?.stop();
  if (csvFile) fs.rmSync(path.dirname(csvFile), { recursive: true, force: true });
});

/** `rbm import FILE --json` as a user runs it, with its own folders; resolves with its exit code and time. */
function runImport(file: string): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-topology-import-'));
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/rbm.js', 'import', file, '--json', '--as', 'me.officer'], {
    cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...t.cluster.env, RBM_DATA_DIR: home, TMPDIR: home }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    fs.rmSync(home, { recursive: true, force: true });
    resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
  }));
}

const benchRows = async () => Number((await t.ctx.pool.query(`SELECT count(*) AS n FROM indicator_values WHERE source = 'bench'`)).rows[0].n);
const readyz = async () => {
  const started = Date.now();
  const res = await fetch(`${t.cluster.webs[0]!.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: (await res.json()) as { unavailable: string[] }, ms: Date.now() - started };
};

describe("RBM Flow's PostgreSQL restarted (issue 15 c)", () => {
  it('during an import and a cycle: the file lands whole or not at all, pools reconnect, nothing hangs', async () => {
    expect(await benchRows()).toBe(0);
    // A cycle waits for approval, its draft rendered, when the database goes down.
    const officer = await t.principal('me.officer');
    const { cycleId } = await startCycleAs(t.ctx, officer, { projectCode: 'LY10P0542', period: '2025-Q3' });
    expect((await waitForStep(t.ctx, cycleId, 1, 0, 180_000)).state).toBe('awaiting_approval');

    const importing = runImport(csvFile);
    // The import is streaming rows into PostgreSQL (COPY) when the server goes down.
    await until('the import streaming (COPY)', async () => {
      const { rows } = await pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query ILIKE 'COPY%'`);
      return Number(rows[0].n) > 0;
    }, 120_000, 50);
    const restartStarted = Date.now();
    await t.cluster.postgres.stop();
    const down = await until('/readyz to name postgresql', async () => {
      const r = await readyz();
      return r.status === 503 && r.body.unavailable.includes('postgresql') ? r : undefined;
    }, 30_000, 200);
    expect(down.ms).toBeLessThan(5_000); // each check is bounded (2.5 s)
    await t.cluster.postgres.restart();
    const restartSeconds = (Date.now() - restartStarted) / 1000;
    const first = await importing;
    console.info(`import interrupted after ${first.seconds.toFixed(1)} s (exit ${first.code}): ${first.stderr.trim().split('\n').slice(0, 3).join(' | ')}; PostgreSQL back after ${restartSeconds.toFixed(1)} s`);
    expect(first.code).not.toBeNull(); // it ended by itself, not by our 180 s kill
    const landed = await benchRows();
    expect([0, ROWS]).toContain(landed); // whole or nothing, never part of the file
    if (first.code !== 0) expect(first.stderr).toMatch(/cannot reach PostgreSQL/);

    // The pools reconnect: the web is ready again, the same file imports whole.
    await until('/readyz 200 after the restart', async () => (await readyz()).status === 200, 60_000, 500);
    const second = await runImport(csvFile);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as { accepted: number; rejected: number; unchanged: number };
    expect(report.rejected).toBe(0);
    expect(landed === ROWS ? report.unchanged : report.accepted).toBe(ROWS);
    expect(await benchRows()).toBe(ROWS);

    // The waiting cycle goes on: its approvals and final render run on the workers' reconnected pools.
    // For a few seconds after PostgreSQL is back the Temporal frontend may answer NamespaceNotFound
    // (its namespace registry refreshes from the database): the first query is retried, the wait measured.
    const backAt = Date.now();
    await until('Temporal serving the namespace again', () => cycleStatus(t.ctx, cycleId), 60_000, 500);
    const namespaceSeconds = (Date.now() - backAt) / 1000;
    for (let step = 0; ; step++) {
      const s = await waitForStep(t.ctx, cycleId, 1, step, 120_000).catch(async (e: Error) => {
        throw new Error(`${e.message}; ${await diagnose(t, cycleId)}`);
      });
      if (s.state !== 'awaiting_approval') break;
      await decideAs(t.ctx, await t.principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1 });
    }
    const final = await cycleResult(t.ctx, cycleId);
    expect(final.state).toBe('completed');
    expect(final.decisions.filter((d) => d.decision === 'approve')).toHaveLength(2);
    console.info(`second import ${second.seconds.toFixed(1)} s: ${report.accepted} accepted, ${report.unchanged} unchanged; the waiting cycle completed (Temporal served the namespace ${namespaceSeconds.toFixed(1)} s after the second import)`);
  });
});
