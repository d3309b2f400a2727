/**
 * The history of indicator values against the real PostgreSQL of the global setup, in a database of
 * its own (the spec corrects demo values): a correction imported as a file supersedes the old revision
 * at the time of the new one and both are shown with who, when, source and file; `rbm values history`
 * as a real process (the --json structure, the human output, exit codes); the project page's figures
 * against the domain's on the same data; the indicator page with its revisions; who may see them
 * (another project's manager gets 404, donors 403); the JSON API and its OpenAPI entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { qualityPeriod } from '../domain/periods.js';
import type { AppContext } from '../app/context.js';
import { importFile } from '../app/imports.js';
import { indicatorValues } from '../app/values.js';
import type { Pool } from '../db/pool.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { databaseNow, readValueRevisions, readValuesAsOf, recordValues } from '../db/values-repository.js';
import { RbmError } from '../domain/errors.js';
import { computeIndicatorProgress } from '../domain/progress.js';
import { projectQuartersTo } from '../domain/report-model.js';
import { ownDatabase } from './support/own-database.js';
import { runRbm } from './support/rbm-process.js';
import { Agent, databaseOnlyContext, serveWeb } from './support/web-agent.js';

const DATABASE = 'rbm_value_history_spec';
const PROJECT = 'LY10P0542';
const INDICATOR = 'OC1.a';
const PERIOD = '2025-Q3';
const FILE = 'oc1a-correction.csv';
const MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

let pool: Pool;
let databaseUrl: string;
let scratch: string;
let ctx: AppContext;
/** The demo value of the cell before any correction, the imported one, and the one recorded after. */
let demoValue: number;
let imported: number;
let recorded: number;
let batchId: number;

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase(DATABASE));
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'value-history-'));
  ctx = databaseOnlyContext(pool, 'value-history');
});
afterAll(async () => {
  await pool?.end();
});

const rbm = (args: string[]) => runRbm(args, { ...process.env, DATABASE_URL: databaseUrl, RBM_DATA_DIR: path.join(scratch, 'data') });

/** The stored timestamps of the cell's revisions as PostgreSQL has them, with microseconds. */
async function storedTimes(): Promise<Array<{ value: number; entered_at: string; superseded_at: string | null }>> {
  const { rows } = await pool.query(
    `SELECT v.value, to_char(v.entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS entered_at,
            to_char(v.superseded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS superseded_at
       FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.sex = '' AND v.age_group = '' AND v.population_type = ''
        AND v.nationality = '' AND v.location = ''
      ORDER BY v.entered_at DESC, v.id DESC`,
    [PROJECT, INDICATOR, PERIOD],
  );
  return rows;
}

