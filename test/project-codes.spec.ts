/**
 * A project is named by its code; its other code (the "Alt code" of the logframe, e.g. PO.0185) and
 * other cases only find it. Holes found by an adversarial review, each shut here (every spec fails on
 * the code before):
 * - a project-scoped officer gave his project another project's code as its other code, and the rows
 *   that project's own officer then imported landed in his project (the import's catalogue let an other
 *   code take the place of a code, and the scope was checked on the code as written);
 * - a correction through /projects/<code in lower case or other code>/... changed a value of a period
 *   whose report was approved without reopening the report (the cycles to reopen were looked up by the
 *   code as written);
 * - /frameworks and /api/v1/frameworks, /library and /api/v1/common-indicators named projects the user
 *   may not read;
 * - an API token could create API tokens (a leaked one-day token minted a year's access).
 * On a database of its own (the demo portfolio); no Temporal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../app/auth.js';
import { importFile } from '../app/imports.js';
import type { Pool } from '../db/pool.js';
import { SHEETS } from '../logframe/layout.js';
import { ownDatabase } from './support/own-database.js';
import { addUser, seedCycle } from './support/report-fixtures.js';
import { Agent, databaseOnlyContext, serveWeb } from './support/web-agent.js';

const HEALTH = 'LY10P0563';
const VHR = 'LY10P0570';
let pool: Pool;
let http: FastifyInstance;
let scratch: string;

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_project_codes_spec'));
  http = await serveWeb(databaseOnlyContext(pool, 'project-codes'));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-project-codes-'));
  await addUser(pool, 'me.health', [{ role: 'me_officer', projectCode: HEALTH }]);
  await addUser(pool, 'me.vhr', [{ role: 'me_officer', projectCode: VHR }]);
});
afterAll(async () => {
  await http?.close();
  await pool?.end();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const altCode = async (code: string) => (await pool.query<{ alt_code: string | null }>('SELECT alt_code FROM projects WHERE code = $1', [code])).rows[0]!.alt_code;
/** The project a current value without breakdown of this indicator code and period is stored in, with its value. */
async function storedIn(indicator: string, period: string): Promise<Array<{ project: string; value: number }>> {
  const { rows } = await pool.query(
    `SELECT p.code AS project, v.value FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE i.code = $1 AND v.period = $2 AND v.superseded_at IS NULL AND v.sex = '' AND v.age_group = '' AND v.location = ''
        AND v.population_type = '' AND v.nationality = '' ORDER BY p.code`, [indicator, period]);
  return rows.map((r) => ({ project: r.project, value: Number(r.value) }));
}
/** A count indicator code both projects have, without breakdowns. */
async function sharedIndicator(a: string, b: string): Promise<string> {
  const { rows } = await pool.query(
    `SELECT i.code FROM indicators i JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.type = 'count' AND i.disaggregations = '{}'
        AND i.code IN (SELECT i2.code FROM indicators i2 JOIN projects p2 ON p2.id = i2.project_id WHERE p2.code = $2)
      ORDER BY i.ordinal LIMIT 1`, [a, b]);
  return rows[0].code;
}

