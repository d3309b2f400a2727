/**
 * The IATI export against the real database of the global setup: the demo portfolio exported for one
 * project and for all, valid against the official 2.03 schema (xmllint) and the codelists, with a
 * link to an approved report, and read back with the IATI reader to the very numbers the database
 * holds. The `rbm export iati` command is run once as a real process.
 */
import { figureOf } from '../domain/progress.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIatiExport, exportIatiFile } from '../app/iati.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { PROJECT_ROOT } from '../config/config.js';
import { ensureCycle, saveArtifact } from '../db/cycles-repository.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { listIndicators, listProjects } from '../db/portfolio-repository.js';
import { readValuesAsOf } from '../db/values-repository.js';
import { importIatiActuals } from '../iati/import-actuals.js';
import { parseIatiActivities } from '../iati/parse-activities.js';
import { codelistCodes, codelistViolations } from '../iati/testing/codelists.js';
import { ruleViolations } from '../iati/testing/rules.js';
import { validateWithXmllint } from '../iati/testing/shared-iati.js';
import { valueLines } from '../iati/testing/value-lines.js';
import { attrOf, parseTree, select } from '../iati/testing/xml-tree.js';
import { createLogger } from '../runtime/logger.js';
import { DEFAULT_TEMPLATE_ID } from '../templates/registry.js';

const run = promisify(execFile);
const PROJECT = 'LY10P0542';
const CYCLE_ID = 'iati-spec/LY10P0542/2025-Q3';
const BASE_URL = 'https://rbm.example.org';

let pool: Pool;
let dir: string;
const approvedFiles: Record<'pdf' | 'xlsx', string> = { pdf: '', xlsx: '' };

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  await migrateDatabase(databaseUrl, createLogger(process.env.RBM_LOG_LEVEL ?? 'warn', 'iati-spec'));
  pool = createPool(databaseUrl);
  await loadDemoPortfolio({ pool }, '2025-Q4');
  dir = fs.mkdtempSync(path.join(inject('scratchDir'), 'iati-'));
  // A completed report cycle with its final files, as the reportCycle workflow leaves it.
  await ensureCycle(pool, { id: CYCLE_ID, projectCode: PROJECT, period: '2025-Q3', templateId: DEFAULT_TEMPLATE_ID, startedBy: 'me.officer' });
  await pool.query(`UPDATE report_cycles SET state = 'completed', current_version = 1 WHERE id = $1`, [CYCLE_ID]);
  for (const format of ['pdf', 'xlsx'] as const) {
    const ref = await saveArtifact(pool, { cycleId: CYCLE_ID, version: 1, stage: 'final', format, filename: `LY10P0542_2025-Q3_v1_final.${format}`, content: Buffer.from(`final ${format}`) });
    approvedFiles[format] = ref.id;
  }
});

afterAll(async () => {
  await pool?.query('DELETE FROM report_cycles WHERE id = $1', [CYCLE_ID]); // its artifacts go with it
  await pool?.end();
});

/** Schema (xmllint), codelists and the validator rules on what we write: all must pass. */
function expectValidIati(file: string): string {
  const xml = fs.readFileSync(file, 'utf8');
  const lint = validateWithXmllint(file);
  expect(lint.output).toBe(`${file} validates`);
  expect(codelistViolations(xml)).toEqual([]);
  expect(ruleViolations(xml, new Date().toISOString())).toEqual([]);
  const tree = parseTree(xml);
  for (const m of select(tree, 'iati-activities/iati-activity/result/indicator').map((i) => attrOf(i, 'measure')!)) expect(codelistCodes('IndicatorMeasure')).toContain(m);
  for (const t of select(tree, 'iati-activities/iati-activity/result').map((r) => attrOf(r, 'type')!)) expect(codelistCodes('ResultType')).toContain(t);
  for (const v of select(tree, 'iati-activities/iati-activity/result/reference').map((r) => attrOf(r, 'vocabulary')!)) expect(codelistCodes('ResultVocabulary')).toContain(v);
  return xml;
}

