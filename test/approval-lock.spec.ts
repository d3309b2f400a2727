/**
 * Approval locks the data it covers (issue #13), on the real Temporal dev server and PostgreSQL (a
 * database of the spec's own): once a quarter's report is final, a file cannot change that quarter's
 * values (an identical row still passes), a project manager cannot correct them, and an M&E officer's
 * correction with a reason reopens the cycle as a new version whose report says "revised after
 * approval" with what changed; it goes through the approval chain and to the donor again.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { principalFor } from '../app/auth.js';
import { correctValueAs } from '../app/corrections.js';
import { cycleHistory, cycleResult, decide, startCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { correctValue, importFile } from '../app/imports.js';
import { cycleView } from '../app/web-views.js';
import { readArtifact } from '../db/cycles-repository.js';
import type { CycleStatus } from '../domain/report-cycle.js';
import { mailsTo } from './support/mailbox.js';
import { ownDatabase } from './support/own-database.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

const PROJECT = 'LY10P0551';
const PERIOD = '2025-Q1';
const CYCLE = `report-cycle/${PROJECT}/${PERIOD}/iom-donor-report`;
let sys: TestSystem;
let scratch: string;

beforeAll(async () => {
  const { pool, databaseUrl } = await ownDatabase('rbm_approval_lock_spec');
  await pool.end();
  sys = await startTestSystem('approval-lock', { databaseUrl });
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'lock-'));
});
afterAll(async () => {
  await sys?.stop();
});

/** Approves every step of the cycle's current version, as each step's approver. */
async function approveAll(version: number): Promise<CycleStatus> {
  for (let step = 0; ; step++) {
    const s = await waitForStep(sys.ctx, CYCLE, version, step);
    if (s.state !== 'awaiting_approval') return s;
    await decide(sys.ctx, CYCLE, { decision: 'approve', by: s.approvers[0]!, version });
    if (step + 1 >= (s.stepCount ?? 1)) return cycleResult(sys.ctx, CYCLE);
  }
}
const current = async (indicator: string, period: string) =>
  Number((await sys.ctx.pool.query(`SELECT v.value FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
    WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.superseded_at IS NULL AND v.sex = '' AND v.age_group = '' AND v.population_type = ''
      AND v.nationality = '' AND v.location = ''`, [PROJECT, indicator, period])).rows[0]?.value);

