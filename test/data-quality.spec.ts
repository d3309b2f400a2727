/**
 * Data-quality warnings a reviewer sees before approving (issue #13), on the real PostgreSQL in a
 * database of their own: an outlier (777 against a life-of-project target of 4) and a broken
 * validation rule are stored all the same, listed with the import's result (`rbm import --json`
 * `warnings`), and carried into the report's data annex and its "Data quality" sheet; the "Values"
 * sheet traces each figure to its stored value, revision, source, batch, who and when.
 */
import { workbookOf } from './support/workbooks.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildReportFiles } from '../activities/report-files.js';
import { importFile } from '../app/imports.js';
import { importCommonIndicators } from '../app/common-indicators.js';
import { PROJECT_ROOT } from '../config/config.js';
import type { Pool } from '../db/pool.js';
import { databaseNow, readValuesAsOf } from '../db/values-repository.js';
import { sha256Hex } from '../db/cycles-repository.js';
import type { ReportModel } from '../domain/report-model.js';
import { closePdfPool } from '../render/pdf/pool.js';
import { ownDatabase } from './support/own-database.js';

const DATABASE = 'rbm_data_quality_spec';
let pool: Pool;
let databaseUrl: string;
let scratch: string;

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase(DATABASE));
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'quality-'));
});
afterAll(async () => {
  await closePdfPool();
  await pool?.end();
});

const csv = (name: string, rows: string[]) => {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, ['project_code,indicator_code,period,value,comment', ...rows].join('\n'));
  return file;
};

describe('warnings at import', () => {
  it('flags a value far above the life-of-project target, stores it all the same, and names its row', async () => {
    // LY10P0542 OP1.2.a: people on the study visit, life-of-project target 4 (the demo's figure, checked here).
    const target = (await pool.query(`SELECT t.value FROM indicator_targets t JOIN indicators i ON i.id = t.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE p.code = 'LY10P0542' AND i.code = 'OP1.2.a' AND t.period = 'LOP'`)).rows[0]?.value;
    expect(target).toBeGreaterThan(0);
    const r = await importFile({ pool }, { path: csv('outlier.csv', ['LY10P0542,OC1.a,2025-Q4,1,fine', `LY10P0542,OP1.2.a,2025-Q4,${target * 200},typo`]), importedBy: 'me.officer' });
    expect(r).toMatchObject({ accepted: 2, rejected: 0, errors: [] });
    expect(r.warnings).toEqual([expect.objectContaining({ file: 'outlier.csv', row: 3, column: 'value', message: expect.stringContaining(`LY10P0542 ${target * 200} in 2025-Q4 is over 2 × the life-of-project target of ${target}`) })]);
  });

  it('warns when a validation rule of the project breaks, and `rbm import --json` lists it in warnings', async () => {
    // LY10P0570 R1: migrants screened before departure (OP1.2.a) ≤ migrants counselled (OP1.1.a).
    const file = csv('rule.csv', ['LY10P0570,OP1.2.a,2025-Q4,5000,', 'LY10P0570,OP1.1.a,2025-Q4,4000,']);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'rbm.js'), 'import', file, '--json'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, RBM_LOG_LEVEL: 'silent' },
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const report = JSON.parse(stdout) as { accepted: number; warnings: Array<{ row: number; column: string; message: string }> };
    expect(report.accepted).toBe(2);
    // (The totals no longer match their breakdowns either: those warnings come first.)
    expect(report.warnings.filter((w) => w.message.includes('rule R1'))).toEqual([
      expect.objectContaining({ row: 2, column: 'value', message: 'LY10P0570 2025-Q4: rule R1 (screening follows counselling: screened ≤ counselled) does not hold: OP1.2.a <= OP1.1.a is 5000 <= 4000' }),
    ]);
  });
});

