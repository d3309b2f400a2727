/**
 * The `rbm` command line as users and scripts run it: a real process against the test servers.
 * Covers the listing contracts (--json), the demo twice in a row, `rbm start` with /healthz and a
 * clean stop, and the message when nothing is running.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../config/config.js';
import { freePort } from './support/global-setup.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';
import { runRbm } from './support/rbm-process.js';

let sys: TestSystem;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sys = await startTestSystem('cli');
  env = {
    ...process.env,
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    SMTP_URL: inject('smtpUrl'),
    RBM_TASK_QUEUE: 'test-cli',
    RBM_RENDER_TASK_QUEUE: 'test-cli-render',
    RBM_OUT_DIR: sys.outDir,
    RBM_DATA_DIR: path.join(inject('scratchDir'), 'cli-data'),
  };
});
afterAll(async () => {
  await sys?.stop();
});

const rbm = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runRbm(args, { ...env, ...extraEnv }, 180_000);

describe('rbm', () => {
  it('runs the demo twice: the second run does not duplicate data', async () => {
    const first = await rbm(['demo', '--period', '2025-Q4']);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Demo portfolio: 6 projects, 57 indicators, 13 users/);
    const finals = first.stdout.split('\n').filter((l) => l.trim().endsWith('_final.pdf'));
    expect(finals).toHaveLength(6);
    for (const f of finals) expect(fs.statSync(f.trim()).size).toBeGreaterThan(10_000);
    expect(first.stdout).toMatch(/LY10P0542 2025-Q4: "Strengthening Migration Governance in Libya" final v1, approved by pm.governance and com.libya: 10 indicators/);

    const countRows = async () => (await sys.ctx.pool.query(`SELECT (SELECT count(*) FROM indicator_values)::int AS v, (SELECT count(*) FROM report_cycles)::int AS c, (SELECT count(*) FROM deliveries)::int AS d,
      (SELECT count(*) FROM common_indicators)::int AS ci, (SELECT max(updated_at)::text FROM common_indicators) AS ciUpdated`)).rows[0];
    const before = await countRows();
    const second = await rbm(['demo', '--period', '2025-Q4']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/values: 0 new, 0 revised, \d+ unchanged/);
    expect(second.stdout.match(/had run before; not run again/g)).toHaveLength(6);
    expect(await countRows()).toEqual(before);
  });

  it('lists projects, indicators and users as JSON for scripts', async () => {
    const projects = JSON.parse((await rbm(['projects', 'list', '--json'])).stdout);
    expect(projects.map((p: { code: string }) => p.code)).toContain('LY10P0542');
    expect(projects.find((p: { code: string }) => p.code === 'LY10P0542')).toMatchObject({ altCode: 'PO.0185', title: 'Strengthening Migration Governance in Libya', illustrative: false });

    const indicators = JSON.parse((await rbm(['indicators', 'list', '--project', 'LY10P0542', '--json'])).stdout);
    expect(indicators.length).toBeGreaterThanOrEqual(6);
    expect(indicators[0]).toHaveProperty('targets');
    // The reporting frequency and the link to the library of common indicators.
    for (const i of indicators) expect(['month', 'quarter', 'half', 'year'], i.code).toContain(i.reportingFrequency);
    expect(indicators.find((i: { code: string }) => i.code === 'OP1.4.a')).toMatchObject({ reportingFrequency: 'quarter', commonIndicatorCode: 'CI-GOV-01' });
    const table = (await rbm(['indicators', 'list', '--project', 'LY10P0542'])).stdout;
    expect(table.split('\n')[0]).toMatch(/\bfrequency\s+common$/);
    expect(table).toMatch(/OP1\.4\.a .* quarter\s+CI-GOV-01\n/);

    const library = JSON.parse((await rbm(['common-indicators', 'list', '--json'])).stdout);
    expect(library.find((e: { code: string }) => e.code === 'CI-GOV-01')).toMatchObject({ type: 'count', linkedIndicators: 3, linkedProjects: 3 });

    const users = JSON.parse((await rbm(['users', 'list', '--json'])).stdout);
    expect(users.find((u: { id: string }) => u.id === 'pm.governance').roles).toContainEqual({ role: 'project_manager', projectCode: 'LY10P0542', donorCode: null });

    const unknown = await rbm(['indicators', 'list', '--project', 'NOPE', '--json']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/no project with code NOPE/);
  });

  it('starts a cycle, refuses a wrong approver with exit 5, approves, and prints the history', async () => {
    const start = await rbm(['cycle', 'start', '--project', 'LY10P0563', '--period', '2024-Q2']);
    expect(start.code).toBe(0);
    const id = start.stdout.trim();
    expect(id).toBe('report-cycle/LY10P0563/2024-Q2/iom-donor-report');
    let status: { state: string; approvers: string[] } = { state: '', approvers: [] };
    for (let i = 0; i < 100 && status.state !== 'awaiting_approval'; i++) {
      status = JSON.parse((await rbm(['cycle', 'status', id, '--json'])).stdout);
    }
    expect(status.state).toBe('awaiting_approval');
    const refused = await rbm(['cycle', 'approve', id, '--as', 'pm.governance']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/pm.governance is not an approver of this step/);
    // A long decision text is read whole in `rbm cycle history` (it used to be cut at 60 characters).
    const comment = 'Fine. The OC1.a figures for Tripoli and Benghazi now add up to the total; the narrative on the migrant resource centres still needs the Q2 caseload, and the photo credits of annex 3 must name the partner NGO before this goes to the donor. Please keep the baseline note.';
    expect(comment.length).toBeGreaterThan(250);
    const approved = await rbm(['cycle', 'approve', id, '--as', status.approvers[0]!, '--comment', comment]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/approved; now awaiting_approval/);
    let text = '';
    for (let i = 0; i < 100 && !text.includes('step 2/2'); i++) text = (await rbm(['cycle', 'status', id])).stdout;
    expect(text).toMatch(/awaiting a decision at step 2\/2 "Chief of Mission" from: com.libya/);
    const signed = await rbm(['cycle', 'approve', id, '--as', 'com.libya']);
    expect(signed.stdout).toMatch(/approved; now finalizing/);
    let history = '';
    for (let i = 0; i < 100 && !history.includes('delivered'); i++) history = (await rbm(['cycle', 'history', id])).stdout;
    expect(history).toMatch(/cycle_started[\s\S]*approved[\s\S]*delivered/);
    expect(history.replace(/\s+/g, ' ')).toContain(comment.replace(/\s+/g, ' '));
  });

  it('keeps donors, the projects they fund and their contacts', async () => {
    expect((await rbm(['donors', 'add', '--code', 'TEST-DONOR', '--name', 'Test Donor (illustrative)', '--email', 'desk@test-donor.example.org'])).code).toBe(0);
    expect((await rbm(['donors', 'fund', '--donor', 'TEST-DONOR', '--project', 'LY10P0576'])).code).toBe(0);
    expect((await rbm(['donors', 'contact', '--donor', 'TEST-DONOR', '--user', 'donor.test', '--name', 'Test Desk Officer', '--email', 'officer@test-donor.example.org'])).code).toBe(0);
    const donors = JSON.parse((await rbm(['donors', 'list', '--json'])).stdout);
    expect(donors.find((d: { code: string }) => d.code === 'TEST-DONOR')).toMatchObject({
      name: 'Test Donor (illustrative)', projects: ['LY10P0576'], contacts: [{ id: 'donor.test', name: 'Test Desk Officer', email: 'officer@test-donor.example.org' }],
    });
    const bad = await rbm(['donors', 'contact', '--donor', 'TEST-DONOR', '--user', 'x', '--name', 'X', '--email', 'not-an-address']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an e-mail address/);
    expect((await rbm(['donors', 'fund', '--donor', 'NOBODY', '--project', 'LY10P0576'])).code).toBe(4);
  });

  it('says what to run when nothing is running', async () => {
    const r = await rbm(['cycle', 'list'], { DATABASE_URL: '', TEMPORAL_ADDRESS: '', RBM_DATA_DIR: path.join(inject('scratchDir'), 'nothing-here') });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/RBM Flow is not running: start it with `npm start`/);
  });

  it('`rbm start` answers /healthz once ready and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn('node', ['bin/rbm.js', 'start'], { cwd: PROJECT_ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let healthy = 0;
    for (let i = 0; i < 300 && healthy !== 200; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
      if (healthy !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(healthy).toBe(200);
    // While it runs, its services are published for other `rbm` commands in other terminals.
    expect(JSON.parse(fs.readFileSync(path.join(env.RBM_DATA_DIR!, 'services.json'), 'utf8'))).toMatchObject({ databaseUrl: env.DATABASE_URL });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/Stopped\./);
    expect(fs.existsSync(path.join(env.RBM_DATA_DIR!, 'services.json'))).toBe(false);
  });
});