describe("a project's other code never takes another project's rows", () => {
  it("refuses a logframe that gives its project another project's code or other code, naming sheet, row and field", async () => {
    const health = await Agent.signedIn('me.health');
    const download = await health.fetch(`/projects/${HEALTH}/logframe.xlsx`);
    expect(download.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await download.arrayBuffer());
    const ws = wb.getWorksheet(SHEETS.project)!;
    let row = 0;
    for (let r = 1; r <= ws.rowCount && !row; r++) if (ws.getCell(r, 1).value === 'Alt code') row = r;
    expect(row).toBeGreaterThan(0);
    const before = await altCode(HEALTH);
    for (const taken of [VHR, VHR.toLowerCase(), (await altCode(VHR))!]) {
      ws.getCell(row, 2).value = taken;
      const body = new FormData();
      body.append('file', new Blob([await wb.xlsx.writeBuffer()]), 'health-logframe.xlsx');
      const res = await health.fetch(`/data/logframe?_csrf=${encodeURIComponent(await health.formToken('/data'))}`, { method: 'POST', body });
      const page = (await res.text()).replaceAll('&quot;', '"').replaceAll('&#x27;', "'");
      // The problem's row of the table: sheet, row, field, message.
      expect(page, taken).toContain(`<tr><td>${SHEETS.project}</td><td>${row}</td><td>Alt code</td><td>"${taken}" already names project ${VHR}`);
      expect(await altCode(HEALTH)).toBe(before);
    }
  });

  it("refuses (403) another project's workbook to a project-scoped officer, checked or stored, and changes nothing", async () => {
    const officer = await Agent.signedIn('me.officer');
    const workbook = Buffer.from(await (await officer.fetch(`/projects/${VHR}/logframe.xlsx`)).arrayBuffer());
    const health = await Agent.signedIn('me.health');
    const titleBefore = (await pool.query('SELECT title, alt_code, start_date::text FROM projects WHERE code = $1', [VHR])).rows[0];
    for (const check of [true, false]) {
      const body = new FormData();
      body.append('file', new Blob([workbook]), 'vhr-logframe.xlsx');
      const res = await health.fetch(`/data/logframe?${check ? 'check=1&' : ''}_csrf=${encodeURIComponent(await health.formToken('/data'))}`, { method: 'POST', body });
      expect(res.status, `check=${check}`).toBe(403);
    }
    expect((await pool.query('SELECT title, alt_code, start_date::text FROM projects WHERE code = $1', [VHR])).rows[0]).toEqual(titleBefore);
  });

  it("stores a row in the project its code names, even where an older database gave another project that code as its other code", async () => {
    // As a database written before the check could hold it: LY10P0563's other code is LY10P0570.
    const before = await altCode(HEALTH);
    await pool.query('UPDATE projects SET alt_code = $1 WHERE code = $2', [VHR, HEALTH]);
    try {
      const indicator = await sharedIndicator(VHR, HEALTH);
      const file = path.join(scratch, 'vhr.csv');
      fs.writeFileSync(file, `project_code,indicator_code,period,value\n${VHR},${indicator},2025-Q2,777777\n`);
      const r = await importFile({ pool }, { path: file, importedBy: 'me.vhr', scope: { all: false, projects: [VHR], allows: (c) => c.trim().toUpperCase() === VHR } });
      expect(r).toMatchObject({ accepted: 1, rejected: 0 });
      expect((await storedIn(indicator, '2025-Q2')).filter((s) => s.value === 777777)).toEqual([{ project: VHR, value: 777777 }]);
      // ...and LY10P0563's officer may not write to LY10P0570 by that name.
      fs.writeFileSync(file, `project_code,indicator_code,period,value\n${VHR},${indicator},2025-Q3,888888\n`);
      const theirs = await importFile({ pool }, { path: file, importedBy: 'me.health', scope: { all: false, projects: [HEALTH], allows: (c) => c.trim().toUpperCase() === HEALTH } });
      expect(theirs).toMatchObject({ accepted: 0, rejected: 1 });
      expect(theirs.errors[0]!.message).toMatch(/may not enter data for project LY10P0570/);
    } finally {
      await pool.query('UPDATE projects SET alt_code = $1 WHERE code = $2', [before, HEALTH]);
    }
  });
});

describe('a correction names its project by its exact code', () => {
  it('refuses /projects/<other case or other code>/.../correct (404), so an approved period is never changed without reopening its report', async () => {
    const project = 'LY10P0551';
    await seedCycle(pool, { project, period: '2025-Q1', template: 'iom-donor-report', state: 'completed' });
    const indicator = 'OP1.1.b';
    const before = await storedIn(indicator, '2025-Q1');
    const officer = await Agent.signedIn('me.officer');
    for (const name of [project.toLowerCase(), (await altCode(project))!]) {
      const res = await officer.fetch(`/projects/${encodeURIComponent(name)}/indicators/${indicator}/correct`, {
        method: 'POST', form: { _csrf: officer.csrf, period: '2025-Q1', value: '1119', comment: 'typo in the source' },
      });
      expect(res.status, name).toBe(404);
    }
    expect(await storedIn(indicator, '2025-Q1')).toEqual(before);
  });
});

