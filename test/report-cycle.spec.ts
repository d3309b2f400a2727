/**
 * The report cycle end to end on a real Temporal dev server and a real PostgreSQL: start, decide
 * through the workflow's Update (as a user does), render, deliver; and every refusal of the validator.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelCycle, cycleHistory, cycleResult, cycleStatus, decide, resubmit, startCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { sha256Hex } from '../db/cycles-repository.js';
import { recordValues } from '../db/values-repository.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem('report-cycle');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
});
afterAll(async () => {
  await sys?.stop();
});

const PROJECT = 'LY10P0542';
const MANAGER = 'pm.governance';
const CHIEF = 'com.libya';
const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

async function readItt(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(fs.readFileSync(file) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('ITT')!;
  const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
  const rowOf = (code: string) => {
    let found: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (row.values && (row.values as unknown[]).includes(code)) found = row;
    });
    return found!;
  };
  return { header, rowOf };
}

describe('report cycle', () => {
  it('gathers, renders a draft, waits for the manager, and delivers the approved final', async () => {
    const started = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2025-Q1', startedBy: 'me.officer' });
    expect(started).toMatchObject({ cycleId: `report-cycle/${PROJECT}/2025-Q1/iom-donor-report`, started: true });
    const waiting = await waitForCycleState(sys.ctx, started.cycleId, ['awaiting_approval']);
    expect(waiting).toMatchObject({ version: 1, approvers: [MANAGER], stepName: 'Project manager', stepIndex: 0, stepCount: 2, dueDate: '2025-04-30' });
    expect(waiting.versions[0]!.draft.map((a) => a.format).sort()).toEqual(['pdf', 'xlsx']);

    // Starting the same cycle again joins it: no second workflow, no second row.
    const again = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2025-Q1', startedBy: 'me.officer' });
    expect(again).toMatchObject({ cycleId: started.cycleId, started: false, state: 'awaiting_approval' });

    const accepted = await decide(sys.ctx, started.cycleId, { decision: 'approve', by: MANAGER, comment: 'Good to go.' });
    expect(accepted.state).toBe('awaiting_approval');
    // The second step: the Chief of Mission signs off before anything reaches the donor.
    const second = await waitForStep(sys.ctx, started.cycleId, 1, 1);
    expect(second).toMatchObject({ stepName: 'Chief of Mission', approvers: [CHIEF] });
    expect((await decide(sys.ctx, started.cycleId, { decision: 'approve', by: CHIEF })).state).toBe('finalizing');
    const done = await cycleResult(sys.ctx, started.cycleId);
    expect(done.state).toBe('completed');
    expect(done.final.map((a) => a.filename).sort()).toEqual([
      'LY10P0542_2025-Q1_iom-donor-report_v1_final.pdf',
      'LY10P0542_2025-Q1_iom-donor-report_v1_final.xlsx',
    ]);
    // The delivered files are the stored ones, byte for byte.
    for (const a of done.final) {
      const delivered = done.deliveredTo.find((p) => p.endsWith(a.filename))!;
      expect(sha256Hex(fs.readFileSync(delivered))).toBe(a.sha256);
    }
    const pdf = fs.readFileSync(done.deliveredTo.find((p) => p.endsWith('.pdf'))!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    const history = await cycleHistory(sys.ctx, started.cycleId);
    expect(history.map((e) => e.action)).toEqual([
      'cycle_started', 'data_gathered', 'draft_rendered', 'review_requested', 'approved', 'review_requested', 'approved', 'final_rendered', 'delivered_to_donors', 'delivered',
    ]);
    expect(history.filter((e) => e.action === 'approved').map((e) => [e.actor, e.detail.step])).toEqual([[MANAGER, 'Project manager'], [CHIEF, 'Chief of Mission']]);
    expect(history.find((e) => e.action === 'approved')).toMatchObject({ actor: MANAGER, detail: { comment: 'Good to go.' } });
    // The final PDF carries the approvals block.
    const text = pdfText(done.deliveredTo.find((p) => p.endsWith('.pdf'))!);
    expect(text).toMatch(/Approvals/);
    expect(text).toMatch(/Chief of Mission/);
  });

  it('refuses decisions that break a rule and says why', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2025-Q3', startedBy: 'me.officer' });
    await waitForCycleState(sys.ctx, cycleId, ['awaiting_approval']);
    await expect(decide(sys.ctx, cycleId, { decision: 'approve', by: 'pm.health' })).rejects.toThrow(/pm.health is not an approver of this step/);
    await expect(decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER, version: 7 })).rejects.toThrow(/current version is 1/);
    await expect(decide(sys.ctx, cycleId, { decision: 'return', by: MANAGER })).rejects.toThrow(/needs a comment/);
    // Refused decisions leave no trace in the workflow.
    expect((await cycleStatus(sys.ctx, cycleId)).decisions).toEqual([]);

    await decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER });
    // The step is decided: nobody decides it twice, and the next step is not the manager's.
    await expect(decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER, version: 1 })).rejects.toThrow(/already taken by pm.governance|not an approver of this step/);
    await waitForStep(sys.ctx, cycleId, 1, 1);
    await expect(decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER, version: 1 })).rejects.toThrow(/pm.governance is not an approver of this step \(approvers: com.libya\)/);
    await expect(resubmit(sys.ctx, cycleId, { by: 'me.officer' })).rejects.toThrow(/is not returned/);
    await expect(cancelCycle(sys.ctx, cycleId, { by: MANAGER, reason: 'no' })).rejects.toThrow(/pm.governance is not an M&E officer/);
    await expect(cancelCycle(sys.ctx, cycleId, { by: 'me.officer', reason: ' ' })).rejects.toThrow(/needs a reason/);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF });
    await cycleResult(sys.ctx, cycleId);
    await expect(decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF, version: 1 })).rejects.toThrow(/is completed: it takes no more decisions/);
  });

  it('returned with a comment, gathers the corrected data into version 2, then approves it', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2025-Q2', startedBy: 'me.officer' });
    const v1 = await waitForCycleState(sys.ctx, cycleId, ['awaiting_approval']);
    const draft1 = v1.versions[0]!.draft.find((a) => a.format === 'xlsx')!;

    // The M&E officer corrects one value: a new revision, the old one kept.
    const outcome = await recordValues(sys.ctx.pool, [{ projectCode: PROJECT, indicatorCode: 'OP1.3.b', period: '2025-Q2', disaggregation: {}, value: 31 }], 'me.officer');
    expect(outcome).toEqual({ inserted: 0, revised: 1, unchanged: 0 });
    const returned = await decide(sys.ctx, cycleId, { decision: 'return', by: MANAGER, version: 1, comment: 'OP1.3.b looks low: check the Q2 workshop lists.' });
    expect(returned.state).toBe('returned');
    // Back with the M&E officer, who resubmits once the data is fixed.
    await expect(resubmit(sys.ctx, cycleId, { by: MANAGER })).rejects.toThrow(/not an M&E officer/);
    expect((await resubmit(sys.ctx, cycleId, { by: 'me.officer', comment: 'Corrected from the attendance lists.' })).state).toBe('gathering');

    await expect.poll(async () => (await cycleStatus(sys.ctx, cycleId)).version).toBe(2);
    const status2 = await waitForCycleState(sys.ctx, cycleId, ['awaiting_approval']);
    expect(status2.version).toBe(2);
    expect(status2.versions[1]!.dataSha256).not.toBe(status2.versions[0]!.dataSha256);
    expect(status2.versions[1]!.draft.find((a) => a.format === 'xlsx')!.sha256).not.toBe(draft1.sha256);

    // The chain starts again from its first step.
    expect(status2).toMatchObject({ stepName: 'Project manager' });
    await decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER, version: 2 });
    await waitForStep(sys.ctx, cycleId, 2, 1);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF, version: 2 });
    const done = await cycleResult(sys.ctx, cycleId);
    expect(done.decisions.map((d) => [d.decision, d.by, d.version])).toEqual([['return', MANAGER, 1], ['approve', MANAGER, 2], ['approve', CHIEF, 2]]);

    // The final workbook holds the corrected number, in the ITT row of the indicator.
    const itt = await readItt(done.deliveredTo.find((p) => p.endsWith('.xlsx'))!);
    const row = itt.rowOf('OP1.3.b');
    const periodActualColumn = itt.header.indexOf('Period actual');
    expect(periodActualColumn).toBeGreaterThan(0);
    expect(row.getCell(periodActualColumn).value).toBe(31);

    const history = await cycleHistory(sys.ctx, cycleId);
    expect(history.filter((e) => e.action === 'draft_rendered').map((e) => e.version)).toEqual([1, 2]);
    expect(history.find((e) => e.action === 'resubmitted')).toMatchObject({ actor: 'me.officer', detail: { comment: 'Corrected from the attendance lists.' } });
    expect(history.find((e) => e.action === 'returned')).toMatchObject({ actor: MANAGER, version: 1, detail: { comment: 'OP1.3.b looks low: check the Q2 workshop lists.' } });
  });

  it('refuses a period outside the project and a project without a manager, with the reason', async () => {
    await expect(startCycle(sys.ctx, { projectCode: PROJECT, period: '2026-Q1', startedBy: 'me.officer' })).rejects.toThrow(/outside project LY10P0542/);
    await expect(startCycle(sys.ctx, { projectCode: 'NOPE', period: '2025-Q1', startedBy: 'me.officer' })).rejects.toThrow(/no project with code NOPE/);
    await expect(startCycle(sys.ctx, { projectCode: PROJECT, period: '2025-Q9', startedBy: 'me.officer' })).rejects.toThrow(/not a period/);
  });
});
