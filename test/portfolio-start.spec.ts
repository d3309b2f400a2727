/**
 * A quarter's cycles started for a whole portfolio at once (issue 16: "a portfolio-level start that
 * does not open 1,000 connections"): every active project whose dates cover the period, a bounded
 * number of starts at a time, each project's failure reported beside the others, and only the
 * projects the user may start.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { principalFor } from '../app/auth.js';
import { startPortfolioCycles, startPortfolioCyclesAs } from '../app/cycles.js';
import { loadSynthPortfolio } from '../app/synth.js';
import { SYNTH_LAST_QUARTER, SYNTH_ME_OFFICER, SYNTH_TEMPLATE, synthManager, synthProjectCode } from '../demo/synth.js';
import { ownDatabase } from './support/own-database.js';
import { runRbm } from './support/rbm-process.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

let sys: TestSystem;
const codes = Array.from({ length: 5 }, (_, i) => synthProjectCode(i));
const [open1, open2, ended, closed, open3] = codes as [string, string, string, string, string];

beforeAll(async () => {
  const db = await ownDatabase('portfolio_start', { demoThrough: undefined });
  await db.pool.end();
  sys = await startTestSystem('portfolio-start', { databaseUrl: db.databaseUrl });
  await loadSynthPortfolio(sys.ctx, { projects: 5, indicators: 3, quarters: 4, seed: '7' });
  // One project ended before the period, one is closed: neither gets a cycle.
  await sys.ctx.pool.query(`UPDATE projects SET end_date = '2025-06-30' WHERE code = $1`, [ended]);
  await sys.ctx.pool.query(`UPDATE projects SET status = 'closed' WHERE code = $1`, [closed]);
});
afterAll(async () => {
  await sys?.stop();
});

describe('starting a portfolio\'s cycles', () => {
  it('starts the active projects covering the period and joins them on a second call', async () => {
    const first = await startPortfolioCycles(sys.ctx, { period: SYNTH_LAST_QUARTER, templateId: SYNTH_TEMPLATE, startedBy: SYNTH_ME_OFFICER, concurrency: 2 });
    expect(first.map((c) => [c.projectCode, c.started, c.error])).toEqual([open1, open2, open3].map((code) => [code, true, undefined]));
    expect(first.map((c) => c.cycleId)).toEqual([open1, open2, open3].map((code) => `report-cycle/${code}/${SYNTH_LAST_QUARTER}/${SYNTH_TEMPLATE}`));
    const again = await startPortfolioCycles(sys.ctx, { period: SYNTH_LAST_QUARTER, templateId: SYNTH_TEMPLATE, startedBy: SYNTH_ME_OFFICER });
    expect(again.map((c) => [c.projectCode, c.started])).toEqual([open1, open2, open3].map((code) => [code, false]));
    const { rows } = await sys.ctx.pool.query(`SELECT count(*)::int AS n FROM report_cycles WHERE period = $1`, [SYNTH_LAST_QUARTER]);
    expect(rows[0].n).toBe(3);
  });

  it('reports a project it cannot start beside the others, and refuses an unknown one', async () => {
    const picked = await startPortfolioCycles(sys.ctx, { period: SYNTH_LAST_QUARTER, templateId: SYNTH_TEMPLATE, startedBy: SYNTH_ME_OFFICER, projects: [ended, open1] });
    expect(picked.find((c) => c.projectCode === open1)?.error).toBeUndefined();
    expect(picked.find((c) => c.projectCode === ended)?.error).toMatch(/2025-Q4/);
    await expect(startPortfolioCycles(sys.ctx, { period: SYNTH_LAST_QUARTER, startedBy: SYNTH_ME_OFFICER, projects: ['NOPE'] })).rejects.toThrow(/no project NOPE/);
  });

  it('starts only what the user may start', async () => {
    const manager = (await principalFor({ pool: sys.ctx.pool }, synthManager(open1), 'session'))!;
    expect(await startPortfolioCyclesAs(sys.ctx, manager, { period: SYNTH_LAST_QUARTER, templateId: SYNTH_TEMPLATE })).toEqual([]);
    await expect(startPortfolioCyclesAs(sys.ctx, manager, { period: SYNTH_LAST_QUARTER, templateId: SYNTH_TEMPLATE, projects: [open1] })).rejects.toThrow(/may not start cycle/);
    const officer = (await principalFor({ pool: sys.ctx.pool }, SYNTH_ME_OFFICER, 'session'))!;
    expect((await startPortfolioCyclesAs(sys.ctx, officer, { period: SYNTH_LAST_QUARTER, templateId: SYNTH_TEMPLATE })).map((c) => c.projectCode)).toEqual([open1, open2, open3]);
  });

  it('runs as a command: `rbm cycle start --all --json` lists each project, and exits 3 when one could not start', async () => {
    const env = {
      ...process.env, DATABASE_URL: sys.databaseUrl, TEMPORAL_ADDRESS: sys.temporalAddress, RBM_PAYLOAD_KEYS: inject('payloadKeys'),
      RBM_TASK_QUEUE: 'test-portfolio-start', RBM_RENDER_TASK_QUEUE: 'test-portfolio-start-render', RBM_DATA_DIR: path.join(inject('scratchDir'), 'portfolio-start-cli'),
    };
    const r = await runRbm(['cycle', 'start', '--all', '--project', ended, '--project', open2, '--period', SYNTH_LAST_QUARTER, '--template', SYNTH_TEMPLATE, '--as', SYNTH_ME_OFFICER, '--json'], env);
    expect(r.code, r.stderr).toBe(3);
    const out = JSON.parse(r.stdout) as { period: string; started: number; existing: number; failed: number; cycles: Array<{ projectCode: string; error?: string }> };
    expect(out).toMatchObject({ period: SYNTH_LAST_QUARTER, started: 0, existing: 1, failed: 1 });
    expect(out.cycles.find((c) => c.projectCode === ended)?.error).toMatch(/2025-Q4/);
    const single = await runRbm(['cycle', 'start', '--project', open1, '--project', open2, '--period', SYNTH_LAST_QUARTER], env);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/name one --project, or start every project's cycle with --all/);
  });
});