describe('the frameworks name only projects the user may read', () => {
  it("a project manager sees his projects beside the nodes, and no other project's code, on the page and in the API", async () => {
    const { rows } = await pool.query<{ user_id: string; project_code: string }>(`SELECT user_id, project_code FROM user_roles WHERE role = 'project_manager' AND project_code IS NOT NULL ORDER BY user_id LIMIT 1`);
    const pm = rows[0]!;
    const mine = (await pool.query<{ project_code: string }>(`SELECT project_code FROM user_roles WHERE user_id = $1 AND project_code IS NOT NULL`, [pm.user_id])).rows.map((r) => r.project_code);
    const others = (await pool.query<{ code: string }>('SELECT code FROM projects WHERE NOT (code = ANY($1::text[]))', [mine])).rows.map((r) => r.code);
    expect(others.length).toBeGreaterThan(0);
    const a = await Agent.signedIn(pm.user_id);
    const page = await (await a.fetch('/frameworks')).text();
    const api = JSON.stringify(await (await a.fetch('/api/v1/frameworks')).json());
    for (const code of others) {
      expect(page, code).not.toContain(code);
      expect(api, code).not.toContain(code);
    }
    expect(`${page}${api}`).toContain(mine[0]!);
  });
});

describe('the library of common indicators names only projects the user may read', () => {
  it('a viewer of one project sees only that project named beside the entries, on the page and in the API', async () => {
    await addUser(pool, 'viewer.one', [{ role: 'viewer', projectCode: 'LY10P0542' }]);
    const others = (await pool.query<{ code: string }>(`SELECT code FROM projects WHERE code <> 'LY10P0542'`)).rows.map((r) => r.code);
    const a = await Agent.signedIn('viewer.one');
    const list = (await (await a.fetch('/api/v1/common-indicators')).json()) as Array<{ code: string; projects: string[]; linkedProjects: number; linkedIndicators: number }>;
    const page = await (await a.fetch('/library')).text();
    const linked = list.filter((e) => e.linkedProjects > 0);
    expect(linked.length).toBeGreaterThan(0);
    for (const e of list) expect(e.projects.every((c) => c === 'LY10P0542'), e.code).toBe(true);
    for (const code of others) {
      expect(page, code).not.toContain(code);
      expect(JSON.stringify(list), code).not.toContain(code);
    }
    // An entry names no other project either (it counts the hidden ones, without names).
    const one = JSON.stringify(await (await a.fetch(`/api/v1/common-indicators/${linked[0]!.code}`)).json());
    for (const code of others) expect(one, code).not.toContain(code);
  });
});

describe('an API token cannot create API tokens', () => {
  it('refuses (403) POST /api/v1/tokens and the account form with a bearer token; a session still creates one', async () => {
    const { token } = await createApiToken({ pool }, 'me.officer', 'short-lived', 1);
    const bearer = { authorization: `Bearer ${token}` };
    const viaApi = await new Agent(null).fetch('/api/v1/tokens', { method: 'POST', headers: bearer, json: { name: 'long', expiresInDays: 365 } });
    expect(viaApi.status).toBe(403);
    const viaForm = await new Agent(null).fetch('/account/tokens', { method: 'POST', headers: bearer, form: { name: 'long', expiresInDays: '365' } });
    expect(viaForm.status).toBe(403);
    expect((await pool.query(`SELECT count(*)::int AS n FROM api_tokens WHERE user_id = 'me.officer' AND name = 'long'`)).rows[0].n).toBe(0);
    const officer = await Agent.signedIn('me.officer');
    const inSession = await officer.fetch('/api/v1/tokens', { method: 'POST', headers: { 'x-csrf-token': officer.csrf }, json: { name: 'from the browser', expiresInDays: 30 } });
    expect(inSession.status).toBe(201);
  });
});
