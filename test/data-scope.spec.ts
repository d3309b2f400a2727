/**
 * Issue 14 item 2: the data desk keeps to the user's projects. An M&E officer granted LY10P0570 only
 * (me.vhr) imports through the web and the API, fixes and discards quarantined rows, and lists
 * batches, deliveries, agreements and schedules: a row for another project is a row error ("you may
 * not enter data for project X") while the other rows land; what belongs to other projects is not
 * shown. A data source writes only to the project it is configured for (folder drop, and the staged
 * rows of a SQL, form or IATI source). The unscoped officer and the administrator still see everything.
 *
 * On a database of its own (the demo portfolio); Temporal only for the schedules.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalFor } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import * as imports from '../app/imports.js';
import { createGatheringActivities } from '../activities/gathering.js';
import { beginGatherRun } from '../db/sources-repository.js';
import type { Pool } from '../db/pool.js';
import { checkSource } from '../sources/config.js';
import { ownDatabase } from './support/own-database.js';
import { addUser, seedCycle } from './support/report-fixtures.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';
import { Agent, serveWeb } from './support/web-agent.js';

const MINE = 'LY10P0570';
const OTHER = 'LY10P0542';
const SPEC_SCHEDULES = ['agreement/EU/LY10P0570/data-scope-spec', 'agreement/DONOR-A/LY10P0542/data-scope-spec', 'digest/DATA-SCOPE-SPEC'];

let sys: TestSystem;
let ctx: AppContext;
let pool: Pool;
let http: FastifyInstance;
let scratch: string;
let mine: string; // a count indicator of LY10P0570 without disaggregations
let theirs: string; // same, of LY10P0542
let onlyTheirs: string; // an indicator code LY10P0542 has and LY10P0570 has not

async function countIndicator(project: string): Promise<string> {
  const { rows } = await pool.query(
    `SELECT i.code FROM indicators i JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.type = 'count' AND i.disaggregations = '{}' ORDER BY i.ordinal LIMIT 1`, [project]);
  return rows[0].code;
}
/** The current value of a cell without disaggregation, or undefined. */
async function stored(project: string, indicator: string, period: string): Promise<number | undefined> {
  const { rows } = await pool.query(
    `SELECT v.value FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.superseded_at IS NULL AND v.sex = '' AND v.age_group = '' AND v.location = ''`,
    [project, indicator, period]);
  return rows[0] ? Number(rows[0].value) : undefined;
}
const csv = (...rows: string[]) => ['project_code,indicator_code,period,value', ...rows].join('\n');
function upload(a: Agent, url: string, content: string, name: string, csrfInQuery = false): Promise<Response> {
  const body = new FormData();
  body.append('file', new Blob([content], { type: 'text/csv' }), name);
  return csrfInQuery ? a.fetch(`${url}?_csrf=${encodeURIComponent(a.csrf)}`, { method: 'POST', body }) : a.fetch(url, { method: 'POST', body, headers: { 'x-csrf-token': a.csrf } });
}

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_data_scope_spec'));
  sys = await startTestSystem('data-scope');
  ctx = { ...sys.ctx, pool };
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rbm-data-scope-'));
  await addUser(pool, 'me.vhr', [{ role: 'me_officer', projectCode: MINE }]);
  mine = await countIndicator(MINE);
  theirs = await countIndicator(OTHER);
  onlyTheirs = (await pool.query(
    `SELECT i.code FROM indicators i JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.type = 'count'
        AND i.code NOT IN (SELECT i2.code FROM indicators i2 JOIN projects p2 ON p2.id = i2.project_id WHERE p2.code = $2)
      ORDER BY i.ordinal LIMIT 1`, [OTHER, MINE])).rows[0].code;

  // Another officer's work on LY10P0542: a rejected row, a batch, a delivery; a digest; agreements of both projects.
  await imports.importFile({ pool }, { path: await writeFile('other-project.csv', csv(`${OTHER},NO-SUCH-INDICATOR,2023-Q4,5`)), importedBy: 'me.officer' });
  const theirCycle = await seedCycle(pool, { project: OTHER, period: '2023-Q1', template: 'iom-donor-report', state: 'completed' });
  const myCycle = await seedCycle(pool, { project: MINE, period: '2023-Q1', template: 'iom-donor-report', state: 'completed' });
  for (const [key, cycleId, recipient, donor] of [
    ['scope/mine', myCycle.id, 'eu.donor@example.org', 'EU'], ['scope/theirs', theirCycle.id, 'donor.a@example.org', 'DONOR-A'], ['scope/digest', null, 'pooled.fund@example.org', 'POOLED-FUND'],
  ] as const) {
    await pool.query(
      `INSERT INTO deliveries (idempotency_key, cycle_id, version, channel, recipient, donor_code, state, sent_at) VALUES ($1,$2,1,'email',$3,$4,'sent',now())`,
      [key, cycleId, recipient, donor]);
  }
  // Schedules of both projects and a digest, paused (they never run).
  for (const scheduleId of SPEC_SCHEDULES) {
    await ctx.temporal.schedule.create({
      scheduleId, spec: { calendars: [{ dayOfMonth: 1, hour: 6 }] }, state: { paused: true, note: 'data-scope spec' },
      action: { type: 'startWorkflow', workflowType: 'agreementCycleWorkflow', workflowId: `${scheduleId}/tick`, taskQueue: 'data-scope-spec-none', args: [] },
    }).catch(() => undefined);
  }
  http = await serveWeb(ctx);
});
afterAll(async () => {
  for (const id of SPEC_SCHEDULES) await ctx?.temporal.schedule.getHandle(id).delete().catch(() => undefined);
  await http?.close();
  await sys?.stop();
  await pool?.end();
});