/** Reads the file back with the IATI reader and compares with the database, value by value. */
async function expectRoundTrip(xml: string, projectCode: string, dataAsOf: string) {
  const indicators = await listIndicators(pool, projectCode);
  const read = importIatiActuals(xml, { projectCode, indicators });
  expect(read.skipped).toEqual([]);
  const typeOf = new Map(indicators.map((i) => [i.code, i.type]));
  // A percentage with its parts is exported as the figure every report shows: 100 × numerator / denominator.
  const stored = (await readValuesAsOf(pool, projectCode, dataAsOf)).map((v) => ({
    ...v, value: v.value === null ? null : Math.round(figureOf(typeOf.get(v.indicatorCode)!, v.value, v.numerator ?? null, v.denominator ?? null)! * 100) / 100,
  }));
  // Every total, every disaggregation cell, every numerator/denominator and text, per indicator and period.
  expect(valueLines(read.values)).toEqual(valueLines(stored));
  return read.values.length;
}

describe('rbm export iati', () => {
  it('exports one project as valid IATI 2.03, linking its approved report, and reads back to the same numbers', async () => {
    const out = await exportIatiFile({ pool }, { projects: [PROJECT], baseUrl: BASE_URL, outFile: path.join(dir, `${PROJECT}.xml`) });
    expect(out.counts).toMatchObject({ activities: 1, results: 5, indicators: 10, skippedValues: 0 });
    expect(out.counts.actuals).toBeGreaterThan(200);
    const xml = expectValidIati(out.file);

    const activity = select(parseTree(xml), 'iati-activities/iati-activity')[0]!;
    const links = select(activity, 'document-link').map((l) => `${attrOf(l, 'format')} ${attrOf(l, 'url')}`);
    expect(links).toEqual(expect.arrayContaining([`application/pdf ${BASE_URL}/reports/${approvedFiles.pdf}`, `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ${BASE_URL}/reports/${approvedFiles.xlsx}`]));
    const oc1 = select(activity, 'result').find((r) => attrOf(r, 'rbm:code') === 'OC1')!;
    expect(select(oc1, 'reference').map((r) => attrOf(r, 'code'))).toEqual(['GCM-23', 'IOM-GOVERNANCE', 'SDG-10.7', 'UNSDCF-1.1.1']);
    expect(select(activity, 'sector').map((s) => `${attrOf(s, 'vocabulary')}:${attrOf(s, 'code')}`)).toEqual(['1:15190', '8:8.8', '8:10.7']);

    const values = await expectRoundTrip(xml, PROJECT, out.dataAsOf);
    expect(values).toBe(out.counts.actuals);
  });

  it('exports all projects in one file, each reading back to its own numbers', async () => {
    const out = await exportIatiFile({ pool }, { projects: 'all', baseUrl: BASE_URL, outFile: path.join(dir, 'all', 'iati-activities.xml') });
    const projects = (await listProjects(pool)).map((p) => p.code);
    expect(out.projectCodes).toEqual(projects);
    expect(out.counts.activities).toBe(projects.length);
    expect(out.counts.skippedValues).toBe(0);
    const xml = expectValidIati(out.file);
    expect(parseIatiActivities(xml).map((a) => a.identifier)).toEqual(projects.map((p) => `XM-DAC-47066-${p}`));
    let total = 0;
    for (const code of projects) total += await expectRoundTrip(xml, code, out.dataAsOf);
    expect(total).toBe(out.counts.actuals);
  });

  it('says which project it does not know', async () => {
    await expect(buildIatiExport({ pool }, { projects: ['LY10P9999'], baseUrl: BASE_URL })).rejects.toThrow(/no project with code LY10P9999/);
  });

  it('runs as a command: `rbm export iati --project LY10P0542 --out FILE`', async () => {
    const env = { ...process.env, DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress') };
    const file = path.join(dir, 'cli', 'LY10P0542.xml');
    const { stdout } = await run('node', ['bin/rbm.js', 'export', 'iati', '--project', PROJECT, '--out', file], { cwd: PROJECT_ROOT, env, timeout: 120_000 });
    expect(stdout.split('\n')[0]).toBe(file);
    expect(stdout).toMatch(/^IATI 2\.03: 1 activity, 5 results, 10 indicators, \d+ periods, \d+ targets, \d+ actuals, \d+ report links? \(data as of .+\)$/m);
    const xml = expectValidIati(file);
    expect(xml).toContain(`http://127.0.0.1:3000/reports/${approvedFiles.pdf}`); // the default base URL
    const refused = await run('node', ['bin/rbm.js', 'export', 'iati'], { cwd: PROJECT_ROOT, env, timeout: 120_000 }).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/give either --project CODE or --all/) });
  });
});