describe('a correction is a new revision, and the history shows both', () => {
  it('keeps the demo value superseded at the time of the imported correction, with who, when, source and file', async () => {
    const before = await readValueRevisions(pool, PROJECT, INDICATOR, PERIOD);
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ enteredBy: 'demo-loader', enteredByName: null, supersededAt: null, source: 'demo data', importFileName: null });
    demoValue = before[0]!.value!;
    imported = demoValue + 3;

    const file = path.join(scratch, FILE);
    fs.writeFileSync(file, `project_code,indicator_code,period,value,source,comment,evidence_url\n${PROJECT},${INDICATOR},${PERIOD},${imported},MWG minutes,recounted after the ministry's letter,https://example.org/mwg-2025-q3.pdf\n`);
    const report = await importFile(ctx, { path: file, importedBy: 'me.officer' });
    expect(report).toMatchObject({ accepted: 1, rejected: 0, unchanged: 0, refused: false });
    batchId = report.batchId!;

    const stored = await storedTimes();
    expect(stored.map((r) => r.value)).toEqual([imported, demoValue]);
    const view = await indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: INDICATOR, period: PERIOD });
    expect(view.cells).toHaveLength(1);
    const [cell] = view.cells;
    expect(cell).toMatchObject({ period: PERIOD, cell: 'total', disaggregation: {} });
    expect(cell!.current).toMatchObject({
      value: imported, current: true, enteredBy: 'me.officer', enteredByName: 'Salma Ben Ali', by: 'Salma Ben Ali (me.officer)',
      source: 'MWG minutes', comment: "recounted after the ministry's letter", evidenceUrl: 'https://example.org/mwg-2025-q3.pdf',
      evidenceLink: 'https://example.org/mwg-2025-q3.pdf', importBatchId: batchId, importFileName: FILE, supersededAt: null,
      enteredAt: stored[0]!.entered_at,
    });
    expect(cell!.current!.enteredAt).toMatch(MICROS);
    expect(cell!.current!.changes).toContainEqual({ field: 'value', before: String(demoValue), after: String(imported) });
    expect(cell!.current!.changes).toContainEqual({ field: 'source', before: 'demo data', after: 'MWG minutes' });
    expect(cell!.earlier).toHaveLength(1);
    expect(cell!.earlier[0]).toMatchObject({
      value: demoValue, current: false, enteredBy: 'demo-loader', source: 'demo data', importFileName: null, importBatchId: null,
      enteredAt: stored[1]!.entered_at, supersededAt: stored[1]!.superseded_at, replacedBy: 'Salma Ben Ali (me.officer)',
    });
    // superseded at the very time the correction was entered
    expect(cell!.earlier[0]!.supersededAt).toBe(cell!.current!.enteredAt);
    expect(view).toMatchObject({ revisions: 2, superseded: 1, period: PERIOD, progressPeriod: PERIOD });
  });

  it('keeps every revision in order when corrected again, and computes progress on the current values', async () => {
    recorded = imported + 2;
    // Values recorded without the import path are not validated: a non-web evidence link is kept as text.
    await recordValues(pool, [{ projectCode: PROJECT, indicatorCode: INDICATOR, period: PERIOD, disaggregation: {}, value: recorded, source: 'desk review', evidenceUrl: 'javascript:alert(1)' }], 'admin');
    const stored = await storedTimes();
    const view = await indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: INDICATOR, period: PERIOD });
    const [cell] = view.cells;
    expect(cell!.current).toMatchObject({ value: recorded, by: 'Omar Admin (admin)', evidenceLink: null, evidenceUrl: 'javascript:alert(1)', importFileName: null });
    expect(cell!.earlier.map((r) => [r.value, r.replacedBy, r.supersededAt])).toEqual([
      [imported, 'Omar Admin (admin)', stored[1]!.superseded_at],
      [demoValue, 'Salma Ben Ali (me.officer)', stored[2]!.superseded_at],
    ]);
    expect(cell!.earlier[0]!.supersededAt).toMatch(MICROS);

    const asOf = await databaseNow(pool);
    const bundle = await getProjectBundle(pool, PROJECT);
    const indicator = bundle.indicators.find((i) => i.code === INDICATOR)!;
    const expected = computeIndicatorProgress(indicator, await readValuesAsOf(pool, PROJECT, asOf), PERIOD, projectQuartersTo(bundle.project, PERIOD));
    expect(view.progress).toEqual(expected);
    expect(view.progress!.periodActual).toBe(recorded);
    expect(view.periods.at(-1)).toMatchObject({ period: PERIOD, actual: recorded, target: expected.periodTarget, cumulative: expected.cumulativeActual, status: expected.status });

    // Without a period: every period's cells, ordered by period; the period's own cell is the same.
    const all = await indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: INDICATOR });
    expect(all.period).toBeNull();
    const periods = all.cells.map((c) => c.period);
    expect(periods.length).toBeGreaterThan(4);
    expect(periods).toEqual([...periods].sort());
    expect(all.cells.find((c) => c.period === PERIOD)).toEqual(cell);
  });

  it('says which code is unknown, and refuses a period that is not one', async () => {
    const err = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as RbmError);
    expect(await err(indicatorValues(ctx, { projectCode: 'NOPE', indicatorCode: INDICATOR }))).toMatchObject({ code: 'not_found', message: expect.stringContaining('no project with code NOPE') });
    expect(await err(indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: 'NOPE' }))).toMatchObject({ code: 'not_found', message: expect.stringContaining(`project ${PROJECT} has no indicator NOPE`) });
    expect(await err(indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: INDICATOR, period: '2025-Q5' }))).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('"2025-Q5" is not a period') });
  });
});