async function writeFile(name: string, content: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(scratch, 'file-'));
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

describe('imports keep to the user\'s projects', () => {
  it('API: a row for another project is rejected with a row error naming row and field; the other rows land', async () => {
    const a = await Agent.signedIn('me.vhr');
    const res = await upload(a, '/api/v1/imports', csv(`${MINE},${mine},2023-Q4,41`, `${OTHER},${theirs},2023-Q4,42`, `${OTHER.toLowerCase()},${theirs},2023-Q3,43`), 'mixed-projects.csv');
    const report = await res.json();
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ accepted: 1, rejected: 2, refused: false });
    expect(report.errors).toEqual([
      { file: 'mixed-projects.csv', row: 3, column: 'project_code', message: `you may not enter data for project ${OTHER}` },
      { file: 'mixed-projects.csv', row: 4, column: 'project_code', message: `you may not enter data for project ${OTHER.toLowerCase()}` },
    ]);
    expect(await stored(MINE, mine, '2023-Q4')).toBe(41);
    expect(await stored(OTHER, theirs, '2023-Q4')).not.toBe(42);
    expect(await stored(OTHER, theirs, '2023-Q3')).not.toBe(43);
  });

  it('web: the same through the data desk\'s upload', async () => {
    const a = await Agent.signedIn('me.vhr');
    a.csrf = await a.formToken('/data');
    const res = await upload(a, '/data/upload', csv(`${MINE},${mine},2023-Q2,51`, `${OTHER},${theirs},2023-Q2,52`), 'desk-upload.csv', true);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/<strong>1<\/strong> accepted · <strong>1<\/strong> rejected/);
    expect(page).toContain(`you may not enter data for project ${OTHER}`);
    expect(await stored(MINE, mine, '2023-Q2')).toBe(51);
    expect(await stored(OTHER, theirs, '2023-Q2')).not.toBe(52);
  });

  it('the unscoped officer still imports any project', async () => {
    const a = await Agent.signedIn('me.officer');
    const report = await (await upload(a, '/api/v1/imports', csv(`${OTHER},${theirs},2022-Q4,61`), 'any-project.csv')).json();
    expect(report).toMatchObject({ accepted: 1, rejected: 0 });
  });
});

