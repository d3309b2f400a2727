/**
 * Approval rounds on the real dev server with delays of seconds: reminders then escalation, lateness,
 * two returns, cancel, a worker killed while a cycle waits for a decision. Mails are received by a
 * real SMTP server (Mailpit, started by the global setup) and read back through its API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openAppContext, type AppContext } from '../app/context.js';
import { cancelCycle, cycleHistory, cycleResult, decide, resubmit, startCycle, waitForCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { PROJECT_ROOT } from '../config/config.js';
import { listNotifications } from '../db/notifications-repository.js';
import { createLogger } from '../runtime/logger.js';
import { mailsTo, waitForMail } from './support/mailbox.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem('approvals');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
});
afterAll(async () => {
  await sys?.stop();
});

const PROJECT = 'LY10P0558'; // WASH: its manager is pm.wash
const MANAGER = 'pm.wash';
const CHIEF = 'com.libya';
const FAST = { reminderAfterMs: 1500, reminderEveryMs: 1500, escalateAfterMs: 4000 };
const actions = async (id: string) => (await cycleHistory(sys.ctx, id)).map((e) => e.action);

describe('approval rounds', () => {
  it('reminds the manager, then escalates to the Chief of Mission, who may then decide', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2024-Q1', startedBy: 'me.officer', timing: FAST });
    await waitForCycleState(sys.ctx, cycleId, ['awaiting_approval']);
    const escalated = await waitForCycle(sys.ctx, cycleId, (s) => s.escalated === true, 30_000);
    expect(escalated.approvers).toEqual([MANAGER, CHIEF]);
    expect(escalated.remindersSent).toBeGreaterThanOrEqual(2);
    const history = await actions(cycleId);
    expect(history.filter((a) => a === 'reminder_sent').length).toBeGreaterThanOrEqual(2);
    expect(history.indexOf('escalated')).toBeGreaterThan(history.indexOf('reminder_sent'));

    await waitForMail('pm.wash@example.org', (m) => m.subject.startsWith('[RBM Flow] Reminder') && m.subject.includes(`${PROJECT} 2024-Q1`));
    const managerMails = await mailsTo('pm.wash@example.org');
    const forThisCycle = managerMails.filter((m) => m.subject.includes(`${PROJECT} 2024-Q1`));
    expect(forThisCycle.map((m) => m.subject)).toEqual(expect.arrayContaining([
      `[RBM Flow] Review requested: ${PROJECT} 2024-Q1 report`,
      `[RBM Flow] Reminder: review waiting: ${PROJECT} 2024-Q1 report`,
    ]));
    expect(forThisCycle[0]!.text).toContain(`Open the draft: http://rbm.test/cycles/${encodeURIComponent(cycleId)}`);
    const escalation = await waitForMail('com.libya@example.org', (m) => m.subject === `[RBM Flow] Escalation: review waiting: ${PROJECT} 2024-Q1 report`);
    expect(escalation.text).toMatch(/escalated to you/);

    // The escalated step is decided by the Chief of Mission; the next step is also theirs.
    await decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF, comment: 'Approved on behalf of the PM.' });
    await waitForStep(sys.ctx, cycleId, 1, 1);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF });
    const done = await cycleResult(sys.ctx, cycleId);
    expect(done.state).toBe('completed');
    await waitForMail('me.officer@example.org', (m) => m.subject === `[RBM Flow] Approved: ${PROJECT} 2024-Q1 report`);
    // Each notification was sent once per recipient, never twice.
    const sent = (await listNotifications(sys.ctx.pool, cycleId)).filter((n) => n.state === 'sent');
    expect(new Set(sent.map((n) => `${n.eventKey}/${n.userId}`)).size).toBe(sent.length);
  });

  it('returns twice, each time back to the M&E officer with the comment, then approves version 3', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2024-Q2', startedBy: 'me.officer' });
    for (const [version, comment] of [[1, 'Add the Zuwara figures.'], [2, 'The Q2 totals still differ from the sex split.']] as const) {
      await waitForStep(sys.ctx, cycleId, version, 0);
      await decide(sys.ctx, cycleId, { decision: 'return', by: MANAGER, version, comment });
      await waitForCycleState(sys.ctx, cycleId, ['returned']);
      const mail = await waitForMail('me.officer@example.org', (m) => m.subject === `[RBM Flow] Returned with comments: ${PROJECT} 2024-Q2 report` && m.text.includes(comment));
      expect(mail.text).toContain(`returned version ${version} with this comment`);
      await resubmit(sys.ctx, cycleId, { by: 'me.officer' });
    }
    await waitForStep(sys.ctx, cycleId, 3, 0);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER, version: 3 });
    await waitForStep(sys.ctx, cycleId, 3, 1);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF, version: 3 });
    const done = await cycleResult(sys.ctx, cycleId);
    expect(done.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(done.final[0]!.filename).toMatch(/_v3_final\./);
    expect((await actions(cycleId)).filter((a) => a === 'returned' || a === 'resubmitted')).toEqual(['returned', 'resubmitted', 'returned', 'resubmitted']);
  });

  it('flags a late cycle, and an M&E officer cancels it with a reason', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2024-Q3', startedBy: 'me.officer', dueDate: '2024-10-31' });
    const late = await waitForCycle(sys.ctx, cycleId, (s) => s.overdue === true);
    expect(late.dueDate).toBe('2024-10-31');
    await waitForMail('pm.wash@example.org', (m) => m.subject === `[RBM Flow] Overdue report: ${PROJECT} 2024-Q3 report` && m.text.includes('due on 2024-10-31'));
    const cancelled = await cancelCycle(sys.ctx, cycleId, { by: 'me.officer', reason: 'Replaced by the annual report.' });
    expect(cancelled.state).toBe('cancelled');
    const final = await cycleResult(sys.ctx, cycleId);
    expect(final.cancelled).toMatchObject({ by: 'me.officer', reason: 'Replaced by the annual report.' });
    expect((await actions(cycleId)).at(-1)).toBe('cancelled');
    await waitForMail('pm.wash@example.org', (m) => m.subject === `[RBM Flow] Report cycle cancelled: ${PROJECT} 2024-Q3 report`);
  });

  it('a decision taken while the worker is down lands once a worker is back', async () => {
    // A worker in its own process on its own task queue, killed with SIGKILL while the cycle waits.
    const queue = 'test-killed-worker';
    const spawnWorker = (): ChildProcess =>
      spawn('node', ['bin/rbm.js', 'worker'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATABASE_URL: sys.databaseUrl, TEMPORAL_ADDRESS: sys.temporalAddress, RBM_TASK_QUEUE: queue, RBM_RENDER_TASK_QUEUE: `${queue}-render`, RBM_OUT_DIR: sys.outDir, SMTP_URL: inject('smtpUrl') },
        stdio: 'ignore',
      });
    const ctx: AppContext = await openAppContext({ ...sys.ctx.config, taskQueue: queue, renderTaskQueue: `${queue}-render` }, { databaseUrl: sys.databaseUrl, temporalAddress: sys.temporalAddress, temporalUiUrl: null }, createLogger('warn'));
    let worker = spawnWorker();
    try {
      const { cycleId } = await startCycle(ctx, { projectCode: PROJECT, period: '2024-Q4', startedBy: 'me.officer' });
      await waitForStep(ctx, cycleId, 1, 0, 60_000);
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));

      const decision = decide(ctx, cycleId, { decision: 'approve', by: MANAGER, version: 1 });
      await new Promise((r) => setTimeout(r, 1000));
      worker = spawnWorker();
      expect((await decision).stepIndex).toBe(0);
      await waitForStep(ctx, cycleId, 1, 1, 60_000);
      await decide(ctx, cycleId, { decision: 'approve', by: CHIEF, version: 1 });
      expect((await cycleResult(ctx, cycleId)).state).toBe('completed');
      expect((await cycleHistory(ctx, cycleId)).filter((e) => e.action === 'approved').map((e) => e.actor)).toEqual([MANAGER, CHIEF]);
    } finally {
      worker.kill('SIGKILL');
      await ctx.close();
    }
  });
});