describe('approval locks the data it covers', () => {
  it('a final report locks its quarter: files cannot change it, identical rows still pass, other quarters are open', async () => {
    await startCycle(sys.ctx, { projectCode: PROJECT, period: PERIOD, startedBy: 'me.officer' });
    await waitForCycleState(sys.ctx, CYCLE, ['awaiting_approval']);
    expect((await approveAll(1)).state).toBe('completed');

    const before = await current('OP1.1.b', PERIOD);
    const file = path.join(scratch, 'late.csv');
    fs.writeFileSync(file, [
      'project_code,indicator_code,period,value',
      `${PROJECT},OP1.1.b,${PERIOD},${before + 50}`,
      `${PROJECT},OP1.1.b,2025-Q2,${before}`,
    ].join('\n'));
    const r = await importFile({ pool: sys.ctx.pool }, { path: file, importedBy: 'me.officer' });
    expect(r).toMatchObject({ rejected: 1 });
    expect(r.errors.map((e) => `${e.row}|${e.column}`)).toEqual(['2|period']);
    expect(r.errors.find((e) => e.row === 2)!.message).toContain(`${PERIOD} of ${PROJECT} is locked by its approved report (iom-donor-report approved`);
    expect(await current('OP1.1.b', PERIOD)).toBe(before);

    // The same value again (with its source and comment) is no change: it passes as unchanged.
    const stored = (await sys.ctx.pool.query(`SELECT v.source, v.comment FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.code = 'OP1.1.b' AND v.period = $2 AND v.superseded_at IS NULL AND v.sex = '' AND v.location = ''`, [PROJECT, PERIOD])).rows[0];
    fs.writeFileSync(file, ['project_code,indicator_code,period,value,source,comment', `${PROJECT},OP1.1.b,${PERIOD},${before},"${stored.source}","${stored.comment}"`].join('\n'));
    expect(await importFile({ pool: sys.ctx.pool }, { path: file, importedBy: 'me.officer' })).toMatchObject({ accepted: 0, rejected: 0, unchanged: 1 });
  });

  it('only an M&E officer corrects it, with a reason; the correction reopens the cycle as version 2, revised after approval, to the donor again', async () => {
    const before = await current('OP1.1.b', PERIOD);
    const manager = (await principalFor({ pool: sys.ctx.pool }, 'pm.health', 'session'))!;
    const correction = { projectCode: PROJECT, indicatorCode: 'OP1.1.b', period: PERIOD, disaggregation: {}, value: String(before * 50), comment: 'Two site lists were counted late.' };
    await expect(correctValueAs(sys.ctx, manager, correction)).rejects.toThrow(/may not|not allowed|enter_data/i);

    const officer = (await principalFor({ pool: sys.ctx.pool }, 'me.officer', 'session'))!;
    const { report, reopened } = await correctValueAs(sys.ctx, officer, correction);
    expect(report.accepted).toBe(1);
    expect(reopened).toEqual([CYCLE]);

    const v2 = await waitForCycleState(sys.ctx, CYCLE, ['awaiting_approval']);
    expect(v2).toMatchObject({ version: 2, reopened: { approvedVersion: 1, by: 'me.officer', reason: 'Two site lists were counted late.' } });
    const draft = v2.versions.find((v) => v.version === 2)!.draft.find((a) => a.format === 'pdf')!;
    const pdf = path.join(scratch, 'v2.pdf');
    fs.writeFileSync(pdf, (await readArtifact(sys.ctx.pool, draft.id))!.content);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Revised after approval');
    expect(text).toContain('Two site lists were counted late.');
    expect(text).toContain(`Period Cell Approved (v1) Now OP1.1.b ${PERIOD} total ${before} ${before * 50} `);
    expect(text).not.toContain('OP1.1.b 2025-Q2 total'); // a later quarter is not this report's change

    // The reviewer's cycle page shows the data-quality warning beside the figure it concerns.
    const view = await cycleView(sys.ctx, manager, CYCLE);
    expect(view.quality).toContainEqual(expect.objectContaining({ kind: 'outlier', indicatorCode: 'OP1.1.b', period: PERIOD, figure: (before * 50).toLocaleString('en-US') }));

    const done = await approveAll(2);
    expect(done).toMatchObject({ state: 'completed', version: 2 });
    expect(done.final.map((a) => a.filename)).toContain(`${PROJECT}_${PERIOD}_iom-donor-report_v2_final.pdf`);
    const history = await cycleHistory(sys.ctx, CYCLE);
    expect(history.map((e) => e.action)).toContain('reopened');
    expect(history.find((e) => e.action === 'reopened')).toMatchObject({ actor: 'me.officer', detail: { approvedVersion: 1, reason: 'Two site lists were counted late.' } });
    // The donor receives the revised version once.
    await expect.poll(async () => (await mailsTo('eu.donor@example.org')).filter((m) => m.attachments.some((a) => a.filename === `${PROJECT}_${PERIOD}_iom-donor-report_v2_final.pdf`)).length, { timeout: 15_000 }).toBe(1);
    // ... and is told in the subject that it replaces the version 1 it received.
    const revisedMail = (await mailsTo('eu.donor@example.org')).find((m) => m.attachments.some((a) => a.filename === `${PROJECT}_${PERIOD}_iom-donor-report_v2_final.pdf`))!;
    expect(revisedMail.subject).toMatch(new RegExp(`\\(${PROJECT}\\): revised report for ${PERIOD} \\(version 2\\)$`));
    expect(revisedMail.text).toContain('replaces version 1 sent to you earlier');
  });

  it('a correction whose reopening failed is healed by sending it again: the value is unchanged, but newer than the approved report', async () => {
    const officer = (await principalFor({ pool: sys.ctx.pool }, 'me.officer', 'session'))!;
    const correction = { projectCode: PROJECT, indicatorCode: 'OP1.1.b', period: PERIOD, disaggregation: {}, value: String((await current('OP1.1.b', PERIOD)) + 1), comment: 'One more site list.' };
    // The value stored and the reopening lost (as when Temporal was unreachable right after the commit).
    expect((await correctValue(sys.ctx, { ...correction, by: 'me.officer' })).accepted).toBe(1);
    expect((await cycleResult(sys.ctx, CYCLE)).state).toBe('completed');
    const again = await correctValueAs(sys.ctx, officer, correction);
    expect(again.report).toMatchObject({ accepted: 0, unchanged: 1 });
    expect(again.reopened).toEqual([CYCLE]);
    expect(await waitForCycleState(sys.ctx, CYCLE, ['awaiting_approval'])).toMatchObject({ version: 3 });
    expect(await approveAll(3)).toMatchObject({ state: 'completed', version: 3 });
    // Once its report holds the value, the same correction reopens nothing.
    expect((await correctValueAs(sys.ctx, officer, correction)).reopened).toEqual([]);
  });
});