describe('the quarantine keeps to the user\'s projects', () => {
  it('a resubmitted row cannot be moved into another project: refused as a row error, the entry keeps its cells', async () => {
    const a = await Agent.signedIn('me.vhr');
    // An indicator LY10P0570 does not have: rejected into the quarantine, under LY10P0570.
    const report = await (await upload(a, '/api/v1/imports', csv(`${MINE},${onlyTheirs},2023-Q4,71`), 'move-me.csv')).json();
    expect(report).toMatchObject({ accepted: 0, rejected: 1 });
    const entry = (await a.json(`/api/v1/quarantine?project=${MINE}`)).find((q: { file: string }) => q.file === 'move-me.csv');
    expect(entry).toBeDefined();
    const res = await a.fetch(`/data/quarantine/${entry.id}/resubmit`, { method: 'POST', form: { _csrf: await a.formToken('/data'), column: 'project_code', value: OTHER } });
    const page = await res.text();
    expect(page).toMatch(/<strong>0<\/strong> accepted · <strong>1<\/strong> rejected/);
    expect(page).toContain(`you may not enter data for project ${OTHER}`);
    expect(await stored(OTHER, onlyTheirs, '2023-Q4')).not.toBe(71);
    const { rows } = await pool.query(`SELECT cells, resolved_at FROM import_quarantine WHERE id = $1`, [entry.id]);
    expect(rows[0]).toMatchObject({ cells: expect.objectContaining({ project_code: MINE }), resolved_at: null });
  });

  it("lists, resubmits and discards only the entries of the user's projects", async () => {
    const theirsEntry = (await (await Agent.signedIn('me.officer')).json('/api/v1/quarantine')).find((q: { file: string }) => q.file === 'other-project.csv');
    expect(theirsEntry).toBeDefined();
    const a = await Agent.signedIn('me.vhr');
    expect((await a.json('/api/v1/quarantine')).map((q: { cells: { project_code?: string } }) => q.cells.project_code?.toUpperCase())).not.toContain(OTHER);
    // The use cases take the user: listing and discarding another project's entry finds nothing.
    const scoped = (await principalFor(ctx, 'me.vhr', 'session'))!;
    const { quarantineFor, discardQuarantinedAs } = imports as Partial<typeof imports>;
    expect((await quarantineFor!(ctx, scoped)).some((q) => q.id === theirsEntry.id)).toBe(false);
    await expect(discardQuarantinedAs!(ctx, scoped, [theirsEntry.id])).rejects.toThrow(/no open quarantine entry/);
    const res = await a.fetch(`/data/quarantine/${theirsEntry.id}/resubmit`, { method: 'POST', form: { _csrf: await a.formToken('/data'), column: 'indicator_code', value: theirs } });
    expect(res.status).toBe(404);
    expect((await pool.query(`SELECT resolved_at FROM import_quarantine WHERE id = $1`, [theirsEntry.id])).rows[0].resolved_at).toBeNull();
  });

  it("the data desk shows neither another project's rejected rows nor another officer's batches", async () => {
    const page = await (await (await Agent.signedIn('me.vhr')).fetch('/data')).text();
    expect(page).toContain('move-me.csv'); // the user's own
    expect(page).not.toContain('other-project.csv');
    expect(page).not.toContain('any-project.csv');
    expect(page).not.toContain('NO-SUCH-INDICATOR');
    const all = await (await (await Agent.signedIn('me.officer')).fetch('/data')).text();
    expect(all).toContain('other-project.csv');
  });
});