describe('rbm values history (the command)', () => {
  it('prints the structure with --json', async () => {
    const r = await rbm(['values', 'history', '--project', PROJECT, '--indicator', INDICATOR, '--period', PERIOD, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    const direct = await indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: INDICATOR, period: PERIOD });
    expect({ ...v, asOf: null }).toEqual({ ...JSON.parse(JSON.stringify(direct)), asOf: null });
    expect(v.cells[0].current).toMatchObject({ value: recorded, enteredBy: 'admin' });
    expect(v.cells[0].earlier.map((e: { value: number; importFileName: string | null }) => [e.value, e.importFileName])).toEqual([[imported, FILE], [demoValue, null]]);
  });

  it('prints each cell for a person: the current value, then each superseded one with who, when, source and file', async () => {
    const r = await rbm(['values', 'history', '--project', PROJECT, '--indicator', INDICATOR, '--period', PERIOD]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l === `${PERIOD} · total`);
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toBe(`  ${recorded}  [current]`);
    expect(lines[head + 2]).toMatch(/^ {4}entered by Omar Admin \(admin\) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; source: desk review$/);
    expect(r.stdout).toMatch(new RegExp(`^ {4}${imported} {2}\\[superseded \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC by Omar Admin \\(admin\\)\\]$`, 'm'));
    expect(r.stdout).toContain(`entered by Salma Ben Ali (me.officer) at `);
    expect(r.stdout).toContain(`file ${FILE} (import ${batchId}); source: MWG minutes`);
    expect(r.stdout).toContain("comment: recounted after the ministry's letter");
    expect(r.stdout).toMatch(new RegExp(`^ {4}${demoValue} {2}\\[superseded .* by Salma Ben Ali \\(me.officer\\)\\]$`, 'm'));
    expect(r.stdout).toContain('3 revisions (2 superseded) in 1 cell of 2025-Q3');
  });

  it('exits 4 for an unknown indicator or project and 2 for a bad period', async () => {
    const unknown = await rbm(['values', 'history', '--project', PROJECT, '--indicator', 'OC9.z']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain(`project ${PROJECT} has no indicator OC9.z`);
    expect((await rbm(['values', 'history', '--project', 'NOPE', '--indicator', INDICATOR])).code).toBe(4);
    const bad = await rbm(['values', 'history', '--project', PROJECT, '--indicator', INDICATOR, '--period', '2025-13']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"2025-13" is not a period');
  });
});

describe('the project and indicator pages', () => {
  let http: FastifyInstance;
  const agents: Record<string, Agent> = {};
  beforeAll(async () => {
    http = await serveWeb(ctx);
    // The log-in rate limit is per user: each signs in once for the whole spec.
    for (const user of ['me.officer', 'pm.governance', 'pm.health', 'donor.a']) agents[user] = await Agent.signedIn(user);
  });
  afterAll(async () => {
    await http?.close();
  });

  const attr = (row: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(row)?.[1];

  it("shows the project with each indicator's figures for the last ended quarter, as the domain computes them", async () => {
    const res = await agents['me.officer']!.fetch(`/projects/${PROJECT}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/portfolio" class="active" aria-current="page">Portfolio</a>');
    expect(html).toContain('Strengthening Migration Governance in Libya');
    expect(html).toContain('Donor Agency A (illustrative)');
    expect(html).toContain('2022-01-01 – 2025-12-31');
    expect(html).toContain('National · Tripoli, Benghazi, Misrata, Sebha');

    const asOf = await databaseNow(pool);
    const bundle = await getProjectBundle(pool, PROJECT);
    const quarter = qualityPeriod(bundle.project, asOf)!;
    const values = await readValuesAsOf(pool, PROJECT, asOf);
    const n = (x: number | null) => (x === null ? '' : String(x));
    for (const indicator of bundle.indicators) {
      const p = computeIndicatorProgress(indicator, values, quarter, projectQuartersTo(bundle.project, quarter));
      const row = new RegExp(`<tr data-indicator="${indicator.code.replace(/\./g, '\\.')}"[^>]*>`).exec(html)?.[0];
      expect(row, indicator.code).toBeDefined();
      expect({
        period: attr(row!, 'data-period'), actual: attr(row!, 'data-actual'), target: attr(row!, 'data-target'), percent: attr(row!, 'data-percent'),
        status: attr(row!, 'data-status'), cumulative: attr(row!, 'data-cumulative'), lop: attr(row!, 'data-lop'), percentLife: attr(row!, 'data-percent-life'),
      }, indicator.code).toEqual({
        period: quarter, actual: n(p.periodActual), target: n(p.periodTarget), percent: n(p.percentOfPeriodTarget), status: p.status,
        cumulative: n(p.cumulativeActual), lop: n(p.lifeOfProjectTarget), percentLife: n(p.percentOfLifeTarget),
      });
      expect(html).toContain(`<a href="/projects/${PROJECT}/indicators/${indicator.code}"><code>${indicator.code}</code></a>`);
    }
    // grouped by result, outcome first, in the results matrix's order
    const groups = [...html.matchAll(/data-result="([^"]+)"/g)].map((m) => m[1]);
    expect(groups).toEqual(['OC1', 'OP1.1', 'OP1.2', 'OP1.3', 'OP1.4']);
    expect(html).toMatch(/<span class="badge">Outcome OC1<\/span>/);
  });

  it("shows an indicator's definition, its periods and every revision, the replaced ones struck through", async () => {
    const res = await agents['pm.governance']!.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Project records; Migration Working Group minutes');
    expect(html).toContain('sum of periods (non-cumulative)');
    expect(html).toMatch(/<th>Life-of-project target<\/th><td>4<\/td>/);
    expect(html).toMatch(new RegExp(`<tr data-period="${PERIOD}"><td class="nowrap">Q3 2025 \\(1 Jul – 30 Sep 2025\\)</td><td class="nowrap">[^<]+</td><td class="nowrap">${recorded}</td>`));

    const cell = /<tbody class="cell" data-cell="2025-Q3 total">([\s\S]*?)<\/tbody>/.exec(html)?.[1];
    expect(cell).toBeDefined();
    const rows = cell!.split('<tr ').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^class="current"/);
    expect(rows[0]).toContain(`<strong>${recorded}</strong> <span class="badge">current</span>`);
    expect(rows[0]).toContain('Omar Admin (admin)');
    // a link only when it is http(s): this one stays text
    expect(rows[0]).toContain('javascript:alert(1)');
    expect(html).not.toContain('href="javascript:');
    expect(rows[1]).toMatch(/^class="superseded"/);
    expect(rows[1]).toContain(`<s>${imported}</s>`);
    expect(rows[1]).toMatch(/replaced on <span title="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/span> by Omar Admin \(admin\)/);
    expect(rows[1]).toContain('Salma Ben Ali (me.officer)');
    expect(rows[1]).toContain(`<code>${FILE}</code> <span class="muted">import ${batchId}</span>`);
    expect(rows[1]).toContain('MWG minutes');
    expect(rows[1]).toContain('recounted after the ministry&#x27;s letter');
    expect(rows[1]).toContain('<a href="https://example.org/mwg-2025-q3.pdf" rel="noopener noreferrer">');
    expect(rows[2]).toContain(`<s>${demoValue}</s>`);
    expect(rows[2]).toMatch(/by Salma Ben Ali \(me\.officer\)/);
    expect(rows[2]).toContain('demo-loader');

    // one period only
    const one = await (await agents['pm.governance']!.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}?period=2025-Q2`)).text();
    expect([...one.matchAll(/data-cell="([^"]+)"/g)].map((m) => m[1])).toEqual(['2025-Q2 total']);
    expect(one).toContain('<option value="2025-Q2" selected>');
    expect((await agents['pm.governance']!.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}?period=2025-Q9`)).status).toBe(400);
    expect((await agents['pm.governance']!.fetch(`/projects/${PROJECT}/indicators/OC9.z`)).status).toBe(404);
  });

  it('answers 404 to staff who may not read the project (as for no project), and refuses donors', async () => {
    const other = agents['pm.health']!;
    const hidden = await other.fetch(`/projects/${PROJECT}`);
    expect(hidden.status).toBe(404);
    const message = (html: string) => /<section class="card narrow">([\s\S]*?)<\/section>/.exec(html)?.[1];
    const hiddenText = await hidden.text();
    expect(hiddenText).not.toContain('Strengthening Migration Governance');
    expect(message(hiddenText)).toContain(`There is no project ${PROJECT}, or you may not see it.`);
    const unknown = await other.fetch('/projects/LY00X0000');
    expect(unknown.status).toBe(404);
    expect(message((await unknown.text()).replace(/LY00X0000/g, PROJECT))).toBe(message(hiddenText)); // tells nothing about which exists
    expect((await other.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}`)).status).toBe(404);
    expect((await other.fetch(`/api/v1/projects/${PROJECT}/indicators/${INDICATOR}/values`)).status).toBe(404);
    expect((await other.fetch('/projects/LY10P0551')).status).toBe(200); // their own project

    const donor = agents['donor.a']!; // funds LY10P0542, yet sees only approved reports
    expect((await donor.fetch(`/projects/${PROJECT}`)).status).toBe(403);
    expect((await donor.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}`)).status).toBe(403);
    expect((await donor.fetch(`/api/v1/projects/${PROJECT}/indicators/${INDICATOR}/values`)).status).toBe(403);
    const anonymous = await new Agent(null).fetch(`/projects/${PROJECT}`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/projects/${PROJECT}`)}`);
  });

  it('links project codes from the portfolio and the library', async () => {
    const officer = agents['me.officer']!;
    const portfolio = await (await officer.fetch('/portfolio')).text();
    expect(portfolio).toContain(`<a href="/projects/${PROJECT}"><strong>${PROJECT}</strong></a>`);
    const entry = await (await officer.fetch('/library/CI-GOV-01')).text();
    expect(entry).toContain(`<a href="/projects/${PROJECT}"><code>${PROJECT}</code></a>`);
    expect(entry).toContain(`<a href="/projects/${PROJECT}/indicators/OP1.4.a"><code>OP1.4.a</code></a>`);
  });

  it('answers the JSON API with zod-validated parameters, and documents it', async () => {
    const officer = agents['me.officer']!;
    const v = await officer.json(`/api/v1/projects/${PROJECT}/indicators/${INDICATOR}/values?period=${PERIOD}`);
    const direct = await indicatorValues(ctx, { projectCode: PROJECT, indicatorCode: INDICATOR, period: PERIOD });
    expect({ ...v, asOf: null }).toEqual({ ...JSON.parse(JSON.stringify(direct)), asOf: null });
    expect(v.cells[0].earlier.map((e: { value: number }) => e.value)).toEqual([imported, demoValue]);
    const all = await officer.json(`/api/v1/projects/${PROJECT}/indicators/${INDICATOR}/values`);
    expect(all.cells.length).toBeGreaterThan(v.cells.length);

    const bad = await officer.fetch(`/api/v1/projects/${PROJECT}/indicators/${INDICATOR}/values?period=2025-Q9`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_input', field: 'period', in: 'query' });
    const missing = await officer.fetch(`/api/v1/projects/${PROJECT}/indicators/OC9.z/values`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('has no indicator OC9.z') });
    expect((await officer.fetch('/api/v1/projects/LY00X0000/indicators/OC1.a/values')).status).toBe(404);

    const doc = await (await new Agent(null).fetch('/openapi.json')).json();
    const op = doc.paths['/api/v1/projects/{code}/indicators/{indicator}/values']?.get;
    expect(op).toBeDefined();
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:code', 'path:indicator', 'query:period']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/common-indicators', '/api/v1/projects']));
  });

  it('lets an M&E officer correct one value as a new revision, checked like an import; a project manager may not', async () => {
    const officer = agents['me.officer']!;
    const current = async (indicator: string, where = "v.sex = '' AND v.location = ''") => (await pool.query(
      `SELECT v.value, v.comment, v.entered_by FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
        WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.superseded_at IS NULL AND v.age_group = '' AND v.population_type = ''
          AND v.nationality = '' AND ${where}`, [PROJECT, indicator, PERIOD],
    )).rows[0] as { value: number; comment: string; entered_by: string };
    const post = async (agent: Agent, indicator: string, form: Record<string, string>) => {
      const url = `/projects/${PROJECT}/indicators/${indicator}`;
      const res = await agent.fetch(`${url}/correct`, { method: 'POST', form: { _csrf: await agent.formToken(url), period: PERIOD, ...form } });
      return { res, page: res.status === 303 ? await (await agent.fetch(res.headers.get('location')!)).text() : await res.text() };
    };
    // OP1.4.a must add up to its breakdowns by sex and location: a new total alone is refused, nothing stored.
    const before = await current('OP1.4.a');
    const refused = await post(officer, 'OP1.4.a', { value: String(before.value + 5), comment: 'Recount' });
    expect(refused.res.status).toBe(303);
    expect(refused.page).toContain('Not stored:');
    expect(refused.page).toMatch(/the values add up to \d+, not to the total on the corrected value \(\d+\)/);
    expect(await current('OP1.4.a')).toEqual(before);

    // Each current value has its form, naming the cell it corrects.
    const page = await (await officer.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}?period=${PERIOD}`)).text();
    expect(page).toContain(`Correct ${PERIOD} total`);
    // OC1.a (a count without breakdowns): stored as a new revision with its reason; the old one stays.
    const old = await current(INDICATOR);
    const stored = await post(officer, INDICATOR, { value: String(old.value + 1), comment: 'A decree adopted in September was missed' });
    expect(stored.page).toContain(`Stored: ${PERIOD} total is now ${old.value + 1}`);
    expect(await current(INDICATOR)).toMatchObject({ value: old.value + 1, comment: 'A decree adopted in September was missed', entered_by: 'me.officer' });
    expect(stored.page).toContain('A decree adopted in September was missed');
    expect(stored.page).toContain(`<a href="/projects/${PROJECT}">${PROJECT}</a> › ${INDICATOR}`);
    expect(stored.page).toMatch(new RegExp(`<s>${old.value}</s><br><span class="muted">replaced on`));
    const batch = (await pool.query(`SELECT kind, file_name, accepted FROM import_batches ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(batch).toEqual({ kind: 'correction', file_name: 'correction by me.officer', accepted: 1 });

    // Without a reason: refused before anything is checked.
    const noReason = await officer.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}/correct`, {
      method: 'POST', form: { _csrf: await officer.formToken(`/projects/${PROJECT}`), period: PERIOD, value: '3', comment: ' ' },
    });
    expect(noReason.status).toBe(400);
    // A project manager reads the page without the form, and may not post it.
    const pm = agents['pm.governance']!;
    expect(await (await pm.fetch(`/projects/${PROJECT}/indicators/${INDICATOR}`)).text()).not.toContain('Save as a new revision');
    expect((await post(pm, INDICATOR, { value: '1', comment: 'no' })).res.status).toBe(403);
    expect((await current(INDICATOR)).value).toBe(old.value + 1);
  });
});