describe('in the report', () => {
  it('lists the warnings in the data annex and sheet, with the data time and SHA-256, and traces each value', async () => {
    const dataAsOf = await databaseNow(pool);
    const files = await buildReportFiles(pool, {
      projectCode: 'LY10P0570', period: '2025-Q4', templateId: 'iom-donor-report', dataAsOf, cycleId: null, version: 0, stage: 'draft', decisions: [], generatedAt: '2026-01-10T10:00:00Z',
    });
    const model = files.model as ReportModel;
    const sha = sha256Hex(JSON.stringify(await readValuesAsOf(pool, 'LY10P0570', dataAsOf)));
    expect(model.meta.dataSha256).toBe(sha);
    expect(model.dataQuality.map((w) => w.ruleCode)).toContain('R1');
    expect(model.sections.flatMap((s) => s.rows).find((r) => r.indicatorCode === 'OP1.1.a')!.qualityWarnings.join(' ')).toContain('rule R1');

    const wb = await workbookOf(files);
    const dq = wb.getWorksheet('Data quality')!;
    const cells = (ws: ExcelJS.Worksheet) => { const out: string[] = []; ws.eachRow((row) => out.push((row.values as unknown[]).slice(1).join('|'))); return out; };
    expect(cells(dq)).toContain(`Data SHA-256|${sha}`);
    expect(cells(dq).some((l) => l.startsWith('Rule R1|OP1.2.a|2025-Q4|rule R1'))).toBe(true);
    // The Values sheet: the corrected value with its revision, file, batch kind, who and when.
    const values = cells(wb.getWorksheet('Values')!);
    const oc1a = values.find((l) => l.startsWith('OP1.2.a|2025-Q4|total|5000'))!;
    expect(oc1a).toMatch(/\|2\|file\|\d+\|file\|rule\.csv\|me\.officer\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(values.length - 1).toBe(model.provenance.length);

    const pdf = path.join(scratch, 'draft.pdf');
    fs.writeFileSync(pdf, files.files.find((f) => f.format === 'pdf')!.content);
    const text = (await promisify(execFile)('pdftotext', [pdf, '-'])).stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Annex: data and data quality');
    expect(text).toContain(sha);
    expect(text).toContain('does not hold: OP1.2.a <= OP1.1.a is 5000 <= 4000');
  });
});

describe('rules of the library', () => {
  it('a library rule names library codes (refused with row and column otherwise) and warns in every project linking them', async () => {
    const entry = (await pool.query(`SELECT title, type FROM common_indicators WHERE code = 'CI-GOV-02'`)).rows[0] as { title: string; type: string };
    const file = (name: string, rule: string) => {
      const f = path.join(scratch, name);
      fs.writeFileSync(f, ['code,title,type,validation_rule', `CI-GOV-02,"${entry.title}",${entry.type},${rule}`].join('\n'));
      return f;
    };
    const bad = await importCommonIndicators({ pool }, { path: file('bad-rule.csv', 'CI-GOV-02 <= CI-NOPE') });
    expect(bad.errors).toEqual([{ file: 'bad-rule.csv', row: 2, column: 'validation_rule', message: '"CI-NOPE" is not a common indicator of the library (nor of this file)' }]);
    // A rule that can never hold, so that it shows wherever CI-GOV-02 has a value.
    expect(await importCommonIndicators({ pool }, { path: file('rule.csv', 'CI-GOV-02 > CI-GOV-02') })).toMatchObject({ imported: true, updated: 1, errors: [] });
    const files = await buildReportFiles(pool, {
      projectCode: 'LY10P0542', period: '2025-Q3', templateId: 'iom-donor-report', dataAsOf: await databaseNow(pool), cycleId: null, version: 0, stage: 'preview', decisions: [], generatedAt: '2026-01-10T10:00:00Z',
    });
    const warning = (files.model as ReportModel).dataQuality.find((w) => w.ruleCode === 'library:CI-GOV-02');
    expect(warning?.message).toMatch(/^rule library:CI-GOV-02 \(library rule CI-GOV-02 > CI-GOV-02\) does not hold: OP1\.4\.b > OP1\.4\.b is ([\d.]+) > \1$/);
  });
});