describe("deliveries, agreements and schedules keep to the user's projects", () => {
  it("deliveries: only the cycles of the user's projects, no digest, no other donor's address", async () => {
    const a = await Agent.signedIn('me.vhr');
    const api = await a.json('/api/v1/deliveries');
    expect(api.map((d: { idempotencyKey: string }) => d.idempotencyKey)).toEqual(['scope/mine']);
    const page = await (await a.fetch('/deliveries')).text();
    expect(page).toContain('eu.donor@example.org');
    expect(page).not.toContain('donor.a@example.org');
    expect(page).not.toContain('pooled.fund@example.org');
    const all = await (await Agent.signedIn('admin')).json('/api/v1/deliveries');
    expect(all.map((d: { idempotencyKey: string }) => d.idempotencyKey)).toEqual(expect.arrayContaining(['scope/mine', 'scope/theirs', 'scope/digest']));
  });

  it("agreements: only those of the user's projects", async () => {
    const a = await Agent.signedIn('me.vhr');
    const projects = new Set((await a.json('/api/v1/agreements')).map((x: { projectCode: string }) => x.projectCode));
    expect([...projects]).toEqual([MINE]);
    expect(await a.json(`/api/v1/agreements?project=${OTHER}`)).toEqual([]);
  });

  it("schedules: an agreement's by its project; a donor's digest spans projects and is not shown", async () => {
    const ids = (await (await Agent.signedIn('me.vhr')).json('/api/v1/schedules')).map((s: { id: string }) => s.id);
    expect(ids).toContain(SPEC_SCHEDULES[0]);
    expect(ids).not.toContain(SPEC_SCHEDULES[1]);
    expect(ids).not.toContain(SPEC_SCHEDULES[2]);
    const all = (await (await Agent.signedIn('me.officer')).json('/api/v1/schedules')).map((s: { id: string }) => s.id);
    expect(all).toEqual(expect.arrayContaining(SPEC_SCHEDULES));
  });
});

describe('a data source writes only to the project it is configured for', () => {
  const rowsFile = () => csv(`${MINE},${mine},2024-Q2,81`, `${OTHER},${theirs},2024-Q2,82`);

  it('a folder drop of LY10P0570 rejects the LY10P0542 row and stores the other', async () => {
    const dir = await fs.mkdtemp(path.join(scratch, 'drop-'));
    const content = rowsFile();
    await fs.writeFile(path.join(dir, 'dropped.csv'), content);
    const source = checkSource({ id: 'vhr-drop', project: MINE, kind: 'folder', path: dir });
    const activities = createGatheringActivities({ pool, sourcesFile: path.join(scratch, 'none.json'), secretEnv: {} });
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    const out = await activities.importDropFile({ input: { source, stagingDir: scratch, trigger: 'manual' } as never, file: { name: 'dropped.csv', sha256, bytes: content.length }, logId: null as never });
    expect(out).toMatchObject({ accepted: 1, rejected: 1, outcome: 'failed' });
    expect(out.problems).toEqual([`row 3, project_code: you may not enter data for project ${OTHER}`]);
    expect(await stored(MINE, mine, '2024-Q2')).toBe(81);
    expect(await stored(OTHER, theirs, '2024-Q2')).not.toBe(82);
  });

  it('the staged rows of a SQL, form or IATI source of LY10P0570 too', async () => {
    const content = csv(`${MINE},${mine},2024-Q1,91`, `${OTHER},${theirs},2024-Q1,92`);
    const file = await writeFile('staged.csv', content);
    await beginGatherRun(pool, { sourceId: 'vhr-sql', sourceKind: 'sql', projectCode: MINE, workflowId: 'gather/vhr-sql', runId: crypto.randomUUID() });
    const activities = createGatheringActivities({ pool, sourcesFile: path.join(scratch, 'none.json'), secretEnv: {} });
    const counts = await activities.storeStaged({ sourceId: 'vhr-sql', path: file, sha256: crypto.createHash('sha256').update(content).digest('hex') });
    expect(counts).toMatchObject({ accepted: 1, rejected: 1 });
    expect(counts.problems).toEqual([`row 3, project_code: you may not enter data for project ${OTHER}`]);
    expect(await stored(MINE, mine, '2024-Q1')).toBe(91);
    expect(await stored(OTHER, theirs, '2024-Q1')).not.toBe(92);
  });
});
